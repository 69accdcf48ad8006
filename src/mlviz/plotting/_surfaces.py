"""The shape of a classifier's decision surface on a grid, and dots with intervals.

``sklearn.inspection.DecisionBoundaryDisplay`` predicts a class on every point of a
grid over two features and keeps the grid (``xx0``, ``xx1``) and the predictions
(``response``). The functions here measure what a reader sees on that grid: how many
connected regions of one class there are, how far the boundary is from a straight
line, and, for trees and forests, whether every change of class lies on a split
threshold (axis-parallel steps). :func:`plot_interval_dots` draws estimates with their
intervals, one row each, filled where the interval holds zero.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "boundary_points",
    "changes_on_thresholds",
    "plot_interval_dots",
    "surface_shape",
]


def _labels(display_or_labels) -> np.ndarray:
    labels = getattr(display_or_labels, "response", display_or_labels)
    labels = np.asarray(labels)
    if labels.ndim != 2 or min(labels.shape) < 2:
        raise ValueError(
            "display_or_labels must be a DecisionBoundaryDisplay made with "
            "response_method='predict' or a 2-D grid of predicted classes (at least 2 x 2); "
            f"got an array of shape {labels.shape}"
        )
    return labels


def boundary_points(display_or_labels) -> np.ndarray:
    """Where the predicted class changes on the grid, in grid-cell units.

    Parameters
    ----------
    display_or_labels : DecisionBoundaryDisplay or array of shape (n_rows, n_columns)
        A display made with ``response_method="predict"`` (its ``response``), or the
        predicted classes on the grid.

    Returns
    -------
    ndarray of shape (n_points, 2)
        ``(column, row)`` of the midpoint between every two neighbouring cells of
        different classes: ``(j + 0.5, i)`` between columns ``j`` and ``j + 1``,
        ``(j, i + 0.5)`` between rows ``i`` and ``i + 1``. Each lies within half a
        cell of the true boundary.
    """
    labels = _labels(display_or_labels)
    i, j = np.nonzero(np.diff(labels, axis=1))
    k, m = np.nonzero(np.diff(labels, axis=0))
    return np.r_[np.c_[j + 0.5, i], np.c_[m, k + 0.5]].astype(float)


def surface_shape(display_or_labels) -> dict:
    """Regions of one class and the width of the narrowest strip holding the boundary.

    Parameters
    ----------
    display_or_labels : DecisionBoundaryDisplay or array of shape (n_rows, n_columns)
        As for :func:`boundary_points`.

    Returns
    -------
    dict
        ``"regions"``: connected regions of one class (4-connectivity,
        ``scipy.ndimage.label``), summed over the classes; ``"strip width"``: the width,
        in grid cells, of the narrowest strip between two parallel lines that holds
        every point of :func:`boundary_points` (0 when they lie on one line, or when
        there is no boundary). A straight boundary fits a strip one cell wide, since
        each point lies within half a cell of it; a curve or a staircase needs more.

    Notes
    -----
    The narrowest strip around a convex polygon has one side along one of its edges,
    so the width is the smallest, over the edges of the points' convex hull, of the
    largest distance of a hull vertex from that edge's line.
    """
    from scipy import ndimage
    from scipy.spatial import ConvexHull

    labels = _labels(display_or_labels)
    regions = int(sum(ndimage.label(labels == c)[1] for c in np.unique(labels)))
    points = boundary_points(labels)
    width = 0.0
    if len(points) > 2 and np.linalg.matrix_rank(points - points.mean(axis=0)) == 2:
        hull = ConvexHull(points)
        vertices = points[hull.vertices]
        distance = -(vertices @ hull.equations[:, :2].T + hull.equations[:, 2])
        width = float(distance.max(axis=0).min())
    return {"regions": regions, "strip width": width}


def changes_on_thresholds(model, display) -> bool:
    """Whether every change of class on the display's grid lies on a split threshold.

    A decision tree sends a point left when ``x[feature] <= threshold`` (in float32),
    so its predicted class can only change between two grid columns (rows) that
    straddle one of its thresholds on the first (second) feature: its boundary is
    made of axis-parallel segments. A forest's prediction changes only where one of
    its trees' does.

    Parameters
    ----------
    model : DecisionTreeClassifier, or an ensemble of them (``estimators_``)
        Fitted on the two features of the display, in the display's units (no scaler
        in front).
    display : DecisionBoundaryDisplay
        Made with ``response_method="predict"``.

    Returns
    -------
    bool
    """
    trees = getattr(model, "estimators_", [model])
    trees = np.ravel(trees)  # gradient boosting keeps a 2-D array of trees
    if not all(hasattr(tree, "tree_") for tree in trees):
        raise TypeError(
            "model must be a fitted decision tree or an ensemble of them (estimators_); "
            f"got {type(model).__name__}"
        )
    labels = _labels(display)
    grids = (np.asarray(display.xx0)[0], np.asarray(display.xx1)[:, 0])
    for feature, grid in enumerate(grids):
        cuts = np.concatenate(
            [t.tree_.threshold[t.tree_.feature == feature] for t in trees]
        )
        # the gap i holds a cut when grid[i] <= cut < grid[i + 1], compared in float32
        gaps = np.searchsorted(grid.astype(np.float32), cuts, side="right") - 1
        changed = np.diff(labels, axis=1 - feature).any(axis=feature)
        if not np.isin(np.flatnonzero(changed), gaps).all():
            return False
    return True


def plot_interval_dots(estimate, low, high, *, labels, ax=None, color="0.5"):
    """One dot per row with its interval; filled where the interval holds zero.

    Parameters
    ----------
    estimate, low, high : array-like of shape (n,)
        The estimates and the ends of their intervals (``low <= estimate <= high``).
    labels : sequence of str of length n
        The row labels, top to bottom.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.
    color : color, default "0.5"
        Of the dots and bars. The default mid grey reads on light and dark pages
        alike (the gallery's dark variant recolours black lines, not markers or bars).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    estimate, low, high = (
        np.asarray(v, dtype=float).ravel() for v in (estimate, low, high)
    )
    labels = list(labels)
    if not len(estimate) == len(low) == len(high) == len(labels):
        raise ValueError(
            "estimate, low, high and labels must have one entry per row; got lengths "
            f"{len(estimate)}, {len(low)}, {len(high)} and {len(labels)}"
        )
    if np.any(low > estimate) or np.any(estimate > high):
        raise ValueError(
            "each interval must hold its estimate: low <= estimate <= high"
        )
    if ax is None:
        _, ax = plt.subplots()
    rows = np.arange(len(labels))
    holds_zero = (low <= 0) & (high >= 0)
    for filled in (True, False):
        pick = holds_zero == filled
        ax.errorbar(
            estimate[pick],
            rows[pick],
            xerr=[estimate[pick] - low[pick], high[pick] - estimate[pick]],
            fmt="o",
            color=color,
            mfc=color if filled else "none",
            elinewidth=1.5,
        )
    ax.axvline(0, color="0.7", lw=1)
    ax.set_yticks(rows, labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    return ax
