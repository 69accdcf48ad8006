"""The insurance tree ensemble that the explanation pages (D4-D7) share."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import train_test_split

from mlviz.config import SEED
from mlviz.datasets import load_insurance, prepare_insurance

__all__ = ["InsuranceModel", "fit_insurance_model"]


@dataclass(frozen=True)
class InsuranceModel:
    """A fitted regressor of yearly medical charges with the split it was fitted on."""

    model: GradientBoostingRegressor
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def fit_insurance_model(
    *, n_estimators: int = 300, max_depth: int = 3, learning_rate: float = 0.05, random_state: int = SEED, fetcher=None
) -> InsuranceModel:
    """Fit the gradient-boosted trees that pages D4-D7 explain.

    The insurance table is prepared with :func:`mlviz.datasets.prepare_insurance`
    (8 numeric columns) and split 75/25 with ``random_state``, the same split as page
    C7. The model is scikit-learn's ``GradientBoostingRegressor``, which every SHAP
    explainer supports. It fits in well under a second, so it is refitted rather than
    cached: same arguments, same model.

    Parameters
    ----------
    n_estimators, max_depth, learning_rate : int, int, float
        Passed to ``GradientBoostingRegressor``.
    random_state : int, default ``mlviz.config.SEED``
        Seed of the split and of the model.
    fetcher : DataFetcher, optional
        Where the data file is read from (tests pass their own).

    Returns
    -------
    InsuranceModel
        ``model``, ``X_train``, ``X_test``, ``y_train``, ``y_test``.

    Examples
    --------
    >>> fitted = fit_insurance_model()  # doctest: +SKIP
    >>> fitted.model.score(fitted.X_test, fitted.y_test)  # doctest: +SKIP
    """
    for name, value in (("n_estimators", n_estimators), ("max_depth", max_depth)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    X, y = prepare_insurance(load_insurance(fetcher=fetcher))
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=random_state)
    model = GradientBoostingRegressor(
        n_estimators=n_estimators, max_depth=max_depth, learning_rate=learning_rate, random_state=random_state
    ).fit(X_train, y_train)
    return InsuranceModel(model, X_train, X_test, y_train, y_test)
