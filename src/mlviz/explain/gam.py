"""The terms of a penalized regression-spline GAM written as a scikit-learn pipeline.

A generalized additive model (GAM) predicts ``intercept + f_1(x_1) + ... + f_p(x_p)``.
Page J4 builds one from scikit-learn parts: a ``ColumnTransformer`` that expands each
numeric feature into a B-spline basis (``SplineTransformer``) and passes 0/1 columns
through, followed by a ridge regression (``Ridge`` or ``RidgeCV``) whose penalty keeps
the spline coefficients from chasing noise: a penalized regression-spline GAM (with an
identity penalty on the coefficients rather than the difference penalty of P-splines).
:func:`gam_terms` reads such a pipeline back as one additive term per feature, centred
on the training rows, with a pointwise standard deviation from the ridge's Bayesian
posterior (Wood, *Generalized Additive Models*, 2nd ed., 2017, section 6.10).
:func:`plot_shape_functions` draws such curves, of several models, one panel per feature.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

__all__ = ["GAMTerms", "gam_terms", "plot_shape_functions"]


class GAMTerms(NamedTuple):
    """Per-term contributions of a GAM: ``prediction = intercept + terms.sum(axis=1)``."""

    #: One column per term (feature), one row per row of ``X``; each term has mean 0
    #: over the training rows.
    terms: pd.DataFrame
    #: Pointwise posterior standard deviation of each term (same shape), or None
    #: when no ``y_train`` was given.
    std: pd.DataFrame | None
    #: The constant: the model's mean prediction over the training rows.
    intercept: float


def _check_gam(gam) -> tuple[ColumnTransformer, object]:
    if not isinstance(gam, Pipeline) or len(gam.steps) != 2:
        raise TypeError(
            "gam must be a fitted two-step Pipeline (ColumnTransformer, then a linear model); "
            f"got {type(gam).__name__}"
        )
    columns, linear = gam.steps[0][1], gam.steps[1][1]
    if not isinstance(columns, ColumnTransformer) or not hasattr(
        columns, "output_indices_"
    ):
        raise TypeError(
            f"gam's first step must be a fitted ColumnTransformer; got {type(columns).__name__}"
        )
    coef = getattr(linear, "coef_", None)
    if coef is None or np.ndim(coef) != 1:
        raise TypeError(
            f"gam's last step must be a fitted single-output linear regressor (coef_ of shape (n,)); "
            f"got {type(linear).__name__}"
        )
    return columns, linear


def _term_columns(columns: ColumnTransformer, feature_names) -> dict[str, np.ndarray]:
    """Term name -> indices of its basis columns. A transformer of one feature is named
    after the feature; passthrough columns are one term each."""
    out: dict[str, np.ndarray] = {}
    for name, transformer, cols in columns.transformers_:
        where = columns.output_indices_[name]
        if (
            isinstance(transformer, str) and transformer == "drop"
        ) or where.stop == where.start:
            continue
        cols = [
            feature_names[c] if isinstance(c, (int, np.integer)) else c
            for c in np.atleast_1d(cols)
        ]
        indices = np.arange(where.start, where.stop)
        # scikit-learn stores remainder="passthrough" as an identity FunctionTransformer
        identity = (
            isinstance(transformer, FunctionTransformer) and transformer.func is None
        )
        if (isinstance(transformer, str) and transformer == "passthrough") or identity:
            out.update({str(c): np.array([i]) for c, i in zip(cols, indices)})
        else:
            out[str(cols[0]) if len(cols) == 1 else name] = indices
    return out


def gam_terms(gam, X, *, X_train, y_train=None) -> GAMTerms:
    """Split a spline GAM's predictions into one centred term per feature.

    Parameters
    ----------
    gam : Pipeline
        Fitted ``make_pipeline(ColumnTransformer(...), Ridge or RidgeCV or LinearRegression)``.
        A transformer that takes one column (a ``SplineTransformer``) makes a term named
        after that column; one that takes several makes a term named after the
        transformer; each passthrough column is a term of its own.
    X : DataFrame of shape (n_rows, n_features)
        Where to evaluate the terms (a term depends only on its own columns, so a grid
        may set each column to its own values).
    X_train : DataFrame
        The rows the model was fitted on: each term is centred to mean 0 over them.
    y_train : array-like of shape (n_train,), optional
        Their targets. When given, ``std`` holds each term's pointwise posterior
        standard deviation ``sqrt(c(x)' V c(x))``, where ``c(x)`` is the term's centred
        basis row and ``V = s^2 (B'B + alpha I)^-1`` the ridge's posterior covariance
        (``B`` the centred training basis, ``s^2`` the residual variance on
        ``n - edf`` degrees of freedom). Twice it gives a pointwise interval of about
        95% that, averaged over the curve, covers the truth about as often as it says
        (Nychka 1988); it does not cover the choice of ``alpha`` or of the knots.

    Returns
    -------
    GAMTerms
        ``terms`` and ``std`` (DataFrames indexed like ``X``) and ``intercept``, with
        ``gam.predict(X) == intercept + terms.sum(axis=1)`` up to rounding.

    Raises
    ------
    TypeError
        If ``gam`` is not a fitted two-step pipeline of that form.
    ValueError
        If ``y_train`` does not have one value per row of ``X_train``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.compose import ColumnTransformer
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import SplineTransformer
    >>> X = pd.DataFrame({"x": np.linspace(0, 1, 50), "flag": [0.0, 1.0] * 25})
    >>> y = np.sin(3 * X["x"]) + X["flag"]
    >>> gam = make_pipeline(
    ...     ColumnTransformer([("x", SplineTransformer(), ["x"])], remainder="passthrough"),
    ...     Ridge(alpha=1e-3),
    ... ).fit(X, y)
    >>> parts = gam_terms(gam, X, X_train=X)
    >>> list(parts.terms.columns)
    ['x', 'flag']
    >>> bool(np.allclose(parts.intercept + parts.terms.sum(axis=1), gam.predict(X)))
    True
    """
    columns, linear = _check_gam(gam)
    for name, frame in (("X", X), ("X_train", X_train)):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"{name} must be a DataFrame with the model's columns; got {type(frame).__name__}"
            )
    names = list(X_train.columns)
    basis = np.asarray(columns.transform(X), dtype=float)
    train = np.asarray(columns.transform(X_train), dtype=float)
    centre = train.mean(axis=0)
    coef = np.asarray(linear.coef_, dtype=float)
    groups = _term_columns(columns, names)
    terms = pd.DataFrame(
        {
            term: (basis[:, idx] - centre[idx]) @ coef[idx]
            for term, idx in groups.items()
        },
        index=X.index,
    )
    intercept = float(linear.intercept_ + centre @ coef)

    std = None
    if y_train is not None:
        y = np.asarray(y_train, dtype=float)
        if y.shape != (len(X_train),):
            raise ValueError(
                f"y_train must have one value per row of X_train ({len(X_train)}); got shape {y.shape}"
            )
        alpha = float(getattr(linear, "alpha_", getattr(linear, "alpha", 0.0)))
        B = train - centre
        gram = B.T @ B + alpha * np.eye(B.shape[1])
        inverse = np.linalg.pinv(gram, hermitian=True)
        edf = float(np.trace(inverse @ (B.T @ B))) + 1.0  # + 1 for the intercept
        residual = y - (B @ coef + intercept)
        covariance = residual @ residual / (len(y) - edf) * inverse
        std = pd.DataFrame(index=X.index)
        for term, idx in groups.items():
            c = basis[:, idx] - centre[idx]
            variance = np.einsum("ij,jk,ik->i", c, covariance[np.ix_(idx, idx)], c)
            std[term] = np.sqrt(np.clip(variance, 0.0, None))
    return GAMTerms(terms, std, intercept)


def plot_shape_functions(
    curves,
    bands=None,
    *,
    colors=None,
    dashed=(),
    ylabel="centred contribution",
    axes=None,
):
    """Draw several models' curves per feature, one panel per feature, with bands.

    Parameters
    ----------
    curves : dict of str to DataFrame
        Feature name -> DataFrame indexed by the feature's grid values, one column per
        model (e.g. its centred shape function or partial dependence).
    bands : dict of str to dict of str to array-like, optional
        Feature name -> model name -> half-width of a band drawn around that model's
        curve (e.g. 2 standard deviations); a model without one gets no band.
    colors : dict of str to colour, optional
        Model name -> colour; by default the colour cycle, in column order.
    dashed : sequence of str, default ()
        Models drawn dashed and thicker, as a reference the others are read against.
    ylabel : str, default "centred contribution"
        Label of every panel's vertical axis.
    axes : sequence of Axes, optional
        One per feature, in the order of ``curves``; by default a new figure, one row.

    Returns
    -------
    list of Axes
        One per feature; a feature with at most 6 distinct grid values gets markers.

    Raises
    ------
    TypeError
        If ``curves`` is not a non-empty dict of DataFrames.
    ValueError
        If ``axes`` does not hold one Axes per feature.
    """
    import matplotlib.pyplot as plt

    if (
        not isinstance(curves, dict)
        or not curves
        or not all(isinstance(frame, pd.DataFrame) for frame in curves.values())
    ):
        raise TypeError(
            "curves must be a non-empty dict of feature name -> DataFrame (one column "
            f"per model); got {type(curves).__name__}"
        )
    if axes is None:
        _, axes = plt.subplots(1, len(curves), figsize=(4.7 * len(curves), 4.5))
    axes = list(np.atleast_1d(axes))
    if len(axes) != len(curves):
        raise ValueError(
            f"axes must hold one Axes per feature ({len(curves)}); got {len(axes)}"
        )
    for ax, (feature, frame) in zip(axes, curves.items()):
        few = frame.index.nunique() <= 6
        for k, (name, y) in enumerate(frame.items()):
            color = (colors or {}).get(name, f"C{k}")
            style = {"ls": "--", "lw": 2.5} if name in dashed else {"lw": 2}
            ax.plot(frame.index, y, color=color, label=name,
                    marker="o" if few else None, **style)  # fmt: skip
            band = np.asarray((bands or {}).get(feature, {}).get(name, 0.0))
            if np.any(band):
                ax.fill_between(frame.index, y - band, y + band, color=color, alpha=0.2)
        ax.set(xlabel=feature, ylabel=ylabel)
    axes[0].legend(loc="upper left")
    return axes
