"""The hook serves shap's JavaScript for interactive force plots from the site itself."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import shap

from mlviz.build import hooks


def page(url="gallery/04_explanations/plot_06_shap_tree/"):
    return SimpleNamespace(url=url, file=SimpleNamespace(src_uri="gallery/x.md"))


def test_interactive_shap_plot_is_drawn_with_the_local_bundle_when_in_view():
    body = shap.plots.force(1.0, shap_values=np.array([0.5, -0.2]), feature_names=["a", "b"]).html()
    figure = re.search(r"<div id='([^']+)'>", body).group(1)
    out = hooks.on_post_page(f"<html><head></head><body>{body}</body></html>", page(), {})
    assert "shap-bundle.js\"></script>" not in out, "the bundle does not block the page"
    placeholder = re.search(r'<script type="text/plain" class="mlviz-lazy"([^>]*)>(.*?)</script>', out, re.DOTALL)
    assert placeholder, "the drawing script waits for the loader"
    assert f'data-library="../../../assets/javascripts/shap-bundle.js" data-figure="{figure}"' in placeholder.group(1)
    assert "SHAP.ReactDom.render" in placeholder.group(2)
    assert out.count('<script src="../../../javascripts/lazy-figures.js" defer></script></body>') == 1
    assert "Visualization omitted" not in out and "#900" not in out, "no notebook advice in dark red"
    assert f"<div id='{figure}'>\n<p class=\"mlviz-lazy-note\">The interactive plot is drawn here" in out


def test_page_without_shap_plot_is_unchanged():
    html = "<html><head></head><body><p>no shap here</p></body></html>"
    assert hooks.on_post_page(html, page(), {}) == html


def test_post_build_copies_shap_bundle(tmp_path, monkeypatch):
    hooks.on_post_build({"site_dir": str(tmp_path)})
    copied = tmp_path / hooks.SHAP_JS
    original = Path(shap.__file__).parent / "plots" / "resources" / "bundle.js"
    assert copied.read_bytes() == original.read_bytes()
    assert (tmp_path / hooks.PLOTLY_JS).is_file()
