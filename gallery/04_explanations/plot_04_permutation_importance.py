"""
# Permutation importance and its spread over repeats

**Catalog D4** · **Question:** importance · **Family:** any · **Phase:** after training · **Data:** insurance

Permutation importance asks of any fitted model: *how much worse does it predict when
one feature is scrambled?* It needs no access to the model's insides, works on held-out
data, and is measured in the units of a score you care about. But it is an estimate:
each shuffle is random, so the drop in score varies from one shuffle to the next. This
page computes it for a gradient-boosting model of medical charges, repeats every
shuffle many times, and draws the whole distribution as box plots instead of a single
bar.

The charges table is simulated: B. Lantz generated it from US Census Bureau
statistics for *Machine Learning with R*, so its patterns are the simulation's, not
evidence about real patients; the techniques read it as they would read real data.
"""

# %%
# ## Fit the model
#
# `fit_insurance_model` (from the gallery's helper package) prepares the insurance table
# (8 numeric columns), splits it 75/25 and fits scikit-learn's
# `GradientBoostingRegressor`; pages D5-D7 explain the same model.
from mlviz.config import QUICK, SEED
from mlviz.explain import fit_insurance_model
from mlviz.report import claim, say

fitted = fit_insurance_model()
model, X_train, X_test, y_train, y_test = (
    fitted.model,
    fitted.X_train,
    fitted.X_test,
    fitted.y_train,
    fitted.y_test,
)
say(
    f"R² = {model.score(X_train, y_train):.3f} on the {len(X_train)} training people "
    f"and **{model.score(X_test, y_test):.3f}** on the {len(X_test)} test people."
)

# %%
# ## Shuffle each feature many times
#
# `permutation_importance` shuffles one column at a time, `n_repeats` times, and records
# the drop in R² each time. `importances` holds every single drop (features x repeats);
# `importances_mean` and `importances_std` summarize them. We do it on the test data
# (what generalizes) and, for comparison, on the training data (what the model used).
from sklearn.inspection import permutation_importance

n_repeats = 10 if QUICK else 30
result = {
    name: permutation_importance(
        model, X, y, scoring="r2", n_repeats=n_repeats, random_state=SEED, n_jobs=1
    )
    for name, X, y in [("test", X_test, y_test), ("training", X_train, y_train)]
}

# %%
# ## Draw the distributions
#
# One box per feature, sorted by the median drop on the test data: the box spans the
# middle half of the repeats, the whiskers reach the most extreme repeat within 1.5 box
# lengths, and points beyond them are drawn individually. The effects span two orders
# of magnitude or more, so the axis is *symmetric-logarithmic*: linear within ±0.01
# (where the small and the negative values sit), logarithmic beyond.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

order = np.argsort(np.median(result["test"].importances, axis=1))  # bottom to top
names = X_test.columns[order]
fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True, sharex=True)
for ax, (name, res) in zip(axes, result.items()):
    ax.boxplot(
        res.importances[order].T,
        orientation="horizontal",
        tick_labels=names,
        widths=0.6,
    )
    ax.axvline(0, color="0.3", lw=0.8, ls="--")
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_title(f"{name} data ({n_repeats} shuffles per feature)")
    ax.set_xlabel("drop in R² when the feature is shuffled")
plt.show()

test, train = result["test"], result["training"]
top = int(np.argmax(test.importances_mean))
# a drop is measurable when its mean is more than two standard deviations above zero
measurable = test.importances_mean - 2 * test.importances_std > 0
span = test.importances_mean.max() / test.importances_mean[measurable].min()
claim(
    span >= 100,
    "the measurable effects span two orders of magnitude",
    evidence=f"largest / smallest measurable mean drop = {span:.0f}",
)
small = list(X_test.columns[~measurable])
r2_test = model.score(X_test, y_test)
say(
    f"Shuffling *{X_test.columns[top]}* costs **{test.importances_mean[top]:.3f}** "
    "of R² on average"
    + (
        f" (more than the model's R² of {r2_test:.3f}: with that column scrambled the "
        "model does worse than always predicting the mean charge). "
        if test.importances_mean[top] > r2_test
        else ". "
    )
    + f"The largest measurable mean drop is {span:.0f} times the smallest. "
    + (
        f"For {len(small)} features ({', '.join(small)}) the mean drop is within two "
        "standard deviations of zero: the shuffles cannot tell them apart from useless."
        if small
        else "Every feature's mean drop is more than two standard deviations above "
        "zero."
    )
)
pd.DataFrame(
    {
        "mean drop in R² (test)": test.importances_mean,
        "std over repeats": test.importances_std,
        "smallest": test.importances.min(axis=1),
        "largest": test.importances.max(axis=1),
    },
    index=X_test.columns,
).iloc[order[::-1]].round(3)

# %%
# Two boxes that overlap cannot be ranked. We compare the test drops of neighbours in
# the ranking by their mean ± 2 standard deviations over the repeats, and look for
# features that matter more on the training data than on the test data.
from itertools import pairwise

low = test.importances_mean - 2 * test.importances_std
high = test.importances_mean + 2 * test.importances_std
ranked = order[::-1]  # largest first
pairs = [
    f"*{X_test.columns[a]}* and *{X_test.columns[b]}* "
    + ("overlap" if low[a] <= high[b] else "are separated")
    for a, b in pairwise(ranked[:4])
]
train_only = [
    X_test.columns[j]
    for j in range(X_test.shape[1])
    if train.importances_mean[j] - 2 * train.importances_std[j] > high[j]
]
corr = X_train[["age", "bmi", "children"]].corr().abs().to_numpy()
say(
    "Neighbours in the test ranking: "
    + "; ".join(pairs)
    + ". "
    + (
        f"**{', '.join(train_only)}** cost clearly more on the training data than on "
        "the test data: the model uses them to fit details of its training people "
        "that do not carry over."
        if train_only
        else "No feature costs clearly more on the training data than on the test data."
    )
    + " The numeric features are nearly uncorrelated (largest |r| between age, BMI "
    f"and children: {corr[np.triu_indices(3, 1)].max():.2f})."
)
claim(
    corr[np.triu_indices(3, 1)].max() < 0.3,
    "the numeric features are nearly uncorrelated",
    evidence=f"{corr.round(2)}",
)
claim(
    [X_test.columns[j] for j in ranked[:3]]
    == list(X_test.columns[np.argsort(train.importances_mean)[::-1][:3]]),
    "both panels agree on the large effects",
    evidence=f"test {list(X_test.columns[ranked[:3]])}",
)

# %%
# ## How to read this figure
#
# * The position of a box is the importance; its **width is the uncertainty from
#   shuffling alone**. Two features whose boxes overlap cannot be ranked against each
#   other with confidence.
# * A box around zero means the model does not need that feature to predict new people
#   (or takes the same information from a correlated one: see the pitfalls). A box
#   slightly *below* zero happens too: by chance a shuffle helped.
# * **Training vs test**: a feature more important on training than on test data is
#   one the model uses to fit noise; here both panels agree on the three large effects,
#   and the small ones are listed above.
#
# ## Pitfalls
#
# * **Correlated features mislead in both directions.** If the model can take the
#   same information from a correlated feature, shuffling one of them barely hurts and
#   both look unimportant (scikit-learn's example on multicollinear features). If it
#   relies on both, the shuffled column pairs values that do not go together (height
#   and weight, say), the model is scored on rows it never saw, and the drop can
#   overstate the feature (Strobl et al., 2008; Hooker, Mentch and Zhou, 2021).
#   Group correlated features and shuffle them together, or permute within groups of
#   similar rows (conditional permutation importance).
# * **Shuffling can create rows that never occur.** Here age, BMI and children are
#   nearly uncorrelated (the correlation above), so shuffling one of them gives rows
#   like the real ones. The region indicators are not: shuffling `region_southeast`
#   alone puts some people in two regions at once.
# * **The spread is not the whole uncertainty.** Repeats only vary the shuffle; a
#   different train/test split or a refitted model would move the boxes too.
# * **Importance for the model is not importance in the world**: it says what this model
#   relies on, not what causes high charges. On MBA data, the
#   [MDI pitfall](plot_03_mdi_pitfall.md) compares this measure with the forest's
#   built-in importance.
