"""A decision path drawn as one histogram per node (the idea behind dtreeviz)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb

__all__ = ["paint_by_class", "plot_decision_path"]

_OBS_COLOR = "black"


def plot_decision_path(steps, X, y, reaches, *, class_names=None, colors=None, bins=20, axes=None, ncols=None):
    """Draw each split of a decision path on the distribution of its feature at that node.

    One panel per step: a stacked histogram (one colour per class) of the feature among
    the rows that reach the node, a dashed line at the threshold, the side the
    observation went to shaded, and the observation's value marked with a triangle and a
    solid line.

    Parameters
    ----------
    steps : sequence of PathStep
        From :func:`mlviz.inspect.trees.decision_path_steps`.
    X : array-like of shape (n_samples, n_features)
        The rows whose distribution is shown (usually the training rows).
    y : array-like of shape (n_samples,)
        Their classes (any labels; drawn in the order of ``class_names``).
    reaches : ndarray of bool, shape (n_samples, len(steps))
        From :func:`mlviz.inspect.trees.samples_reaching` with the steps' nodes.
    class_names : sequence, optional
        The classes to show, in legend order. Default: the sorted unique values of ``y``.
    colors : mapping or sequence of colors, optional
        One colour per class: a mapping from class to colour (e.g.
        :data:`mlviz.plotting.ADMISSION_COLORS`) or a sequence in the order of
        ``class_names``. Default: the first colours of the style's colour cycle.
    bins : int, default 20
        Histogram bins per panel.
    axes : array of matplotlib Axes, optional
        At least ``len(steps)`` Axes; a new figure is made when absent.
    ncols : int, optional
        Columns of the new figure (default: up to 3).

    Returns
    -------
    axes : ndarray of matplotlib Axes
        The panels used, in path order. Each has ``ax.patches`` (histogram bars and the
        shaded side) and two vertical lines: the threshold (dashed) and the value.
    """
    steps = list(steps)
    if not steps:
        raise ValueError("steps is empty: the observation's path has no split (the tree is a single leaf)")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    reaches = np.asarray(reaches, dtype=bool)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be 2-D and y have one label per row; got X {X.shape} and y {y.shape}")
    if reaches.shape != (X.shape[0], len(steps)):
        raise ValueError(
            f"reaches must have shape (n_samples, n_steps) = {(X.shape[0], len(steps))}; got {reaches.shape}"
        )
    if class_names is None:
        class_names = list(np.unique(y))
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive integer; got {bins!r}")
    colors = _class_colors(colors, class_names)

    if axes is None:
        ncols = ncols or min(3, len(steps))
        nrows = int(np.ceil(len(steps) / ncols))
        _, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.2 * nrows), squeeze=False)
        for ax in axes.ravel()[len(steps) :]:
            ax.set_visible(False)
    axes = np.asarray(axes, dtype=object).ravel()
    if axes.size < len(steps):
        raise ValueError(f"axes must hold at least {len(steps)} Axes (one per step); got {axes.size}")

    for j, (step, ax) in enumerate(zip(steps, axes)):
        at_node = reaches[:, j]
        column = X[at_node, step.feature]
        lo = min(column.min(initial=step.value), step.value)
        hi = max(column.max(initial=step.value), step.value)
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, bins + 1)
        groups = [column[y[at_node] == c] for c in class_names]
        ax.hist(groups, bins=edges, stacked=True, color=colors, label=[str(c) for c in class_names])
        side = (lo - 0.02 * (hi - lo), step.threshold) if step.went_left else (step.threshold, hi + 0.02 * (hi - lo))
        ax.axvspan(*side, color="0.5", alpha=0.12, lw=0)
        ax.axvline(step.threshold, color="0.2", ls="--", lw=1.2)
        ax.axvline(step.value, color=_OBS_COLOR, lw=2)
        ax.plot([step.value], [0], marker="^", ms=11, color=_OBS_COLOR, clip_on=False, zorder=5, transform=ax.get_xaxis_transform())
        sign = "≤" if step.went_left else ">"
        ax.set_title(
            f"node {step.node}: {step.value:.3g} {sign} {step.threshold:.3g} → {'left' if step.went_left else 'right'}",
            fontsize=10,
        )
        ax.set_xlabel(step.feature_name)
        ax.set_ylabel(f"rows at node ({at_node.sum()})", fontsize=9)
        ax.grid(axis="x", visible=False)
    axes[0].legend(fontsize=8, loc="best")
    return axes[: len(steps)]


def _class_colors(colors, class_names):
    """One colour per class, in the order of ``class_names``."""
    class_names = list(class_names)
    if colors is None:
        cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        return [cycle[i % len(cycle)] for i in range(len(class_names))]
    if isinstance(colors, Mapping):
        missing = [c for c in class_names if c not in colors]
        if missing:
            raise ValueError(f"colors has no colour for the classes {missing}; got keys {list(colors)}")
        return [colors[c] for c in class_names]
    if isinstance(colors, str):
        raise TypeError(f"colors must be a mapping or a sequence of colours (one per class); got {colors!r}")
    colors = list(colors)
    if len(colors) != len(class_names):
        raise ValueError(f"colors must hold one colour per class ({len(class_names)}); got {len(colors)}")
    return colors


def paint_by_class(nodes, tree, colors) -> None:
    """Colour the boxes of :func:`sklearn.tree.plot_tree` by majority class.

    ``plot_tree`` picks its own colours; this repaints each box in the class's colour of
    the gallery (``SPECIES_COLORS``, ``ADMISSION_COLORS``), paler where the classes are
    mixed, by ``plot_tree``'s own rule: the majority's lead over the runner-up.

    Parameters
    ----------
    nodes : list of matplotlib Annotation
        What ``plot_tree`` returned (one box per node, in node order).
    tree : DecisionTreeClassifier
        The fitted tree that was drawn.
    colors : sequence of colors
        One colour per class, in ``tree.classes_`` order.
    """
    values = tree.tree_.value[:, 0]
    if len(colors) != values.shape[1]:
        raise ValueError(f"colors must give one colour per class ({values.shape[1]}); got {len(colors)}")
    boxes = [n.get_bbox_patch() for n in nodes if n.get_bbox_patch() is not None]
    for box, value in zip(boxes, values):  # boxes in node order
        shares = np.sort(value / value.sum())[::-1]
        first, second = shares[0], (shares[1] if len(shares) > 1 else 0.0)
        strength = (first - second) / (1 - second) if second < 1 else 0.0
        rgb = np.array(to_rgb(colors[int(np.argmax(value))]))
        box.set_facecolor(strength * rgb + (1 - strength))  # blend with white
