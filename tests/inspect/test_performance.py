"""The tables behind the performance pages, checked against scikit-learn's results.

The curves, scores and reports of pages C2-C4 and C6 come from scikit-learn itself and
are checked on the pages' own output in tests/gallery/test_performance_numbers.py.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from mlviz.inspect.performance import grid_search_table, top_confusions


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
