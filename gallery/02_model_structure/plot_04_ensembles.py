"""
# Ensembles: base models next to the ensemble

**Catalog B4** · **Question:** structure, comparison · **Family:** tree · **Phase:** after training · **Data:** Iris

An ensemble's prediction is a vote (random forest) or a weighted vote (AdaBoost) of
many simple models. Drawing the decision boundaries of a few members next to the
ensemble's shows what the combination buys: each tree of a forest is jagged and
different from its neighbours, and the average is smoother; each AdaBoost stump cuts
along one feature, and the weighted sum builds a staircase. On two features the whole
model fits on the screen, which is why this page uses two Iris measurements.
"""

# %%
# ## Prepare two features
#
# Petal length and sepal width: the first separates setosa, the second adds the overlap
# between versicolor and virginica that makes the problem interesting.
from sklearn.model_selection import train_test_split

from mlviz.config import QUICK, SEED
from mlviz.datasets import load_iris

X_all, species = load_iris()
features = ["petal length (cm)", "sepal width (cm)"]
X = X_all[features]
y = species.cat.codes.to_numpy()
names = list(species.cat.categories)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=SEED
)
print(f"{len(X_train)} training and {len(X_test)} test flowers on {features}")

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

from mlviz.report import say

member_acc = [t.score(X_test.to_numpy(), y_test) for t in forest.estimators_]
stump_acc = [s.score(X_test.to_numpy(), y_test) for s in ada.estimators_]
say(
    f"Test accuracy: random forest **{forest.score(X_test, y_test):.1%}** (its {len(forest.estimators_)} trees alone: "
    f"{min(member_acc):.1%} to {max(member_acc):.1%}, mean {sum(member_acc) / len(member_acc):.1%}); "
    f"AdaBoost **{ada.score(X_test, y_test):.1%}** (its {len(ada.estimators_)} stumps alone: mean "
    f"{sum(stump_acc) / len(stump_acc):.1%}, best {max(stump_acc):.1%})."
)

# %%
# ## Decision boundaries: members and ensemble
#
# `sklearn.inspection.DecisionBoundaryDisplay.from_estimator` evaluates a model on a
# grid covering the data and colours each cell by the predicted class. Top row: three
# trees of the forest and the forest. Bottom row: the first three stumps of AdaBoost and
# AdaBoost. The points are the training flowers.
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from sklearn.inspection import DecisionBoundaryDisplay

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

cmap = ListedColormap(["#4C72B0", "#DD8452", "#55A868"])
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
# ## AdaBoost's estimator weights
#
# Each stump's say in the final vote is `ada.estimator_weights_`: larger for stumps
# with a lower weighted error on the (re-weighted) training flowers. The error is in
# `ada.estimator_errors_`; for the SAMME algorithm the weight is
# `learning_rate * (log((1 - err) / err) + log(n_classes - 1))`.
fig, (ax_w, ax_e) = plt.subplots(1, 2, figsize=(12, 4))
steps = np.arange(len(ada.estimators_))
ax_w.bar(steps, ada.estimator_weights_[: len(steps)], color="C0")
ax_w.set(
    xlabel="boosting round (stump index)",
    ylabel="weight in the vote",
    title="AdaBoost estimator weights",
)
ax_e.plot(steps, ada.estimator_errors_[: len(steps)], "o-", ms=3, color="C3")
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
say(
    f"The {len(steps)} stumps' weights range from {ada.estimator_weights_.min():.2f} to "
    f"{ada.estimator_weights_.max():.2f}; the largest say goes to stump {int(np.argmax(ada.estimator_weights_))}. "
    f"{share_petal:.0%} of the stumps split on *{features[0]}*, the rest on *{features[1]}*. Mean weight of the first ten stumps: "
    f"{ada.estimator_weights_[:10].mean():.2f}; of the last ten: {ada.estimator_weights_[-10:].mean():.2f}."
)

# %%
# ## How to read these figures
#
# * **Forest members** have ragged, overfitted regions (islands around single flowers)
#   that differ from tree to tree; the forest's boundary is their majority vote, smoother
#   and with fewer islands.
# * **Stumps** split the plane with one straight line along one axis. A single stump can
#   only separate one class from the rest; AdaBoost's staircase-shaped regions are the
#   weighted sum of many such cuts.
# * **Weights**: early stumps, fitted to the easy structure, have the lowest error and the
#   largest weights; later ones chase the hard flowers, their weighted error rises and
#   levels off, and their say shrinks (compare the first and last ten weights above).
#
# ## Pitfalls
#
# * **Two features are a teaching device.** The boundaries of a model on all features
#   cannot be drawn this way; what you see here is a different, smaller model.
# * **Random forest members are not weighted**; every tree votes equally (sklearn averages
#   their predicted probabilities). Only boosting has estimator weights.
# * **A member's accuracy is not the ensemble's**: weak members are expected; the
#   ensemble's strength comes from their errors being different.
# * **The boundary is only known where there are data.** Far from the training flowers the
#   colour is an extrapolation of whatever the last split happened to be.
