"""Explanation helpers shared by the gallery's section D (importance, SHAP, LIME).

The techniques themselves (``shap``, ``lime``, ``sklearn.inspection``) stay visible on
the pages; this package holds what several pages repeat: the shared insurance model,
the MBA random forest, checks on SHAP values, and LIME explanations as tables.

Section J's methods live in modules of their own, imported by name (none is imported
here): :mod:`~mlviz.explain.ale` (accumulated local effects),
:mod:`~mlviz.explain.interactions` (Friedman's H-statistic, interaction rankings),
:mod:`~mlviz.explain.counterfactuals` (the smallest changes that flip a decision),
:mod:`~mlviz.explain.faceoff` (the exact terms of Friedman's function, page J9),
:mod:`~mlviz.explain.gam` (a spline GAM's terms) and :mod:`~mlviz.explain.surrogate`
(rule lists that imitate a model).
"""

from ._images import CachedClassifier, plot_superpixel_weights, superpixel_means
from ._lime import explain_with_lime
from ._models import FittedModel, fit_insurance_model, fit_mba_forest, mba_forest, mba_split
from ._shap import ExplainerAgreement, explainer_agreement, shap_additivity_error

__all__ = [
    "CachedClassifier",
    "ExplainerAgreement",
    "FittedModel",
    "explain_with_lime",
    "explainer_agreement",
    "fit_insurance_model",
    "fit_mba_forest",
    "mba_forest",
    "mba_split",
    "plot_superpixel_weights",
    "shap_additivity_error",
    "superpixel_means",
]
