"""The true terms of Friedman's first benchmark, as each explanation method sees them.

scikit-learn's ``make_friedman1`` draws ten features independently and uniformly on
[0, 1] and sets

.. math::

    f(x) = 10 \\sin(\\pi x_1 x_2) + 20 (x_3 - 0.5)^2 + 10 x_4 + 5 x_5,
    \\qquad y = f(x) + \\varepsilon .

Because the features are independent, ``f`` splits in one way only into a constant,
one centred *main effect* per feature and a centred *pure interaction* of the pair
``(x1, x2)`` whose averages over either feature vanish (the functional ANOVA, or
Hoeffding, decomposition)::

    f = f0 + f1(x1) + f2(x2) + f3(x3) + f4(x4) + f5(x5) + f12(x1, x2)

Each method of page J9 estimates a different summary of these terms, so each gets its
own truth (:func:`friedman1_truth`):

* partial dependence and ALE of the true function are the main effects ``f_j``; the
  standard deviation of the curve is ``sqrt(Var f_j)``;
* permuting ``x_j`` raises the expected squared error of the true function by
  ``2 E[Var(f | x_without_j)]``, twice the *total* variance of ``x_j`` (its main effect
  and the whole interaction);
* the interventional SHAP value of ``x_j`` is ``f_j(x_j)`` plus half the pure
  interaction for ``x1`` and ``x2`` (Shapley splits a pair's term equally);
* the unnormalized H of ``(x1, x2)`` is the root mean square of ``f12``.

The integrals are computed by Gauss-Legendre quadrature on [0, 1] (exact to rounding
for the smooth terms); the tests recompute them another way; :func:`true_curves` reads
the true curves at a table's rows. The last functions summarize a table of one row per
draw and method: mean and standard error, counts, paired differences between methods,
the whole summary table; the ``plot_*`` functions draw page J9's panels on ``ax`` (a
new figure when absent) and return it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "FEATURES",
    "KNOWN_PAIR_COLOR",
    "OTHER_PAIR_COLOR",
    "TRUTH_COLOR",
    "Friedman1Truth",
    "count_true",
    "friedman1",
    "friedman1_truth",
    "main_effect",
    "mean_and_se",
    "paired_difference",
    "plot_credit_split",
    "plot_effect_curves",
    "plot_pair_finding",
    "plot_scores_against_truth",
    "pure_interaction",
    "summary_table",
    "true_curves",
    "true_shap_values",
]

#: The names of make_friedman1's ten columns, as page J9 uses them.
FEATURES = tuple(f"x{j}" for j in range(1, 11))


def _gauss(panels: int, order: int = 20):
    """Composite Gauss-Legendre nodes and weights on [0, 1]: ``panels`` equal panels."""
    t, w = np.polynomial.legendre.leggauss(order)
    left = np.arange(panels)[:, None] / panels
    return (left + (t + 1) / (2 * panels)).ravel(), np.tile(w / (2 * panels), panels)


def _sine_mean(a):
    """``E_b[10 sin(pi a b)]``, b uniform on [0, 1]: ``10 (1 - cos(pi a)) / (pi a)``."""
    a = np.asarray(a, dtype=float)
    safe = np.where(a == 0, 1.0, a)
    return np.where(a == 0, 0.0, 10 * (1 - np.cos(np.pi * safe)) / (np.pi * safe))


def _sine_constant() -> float:
    """``E[10 sin(pi x1 x2)]``: the mean of ``_sine_mean`` over a uniform ``a``."""
    t, w = _gauss(1)
    return float(w @ _sine_mean(t))


def _as_table(X, name="X") -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] < 5:
        raise ValueError(
            f"{name} must be a 2-D table with make_friedman1's columns x1..x5 first; "
            f"got shape {X.shape}"
        )
    return X


def friedman1(X) -> np.ndarray:
    """The generating function of ``make_friedman1`` without its noise.

    Parameters
    ----------
    X : array-like of shape (n, p), p >= 5
        Rows whose first five columns are ``x1..x5``; further columns are ignored.

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> friedman1([[0.5, 1.0, 0.5, 0.0, 0.0, 0.3]]).round(6)
    array([10.])
    """
    x1, x2, x3, x4, x5 = _as_table(X)[:, :5].T
    return 10 * np.sin(np.pi * x1 * x2) + 20 * (x3 - 0.5) ** 2 + 10 * x4 + 5 * x5


def main_effect(feature: str, values) -> np.ndarray:
    """The centred main effect ``f_j`` of one feature: ``E[f | x_j] - E[f]``.

    Parameters
    ----------
    feature : str
        One of :data:`FEATURES` (``"x1"`` to ``"x10"``).
    values : array-like
        Values of the feature in [0, 1].

    Returns
    -------
    ndarray
        ``f_j(values)``, zero for ``x6`` to ``x10``; its mean over a uniform feature
        is 0.

    Examples
    --------
    >>> main_effect("x4", [0.0, 0.5, 1.0])
    array([-5.,  0.,  5.])
    """
    if feature not in FEATURES:
        raise ValueError(f"feature must be one of {list(FEATURES)}; got {feature!r}")
    v = np.asarray(values, dtype=float)
    if feature in ("x1", "x2"):
        return _sine_mean(v) - _sine_constant()
    if feature == "x3":
        return 20 * (v - 0.5) ** 2 - 5 / 3
    if feature == "x4":
        return 10 * v - 5
    if feature == "x5":
        return 5 * v - 2.5
    return np.zeros_like(v)


def pure_interaction(x1, x2) -> np.ndarray:
    """The pure interaction ``f12``: ``10 sin(pi x1 x2)`` less main effects and mean.

    Parameters
    ----------
    x1, x2 : array-like of the same shape
        Values of ``x1`` and ``x2``.

    Returns
    -------
    ndarray
        Averages to zero over either feature (uniform on [0, 1]) for any value of the
        other.
    """
    x1, x2 = np.broadcast_arrays(
        np.asarray(x1, dtype=float), np.asarray(x2, dtype=float)
    )
    return (
        10 * np.sin(np.pi * x1 * x2)
        - _sine_mean(x1)
        - _sine_mean(x2)
        + _sine_constant()
    )


def true_shap_values(X) -> np.ndarray:
    """Interventional SHAP values of the generating function, row by row.

    With independent features each feature receives its own main effect and half of
    every pure interaction it takes part in: ``f1 + f12 / 2`` for ``x1``,
    ``f2 + f12 / 2`` for ``x2``, ``f_j`` for ``x3..x5`` and zero for every other
    column. The values of a row add up to ``f(x) - E[f]``.

    Parameters
    ----------
    X : array-like of shape (n, p), p >= 5
        Rows with ``x1..x5`` first; columns after the fifth (``x6..x10`` and any copy)
        get zero, since the function does not use them.

    Returns
    -------
    ndarray of shape (n, p)
    """
    X = _as_table(X)
    half = pure_interaction(X[:, 0], X[:, 1]) / 2
    out = np.zeros_like(X)
    for j in range(5):
        out[:, j] = main_effect(FEATURES[j], X[:, j])
    out[:, 0] += half
    out[:, 1] += half
    return out


def true_curves(X) -> dict:
    """The true curve of each one-feature method at the rows of ``X``, centred on them.

    Parameters
    ----------
    X : pandas.DataFrame of shape (n, p), p >= 5
        Rows with the columns ``x1..x5`` first, named as in :data:`FEATURES`; the
        function uses no other column, whose curves are zero.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"SHAP"``: :func:`true_shap_values`; ``"PD"`` and ``"ALE"``: the main effects
        (:func:`main_effect`). Each is shaped like ``X`` and less its mean over the
        rows, as estimated curves are centred on the rows they are read at.

    Examples
    --------
    >>> X = pd.DataFrame([[0.2] * 5, [0.6] * 5], columns=FEATURES[:5])
    >>> true_curves(X)["PD"]["x4"].tolist()
    [-2.0, 2.0]
    """
    if not isinstance(X, pd.DataFrame) or list(X.columns[:5]) != list(FEATURES[:5]):
        raise ValueError(
            "X must be a DataFrame whose first columns are x1..x5; got "
            f"{type(X).__name__} with columns {list(getattr(X, 'columns', []))[:5]}"
        )
    phi = pd.DataFrame(true_shap_values(X), X.index, X.columns)
    main = pd.DataFrame(
        {
            c: main_effect(c, X[c]) if c in FEATURES else np.zeros(len(X))
            for c in X.columns
        },
        X.index,
    )
    main = main - main.mean()
    return {"SHAP": phi - phi.mean(), "PD": main, "ALE": main.copy()}


@dataclass(frozen=True)
class Friedman1Truth:
    """The true summaries of ``make_friedman1``'s function, one truth per method.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature (``x1..x10``) with the columns ``main variance``
        (``Var f_j``), ``total variance`` (``Var f_j`` plus the pure interactions it
        takes part in), ``permutation`` (twice the total variance: the rise of the
        squared error when the feature is permuted), ``effect sd`` (``sqrt(Var f_j)``:
        the spread of the true partial dependence or ALE curve) and ``mean |SHAP|``
        (``E|phi_j|`` of :func:`true_shap_values`).
    mean : float
        ``E[f]``.
    variance : float
        ``Var f``, the sum of the main variances and the interaction variance.
    interaction_variance : float
        ``Var f12``; its square root is the population's unnormalized H of ``(x1, x2)``.
    interaction_mean_abs : float
        ``E|f12|``, the truth for the mean absolute SHAP interaction value of the pair
        (both halves together).
    """

    table: pd.DataFrame
    mean: float
    variance: float
    interaction_variance: float
    interaction_mean_abs: float


def friedman1_truth(panels: int = 50) -> Friedman1Truth:
    """Integrate the generating function's terms over the uniform unit cube.

    Parameters
    ----------
    panels : int, default 50
        Equal panels per dimension, each with 20 Gauss-Legendre nodes. The smooth
        integrals are exact to rounding with one panel; the absolute values
        (``mean |SHAP|``, ``E|f12|``) have kinks, and their error falls like
        ``1 / panels**2`` (below 1e-5 with 50).

    Returns
    -------
    Friedman1Truth

    Examples
    --------
    >>> truth = friedman1_truth(panels=5)
    >>> truth.table.loc["x4", "permutation"].round(4)  # 2 Var(10 x4) = 2 * 100 / 12
    np.float64(16.6667)
    """
    if not isinstance(panels, (int, np.integer)) or panels < 1:
        raise ValueError(f"panels must be a positive integer; got {panels!r}")
    t, w = _gauss(int(panels))
    a, b = np.meshgrid(t, t, indexing="ij")
    ww = np.outer(w, w)
    f1 = main_effect("x1", t)
    f12 = pure_interaction(a, b)
    v12 = float(np.sum(ww * f12**2))
    main = {c: float(w @ main_effect(c, t) ** 2) for c in FEATURES}
    mean_abs = {c: float(w @ np.abs(main_effect(c, t))) for c in FEATURES}
    # x1 (and by symmetry x2): its main effect plus half the pair's pure interaction
    mean_abs["x1"] = mean_abs["x2"] = float(np.sum(ww * np.abs(f1[:, None] + f12 / 2)))
    total = {c: main[c] + (v12 if c in ("x1", "x2") else 0.0) for c in FEATURES}
    table = pd.DataFrame(
        {
            "main variance": main,
            "total variance": total,
            "permutation": {c: 2 * v for c, v in total.items()},
            "effect sd": {c: np.sqrt(v) for c, v in main.items()},
            "mean |SHAP|": mean_abs,
        }
    )
    table.index.name = "feature"
    return Friedman1Truth(
        table=table,
        mean=_sine_constant() + 20 / 12 + 5 + 2.5,
        variance=float(sum(main.values()) + v12),
        interaction_variance=v12,
        interaction_mean_abs=float(np.sum(ww * np.abs(f12))),
    )


# -- summaries over repeated draws ----------------------------------------------------


def _groups(per_draw, column, by):
    if not isinstance(per_draw, pd.DataFrame):
        raise TypeError(
            "per_draw must be a DataFrame of one row per draw and method; "
            f"got {type(per_draw).__name__}"
        )
    missing = [c for c in (column, by) if c not in per_draw.columns]
    if missing:
        raise ValueError(
            f"per_draw has no column {missing[0]!r}; "
            f"its columns are {list(per_draw.columns)}"
        )
    return per_draw.groupby(by, sort=False)[column]


def mean_and_se(per_draw, column, *, by="method", percent=False) -> pd.Series:
    """``"mean ± standard error"`` of ``column`` over the draws, one cell per group.

    Parameters
    ----------
    per_draw : pandas.DataFrame
        One row per draw and method (missing values where a method does not measure
        ``column``).
    column : str
        The measured quantity.
    by : str, default "method"
        The column that names the groups.
    percent : bool, default False
        Show ``100 x`` the values as signed whole per cents; else three decimals.

    Returns
    -------
    pandas.Series of str
        ``"—"`` for a group without any value.

    Examples
    --------
    >>> frame = pd.DataFrame({"method": ["a", "a", "b"], "error": [0.1, 0.3, None]})
    >>> mean_and_se(frame, "error").to_dict()
    {'a': '0.200 ± 0.100', 'b': '—'}
    """
    form = "{:+.0f}% ± {:.0f}%" if percent else "{:.3f} ± {:.3f}"
    cells = {}
    for group, v in _groups(per_draw, column, by):
        v = v.dropna().astype(float) * (100 if percent else 1)
        cells[group] = form.format(v.mean(), v.sem()) if len(v) else "—"
    return pd.Series(cells, name=column)


def count_true(per_draw, column, *, by="method") -> pd.Series:
    """``"k of n"``: in how many of a group's draws ``column`` holds.

    Parameters
    ----------
    per_draw : pandas.DataFrame
        One row per draw and method; ``column`` holds True/False (or 1/0), missing
        where a method does not measure it.
    column, by : str
        The yes/no column and the column that names the groups.

    Returns
    -------
    pandas.Series of str
        ``"—"`` for a group without any value.
    """
    cells = {}
    for group, v in _groups(per_draw, column, by):
        v = v.dropna().astype(bool)
        cells[group] = f"{v.sum()} of {len(v)}" if len(v) else "—"
    return pd.Series(cells, name=column)


def paired_difference(per_draw, column, a, b, *, by="method", on="seed"):
    """Mean over the draws of group ``a``'s value minus ``b``'s, and its standard error.

    The two groups are matched draw by draw (``on``), so what both share in a draw (the
    table, the fitted model) cancels.

    Parameters
    ----------
    per_draw : pandas.DataFrame
        One row per draw and group.
    column : str
        The measured quantity.
    a, b : str
        The two groups (e.g. two methods).
    by, on : str
        The columns that name the groups and the draws.

    Returns
    -------
    (float, float)
        The mean difference and its standard error (``sd / sqrt(n_draws)``).

    Examples
    --------
    >>> frame = pd.DataFrame({"method": list("aabb"), "seed": [0, 1, 0, 1],
    ...                       "error": [0.3, 0.5, 0.1, 0.2]})
    >>> [round(v, 3) for v in paired_difference(frame, "error", "a", "b")]
    [0.25, 0.05]
    """
    values = {}
    for group in (a, b):
        rows = per_draw[per_draw[by] == group]
        if rows.empty:
            raise ValueError(f"no row of per_draw has {by} == {group!r}")
        values[group] = rows.set_index(on)[column].dropna()
    d = (values[a] - values[b]).dropna()
    if len(d) < 2:
        raise ValueError(
            f"{a!r} and {b!r} share {len(d)} draw(s) with a value of {column!r}; "
            "a standard error needs at least 2"
        )
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


def summary_table(per_draw, rows, *, counts=(), by="method") -> pd.DataFrame:
    """The summaries of several columns as one table of text, a column per group.

    Parameters
    ----------
    per_draw : pandas.DataFrame
        One row per draw and group (method).
    rows : dict of str to str
        The label of each row of the table and the column of ``per_draw`` it summarizes.
    counts : collection of str, default ()
        Columns that hold yes/no, shown as ``"k of n"`` (:func:`count_true`); every
        other column as ``"mean ± standard error"`` (:func:`mean_and_se`).
    by : str, default "method"
        The column that names the groups.

    Returns
    -------
    pandas.DataFrame of str
        One row per label of ``rows``, one column per group (in order of appearance).

    Examples
    --------
    >>> frame = pd.DataFrame({"method": ["a", "a"], "ok": [True, False],
    ...                       "error": [0.1, 0.3]})
    >>> table = summary_table(frame, {"ok": "ok", "error": "error"}, counts=["ok"])
    >>> table["a"].tolist()
    ['1 of 2', '0.200 ± 0.100']
    """
    return pd.DataFrame(
        {
            label: (count_true if column in counts else mean_and_se)(
                per_draw, column, by=by
            )
            for label, column in rows.items()
        }
    ).T


# -- drawing -------------------------------------------------------------------------

#: Colour of the truth's marks (a grey that reads on light and dark backgrounds), of the
#: pair known to interact and of every other pair (as on page J2).
TRUTH_COLOR = "0.45"
KNOWN_PAIR_COLOR = "C2"
OTHER_PAIR_COLOR = "C7"


def _axes(ax, figsize=(6, 4.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_scores_against_truth(
    scores, truth, *, errors=None, colors=None, markers="osD^v", labels=None, ax=None
):
    """Each method's score of each feature against its own truth; the diagonal is right.

    Parameters
    ----------
    scores, truth : pandas.DataFrame
        One row per feature, one column per method, on comparable scales (e.g. each
        method's scores and truth divided by the truth of its largest feature).
    errors : pandas.DataFrame, optional
        Half-widths of vertical error bars, shaped like ``scores``.
    colors : dict, optional
        Colour per method (column).
    markers : str, default "osD^v"
        One marker per method, in column order.
    labels : dict of str to list, optional
        A text per group of features (``{"x1, x2": ["x1", "x2"]}``), written below the
        diagonal at the group's mean truth for each method (once where methods agree).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.

    Returns
    -------
    matplotlib.axes.Axes
        One error-bar container per method in ``ax.containers``, the diagonal in
        ``ax.lines`` (labelled "truth").
    """
    if not isinstance(scores, pd.DataFrame) or not isinstance(truth, pd.DataFrame):
        raise TypeError("scores and truth must be DataFrames (features x methods)")
    if scores.shape != truth.shape or list(scores.columns) != list(truth.columns):
        raise ValueError(
            f"truth must have the rows and columns of scores; got {truth.shape} and "
            f"{list(truth.columns)} for {scores.shape} and {list(scores.columns)}"
        )
    if len(markers) < scores.shape[1]:
        raise ValueError(
            f"markers must hold one marker per method ({scores.shape[1]}); "
            f"got {markers!r}"
        )
    ax = _axes(ax)
    colors = colors or {}
    for method, marker in zip(scores.columns, markers):
        ax.errorbar(
            truth[method],
            scores.loc[truth.index, method],
            yerr=None if errors is None else errors.loc[truth.index, method],
            fmt=marker,
            color=colors.get(method),
            label=method,
            alpha=0.85,
        )
    ax.axline((0, 0), slope=1, color=TRUTH_COLOR, ls="--", lw=1, label="truth")
    placed = []
    for text, features in (labels or {}).items():
        for method in scores.columns:
            at = float(truth.loc[features, method].mean())
            if any(t == text and abs(at - p) < 0.05 for t, p in placed):
                continue  # methods whose truths nearly coincide share one label
            placed.append((text, at))
            ax.annotate(
                text, (at, at), xytext=(4, -16), textcoords="offset points",
                fontsize=9, color=TRUTH_COLOR,
            )  # fmt: skip
    ax.set(xlabel="truth", ylabel="estimate")
    ax.legend(loc="upper left")
    return ax


def plot_pair_finding(known, largest_other, *, ax=None):
    """Per method, one dot per draw: the known pair's score and the largest other's.

    Parameters
    ----------
    known, largest_other : dict of str to array-like
        Per method (the keys, in drawing order), one value per draw: the known pair's
        score and the largest score among the other pairs, each over the known pair's
        truth (so that the truth lies at 1).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.

    Returns
    -------
    matplotlib.axes.Axes
        Two scatter collections per method (known pair first) in ``ax.collections``.
    """
    if list(known) != list(largest_other):
        raise ValueError(
            f"largest_other must name the methods of known; got {list(largest_other)} "
            f"for {list(known)}"
        )
    ax = _axes(ax)
    top = 0.0
    for i, method in enumerate(known):
        k, o = (
            np.asarray(v, dtype=float).ravel()
            for v in (known[method], largest_other[method])
        )
        if k.shape != o.shape:
            raise ValueError(
                f"known and largest_other must hold one value per draw for {method!r}; "
                f"got {k.size} and {o.size}"
            )
        top = max(top, np.nanmax(np.r_[k, o]))
        spread = i + np.linspace(-0.12, 0.12, k.size)
        first = i == 0
        ax.scatter(spread, k, color=KNOWN_PAIR_COLOR, s=30,
                   label="known pair" if first else None)  # fmt: skip
        ax.scatter(spread, o, color=OTHER_PAIR_COLOR, s=30,
                   label="largest other pair" if first else None)  # fmt: skip
    ax.axhline(1, color=TRUTH_COLOR, ls="--", lw=1, label="truth")
    ax.set(xticks=range(len(known)), xticklabels=list(known),
           ylim=(0, max(1.3, 1.1 * top)),  # room for the legend above the truth
           ylabel="score / truth of the known pair")  # fmt: skip
    ax.legend(loc="upper center", ncol=3)
    return ax


def plot_credit_split(
    total, share, *, name="feature", errors=None, reference=None, colors=None, ax=None
):
    """Stacked bars per method: a feature's credit and its copy's, over its truth.

    Parameters
    ----------
    total : pandas.Series
        Per method (the index), the credit of the feature and its copy together, over
        the feature's truth.
    share : pandas.Series
        Per method, the copy's share of that total (0 to 1).
    name : str, default "feature"
        The feature's name, for the legend ("x4", "x4 copy", "truth of x4").
    errors : pandas.Series, optional
        Half-widths of error bars on the total.
    reference : pandas.Series, optional
        Per method, the feature's credit without the copy, drawn as a ring.
    colors : dict, optional
        Colour of each method's lower bar (the feature); the copy's part is grey.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.

    Returns
    -------
    matplotlib.axes.Axes
        The feature's bars, then the copy's, in ``ax.patches``.
    """
    total, share = pd.Series(total, dtype=float), pd.Series(share, dtype=float)
    if not total.index.equals(share.index):
        raise ValueError(
            f"share must be indexed by the methods of total; got {list(share.index)} "
            f"for {list(total.index)}"
        )
    if ((share < 0) | (share > 1)).any():
        raise ValueError(
            f"share must lie between 0 and 1; got {share.round(3).to_dict()}"
        )
    ax = _axes(ax)
    names = [str(m) for m in total.index]
    own = total * (1 - share)
    colors = [(colors or {}).get(m, "C0") for m in total.index]
    ax.bar(names, own, color=colors, label=name)
    ax.bar(names, total * share, bottom=own, color=OTHER_PAIR_COLOR,
           label=f"{name} copy", yerr=errors, capsize=4)  # fmt: skip
    if reference is not None:
        ring = pd.Series(reference)[total.index]
        ax.scatter(names, ring, s=60, facecolor="none", edgecolor=TRUTH_COLOR,
                   zorder=3, label=f"{name}, no copy")  # fmt: skip
    ax.axhline(1, color=TRUTH_COLOR, ls="--", lw=1, label=f"truth of {name}")
    ax.set(ylabel=f"credit / truth of {name}", ylim=(0, 1.35))
    ax.legend(loc="upper center", ncol=2)
    return ax


def plot_effect_curves(
    x, curves, *, truth=None, points=("SHAP",), colors=None, ax=None
):
    """One feature's estimated effects at the rows' values, with its true curve.

    Parameters
    ----------
    x : array-like of shape (n,)
        The feature's value in each row.
    curves : dict of str to array-like of shape (n,)
        Per method (the keys, in drawing order), its centred effect at each row.
    truth : array-like of shape (n,), optional
        The true curve at each row, dashed.
    points : collection of str, default ("SHAP",)
        Methods drawn as one dot per row (their value differs between rows with the
        same ``x``); the others as lines through the rows in the order of ``x``.
    colors : dict, optional
        Colour per method.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.

    Returns
    -------
    matplotlib.axes.Axes
        The methods' lines and then the truth's in ``ax.lines``, the dots in
        ``ax.collections``.
    """
    x = np.asarray(x, dtype=float).ravel()
    values = {m: np.asarray(v, dtype=float).ravel() for m, v in curves.items()}
    if truth is not None:
        truth = np.asarray(truth, dtype=float).ravel()
    given = {**values, "truth": truth} if truth is not None else values
    wrong = {m: v.size for m, v in given.items() if v.size != x.size}
    if wrong:
        raise ValueError(
            f"curves and truth must hold one value per row of x ({x.size}); got {wrong}"
        )
    ax = _axes(ax)
    order, colors = np.argsort(x), colors or {}
    for method, v in values.items():
        if method in points:
            ax.scatter(x, v, s=8, color=colors.get(method), alpha=0.35,
                       label=f"{method}, per row")  # fmt: skip
        else:
            ax.plot(x[order], v[order], lw=2, color=colors.get(method), label=method)
    if truth is not None:
        ax.plot(x[order], truth[order], color=TRUTH_COLOR, ls="--", lw=2,
                label="true main effect")  # fmt: skip
    ax.set(ylabel="centred effect on y")
    ax.legend(loc="upper left")
    return ax
