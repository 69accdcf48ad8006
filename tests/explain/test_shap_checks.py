"""SHAP additivity and explainer agreement, against shap's own explainers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.ensemble import GradientBoostingRegressor

from mlviz.explain import explainer_agreement, shap_additivity_error

#: Kernel SHAP evaluating every coalition must match interventional Tree SHAP with the
#: same background to this fraction of the largest SHAP value (floating-point level).
AGREEMENT_RTOL = 1e-6


@pytest.fixture(scope="module")
def model_and_data():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
    y = 3 * X["a"] + X["b"] * (X["c"] > 0) + 0.1 * rng.normal(size=300)
    model = GradientBoostingRegressor(n_estimators=40, max_depth=3, random_state=0).fit(X, y)
    return model, X


def test_tree_shap_is_additive(model_and_data):
    model, X = model_and_data
    explanation = shap.TreeExplainer(model)(X.iloc[:50])
    error = shap_additivity_error(explanation, model.predict(X.iloc[:50]))
    assert error < 1e-8


def test_additivity_error_measures_the_largest_gap():
    values = np.array([[1.0, 2.0], [0.5, 0.5]])
    # base 10: row sums give 13 and 11; predictions off by 0.25 and -2
    assert shap_additivity_error(values, [13.25, 9.0], base_values=10.0) == pytest.approx(2.0)
    assert shap_additivity_error(values, [13.0, 11.0], base_values=[10.0, 10.0]) == 0.0


def test_additivity_detects_tampered_values(model_and_data):
    model, X = model_and_data
    explanation = shap.TreeExplainer(model)(X.iloc[:20])
    tampered = explanation.values.copy()
    tampered[3, 1] += 0.5
    error = shap_additivity_error(tampered, model.predict(X.iloc[:20]), base_values=explanation.base_values)
    assert error == pytest.approx(0.5, abs=1e-8)


def test_additivity_errors_name_the_argument():
    with pytest.raises(ValueError, match="base_values is required"):
        shap_additivity_error(np.zeros((2, 3)), [0, 0])
    with pytest.raises(ValueError, match=r"predictions must have one value per explained row \(2\); got 3"):
        shap_additivity_error(np.zeros((2, 3)), [0, 0, 0], base_values=0.0)
    with pytest.raises(ValueError, match=r"explanation must be SHAP values of shape \(n_samples, n_features\)"):
        shap_additivity_error(np.zeros(3), [0], base_values=0.0)


def test_agreement_statistics_by_hand():
    a = np.array([[1.0, -2.0], [3.0, 4.0]])
    b = np.array([[1.0, -2.5], [3.0, 4.0]])
    stats = explainer_agreement(a, b)
    assert stats.max_abs_difference == pytest.approx(0.5)
    assert stats.mean_abs_difference == pytest.approx(0.125)
    assert stats.relative_max_difference == pytest.approx(0.5 / 4.0)
    assert (stats.worst_row, stats.worst_feature) == (0, 1)
    assert stats.correlation == pytest.approx(np.corrcoef(a.ravel(), b.ravel())[0, 1])
    assert explainer_agreement(a, a).max_abs_difference == 0.0


def test_agreement_shape_mismatch():
    with pytest.raises(ValueError, match=r"other must have the shape of reference \(2, 2\); got \(2, 3\)"):
        explainer_agreement(np.zeros((2, 2)), np.zeros((2, 3)))


def test_kernel_shap_agrees_with_interventional_tree_shap(model_and_data):
    model, X = model_and_data
    background = X.iloc[:15]
    rows = X.iloc[100:108]
    tree = shap.TreeExplainer(model, data=background, feature_perturbation="interventional")(rows)
    kernel = shap.KernelExplainer(model.predict, background).shap_values(rows, silent=True)  # all 16 coalitions
    stats = explainer_agreement(tree, kernel)
    assert stats.relative_max_difference < AGREEMENT_RTOL
    assert stats.correlation > 1 - 1e-9
    # and a sampled Kernel SHAP with too few coalitions is only an estimate: it must not pass
    np.random.seed(0)
    rough = shap.KernelExplainer(model.predict, background).shap_values(rows, nsamples=6, silent=True)
    assert explainer_agreement(tree, rough).relative_max_difference > AGREEMENT_RTOL
