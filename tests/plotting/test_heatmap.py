import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from mlviz.plotting import plot_heatmap


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_image_data_ticks_and_labels():
    values = np.array([[0.0, 0.25, 0.5], [0.75, 1.0, np.nan]])
    ax = plot_heatmap(values, ["r0", "r1"], ["a", "b", "c"], fmt="{:.0%}", xlabel="pred", ylabel="true")
    image = ax.images[0]
    data = image.get_array()
    np.testing.assert_array_equal(data.data[~data.mask], [0.0, 0.25, 0.5, 0.75, 1.0])
    assert data.mask[1, 2], "NaN cells are masked (left blank)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["r0", "r1"]
    assert [t.get_text() for t in ax.texts] == ["0%", "25%", "50%", "75%", "100%"], "row by row, no label for NaN"
    assert [t.get_position() for t in ax.texts][:2] == [(0, 0), (1, 0)], "labels sit on their cells (x=col, y=row)"
    assert ax.get_xlabel() == "pred" and ax.get_ylabel() == "true"
    assert image.colorbar is not None


def test_text_colour_switches_on_dark_cells():
    # viridis: low values are dark purple, high values light yellow
    ax = plot_heatmap([[0.0, 1.0]], ["r"], ["dark", "light"], cmap="viridis", text_colors=("black", "white"))
    dark_cell, light_cell = ax.texts
    assert to_rgba(dark_cell.get_color()) == to_rgba("white")
    assert to_rgba(light_cell.get_color()) == to_rgba("black")
    # reversed map: the colours swap with the cells
    ax = plot_heatmap([[0.0, 1.0]], ["r"], ["light", "dark"], cmap="viridis_r")
    assert [to_rgba(t.get_color()) for t in ax.texts] == [to_rgba("black"), to_rgba("white")]


def test_vmin_vmax_callable_fmt_and_existing_axes():
    fig, ax = plt.subplots()
    out = plot_heatmap([[2, 3]], ["r"], ["x", "y"], ax=ax, vmin=0, vmax=10, fmt=lambda v: f"n={v:.0f}", colorbar=False)
    assert out is ax
    assert ax.images[0].get_clim() == (0, 10)
    assert ax.images[0].colorbar is None
    assert [t.get_text() for t in ax.texts] == ["n=2", "n=3"]
    assert len(fig.axes) == 1


def test_annotate_false_draws_no_text_and_colorbar_label():
    ax = plot_heatmap(np.eye(3), list("abc"), list("abc"), annotate=False, colorbar_label="rate")
    assert len(ax.texts) == 0
    assert ax.images[0].colorbar.ax.get_ylabel() == "rate"


@pytest.mark.parametrize(
    ("kwargs", "error", "msg"),
    [
        ({"values": [1, 2], "row_labels": ["a"], "col_labels": ["b"]}, ValueError, r"2-D array; got shape \(2,\)"),
        ({"values": [[1, 2]], "row_labels": ["a", "b"], "col_labels": ["x", "y"]}, ValueError, "2 labels for 1 rows"),
        ({"values": [[1, 2]], "row_labels": ["a"], "col_labels": ["x"]}, ValueError, "1 labels for 2 columns"),
        ({"values": [[1, 2]], "row_labels": ["a"], "col_labels": ["x", "y"], "vmin": 3, "vmax": 1}, ValueError,
         "vmin must not exceed vmax; got vmin=3, vmax=1"),
        ({"values": [[1, 2]], "row_labels": ["a"], "col_labels": ["x", "y"], "fmt": 3}, TypeError,
         "fmt must be a format string .* got int"),
        ({"values": [[1, 2]], "row_labels": ["a"], "col_labels": ["x", "y"], "text_colors": ("k",)}, ValueError,
         "text_colors must be a pair"),
    ],
)
def test_bad_arguments(kwargs, error, msg):
    with pytest.raises(error, match=msg):
        plot_heatmap(**kwargs)
