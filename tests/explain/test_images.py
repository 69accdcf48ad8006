"""Superpixel fills as LIME makes them, the classifier memo, and superpixel weights drawn."""

from __future__ import annotations

import contextlib
import io

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from mlviz.explain import CachedClassifier, plot_superpixel_weights, superpixel_means  # noqa: E402
from mlviz.plotting import DIVERGING, NEGATIVE, POSITIVE  # noqa: E402
from mlviz.report import rounding_tolerance  # noqa: E402


@pytest.fixture
def photo():
    """A random 'photo' (float32 in [0, 1]) cut into 6 rectangular superpixels of uneven sizes."""
    rng = np.random.default_rng(0)
    image = rng.random((30, 45, 3), dtype=np.float32)
    rows = np.digitize(np.arange(30), [11])  # 0 or 1
    cols = np.digitize(np.arange(45), [7, 30])  # 0, 1 or 2
    segments = 3 * rows[:, None] + cols[None, :]
    return image, segments


def test_superpixel_means_is_lime_s_hidden_image_bit_for_bit(photo):
    from lime.lime_image import LimeImageExplainer

    image, segments = photo
    seen = []

    def record(batch):
        seen.extend(np.array(batch))
        return np.zeros((len(batch), 2))

    with contextlib.redirect_stderr(io.StringIO()):  # lime's progress bar
        LimeImageExplainer(random_state=0).explain_instance(
            image, record, labels=(0,), top_labels=None, num_samples=40, segmentation_fn=lambda im: segments
        )
    filled = superpixel_means(image, segments)
    assert filled.dtype == image.dtype
    checked = set()
    for shown in seen:
        for s in range(6):
            inside = segments == s
            if not np.array_equal(shown[inside], image[inside]):  # this superpixel was switched off
                np.testing.assert_array_equal(shown[inside], filled[inside])  # exactly, not approximately
                checked.add(s)
    assert checked == set(range(6))
    # and the fill is the mean colour of each superpixel: a float32 mean of the pixels,
    # within the rounding of a float32 sum of that many values, of the float64 mean
    for s in range(6):
        inside = segments == s
        pixels = image[inside].astype(float)
        tolerance = rounding_tolerance("float32", pixels.mean(0).max(), len(pixels))
        np.testing.assert_allclose(filled[inside], np.broadcast_to(pixels.mean(0), filled[inside].shape), rtol=0, atol=tolerance)


def test_superpixel_means_validates_its_arguments(photo):
    image, segments = photo
    with pytest.raises(ValueError, match=r"image must have shape \(H, W, 3\); got \(30, 45\)"):
        superpixel_means(image[..., 0], segments)
    with pytest.raises(ValueError, match=r"segments must have the image's shape \(30, 45\); got \(30, 44\)"):
        superpixel_means(image, segments[:, :-1])
    with pytest.raises(ValueError, match="segments must hold non-negative integer labels"):
        superpixel_means(image, segments.astype(float))
    with pytest.raises(ValueError, match="smallest -1"):
        superpixel_means(image, segments - 1)


def test_cached_classifier_evaluates_each_distinct_image_once(photo):
    image, _ = photo
    calls = []

    def classify(batch):
        calls.append(len(batch))
        return batch.reshape(len(batch), -1)[:, :4].astype(np.float64) * 2

    cached = CachedClassifier(classify)
    a, b = image, image[::-1].copy()
    first = cached(np.stack([a, b, a]))  # a duplicate inside one batch is evaluated once
    assert calls == [2] and (cached.hits, cached.misses, len(cached)) == (1, 2, 2)
    np.testing.assert_array_equal(first, classify(np.stack([a, b, a])))
    second = cached(np.stack([b, a]))
    assert calls == [2, 3] and (cached.hits, cached.misses) == (3, 2)  # nothing new evaluated (3 is the direct call)
    np.testing.assert_array_equal(second, first[[1, 0]])
    # "the same image" means the same bits: the smallest change is a new image
    c = a.copy()
    c[0, 0, 0] = np.nextafter(c[0, 0, 0], np.float32(2))
    cached(c[None])
    assert cached.misses == 3


def test_cached_classifier_errors():
    with pytest.raises(TypeError, match="classify must be a function of an .* got int"):
        CachedClassifier(3)
    cached = CachedClassifier(lambda batch: np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"images must have shape \(N, H, W, C\); got \(4, 4, 3\)"):
        cached(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match=r"classify must return one output per image \(2\); got 1"):
        cached(np.stack([np.zeros((4, 4, 3)), np.ones((4, 4, 3))]))


def test_plot_superpixel_weights_paints_and_outlines_by_sign(photo):
    image, segments = photo
    weights = np.array([0.3, -0.5, 0.1, 0.0, -0.2, 0.05])
    ax = plot_superpixel_weights(image, segments, weights, top=2)
    grey, painted = ax.images
    np.testing.assert_allclose(grey.get_array(), image.mean(axis=2))
    np.testing.assert_array_equal(painted.get_array(), weights[segments])
    assert painted.get_cmap().name == DIVERGING and painted.get_clim() == (-0.5, 0.5)
    # two outlines (a white halo, then the colour) for each of the 2 + 2 chosen superpixels
    colors = [tuple(c.get_edgecolor()[0]) for c in ax.collections]
    assert colors[1::2] == [to_rgba(POSITIVE)] * 2 + [to_rgba(NEGATIVE)] * 2
    assert set(colors[::2]) == {to_rgba("white")}
    # the outlines do not change the view: the whole image is shown
    assert ax.get_xlim() == (-0.5, 44.5) and ax.get_ylim() == (29.5, -0.5)
    plt.close("all")


def test_plot_superpixel_weights_outlines_only_weights_of_the_right_sign(photo):
    image, segments = photo
    fig, ax = plt.subplots()
    weights = np.array([0.3, 0.2, 0.1, 0.05, 0.0, 0.4])  # nothing negative
    assert plot_superpixel_weights(image, segments, weights, top=3, ax=ax, limit=2.0) is ax
    assert len(ax.collections) == 2 * 3
    assert ax.images[-1].get_clim() == (-2.0, 2.0)
    fig, ax = plt.subplots()
    plot_superpixel_weights(image, segments, weights, top=0, ax=ax)
    assert len(ax.collections) == 0
    plt.close("all")


def test_plot_superpixel_weights_errors(photo):
    image, segments = photo
    with pytest.raises(ValueError, match=r"weights must have one value per superpixel label, shape \(6,\); got \(5,\)"):
        plot_superpixel_weights(image, segments, np.zeros(5))
    with pytest.raises(ValueError, match="top must be a non-negative integer; got -1"):
        plot_superpixel_weights(image, segments, np.ones(6), top=-1)
    with pytest.raises(ValueError, match="limit must be positive; got 0"):
        plot_superpixel_weights(image, segments, np.ones(6), limit=0)
    plt.close("all")
