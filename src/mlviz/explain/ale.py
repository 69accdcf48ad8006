"""Accumulated local effects (ALE, Apley and Zhu 2020), computed and drawn.

ALE answers the question a partial dependence (PD) curve answers, "how does the model's
prediction change with this feature?", without setting anybody's feature to a value
that is impossible for them. The feature's range is cut into bins; each row is moved
only to the two edges of the bin it lies in, the other features left as they are; the
mean change of the prediction across each bin (the *local effect*) is summed from the
left (*accumulated*); the sum is centred so that its mean over the data is zero.

Page J1 writes the method out; :func:`accumulated_local_effects` is the same method
for reuse, checked in the tests against `effector` and against a loop over rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["accumulated_local_effects", "ale_bin_edges", "plot_ale"]


def _column(X, feature):
    """The feature's values as floats, and a function that returns X with them replaced."""
    if isinstance(X, pd.DataFrame):
        if feature not in X.columns:
            raise ValueError(
                f"feature must be a column of X; got {feature!r}, columns are {list(X.columns)}"
            )

        def replaced(values):
            out = X.copy()
            out[feature] = values
            return out

        return X[feature].to_numpy(dtype=float), replaced
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            f"X must be a DataFrame or a 2-D array of shape (n_rows, n_features); got shape {X.shape}"
        )
    if (
        not isinstance(feature, (int, np.integer))
        or not -X.shape[1] <= feature < X.shape[1]
    ):
        raise ValueError(
            f"feature must be a column index of X (0 to {X.shape[1] - 1}) when X is an array; got {feature!r}"
        )

    def replaced(values):
        out = X.astype(float, copy=True)
        out[:, feature] = values
        return out

    return X[:, feature].astype(float), replaced


def ale_bin_edges(values, bins: int = 20) -> np.ndarray:
    """Bin edges at the quantiles of ``values``, each one an observed value.

    The edges are ``np.quantile(values, [0, 1/bins, ..., 1], method="inverted_cdf")``
    with repeats removed, so that every bin ``(z[k-1], z[k]]`` holds at least the row at
    its right edge: no bin is empty, and a feature with few distinct values (an age in
    whole years) gets fewer bins than asked for.

    Parameters
    ----------
    values : array-like of shape (n_rows,)
        The feature's values.
    bins : int, default 20
        The number of bins asked for (at least 1).

    Returns
    -------
    ndarray of shape (n_edges,)
        Increasing edges from ``min(values)`` to ``max(values)``.

    Examples
    --------
    >>> ale_bin_edges([1, 2, 2, 2, 3, 4], bins=3)
    array([1., 2., 4.])
    """
    values = np.asarray(values, dtype=float).reshape(-1)
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive integer; got {bins!r}")
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError("values must be a non-empty array of finite numbers")
    if values.min() == values.max():
        raise ValueError(
            f"the feature takes a single value ({values[0]!r}): it has no effect to accumulate"
        )
    edges = np.quantile(values, np.linspace(0, 1, bins + 1), method="inverted_cdf")
    return np.unique(edges)


def accumulated_local_effects(
    model_predict, X, feature, *, bins=20, center: bool = True
) -> pd.DataFrame:
    r"""The accumulated local effects (ALE) of one feature on a model's predictions.

    With bin edges :math:`z_0 < z_1 < \dots < z_K` and :math:`S_k` the rows whose feature
    value lies in bin :math:`k`, :math:`(z_{k-1}, z_k]` (the first bin also holds
    :math:`z_0`),

    .. math::

        g(z_k) = \sum_{j=1}^{k} \frac{1}{|S_j|} \sum_{i \in S_j}
        \left[ f(z_j, x_{i,\setminus s}) - f(z_{j-1}, x_{i,\setminus s}) \right],
        \qquad g(z_0) = 0,

    where :math:`f(v, x_{i,\setminus s})` is the prediction for row :math:`i` with the
    feature set to :math:`v`. Each row is moved only across its own bin, so no row is
    set to a value far from where it lies. Between edges the curve is read as a straight
    line; centring subtracts the mean of that line over the rows' values, so that the
    curve's average over the data is zero (Apley and Zhu's centring, applied to the
    piecewise-linear curve).

    Parameters
    ----------
    model_predict : callable
        Takes a table like ``X`` (same type and columns) and returns one prediction per
        row, e.g. ``model.predict``.
    X : pandas.DataFrame or ndarray of shape (n_rows, n_features)
        The rows the effect is averaged over (usually the training data).
    feature : str or int
        A column name of ``X`` (DataFrame) or a column index (array).
    bins : int or array-like, default 20
        The number of quantile bins (:func:`ale_bin_edges`), or the edges themselves:
        increasing values from at most ``min`` to at least ``max`` of the feature, with
        at least one row in each bin.
    center : bool, default True
        Subtract the curve's mean over the rows; ``False`` keeps :math:`g(z_0) = 0`.

    Returns
    -------
    pandas.DataFrame
        One row per edge: ``value`` (the edge :math:`z_k`), ``effect`` (the accumulated
        effect there, in the model's units) and ``count`` (the number of rows in the bin
        that ends at this edge; 0 on the first row).

    Raises
    ------
    ValueError
        If ``feature`` is not a column of ``X``, the edges do not cover the data or are
        not increasing, a bin holds no row, or ``model_predict`` returns the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.column_stack([np.linspace(0, 1, 11), np.zeros(11)])
    >>> ale = accumulated_local_effects(lambda A: 3 * A[:, 0], X, 0, bins=[0, 0.5, 1], center=False)
    >>> ale["effect"].tolist()
    [0.0, 1.5, 3.0]
    """
    if not callable(model_predict):
        raise TypeError(
            f"model_predict must be a callable such as model.predict; got {type(model_predict).__name__}"
        )
    x, replaced = _column(X, feature)
    if isinstance(bins, (int, np.integer)):
        edges = ale_bin_edges(x, bins)
    else:
        edges = np.asarray(bins, dtype=float).reshape(-1)
        if edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError(
                f"bins must be an int or at least two increasing edges; got {bins!r}"
            )
        if edges[0] > x.min() or edges[-1] < x.max():
            raise ValueError(
                f"bins must cover the feature's values [{x.min()!r}, {x.max()!r}]; "
                f"got edges from {edges[0]!r} to {edges[-1]!r}"
            )
    n_bins = edges.size - 1
    # bin k (1..K) holds z[k-1] < x <= z[k]; the smallest value joins the first bin
    k = np.clip(np.searchsorted(edges, x, side="left"), 1, n_bins)
    counts = np.bincount(k, minlength=n_bins + 1)[1:]
    if np.any(counts == 0):
        empty = int(np.flatnonzero(counts == 0)[0])
        raise ValueError(
            f"bin ({edges[empty]!r}, {edges[empty + 1]!r}] holds no row; pass bins as an int "
            "(quantile edges) or edges with a row in each bin"
        )
    upper = np.asarray(model_predict(replaced(edges[k])), dtype=float).reshape(-1)
    lower = np.asarray(model_predict(replaced(edges[k - 1])), dtype=float).reshape(-1)
    if upper.shape != x.shape or lower.shape != x.shape:
        raise ValueError(
            f"model_predict must return one value per row ({x.size}); got {upper.size}"
        )
    local = np.bincount(k, weights=upper - lower, minlength=n_bins + 1)[1:] / counts
    effect = np.concatenate([[0.0], np.cumsum(local)])
    if center:
        effect = effect - np.interp(x, edges, effect).mean()
    return pd.DataFrame(
        {"value": edges, "effect": effect, "count": np.concatenate([[0], counts])}
    )


def plot_ale(ale: pd.DataFrame, *, ax=None, rug: bool = True, **line_kw):
    """Draw an ALE curve from :func:`accumulated_local_effects`.

    Parameters
    ----------
    ale : pandas.DataFrame
        With columns ``value`` and ``effect`` (and ``count``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.
    rug : bool, default True
        Mark each bin edge on the x axis, so that the reader sees where the bins are.
    **line_kw
        Passed to ``ax.plot`` (``label``, ``color``, ...).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    missing = {"value", "effect"} - set(getattr(ale, "columns", ()))
    if missing:
        raise ValueError(
            f"ale must be a DataFrame from accumulated_local_effects; missing columns {sorted(missing)}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    line_kw.setdefault("lw", 2)
    (line,) = ax.plot(ale["value"], ale["effect"], **line_kw)
    if rug:
        ax.plot(
            ale["value"],
            np.zeros(len(ale)),
            "|",
            color=line.get_color(),
            ms=8,
            transform=ax.get_xaxis_transform(),
        )
    ax.set_ylabel("accumulated local effect")
    return ax
