"""The extras each page's install line names, read from the code, and checked at run time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mlviz.build.extras import page_extras, page_modules, provided_modules, required_extras

from ..conftest import ROOT


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import numpy as np\nfrom sklearn.tree import DecisionTreeClassifier", ()),
        ("from mlviz.datasets import load_iris\nfrom mlviz.inspect.performance import bootstrap_interval", ()),
        ("import torch", ("torch",)),
        ("from mlviz.attribution import GradCAM", ("torch",)),  # through the package
        ("from mlviz.models.imagenet import packaged_weights", ("imagenet",)),
        ("import shap\nfrom mlviz.attribution import GradCAM", ("torch", "shap")),
        ("from lime.lime_image import LimeImageExplainer\nimport torch", ("torch", "lime")),
        # scikit-image comes with the ImageNet extra: no lime extra for it
        ("import skimage\nfrom mlviz.models.imagenet import packaged_weights", ("imagenet",)),
        ("from torch.utils.tensorboard import SummaryWriter\nimport tensorboard", ("tensorboard",)),
    ],
)
def test_extras_read_from_a_pages_imports(code, expected):
    assert page_extras(code) == expected


def test_a_name_reaches_only_what_its_own_function_imports():
    # mlviz.inspect.embedding imports umap inside embed_2d(); neighbour_confusion does not use it.
    assert "umap" not in page_modules("from mlviz.inspect.embedding import neighbour_confusion")
    assert "umap" in page_modules("from mlviz.inspect.embedding import embed_2d")


def test_a_module_no_extra_provides_is_refused():
    with pytest.raises(ValueError, match="no extra of mlviz provides xgboost"):
        required_extras({"numpy", "xgboost"})


def test_every_page_declares_extras_that_exist():
    for page in sorted(ROOT.glob("gallery/*/plot_*.py")):
        extras = page_extras(page)
        assert page_modules(page) <= provided_modules(extras), page.name


def test_tabular_helpers_do_not_load_torch():
    code = (
        "import sys, mlviz.datasets, mlviz.config, mlviz.report, mlviz.plotting, mlviz.explain, "
        "mlviz.inspect.performance, mlviz.inspect.embedding\n"
        "print(sorted(m for m in ('torch', 'shap', 'lime', 'umap') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_run_time_check_fails_when_a_page_imports_more_than_it_declares(tmp_path):
    from ..gallery.conftest import check_declared_extras

    page = tmp_path / "plot_x.py"
    page.write_text("import numpy as np\n")
    check_declared_extras(page, ["numpy", "mlviz.datasets"])  # the core covers these
    with pytest.raises(AssertionError, match="imported torch while it ran, but its install line names only the core"):
        check_declared_extras(page, ["numpy", "mlviz.attribution"])  # mlviz.attribution loads torch
