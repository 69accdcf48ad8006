"""Build-wide settings read from the environment: quick mode, seeds and cache folders.

One environment variable, ``MLVIZ_QUICK=1``, shrinks the whole gallery (small subsets,
few epochs) for tests and for teaching on a slow machine. A page reads it as a plain
flag, so that copied code stays ordinary Python::

    from mlviz.config import QUICK

    n_epochs = 1 if QUICK else 10

"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pooch

__all__ = ["QUICK", "QUICK_ENV", "SEED", "cache_dir", "is_quick", "written_atomically"]  # noqa: F822  (QUICK: module __getattr__)

#: Environment variable that switches every example to its small, fast variant.
QUICK_ENV = "MLVIZ_QUICK"

#: Environment variable for the folder where downloaded data and trained models live.
CACHE_ENV = "MLVIZ_CACHE_DIR"

#: The seed every example uses, so that a rebuild gives the same numbers.
SEED = 0

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

def is_quick() -> bool:
    """Return whether quick mode is on (``MLVIZ_QUICK`` set to 1/true/yes/on).

    Raises
    ------
    ValueError
        If the variable holds something that is neither true nor false, so that a typo
        such as ``MLVIZ_QUICK=ture`` does not silently run the slow build.
    """
    value = os.environ.get(QUICK_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{QUICK_ENV}={os.environ[QUICK_ENV]!r} is not understood; "
        f"use 1 to build in quick mode or 0 (or unset it) for the full build."
    )


def __getattr__(name: str):
    """``QUICK``: whether quick mode is on, read from the environment when imported.

    A page writes ``from mlviz.config import QUICK`` and ``n = 400 if QUICK else 1500``;
    the flag is read each time it is imported, so it always agrees with
    :func:`is_quick` (which the helper package's loaders call).
    """
    if name == "QUICK":
        return is_quick()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def cache_dir(*parts: str) -> Path:
    """Return (and create) a folder inside the project's cache.

    The cache is ``$MLVIZ_CACHE_DIR`` when set, else the operating system's user
    cache folder (``~/.cache/mlviz`` on Linux).

    Parameters
    ----------
    *parts : str
        Sub-folders, e.g. ``cache_dir("models")``.
    """
    root = os.environ.get(CACHE_ENV)
    base = Path(root).expanduser() if root else Path(pooch.os_cache("mlviz"))
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def written_atomically(path):
    """Write a cache entry so that no reader ever sees half of it.

    Yields a binary file beside ``path``; when the block ends without an error the file
    replaces ``path`` in one step (readable by all, as a shared cache entry should be),
    and when it raises the temporary file is removed and ``path`` is left as it was.
    Two build workers may write the same entry: the last complete one wins.

    Examples
    --------
    >>> with written_atomically(cache_dir("toy-models") / "key.npz") as file:  # doctest: +SKIP
    ...     np.savez(file, W=W)
    """
    path = Path(path)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.stem[:12]}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an entry is shared data
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
