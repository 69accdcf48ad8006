"""Running a gallery page inside a test, as the quick build runs it."""

from __future__ import annotations

import contextlib
import io
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


def run_quick(name: str, folder) -> dict:
    """Run a page in quick mode inside ``folder``; return its namespace.

    The namespace also holds ``_figures`` (every figure the page showed, closed but
    inspectable) and ``_findings`` (the text of each ``say()``). Environment, working
    folder and ``plt.show`` are restored afterwards.
    """
    shown = []

    def show(*args, **kwargs):  # keep the figures for the test, then close them
        shown.extend(plt.figure(n) for n in plt.get_fignums())
        plt.close("all")

    import torch

    from mlviz._torch import build_threads

    out = io.StringIO()
    threads = torch.get_num_threads()
    torch.set_num_threads(build_threads())  # as the build runs pages; pages set none
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setenv("MLVIZ_QUICK", "1")
        mp.setenv("MLVIZ_GALLERY_BUILD", "1")  # say() emits its findings for render_findings
        mp.chdir(folder)
        mp.setattr(plt, "show", show)
        try:
            namespace = runpy.run_path(str(page_path(name)), run_name="__main__")
        finally:
            torch.set_num_threads(threads)
    namespace["_figures"] = shown
    namespace["_findings"] = [part.text for part in render_findings(out.getvalue()) if not isinstance(part, str)]
    return namespace


@pytest.fixture(scope="module", autouse=True)
def restore_threads():
    """Pages run torch on one thread; give the next test module its setting back."""
    import torch

    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def run_page(monkeypatch, tmp_path):
    """Run a page in quick mode (:func:`run_quick`); return its namespace.

    The page runs in an empty folder, so files it writes do not land in the project;
    the test goes on in that folder, in quick mode. ``run_page.figures`` are the figures
    of the last page run.
    """
    monkeypatch.setenv("MLVIZ_QUICK", "1")
    monkeypatch.setenv("MLVIZ_GALLERY_BUILD", "1")
    monkeypatch.chdir(tmp_path)

    def run(name):
        namespace = run_quick(name, tmp_path)
        run.figures[:] = namespace["_figures"]
        return namespace

    run.figures = []
    yield run
    plt.close("all")
