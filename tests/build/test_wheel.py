import zipfile

import pytest

from mlviz.build.wheel import build_wheel, install_command, notebook_first_cell, site_url, wheel_name

from ..conftest import ROOT


def test_install_line_uses_the_site_address_when_known():
    assert install_command("https://example.org/g/") == f"pip install https://example.org/g/downloads/{wheel_name()}"
    assert install_command("") == f"pip install {wheel_name()}"


def test_notebook_first_cell_installs_then_shows_figures_inline():
    lines = notebook_first_cell("https://example.org/g/").splitlines()
    assert lines[1] == f"%pip install https://example.org/g/downloads/{wheel_name()}"
    assert lines[2] == "%matplotlib inline"
    assert "download" in notebook_first_cell("").splitlines()[0]  # says where the file comes from


@pytest.mark.parametrize(("value", "expected"), [("", ""), ("https://a.b/c", "https://a.b/c/"), ("http://x/", "http://x/")])
def test_site_url(monkeypatch, value, expected):
    monkeypatch.setenv("SITE_URL", value)
    assert site_url() == expected


def test_site_url_that_is_not_an_address_is_refused(monkeypatch):
    monkeypatch.setenv("SITE_URL", "user.github.io/gallery")
    with pytest.raises(ValueError, match="SITE_URL='user.github.io/gallery' must be an http"):
        site_url()


def test_build_wheel_ships_code_and_style(tmp_path):
    wheel = build_wheel(ROOT, tmp_path)
    assert wheel.name == wheel_name()
    names = zipfile.ZipFile(wheel).namelist()
    assert "mlviz/gallery.mplstyle" in names and "mlviz/datasets/_registry.py" in names
    assert not (ROOT / "build").exists(), "the build leaves no build/ folder in the project"


def test_build_wheel_without_a_project_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="holds no pyproject.toml"):
        build_wheel(tmp_path, tmp_path / "out")
