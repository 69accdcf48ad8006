"""photo_grid and plot_photo_map: panel sizes, the drawn images, the colour rules, errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from mlviz.attribution import overlay
from mlviz.plotting import DIVERGING, photo_grid, plot_photo_map


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def photo(h=6, w=8):
    return np.linspace(0, 1, h * w * 3).reshape(h, w, 3)


def test_photo_grid_sizes_rows_by_their_photos():
    fig, axes = photo_grid([0.5, 1.0], 4, width=8.0, title="two photos")
    assert axes.shape == (2, 4)
    # each panel is 2 inches wide: rows of 1 and 2 inches, plus one for the titles
    assert fig.get_size_inches().tolist() == pytest.approx([8.0, 4.0])
    assert [ax.get_aspect() for ax in axes[:, 0]] == [0.5, 1.0]
    assert fig._suptitle.get_text() == "two photos"
    _, one = photo_grid([0.75], 1)
    assert one.shape == (1, 1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"aspects": [], "ncols": 2}, "aspects"),
        ({"aspects": [0.5, -1], "ncols": 2}, "aspects"),
        ({"aspects": [0.5], "ncols": 0}, "ncols"),
        ({"aspects": [0.5], "ncols": 2.0}, "ncols"),
        ({"aspects": [0.5], "ncols": 2, "width": 0}, "width"),
    ],
)
def test_photo_grid_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        photo_grid(**kwargs)


def test_the_photo_alone_and_the_axes_aspect():
    fig, axes = photo_grid([0.5], 2)
    ax = plot_photo_map(photo(), ax=axes[0, 0], title="photo")
    assert ax is axes[0, 0]
    np.testing.assert_array_equal(ax.images[-1].get_array(), photo())
    assert ax.get_aspect() == 0.5  # kept from the grid
    assert (ax.get_title(), ax.get_xticks().size, ax.get_yticks().size) == ("photo", 0, 0)
    # an explicit aspect wins; a fresh Axes draws squares
    assert plot_photo_map(photo(), ax=axes[0, 1], aspect=2.0).get_aspect() == 2.0
    assert plot_photo_map(photo()).get_aspect() == 1.0


def test_overlay_scales_the_map_by_its_maximum():
    m = np.arange(48, dtype=float).reshape(6, 8)
    ax = plot_photo_map(photo(), 3 * m, style="overlay")
    np.testing.assert_allclose(ax.images[-1].get_array(), overlay(photo(), m / m.max()))
    # an empty map leaves the photo under an even colour, without dividing by zero
    empty = plot_photo_map(photo(), np.zeros((6, 8))).images[-1].get_array()
    np.testing.assert_allclose(empty, overlay(photo(), np.zeros((6, 8))))


def test_magnitude_and_signed_scales():
    rng = np.random.default_rng(0)
    m = rng.random((6, 8))
    magnitude = plot_photo_map(photo(), m, style="magnitude", percentile=90).images[-1]
    assert magnitude.get_cmap().name == "hot"
    assert magnitude.get_clim() == pytest.approx((0, np.percentile(m, 90)))
    s = m - 0.7  # mostly negative: the limits stay symmetric around zero
    signed = plot_photo_map(photo(), s, style="signed").images[-1]
    assert signed.get_cmap().name == DIVERGING
    low, high = signed.get_clim()
    assert low == -high and high == pytest.approx(np.percentile(np.abs(s), 99))


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((np.zeros((6, 8)),), {}, "image"),
        ((photo(), np.zeros((8, 6))), {}, "heatmap"),
        ((photo(), -np.ones((6, 8))), {"style": "overlay"}, "non-negative"),
        ((photo(), -np.ones((6, 8))), {"style": "magnitude"}, "non-negative"),
        ((photo(), np.ones((6, 8))), {"style": "jet"}, "style"),
        ((photo(), np.ones((6, 8))), {"percentile": 0}, "percentile"),
    ],
)
def test_plot_photo_map_rejects_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_photo_map(*args, **kwargs)
