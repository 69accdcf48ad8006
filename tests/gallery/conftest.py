"""Running a gallery page inside a test, as the quick build runs it."""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import runpy
from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from mlviz.datasets import MIRROR_ENV  # noqa: E402
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


#: The marks of a test module that runs pages on the real datasets (``pytestmark =
#: PAGE_MARKS``): slow, so ``make test-fast`` leaves it out, and skipped where the
#: dataset mirror that ``make test`` sets is missing.
needs_mirror = pytest.mark.skipif(
    not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)"
)
PAGE_MARKS = [pytest.mark.slow, needs_mirror]


def needs_data(test):
    """Mark one test as :data:`PAGE_MARKS` marks a module (for modules that mix tests
    of a page's run with quick tests of its helpers)."""
    for mark in reversed(PAGE_MARKS):
        test = mark(test)
    return test


#: Pages already run in this test session: path -> namespace. A page's tests read its
#: results; running it again for each test module would double ``make test``.
_RUNS: dict = {}


def run_quick(name: str, folder, *, fresh: bool = False) -> dict:
    """Run a page in quick mode inside ``folder``; return its namespace.

    The namespace also holds ``_figures`` (every figure the page showed, closed but
    inspectable), ``_findings`` (the text of each ``say()``) and ``_folder`` (where it
    ran, and wrote its files). Environment, working folder and ``plt.show`` are restored
    afterwards. A page runs once per test session: later calls return the same namespace
    (tests must not change what it holds) unless ``fresh``.
    """
    key = page_path(name).resolve()
    if not fresh and key in _RUNS:
        return _RUNS[key]
    namespace = _run_quick(name, folder)
    _RUNS[key] = namespace
    return namespace


def _run_quick(name: str, folder) -> dict:
    shown = []
    plt.close("all")  # a figure another test left open is not the page's

    def show(*args, **kwargs):  # keep the figures for the test, then close them
        shown.extend(plt.figure(n) for n in plt.get_fignums())
        plt.close("all")

    import torch

    from mlviz._torch import build_threads

    out = io.StringIO()
    path = page_path(name)
    threads = torch.get_num_threads()
    torch.set_num_threads(build_threads())  # as the build runs pages; pages set none
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setenv("MLVIZ_QUICK", "1")
        mp.setenv("MLVIZ_GALLERY_BUILD", "1")  # say() emits its findings for render_findings
        mp.chdir(folder)
        mp.setattr(plt, "show", show)
        try:
            with recorded_imports() as imported:
                namespace = runpy.run_path(str(path), run_name="__main__")
        finally:
            torch.set_num_threads(threads)
    check_declared_extras(path, imported)
    namespace["_figures"] = shown
    namespace["_folder"] = Path(folder)
    namespace["_findings"] = [part.text for part in render_findings(out.getvalue()) if not isinstance(part, str)]
    return namespace


@contextlib.contextmanager
def recorded_imports():
    """Record every import that the page or ``mlviz`` runs (absolute module names).

    Through ``builtins.__import__``, so an import of a module loaded long ago still counts;
    imports made inside other libraries are theirs, not the page's, and are left out.
    """
    names: list[str] = []
    real = builtins.__import__

    def record(name, globals=None, locals=None, fromlist=(), level=0):
        caller = (globals or {}).get("__name__") or ""
        if caller == "__main__" or caller.startswith("mlviz"):
            absolute = name
            if level:
                package = globals.get("__package__") or caller.rpartition(".")[0]
                base = package.rsplit(".", level - 1)[0] if level > 1 else package
                absolute = f"{base}.{name}" if name else base
            names.append(absolute)
            names.extend(f"{absolute}.{item}" for item in fromlist or () if absolute.startswith("mlviz"))
        return real(name, globals, locals, fromlist, level)

    builtins.__import__ = record
    try:
        yield names
    finally:
        builtins.__import__ = real


def check_declared_extras(path, imported) -> None:
    """Every module the page imported while it ran comes with the extras its install line names."""
    from mlviz.build.extras import import_closure, page_extras, provided_modules

    extras = page_extras(path)
    used = set().union(*(import_closure(n) for n in imported if n.split(".")[0] != "mlviz" or _is_module(n)))
    missing = sorted(used - provided_modules(extras))
    assert not missing, (
        f"{path.name} imported {', '.join(missing)} while it ran, but its install line names only "
        f"{list(extras) or 'the core'}: mlviz.build.extras.page_extras misses how the page reaches them"
    )


def _is_module(name: str) -> bool:
    from mlviz.build.extras import _module_file

    return _module_file(name) is not None


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


def finding(ns: dict, start: str) -> str:
    """The text of the page's finding (``say``) that starts with ``start``."""
    return next(text for text in ns["_findings"] if text.startswith(start))


def page_cell(name: str, text: str) -> str:
    """The source of the page's one cell (``# %%``) that contains ``text``."""
    import re

    cells = re.split(r"^# %%.*$", page_path(name).read_text(), flags=re.M)
    found = [c for c in cells if text in c]
    assert len(found) == 1, f"{name} has {len(found)} cells containing {text!r}"
    return found[0]


def rerun_cell(name: str, namespace: dict, text: str, **replaced) -> tuple[dict, list]:
    """Run the page's cell containing ``text`` again, on a copy of the page's namespace
    with some names replaced (a claim fed the opposite case); return the namespace and
    what the cell said. Dicts are copied, so that a cell filling one leaves the page's
    run as it was."""
    said = []
    copied = {k: dict(v) if isinstance(v, dict) else v for k, v in namespace.items()}
    ns = {**copied, **replaced, "say": said.append}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plt, "show", lambda *args, **kwargs: plt.close("all"))
        mp.setenv("MLVIZ_QUICK", "1")
        exec(compile(page_cell(name, text), str(page_path(name)), "exec"), ns)
    return ns, said
