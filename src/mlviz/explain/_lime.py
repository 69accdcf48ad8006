"""LIME explanations of tabular rows, seeded, as DataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["explain_with_lime"]


def explain_with_lime(
    X_train,
    row,
    predict_proba,
    *,
    class_names,
    label=1,
    categorical=(),
    num_features=8,
    num_samples=5000,
    random_state=0,
):
    """Explain one row of a classifier with LIME and return the rules and weights as a table.

    A new ``lime.lime_tabular.LimeTabularExplainer`` is built for each call with
    ``random_state``, so the same arguments always give the same explanation (an
    explainer reused across calls draws different perturbations each time).

    Parameters
    ----------
    X_train : DataFrame of shape (n_samples, n_features)
        Training data: LIME takes the feature statistics and quartile bins from it.
    row : Series or array-like of shape (n_features,)
        The instance to explain.
    predict_proba : callable
        Maps an array of shape (n, n_features) to class probabilities (n, n_classes).
    class_names : sequence of str
        Names of the classes, in the order of ``predict_proba``'s columns.
    label : int, default 1
        Index of the class whose probability is explained.
    categorical : sequence of str, default ()
        Columns that LIME should treat as categories (e.g. 0/1 indicators): it
        perturbs them by drawing from their training frequencies and writes rules as
        ``column=value``. The other columns are binned at their training quartiles.
    num_features : int, default 8
        Number of features in the explanation.
    num_samples : int, default 5000
        Samples LIME draws: each feature's bin (or category) is redrawn from its
        training frequencies, so the samples spread over the whole table; only the
        kernel's weights (by distance to ``row``'s bins) make the fit local.
    random_state : int, default 0
        Seed of the perturbations.

    Returns
    -------
    DataFrame
        One row per feature, largest weight magnitude first, with columns ``feature``
        (the column name), ``rule`` (LIME's condition, e.g. ``gmat > 700.00``) and
        ``weight`` (its contribution to the probability of ``class_names[label]`` in
        LIME's local linear model). ``attrs`` holds ``intercept``, ``local_prediction``
        (the local model's output for ``row``), ``model_probability`` and ``score``
        (R² of the local model on the weighted perturbations).
    """
    from lime.lime_tabular import LimeTabularExplainer

    if not isinstance(X_train, pd.DataFrame):
        raise TypeError(f"X_train must be a pandas DataFrame (its column names label the rules); got {type(X_train).__name__}")
    values = np.asarray(row, dtype=float).reshape(-1)
    if values.shape[0] != X_train.shape[1]:
        raise ValueError(f"row must have {X_train.shape[1]} values, one per column of X_train; got {values.shape[0]}")
    if not 0 <= label < len(class_names):
        raise ValueError(f"label must index class_names (0 to {len(class_names) - 1}); got {label!r}")
    names = list(X_train.columns)
    unknown = [c for c in categorical if c not in names]
    if unknown:
        raise ValueError(f"categorical must name columns of X_train; got unknown {unknown}")
    explainer = LimeTabularExplainer(
        X_train.to_numpy(dtype=float),
        feature_names=names,
        class_names=list(class_names),
        categorical_features=[names.index(c) for c in categorical],
        mode="classification",
        discretize_continuous=True,
        random_state=random_state,
    )

    def _predict(data):
        return predict_proba(pd.DataFrame(data, columns=names))

    exp = explainer.explain_instance(values, _predict, labels=(label,), num_features=num_features, num_samples=num_samples)
    pairs = exp.as_map()[label]
    rules = [rule for rule, _ in exp.as_list(label=label)]  # same order as as_map
    table = pd.DataFrame(
        {
            "feature": [names[i] for i, _ in pairs],
            "rule": rules,
            "weight": [w for _, w in pairs],
        }
    )
    table = table.reindex(table["weight"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    table.attrs.update(
        intercept=float(exp.intercept[label]),
        local_prediction=float(np.ravel(exp.local_pred)[0]),
        model_probability=float(exp.predict_proba[label]),
        score=float(exp.score),
        label=str(class_names[label]),
    )
    return table
