"""Scatter of a 2-D embedding, coloured by class."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._colors import DIGIT_COLORS

__all__ = ["plot_embedding"]


def plot_embedding(coords, labels, *, ax=None, title=None, s=4, alpha=0.7, cmap=None, legend=True, annotate=True):
    """Draw a 2-D embedding as a scatter coloured by label, with each class's label at its median.

    Parameters
    ----------
    coords : ndarray of shape (n_samples, 2)
    labels : array-like of shape (n_samples,)
        Integer classes (e.g. digits).
    ax : matplotlib Axes, optional
    title : str, optional
    cmap : str or Colormap, optional
        Colours by class, in sorted class order. Default: integer labels 0-9 (digits)
        take :data:`~mlviz.plotting.DIGIT_COLORS` by value, so digit 4 is purple on
        every page; other labels take ``tab10``.
    annotate : bool
        Write each class label at the median of its points.

    Returns
    -------
    matplotlib.axes.Axes
    """
    coords = np.asarray(coords)
    labels = np.asarray(labels)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise ValueError(f"coords must have shape (n_samples, 2); got {coords.shape}")
    if len(labels) != len(coords):
        raise ValueError(f"labels must have one entry per point ({len(coords)}); got {len(labels)}")
    if ax is None:
        _, ax = plt.subplots()
    classes = np.unique(labels)
    digits = cmap is None and np.issubdtype(classes.dtype, np.integer) and classes.min() >= 0 and classes.max() <= 9
    colors = plt.get_cmap(cmap or "tab10")
    for i, c in enumerate(classes):
        mask = labels == c
        color = DIGIT_COLORS[int(c)] if digits else colors(i % colors.N)
        ax.scatter(coords[mask, 0], coords[mask, 1], s=s, alpha=alpha, color=color, label=str(c), rasterized=True)
        if annotate:
            cx, cy = np.median(coords[mask], axis=0)
            ax.text(cx, cy, str(c), fontsize=11, fontweight="bold", ha="center", va="center",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    if legend and not annotate:
        ax.legend(markerscale=3, fontsize=8, loc="best")
    ax.set_xticks([]), ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=10)
    return ax
