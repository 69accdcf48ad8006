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
# from the training data, and explain a few test people. (A small background is a
# sample with an average of its own; the last part of the page measures what that
# costs.)
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
import pandas as pd


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
pd.DataFrame(
    {
        "run time (s)": seconds,
        "per explained row (ms)": {k: 1000 * v / len(rows) for k, v in seconds.items()},
    }
).round(3)

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
pd.DataFrame(
    [
        {
            "compared with Tree SHAP (interventional)": name,
            "correlation": a.correlation,
            "largest difference (USD)": a.max_abs_difference,
            "mean difference (USD)": a.mean_abs_difference,
            "where": f"person {a.worst_row}, {X_test.columns[a.worst_feature]}",
        }
        for name, a in agreement.items()
    ]
).set_index("compared with Tree SHAP (interventional)")

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
visible = 0.01 * (hi - lo)  # 1 % of the axes: a dot that far off the line shows
claim(
    exact.max_abs_difference <= rounding[reference]
    and sampled.max_abs_difference > visible,
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
    f"path-dependent Tree SHAP differs by up to **{path.max_abs_difference:,.0f} USD**."
)

# %%
# ## Where the path-dependent gap comes from
#
# Both Tree SHAP variants add up to the same predictions, so the values of one row
# differ in total by the gap between their base values: the mean prediction over the
# training data (path-dependent) or over the background (interventional). A background
# of a few dozen people has a mean of its own. To measure how much of the gap is the
# background's, we change only the background: four other random draws of the same
# size, and every training person. shap quietly keeps 100 random rows of a larger
# table (`shap.maskers.Independent(data, max_samples=100)`), so we pass a masker that
# keeps them all, with the values in float32: scikit-learn's trees compare float32
# inputs, and a float64 background value that sits on a split threshold would go the
# other way in shap than in the model (some of these training people do).
samples = {
    f"{len(background)} people, seed {s}": shap.sample(
        X_train, len(background), random_state=s
    )
    for s in range(SEED, SEED + 5)
}  # seed SEED is the background used above
samples[f"all {len(X_train)} training people"] = X_train
by_background, gaps = {}, []
for name, data in samples.items():
    masker = shap.maskers.Independent(data.astype("float32"), max_samples=len(data))
    explainer = shap.TreeExplainer(model, masker, feature_perturbation="interventional")
    by_background[name] = explainer(rows).values
    diff = np.abs(by_background[name] - values["Tree SHAP (path-dependent)"])
    gaps.append(
        {
            "background": name,
            "smokers": data["smoker"].mean(),
            "base value (USD)": float(explainer.expected_value),
            "largest difference (USD)": diff.max(),
            "mean difference (USD)": diff.mean(),
        }
    )
gaps = pd.DataFrame(gaps).set_index("background")
gaps.round(2)

# %%
# The first row is the background of the comparison above; the last one removes the
# background's own sampling error.
everybody = gaps.iloc[-1]
small = gaps.iloc[:-1]
remaining = np.abs(by_background[gaps.index[-1]] - values["Tree SHAP (path-dependent)"])
where = X_test.columns[np.unravel_index(remaining.argmax(), remaining.shape)[1]]
train_predictions = model.predict(X_train)  # both base values average them
claim(
    abs(everybody["base value (USD)"] - tree_path.expected_value[0])
    <= rounding_tolerance(
        "float64",
        np.abs(train_predictions).mean(),
        len(X_train) + model.n_estimators + 1,
    ),
    "with every training person as background both base values are the same",
    evidence=f"{everybody['base value (USD)']:.4f}, {tree_path.expected_value[0]:.4f}",
)
# the float32 rounding of the interventional values, as for the reference above
summed = abs(everybody["base value (USD)"]) + np.abs(by_background[gaps.index[-1]]).sum(
    1
)
full_rounding = rounding_tolerance("float32", summed.max(), model.max_depth + 1)
claim(
    everybody["largest difference (USD)"]
    < small["largest difference (USD)"].iloc[0] / 2
    and everybody["largest difference (USD)"] < small["largest difference (USD)"].min(),
    "most of the gap comes from the small background",
    evidence=str(gaps["largest difference (USD)"].round(0).to_dict()),
)
claim(
    everybody["largest difference (USD)"] > full_rounding,
    "the two definitions still differ beyond rounding",
    evidence=f"{everybody['largest difference (USD)']:.3g} USD",
)
say(
    f"The background above has base value {small['base value (USD)'].iloc[0]:,.0f} USD "
    f"({small['smokers'].iloc[0]:.0%} smokers); the training data "
    f"{everybody['base value (USD)']:,.0f} USD ({everybody['smokers']:.0%} smokers). "
    f"Five draws of {len(background)} people put the largest difference between "
    f"{small['largest difference (USD)'].min():,.0f} and "
    f"{small['largest difference (USD)'].max():,.0f} USD. With every training person "
    f"as background it falls to **{everybody['largest difference (USD)']:,.0f} USD** "
    f"(on *{where}*; mean {everybody['mean difference (USD)']:,.0f} USD): most of "
    "the gap was the small background's sampling error, and what remains is the "
    "difference between the two definitions."
)

# %%
# ## How to read these figures
#
# * **Same question, same answer**: interventional Tree SHAP and exhaustive Kernel SHAP
#   compute the same Shapley values with the same background; their scatter lies on the
#   diagonal. That is the check that a model-agnostic pipeline is set up correctly.
# * **Sampling noise**: with fewer coalitions than exist, Kernel SHAP is an estimate;
#   the scatter widens around the diagonal.
# * **A different definition, and a different background**: path-dependent Tree SHAP
#   follows the training data that reached each tree node, so it spreads credit
#   differently between features that interact or correlate. But its gap to the
#   interventional values above is mostly the small background's: measured against
#   every training person, the gap shrinks to the part the definitions account for
#   (the table above). Both sets add up to each prediction.
#
# ## Pitfalls
#
# * **The background defines the answer.** The base value is the average prediction
#   over the background, and every SHAP value is measured against it: a background of
#   a few dozen people carries its own sampling error (the five draws above). Use as
#   large a background as the run time allows, and know that shap keeps only 100 rows
#   of a table passed as `data` unless you pass a `shap.maskers.Independent` with a
#   larger `max_samples`. Kernel SHAP and interventional Tree SHAP fill in each
#   missing feature from the background regardless of the others, so with correlated
#   features they ask the model about combinations the data never holds (Aas, Jullum
#   and Løland, 2021).
# * **Kernel SHAP's cost** is (rows) x (coalitions) x (background size) predictions.
#   Summarize the background (`shap.kmeans`, `shap.sample`) and explain few rows; with
#   many features, coalitions must be sampled and the values become noisy.
# * **Seeds**: `KernelExplainer` samples with numpy's global random generator; set it
#   (as above) for reproducible pages.
# * **Use the specialized explainer when there is one**: for trees it is exact and
#   faster (the run times above). The model-agnostic one is for models without
#   structure to exploit, or to cross-check.
