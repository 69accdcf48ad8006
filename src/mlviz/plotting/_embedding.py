"""Scatter of a 2-D embedding, coloured by class."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_embedding"]


def plot_embedding(coords, labels, *, ax=None, title=None, s=4, alpha=0.7, cmap="tab10", legend=True, annotate=True):
    """Draw a 2-D embedding as a scatter coloured by label, with each class's label at its median.

    Parameters
    ----------
    coords : ndarray of shape (n_samples, 2)
    labels : array-like of shape (n_samples,)
        Integer classes (e.g. digits).
    ax : matplotlib Axes, optional
    title : str, optional
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
    colors = plt.get_cmap(cmap)
    for i, c in enumerate(classes):
        mask = labels == c
        ax.scatter(coords[mask, 0], coords[mask, 1], s=s, alpha=alpha, color=colors(i % colors.N), label=str(c), rasterized=True)
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
