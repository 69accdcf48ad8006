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
