"""The shared insurance model."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor

from mlviz.explain import fit_insurance_model


def test_fits_on_a_75_25_split_and_is_deterministic(fetcher):
    first = fit_insurance_model(n_estimators=5, fetcher=fetcher)
    second = fit_insurance_model(n_estimators=5, fetcher=fetcher)
    n = len(first.X_train) + len(first.X_test)
    assert len(first.X_test) == int(np.ceil(0.25 * n))
    assert isinstance(first.model, GradientBoostingRegressor) and first.model.n_estimators == 5
    assert list(first.X_train.columns) == list(first.model.feature_names_in_)
    assert first.X_test.index.equals(second.X_test.index)
    np.testing.assert_array_equal(first.model.predict(first.X_test), second.model.predict(second.X_test))


@pytest.mark.parametrize("name", ["n_estimators", "max_depth"])
def test_rejects_bad_sizes(name):
    with pytest.raises(ValueError, match=f"{name} must be a positive integer; got 0"):
        fit_insurance_model(**{name: 0})


# -- the MBA forest (real data: the fixture table is too small to stratify) ---------------
needs_data = pytest.mark.skipif(
    not __import__("os").environ.get("MLVIZ_DATA_MIRROR"), reason="$MLVIZ_DATA_MIRROR not set (make test sets it)"
)


@needs_data
def test_mba_forest_is_fitted_once_per_target_and_mode(monkeypatch):
    from sklearn.ensemble import RandomForestClassifier

    from mlviz.explain import _models, fit_mba_forest

    monkeypatch.setenv("MLVIZ_QUICK", "1")
    monkeypatch.setattr(_models, "_FORESTS", {})
    fits = []
    real_fit = RandomForestClassifier.fit
    monkeypatch.setattr(RandomForestClassifier, "fit", lambda self, *a, **k: fits.append(1) or real_fit(self, *a, **k))

    first = fit_mba_forest()
    second = fit_mba_forest()
    assert len(fits) == 1 and first.model is second.model
    assert first.X_test is not second.X_test, "each page gets its own copy of the data"
    assert list(first.model.classes_) == sorted(["Admit", "Waitlist", "Deny"])
    assert first.model.n_estimators == 60 and first.model.min_samples_leaf == 5
    assert first.model.class_weight == "balanced"
    assert len(first.X_test) == 1549 and first.y_test.value_counts()["Admit"] == 225  # stratified quarter

    admit = fit_mba_forest(target="admit")
    assert len(fits) == 2 and admit.y_train.dtype == bool and admit.y_test.sum() == 225
    assert admit.X_test.index.equals(first.X_test.index), "both targets share one split"


def test_mba_split_rejects_unknown_target():
    from mlviz.explain import mba_split

    with pytest.raises(ValueError, match="target must be one of \\('decision', 'admit'\\); got 'Admit'"):
        mba_split(target="Admit")
