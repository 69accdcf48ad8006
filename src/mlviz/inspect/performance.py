"""Tables behind the performance pages (catalog section C) that scikit-learn lacks.

The curves, scores and reports that scikit-learn computes (ROC and precision-recall
curves, average precision, calibration curves, the classification report) are called
from :mod:`sklearn.metrics` and :mod:`sklearn.calibration` on the pages themselves.
What remains here rearranges scikit-learn's output for a page to draw: a grid search's
scores as a rows x columns table, and the largest cells of a confusion matrix. Each
function returns a plain DataFrame, apart from drawing, so that a test can check it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "grid_search_table",
    "top_confusions",
]


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
