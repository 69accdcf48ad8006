"""Counterfactual explanations on a grid of observed values, found by a growing sphere.

A counterfactual explanation of a decision (Wachter, Mittelstadt and Russell, 2018) is
a nearby input that the model decides the other way: "had your GMAT been higher by
this much, the model would have admitted you". This module finds several of them for one
row of a table:

* **What may change.** Numeric features take values observed in a reference table
  (training data), optionally only values at least as large as the row's own
  (``increasing``: work experience cannot fall); a categorical feature, one-hot encoded
  as a group of 0/1 columns, takes one of its observed categories. Every other column
  is held fixed (immutable features are never listed).
* **Distance.** Wachter et al.'s L1 distance, each numeric change divided by the
  feature's median absolute deviation (MAD) in the reference table, plus 1 for each
  categorical feature whose category changes (as DiCE does; Mothilal, Sharma and Tan,
  2020).
* **Search.** Every candidate on the grid is sorted by its distance, and the model
  decides them in batches from the nearest outwards (a growing sphere, Laugel et al.
  2018, made exact by the finite grid): the first flip found is the cheapest one on
  the grid, and no change in it can be reverted without losing the flip (the reverted
  row is cheaper and was decided earlier).
* **Diversity.** Each further counterfactual is the cheapest flip that (1) is sparse
  in the same sense, (2) does not make every change of an earlier one at least as far
  (an earlier route with larger or extra steps), and (3) lies at least
  ``min_separation`` from each earlier one, in the same distance (DiCE's idea of
  diversity, as a constraint rather than a penalty).

Page J3 writes the search out; :func:`find_counterfactuals` is the same search for reuse,
checked in the tests against a brute-force search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "CounterfactualGrid",
    "Counterfactuals",
    "counterfactual_grid",
    "find_counterfactuals",
    "mad_scale",
    "one_hot_groups",
]

#: Distances are rounded to this many decimals before sorting, so that ties (a GPA step
#: of one MAD against one more year) are broken by fewer changes, not by rounding.
_DECIMALS = 9


def mad_scale(X_reference: pd.DataFrame, columns) -> pd.Series:
    """The median absolute deviation of each numeric column: Wachter et al.'s scale.

    Parameters
    ----------
    X_reference : DataFrame
        The table the scale is measured on (the training set).
    columns : list of str
        Numeric columns of ``X_reference``.

    Returns
    -------
    Series
        ``median(|x - median(x)|)`` per column, indexed by column name.

    Raises
    ------
    ValueError
        If a column is missing or its MAD is zero (more than half the rows share one
        value), which would make every change of it infinitely far.

    Examples
    --------
    >>> mad_scale(pd.DataFrame({"a": [1.0, 2.0, 4.0]}), ["a"]).tolist()
    [1.0]
    """
    X_reference = _frame(X_reference, "X_reference")
    columns = list(columns)
    _require_columns(X_reference, columns, "columns")
    values = X_reference[columns].astype(float)
    mad = (values - values.median()).abs().median()
    zero = mad.index[~(mad > 0)].tolist()
    if zero:
        raise ValueError(
            f"columns {zero} have a median absolute deviation of 0 in X_reference; "
            "give them as categorical features or pass scale= explicitly"
        )
    return mad


def one_hot_groups(columns, prefixes) -> dict[str, list[str]]:
    """The one-hot columns of each categorical feature, found by their prefix.

    Parameters
    ----------
    columns : list of str
        The model's columns, e.g. ``["gpa", "major_STEM", "major_Business"]``.
    prefixes : list of str
        The categorical features, e.g. ``["major"]``; a column belongs to a feature when
        it starts with ``prefix + "_"``.

    Returns
    -------
    dict
        ``{prefix: [columns]}`` in the order the columns come.

    Raises
    ------
    ValueError
        If a prefix matches no column.

    Examples
    --------
    >>> one_hot_groups(["gpa", "major_STEM", "major_Arts"], ["major"])
    {'major': ['major_STEM', 'major_Arts']}
    """
    columns = list(columns)
    groups = {}
    for prefix in prefixes:
        groups[prefix] = [c for c in columns if str(c).startswith(f"{prefix}_")]
        if not groups[prefix]:
            raise ValueError(
                f"prefixes: {prefix!r} matches no column (looked for '{prefix}_...')"
            )
    return groups


@dataclass(frozen=True)
class CounterfactualGrid:
    """Every candidate for one row, as indices into each feature's allowed values.

    Attributes
    ----------
    x : Series
        The original row (model columns).
    features : list of str
        The features that may change: numeric columns, then categorical groups.
    values : dict
        Allowed values per feature: numbers for a numeric feature, one-hot column names
        for a categorical one.
    scale : dict
        Each numeric feature's scale (its MAD); ``None`` for a categorical feature.
    origin : tuple of int
        ``x``'s own choice for each feature, an index into ``values[feature]``.
    index : ndarray of shape (n_candidates, n_features)
        Each candidate's choice, an index into ``values[feature]``; sorted nearest first.
    distance : ndarray of shape (n_candidates,)
        Each candidate's distance from ``x``.
    changed : ndarray of shape (n_candidates,), int
        Bit ``j`` set when feature ``features[j]`` changes.
    position : ndarray
        Where each point of the full grid (``np.ravel_multi_index`` of its choices) lies
        among the sorted candidates; -1 for ``x`` itself.
    """

    x: pd.Series
    features: list
    values: dict
    scale: dict
    origin: tuple
    index: np.ndarray
    distance: np.ndarray
    changed: np.ndarray
    position: np.ndarray

    @property
    def shape(self) -> tuple:
        """The number of allowed values of each feature."""
        return tuple(len(self.values[f]) for f in self.features)

    def rows(self, which) -> pd.DataFrame:
        """The candidates ``which`` (positions in the grid) as rows of the model's table."""
        which = np.asarray(which, dtype=int).reshape(-1)
        columns = list(self.x.index)
        out = np.repeat(self.x.to_numpy(dtype=float)[None, :], len(which), axis=0)
        for j, feature in enumerate(self.features):
            chosen = self.index[which, j]
            if self.scale[feature] is None:  # a one-hot group
                where = np.array([columns.index(c) for c in self.values[feature]])
                out[:, where] = 0.0
                out[np.arange(len(which)), where[chosen]] = 1.0
            else:
                out[:, columns.index(feature)] = np.asarray(self.values[feature])[
                    chosen
                ]
        return pd.DataFrame(out, columns=columns)

    def changed_features(self, which) -> list[tuple[str, ...]]:
        """The names of the features each candidate in ``which`` changes."""
        masks = self.changed[np.asarray(which, dtype=int).reshape(-1)]
        return [
            tuple(f for j, f in enumerate(self.features) if m >> j & 1) for m in masks
        ]

    def reverted(self, i: int, j: int) -> int:
        """The position of candidate ``i`` with feature ``j`` set back to ``x``'s (-1: ``x``)."""
        choice = self.index[i].copy()
        choice[j] = self.origin[j]
        return int(self.position[np.ravel_multi_index(tuple(choice), self.shape)])

    def between(self, i: int, k: int) -> float:
        """The distance between candidates ``i`` and ``k``, in the same units as ``distance``."""
        total = 0.0
        for j, feature in enumerate(self.features):
            a, b = self.index[i, j], self.index[k, j]
            if self.scale[feature] is None:
                total += float(a != b)
            else:
                values = self.values[feature]
                total += abs(values[a] - values[b]) / self.scale[feature]
        return total

    def extends(self, i: int, k: int) -> bool:
        """Whether candidate ``i`` makes every change of ``k``, each at least as far.

        Such a candidate is ``k`` with larger or extra steps: no new route to the flip.
        """
        for j, feature in enumerate(self.features):
            own, a, b = self.origin[j], self.index[i, j], self.index[k, j]
            if b == own:
                continue
            if self.scale[feature] is None:
                if a != b:
                    return False
            else:
                values = self.values[feature]
                step_k, step_i = values[b] - values[own], values[a] - values[own]
                if step_i * np.sign(step_k) < abs(step_k):
                    return False
        return True


def counterfactual_grid(
    x, X_reference, *, numeric=(), categorical=None, increasing=(), scale=None
) -> CounterfactualGrid:
    """Every candidate counterfactual of row ``x`` on the grid of observed values.

    Parameters
    ----------
    x : Series
        The row to explain, indexed by the model's columns.
    X_reference : DataFrame
        Where the allowed values and the MAD scale come from (the training set).
    numeric : list of str
        Numeric columns that may change, to values observed in ``X_reference`` (and to
        ``x``'s own value).
    categorical : dict, optional
        ``{feature: [one-hot columns]}`` (see :func:`one_hot_groups`) that may change
        to any observed category. Columns in neither ``numeric`` nor ``categorical``
        are held fixed.
    increasing : list of str
        Members of ``numeric`` that may only rise (or stay).
    scale : Series, optional
        Scale of each numeric feature; :func:`mad_scale` of ``X_reference`` when absent.

    Returns
    -------
    CounterfactualGrid
        Candidates that change at least one feature, nearest first; ties go to fewer
        changes, then to the order of the grid.

    Raises
    ------
    ValueError
        If a name is not a column, a feature is listed twice, ``increasing`` names a
        non-numeric feature, or ``x`` does not hold exactly one category of a group.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 5.0], "c_u": [1.0, 0, 1, 0], "c_v": [0.0, 1, 0, 1]})
    >>> grid = counterfactual_grid(X.iloc[0], X, numeric=["a"], categorical={"c": ["c_u", "c_v"]})
    >>> grid.distance.round(2).tolist()  # MAD of a is 1.0: one category, then a + 1, ...
    [1.0, 1.0, 2.0, 2.0, 3.0, 4.0, 5.0]
    """
    X_reference = _frame(X_reference, "X_reference")
    if not isinstance(x, pd.Series):
        raise TypeError(
            f"x must be a pandas Series indexed by the model's columns; got {type(x).__name__}"
        )
    if list(x.index) != list(X_reference.columns):
        raise ValueError(
            "x must be indexed by X_reference's columns, in the same order"
        )
    numeric, categorical = list(numeric), dict(categorical or {})
    _require_columns(X_reference, numeric, "numeric")
    for name, group in categorical.items():
        _require_columns(X_reference, list(group), f"categorical[{name!r}]")
    listed = numeric + [c for group in categorical.values() for c in group]
    if len(set(listed)) != len(listed):
        raise ValueError("numeric and categorical name some column twice")
    if not listed:
        raise ValueError("nothing may change: give numeric= or categorical= features")
    unknown = [c for c in increasing if c not in numeric]
    if unknown:
        raise ValueError(f"increasing must name numeric features; got {unknown}")
    if scale is None:
        scale = mad_scale(X_reference, numeric) if numeric else pd.Series(dtype=float)
    bad = [c for c in numeric if not (c in scale.index and float(scale[c]) > 0)]
    if bad:
        raise ValueError(
            f"scale must hold a positive number for each numeric feature; missing or not positive: {bad}"
        )

    features, values, scales, steps, origin = [], {}, {}, [], []
    for column in numeric:
        own = float(x[column])
        allowed = np.union1d(X_reference[column].to_numpy(dtype=float), [own])
        if column in increasing:
            allowed = allowed[allowed >= own]
        features.append(column)
        values[column], scales[column] = allowed, float(scale[column])
        steps.append(np.abs(allowed - own) / scales[column])
        origin.append(int(np.flatnonzero(allowed == own)[0]))
    for name, group in categorical.items():
        hot = x[list(group)].to_numpy(dtype=float)
        if not (np.isin(hot, (0.0, 1.0)).all() and hot.sum() == 1):
            raise ValueError(
                f"x must hold exactly one category of {name!r}; got {dict(zip(group, hot))}"
            )
        observed = [c for c in group if X_reference[c].max() == 1 or x[c] == 1]
        features.append(name)
        values[name], scales[name] = observed, None
        own = observed.index(group[int(np.argmax(hot))])
        steps.append((np.arange(len(observed)) != own).astype(float))
        origin.append(own)

    if len(features) > 30:
        raise ValueError(f"at most 30 features may change; got {len(features)}")
    shape = tuple(len(s) for s in steps)
    size = int(np.prod(shape))
    small = np.int16 if max(shape) < 2**15 else np.int32
    index = np.indices(shape, dtype=small).reshape(len(shape), -1).T  # row r: flat id r
    distance = np.zeros(size)
    changed = np.zeros(size, dtype=np.int32)
    for j, step in enumerate(steps):  # term by term, in a fixed order
        distance = distance + step[index[:, j]]
        changed |= (index[:, j] != origin[j]).astype(np.int32) << j
    n_changed = np.zeros(size, dtype=np.int8)
    for j in range(len(features)):
        n_changed += (changed >> j & 1).astype(np.int8)
    order = np.lexsort((np.arange(size), n_changed, np.round(distance, _DECIMALS)))
    order = order[changed[order] != 0]  # x itself is no candidate
    position = np.full(size, -1, dtype=np.int32 if size < 2**31 else np.int64)
    position[order] = np.arange(len(order))
    return CounterfactualGrid(
        x,
        features,
        values,
        scales,
        tuple(origin),
        index[order],
        distance[order],
        changed[order],
        position,
    )


@dataclass(frozen=True)
class Counterfactuals:
    """Counterfactuals of one row, cheapest first.

    Attributes
    ----------
    x : Series
        The original row.
    rows : DataFrame
        One counterfactual per row, in the model's columns.
    positions : ndarray of int
        Where each lies in the grid it was found on.
    distance : ndarray
        Each one's distance from ``x``.
    changed : list of tuple of str
        The features each one changes.
    proba_original : float
        The model's probability of the desired class for ``x``.
    proba : ndarray
        The same for each counterfactual.
    n_evaluated, n_flips : int
        How many candidates the model decided, and how many of those it flipped.
    searched_to : float
        The largest distance decided: every candidate nearer than this was decided.
    """

    x: pd.Series
    rows: pd.DataFrame
    positions: np.ndarray
    distance: np.ndarray
    changed: list
    proba_original: float
    proba: np.ndarray
    n_evaluated: int
    n_flips: int
    searched_to: float


def find_counterfactuals(
    model,
    grid: CounterfactualGrid,
    *,
    desired=True,
    n_counterfactuals: int = 4,
    min_separation: float = 1.0,
    max_distance: float = np.inf,
    batch_size: int = 8192,
) -> Counterfactuals:
    """The cheapest flips on ``grid``, each a new route (see the module's notes).

    The model decides the candidates nearest first. A candidate it flips is kept when

    1. none of its changes can be undone without losing the flip (each one-feature
       reversion is nearer, so it was decided already);
    2. it does not make every change of a kept counterfactual, each at least as far
       (:meth:`CounterfactualGrid.extends`);
    3. it lies at least ``min_separation`` from each kept counterfactual.

    Parameters
    ----------
    model : classifier
        Fitted, with ``classes_``, ``predict`` and ``predict_proba`` on tables like
        ``grid.x``.
    grid : CounterfactualGrid
        From :func:`counterfactual_grid`.
    desired : label, default True
        The decision a counterfactual must reach (``model.predict`` equals it).
    n_counterfactuals : int, default 4
        How many to find; fewer come back when the grid holds no more within
        ``max_distance``.
    min_separation : float, default 1.0
        Distance each counterfactual keeps from the cheaper ones (0 for none).
    max_distance : float, default inf
        Candidates farther than this are not decided.
    batch_size : int, default 8192
        How many candidates the model decides at once.

    Returns
    -------
    Counterfactuals

    Raises
    ------
    ValueError
        If ``desired`` is not one of the model's classes, the model already decides it
        for ``grid.x``, or a number is out of range.
    """
    if not isinstance(grid, CounterfactualGrid):
        raise TypeError(
            f"grid must come from counterfactual_grid(); got {type(grid).__name__}"
        )
    for name, value in (
        ("n_counterfactuals", n_counterfactuals),
        ("batch_size", batch_size),
    ):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    for name, value in (
        ("min_separation", min_separation),
        ("max_distance", max_distance),
    ):
        if not value >= 0:
            raise ValueError(f"{name} must be a distance of 0 or more; got {value!r}")
    classes = list(getattr(model, "classes_", []))
    if desired not in classes:
        raise ValueError(
            f"desired must be one of the model's classes {classes}; got {desired!r}"
        )
    column = classes.index(desired)
    original = grid.x.to_frame().T.astype(float)
    if model.predict(original)[0] == desired:
        raise ValueError(
            f"the model already decides {desired!r} for x: there is nothing to flip"
        )

    n = int(np.searchsorted(grid.distance, max_distance, side="right"))
    flips = np.zeros(n, dtype=bool)
    found, start = [], 0
    while len(found) < n_counterfactuals and start < n:
        batch = np.arange(start, min(start + batch_size, n))
        flips[batch] = model.predict(grid.rows(batch)) == desired
        for i in batch[flips[batch]]:
            reverts = [
                grid.reverted(i, j)
                for j in range(len(grid.features))
                if grid.changed[i] >> j & 1
            ]
            if any(p >= 0 and flips[p] for p in reverts):
                continue
            if any(
                grid.extends(i, k) or grid.between(i, k) < min_separation for k in found
            ):
                continue
            found.append(int(i))
            if len(found) == n_counterfactuals:
                batch = batch[batch <= i]  # what was decided up to here
                break
        start = batch[-1] + 1
    rows = grid.rows(found)
    proba = model.predict_proba(rows)[:, column] if found else np.array([])
    return Counterfactuals(
        x=grid.x,
        rows=rows,
        positions=np.array(found, dtype=int),
        distance=grid.distance[found],
        changed=grid.changed_features(found),
        proba_original=float(model.predict_proba(original)[0, column]),
        proba=np.asarray(proba, dtype=float),
        n_evaluated=int(start),
        n_flips=int(flips[:start].sum()),
        searched_to=float(grid.distance[start - 1]) if start else 0.0,
    )


def _frame(X, name):
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(X).__name__}")
    return X


def _require_columns(X, columns, name):
    missing = [c for c in columns if c not in X.columns]
    if missing:
        raise ValueError(f"{name} names columns that X_reference lacks: {missing}")
