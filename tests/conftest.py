"""Shared fixtures: small data files written by the tests themselves (no network)."""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mlviz.datasets import DataFetcher
from mlviz.bench.build import copy_project  # noqa: F401  (used by the build tests)
from mlviz.bench.rounding import other_rounding_env
from mlviz.bench.browser import CHROMIUM, CHROMIUM_ARGS, serve


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_idx(path: Path, array: np.ndarray) -> Path:
    """Write ``array`` (uint8) as an IDX file, gzip-compressed when path ends in .gz."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as fh:
        fh.write(header + array.tobytes())
    return path


MBA_CSV = """application_id,gender,international,gpa,major,race,gmat,work_exp,work_industry,admission
1,Female,FALSE,3.3,Business,Asian,620,3,Financial Services,Admit
2,Male,FALSE,3.28,Humanities,Black,680,5,Investment Management,
3,Female,TRUE,3.3,Business,,710,5,Technology,Admit
4,Male,FALSE,3.47,STEM,Black,690,6,Technology,
5,Male,TRUE,3.35,STEM,,590,5,Consulting,Waitlist
"""

INSURANCE_CSV = """age,sex,bmi,children,smoker,region,charges
19,female,27.9,0,yes,southwest,16884.924
18,male,33.77,1,no,southeast,1725.5523
28,male,33,3,no,southeast,4449.462
33,male,22.705,0,no,northwest,21984.47061
46,female,33.44,1,no,northeast,8240.5896
"""


@pytest.fixture
def mnist_arrays():
    """20 tiny 'images' per digit (200 in all), each image filled with its label."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10, dtype=np.uint8), 20)
    rng.shuffle(labels)
    images = np.broadcast_to(labels[:, None, None], (200, 28, 28)).astype(np.uint8)
    return images, labels


@pytest.fixture
def fixture_files(tmp_path, mnist_arrays):
    """A mirror folder holding fixture versions of every registered file, and a registry for them."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    images, labels = mnist_arrays
    write_idx(mirror / "t10k-images-idx3-ubyte.gz", images)
    write_idx(mirror / "t10k-labels-idx1-ubyte.gz", labels)
    (mirror / "MBA.csv").write_text(MBA_CSV)
    (mirror / "insurance.csv").write_text(INSURANCE_CSV)
    registry = {p.name: f"sha256:{sha256(p)}" for p in mirror.iterdir()}
    urls = {name: f"http://127.0.0.1:9/{name}" for name in registry}  # port 9: nothing listens
    return mirror, registry, urls


@pytest.fixture
def fetcher(tmp_path, fixture_files):
    """A DataFetcher that reads the fixture mirror into an empty cache, never downloading."""
    mirror, registry, urls = fixture_files
    return DataFetcher(registry, urls, cache=tmp_path / "cache", mirror=mirror, offline=True)


# -- the quick build of the whole gallery, shared by the build and browser tests --------
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(ROOT.glob("gallery/*/plot_*.py"))


def mkdocs_build(project: Path, site: Path, **env_overrides) -> subprocess.CompletedProcess:
    """Run ``mkdocs build --strict`` in quick mode on a copied project."""
    env = dict(os.environ, MLVIZ_QUICK="1", PYTHONPATH=str(project / "src"), NO_MKDOCS_2_WARNING="1", **env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=3000,
    )


@pytest.fixture(scope="session")
def quick_site(tmp_path_factory):
    """The whole gallery built once in quick mode: (site folder, build log)."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    site = project / "site"
    # Built under other CPU kernels than the page tests use (AVX2 instead of AVX-512,
    # torch on 2 threads...): every page's claims must hold under another processor's
    # rounding, and the page tests have already run them under this one's.
    result = mkdocs_build(project, site, **other_rounding_env({}))
    assert result.returncode == 0, f"quick gallery build failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
    return site, result.stdout + result.stderr


@pytest.fixture(scope="session")
def site_url(quick_site):
    """The quick site served over HTTP on the loopback interface."""
    site, _ = quick_site
    server, url = serve(site)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium (or set MLVIZ_CHROMIUM)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageProbe:
    """A browser page that records console errors, failed requests and every requested host."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on("request", lambda r: self.requests.append(r.url))


@pytest.fixture
def probe(browser):
    """A fresh page (light colour scheme) wrapped in a :class:`PageProbe`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield PageProbe(context.new_page())
    context.close()
