"""Cross-validation splits drawn as in scikit-learn's ``plot_cv_indices`` example."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inspect.comparison import TEST, TRAIN, UNUSED, cv_split_matrix

__all__ = ["plot_cv_splits"]


def _category_colors(values, colors, cmap_name):
    """One RGBA colour per entry of ``values``, and the colour of each category."""
    from matplotlib import colormaps
    from matplotlib.colors import to_rgba

    values = pd.Series(np.asarray(values, dtype=object))
    categories = sorted(values.unique(), key=str) if colors is None else list(colors)
    missing = set(values.unique()) - set(categories)
    if missing:
        raise ValueError(f"class_colors has no colour for {sorted(map(str, missing))}")
    cmap = colormaps[cmap_name]
    palette = {
        c: to_rgba(colors[c]) if colors is not None else cmap(i % cmap.N)
        for i, c in enumerate(categories)
    }
    return np.array([palette[v] for v in values]), palette


def plot_cv_splits(
    cv,
    X,
    y=None,
    groups=None,
    *,
    ax=None,
    class_colors: dict | None = None,
    train_color: str = "#4C72B0",
    test_color: str = "#DD8452",
    legend: bool = True,
):
    """Draw which rows each split trains and tests on, with classes and groups below.

    One row of cells per split (training rows in ``train_color``, test rows in
    ``test_color``, rows a split leaves out blank), then, after a gap, one row for the
    classes ``y`` and one for the ``groups`` when given: the layout of scikit-learn's
    ``plot_cv_indices`` example. The rows are drawn in the order given, so sort them
    first to see groups as blocks.

    Parameters
    ----------
    cv, X, y, groups
        As in :func:`mlviz.inspect.comparison.cv_split_matrix`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.
    class_colors : dict, optional
        Colour of each class of ``y`` (e.g. :data:`mlviz.plotting.ADMISSION_COLORS`);
        by default matplotlib's ``tab10`` in sorted class order. Groups take ``tab20``.
    train_color, test_color : color
        Colours of the training and test cells.
    legend : bool, default True
        Add a legend (training, test, unused, classes) to the right of the axes.

    Returns
    -------
    matplotlib.axes.Axes
        With one image (``ax.images[0]``) whose rows are the splits, a blank row, then
        ``class`` and ``group`` when given.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch

    matrix = cv_split_matrix(cv, X, y, groups)
    n_splits, n = matrix.shape
    split_colors = {
        TRAIN: to_rgba(train_color),
        TEST: to_rgba(test_color),
        UNUSED: (0, 0, 0, 0),
    }
    image = [np.array([split_colors[c] for c in row]) for row in matrix]
    labels = [f"split {i + 1}" for i in range(n_splits)]
    class_palette = {}
    extra = []
    if y is not None:
        colors, class_palette = _category_colors(y, class_colors, "tab10")
        extra.append(("class", colors))
    if groups is not None:
        extra.append(("group", _category_colors(groups, None, "tab20")[0]))
    if extra:
        image.append(np.zeros((n, 4)))  # a blank row between the splits and the labels
        labels.append("")
        for label, colors in extra:
            image.append(colors)
            labels.append(label)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.35 * len(labels) + 1))
    ax.imshow(np.stack(image), aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(labels)), labels)
    ax.tick_params(axis="y", length=0)
    ax.grid(False)
    ax.set_xlabel("row (in the order given)")
    if legend:
        handles = [
            Patch(color=train_color, label="training"),
            Patch(color=test_color, label="test"),
        ]
        if np.any(matrix == UNUSED):
            handles.append(Patch(facecolor="none", edgecolor="0.5", label="not used"))
        handles += [Patch(color=c, label=str(k)) for k, c in class_palette.items()]
        ax.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9
        )
    return ax
