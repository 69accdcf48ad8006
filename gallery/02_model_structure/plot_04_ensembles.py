"""
# Ensembles: base models next to the ensemble

**Catalog B4** · **Question:** structure, comparison · **Family:** tree · **Phase:** after training · **Data:** Iris

An ensemble's prediction is a vote (random forest) or a weighted vote (AdaBoost) of
many simple models. Drawing the decision boundaries of a few members next to the
ensemble's shows what the combination does: each tree of a forest draws its own jagged
boundary, and the vote keeps what most trees agree on; each AdaBoost stump cuts the
plane once along one feature, and the weighted vote of many cuts builds boundaries out
of axis-parallel segments. On two features the whole model fits on the screen, which is
why this page uses two Iris measurements.
"""

# %%
# ## Prepare two features
#
# Petal length and sepal width. Petal length alone separates setosa from the other two
# species; versicolor and virginica overlap on both measurements, which is what makes
# the problem interesting.
from sklearn.model_selection import train_test_split

from mlviz.config import QUICK, SEED
from mlviz.datasets import load_iris
from mlviz.report import claim, say

X_all, species = load_iris()
features = ["petal length (cm)", "sepal width (cm)"]
X = X_all[features]
y = species.cat.codes.to_numpy()
names = list(species.cat.categories)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=SEED
)
print(f"{len(X_train)} training and {len(X_test)} test flowers on {features}")
petal = X[features[0]].groupby(species, observed=True).agg(["min", "max"])
claim(
    petal.loc["setosa", "max"] < petal.drop("setosa")["min"].min()
    and petal.loc["versicolor", "max"] > petal.loc["virginica", "min"],
    "petal length separates setosa; versicolor and virginica overlap on it",
    evidence=petal.to_string(),
)

# %%
# ## Fit a random forest and AdaBoost
#
# The forest averages fully grown trees, each fitted on a bootstrap sample with a random
# subset of features per split. AdaBoost fits depth-1 trees (stumps) one after the
# other, each focused on the flowers the previous ones got wrong, and gives each a
# weight according to its accuracy.
from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

forest = RandomForestClassifier(
    n_estimators=50 if QUICK else 200, random_state=SEED, n_jobs=2
).fit(X_train, y_train)
ada = AdaBoostClassifier(
    DecisionTreeClassifier(max_depth=1),
    n_estimators=40 if QUICK else 100,
    learning_rate=0.5,
    random_state=SEED,
).fit(X_train, y_train)

import numpy as np
from sklearn.metrics import accuracy_score

from mlviz.inspect.performance import bootstrap_difference

member_acc = [t.score(X_test.to_numpy(), y_test) for t in forest.estimators_]
stump_acc = [s.score(X_test.to_numpy(), y_test) for s in ada.estimators_]
right_forest = forest.predict(X_test) == y_test
right_ada = ada.predict(X_test) == y_test
# Paired bootstrap over the test flowers: both models scored on the same resamples.
interval = bootstrap_difference(
    accuracy_score,
    y_test,
    forest.predict(X_test),
    ada.predict(X_test),
    n_resamples=2000,
)
tie = interval.low <= 0 <= interval.high
say(
    f"Test accuracy: random forest **{right_forest.mean():.1%}** (its "
    f"{len(forest.estimators_)} trees alone: {min(member_acc):.1%} to "
    f"{max(member_acc):.1%}, mean {np.mean(member_acc):.1%}); AdaBoost "
    f"**{right_ada.mean():.1%}** (its {len(ada.estimators_)} stumps alone: mean "
    f"{np.mean(stump_acc):.1%}, best {max(stump_acc):.1%}). Of the {len(y_test)} test "
    f"flowers the forest gets {right_forest.sum()} right, AdaBoost {right_ada.sum()}; "
    f"95% interval of the difference [{interval.low:+.1%}, "
    f"{interval.high:+.1%}]: "
    + ("indistinguishable on this test set." if tie else "a real difference.")
)

# %%
# ## Decision boundaries: members and ensemble
#
# `sklearn.inspection.DecisionBoundaryDisplay.from_estimator` evaluates a model on a
# grid covering the data and colours each cell by the predicted class. Top row: three
# trees of the forest and the forest. Bottom row: the first three stumps of AdaBoost and
# AdaBoost. The points are the training flowers.
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap
from sklearn.inspection import DecisionBoundaryDisplay

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import MAGNITUDE, SPECIES_COLORS

cmap = ListedColormap([SPECIES_COLORS[name] for name in names])
grid_X = X_train.to_numpy()  # members were fitted on arrays, without feature names
rows = [
    [(f"forest tree {i}", forest.estimators_[i], grid_X) for i in range(3)]
    + [("random forest", forest, X_train)],
    [
        (
            f"stump {i} (weight {ada.estimator_weights_[i]:.2f})",
            ada.estimators_[i],
            grid_X,
        )
        for i in range(3)
    ]
    + [("AdaBoost", ada, X_train)],
]
fig, axes = plt.subplots(2, 4, figsize=(15, 7.5), sharex=True, sharey=True)
for row, ax_row in zip(rows, axes):
    for (title, model, data), ax in zip(row, ax_row):
        DecisionBoundaryDisplay.from_estimator(
            model,
            data,
            response_method="predict",
            multiclass_colors=list(cmap.colors),
            alpha=0.35,
            ax=ax,
            grid_resolution=200,
            xlabel=features[0],
            ylabel=features[1],
        )
        ax.scatter(
            grid_X[:, 0],
            grid_X[:, 1],
            c=y_train,
            cmap=cmap,
            edgecolor="k",
            s=18,
            lw=0.5,
        )
        ax.set_title(title, fontsize=10)
        ax.label_outer()
handles = [
    plt.Line2D([], [], marker="o", ls="", color=c, mec="k", label=n)
    for c, n in zip(cmap.colors, names)
]
fig.legend(handles=handles, loc="lower center", ncols=3, bbox_to_anchor=(0.5, -0.04))
fig.suptitle(
    "Base models (first three columns) and the ensemble (last column)",
    fontweight="bold",
)
plt.show()

# %%
# How jagged is each map? We predict on a 200 x 200 grid over the plotted area and
# count the connected regions of one colour (`scipy.ndimage.label`): three is the
# least a three-class map can have, every extra region is an island. The share of the
# boundary that runs horizontally tells whether sepal width ever decides.
import pandas as pd
from scipy import ndimage

lo, hi = grid_X.min(axis=0) - 1, grid_X.max(axis=0) + 1  # the display's default range
gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
plane = np.column_stack([gx.ravel(), gy.ravel()])


def regions(model, frame=False):
    """Connected one-class regions of the model's map, and its horizontal share."""
    points = pd.DataFrame(plane, columns=features) if frame else plane
    labels = model.predict(points).reshape(gx.shape)
    count = sum(ndimage.label(labels == c)[1] for c in np.unique(labels))
    across_y = (np.diff(labels, axis=0) != 0).sum()  # horizontal boundary segments
    across_x = (np.diff(labels, axis=1) != 0).sum()
    return count, across_y / (across_x + across_y)


member_regions = [regions(t)[0] for t in forest.estimators_]
forest_regions = regions(forest, frame=True)[0]
ada_regions, ada_horizontal = regions(ada, frame=True)
q1, q3 = np.percentile(member_regions, [25, 75])  # a typical member: the middle half
say(
    f"Regions of one colour: forest trees 0-2 have "
    f"{', '.join(str(n) for n in member_regions[:3])} (all {len(member_regions)} "
    f"trees: {min(member_regions)} to {max(member_regions)}, the middle half "
    f"{q1:g} to {q3:g}); the forest has **{forest_regions}**, "
    + (
        "more than"
        if forest_regions > q3
        else "fewer than"
        if forest_regions < q1
        else "as many as"
    )
    + f" a typical member. AdaBoost's map has {ada_regions} regions, and "
    f"{ada_horizontal:.0%} of its boundary runs horizontally: "
    + (
        "its regions are pure bands along petal length."
        if ada_horizontal == 0
        else "its regions are bands along petal length, with a small step where "
        "sepal-width stumps tip the vote."
        if ada_horizontal < 0.2
        else "sepal-width stumps shape a real staircase."
    )
)

# %%
# ## AdaBoost's estimator weights
#
# Each stump's say in the final vote is `ada.estimator_weights_`: larger for stumps
# with a lower weighted error on the (re-weighted) training flowers. The error is in
# `ada.estimator_errors_`; for the SAMME algorithm the weight is
# `learning_rate * (log((1 - err) / err) + log(n_classes - 1))`.
fig, (ax_w, ax_e) = plt.subplots(1, 2, figsize=(12, 4))
steps = np.arange(len(ada.estimators_))
ax_w.bar(steps, ada.estimator_weights_[: len(steps)], color=MAGNITUDE)
ax_w.set(
    xlabel="boosting round (stump index)",
    ylabel="weight in the vote",
    title="AdaBoost estimator weights",
)
ax_e.plot(steps, ada.estimator_errors_[: len(steps)], "o-", ms=3, color="0.25")
ax_e.axhline(
    1 - 1 / len(names), color="0.4", ls=":", label="chance error for 3 classes"
)
ax_e.set(
    xlabel="boosting round (stump index)",
    ylabel="weighted training error",
    title="Each stump's weighted error",
)
ax_e.legend()
plt.show()

split_features = [features[s.tree_.feature[0]] for s in ada.estimators_]
share_petal = np.mean([f == features[0] for f in split_features])
weights, errors = ada.estimator_weights_, ada.estimator_errors_
early, late = errors[:10].mean(), errors[-10:].mean()
# the last stumps whose error is the last one's at the three decimals printed
same = np.round(errors, 3) == np.round(errors[-1], 3)
flat = int(np.cumprod(same[::-1]).sum())  # length of that trailing run
say(
    f"The {len(steps)} stumps' weights range from {weights.min():.2f} to "
    f"{weights.max():.2f}; the largest say goes to stump {int(np.argmax(weights))}. "
    f"{share_petal:.0%} of the stumps split on *{features[0]}*, the rest on "
    f"*{features[1]}*. The weighted error "
    f"{'rises' if late > early else 'falls'} from a mean of {early:.2f} over the "
    f"first ten stumps to {late:.2f} over the last ten, and the mean weight "
    f"{'shrinks' if weights[-10:].mean() < weights[:10].mean() else 'grows'} from "
    f"{weights[:10].mean():.2f} to {weights[-10:].mean():.2f}"
    + (
        f"; the last {flat} stumps all have the same error, {errors[-1]:.3f}: the "
        "error has levelled off."
        if flat >= 10
        else "."
    )
)

# %%
# ## How to read these figures
#
# * **Forest members** have ragged, overfitted regions (islands around single flowers)
#   that differ from tree to tree; the forest's boundary is their vote: the mean of
#   their predicted probabilities, which for fully grown trees (pure leaves, except
#   where two flowers of different species share both measurements) is the share of
#   trees voting for each species. One tree's island survives only where more trees
#   draw it than any other species; the region counts above say how this forest
#   compares with its members.
# * **Stumps** split the plane with one straight line along one axis. A single stump has
#   two leaves, so it can only separate one class from the rest; AdaBoost's regions are
#   the weighted vote of many such cuts, bands where the cuts share one feature and
#   steps where cuts on both features combine.
# * **Weights**: a stump's weight falls as its weighted error rises (the formula above).
#   Boosting re-weights the flowers towards the ones the previous stumps got wrong, so
#   later stumps face a harder weighted problem; the finding above says how the errors
#   and weights moved in this run.
#
# ## Pitfalls
#
# * **Two features are a teaching device.** The boundaries of a model on all features
#   cannot be drawn this way; what you see here is a different, smaller model.
# * **Random forest members are not weighted**; every tree votes equally (sklearn
#   averages their predicted probabilities). Only boosting has estimator weights.
# * **A member's accuracy is not the ensemble's**: weak members are expected; the
#   ensemble's strength comes from their errors being different.
# * **The boundary is only known where there are data.** Far from the training flowers
#   the colour is an extrapolation of whatever the last split happened to be.
