"""The tables and intervals behind the performance pages, checked against references.

The curves, scores and reports of pages C1-C9 come from scikit-learn itself and are
checked on the pages' own output in tests/gallery/test_performance_numbers.py. The
bootstrap intervals are checked against the normal approximation of a mean's sampling
distribution, which the percentile bootstrap must reproduce for a large sample.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from mlviz.inspect.performance import (
    Interval,
    bootstrap_difference,
    bootstrap_interval,
    grid_search_table,
    top_confusions,
)


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


def test_top_confusions_finds_the_largest_off_diagonal_cells():
    cm = np.array([[50, 2, 9], [7, 40, 1], [0, 3, 30]])
    top = top_confusions(cm, ["x", "y", "z"], top=2)
    assert isinstance(top, pd.DataFrame)
    assert top.to_dict("list") == {"true": ["x", "y"], "predicted": ["z", "x"], "value": [9.0, 7.0]}
    with pytest.raises(ValueError, match=r"matrix must be square; got shape \(2, 3\)"):
        top_confusions(np.ones((2, 3)), ["a", "b"])


def _mean_of_second(y, values):
    return float(np.mean(values))


def test_bootstrap_interval_of_a_mean_matches_the_normal_approximation():
    values = np.random.default_rng(3).exponential(2.0, size=2000)  # skewed on purpose
    interval = bootstrap_interval(_mean_of_second, np.zeros(len(values)), values, n_resamples=4000)
    assert isinstance(interval, Interval)
    assert interval.estimate == pytest.approx(values.mean())
    half_width = 1.96 * values.std() / np.sqrt(len(values))
    assert interval.low == pytest.approx(values.mean() - half_width, abs=0.15 * half_width)
    assert interval.high == pytest.approx(values.mean() + half_width, abs=0.15 * half_width)
    # the same seed gives the same interval; another seed moves it a little
    assert bootstrap_interval(_mean_of_second, np.zeros(2000), values, n_resamples=4000) == interval
    other = bootstrap_interval(_mean_of_second, np.zeros(2000), values, n_resamples=4000, random_state=1)
    assert other != interval and other.estimate == interval.estimate
    # a wider confidence level gives a wider interval
    wide = bootstrap_interval(_mean_of_second, np.zeros(2000), values, n_resamples=4000, confidence_level=0.99)
    assert wide.low < interval.low and wide.high > interval.high


def test_bootstrap_difference_is_paired():
    rng = np.random.default_rng(0)
    n = 3000
    shared = rng.normal(0, 1.0, n)  # both models err alike on each sample
    a = shared + 0.03
    b = shared + rng.normal(0, 0.05, n)
    difference = bootstrap_difference(_mean_of_second, np.zeros(n), a, b, n_resamples=2000)
    assert difference.estimate == pytest.approx(a.mean() - b.mean())
    # paired: the interval follows the spread of a - b (about 0.05), not of a or b (1.0)
    d = a - b
    half_width = 1.96 * d.std() / np.sqrt(n)
    assert difference.high - difference.low == pytest.approx(2 * half_width, rel=0.15)
    assert difference.excludes(0.0)
    unpaired_half_width = 1.96 * np.hypot(a.std(), b.std()) / np.sqrt(n)
    assert difference.estimate < unpaired_half_width, "unpaired, the test set could not rank them"
    # a model against itself: no difference in any draw
    assert bootstrap_difference(roc_auc_score, a > 0, a, a, n_resamples=50) == Interval(0.0, 0.0, 0.0)
    assert not Interval(0.0, 0.0, 0.0).excludes(0.0)


def test_bootstrap_takes_two_dimensional_scores_and_formats():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    score = np.c_[1 - y * 0.6, y * 0.6] + rng.uniform(0, 0.4, (400, 2))
    interval = bootstrap_interval(lambda t, s: roc_auc_score(t, s[:, 1]), y, score, n_resamples=100)
    assert interval.estimate == pytest.approx(roc_auc_score(y, score[:, 1]))
    assert interval.low <= interval.estimate <= interval.high
    assert f"{Interval(0.1234, 0.1, 0.15):.2f}" == "0.12 [0.10, 0.15]"


def test_bootstrap_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"y_score must have one row per sample of y_true \(3\); got shape \(2,\)"):
        bootstrap_interval(roc_auc_score, [0, 1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match=r"score_b must have one row per sample of y_true \(3\)"):
        bootstrap_difference(roc_auc_score, [0, 1, 1], [0.1, 0.2, 0.3], [0.1])
    with pytest.raises(ValueError, match="n_resamples must be an integer >= 10; got 5"):
        bootstrap_interval(roc_auc_score, [0, 1, 1], [0.1, 0.2, 0.3], n_resamples=5)
    with pytest.raises(ValueError, match="confidence_level must lie strictly between 0 and 1; got 95"):
        bootstrap_interval(roc_auc_score, [0, 1, 1], [0.1, 0.2, 0.3], confidence_level=95)


def test_bootstrap_refuses_draws_the_metric_cannot_score():
    def recall_of_positives(y, s):  # undefined (NaN) on a draw without positives
        return float(np.mean(s[y == 1] > 0.5)) if np.any(y == 1) else np.nan

    y = np.r_[1, np.zeros(19, dtype=int)]  # one positive in 20: most draws lack it
    with pytest.raises(ValueError, match=r"no finite score on \d+ of 100 bootstrap draws"):
        bootstrap_interval(recall_of_positives, y, np.linspace(0, 1, 20), n_resamples=100)


def test_bootstrap_passes_other_warnings_on():
    import warnings

    def noisy_mean(y, s):
        warnings.warn("from the metric", UserWarning)
        return float(np.mean(s))

    with pytest.warns(UserWarning, match="from the metric"):
        interval = bootstrap_interval(noisy_mean, np.zeros(50), np.arange(50.0), n_resamples=10)
    assert interval.estimate == pytest.approx(24.5)
