"""Tables behind the performance pages (catalog section C), computed apart from drawing.

Each function returns a plain DataFrame or number, so that a page can draw it and a
test can check it against scikit-learn's metric functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import auc, precision_recall_fscore_support, roc_curve

__all__ = [
    "average_precision_from_curve",
    "classification_report_frame",
    "grid_search_table",
    "one_vs_rest_roc",
    "reliability_table",
    "top_confusions",
]


def classification_report_frame(y_true, y_pred, *, labels=None) -> pd.DataFrame:
    """Per-class precision, recall, F1 and support, as a DataFrame.

    The same numbers as :func:`sklearn.metrics.classification_report`, in a table that
    can be drawn as a heatmap, plus two summary rows: the unweighted (``macro avg``)
    and the support-weighted (``weighted avg``) means.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels.
    labels : sequence, optional
        The classes, in the order of the rows; default: the sorted union of both.

    Returns
    -------
    DataFrame
        Index: the classes then ``"macro avg"`` and ``"weighted avg"``; columns
        ``precision``, ``recall``, ``f1-score`` (floats in [0, 1]) and ``support``
        (number of true samples; the total on both summary rows).
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D arrays of the same length; got shapes {y_true.shape} and {y_pred.shape}"
        )
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    labels = list(labels)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    table = pd.DataFrame({"precision": p, "recall": r, "f1-score": f, "support": s}, index=[str(c) for c in labels])
    metrics = ["precision", "recall", "f1-score"]
    total = int(s.sum())
    table.loc["macro avg"] = [*table[metrics].mean(), total]
    table.loc["weighted avg"] = [*np.average(table[metrics].iloc[: len(labels)], axis=0, weights=s), total]
    table["support"] = table["support"].astype(int)
    return table


def average_precision_from_curve(precision, recall) -> float:
    """Average precision: the step-wise area under a precision-recall curve.

    ``AP = sum_k (R_k - R_{k-1}) P_k``: each gain in recall is weighted by the
    precision reached there. No interpolation is done (that would be optimistic); this is
    the definition :func:`sklearn.metrics.average_precision_score` uses.

    Parameters
    ----------
    precision, recall : array-like of shape (n,)
        As returned by :func:`sklearn.metrics.precision_recall_curve` (recall
        decreasing, ending at 0 with precision 1).

    Returns
    -------
    float
    """
    precision = np.asarray(precision, dtype=float)
    recall = np.asarray(recall, dtype=float)
    if precision.shape != recall.shape or precision.ndim != 1:
        raise ValueError(
            f"precision and recall must be 1-D arrays of the same length; got shapes {precision.shape} and {recall.shape}"
        )
    if np.any(np.diff(recall) > 0):
        raise ValueError("recall must be non-increasing, as precision_recall_curve returns it")
    return float(-np.sum(np.diff(recall) * precision[:-1]))


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


def one_vs_rest_roc(y_true, proba, classes) -> pd.DataFrame:
    """ROC curve and AUC of each class against all the others.

    A multiclass model gives one probability per class; treating "class k" as the
    positive label and every other class as negative turns it into ``n_classes``
    binary problems, each with its own ROC curve.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels.
    proba : array-like of shape (n, n_classes)
        Predicted probabilities (or scores), column ``k`` for ``classes[k]``, as
        ``predict_proba`` returns them.
    classes : sequence
        The class of each column (``model.classes_``).

    Returns
    -------
    DataFrame
        One row per class (index: the class), with columns ``fpr`` and ``tpr`` (arrays)
        and ``auc`` (float), and ``prevalence`` (share of the class in ``y_true``). The
        mean of ``auc`` is the macro one-vs-rest AUC,
        ``roc_auc_score(y_true, proba, multi_class="ovr")``.
    """
    y_true = np.asarray(y_true)
    proba = np.asarray(proba, dtype=float)
    classes = list(classes)
    if proba.ndim != 2 or proba.shape != (len(y_true), len(classes)):
        raise ValueError(
            f"proba must have shape (n_samples, n_classes) = ({len(y_true)}, {len(classes)}); got {proba.shape}"
        )
    rows = {}
    for k, cls in enumerate(classes):
        positive = y_true == cls
        if positive.all() or not positive.any():
            raise ValueError(f"class {cls!r} needs both positive and negative samples in y_true for a ROC curve")
        fpr, tpr, _ = roc_curve(positive, proba[:, k])
        rows[str(cls)] = {"fpr": fpr, "tpr": tpr, "auc": auc(fpr, tpr), "prevalence": positive.mean()}
    return pd.DataFrame.from_dict(rows, orient="index")


def reliability_table(y_true, y_prob, *, n_bins: int = 10, strategy: str = "uniform") -> pd.DataFrame:
    """Bin predicted probabilities and compare each bin's mean prediction to its outcome rate.

    The points of a reliability diagram, with the number of samples in each bin (which
    :func:`sklearn.calibration.calibration_curve` does not return). Empty bins are
    dropped, as in scikit-learn.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Binary outcomes (0/1 or bool).
    y_prob : array-like of shape (n,)
        Predicted probabilities of the positive class, in [0, 1].
    n_bins : int, default 10
        Number of bins.
    strategy : {"uniform", "quantile"}, default "uniform"
        Equal-width bins on [0, 1], or bins holding equal numbers of samples.

    Returns
    -------
    DataFrame
        One row per non-empty bin: ``mean_predicted``, ``fraction_positive`` and
        ``count``. ``mean_predicted`` and ``fraction_positive`` equal
        ``calibration_curve(...)``'s ``prob_pred`` and ``prob_true``.
    """
    y_true = np.asarray(y_true).astype(float)
    y_prob = np.asarray(y_prob, dtype=float)
    if y_true.shape != y_prob.shape or y_true.ndim != 1:
        raise ValueError(f"y_true and y_prob must be 1-D of the same length; got {y_true.shape} and {y_prob.shape}")
    if not set(np.unique(y_true)) <= {0.0, 1.0}:
        raise ValueError(f"y_true must be binary (0/1); got values {np.unique(y_true)[:5]}")
    if y_prob.min() < 0 or y_prob.max() > 1:
        raise ValueError(f"y_prob must lie in [0, 1]; got range [{y_prob.min()}, {y_prob.max()}]")
    if strategy == "quantile":
        edges = np.percentile(y_prob, np.linspace(0, 100, n_bins + 1))
    elif strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        raise ValueError(f"strategy must be 'uniform' or 'quantile'; got {strategy!r}")
    # the same binning rule as sklearn.calibration.calibration_curve
    ids = np.searchsorted(edges[1:-1], y_prob)
    count = np.bincount(ids, minlength=len(edges))
    sum_prob = np.bincount(ids, weights=y_prob, minlength=len(edges))
    sum_true = np.bincount(ids, weights=y_true, minlength=len(edges))
    nonzero = count > 0
    return pd.DataFrame(
        {
            "mean_predicted": sum_prob[nonzero] / count[nonzero],
            "fraction_positive": sum_true[nonzero] / count[nonzero],
            "count": count[nonzero].astype(int),
        }
    )
