"""The helper package, published with the site as a wheel, and the line that installs it.

Every downloaded page imports :mod:`mlviz`, so the site carries the wheel of the exact
package it was built with (``downloads/mlviz-<version>-py3-none-any.whl``) and shows one
install line on the home page, in every page's download box and in the first cell of
every notebook. When the site's address is known (``SITE_URL``) the line installs from
that address; otherwise it installs the file downloaded beside the notebook or script.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mlviz import __version__

__all__ = ["WHEEL_DIR", "build_wheel", "install_command", "notebook_first_cell", "site_url", "wheel_name"]

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


def install_command(url: str | None = None) -> str:
    """The one line that installs the helper package.

    Parameters
    ----------
    url : str, optional
        The site's address; default :func:`site_url`. With an address, the line
        installs the wheel from the site; without one, from the downloaded file.

    Examples
    --------
    >>> install_command("https://example.org/gallery/")
    'pip install https://example.org/gallery/downloads/mlviz-0.1.0-py3-none-any.whl'
    """
    url = site_url() if url is None else url
    return f"pip install {url}{WHEEL_DIR}/{wheel_name()}" if url else f"pip install {wheel_name()}"


def notebook_first_cell(url: str | None = None) -> str:
    """The code cell that opens every downloaded notebook: install, then inline figures."""
    url = site_url() if url is None else url
    where = "" if url else f" (download {wheel_name()} from the gallery into this folder first)"
    return (
        f"# The gallery's helper package: data loaders, cached models, the figure style{where}.\n"
        f"%{install_command(url)}\n"
        "%matplotlib inline"
    )


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
        shutil.copytree(project / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
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
