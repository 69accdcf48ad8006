"""The tables behind the performance pages, checked against scikit-learn's metrics."""

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.datasets import make_classification
from sklearn.metrics import (
    average_precision_score,
    classification_report,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from mlviz.performance import (
    average_precision_from_curve,
    classification_report_frame,
    grid_search_table,
    one_vs_rest_roc,
    reliability_table,
    top_confusions,
)

rng = np.random.default_rng(0)


def test_classification_report_frame_matches_sklearn():
    y_true = rng.choice(["a", "b", "c"], size=300, p=[0.6, 0.3, 0.1])
    y_pred = np.where(rng.random(300) < 0.7, y_true, rng.choice(["a", "b", "c"], size=300))
    table = classification_report_frame(y_true, y_pred, labels=["c", "a", "b"])
    assert list(table.index) == ["c", "a", "b", "macro avg", "weighted avg"]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=["c", "a", "b"])
    np.testing.assert_allclose(table.loc[["c", "a", "b"], ["precision", "recall", "f1-score"]], np.c_[p, r, f])
    np.testing.assert_array_equal(table.loc[["c", "a", "b"], "support"], s)
    reference = classification_report(y_true, y_pred, output_dict=True)
    for avg in ("macro avg", "weighted avg"):
        for metric in ("precision", "recall", "f1-score"):
            assert table.loc[avg, metric] == pytest.approx(reference[avg][metric])
        assert table.loc[avg, "support"] == 300


def test_classification_report_frame_bad_shapes():
    with pytest.raises(ValueError, match=r"same length; got shapes \(3,\) and \(2,\)"):
        classification_report_frame([0, 1, 1], [0, 1])


@pytest.mark.parametrize("prevalence", [0.05, 0.5])
def test_average_precision_from_curve_matches_sklearn(prevalence):
    y = rng.random(500) < prevalence
    score = y * 0.8 + rng.normal(size=500)
    precision, recall, _ = precision_recall_curve(y, score)
    assert average_precision_from_curve(precision, recall) == pytest.approx(average_precision_score(y, score))


def test_average_precision_from_curve_errors():
    with pytest.raises(ValueError, match="recall must be non-increasing"):
        average_precision_from_curve([0.5, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="same length"):
        average_precision_from_curve([0.5, 1.0], [1.0])


def test_grid_search_table_pivots_cv_results():
    X, y = make_classification(n_samples=120, n_features=4, random_state=0)
    search = GridSearchCV(SVC(), {"C": [0.1, 10.0, 1.0], "gamma": [0.01, 1.0]}, cv=3).fit(X, y)
    table = grid_search_table(search.cv_results_, "C", "gamma")
    assert list(table.index) == [0.1, 1.0, 10.0] and list(table.columns) == [0.01, 1.0]
    for params, mean in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        assert table.loc[params["C"], params["gamma"]] == mean
    best = table.stack().idxmax()
    assert search.cv_results_["mean_test_score"].max() == table.loc[best]
    with pytest.raises(ValueError, match=r"row_param='svc__C' is not a parameter of this search; choose from \['C', 'gamma'\]"):
        grid_search_table(search.cv_results_, "svc__C", "gamma")
    with pytest.raises(ValueError, match="score='oops'"):
        grid_search_table(search.cv_results_, "C", "gamma", score="oops")


def test_one_vs_rest_roc_mean_is_macro_auc():
    y = rng.choice([0, 1, 2], size=400)
    proba = rng.dirichlet([1, 1, 1], size=400) + np.eye(3)[y] * 0.5
    proba /= proba.sum(axis=1, keepdims=True)
    table = one_vs_rest_roc(y, proba, [0, 1, 2])
    assert table.auc.mean() == pytest.approx(roc_auc_score(y, proba, multi_class="ovr"))
    for k in range(3):
        assert table.auc.iloc[k] == pytest.approx(roc_auc_score(y == k, proba[:, k]))
        assert table.prevalence.iloc[k] == pytest.approx(np.mean(y == k))
    with pytest.raises(ValueError, match=r"proba must have shape \(n_samples, n_classes\) = \(400, 2\)"):
        one_vs_rest_roc(y, proba, [0, 1])


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_reliability_table_matches_calibration_curve(strategy):
    p = rng.random(800) ** 2
    y = rng.random(800) < p
    table = reliability_table(y, p, n_bins=8, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=8, strategy=strategy)
    np.testing.assert_allclose(table.fraction_positive, prob_true)
    np.testing.assert_allclose(table.mean_predicted, prob_pred)
    assert table["count"].sum() == 800


def test_reliability_table_errors():
    with pytest.raises(ValueError, match="strategy must be 'uniform' or 'quantile'; got 'equal'"):
        reliability_table([0, 1], [0.2, 0.7], strategy="equal")
    with pytest.raises(ValueError, match=r"y_prob must lie in \[0, 1\]"):
        reliability_table([0, 1], [0.2, 1.7])


def test_top_confusions_finds_the_largest_off_diagonal_cells():
    cm = np.array([[50, 2, 9], [7, 40, 1], [0, 3, 30]])
    top = top_confusions(cm, ["x", "y", "z"], top=2)
    assert isinstance(top, pd.DataFrame)
    assert top.to_dict("list") == {"true": ["x", "y"], "predicted": ["z", "x"], "value": [9.0, 7.0]}
    with pytest.raises(ValueError, match=r"matrix must be square; got shape \(2, 3\)"):
        top_confusions(np.ones((2, 3)), ["a", "b"])
