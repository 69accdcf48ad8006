"""Checks on SHAP values: additivity, and agreement between two explainers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ExplainerAgreement", "explainer_agreement", "shap_additivity_error"]


def _values_of(obj, name: str) -> np.ndarray:
    values = getattr(obj, "values", obj)
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"{name} must be SHAP values of shape (n_samples, n_features); got shape {values.shape}")
    return values


def shap_additivity_error(explanation, predictions, *, base_values=None) -> float:
    """Return the largest gap between ``base value + sum of SHAP values`` and the prediction.

    SHAP values are *additive*: for every row, the explainer's base value (the average
    model output over its background) plus the row's SHAP values equals the model's
    output for that row. This function measures how far that holds.

    Parameters
    ----------
    explanation : shap.Explanation or array of shape (n_samples, n_features)
        SHAP values of one model output (a regression, or one class).
    predictions : array-like of shape (n_samples,)
        The model's output for the same rows, in the explainer's units.
    base_values : float or array-like of shape (n_samples,), optional
        Required when ``explanation`` is a plain array; taken from
        ``explanation.base_values`` otherwise.

    Returns
    -------
    float
        ``max |base + sum(values) - prediction|`` over the rows, in output units.

    Examples
    --------
    >>> import numpy as np
    >>> shap_additivity_error(np.array([[1.0, 2.0]]), [4.0], base_values=1.0)
    0.0
    """
    values = _values_of(explanation, "explanation")
    if base_values is None:
        base_values = getattr(explanation, "base_values", None)
        if base_values is None:
            raise ValueError("base_values is required when explanation is a plain array of SHAP values")
    base = np.broadcast_to(np.asarray(base_values, dtype=float).reshape(-1), (values.shape[0],))
    predictions = np.asarray(predictions, dtype=float).reshape(-1)
    if predictions.shape[0] != values.shape[0]:
        raise ValueError(
            f"predictions must have one value per explained row ({values.shape[0]}); got {predictions.shape[0]}"
        )
    return float(np.max(np.abs(base + values.sum(axis=1) - predictions)))


@dataclass(frozen=True)
class ExplainerAgreement:
    """How closely two sets of SHAP values for the same rows and features agree.

    Attributes
    ----------
    correlation : float
        Pearson correlation over all (row, feature) values.
    max_abs_difference : float
        Largest absolute difference, in output units.
    mean_abs_difference : float
        Mean absolute difference.
    relative_max_difference : float
        ``max_abs_difference`` divided by the largest absolute value in the reference
        (first) set: a unit-free measure of the worst disagreement.
    worst_row, worst_feature : int
        Where the largest difference occurs.
    """

    correlation: float
    max_abs_difference: float
    mean_abs_difference: float
    relative_max_difference: float
    worst_row: int
    worst_feature: int


def explainer_agreement(reference, other) -> ExplainerAgreement:
    """Compare two explainers' SHAP values for the same rows and features.

    Parameters
    ----------
    reference : shap.Explanation or array of shape (n_samples, n_features)
        The values taken as reference (e.g. Tree SHAP, which is exact).
    other : shap.Explanation or array of the same shape
        The values to compare (e.g. Kernel SHAP, an estimate).

    Returns
    -------
    ExplainerAgreement

    Examples
    --------
    >>> import numpy as np
    >>> explainer_agreement(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.5], [3.0, 4.0]])).max_abs_difference
    0.5
    """
    a = _values_of(reference, "reference")
    b = _values_of(other, "other")
    if a.shape != b.shape:
        raise ValueError(f"other must have the shape of reference {a.shape}; got {b.shape}")
    diff = np.abs(a - b)
    row, col = np.unravel_index(int(np.argmax(diff)), diff.shape)
    scale = float(np.max(np.abs(a))) or 1.0
    return ExplainerAgreement(
        correlation=float(np.corrcoef(a.ravel(), b.ravel())[0, 1]),
        max_abs_difference=float(diff.max()),
        mean_abs_difference=float(diff.mean()),
        relative_max_difference=float(diff.max()) / scale,
        worst_row=int(row),
        worst_feature=int(col),
    )
