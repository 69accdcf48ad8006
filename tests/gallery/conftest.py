"""Running a gallery page inside a test, as the quick build runs it."""

from __future__ import annotations

import runpy

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from mlviz.report import render_findings  # noqa: E402

from ..conftest import ROOT  # noqa: E402


def page_path(name: str):
    """``"04_explanations/plot_02_random_forest_mdi.py"`` or just ``"plot_02_random_forest_mdi.py"``."""
    if "/" in name:
        return ROOT / "gallery" / name
    matches = sorted(ROOT.glob(f"gallery/*/{name}"))
    if len(matches) != 1:
        raise ValueError(f"{name!r} names {len(matches)} gallery pages; give its section folder too")
    return matches[0]


@pytest.fixture
def run_page(monkeypatch, capsys, tmp_path):
    """Run a page in quick mode; return its namespace.

    The namespace also holds ``_figures`` (every figure the page showed, closed but
    inspectable) and ``_findings`` (the text of each ``say()``). The page runs in an
    empty folder, so files it writes do not land in the project.
    """
    monkeypatch.setenv("MLVIZ_QUICK", "1")
    monkeypatch.setenv("MLVIZ_GALLERY_BUILD", "1")  # say() emits its findings for render_findings
    monkeypatch.chdir(tmp_path)
    shown = []

    def show(*args, **kwargs):  # keep the figures for the test, then close them
        shown.extend(plt.figure(n) for n in plt.get_fignums())
        plt.close("all")

    monkeypatch.setattr(plt, "show", show)

    def run(name):
        shown.clear()
        capsys.readouterr()
        namespace = runpy.run_path(str(page_path(name)), run_name="__main__")
        namespace["_figures"] = list(shown)
        namespace["_findings"] = [part.text for part in render_findings(capsys.readouterr().out) if not isinstance(part, str)]
        return namespace

    run.figures = shown
    yield run
    plt.close("all")
