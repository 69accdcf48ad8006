"""
# Partial dependence and ICE curves

**Catalog D5** · **Question:** importance, one prediction · **Family:** any · **Phase:** after training · **Data:** insurance

Importance scores say *how much* a model relies on a feature, not *how*. A partial
dependence (PD) curve shows how the model's average prediction changes as one feature
is moved across its range with everything else left as it is; individual conditional
expectation (ICE) curves draw the same thing for each person, so that you can see
whether everyone responds alike or whether the average hides groups. A two-feature
partial dependence shows an interaction: here, that a high BMI costs smokers far more
than non-smokers.

The charges table is simulated: B. Lantz generated it from US Census Bureau
statistics for *Machine Learning with R*, so its patterns are the simulation's, not
evidence about real patients; the techniques read it as they would read real data.
"""

# %%
# ## Fit the model
#
# The gradient-boosting model of yearly medical charges shared by pages D4-D7
# (`fit_insurance_model` from the gallery's helper package).
from mlviz.config import QUICK, SEED
from mlviz.explain import fit_insurance_model
from mlviz.report import claim, say

fitted = fit_insurance_model()
model, X_train, X_test = fitted.model, fitted.X_train, fitted.X_test
say(f"Test R² of the model: **{model.score(X_test, fitted.y_test):.3f}**.")

# %%
# ## One feature at a time: PD and ICE
#
# We draw a random subset of training people (ICE lines for all of them would be a
# solid block). `PartialDependenceDisplay.from_estimator` with `kind="both"` draws one
# thin ICE line per person: the model's prediction for that person as `age` (or `bmi`)
# is set to each value of a grid, the other features unchanged. The thick line is their
# average, the partial dependence. The tick marks at the bottom show the deciles of the
# feature in the subset, where the data actually are.
import matplotlib.pyplot as plt
from sklearn.inspection import PartialDependenceDisplay

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

people = X_train.sample(n=60 if QUICK else 200, random_state=SEED)
grid_resolution = 20 if QUICK else 50
fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
display = PartialDependenceDisplay.from_estimator(
    model,
    people,
    features=["age", "bmi"],
    kind="both",
    grid_resolution=grid_resolution,
    ice_lines_kw={"color": "C0", "alpha": 0.25, "linewidth": 0.6},
    pd_line_kw={"color": "k", "linewidth": 3},
    ax=axes,
)
axes[1].set_ylabel("")
axes[0].set_ylabel("predicted yearly charges (USD)")
fig.suptitle(
    f"ICE curves ({len(people)} people) and their average, the partial dependence"
)
plt.show()

# %%
# ## The same ICE lines, coloured by smoking
#
# `partial_dependence(..., kind="individual")` returns the ICE lines as an array, one
# row per person in the order of `people`, so we can colour them by a third feature.
# The BMI curves fall into two families that the single PD curve above averaged into
# one: every smoker's curve rises more between the BMI quartiles than any
# non-smoker's (checked below the figure).
import numpy as np
from matplotlib.lines import Line2D
from sklearn.inspection import partial_dependence

ice = partial_dependence(
    model, people, ["bmi"], kind="individual", grid_resolution=grid_resolution
)
bmi_grid, lines = ice["grid_values"][0], ice["individual"][0]
smokes = people["smoker"].to_numpy() == 1
fig, ax = plt.subplots(figsize=(8, 5))
for line, smoker in zip(lines, smokes):
    ax.plot(bmi_grid, line, color="C1" if smoker else "C0", alpha=0.35, lw=0.7)
ax.set_xlabel("bmi")
ax.set_ylabel("predicted yearly charges (USD)")
ax.set_title("ICE curves for BMI: smokers and non-smokers respond differently")
ax.legend(
    handles=[
        Line2D([], [], color="C1", label=f"smoker ({smokes.sum()})"),
        Line2D([], [], color="C0", label=f"non-smoker ({(~smokes).sum()})"),
    ],
    loc="upper left",
)
plt.show()

# The model is a step function of BMI, and a straight line between two grid points
# can miss a step: we quote values where the model was evaluated, at the quartiles.
lo, hi = np.percentile(X_train["bmi"], [25, 75])
rise = model.predict(people.assign(bmi=hi)) - model.predict(people.assign(bmi=lo))
claim(
    rise[smokes].min() > rise[~smokes].max(),
    "every smoker's ICE curve rises more between the BMI quartiles than any "
    "non-smoker's",
    evidence=f"smokers from {rise[smokes].min():,.0f}, non-smokers up to "
    f"{rise[~smokes].max():,.0f}",
)
say(
    f"From BMI {lo:.1f} to {hi:.1f} (the training quartiles) the smokers' predictions "
    f"rise by ${rise[smokes].min():,.0f} to ${rise[smokes].max():,.0f}; the "
    f"non-smokers' change by ${rise[~smokes].min():,.0f} to "
    f"${rise[~smokes].max():,.0f}."
)

# %%
# ## Two features together: BMI x smoker
#
# A two-feature partial dependence averages the prediction over the data for every
# *pair* of values. With `smoker` taking only 0 and 1, it is two curves: the partial
# dependence of BMI for everybody set to non-smoker, and for everybody set to smoker.
# If the two features did not interact, the curves would be parallel. We ask for
# `method="brute"` (predict on modified copies of the data): the faster `"recursion"`
# shortcut for gradient boosting leaves out the model's initial constant (the mean
# charge), so its values are not the model's dollar amounts.
pair = partial_dependence(
    model, X_train, ["bmi", "smoker"], grid_resolution=grid_resolution, method="brute"
)
bmi_values, smoker_values = pair["grid_values"]
average = pair["average"][0]  # shape (n_bmi, n_smoker)

fig, ax = plt.subplots(figsize=(8, 5))
for j, value in enumerate(smoker_values):
    ax.plot(
        bmi_values,
        average[:, j],
        lw=3,
        color="C1" if value == 1 else "C0",
        label="everyone set to smoker" if value == 1 else "everyone set to non-smoker",
    )
ax.axvline(30, color="0.4", ls=":", lw=1)
ax.text(
    30.3, ax.get_ylim()[0], "BMI 30 (obesity)", va="bottom", fontsize=9, color="0.3"
)
ax.set_xlabel("bmi")
ax.set_ylabel("average predicted charges (USD)")
ax.set_title("Two-feature partial dependence: BMI x smoker")
ax.legend(loc="upper left")
plt.show()


def pd_at(bmi, smoker):
    """Partial dependence at one point: the mean prediction, both values set for all."""
    return model.predict(X_train.assign(bmi=bmi, smoker=smoker)).mean()


jump_smoker = pd_at(hi, 1) - pd_at(lo, 1)
jump_non = pd_at(hi, 0) - pd_at(lo, 0)
claim(
    jump_smoker > 5 * max(jump_non, 0),
    "a high BMI costs smokers far more than non-smokers",
    evidence=f"${jump_smoker:,.0f} vs ${jump_non:,.0f}",
)
non_col = list(smoker_values).index(0)
turns = int((np.diff(np.sign(np.diff(average[:, non_col]))) != 0).sum())
say(
    f"Going from BMI {lo:.1f} to {hi:.1f} raises the average prediction by "
    f"**${jump_smoker:,.0f}** when everyone is set to smoker, and by "
    f"**${jump_non:,.0f}** when everyone is set to non-smoker. At BMI {hi:.1f}, "
    f"smoking adds ${pd_at(hi, 1) - pd_at(hi, 0):,.0f}; at BMI {lo:.1f}, "
    f"${pd_at(lo, 1) - pd_at(lo, 0):,.0f}. The non-smoker curve changes "
    f"direction {turns} times over its {len(bmi_values)} grid points: the wiggles "
    "come from the trees' split points on BMI; read the trend, not the wiggles."
)

# %%
# ## How to read these figures
#
# * **PD curve**: the model's average answer to "what if this feature had value x for
#   everybody?". A flat curve means that the *average* prediction does not move, not
#   that the model ignores the feature: a rise for some people and a fall for others
#   cancel in the average. That is why Goldstein et al. (2015) proposed ICE curves;
#   look at them before calling a feature unused.
# * **ICE curves**: the same question per person. Parallel ICE lines mean the feature
#   shifts everyone's prediction by the same amount; lines that fan out or cross mean
#   its effect depends on other features: an interaction.
# * **Two-feature PD**: non-parallel curves are the interaction made explicit. Here the
#   gaps between the two curves at low and high BMI are the numbers printed above.
#
# ## Pitfalls
#
# * **Impossible combinations.** The grid sets every person to every value, including
#   combinations never seen in the data. With correlated features (height and weight,
#   say) PD curves describe a model on data it never saw; accumulated local effects
#   (ALE) plots avoid this. In this table age, BMI and children are nearly
#   uncorrelated (see the
#   [permutation importance page](plot_04_permutation_importance.md)).
# * **The average hides groups**: always look at the ICE lines before trusting the PD
#   curve, as the smoker split above shows.
# * **Only the data range is meaningful**: read the curves between the decile ticks,
#   not in the tails where few or no people are.
# * **The lines join grid points.** A tree ensemble is a step function, and a straight
#   line between two grid points can miss a step: read a value off the curve only at a
#   grid point, or predict at the value you need (as the numbers above do).
# * **A model's dependence is not a causal effect.** The curves describe what this model
#   predicts, not what would happen to someone's bill if they lost weight.
