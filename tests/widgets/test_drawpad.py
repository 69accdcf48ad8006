"""MNIST-style preprocessing and the drawing pad widget (mlviz.widgets.drawpad)."""

from __future__ import annotations

import numpy as np
import pytest

from mlviz.widgets.drawpad import DrawingPad, preprocess_drawing


def test_a_block_is_scaled_to_20_pixels_and_centred():
    ink = np.zeros((280, 280))
    ink[30:230, 150:250] = 1.0  # 200 x 100, off-centre
    image, steps = preprocess_drawing(ink, return_steps=True)
    assert steps["crop"].shape == (200, 100)
    assert steps["scaled"].shape == (20, 10)
    np.testing.assert_allclose(steps["scaled"], 1.0)
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    assert (len(rows), len(cols)) == (20, 10)
    assert (rows[0], cols[0]) == (4, 9)  # centre of mass (9.5, 4.5) moved to (13.5, 13.5)
    assert image.sum() == pytest.approx(200.0)


def test_scaling_averages_areas():
    rng = np.random.default_rng(0)
    ink = rng.uniform(0.2, 1.0, size=(60, 30))  # scale 1/3: each output pixel is a 3x3 block mean
    _, steps = preprocess_drawing(ink, return_steps=True)
    np.testing.assert_allclose(steps["scaled"], ink.reshape(20, 3, 10, 3).mean(axis=(1, 3)), rtol=1e-12)


def test_scaling_by_a_fraction_keeps_the_mean_ink():
    rng = np.random.default_rng(1)
    ink = rng.uniform(0.2, 1.0, size=(47, 31))  # 20/47: output pixels straddle source pixels
    _, steps = preprocess_drawing(ink, return_steps=True)
    assert steps["scaled"].shape == (20, 13)
    # each output pixel is a weighted mean; weights of a row sum to one
    assert steps["scaled"].min() >= ink.min() and steps["scaled"].max() <= ink.max()
    np.testing.assert_allclose(steps["scaled"].mean(), ink.mean(), rtol=1e-12)  # area is conserved


def test_a_small_drawing_is_enlarged_and_ink_is_kept_in_range():
    ink = np.zeros((100, 100))
    ink[50:55, 50:52] = 1.0
    image = preprocess_drawing(ink)
    assert image.shape == (28, 28)
    assert image.max() <= 1.0 and image.min() >= 0.0
    assert np.count_nonzero(image.any(axis=1)) == 20


def test_empty_or_malformed_drawings_are_rejected():
    with pytest.raises(ValueError, match="nothing was drawn"):
        preprocess_drawing(np.zeros((50, 50)))
    with pytest.raises(ValueError, match=r"ink must be a 2-D array \(height, width\); got shape \(3,\)"):
        preprocess_drawing(np.ones(3))
    with pytest.raises(ValueError, match="box must be in"):
        preprocess_drawing(np.ones((5, 5)), box=30)


def test_pad_html_links_the_assets_relative_to_the_page():
    html = DrawingPad("../net.json", "../../assets/drawpad", layers=[("relu1", "conv1 <ReLU>")])._repr_html_()
    assert 'data-model="../net.json"' in html
    assert '<script type="module" src="../../assets/drawpad/drawpad.js"></script>' in html
    assert 'href="../../assets/drawpad/drawpad.css"' in html
    assert 'data-layer="relu1"' in html and "conv1 &lt;ReLU&gt;" in html
    assert html.count('class="dp-canvas"') == 1
    assert "\n\n" not in html  # a blank line would end Markdown's raw HTML block


def test_pad_refuses_urls_to_other_hosts():
    with pytest.raises(ValueError, match="must be relative URLs"):
        DrawingPad("https://cdn.example.com/net.json", "../assets/")
    with pytest.raises(TypeError, match="model_url must be a non-empty str"):
        DrawingPad("", "../assets/")
