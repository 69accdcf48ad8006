"""Find a data file, verify its SHA-256, and hand back a path in the local cache.

Where a file comes from, in this order:

1. the cache folder: ``$MLVIZ_DATA_DIR`` when set, else ``<user cache>/mlviz/data``;
2. a local mirror folder, ``$MLVIZ_DATA_MIRROR`` (the Makefile points it at
   ``../shared/datasets`` when that folder exists); the file is copied into the cache;
3. the public URL, downloaded with pooch (skipped when ``MLVIZ_OFFLINE=1``);
4. for files whose license allows it (MNIST), the copy the gallery's site publishes next
   to the wheel, when the installed wheel knows the site's address (``mlviz._site``).

The hash is checked on every path, every time a file is read. Nothing is fetched at
import time.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pooch

from ..config import cache_dir
from ._registry import PUBLISHED_WITH_SITE, REGISTRY, URLS

__all__ = [
    "DATA_DIR_ENV",
    "MIRROR_ENV",
    "OFFLINE_ENV",
    "DataFetcher",
    "DatasetError",
    "DatasetHashError",
    "DatasetNotFoundError",
    "fetch",
]

DATA_DIR_ENV = "MLVIZ_DATA_DIR"
MIRROR_ENV = "MLVIZ_DATA_MIRROR"
OFFLINE_ENV = "MLVIZ_OFFLINE"


class DatasetError(RuntimeError):
    """A data file could not be provided."""


class DatasetHashError(DatasetError, ValueError):
    """A data file exists but its SHA-256 is not the registered one."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A data file was found nowhere (cache, mirror, download)."""


def site_copy(name: str) -> str | None:
    """The address of the copy the gallery's site publishes, or None.

    The wheel built for a site with an address (``SITE_URL``) carries it in
    ``mlviz/_site.py``; the project's sources and a locally built site have none.
    """
    if name not in PUBLISHED_WITH_SITE:
        return None
    try:
        from .._site import SITE_URL
    except ImportError:
        return None
    return f"{SITE_URL}downloads/data/{name}" if SITE_URL else None


def _sha256(path: Path) -> str:
    return pooch.file_hash(str(path), alg="sha256")


class DataFetcher:
    """Provide verified data files from a cache, a local mirror or their URLs.

    Parameters
    ----------
    registry : dict of str to str
        File name -> ``"sha256:<hex>"``.
    urls : dict of str to str
        File name -> public download address.
    cache : path-like, optional
        Cache folder. Default: ``$MLVIZ_DATA_DIR``, else the user cache.
    mirror : path-like, optional
        Local folder holding original files. Default: ``$MLVIZ_DATA_MIRROR``.
    offline : bool, optional
        Never download. Default: ``$MLVIZ_OFFLINE`` is 1.

    Notes
    -----
    Environment variables are read when :meth:`fetch` runs, not when the fetcher is
    created, so a script may set them after importing the package.
    """

    def __init__(self, registry=None, urls=None, *, cache=None, mirror=None, offline=None):
        self.registry = dict(REGISTRY if registry is None else registry)
        self.urls = dict(URLS if urls is None else urls)
        missing = set(self.registry) - set(self.urls)
        if missing:
            raise ValueError(f"registry entries without a URL: {sorted(missing)}")
        self._cache = cache
        self._mirror = mirror
        self._offline = offline

    # -- where to look -------------------------------------------------------------
    def cache_folder(self) -> Path:
        """The folder the verified files are kept in (created if needed)."""
        if self._cache is not None:
            path = Path(self._cache)
        elif os.environ.get(DATA_DIR_ENV):
            path = Path(os.environ[DATA_DIR_ENV]).expanduser()
        else:
            return cache_dir("data")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def mirror_folder(self) -> Path | None:
        """The local mirror folder, or None when none is configured."""
        if self._mirror is not None:
            return Path(self._mirror)
        value = os.environ.get(MIRROR_ENV)
        return Path(value).expanduser() if value else None

    def offline(self) -> bool:
        """Whether downloading is switched off."""
        if self._offline is not None:
            return bool(self._offline)
        return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}

    # -- hashes --------------------------------------------------------------------
    def expected_hash(self, name: str) -> str:
        """Return the registered SHA-256 (hex) of ``name``."""
        if name not in self.registry:
            raise KeyError(f"unknown data file {name!r}; known files: {sorted(self.registry)}")
        alg, _, digest = self.registry[name].partition(":")
        if alg != "sha256" or not digest:
            raise ValueError(f"registry entry for {name!r} must be 'sha256:<hex>', got {self.registry[name]!r}")
        return digest.lower()

    def _check(self, name: str, path: Path, *, fix: str) -> None:
        expected = self.expected_hash(name)
        actual = _sha256(path)
        if actual != expected:
            raise DatasetHashError(
                f"The data file {name!r} at {path} is not the expected file "
                f"(corrupted, truncated or replaced).\n"
                f"  expected SHA-256: {expected}\n"
                f"  actual SHA-256:   {actual}\n"
                f"{fix}"
            )

    # -- the public entry point ----------------------------------------------------
    def fetch(self, name: str) -> Path:
        """Return the path of a verified copy of ``name`` in the cache folder.

        Raises
        ------
        KeyError
            ``name`` is not in the registry.
        DatasetHashError
            A file was found but its SHA-256 is wrong. Nothing is deleted: the message
            says which file to remove or replace.
        DatasetNotFoundError
            The file is in none of the places looked at; the message lists them.
        """
        expected = self.expected_hash(name)
        url = self.urls[name]
        cache = self.cache_folder()
        target = cache / name
        if target.exists():
            self._check(
                name,
                target,
                fix=(
                    f"The cached copy is bad. Delete it (rm '{target}') and run again: "
                    f"it will be copied from the local mirror (${MIRROR_ENV}) or downloaded from {url}."
                ),
            )
            return target

        looked = [f"cache folder {cache} (set ${DATA_DIR_ENV} to change it): not there"]
        mirror = self.mirror_folder()
        if mirror is None:
            looked.append(f"local mirror: ${MIRROR_ENV} is not set")
        elif (mirror / name).is_file():
            source = mirror / name
            self._check(
                name,
                source,
                fix=(
                    f"The local mirror ${MIRROR_ENV}={mirror} holds a bad copy. Replace it with "
                    f"the original from {url}, or unset ${MIRROR_ENV} to download it."
                ),
            )
            self._copy_into_cache(source, target, expected)
            return target
        else:
            looked.append(f"local mirror {mirror} (${MIRROR_ENV}): not there")

        copy = site_copy(name)
        addresses = [url] + ([copy] if copy else [])
        for address in addresses:
            if self.offline():
                looked.append(f"download from {address}: skipped because ${OFFLINE_ENV}=1")
                continue
            try:
                return self._download(name, address, cache)
            except DatasetHashError:
                raise
            except Exception as exc:  # network errors come in many types; report any
                looked.append(f"download from {address}: failed ({type(exc).__name__}: {exc})")

        raise DatasetNotFoundError(
            f"Could not find the data file {name!r}. Looked in:\n"
            + "".join(f"  {i}. {place}\n" for i, place in enumerate(looked, 1))
            + f"To provide it, either set ${MIRROR_ENV} to a folder that holds the original "
            f"file (in this project's development setup: ../shared/datasets), or download "
            f"{url} into {cache}. Its SHA-256 must be {expected}."
        )

    def _copy_into_cache(self, source: Path, target: Path, expected: str) -> None:
        # Copy to a temporary name first so that an interrupted copy never looks complete.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            if _sha256(Path(tmp)) != expected:
                raise DatasetHashError(f"copying {source} to {target} produced a different file; try again")
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def _download(self, name: str, url: str, cache: Path) -> Path:
        fetcher = pooch.create(path=cache, base_url="", registry={name: self.registry[name]}, urls={name: url})
        try:
            return Path(fetcher.fetch(name, progressbar=False))
        except ValueError as exc:
            if "hash" in str(exc).lower():
                raise DatasetHashError(
                    f"The file downloaded from {url} for {name!r} does not have the registered "
                    f"SHA-256 {self.expected_hash(name)} (pooch said: {exc}). The source may have "
                    f"changed; provide the original file through ${MIRROR_ENV}."
                ) from exc
            raise


#: The fetcher the loaders use.
_FETCHER = DataFetcher()


def fetch(name: str) -> Path:
    """Return the path to a verified local copy of the data file ``name``.

    See :class:`DataFetcher` for where the file is looked for.
    """
    return _FETCHER.fetch(name)
