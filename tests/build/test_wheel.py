import zipfile

import pytest

from mlviz.build.wheel import build_wheel, install_command, notebook_first_cell, site_url, wheel_name

from ..conftest import ROOT


def test_install_line_uses_the_site_address_when_known():
    address = f"https://example.org/g/downloads/{wheel_name()}"
    assert install_command("https://example.org/g/") == f'pip install "mlviz @ {address}"'
    assert install_command("https://example.org/g/", ["torch", "shap"]) == f'pip install "mlviz[torch,shap] @ {address}"'


def test_a_local_build_installs_from_the_folder_it_was_built_into(tmp_path):
    wheel = tmp_path / "site" / "downloads" / wheel_name()
    assert install_command("", ["lime"], tmp_path / "site") == f'pip install "{wheel}[lime]"'
    assert install_command("") == f'pip install "{wheel_name()}"'  # no folder known: the downloaded file


def test_notebook_first_cell_installs_stops_when_pip_fails_then_shows_figures_inline():
    code = notebook_first_cell("https://example.org/g/", ["umap"])
    assert f"'mlviz[umap] @ https://example.org/g/downloads/{wheel_name()}'" in code
    assert code.splitlines()[-1] == "%matplotlib inline"
    assert "download" in notebook_first_cell("").splitlines()[0]  # says where the file comes from
    # Run the cell's Python part with a pip that fails: it must raise with pip's reason.
    python = "\n".join(line for line in code.splitlines() if not line.startswith("%"))
    python = python.replace("'-m', 'pip', 'install'", "'-c', 'import sys; print(\"no such wheel\"); sys.exit(1)'")
    with pytest.raises(RuntimeError, match="pip could not install mlviz:\n.*no such wheel"):
        exec(python, {})


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
    # The site's build and benchmark code is no reader's business.
    assert not [n for n in names if n.startswith(("mlviz/build/", "mlviz/bench/"))]
    metadata = zipfile.ZipFile(wheel).read("mlviz-0.1.0.dist-info/METADATA").decode()
    core = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert not [line for line in core if "torch" in line or "shap" in line], core
    assert not [line for line in metadata.splitlines() if "Requires-Dist: torch==" in line or "shap==" in line]
    assert not (ROOT / "build").exists(), "the build leaves no build/ folder in the project"


def test_build_wheel_without_a_project_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="holds no pyproject.toml"):
        build_wheel(tmp_path, tmp_path / "out")


def test_the_wheel_carries_the_site_address_for_the_data_published_beside_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://example.org/gallery")
    names = zipfile.ZipFile(build_wheel(ROOT, tmp_path)).read("mlviz/_site.py").decode()
    assert "SITE_URL = 'https://example.org/gallery/'" in names
    assert not (ROOT / "src" / "mlviz" / "_site.py").exists(), "the sources stay without an address"
