"""Draw attention weights: a head view (token-to-token lines) and heatmap grids.

Compute first (:func:`mlviz.text.minilm.attentions`), then draw with these; none of
them calls ``plt.show()``. An attention weight is a size without a sign, so it is drawn
in the gallery's colour for such sizes, :data:`mlviz.plotting.MAGNITUDE` (purple; maps
use ``"Purples"``), never in the red and blue that mean an attribution's sign.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from ..plotting._colors import MAGNITUDE

#: Colormap of attention weights (white at 0, :data:`MAGNITUDE`'s purple at 1).
ATTENTION_CMAP = "Purples"
#: Frame of the heads a grid highlights.
_HIGHLIGHT = "black"

__all__ = ["HeadViewDisplay", "attention_slider_figure", "plot_attention_grid", "plot_attention_heatmap"]


def _check_matrix(weights, tokens, name="weights") -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise ValueError(f"{name} must be a square (n, n) matrix of one head; got shape {w.shape}")
    if len(tokens) != w.shape[0]:
        raise ValueError(f"tokens has {len(tokens)} entries but {name} covers n={w.shape[0]} tokens")
    return w


class HeadViewDisplay:
    """Head view: tokens in two columns, a line from each query to each key it attends.

    Line opacity and width follow the attention weight, so a head that looks at the
    previous token draws a ladder of parallel slanted lines and a head that looks at
    ``[SEP]`` draws a fan converging on it.

    Parameters
    ----------
    tokens : sequence of str
        The tokens of the sentence.
    weights : array-like of shape (n, n)
        One head's attention; row = query (left column), column = key (right column).
    title : str, optional
        Axes title, e.g. ``"layer 2, head 4"``.
    """

    def __init__(self, *, tokens, weights, title=None):
        self.tokens = list(tokens)
        self.weights = _check_matrix(weights, self.tokens)
        self.title = title

    def plot(self, ax=None, *, color=MAGNITUDE, min_weight=0.02, max_width=4.0, fontsize=10):
        """Draw the head view.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Created (tall and narrow) when None.
        color : color, default=MAGNITUDE
            Colour of the lines.
        min_weight : float, default=0.02
            Weights below this are not drawn (they would only add grey haze).
        max_width : float, default=4.0
            Line width for a weight of 1.
        fontsize : float, default=10

        Returns
        -------
        self
            With ``ax_``, ``figure_``, ``lines_`` (the LineCollection) and
            ``n_lines_`` (how many query-key pairs were drawn).
        """
        if not 0 <= min_weight < 1:
            raise ValueError(f"min_weight must be in [0, 1); got {min_weight!r}")
        if ax is None:
            _, ax = plt.subplots(figsize=(3.4, 0.32 * len(self.tokens) + 1))
        n = len(self.tokens)
        y = -np.arange(n, dtype=float)
        left, right = 0.0, 1.0
        qi, kj = np.nonzero(self.weights >= min_weight)
        strength = self.weights[qi, kj]
        segments = [[(left, y[i]), (right, y[j])] for i, j in zip(qi, kj)]
        rgba = np.tile(np.array(plt.matplotlib.colors.to_rgba(color)), (len(segments), 1))
        rgba[:, 3] = np.clip(strength, 0.05, 1.0)
        self.lines_ = LineCollection(segments, colors=rgba, linewidths=max_width * strength)
        ax.add_collection(self.lines_)
        self.n_lines_ = len(segments)
        for i, token in enumerate(self.tokens):
            ax.text(left - 0.04, y[i], token, ha="right", va="center", fontsize=fontsize)
            ax.text(right + 0.04, y[i], token, ha="left", va="center", fontsize=fontsize)
        ax.set_xlim(-0.9, 1.9)
        ax.set_ylim(y[-1] - 0.7, 0.7)
        ax.axis("off")
        if self.title:
            ax.set_title(self.title, fontsize=fontsize + 1)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


def plot_attention_heatmap(weights, tokens, ax=None, *, cmap=ATTENTION_CMAP, title=None, colorbar=True):
    """Draw one head's attention as a heatmap with the tokens on both axes.

    Parameters
    ----------
    weights : array-like of shape (n, n)
        Rows = queries (y axis), columns = keys (x axis).
    tokens : sequence of str
    ax : matplotlib Axes, optional
    cmap : str, default="Purples"
    title : str, optional
    colorbar : bool, default=True

    Returns
    -------
    matplotlib Axes
    """
    tokens = list(tokens)
    w = _check_matrix(weights, tokens)
    if ax is None:
        size = 0.3 * len(tokens) + 2
        _, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(w, cmap=cmap, vmin=0, vmax=1)
    ax.grid(False)
    ax.set_xticks(range(len(tokens)), tokens, rotation=90)
    ax.set_yticks(range(len(tokens)), tokens)
    ax.set_xlabel("attended token (key)")
    ax.set_ylabel("attending token (query)")
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, shrink=0.8, label="attention weight")
    return ax


def plot_attention_grid(weights, tokens, fig=None, *, cmap=ATTENTION_CMAP, highlight=()):
    """Draw a layer x head grid of small attention heatmaps for one sentence.

    Parameters
    ----------
    weights : array-like of shape (n_layers, n_heads, n, n)
    tokens : sequence of str
        Only their number is checked; the small heatmaps carry no tick labels.
    fig : matplotlib Figure, optional
        Created when None.
    cmap : str, default="Purples"
    highlight : iterable of (layer, head), optional
        Cells to frame in black, just outside the matrix (e.g. the heads discussed in
        the text); the frame is the Axes' only patch.

    Returns
    -------
    ndarray of matplotlib Axes, shape (n_layers, n_heads)
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 4 or w.shape[-1] != w.shape[-2]:
        raise ValueError(f"weights must have shape (n_layers, n_heads, n, n); got shape {w.shape}")
    if len(tokens) != w.shape[-1]:
        raise ValueError(f"tokens has {len(tokens)} entries but weights covers n={w.shape[-1]} tokens")
    n_layers, n_heads = w.shape[:2]
    if fig is None:
        fig = plt.figure(figsize=(0.95 * n_heads + 0.6, 0.95 * n_layers + 0.6))
    axes = fig.subplots(n_layers, n_heads, squeeze=False)
    highlight = {tuple(cell) for cell in highlight}
    for layer in range(n_layers):
        for head in range(n_heads):
            ax = axes[layer, head]
            ax.imshow(w[layer, head], cmap=cmap, vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if (layer, head) in highlight:
                # A frame just outside the matrix: on the spines it would hide the first
                # and last columns ([CLS] and [SEP]) of a small heatmap.
                frame = Rectangle(
                    (-0.07, -0.07), 1.14, 1.14, transform=ax.transAxes, fill=False,
                    edgecolor=_HIGHLIGHT, linewidth=2, clip_on=False,
                )
                ax.add_patch(frame)
            if layer == 0:
                ax.set_title(f"head {head}", fontsize=8)
            if head == 0:
                ax.set_ylabel(f"layer {layer}", fontsize=8)
    return axes


def attention_slider_figure(weights, tokens, *, title="Attention", height=620):
    """Return a plotly heatmap of one head at a time, with a slider over (layer, head).

    Parameters
    ----------
    weights : array-like of shape (n_layers, n_heads, n, n)
    tokens : sequence of str
    title : str, default="Attention"
    height : int, default=620

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap trace; the slider has one step per head, labelled ``"L.H"``.
    """
    import plotly.graph_objects as go

    w = np.asarray(weights, dtype=float)
    if w.ndim != 4 or w.shape[-1] != w.shape[-2]:
        raise ValueError(f"weights must have shape (n_layers, n_heads, n, n); got shape {w.shape}")
    tokens = list(tokens)
    if len(tokens) != w.shape[-1]:
        raise ValueError(f"tokens has {len(tokens)} entries but weights covers n={w.shape[-1]} tokens")
    # Repeated tokens would be merged on a categorical axis: make each label unique.
    labels = [f"{t} ({i})" for i, t in enumerate(tokens)]
    n_layers, n_heads = w.shape[:2]
    fig = go.Figure(
        go.Heatmap(
            z=w[0, 0].round(3), x=labels, y=labels, colorscale=ATTENTION_CMAP, zmin=0, zmax=1,
            colorbar={"title": {"text": "weight"}},
            hovertemplate="query %{y}<br>key %{x}<br>weight %{z:.3f}<extra></extra>",
        )
    )
    steps = []
    for layer in range(n_layers):
        for head in range(n_heads):
            steps.append({
                "method": "update",
                "label": f"{layer}.{head}",
                "args": [{"z": [w[layer, head].round(3)]}, {"title.text": f"{title}: layer {layer}, head {head}"}],
            })
    fig.update_layout(
        title={"text": f"{title}: layer 0, head 0"},
        height=height,
        xaxis={"title": {"text": "attended token (key)"}, "tickangle": -90},
        yaxis={"title": {"text": "attending token (query)"}, "autorange": "reversed"},
        sliders=[{"active": 0, "steps": steps, "currentvalue": {"prefix": "layer.head = "}, "pad": {"t": 90}}],
        margin={"b": 40},
    )
    return fig
