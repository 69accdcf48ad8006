"""Tables behind the performance pages (catalog section C) that scikit-learn lacks.

The curves, scores and reports that scikit-learn computes (ROC and precision-recall
curves, average precision, calibration curves, the classification report) are called
from :mod:`sklearn.metrics` and :mod:`sklearn.calibration` on the pages themselves.
What remains here rearranges scikit-learn's output for a page to draw (a grid search's
scores as a rows x columns table, the largest cells of a confusion matrix) and puts an
uncertainty on a test-set score, so that a page ranks two close scores only when the
test set can tell them apart (:func:`bootstrap_interval`,
:func:`bootstrap_difference`, both calling :func:`scipy.stats.bootstrap`). Each
function returns plain data (a DataFrame or an :class:`Interval`), apart from drawing,
so that a test can check it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import bootstrap

from ..config import SEED

__all__ = [
    "Interval",
    "bootstrap_difference",
    "bootstrap_interval",
    "grid_search_table",
    "top_confusions",
]


class Interval(NamedTuple):
    """A score on the whole test set and its bootstrap confidence interval."""

    #: The score (or difference of scores) on the test set as it is.
    estimate: float
    #: Lower end of the confidence interval.
    low: float
    #: Upper end of the confidence interval.
    high: float

    def excludes(self, value: float = 0.0) -> bool:
        """Whether ``value`` lies outside the interval (e.g. 0 for a difference)."""
        return not self.low <= value <= self.high

    def __format__(self, spec: str) -> str:
        """``f"{interval:.3f}"`` gives ``"0.012 [0.003, 0.021]"``."""
        return (
            f"{format(self.estimate, spec)} "
            f"[{format(self.low, spec)}, {format(self.high, spec)}]"
        )


def _check_bootstrap_inputs(y_true, scores: dict, n_resamples, confidence_level):
    y_true = np.asarray(y_true)
    if y_true.ndim != 1 or len(y_true) < 2:
        raise ValueError(f"y_true must be 1-D with at least 2 samples; got shape {y_true.shape}")
    arrays = []
    for name, score in scores.items():
        score = np.asarray(score)
        if score.shape[:1] != y_true.shape:
            raise ValueError(
                f"{name} must have one row per sample of y_true ({len(y_true)}); got shape {score.shape}"
            )
        arrays.append(score)
    if not isinstance(n_resamples, (int, np.integer)) or n_resamples < 10:
        raise ValueError(f"n_resamples must be an integer >= 10; got {n_resamples!r}")
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must lie strictly between 0 and 1; got {confidence_level!r}")
    return y_true, arrays


def bootstrap_interval(
    metric: Callable,
    y_true,
    y_score,
    *,
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    random_state: int = SEED,
) -> Interval:
    """A test-set score with a percentile bootstrap confidence interval.

    The test samples are drawn with replacement ``n_resamples`` times and the score is
    recomputed on each draw (:func:`scipy.stats.bootstrap`, ``method="percentile"``).
    The interval says how much the score would move on another test set of the same
    size from the same population; it does not cover the randomness of training.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_score) -> float``, e.g. :func:`sklearn.metrics.roc_auc_score`.
    y_true : array-like of shape (n_samples,)
        The true labels or values.
    y_score : array-like of shape (n_samples, ...)
        What ``metric`` takes as its second argument (scores, probabilities,
        predictions), one row per sample.
    n_resamples : int, default 1000
        Number of bootstrap draws.
    confidence_level : float, default 0.95
        Coverage of the interval.
    random_state : int, default ``mlviz.config.SEED``
        Seed of the draws: the same inputs give the same interval.

    Returns
    -------
    Interval
        ``estimate`` (the score on the whole test set), ``low`` and ``high``.

    Raises
    ------
    ValueError
        If the arrays do not have one row per sample, ``n_resamples < 10``,
        ``confidence_level`` is not in (0, 1), or ``metric`` gives no finite score on
        some draw (e.g. ROC-AUC on a draw without positives: the test set is too small
        for the bootstrap).

    Examples
    --------
    >>> from sklearn.metrics import roc_auc_score
    >>> y = [0, 1] * 50
    >>> score = [0.2, 0.7] * 45 + [0.9, 0.1] * 5
    >>> auc = bootstrap_interval(roc_auc_score, y, score, n_resamples=200)
    >>> round(auc.estimate, 2), bool(auc.low < auc.estimate < auc.high)
    (0.81, True)
    """
    y_true, (y_score,) = _check_bootstrap_inputs(y_true, {"y_score": y_score}, n_resamples, confidence_level)

    def score(rows):
        return metric(y_true[rows], y_score[rows])

    return _percentile_bootstrap(score, len(y_true), n_resamples, confidence_level, random_state)


def _percentile_bootstrap(statistic, n_samples, n_resamples, confidence_level, random_state) -> Interval:
    """Resample the row numbers (so that every array is resampled alike) and score each draw."""
    rows = np.arange(n_samples)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = bootstrap(
            (rows,),
            statistic,
            vectorized=False,
            n_resamples=n_resamples,
            confidence_level=confidence_level,
            method="percentile",
            rng=np.random.default_rng(random_state),
        )
    draws = np.asarray(result.bootstrap_distribution, dtype=float)
    if not np.all(np.isfinite(draws)):
        # scipy (and the metric) warned about the same thing; this error says it once
        raise ValueError(
            f"the metric gave no finite score on {int(np.sum(~np.isfinite(draws)))} of {n_resamples} "
            "bootstrap draws (e.g. a draw without positives); the test set is too small for this interval"
        )
    for warning in caught:  # anything else is passed on as it was
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    ci = result.confidence_interval
    return Interval(float(statistic(rows)), float(ci.low), float(ci.high))


def bootstrap_difference(
    metric: Callable,
    y_true,
    score_a,
    score_b,
    *,
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    random_state: int = SEED,
) -> Interval:
    """``metric(a) - metric(b)`` on one test set, with a paired bootstrap interval.

    Both models are scored on the *same* resampled test samples in every draw, so the
    interval reflects how much the two scores differ, not how much each moves on its
    own: two models that err on the same hard samples can be told apart by a smaller
    difference than their separate intervals suggest. An interval that contains 0
    means the test set cannot rank the two.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_score) -> float``.
    y_true : array-like of shape (n_samples,)
        The true labels or values.
    score_a, score_b : array-like of shape (n_samples, ...)
        What each model gives ``metric`` on the same samples.
    n_resamples, confidence_level, random_state
        As in :func:`bootstrap_interval`.

    Returns
    -------
    Interval
        ``estimate`` (the difference on the whole test set), ``low`` and ``high``.

    Raises
    ------
    ValueError
        As in :func:`bootstrap_interval`.
    """
    y_true, (score_a, score_b) = _check_bootstrap_inputs(
        y_true, {"score_a": score_a, "score_b": score_b}, n_resamples, confidence_level
    )

    def difference(rows):
        return metric(y_true[rows], score_a[rows]) - metric(y_true[rows], score_b[rows])

    return _percentile_bootstrap(difference, len(y_true), n_resamples, confidence_level, random_state)


def grid_search_table(cv_results, row_param: str, col_param: str, *, score: str = "mean_test_score") -> pd.DataFrame:
    """Arrange a two-parameter grid search's scores as a rows x columns table.

    Parameters
    ----------
    cv_results : dict
        ``GridSearchCV(...).cv_results_`` of a search over exactly two parameters.
    row_param, col_param : str
        The parameter names as in the grid (e.g. ``"C"``, ``"gamma"`` or
        ``"svc__C"``); their values become the index and the columns, sorted.
    score : str, default "mean_test_score"
        The ``cv_results_`` key to tabulate (e.g. ``"std_test_score"``).

    Returns
    -------
    DataFrame
        One row per value of ``row_param``, one column per value of ``col_param``.
    """
    keys = {k[len("param_") :] for k in cv_results if k.startswith("param_")}
    for name, value in (("row_param", row_param), ("col_param", col_param)):
        if value not in keys:
            raise ValueError(f"{name}={value!r} is not a parameter of this search; choose from {sorted(keys)}")
    if keys != {row_param, col_param}:
        raise ValueError(f"the search must vary exactly row_param and col_param; it varies {sorted(keys)}")
    if score not in cv_results:
        raise ValueError(f"score={score!r} is not in cv_results; e.g. 'mean_test_score' or 'std_test_score'")
    long = pd.DataFrame(
        {
            row_param: np.asarray(cv_results[f"param_{row_param}"], dtype=float),
            col_param: np.asarray(cv_results[f"param_{col_param}"], dtype=float),
            score: np.asarray(cv_results[score], dtype=float),
        }
    )
    return long.pivot(index=row_param, columns=col_param, values=score).sort_index().sort_index(axis=1)


def top_confusions(matrix, labels, *, top: int = 3) -> pd.DataFrame:
    """The largest off-diagonal cells of a confusion matrix.

    Parameters
    ----------
    matrix : array-like of shape (n_classes, n_classes)
        Confusion matrix, rows = true class, columns = predicted class (counts or
        row-normalized rates).
    labels : sequence of str
        The class names, in the matrix's order.
    top : int, default 3
        How many cells to return.

    Returns
    -------
    DataFrame
        Columns ``true``, ``predicted`` and ``value``, largest value first.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square; got shape {matrix.shape}")
    if len(labels) != matrix.shape[0]:
        raise ValueError(f"labels must name every class: {len(labels)} labels for {matrix.shape[0]} classes")
    off = matrix.copy()
    np.fill_diagonal(off, -np.inf)
    flat = np.argsort(off, axis=None, kind="stable")[::-1][:top]
    rows, cols = np.unravel_index(flat, matrix.shape)
    return pd.DataFrame(
        {"true": [labels[i] for i in rows], "predicted": [labels[j] for j in cols], "value": matrix[rows, cols]}
    )
