"""A reader's path: downloaded notebooks run in a fresh environment with only the wheel.

A clean virtual environment gets a Jupyter kernel and nothing else; each notebook's own
first cell installs the helper package from the wheel the site publishes, with the extras
its page needs and no others (with the project's constraints, as a reader would get the
same versions), then the notebook runs top to bottom. The tabular pages run first, on the
core install alone: torch must not be there. Figures must have the size and look of the
site's images.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mlviz.build.wheel import WHEEL_DIR, wheel_name

from ..conftest import ROOT

pytestmark = pytest.mark.slow

#: One page per kind: plotly and matplotlib (A1), scikit-learn (C2), insurance data (C7),
#: MBA data (D2), on the core install; then torch (F1) and the ImageNet network (I1), which
#: add their extras to the same environment.
NOTEBOOKS = [
    "01_data_embeddings/plot_01_pca",
    "03_performance/plot_02_roc_curves",
    "03_performance/plot_07_regression_diagnostics",
    "04_explanations/plot_02_random_forest_mdi",
    "06_cnn_internals/plot_01_filters_feature_maps",
    "09_imagenet/plot_01_grad_cam_photos",
]

RUNNER = """
import sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(nb, path)
"""

# Appended to each notebook: where mlviz was imported from, and the figure settings in force.
PROBE = (
    "import importlib.util, json, matplotlib as mpl, mlviz\n"
    "print('PROBE', json.dumps({'mlviz': mlviz.__file__, 'dpi': mpl.rcParams['figure.dpi'],"
    " 'font': mpl.rcParams['font.size'], 'grid': mpl.rcParams['axes.grid'],"
    " 'torch': importlib.util.find_spec('torch') is not None}))"
)


@pytest.fixture(scope="session")
def reader_env(tmp_path_factory):
    """A fresh venv holding only a Jupyter kernel (plus the runner); no mlviz, no project on the path."""
    folder = tmp_path_factory.mktemp("reader")
    venv = folder / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "requirements/constraints.txt"), "nbclient", "ipykernel"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "MLVIZ_GALLERY_BUILD"}}
    env.update(
        MLVIZ_QUICK="1",
        PIP_CONSTRAINT=str(ROOT / "requirements/constraints.txt"),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        MPLBACKEND="module://matplotlib_inline.backend_inline",
    )
    return python, env


def _pngs(notebook: dict) -> list[Image.Image]:
    images = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get("image/png")
            if data:
                images.append(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
    return images


def _site_images(site: Path, page: str) -> list[Image.Image]:
    section, stem = page.split("/")
    files = sorted((site / "gallery" / section / "images").glob(f"mkd_glr_{stem}_[0-9][0-9][0-9].png"))
    return [Image.open(f).convert("RGB") for f in files]


def test_the_site_publishes_the_wheel_and_every_notebook_installs_what_its_page_needs(quick_site):
    from mlviz.build.extras import page_extras
    from mlviz.build.wheel import requirement

    site, _ = quick_site
    wheel = site / WHEEL_DIR / wheel_name()
    assert wheel.stat().st_size > 50_000
    # MNIST's license lets the site publish it beside the wheel; the CSV files' do not.
    assert sorted(p.name for p in (site / WHEEL_DIR / "data").iterdir()) == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    provenance = re.sub(r"<[^>]+>", "", (site / "gallery/03_performance/plot_02_roc_curves/index.html").read_text())
    assert "Get it from https://raw.githubusercontent.com/choi828/MBA_Admission/" in provenance
    notebooks = sorted(site.glob("gallery/*/plot_*.ipynb"))
    assert len(notebooks) == len(list(ROOT.glob("gallery/*/plot_*.py")))
    for path in notebooks:
        first = "".join(json.loads(path.read_text())["cells"][0]["source"])
        extras = page_extras(ROOT / "gallery" / path.parent.name / f"{path.stem}.py")
        # A site built without an address installs from the folder it was built into.
        assert repr(requirement("", extras, site)) in first and "raise RuntimeError" in first, path.name
    assert "[shap]" in (site / "gallery/04_explanations/plot_06_shap_tree.ipynb").read_text()
    home = (site / "index.html").read_text()
    text = re.sub(r"<[^>]+>", "", home).replace("&quot;", '"')  # the code block's text, without tags
    assert f'pip install "{wheel}[all]"' in text and f'href="{WHEEL_DIR}/{wheel_name()}"' in home
    page = (site / "gallery/03_performance/plot_02_roc_curves/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", page).replace("&quot;", '"')
    assert f'pip install "{wheel}"' in text and f"../../../{WHEEL_DIR}/{wheel_name()}" in page
    assert "with no extra (the core install)" in text and "download.pytorch.org" not in text
    # The plain script: a third download, the page without say()/claim().
    assert 'href="../plot_02_roc_curves_plain.py"' in page
    plain = (site / "gallery/03_performance/plot_02_roc_curves_plain.py").read_text()
    assert "claim(" not in plain and "roc_auc_score" in plain
    page = (site / "gallery/06_cnn_internals/plot_03_grad_cam/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", page).replace("&quot;", '"')
    assert f'pip install "{wheel}[torch]"' in text and "download.pytorch.org/whl/cpu" in text
    assert "with the extra torch." in text


@pytest.mark.parametrize("page", NOTEBOOKS)
def test_downloaded_notebook_runs_in_a_fresh_environment(quick_site, reader_env, tmp_path, page):
    site, _ = quick_site
    python, env = reader_env
    section, stem = page.split("/")
    # What a reader downloads: the notebook and the wheel, in one folder.
    notebook = tmp_path / f"{stem}.ipynb"
    shutil.copy(site / "gallery" / section / f"{stem}.ipynb", notebook)
    shutil.copy(site / WHEEL_DIR / wheel_name(), tmp_path / wheel_name())
    nb = json.loads(notebook.read_text())
    nb["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": PROBE})
    notebook.write_text(json.dumps(nb))
    result = subprocess.run(
        [str(python), "-c", RUNNER, str(notebook), str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{page} failed in a fresh environment:\n{result.stderr[-6000:]}"
    ran = json.loads(notebook.read_text())
    probe = next(
        json.loads(line.split("PROBE ", 1)[1])
        for output in ran["cells"][-1]["outputs"]
        for line in "".join(output.get("text", "")).splitlines()
        if line.startswith("PROBE ")
    )
    # The package came from the wheel, not from the project's sources.
    assert str(ROOT) not in probe["mlviz"] and "site-packages" in probe["mlviz"]
    assert probe == {**probe, "dpi": 110.0, "font": 11.0, "grid": True}  # the gallery's style is in force
    if "cnn_internals" not in page and "imagenet" not in page:
        assert not probe["torch"], f"{page} needs only the core install, but torch was installed"
    # Figures: as many as on the site, each of the same size and look.
    ours, theirs = _pngs(ran), _site_images(site, page)
    assert theirs and len(ours) == len(theirs), f"{len(ours)} figures in the notebook, {len(theirs)} on the site"
    for k, (a, b) in enumerate(zip(ours, theirs), start=1):
        assert abs(a.width - b.width) <= 2 and abs(a.height - b.height) <= 2, f"figure {k}: {a.size} vs {b.size}"
        w, h = min(a.width, b.width), min(a.height, b.height)
        diff = np.abs(np.asarray(a, float)[:h, :w] - np.asarray(b, float)[:h, :w]).mean()
        assert diff < 3, f"figure {k} differs from the site's (mean difference {diff:.1f} of 255)"
