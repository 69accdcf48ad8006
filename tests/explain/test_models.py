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
