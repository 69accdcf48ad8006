"""The tree ensembles several pages share: the insurance regressor (D4-D7) and the MBA forest (C1-C4, C6, D2, D3, D8)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.model_selection import train_test_split

from mlviz.config import SEED, is_quick
from mlviz.datasets import load_insurance, load_mba, prepare_insurance, prepare_mba

__all__ = ["FittedModel", "fit_insurance_model", "fit_mba_forest", "mba_forest", "mba_split"]


@dataclass(frozen=True)
class FittedModel:
    """A fitted model with the train/test split it was fitted on."""

    model: object
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def fit_insurance_model(
    *, n_estimators: int = 300, max_depth: int = 3, learning_rate: float = 0.05, random_state: int = SEED, fetcher=None
) -> FittedModel:
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
    FittedModel
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
    return FittedModel(model, X_train, X_test, y_train, y_test)


# -- the MBA random forest ------------------------------------------------------------------
_MBA_TARGETS = ("decision", "admit")
_FORESTS: dict[tuple, RandomForestClassifier] = {}


def mba_forest(**overrides) -> RandomForestClassifier:
    """An unfitted random forest with the settings the MBA pages share.

    300 trees (60 in quick mode), at least 5 applicants per leaf, and
    ``class_weight="balanced"`` so that the rare *Admit* and *Waitlist* decisions count
    as much as *Deny*. ``overrides`` are passed to ``RandomForestClassifier``.
    """
    params = {
        "n_estimators": 60 if is_quick() else 300,
        "min_samples_leaf": 5,
        "class_weight": "balanced",
        "n_jobs": 2,
        "random_state": SEED,
    }
    params.update(overrides)
    return RandomForestClassifier(**params)


def mba_split(*, target: str = "decision") -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """The MBA pages' split: :func:`mlviz.datasets.prepare_mba`, 75/25, stratified by decision.

    Parameters
    ----------
    target : {"decision", "admit"}
        ``"decision"``: the three classes Admit, Waitlist, Deny. ``"admit"``: a boolean,
        True for admitted applicants (the binary task of pages C2-C4).

    Returns
    -------
    X_train, X_test, y_train, y_test
    """
    if target not in _MBA_TARGETS:
        raise ValueError(f"target must be one of {_MBA_TARGETS}; got {target!r}")
    X, y = prepare_mba(load_mba())
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)
    if target == "admit":
        y_train, y_test = (y_train == "Admit").rename("admit"), (y_test == "Admit").rename("admit")
    return X_train, X_test, y_train, y_test


def fit_mba_forest(*, target: str = "decision") -> FittedModel:
    """The shared MBA forest (:func:`mba_forest`) fitted on :func:`mba_split`.

    The fitted forest is kept in memory for the rest of the process, so that a build
    showing it on several pages trains it once per target (and per quick/full mode).
    The returned DataFrames are fresh copies each time; the forest is shared, so do not
    refit it.
    """
    X_train, X_test, y_train, y_test = mba_split(target=target)
    key = (target, is_quick())
    if key not in _FORESTS:
        _FORESTS[key] = mba_forest().fit(X_train, y_train)
    return FittedModel(_FORESTS[key], X_train, X_test, y_train, y_test)
