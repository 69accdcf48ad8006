"""
# SHAP explainer families: Tree SHAP vs Kernel SHAP on one model

**Catalog D7** · **Question:** importance, comparison · **Family:** tree, any · **Phase:** after training · **Data:** insurance

SHAP values are one quantity with several algorithms. `TreeExplainer` reads a tree
ensemble's structure and computes them exactly, fast. `KernelExplainer` only calls the
model's `predict` and estimates them from predictions on perturbed inputs: it works for
any model, at a much higher cost. Knowing how far the two agree, and why they sometimes
differ, tells you when the model-agnostic answer can be trusted and what each one
actually computes. This page runs both on the gradient-boosting model of medical
charges. The gradient-based explainer for neural networks, on the MNIST CNN, has its own
page in section F.

The charges table is simulated: B. Lantz generated it from US Census Bureau
statistics for *Machine Learning with R*, so its patterns are the simulation's, not
evidence about real patients; the techniques read it as they would read real data.
"""

# %%
# ## Fit the model and choose the background
#
# The gradient-boosting model shared by pages D4-D7. A model-agnostic explainer
# "removes" a feature by replacing it with values from a *background* sample and
# averaging; its cost grows with the size of that sample, so we draw a small random one
# from the training data, and explain a few test people.
import shap

from mlviz.config import QUICK, SEED
from mlviz.explain import fit_insurance_model
from mlviz.report import claim, rounding_tolerance, say

fitted = fit_insurance_model()
model, X_train, X_test = fitted.model, fitted.X_train, fitted.X_test
background = shap.sample(X_train, 20 if QUICK else 50, random_state=SEED)
rows = X_test.iloc[: 15 if QUICK else 40]
say(
    f"Background: {len(background)} training people. Explained: {len(rows)} test "
    f"people, {X_test.shape[1]} features."
)

# %%
# ## Run the explainers and time them
#
# * **Tree SHAP, interventional**: `TreeExplainer` given the same background; exact
#   Shapley values of "replace the missing features by background values".
# * **Tree SHAP, path-dependent** (the default without background): exact too, but it
#   replaces missing features using the training data that reached each tree node,
#   a different question.
# * **Kernel SHAP**: calls `model.predict` only. With 8 features there are only
#   2⁸ = 256 coalitions, so by default it evaluates all of them (all but the empty and
#   the full one, whose values it knows: 254 runs); we also run it with a budget of 40
#   sampled coalitions, as it must for models with many features.
import time

import numpy as np


def timed(compute):
    start = time.perf_counter()
    values = compute()
    return np.asarray(values), time.perf_counter() - start


tree_int = shap.TreeExplainer(
    model, data=background, feature_perturbation="interventional"
)
tree_path = shap.TreeExplainer(model)
kernel = shap.KernelExplainer(model.predict, background)

values, seconds = {}, {}
values["Tree SHAP (interventional)"], seconds["Tree SHAP (interventional)"] = timed(
    lambda: tree_int(rows).values
)
values["Tree SHAP (path-dependent)"], seconds["Tree SHAP (path-dependent)"] = timed(
    lambda: tree_path(rows).values
)
(
    values["Kernel SHAP (all 256 coalitions)"],
    seconds["Kernel SHAP (all 256 coalitions)"],
) = timed(lambda: kernel.shap_values(rows, silent=True))
claim(
    kernel.nsamplesRun == 2 ** X_test.shape[1] - 2,
    "by default Kernel SHAP evaluates all the coalitions",
    evidence=f"{kernel.nsamplesRun} coalitions run",
)
np.random.seed(SEED)  # KernelExplainer samples coalitions with numpy's global generator
values["Kernel SHAP (40 coalitions)"], seconds["Kernel SHAP (40 coalitions)"] = timed(
    lambda: kernel.shap_values(rows, nsamples=40, silent=True)
)
say(
    "| explainer | run time | per explained row |\n|---|---|---|\n"
    + "\n".join(
        f"| {name} | {s:.3f} s | {1000 * s / len(rows):.1f} ms |"
        for name, s in seconds.items()
    )
)

# %%
# ## Agreement
#
# `explainer_agreement` (helper package) compares two sets of SHAP values for the same
# rows and features: their correlation, the largest absolute difference and where it
# occurs. The reference is the interventional Tree SHAP, which answers exactly the
# question Kernel SHAP estimates.
from mlviz.explain import explainer_agreement

reference = "Tree SHAP (interventional)"
agreement = {
    name: explainer_agreement(values[reference], v)
    for name, v in values.items()
    if name != reference
}
table = (
    "| explainer | correlation | largest difference | mean difference | where |\n"
    "|---|---|---|---|---|\n"
)
table += "\n".join(
    f"| {name} | {a.correlation:.6f} | {a.max_abs_difference:,.4g} USD | "
    f"{a.mean_abs_difference:,.3g} USD | "
    f"person {a.worst_row}, *{X_test.columns[a.worst_feature]}* |"
    for name, a in agreement.items()
)
say(f"Compared with **{reference}**:\n\n{table}")

# %%
# ## Draw the comparison
#
# Each dot is one (person, feature) SHAP value: the reference on x, the other explainer
# on y. On the diagonal, they agree exactly.
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, MaxNLocator

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

fig, axes = plt.subplots(1, 3, figsize=(13, 4.6), sharex=True, sharey=True)
x = values[reference].ravel()
everything = np.concatenate([v.ravel() for v in values.values()])
pad = 0.05 * np.ptp(everything)
lo, hi = everything.min() - pad, everything.max() + pad
thousands = FuncFormatter(lambda value, _: f"{value / 1000:,.0f}k" if value else "0")


def usd(value):
    return f"{value:,.0f}" if value >= 1 else f"{value:.2g}"


for ax, (name, a) in zip(axes, agreement.items()):
    ax.plot([lo, hi], [lo, hi], color="0.5", lw=1, ls="--")
    ax.scatter(x, values[name].ravel(), s=10, alpha=0.6, color="0.2")
    ax.set_title(
        f"{name}\nr = {a.correlation:.4f}, max diff {usd(a.max_abs_difference)} USD",
        fontsize=10,
    )
    ax.set_xlabel(f"{reference} (USD)")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(5))
        axis.set_major_formatter(thousands)
axes[0].set_ylabel("other explainer (USD)")
plt.show()

exact = agreement["Kernel SHAP (all 256 coalitions)"]
sampled = agreement["Kernel SHAP (40 coalitions)"]
path = agreement["Tree SHAP (path-dependent)"]
speed = seconds["Kernel SHAP (all 256 coalitions)"] / seconds[reference]
# What rounding alone explains: sums as large as the base value plus the |SHAP
# values| of the largest row. shap's interventional algorithm adds up each tree's path
# (max_depth + 1 terms) in float32; the path-dependent one adds the trees in float64.
tree_explainers = {
    reference: (tree_int, "float32", model.max_depth + 1),
    "Tree SHAP (path-dependent)": (tree_path, "float64", model.n_estimators + 1),
}
rounding = {}
for name, (explainer, dtype, n_terms) in tree_explainers.items():
    summed = (abs(explainer.expected_value) + np.abs(values[name]).sum(axis=1)).max()
    rounding[name] = rounding_tolerance(dtype, summed, n_terms)
claim(
    exact.max_abs_difference <= rounding[reference] and sampled.max_abs_difference > 1,
    "exhaustive Kernel SHAP lies on the diagonal, sampled Kernel SHAP around it",
    evidence=f"{exact.max_abs_difference:.2g} vs {sampled.max_abs_difference:.2g} USD",
)
claim(speed > 1, "the tree explainer is faster", evidence=f"{speed:.1f}x")
background_predictions = model.predict(background)
claim(
    abs(kernel.expected_value - background_predictions.mean())
    <= rounding_tolerance(
        "float64", np.abs(background_predictions).mean(), len(background)
    ),
    "the base value is the average prediction over the background",
)
predicted = model.predict(rows)
for name, (explainer, _, _) in tree_explainers.items():
    gap = np.abs(explainer.expected_value + values[name].sum(axis=1) - predicted).max()
    claim(gap <= rounding[name], f"{name} adds up to each prediction")
say(
    "With every coalition evaluated, Kernel SHAP reproduces interventional Tree SHAP "
    f"to within **{exact.max_abs_difference:.2g} USD** (relative "
    f"{exact.relative_max_difference:.1e}), and takes **{speed:,.0f}x** as long. With "
    f"40 sampled coalitions it is off by up to {sampled.max_abs_difference:,.0f} USD; "
    f"path-dependent Tree SHAP differs by up to {path.max_abs_difference:,.0f} USD "
    "because it answers another question, not because either is wrong."
)

# %%
# ## How to read these figures
#
# * **Same question, same answer**: interventional Tree SHAP and exhaustive Kernel SHAP
#   compute the same Shapley values with the same background; their scatter lies on the
#   diagonal. That is the check that a model-agnostic pipeline is set up correctly.
# * **Sampling noise**: with fewer coalitions than exist, Kernel SHAP is an estimate;
#   the scatter widens around the diagonal.
# * **A different definition**: path-dependent Tree SHAP conditions on the training
#   data inside the trees, so it spreads credit differently between features that
#   interact or correlate. Both sets still add up to each prediction.
#
# ## Pitfalls
#
# * **Kernel SHAP's cost** is (rows) x (coalitions) x (background size) predictions.
#   Summarize the background (`shap.kmeans`, `shap.sample`) and explain few rows; with
#   many features, coalitions must be sampled and the values become noisy.
# * **The background defines the answer.** Explanations with different backgrounds
#   differ, and the base value is the average prediction over the background.
# * **Seeds**: `KernelExplainer` samples with numpy's global random generator; set it
#   (as above) for reproducible pages.
# * **Use the specialized explainer when there is one**: for trees it is exact and
#   faster (the run times above). The model-agnostic one is for models without
#   structure to exploit, or to cross-check.
