"""
# SHAP values for a tree ensemble

**Catalog D6** · **Question:** importance, one prediction · **Family:** tree · **Phase:** after training · **Data:** insurance

SHAP (SHapley Additive exPlanations) splits each prediction into one contribution per
feature, so that the contributions add up exactly to the prediction minus the model's
average output. For tree ensembles, `shap.TreeExplainer` computes these values exactly
and fast. The same numbers answer two questions: *why did the model predict
this for this person?* (waterfall and force plots) and *which features matter, and in
which direction, over everybody?* (beeswarm and mean-|SHAP| bar). This page draws all
four for the gradient-boosting model of medical charges, and checks the additivity.

The charges table is simulated: B. Lantz generated it from US Census Bureau
statistics for *Machine Learning with R*, so its patterns are the simulation's, not
evidence about real patients; the techniques read it as they would read real data.
"""

# %%
# ## Fit the model
#
# The gradient-boosting model shared by pages D4-D7 (`fit_insurance_model` from the
# gallery's helper package): 8 numeric features, yearly charges in USD as target.
import shap

from mlviz.explain import fit_insurance_model
from mlviz.report import claim, rounding_tolerance, say

fitted = fit_insurance_model()
model, X_train, X_test = fitted.model, fitted.X_train, fitted.X_test
say(f"Test R² of the model: **{model.score(X_test, fitted.y_test):.3f}**.")

# %%
# ## Compute the SHAP values
#
# `shap.TreeExplainer` walks every tree and computes exact Shapley values of the
# prediction; calling it on the test people returns a `shap.Explanation` holding
# `values` (people x features, in USD), `base_values` (the model's average prediction
# over the training data, the same for everybody) and `data` (the feature values).
import time

import numpy as np

start = time.perf_counter()
explainer = shap.TreeExplainer(model)
explanation = explainer(X_test)
seconds = time.perf_counter() - start
base = float(explanation.base_values[0])
train_predictions = model.predict(X_train)
mean_train = train_predictions.mean()
# equal up to rounding: a float64 mean of predictions that each add up the trees
rounding = rounding_tolerance(
    "float64", np.abs(train_predictions).mean(), len(X_train) + model.n_estimators + 1
)
claim(
    abs(base - mean_train) <= rounding,
    "the base value is the model's average prediction over the training data",
    evidence=f"base ${base:,.2f}, mean training prediction ${mean_train:,.2f}",
)
say(
    f"SHAP values: {explanation.values.shape[0]} people x "
    f"{explanation.values.shape[1]} features, computed in {seconds * 1000:.0f} ms. "
    f"Base value: ${base:,.0f}, the mean prediction over the {len(X_train)} training "
    "people."
)

# %%
# ## Check the additivity
#
# The defining property: for every person, **base value + sum of the SHAP values =
# the model's prediction**. `shap_additivity_error` (helper package) returns the
# largest gap over all test people; anything other than floating-point noise would mean
# the explanation does not describe this model.
from mlviz.explain import shap_additivity_error

predictions = model.predict(X_test)
error = shap_additivity_error(explanation, predictions)
# floating-point noise: float64 sums of one term per tree, as large as the base value
# plus the |SHAP values| of the largest row
summed = (abs(base) + np.abs(explanation.values).sum(axis=1)).max()
claim(
    error <= rounding_tolerance("float64", summed, model.n_estimators + 1),
    "base value + sum of the SHAP values = the model's prediction",
    evidence=f"largest error ${error}",
)
say(
    "Largest |base value + sum of SHAP values − prediction| over the "
    f"{len(X_test)} test people: **${error:.2e}**, for predictions up to "
    f"${predictions.max():,.0f}."
)

# %%
# ## One prediction: the waterfall plot
#
# We pick a smoker with a BMI above 30: the test person with the median prediction
# among them. The waterfall starts at the base value, E[f(X)], at the bottom, adds one
# feature's SHAP value per row (red pushes the prediction up, blue down), and ends at
# the prediction f(x) at the top. Features are sorted by the size of their contribution
# (the smallest are summed into one row); the grey numbers are this person's feature
# values.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

plt.rcParams["axes.grid"] = False  # shap's plots draw their own guide lines

group = np.flatnonzero(
    (X_test["smoker"].to_numpy() == 1) & (X_test["bmi"].to_numpy() > 30)
)
person = int(group[np.argsort(predictions[group])[len(group) // 2]])
shap.plots.waterfall(explanation[person], max_display=5, show=False)
fig = plt.gcf()
fig.set_size_inches(8, 5)
fig.suptitle(
    f"Why test person #{person} is predicted ${predictions[person]:,.0f}",
    fontweight="bold",
)
plt.show()

# What the figure drew: its rows name the features with a bar of their own, and one
# row, "N other features", sums the rest.
row = explanation[person]
shown = {
    label.get_text().split("=")[-1].strip() for label in fig.axes[0].get_yticklabels()
}
names = list(X_test.columns)
order = np.argsort(-np.abs(row.values))
drawn = [j for j in order if names[j] in shown]
folded = [j for j in order if names[j] not in shown]
claim(
    not folded or f"{len(folded)} other features" in shown,
    "the features without a bar share one row",
    evidence=f"rows {sorted(shown)}",
)
down = [j for j in drawn if row.values[j] < 0]
folded_down = [j for j in folded if row.values[j] < 0]
say(
    f"Base value ${row.base_values:,.0f}, prediction **${predictions[person]:,.0f}**. "
    "The two largest contributions: "
    + " and ".join(
        f"*{names[j]}* = {row.data[j]:g} ({row.values[j]:+,.0f} USD)" for j in order[:2]
    )
    + ". "
    + (
        "Pushing down (blue): "
        + ", ".join(f"*{names[j]}* ({row.values[j]:+,.0f} USD)" for j in down)
        + ". "
        if down
        else f"All {len(drawn)} features drawn push the prediction up: no blue bar. "
    )
    + (
        f"The other {len(folded)} features share one row "
        f"({row.values[folded].sum():+,.0f} USD)"
        + (
            ", within which "
            + ", ".join(
                f"*{names[j]}* ({row.values[j]:+,.0f} USD)" for j in folded_down
            )
            + f" push{'es' if len(folded_down) == 1 else ''} down, too little for a "
            "bar of its own."
            if folded_down
            else "."
        )
        if folded
        else ""
    )
)

# %%
# ## The same prediction as a force plot
#
# The force plot lays the same contributions end to end along the output axis: red
# segments push from the base value up to the prediction f(x), blue ones push down
# from the other side, and the largest sit next to f(x), where the two colours meet.
# shap draws it as a static figure with `shap.plots.force(row, matplotlib=True)`, but
# that figure is 20 inches wide with slanted labels in small type: shrunk to a page
# column, or to a phone, it cannot be read. `ForceDisplay` (gallery helper) draws the
# same layout with upright labels that never overlap, and folds the small
# contributions into one segment as the waterfall folds them into one row: with the
# same `max_display`, both figures show the same bars, in shap's red and blue.
from mlviz.plotting import ForceDisplay

force = ForceDisplay.from_explanation(
    row,
    max_display=5,
    fmt="${:,.0f}",
    colors=(shap.plots.colors.red_rgb, shap.plots.colors.blue_rgb),
)
force.ax_.set_title(f"Test person #{person}: the waterfall's bars, end to end")
plt.show()

# %%
# The interactive version is shap's own (hover a segment to read its feature and
# value); it writes only the labels that fit under their segments. It needs shap's
# JavaScript bundle, which this site serves from its own files; in a Jupyter
# notebook, run `shap.initjs()` first.
shap.plots.force(row)

# %%
# ## All predictions: the beeswarm plot
#
# One row per feature, one dot per test person: the dot's horizontal position is that
# person's SHAP value for the feature, its colour the feature's value. shap colours the
# values red (high) to blue (low); on this site red and blue mean the *sign* of a
# contribution, so we pass `color="viridis"`: yellow high, dark purple low. Features
# are sorted by mean |SHAP value|.
fig, ax = plt.subplots(figsize=(8, 5))  # a fresh Axes: shap draws on the current one
shap.plots.beeswarm(
    explanation,
    max_display=9,
    color=plt.get_cmap("viridis"),
    ax=ax,
    plot_size=None,
    show=False,
)
plt.show()

smoker_values = explanation.values[:, X_test.columns.get_loc("smoker")]
smokes = X_test["smoker"].to_numpy() == 1
obese = X_test["bmi"].to_numpy() > 30
high, low = smoker_values[smokes & obese], smoker_values[smokes & ~obese]
spread = max(high.std(), low.std())
claim(
    high.mean() - low.mean() > 2 * spread,
    "the smoker row splits into two sizes of contribution",
    evidence=f"means {high.mean():,.0f}, {low.mean():,.0f}; spread {spread:,.0f} USD",
)
say(
    f"The *smoker* row splits: for the {len(high)} smokers with a BMI above 30 its "
    f"SHAP value runs from {high.min():+,.0f} to {high.max():+,.0f} USD (mean "
    f"**{high.mean():+,.0f}**), for the {len(low)} others from {low.min():+,.0f} to "
    f"{low.max():+,.0f} USD (mean {low.mean():+,.0f}): the two means lie "
    f"{(high.mean() - low.mean()) / spread:.1f} standard deviations apart. One feature "
    "value, two sizes of contribution: the smoker × BMI interaction of the [partial "
    "dependence page](../plot_05_partial_dependence_ice/)."
)

# %%
# ## Global importance: mean |SHAP value|
#
# Averaging the absolute SHAP values per feature gives an importance in the target's
# units: how many dollars, on average, each feature moves a prediction away from the
# base value. `shap.plots.bar(explanation)` draws it in shap's red; an average of
# absolute values has no sign, so we draw it with `plot_bars` in the gallery's purple.
from mlviz.plotting import plot_bars

mean_abs = np.abs(explanation.values).mean(axis=0)
fig, ax = plt.subplots(figsize=(8, 4.5))
plot_bars(
    mean_abs,
    X_test.columns,
    ax=ax,
    fmt="{:,.0f}",
    signed=False,
    xlabel="mean |SHAP value| (USD)",
)
plt.show()

order = np.argsort(-mean_abs)
say(
    "Mean |SHAP| per feature: "
    + ", ".join(f"*{X_test.columns[j]}* ${mean_abs[j]:,.0f}" for j in order[:4])
    + f". The *smoker* SHAP value averages **{smoker_values[smokes].mean():+,.0f} "
    f"USD** for smokers and {smoker_values[~smokes].mean():+,.0f} USD for non-smokers."
)

# %%
# ## How to read these figures
#
# * **Waterfall / force**: contributions are relative to the base value, the average
#   prediction. A bar "bmi +5,000" means that this person's BMI moves the prediction
#   5,000 USD up, averaged over all orders in which the features could be revealed to
#   the model. The bars always add up to the prediction: in the force plot, the red
#   segments' total minus the blue ones' is the distance from the base value to f(x).
# * **Beeswarm**: spread along x is the importance; the colour gradient gives the
#   direction (yellow on the right: high values raise the prediction). A mix of colours
#   on both sides, or a wide spread at one colour (the smokers above), hints at
#   interactions.
# * **Bar**: the beeswarm collapsed to one number per feature; it loses the direction.
#
# ## Pitfalls
#
# * **Contributions are to the model, not to the world.** SHAP explains what this
#   model computes; a feature the model uses as a proxy gets the credit.
# * **The base value depends on the background.** `TreeExplainer` without data uses
#   the training distribution stored in the trees ("path-dependent"); with a
#   background set it measures every value against that set ("interventional"), and a
#   small set brings its own sampling error. The
#   [explainer families page](plot_07_shap_explainer_families.md) measures both.
# * **Correlated features share credit** in ways that depend on that choice.
# * **Units**: here SHAP values are dollars because the model predicts dollars; for a
#   classifier they are usually log-odds, not probabilities.
