"""Annotated heatmaps: a matrix drawn as coloured cells, each labelled with its value."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize

__all__ = ["plot_heatmap"]


def _luminance(rgb) -> float:
    """Relative luminance (WCAG) of an RGB colour with channels in [0, 1]."""
    channels = np.asarray(rgb[:3], dtype=float)
    linear = np.where(channels <= 0.03928, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def plot_heatmap(
    values,
    row_labels,
    col_labels,
    *,
    ax=None,
    fmt="{:.2f}",
    cmap="viridis",
    vmin=None,
    vmax=None,
    annotate=True,
    colorbar=True,
    colorbar_label=None,
    xlabel=None,
    ylabel=None,
    text_colors=("black", "white"),
    fontsize=10,
):
    """Draw a 2-D array as a heatmap with one value label per cell.

    Each cell's text switches between a dark and a light colour depending on the
    luminance of the cell's colour, so that labels stay readable on dark cells.

    Parameters
    ----------
    values : array-like of shape (n_rows, n_cols)
        The numbers to draw; NaN cells are left blank (no colour, no label).
    row_labels : sequence of str, length n_rows
        Tick labels of the rows (top to bottom).
    col_labels : sequence of str, length n_cols
        Tick labels of the columns (left to right).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when absent.
    fmt : str or callable, default "{:.2f}"
        Format of each cell's label: a ``str.format`` pattern such as ``"{:.1%}"`` or a
        function of the value returning a string.
    cmap : str or Colormap, default "viridis"
        Colour map of the cells.
    vmin, vmax : float, optional
        Ends of the colour scale; default: the smallest and largest finite values.
    annotate : bool, default True
        Write the value in each cell.
    colorbar : bool, default True
        Add a colour bar next to the Axes.
    colorbar_label : str, optional
        Label of the colour bar.
    xlabel, ylabel : str, optional
        Axis labels.
    text_colors : (str, str), default ("black", "white")
        Label colour on light cells and on dark cells.
    fontsize : float, default 10
        Size of the cell labels.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on. The image is ``ax.images[0]``, the cell labels ``ax.texts``
        (row by row) and the colour bar, when drawn, ``ax.images[0].colorbar``.

    Raises
    ------
    ValueError
        If ``values`` is not 2-D, the labels do not match its shape, ``vmin > vmax`` or
        ``text_colors`` is not a pair of colours.
    TypeError
        If ``fmt`` is neither a string nor a callable.

    Examples
    --------
    >>> ax = plot_heatmap([[0.9, 0.1], [0.2, 0.8]], ["cat", "dog"], ["cat", "dog"], fmt="{:.0%}")
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D array; got shape {values.shape}")
    row_labels = [str(s) for s in row_labels]
    col_labels = [str(s) for s in col_labels]
    if len(row_labels) != values.shape[0]:
        raise ValueError(
            f"row_labels must have one label per row: {len(row_labels)} labels for {values.shape[0]} rows"
        )
    if len(col_labels) != values.shape[1]:
        raise ValueError(
            f"col_labels must have one label per column: {len(col_labels)} labels for {values.shape[1]} columns"
        )
    if isinstance(fmt, str):
        formatter = fmt.format
    elif callable(fmt):
        formatter = fmt
    else:
        raise TypeError(f"fmt must be a format string such as '{{:.2f}}' or a callable; got {type(fmt).__name__}")
    if len(text_colors) != 2:
        raise ValueError(f"text_colors must be a pair (light-cell colour, dark-cell colour); got {text_colors!r}")
    finite = values[np.isfinite(values)]
    lo = vmin if vmin is not None else (finite.min() if finite.size else 0.0)
    hi = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
    if lo > hi:
        raise ValueError(f"vmin must not exceed vmax; got vmin={lo!r}, vmax={hi!r}")

    if ax is None:
        n_rows, n_cols = values.shape
        _, ax = plt.subplots(figsize=(max(4.0, 0.9 * n_cols + 2.5), max(3.0, 0.6 * n_rows + 1.5)))
    norm = Normalize(vmin=lo, vmax=hi)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    ax.set_xticks(np.arange(values.shape[1]), col_labels)
    ax.set_yticks(np.arange(values.shape[0]), row_labels)
    ax.tick_params(which="both", length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)

    if annotate:
        light_text, dark_text = text_colors
        for i, j in np.ndindex(values.shape):
            value = values[i, j]
            if not np.isfinite(value):
                continue
            cell = image.cmap(norm(value))
            # 0.179 is where black and white text have equal contrast (WCAG).
            color = dark_text if _luminance(cell) < 0.179 else light_text
            ax.text(j, i, formatter(value), ha="center", va="center", color=color, fontsize=fontsize)

    if colorbar:
        cbar = ax.figure.colorbar(image, ax=ax)
        if colorbar_label:
            cbar.set_label(colorbar_label)
    return ax

