"""The hook serves shap's JavaScript for interactive force plots from the site itself."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import shap

from mlviz.build import hooks


def page(url="gallery/04_explanations/plot_06_shap_tree/"):
    return SimpleNamespace(url=url, file=SimpleNamespace(src_uri="gallery/x.md"))


def test_page_with_interactive_shap_plot_loads_the_local_bundle_in_head():
    body = shap.plots.force(1.0, shap_values=np.array([0.5, -0.2]), feature_names=["a", "b"]).html()
    out = hooks.on_post_page(f"<html><head></head><body>{body}</body></html>", page(), {})
    assert '<script charset="utf-8" src="../../../assets/javascripts/shap-bundle.js"></script></head>' in out
    assert out.index("shap-bundle.js") < out.index("SHAP.ReactDom.render"), "the bundle loads before the plot's script"


def test_page_without_shap_plot_is_unchanged():
    html = "<html><head></head><body><p>no shap here</p></body></html>"
    assert hooks.on_post_page(html, page(), {}) == html


def test_post_build_copies_shap_bundle(tmp_path, monkeypatch):
    hooks.on_post_build({"site_dir": str(tmp_path)})
    copied = tmp_path / hooks.SHAP_JS
    original = Path(shap.__file__).parent / "plots" / "resources" / "bundle.js"
    assert copied.read_bytes() == original.read_bytes()
    assert (tmp_path / hooks.PLOTLY_JS).is_file()
