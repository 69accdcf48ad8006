"""Seeded LIME explanations as tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mlviz.explain import explain_with_lime


@pytest.fixture(scope="module")
def classifier():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=400), "noise": rng.normal(size=400), "flag": rng.integers(0, 2, 400).astype(float)})
    y = ((2 * X["x"] + 1.5 * X["flag"] + 0.3 * rng.normal(size=400)) > 0.7).astype(int)
    return LogisticRegression().fit(X, y), X


def explain(classifier, seed=0, **kwargs):
    model, X = classifier
    options = {"class_names": ["no", "yes"], "categorical": ["flag"], "num_features": 3, "num_samples": 1000}
    options.update(kwargs)
    return explain_with_lime(X, X.iloc[0], model.predict_proba, random_state=seed, **options)


def test_same_seed_gives_the_same_explanation(classifier):
    first, second = explain(classifier), explain(classifier)
    assert first.equals(second)
    assert first.attrs == second.attrs


def test_another_seed_gives_other_weights(classifier):
    assert not np.allclose(explain(classifier)["weight"], explain(classifier, seed=1)["weight"])


def test_table_content(classifier):
    model, X = classifier
    table = explain(classifier)
    assert list(table.columns) == ["feature", "rule", "weight"]
    assert set(table["feature"]) == {"x", "noise", "flag"}
    assert list(table["weight"].abs()) == sorted(table["weight"].abs(), reverse=True)
    assert table.loc[table["feature"] == "flag", "rule"].item() == f"flag={X['flag'].iloc[0]:g}"
    assert table.attrs["model_probability"] == pytest.approx(model.predict_proba(X.iloc[[0]])[0, 1])
    # the explained row satisfies all of its own conditions: the local model's output is intercept + weights
    assert table.attrs["local_prediction"] == pytest.approx(table.attrs["intercept"] + table["weight"].sum())
    # the informative features outweigh the noise column
    weights = dict(zip(table["feature"], table["weight"].abs()))
    assert weights["x"] > weights["noise"] and weights["flag"] > weights["noise"]


def test_errors_name_the_argument(classifier):
    model, X = classifier
    with pytest.raises(TypeError, match="X_train must be a pandas DataFrame"):
        explain_with_lime(X.to_numpy(), X.iloc[0], model.predict_proba, class_names=["no", "yes"])
    with pytest.raises(ValueError, match="row must have 3 values, one per column of X_train; got 2"):
        explain_with_lime(X, [0.0, 1.0], model.predict_proba, class_names=["no", "yes"])
    with pytest.raises(ValueError, match=r"categorical must name columns of X_train; got unknown \['nope'\]"):
        explain(classifier, categorical=["nope"])
    with pytest.raises(ValueError, match=r"label must index class_names \(0 to 1\); got 2"):
        explain(classifier, label=2)
