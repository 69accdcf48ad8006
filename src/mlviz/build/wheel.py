"""The helper package, published with the site as a wheel, and the line that installs it.

Every downloaded page imports :mod:`mlviz`, so the site carries the wheel of the exact
package it was built with (``downloads/mlviz-<version>-py3-none-any.whl``) and shows one
install line on the home page, in every page's download box and in the first cell of
every notebook, naming the extras that page needs (:mod:`mlviz.build.extras`). When the
site's address is known (``SITE_URL``) the line installs from that address; a site built
without one points at the folder it was built into. The wheel leaves out
:mod:`mlviz.build` and :mod:`mlviz.bench`, which no reader needs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mlviz import __version__

__all__ = [
    "WHEEL_DIR",
    "build_wheel",
    "install_command",
    "notebook_first_cell",
    "requirement",
    "site_url",
    "wheel_address",
    "wheel_name",
]

#: Folder of the site (relative to its root) that holds the wheel.
WHEEL_DIR = "downloads"


def wheel_name(version: str = __version__) -> str:
    """The file name of the helper package's wheel, e.g. ``mlviz-0.1.0-py3-none-any.whl``."""
    return f"mlviz-{version}-py3-none-any.whl"


def site_url() -> str:
    """The address the site is published at (``$SITE_URL``), ending in ``/``; ``""`` if unset."""
    url = os.environ.get("SITE_URL", "").strip()
    if url and not url.startswith(("http://", "https://")):
        raise ValueError(f"SITE_URL={url!r} must be an http(s) address such as 'https://user.github.io/gallery/'")
    return url if not url or url.endswith("/") else url + "/"


def wheel_address(url: str | None = None, local_site: Path | str | None = None) -> str:
    """Where a reader gets the wheel: on the published site, or in a local build's folder.

    Parameters
    ----------
    url : str, optional
        The site's address; default :func:`site_url`.
    local_site : Path or str, optional
        For a site built without an address: the folder it was built into. Without
        either, the bare file name (the reader downloads it beside the notebook first).
    """
    url = site_url() if url is None else url
    if url:
        return f"{url}{WHEEL_DIR}/{wheel_name()}"
    if local_site is not None:
        return str(Path(local_site).resolve() / WHEEL_DIR / wheel_name())
    return wheel_name()


def requirement(url: str | None = None, extras=(), local_site: Path | str | None = None) -> str:
    """The pip requirement for the wheel with ``extras``.

    Examples
    --------
    >>> requirement("https://example.org/gallery/", ["shap"])
    'mlviz[shap] @ https://example.org/gallery/downloads/mlviz-0.1.0-py3-none-any.whl'
    >>> requirement("", [], "/home/me/gallery/site")
    '/home/me/gallery/site/downloads/mlviz-0.1.0-py3-none-any.whl'
    """
    address = wheel_address(url, local_site)
    extra = f"[{','.join(extras)}]" if extras else ""
    return f"mlviz{extra} @ {address}" if "://" in address else f"{address}{extra}"


def install_command(url: str | None = None, extras=(), local_site: Path | str | None = None) -> str:
    """The one line that installs the helper package with what a page needs.

    Parameters
    ----------
    url : str, optional
        The site's address; default :func:`site_url`. With an address, the line
        installs the wheel from the site; without one, from ``local_site`` (or the
        downloaded file).
    extras : sequence of str
        The package's extras the page needs (:func:`mlviz.build.extras.page_extras`).
    local_site : Path or str, optional
        The folder a site without an address was built into.

    Examples
    --------
    >>> install_command("https://example.org/gallery/", ["torch"])
    'pip install "mlviz[torch] @ https://example.org/gallery/downloads/mlviz-0.1.0-py3-none-any.whl"'
    """
    return f'pip install "{requirement(url, extras, local_site)}"'


def notebook_first_cell(url: str | None = None, extras=(), local_site: Path | str | None = None) -> str:
    """The code cell that opens every downloaded notebook: install, then inline figures.

    ``%pip`` carries on when pip fails; this cell stops the notebook with pip's reason.
    """
    url = site_url() if url is None else url
    where = "" if url or local_site is not None else f" (download {wheel_name()} from the gallery into this folder first)"
    return (
        f"# The gallery's helper package and what this page needs{where}; stops here if pip fails.\n"
        "import subprocess, sys\n"
        f"pip = subprocess.run([sys.executable, '-m', 'pip', 'install', {requirement(url, extras, local_site)!r}],"
        " capture_output=True, text=True)\n"
        "if pip.returncode:\n"
        "    raise RuntimeError('pip could not install mlviz:\\n' + pip.stdout[-1500:] + pip.stderr[-1500:])\n"
        "%matplotlib inline"
    )


def _leave_out(folder: str, names: list[str]) -> list[str]:
    """What the wheel leaves out: caches, and the site's build and benchmark code."""
    skip = {"__pycache__"} | ({"build", "bench"} if Path(folder).name == "mlviz" else set())
    return [n for n in names if n in skip or n.endswith(".egg-info")]


def build_wheel(project: Path, destination: Path) -> Path:
    """Build the helper package's wheel from ``project`` into ``destination``.

    Parameters
    ----------
    project : Path
        The folder holding ``pyproject.toml``.
    destination : Path
        Folder for the wheel (created when missing).

    Returns
    -------
    Path
        The built wheel.

    Raises
    ------
    RuntimeError
        If pip cannot build it; the message carries pip's output.
    """
    project = Path(project)
    if not (project / "pyproject.toml").is_file():
        raise FileNotFoundError(f"project={str(project)!r} holds no pyproject.toml to build the wheel from")
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    # Build from a copy of the sources, so that setuptools leaves no build/ folder behind.
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        shutil.copytree(project / "src", source / "src", ignore=_leave_out)
        # The site's address, for the loaders to find the data files published beside the wheel.
        (source / "src" / "mlviz" / "_site.py").write_text(
            f'"""Where the gallery that published this wheel lives (written by its build)."""\n\nSITE_URL = {site_url()!r}\n'
        )
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(project / name, source / name)
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", tmp, str(source)],
            capture_output=True,
            text=True,
        )
        built = Path(tmp) / wheel_name()
        if result.returncode != 0 or not built.is_file():
            raise RuntimeError(f"could not build {wheel_name()}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        target = destination / built.name
        shutil.copyfile(built, target)
    return target
