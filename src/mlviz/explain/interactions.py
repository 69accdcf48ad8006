"""Pairwise interactions: Friedman's H-statistic from partial dependence, and how well a
method recovers a known interacting pair (page J2).

Friedman and Popescu (2008) measure how much of the joint partial dependence of two
features ``j`` and ``k`` is not the sum of their own partial dependences::

    H²_jk = Σ_i [PD_jk(x_ij, x_ik) - PD_j(x_ij) - PD_k(x_ik)]² / Σ_i PD_jk(x_ij, x_ik)²

with every partial dependence centred to mean zero and evaluated at the rows' own values.
The numerator alone, as a root mean square, is the *unnormalized* statistic of Mayer's
``hstats``: the size of the pure interaction in the units of the prediction.

Each partial dependence here is the brute-force one (``sklearn.inspection.
partial_dependence(method="brute")``): the mean prediction over the rows with the
features set to a value. Evaluated at every row's own values it costs ``n²``
predictions per feature or pair, which is why callers pass a subsample of rows. The
``n x n`` prediction matrices are computed once; a bootstrap replicate (resampled rows,
which serve both as evaluation points and as background) reuses them, weighting each
row by how often it was drawn.

Compute functions return arrays or small dataclasses; ``plot_*`` functions take those,
draw on ``ax`` (a new figure when absent) and return the Axes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mlviz.plotting import plot_bars, plot_heatmap
from mlviz.report import rounding_tolerance

__all__ = [
    "OTHER_PAIR_COLOR",
    "TRUE_PAIR_COLOR",
    "HStatistics",
    "PairRecovery",
    "h_statistic",
    "h_statistics",
    "pair_recovery",
    "plot_interaction_dependence",
    "plot_interaction_heatmap",
    "plot_pair_scores",
    "prediction_matrix",
]

#: Colour of the pair known to interact (the truth) and of every other pair.
TRUE_PAIR_COLOR = "#55A868"
OTHER_PAIR_COLOR = "#8C8C8C"


def _columns(X, features, name="features") -> list[int]:
    """Positions of ``features`` (names or integer positions) among the columns of ``X``."""
    if isinstance(features, (str, int, np.integer)):
        features = [features]
    names = list(X.columns) if isinstance(X, pd.DataFrame) else None
    n_cols = np.shape(X)[1]
    positions = []
    for f in features:
        if isinstance(f, (int, np.integer)) and not isinstance(f, bool):
            if not 0 <= f < n_cols:
                raise ValueError(
                    f"{name} must be column positions in [0, {n_cols}); got {f!r}"
                )
            positions.append(int(f))
        elif names is not None and f in names:
            positions.append(names.index(f))
        else:
            where = (
                f"the columns {names}"
                if names is not None
                else f"positions 0..{n_cols - 1}"
            )
            raise ValueError(f"{name} must name columns of X ({where}); got {f!r}")
    if len(set(positions)) != len(positions):
        raise ValueError(f"{name} must not repeat a column; got {list(features)!r}")
    return positions


def prediction_matrix(model, X, features) -> np.ndarray:
    """Predict every row of ``X`` with ``features`` set to every row's values.

    Parameters
    ----------
    model : estimator with ``predict``
        A fitted regressor (or any object whose ``predict`` returns one number per row).
    X : DataFrame or array of shape (n, p)
        The rows: both the points where the partial dependence is evaluated and the
        background it is averaged over. A DataFrame keeps its column names for
        ``predict``.
    features : str, int or sequence of them
        Column names (DataFrame) or positions of the features to set.

    Returns
    -------
    ndarray of shape (n, n)
        Entry ``[i, l]`` is the prediction for row ``l`` with ``features`` taken from row
        ``i``. Row ``i``'s mean is the brute-force partial dependence of ``features`` at
        row ``i``'s values. It costs ``n²`` predictions (and ``n² p`` numbers in memory).

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    >>> model = LinearRegression().fit(X, X @ [1.0, 2.0])
    >>> prediction_matrix(model, X, [0]).mean(axis=1).round(6)  # x1 + mean(2 x2)
    array([2., 3., 4.])
    """
    if not hasattr(model, "predict"):
        raise TypeError(f"model must have a predict method; got {type(model).__name__}")
    if np.ndim(X) != 2 or len(X) < 2:
        raise ValueError(
            f"X must be a 2-D table of at least 2 rows; got shape {np.shape(X)}"
        )
    cols = _columns(X, features)
    values = np.asarray(X, dtype=float)
    n = len(values)
    stacked = np.tile(values, (n, 1))  # block i: every row ...
    stacked[:, cols] = np.repeat(
        values[:, cols], n, axis=0
    )  # ... with row i's features
    if isinstance(X, pd.DataFrame):
        stacked = pd.DataFrame(stacked, columns=X.columns)
    predictions = np.asarray(model.predict(stacked), dtype=float)
    if predictions.shape != (n * n,):
        raise ValueError(
            f"model.predict must return one number per row; got shape {predictions.shape}"
        )
    return predictions.reshape(n, n)


def _centred_pd(model, X, cols, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """Centred partial dependence at every row, for each column of ``weights``.

    ``weights`` (n, b) says how often each row is drawn in each resample, divided by n:
    the partial dependence averages the predictions over the drawn rows (``matrix @
    weights``) and is centred over the same draws. Also returns the largest |prediction|,
    which sets the rounding error of those means.
    """
    matrix = prediction_matrix(model, X, cols)
    values = matrix @ weights
    return values - np.sum(weights * values, axis=0), float(np.abs(matrix).max())


def _h_pair(joint, first, second, weights, scale) -> tuple[np.ndarray, np.ndarray]:
    """(normalized H, unnormalized H) of one pair from its centred partial dependences.

    One value per column of ``weights``: the sums over rows are weighted by the draws.
    A joint partial dependence no larger than the rounding error of a mean of ``n``
    predictions of size ``scale`` (twice: it is centred) is constant: H is NaN there,
    rather than a ratio of two rounding errors.
    """
    pure = joint - first - second
    numerator = np.sum(weights * pure**2, axis=0)  # a mean over the drawn rows
    denominator = np.sum(weights * joint**2, axis=0)
    floor = 2 * rounding_tolerance("float64", scale, len(weights))
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(denominator > floor**2, np.sqrt(numerator / denominator), np.nan)
    return h, np.sqrt(numerator)


def h_statistic(model, X, pair, *, normalize: bool = True) -> float:
    """Friedman's H-statistic of one pair of features, from brute-force partial dependence.

    Parameters
    ----------
    model : estimator with ``predict``
        The fitted model.
    X : DataFrame or array of shape (n, p)
        The rows (a subsample: the cost is ``3 n²`` predictions).
    pair : sequence of two column names or positions
        The two features.
    normalize : bool, default True
        ``True``: Friedman's H, the share (0 to 1, as a square root) of the joint
        partial dependence's variation that is interaction; NaN when the joint partial
        dependence is constant (no larger than the rounding error of its means). ``False``: the root mean square of the pure interaction
        part, in the units of the prediction (Mayer's unnormalized statistic).

    Returns
    -------
    float

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> X = np.random.default_rng(0).uniform(size=(30, 3))
    >>> model = LinearRegression().fit(X, X.sum(axis=1))  # additive: no interaction
    >>> bool(h_statistic(model, X, [0, 1]) < 1e-6)
    True
    """
    cols = _columns(X, pair, "pair")
    if len(cols) != 2:
        raise ValueError(f"pair must name two features; got {pair!r}")
    weights = np.full((len(X), 1), 1 / len(X))
    (joint, scale), (first, _), (second, _) = (
        _centred_pd(model, X, c, weights) for c in (cols, cols[:1], cols[1:])
    )
    h, h_abs = _h_pair(joint, first, second, weights, scale)
    return float(h[0] if normalize else h_abs[0])


@dataclass(frozen=True)
class HStatistics:
    """H-statistics of several pairs on one set of rows, with bootstrap replicates.

    Attributes
    ----------
    pairs : list of (str, str)
        The pairs, in the order of every array below.
    h : ndarray of shape (n_pairs,)
        Friedman's (normalized) H on all the rows; NaN where the joint partial
        dependence is constant.
    h_abs : ndarray of shape (n_pairs,)
        Unnormalized H: root mean square of the pure interaction part, in the
        prediction's units.
    boot_h, boot_h_abs : ndarray of shape (n_boot, n_pairs)
        The same on bootstrap resamples of the rows.
    n_rows : int
        How many rows the statistics were computed on.
    """

    pairs: list
    h: np.ndarray
    h_abs: np.ndarray
    boot_h: np.ndarray
    boot_h_abs: np.ndarray
    n_rows: int

    def index(self, pair) -> int:
        """Position of ``pair`` (in either order) in :attr:`pairs`."""
        for i, (a, b) in enumerate(self.pairs):
            if {a, b} == set(pair):
                return i
        raise ValueError(
            f"pair {tuple(pair)!r} is not among the {len(self.pairs)} pairs computed"
        )

    @property
    def labels(self) -> list[str]:
        """``"a × b"`` for each pair."""
        return [f"{a} × {b}" for a, b in self.pairs]

    def to_frame(self) -> pd.DataFrame:
        """One row per pair, sorted by unnormalized H: both statistics and their bootstrap sd."""
        with np.errstate(invalid="ignore"):
            sd_h = (
                np.nanstd(self.boot_h, axis=0, ddof=1)
                if len(self.boot_h) > 1
                else np.full(len(self.h), np.nan)
            )
        sd_abs = (
            self.boot_h_abs.std(axis=0, ddof=1)
            if len(self.boot_h_abs) > 1
            else np.full(len(self.h), np.nan)
        )
        frame = pd.DataFrame(
            {
                "H": self.h,
                "H sd": sd_h,
                "unnormalized H": self.h_abs,
                "unnormalized sd": sd_abs,
            },
            index=pd.Index(self.labels, name="pair"),
        )
        return frame.sort_values("unnormalized H", ascending=False)


def h_statistics(
    model, X, *, pairs=None, n_boot: int = 0, random_state=None
) -> HStatistics:
    """Friedman's H (normalized and unnormalized) for many pairs, with bootstrap replicates.

    Each feature's and each pair's ``n x n`` prediction matrix (:func:`prediction_matrix`)
    is computed once; a bootstrap replicate resamples the rows (with replacement) and
    recomputes the partial dependences and H from the same matrices, so its spread is the
    sampling spread of H estimated from ``n`` rows of this model.

    Parameters
    ----------
    model : estimator with ``predict``
        The fitted model.
    X : DataFrame or array of shape (n, p)
        The rows (a subsample: the cost is ``n²`` predictions per feature and per pair).
    pairs : sequence of pairs of column names or positions, optional
        Default: every pair of columns, ``p (p - 1) / 2`` of them.
    n_boot : int, default 0
        Number of bootstrap resamples of the rows.
    random_state : int or numpy Generator, optional
        Seed of the resampling.

    Returns
    -------
    HStatistics

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> X = np.random.default_rng(0).uniform(size=(30, 3))
    >>> stats = h_statistics(LinearRegression().fit(X, X[:, 0]), X, n_boot=5, random_state=0)
    >>> stats.boot_h_abs.shape
    (5, 3)
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"n_boot must be a non-negative integer; got {n_boot!r}")
    names = (
        [str(c) for c in X.columns]
        if isinstance(X, pd.DataFrame)
        else [str(j) for j in range(np.shape(X)[1])]
    )
    if pairs is None:
        pairs = list(itertools.combinations(range(len(names)), 2))
    positions = []
    for pair in pairs:
        cols = _columns(X, pair, "pairs")
        if len(cols) != 2:
            raise ValueError(f"pairs must hold pairs of two features; got {pair!r}")
        positions.append(tuple(cols))
    n = len(X)
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, n, (n_boot, n))
    counts = np.column_stack(
        [np.ones(n)] + [np.bincount(d, minlength=n) for d in draws]
    )
    weights = counts / n  # column 0: every row once; then one column per resample

    single = {
        j: _centred_pd(model, X, [j], weights)[0]
        for j in sorted({j for p in positions for j in p})
    }
    results = []
    for j, k in positions:
        joint, scale = _centred_pd(model, X, [j, k], weights)
        results.append(_h_pair(joint, single[j], single[k], weights, scale))
    h = np.array([r[0] for r in results]).T  # (1 + n_boot, n_pairs)
    h_abs = np.array([r[1] for r in results]).T
    return HStatistics(
        pairs=[(names[j], names[k]) for j, k in positions],
        h=h[0],
        h_abs=h_abs[0],
        boot_h=h[1:],
        boot_h_abs=h_abs[1:],
        n_rows=n,
    )


@dataclass(frozen=True)
class PairRecovery:
    """How clearly one known pair stands out among all pairs scored by a method.

    Attributes
    ----------
    rank : int
        Rank of the known pair on the full data (1: the largest score).
    runner_up : int
        Index of the largest *other* pair on the full data.
    margin : float
        Known pair's score minus the largest other pair's score (on the full data).
    interval : (float, float)
        Bootstrap percentile interval of the margin (the largest other pair is found
        again in each replicate).
    share_first : float
        Share of bootstrap replicates in which the known pair ranks first.
    """

    rank: int
    runner_up: int
    margin: float
    interval: tuple
    share_first: float


def pair_recovery(
    scores, boot_scores, true_index: int, *, level: float = 0.95
) -> PairRecovery:
    """Rank and margin of a known pair among all scored pairs, with a bootstrap interval.

    Parameters
    ----------
    scores : array-like of shape (n_pairs,)
        A score per pair (larger: more interaction); NaN scores rank last.
    boot_scores : array-like of shape (n_boot, n_pairs)
        The same scores on bootstrap replicates.
    true_index : int
        Position of the known pair.
    level : float, default 0.95
        Coverage of the percentile interval.

    Returns
    -------
    PairRecovery

    Examples
    --------
    >>> r = pair_recovery([0.9, 0.1, 0.2], [[0.8, 0.1, 0.3], [1.0, 0.2, 0.1]], 0)
    >>> r.rank, r.runner_up, round(r.margin, 2), r.share_first
    (1, 2, 0.7, 1.0)
    """
    scores = np.asarray(scores, dtype=float)
    boot = np.asarray(boot_scores, dtype=float)
    if scores.ndim != 1 or scores.size < 2:
        raise ValueError(
            f"scores must be 1-D with at least two pairs; got shape {scores.shape}"
        )
    if boot.ndim != 2 or boot.shape[1] != scores.size or boot.shape[0] < 1:
        raise ValueError(
            f"boot_scores must have shape (n_boot, {scores.size}); got {boot.shape}"
        )
    if not 0 <= true_index < scores.size:
        raise ValueError(
            f"true_index must be in [0, {scores.size}); got {true_index!r}"
        )
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1; got {level!r}")
    scores = np.where(np.isnan(scores), -np.inf, scores)
    boot = np.where(np.isnan(boot), -np.inf, boot)
    others = np.delete(np.arange(scores.size), true_index)
    runner_up = int(others[np.argmax(scores[others])])
    margins = boot[:, true_index] - boot[:, others].max(axis=1)
    tail = 100 * (1 - level) / 2
    # percentiles that are values of the sample: a replicate where the known pair's
    # score is undefined has a margin of -inf, which interpolation would turn into NaN
    low, high = np.percentile(margins, [tail, 100 - tail], method="inverted_cdf")
    return PairRecovery(
        rank=int(1 + np.sum(scores[others] > scores[true_index])),
        runner_up=runner_up,
        margin=float(scores[true_index] - scores[runner_up]),
        interval=(float(low), float(high)),
        share_first=float(np.mean(margins > 0)),
    )


def plot_pair_scores(
    scores,
    labels,
    *,
    errors=None,
    true_pair=None,
    top: int = 8,
    ax=None,
    fmt="{:.2f}",
    xlabel=None,
):
    """Horizontal bars of the ``top`` pairs, the known pair in green, the others in grey.

    Parameters
    ----------
    scores : array-like of shape (n_pairs,)
        A score per pair; NaN pairs are left out.
    labels : sequence of str
        A label per pair.
    errors : array-like of shape (n_pairs,), optional
        Half-widths of error bars (a bootstrap standard deviation).
    true_pair : str, optional
        Label of the pair known to interact; drawn in green, and added below the others
        when it is not among the ``top`` (and its score is not NaN).
    top : int, default 8
        How many pairs to draw (largest first).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when absent.
    fmt : str, default "{:.2f}"
        Format of the value next to each bar.
    xlabel : str, optional
        Label of the value axis.

    Returns
    -------
    ax : matplotlib Axes
        Its bars are ``ax.patches`` (largest at the top, drawn last).
    """
    scores = np.asarray(scores, dtype=float)
    labels = [str(s) for s in labels]
    if scores.ndim != 1 or len(labels) != scores.size:
        raise ValueError(
            f"labels must have one entry per score: {len(labels)} labels for {scores.size} scores"
        )
    errors = (
        np.zeros_like(scores) if errors is None else np.asarray(errors, dtype=float)
    )
    if errors.shape != scores.shape:
        raise ValueError(
            f"errors must have the shape of scores {scores.shape}; got {errors.shape}"
        )
    if true_pair is not None and true_pair not in labels:
        raise ValueError(f"true_pair must be one of labels; got {true_pair!r}")
    finite = np.flatnonzero(np.isfinite(scores))
    order = list(finite[np.argsort(-scores[finite], kind="stable")][:top])
    known = None if true_pair is None else labels.index(true_pair)
    if known is not None and known not in order and np.isfinite(scores[known]):
        order.append(labels.index(true_pair))
    drawn = order[::-1]  # plot_bars draws its first value at the bottom
    colors = [
        TRUE_PAIR_COLOR if labels[i] == true_pair else OTHER_PAIR_COLOR for i in drawn
    ]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.35 * len(drawn) + 1.2))
    # plot_bars reverses an unsorted list once more, so pass it largest first
    plot_bars(
        scores[order],
        np.asarray(labels, dtype=object)[order],
        errors=errors[order],
        sort=False,
        color=colors,
        fmt=fmt,
        xlabel=xlabel,
        ax=ax,
    )
    return ax


def plot_interaction_heatmap(
    matrix, names, *, ax=None, fmt="{:.2f}", colorbar_label=None, fontsize=8
):
    """Heatmap of a symmetric matrix of pairwise interaction sizes, its diagonal left blank.

    Parameters
    ----------
    matrix : array-like of shape (p, p)
        E.g. the mean absolute SHAP interaction value of each pair. The diagonal (main
        effects, on another scale) is not drawn.
    names : sequence of str, length p
        Feature names.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when absent.
    fmt : str, default "{:.2f}"
        Format of the cell labels.
    colorbar_label : str, optional
        Label of the colour bar.
    fontsize : float, default 8
        Size of the cell labels.

    Returns
    -------
    ax : matplotlib Axes
        The image is ``ax.images[0]``; its array holds the matrix with a masked diagonal.
    """
    matrix = np.array(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square (p, p); got shape {matrix.shape}")
    if len(names) != matrix.shape[0]:
        raise ValueError(
            f"names must have one entry per row of matrix: {len(names)} names for {matrix.shape[0]} rows"
        )
    np.fill_diagonal(matrix, np.nan)
    return plot_heatmap(
        matrix,
        names,
        names,
        ax=ax,
        fmt=fmt,
        cmap="viridis",
        vmin=0.0,
        colorbar_label=colorbar_label,
        fontsize=fontsize,
    )


def plot_interaction_dependence(
    x,
    values,
    partner,
    *,
    ax=None,
    xlabel=None,
    ylabel=None,
    partner_name=None,
    cmap="viridis",
    s=12,
):
    """SHAP dependence plot: one dot per row, coloured by a partner feature's value.

    Parameters
    ----------
    x : array-like of shape (n,)
        The feature's values (horizontal axis).
    values : array-like of shape (n,)
        What to draw against them: the feature's SHAP values, or an interaction value.
    partner : array-like of shape (n,)
        The partner feature's values. A 0/1 partner is drawn in two colours with a
        legend; any other in ``cmap`` with a colour bar.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when absent.
    xlabel, ylabel, partner_name : str, optional
        Axis labels and the partner's name (legend or colour-bar title).
    cmap : str or Colormap, default "viridis"
        Colour map of a continuous partner.
    s : float, default 12
        Dot size.

    Returns
    -------
    ax : matplotlib Axes
        The dots are ``ax.collections`` (one per colour group for a 0/1 partner).
    """
    x, values, partner = (
        np.asarray(a, dtype=float).ravel() for a in (x, values, partner)
    )
    if not (x.shape == values.shape == partner.shape):
        raise ValueError(
            f"x, values and partner must have one entry per row; got {x.size}, {values.size} and {partner.size}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    ax.axhline(0, color="0.3", lw=0.8)
    name = partner_name or "partner"
    if set(np.unique(partner)) <= {0.0, 1.0}:
        for level, color in ((0.0, "C0"), (1.0, "C1")):
            at = partner == level
            ax.scatter(
                x[at],
                values[at],
                s=s,
                color=color,
                alpha=0.7,
                label=f"{name} = {level:g} ({at.sum()})",
            )
        ax.legend(loc="best")
    else:
        dots = ax.scatter(x, values, c=partner, cmap=cmap, s=s, alpha=0.8)
        ax.figure.colorbar(dots, ax=ax).set_label(name)
    ax.set(xlabel=xlabel or "feature value", ylabel=ylabel or "SHAP value")
    return ax
