"""Page code linked to the API reference, and the reference's "Used on" lists."""

from __future__ import annotations

import ast

import pytest

from mlviz.build.reference import _link_code, _link_roles, _resolve, link_reference, page_names

from ..conftest import ROOT

IDS = {
    "mlviz.models": "reference/models/",
    "mlviz.models.train": "reference/models/#mlviz.models.train",
    "mlviz.models.TrainConfig": "reference/models/#mlviz.models.TrainConfig",
    "mlviz.inspect.performance": "reference/inspect/#mlviz.inspect.performance",
    "mlviz.inspect.performance.bootstrap_interval": "reference/inspect/#mlviz.inspect.performance.bootstrap_interval",
}


def test_page_names_resolve_what_each_name_is():
    code = "from mlviz.models import train as fit, TrainConfig\nimport mlviz.datasets\nimport numpy as np\n"
    assert page_names(code) == {
        "fit": "mlviz.models.train",
        "TrainConfig": "mlviz.models.TrainConfig",
        "mlviz.datasets": "mlviz.datasets",
    }


@pytest.mark.parametrize(
    ("target", "context", "expected"),
    [
        ("train", "mlviz.models", "mlviz.models.train"),
        ("mlviz.models.train", "mlviz.attribution", "mlviz.models.train"),
        ("~mlviz.models.TrainConfig".lstrip("~"), "mlviz.text", "mlviz.models.TrainConfig"),
        ("bootstrap_interval", "mlviz.explain", "mlviz.inspect.performance.bootstrap_interval"),  # one ending
        ("nothing_documented", "mlviz.models", None),
    ],
)
def test_a_roles_target_is_found_from_its_module(target, context, expected):
    assert _resolve(target, context, IDS) == expected


def test_roles_become_links_or_plain_code():
    html = "see :func:<code>train</code>, :class:<code>~mlviz.models.TrainConfig</code> and :data:<code>X</code>"
    out = _link_roles(html, "reference/models/", "mlviz.models", IDS)
    assert '<a class="autorefs" href="#mlviz.models.train"><code>train</code></a>' in out
    assert '<a class="autorefs" href="#mlviz.models.TrainConfig"><code>TrainConfig</code></a>' in out
    assert out.endswith("and <code>X</code>") and ":func:" not in out


def test_code_names_link_only_inside_code_blocks_and_only_bound_names():
    html = (
        '<p><span class="n">fit</span></p><div class="highlight"><pre><code>'
        '<span class="n">fit</span><span class="p">(</span><span class="n">other</span>)</code></pre></div>'
        '<div class="mkd-glr-script-out-disp highlight"><span class="n">fit</span></div>'
    )
    out, used = _link_code(html, "gallery/05_training/plot_01_x/", {"fit": "mlviz.models.train"}, IDS)
    assert used == {"mlviz.models.train"}
    assert out.count('class="mlviz-ref"') == 1  # the prose and the output stay as they are
    assert 'href="../../../reference/models/#mlviz.models.train"' in out


def test_link_reference_adds_used_on_lists(tmp_path):
    site = tmp_path / "site"
    (site / "reference" / "models").mkdir(parents=True)
    (site / "reference" / "models" / "index.html").write_text(
        '<h2 id="mlviz.models.train" class="doc doc-heading">train</h2><p>Uses :class:<code>TrainConfig</code>.</p>'
        '<h2 id="mlviz.models.TrainConfig" class="doc doc-heading">TrainConfig</h2>'
    )
    (site / "gallery" / "s" / "plot_01_a").mkdir(parents=True)
    (site / "gallery" / "s" / "plot_01_a" / "index.html").write_text(
        '<div class="highlight"><pre><code><span class="n">train</span></code></pre></div>'
    )
    source = tmp_path / "plot_01_a.py"
    source.write_text("from mlviz.models import train\ntrain()\n")
    used = link_reference(site, {"gallery/s/plot_01_a/": source}, {"gallery/s/plot_01_a/": "Training curves"})
    assert used == {"mlviz.models.train": ["gallery/s/plot_01_a/"]}
    reference = (site / "reference" / "models" / "index.html").read_text()
    assert 'Used on: <a href="../../gallery/s/plot_01_a/">Training curves</a>' in reference
    assert reference.count("Used on") == 1  # TrainConfig is used by no page
    assert '<a class="autorefs" href="#mlviz.models.TrainConfig"><code>TrainConfig</code></a>' in reference


def test_every_mlviz_module_a_page_imports_has_a_reference_page():
    documented = {
        line.split("::: ", 1)[1].strip()
        for page in (ROOT / "docs" / "reference").glob("*.md")
        for line in page.read_text().splitlines()
        if line.startswith("::: ")
    }
    for page in sorted(ROOT.glob("gallery/*/plot_*.py")):
        for node in ast.walk(ast.parse(page.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mlviz"):
                assert node.module in documented, f"{page.name} imports {node.module}, which docs/reference/ lacks"


def test_other_libraries_names_get_their_documentation_address():
    from mlviz.build.reference import external_address, library_names

    code = (
        "import shap\nimport torch\nfrom torch import nn\nfrom sklearn.metrics import roc_curve\n"
        "import matplotlib.pyplot as plt\nshap.TreeExplainer(m)\nshap.plots.waterfall(x)\nnn.Conv2d(1, 2, 3)\n"
        "torch.float32\ntorch.utils.data.DataLoader\nplt.subplots()\n"
    )
    assert library_names(code) == {
        "roc_curve": "sklearn.metrics.roc_curve",
        "shap.TreeExplainer": "shap.TreeExplainer",
        "shap.plots.waterfall": "shap.plots.waterfall",
        "nn.Conv2d": "torch.nn.Conv2d",
    }
    assert external_address("sklearn.metrics.roc_curve") == (
        "https://scikit-learn.org/stable/modules/generated/sklearn.metrics.roc_curve.html"
    )
    assert external_address("sklearn.metrics") is None  # a module
    assert external_address("torch.float32") is None  # not a function or class


def test_library_names_link_in_code_blocks_bound_and_dotted():
    html = (
        '<div class="highlight"><pre><code><span class="n">shap</span><span class="o">.</span>'
        '<span class="n">TreeExplainer</span><span class="p">(</span><span class="n">roc_curve</span>'
        '<span class="n">x</span><span class="o">.</span><span class="n">roc_curve</span></code></pre></div>'
    )
    external = {"shap.TreeExplainer": "https://a/shap", "roc_curve": "https://a/roc"}
    out, _ = _link_code(html, "gallery/s/p/", {}, IDS, external)
    assert '<a class="library-ref" href="https://a/shap" title="shap.TreeExplainer"><span class="n">TreeExplainer</span></a>' in out
    assert out.count('href="https://a/roc"') == 1  # x.roc_curve is an attribute of x, not the function


def test_the_by_function_index_lists_each_name_with_its_pages(tmp_path):
    from mlviz.build.reference import by_function_markdown

    a, b = tmp_path / "plot_01_a.py", tmp_path / "plot_02_b.py"
    a.write_text("from sklearn.metrics import roc_curve\nfrom mlviz.models import train\n")
    b.write_text("from sklearn.metrics import roc_curve\n")
    md = by_function_markdown({"gallery/s/plot_01_a.md": a, "gallery/s/plot_02_b.md": b}, {"gallery/s/plot_01_a.md": "A"})
    assert "- `mlviz.models.train`: [A](../gallery/s/plot_01_a.md)" in md and "### mlviz.models" in md
    row = next(line for line in md.splitlines() if "roc_curve" in line)
    assert "sklearn.metrics.roc_curve.html" in row and "[A](" in row and " · [" in row and "(../gallery/s/plot_02_b.md)" in row
    assert md.index("## mlviz") < md.index("## sklearn")
