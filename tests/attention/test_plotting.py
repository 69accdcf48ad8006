import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from mlviz.attention import HeadViewDisplay, attention_slider_figure, plot_attention_grid, plot_attention_heatmap
from mlviz.plotting import MAGNITUDE

TOKENS = ["[CLS]", "a", "b", "c", "[SEP]"]


def test_head_view_draws_one_line_per_weight_above_threshold():
    w = np.full((5, 5), 0.01)
    w[:, 0] = 0.96
    disp = HeadViewDisplay(tokens=TOKENS, weights=w, title="layer 0, head 0").plot(min_weight=0.02)
    assert disp.n_lines_ == 5
    assert len(disp.lines_.get_segments()) == 5
    # every line ends at the first key (y = 0 on the right column)
    assert all(seg[1][1] == 0 for seg in disp.lines_.get_segments())
    assert len(disp.ax_.texts) == 10
    assert disp.ax_.get_title() == "layer 0, head 0"
    plt.close(disp.figure_)


def test_head_view_rejects_mismatch():
    with pytest.raises(ValueError, match="tokens has 5 entries"):
        HeadViewDisplay(tokens=TOKENS, weights=np.eye(4))


def test_heatmap_and_grid():
    ax = plot_attention_heatmap(np.eye(5), TOKENS, title="t")
    assert [t.get_text() for t in ax.get_xticklabels()] == TOKENS
    plt.close(ax.figure)
    w = np.broadcast_to(np.eye(5), (2, 3, 5, 5))
    axes = plot_attention_grid(w, TOKENS, highlight=[(1, 2)])
    assert axes.shape == (2, 3)
    (frame,) = axes[1, 2].patches
    assert frame.get_edgecolor()[:3] == (0.0, 0.0, 0.0) and not frame.get_fill()
    x0, y0 = frame.get_xy()
    assert x0 < 0 and y0 < 0 and x0 + frame.get_width() > 1, "outside the matrix"
    assert not axes[0, 0].patches, "only the highlighted heads are framed"
    assert axes[0, 1].get_title() == "head 1"
    plt.close(axes[0, 0].figure)


def test_slider_figure_has_one_step_per_head():
    w = np.broadcast_to(np.eye(5), (2, 3, 5, 5))
    fig = attention_slider_figure(w, TOKENS)
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 6
    assert steps[5].label == "1.2"
    assert len(fig.data[0].x) == 5


def test_attention_is_drawn_in_the_colour_of_an_unsigned_size_not_red_or_blue():
    w = np.broadcast_to(np.eye(5), (1, 2, 5, 5))
    lines = HeadViewDisplay(tokens=TOKENS, weights=w[0, 0]).plot().lines_
    assert matplotlib.colors.to_hex(lines.get_colors()[0], keep_alpha=False) == MAGNITUDE.lower()
    ax = plot_attention_heatmap(w[0, 0], TOKENS)
    assert ax.images[0].get_cmap().name == "Purples"
    axes = plot_attention_grid(w, TOKENS)
    assert {a.images[0].get_cmap().name for a in axes.ravel()} == {"Purples"}
    import plotly.graph_objects as go

    purples = go.Heatmap(colorscale="Purples").colorscale
    assert attention_slider_figure(w, TOKENS).data[0].colorscale == purples
    plt.close("all")
