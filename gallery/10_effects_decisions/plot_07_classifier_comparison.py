"""
# Classifier comparison: decision surfaces and test scores on three 2-D data sets

**Catalog J7** · **Question:** comparison, structure · **Family:** any · **Phase:** after training · **Data:** synthetic

With two features a classifier's whole decision can be drawn: colour each point of the
plane by the class the model predicts there. scikit-learn's classic *classifier
comparison* does this for a row of classifiers on three small data sets, and the shapes
tell how each model family thinks: straight lines, axis-parallel staircases, smooth
curves, ragged islands. This page redraws it with `DecisionBoundaryDisplay`, one figure
per data set so that it reads on a phone, and adds what the classic figure leaves out:
an interval for each score (the test sets hold 40 points), many fresh draws of the
data to tell which differences are beyond the noise, and measurements of each
boundary's shape, so that what the picture suggests about a model is checked.
"""

# %%
# ## Three data sets
#
# scikit-learn's three: two interleaved half-moons, a ring around a disc, and two
# Gaussian clouds (uniform noise added) that a straight line divides best, though in
# most draws, the figure's included, no line separates them. Each draw holds 100 points;
# 60% train the models and 40% test them, stratified by class. `make_data` draws a
# new sample for each seed, which the comparison over many draws uses below.
import numpy as np
from sklearn.datasets import make_circles, make_classification, make_moons
from sklearn.model_selection import train_test_split

from mlviz.config import QUICK, SEED


def make_data(name, seed, n=100):
    """One draw of a data set: ``n`` points, two features, classes 0 and 1."""
    if name == "moons":
        return make_moons(n, noise=0.3, random_state=seed)
    if name == "circles":
        return make_circles(n, noise=0.2, factor=0.5, random_state=seed)
    X, y = make_classification(
        n, n_features=2, n_redundant=0, n_clusters_per_class=1, random_state=seed
    )
    return X + 2 * np.random.default_rng(seed).uniform(size=X.shape), y


def split(X, y, seed):
    return train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed)


data_names = ["moons", "circles", "linearly separable"]
data = {name: make_data(name, SEED) for name in data_names}
splits = {name: split(*data[name], SEED) for name in data_names}

# %%
# ## Seven classifiers
#
# The classic figure's settings (one hidden layer of 100 ReLU units, an RBF SVM with
# `gamma=2`, trees of depth 5...), with logistic regression in place of its linear
# SVM; fixed, not tuned per data set. Models that measure distances or follow
# gradients see standardized features; trees and naive Bayes do not need it.
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

classifiers = {
    "nearest neighbours": make_pipeline(StandardScaler(), KNeighborsClassifier(3)),
    "logistic regression": make_pipeline(StandardScaler(), LogisticRegression()),
    "RBF SVM": make_pipeline(StandardScaler(), SVC(gamma=2, C=1)),
    "decision tree": DecisionTreeClassifier(max_depth=5, random_state=SEED),
    "random forest": RandomForestClassifier(
        n_estimators=10, max_depth=5, max_features=1, random_state=SEED
    ),
    "neural net": make_pipeline(
        StandardScaler(), MLPClassifier(alpha=1, max_iter=1000, random_state=SEED)
    ),
    "naive Bayes": GaussianNB(),
}
fitted = {
    (data_name, name): clone(model).fit(X_train, y_train)
    for data_name, (X_train, X_test, y_train, y_test) in splits.items()
    for name, model in classifiers.items()
}

# %%
# ## Test scores, each with its interval
#
# A test accuracy on 40 points is a proportion of 40 trials: one error more moves it
# by 2.5 points. Its 95% Wilson interval (`binomtest(...).proportion_ci`) says where
# this fitted model's accuracy on new points drawn like these could lie.
import pandas as pd
from scipy.stats import binomtest

scores = {}
for (data_name, name), model in fitted.items():
    _, X_test, _, y_test = splits[data_name]
    right = int((model.predict(X_test) == y_test).sum())
    interval = binomtest(right, len(y_test)).proportion_ci(method="wilson")
    scores[data_name, name] = [right / len(y_test), interval.low, interval.high]
scores = pd.DataFrame(scores, index=["accuracy", "95% low", "95% high"]).T
scores = scores.rename_axis(["data", "classifier"])

# %%
# ## The decision surfaces
#
# `DecisionBoundaryDisplay.from_estimator` predicts the class on a fine grid over the
# data and colours each cell by it (`response_method="predict"`): orange for class 0,
# blue for class 1, on every panel. Dots are training points,
# triangles test points. Each title gives the test accuracy and its 95% interval.
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from sklearn.inspection import DecisionBoundaryDisplay

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

class_colors = ["#DD8452", "#4C72B0"]  # class 0 orange, class 1 blue, as on page H3
cmap = ListedColormap(class_colors)
resolution = 100 if QUICK else 200
displays = {}
for data_name in data_names:
    X_train, X_test, y_train, y_test = splits[data_name]
    fig, axes = plt.subplots(3, 3, figsize=(7.2, 7.8), sharex=True, sharey=True)
    for ax, name in zip(axes.flat[1:], classifiers):
        displays[data_name, name] = DecisionBoundaryDisplay.from_estimator(
            fitted[data_name, name],
            data[data_name][0],
            response_method="predict",
            grid_resolution=resolution,
            eps=0.5,
            cmap=cmap,
            levels=[-0.5, 0.5, 1.5],
            alpha=0.35,
            ax=ax,
        )
        low, high = scores.loc[(data_name, name), ["95% low", "95% high"]]
        accuracy = scores.loc[(data_name, name), "accuracy"]
        ax.set_title(f"{name}\n{accuracy:.2f} [{low:.2f}, {high:.2f}]")
    for ax in axes.flat[:-1]:
        ax.scatter(*X_train.T, c=cmap(y_train), s=12, alpha=0.7, lw=0)
        ax.scatter(*X_test.T, c=cmap(y_test), s=24, marker="^", ec="white", lw=0.5)
        ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
        ax.grid(False)
    axes[0, 0].set_title(f"the data\n({len(y_train)} train, {len(y_test)} test)")
    axes[-1, -1].axis("off")
    keys = [("s", class_colors[0]), ("s", class_colors[1]), ("o", "0.5"), ("^", "0.5")]
    handles = [Line2D([], [], ls="", marker=m, ms=8, color=c) for m, c in keys]
    labels = ["class 0", "class 1", "training point", "test point"]
    axes[-1, -1].legend(handles, labels, loc="center", fontsize=12)
    fig.suptitle(f"{data_name}: predicted class; test accuracy [95% interval]")
    plt.show()

from mlviz.report import claim, say

top = scores.groupby("data", sort=False)["accuracy"].idxmax()  # best panel of each
within = [
    (scores.loc[d, "accuracy"] >= scores.loc[key, "95% low"]).sum() - 1
    for d, key in top.items()
]
width = scores["95% high"] - scores["95% low"]
say(
    f"With {len(y_test)} test points an interval is {width.min():.2f} to "
    f"{width.max():.2f} wide. The best panel's interval holds the scores of "
    + ", ".join(f"{k} of the other 6 on {d}" for d, k in zip(top.index, within))
    + (": no split singles out a best classifier." if min(within) > 0 else ".")
)

# %%
# ## What the shapes say, measured
#
# Each display keeps the classes it predicted on its grid (`display.response`);
# three measures of the boundary on it (helpers of `mlviz.plotting`):
#
# * **regions**: connected areas of one class (`scipy.ndimage.label`); more than
#   two are islands.
# * **strip width**: the narrowest strip, in grid cells, that holds every midpoint
#   between two neighbouring cells of different classes. Each lies within half a cell
#   of a straight boundary, so a straight boundary fits in one cell; curves and
#   staircases need more.
# * **on thresholds** (trees and forests): whether every change of class lies
#   between two grid columns (rows) that straddle one of the model's split
#   thresholds, which makes the boundary axis-parallel segments.
from mlviz.plotting import changes_on_thresholds, surface_shape
from mlviz.report import rounding_tolerance

shapes = pd.DataFrame({key: surface_shape(d) for key, d in displays.items()}).T
shapes = shapes.rename_axis(["data", "classifier"])
shapes["on thresholds"] = [
    changes_on_thresholds(fitted[key], displays[key])
    if key[1] in ("decision tree", "random forest")
    else None
    for key in shapes.index
]
straight = shapes.xs("logistic regression", level="classifier")["strip width"]
curved = shapes.xs("RBF SVM", level="classifier")["strip width"]
claim(
    shapes["on thresholds"].dropna().all(),
    "every change of class of the tree and the forest lies on one of their split "
    "thresholds: their boundaries are axis-parallel steps",
    evidence=str(shapes["on thresholds"].dropna().to_dict()),
)
tol = rounding_tolerance("float64", scale=resolution, n_terms=4)  # hull arithmetic
claim(
    (straight <= 1 + tol).all() and (curved > 1 + tol).all(),
    "logistic regression's boundary is a straight line; the RBF SVM's is not",
    evidence=f"strip widths {straight.to_dict()} and {curved.to_dict()}",
)
islands = shapes.index[shapes["regions"] > 2]
say(
    "Islands (more than two regions of one class or the other): "
    + ", ".join(f"{name} on {data_name}" for data_name, name in islands)
    + "."
)
shapes.round(1)

# %%
# ## Which differences are beyond the noise? Many fresh draws
#
# The data are synthetic, so instead of resampling one sample we draw a new one again
# and again (seeds other than the figure's), fit every classifier on its 60 training
# points and score it on its 40 test points. The draws are independent, so each
# classifier's difference from the best mean, draw by draw, has an ordinary *t*
# interval. Six comparisons per data set call for Bonferroni's correction (each
# interval at 1 − 0.05/6), so that the six hold together with 95% confidence. A
# classifier whose interval holds 0 cannot be told from the best.
from scipy.stats import t as student_t

n_draws = 5 if QUICK else 25
accuracy = {name: np.zeros((n_draws, len(classifiers))) for name in data_names}
for data_name in data_names:
    for draw in range(n_draws):
        seed = SEED + 1 + draw
        X_train, X_test, y_train, y_test = split(*make_data(data_name, seed), seed)
        for c, model in enumerate(classifiers.values()):
            model = clone(model).fit(X_train, y_train)
            accuracy[data_name][draw, c] = model.score(X_test, y_test)

t_crit = student_t.ppf(1 - 0.05 / 2 / (len(classifiers) - 1), n_draws - 1)
comparison = {}
for data_name, acc in accuracy.items():
    difference = acc - acc[:, [acc.mean(axis=0).argmax()]]  # minus the best, per draw
    mean = difference.mean(axis=0)
    half = t_crit * difference.std(axis=0, ddof=1) / np.sqrt(n_draws)
    for c, name in enumerate(classifiers):
        row = [acc[:, c].mean(), mean[c], mean[c] - half[c], mean[c] + half[c]]
        comparison[data_name, name] = row
columns = ["mean accuracy", "minus best", "low", "high"]
comparison = pd.DataFrame(comparison, index=columns).T
comparison.index.names = ["data", "classifier"]
best_mean = comparison.groupby("data", sort=False)["mean accuracy"].idxmax()
comparison["verdict"] = np.where(comparison["high"] < 0, "worse", "tied with best")
comparison.loc[best_mean, "verdict"] = "best mean"
comparison.round(3)

# %%
# The figure shows each classifier's mean difference from the best, with its
# interval; filled markers cannot be told from the best, hollow ones are worse.
from mlviz.plotting import plot_interval_dots

fig, axes = plt.subplots(1, 3, figsize=(7.2, 3.6), sharey=True)
for ax, data_name in zip(axes, data_names):
    part = 100 * comparison.loc[data_name, ["minus best", "low", "high"]]
    plot_interval_dots(*part.to_numpy().T, labels=part.index, ax=ax)
    ax.set_xlabel("accuracy − best\n(points)")
    ax.set_title(data_name, fontsize=11)
fig.suptitle(
    f"Over {n_draws} fresh draws: accuracy minus the best mean\n"
    "(filled: within the noise of the best; hollow: worse)"
)
plt.show()

verdicts = []
for data_name in data_names:
    part = comparison.loc[data_name]
    tied = ", ".join(part.index[part["verdict"] == "tied with best"])
    verdicts.append(
        f"**{data_name}**: {part['mean accuracy'].idxmax()} has the best mean "
        f"({part['mean accuracy'].max():.3f}); "
        + (f"{tied} cannot be told from it." if tied else "it is the best here.")
    )
linear = comparison.loc["linearly separable"]
if linear.loc["decision tree", "verdict"] == "worse":
    verdicts.append(
        "On the linearly separable data the decision tree is worse than the best by "
        f"{-linear.loc['decision tree', 'minus best']:.3f}, and not for its staircase: "
        "draws turned so that the best line is parallel to an axis leave it behind all "
        "the same. More likely it pays for the variance of depth 5 on 60 points."
    )
coin = accuracy["circles"][:, list(classifiers).index("logistic regression")]
half_width = student_t.ppf(0.975, n_draws - 1) * coin.std(ddof=1) / np.sqrt(n_draws)
claim(
    coin.mean() - half_width <= 0.5
    and comparison.loc[("circles", "logistic regression"), "verdict"] == "worse",
    "on the circles, logistic regression does no better than a coin",
    evidence=f"mean accuracy {coin.mean():.3f} ± {half_width:.3f}",
)
if coin.mean() + half_width < 0.5:
    verdicts.append(
        f"Logistic regression on the circles is even below a coin ({coin.mean():.3f}, "
        f"95% interval up to {coin.mean() + half_width:.3f}): `make_circles` puts "
        "each circle's points at evenly spaced angles, so where one class's training "
        "points crowd, its test points are sparse, and a line that leans towards the "
        "first is wrong on the second."
    )
say(" ".join(verdicts))

# %%
# ## How to read these figures
#
# * **A panel** colours the plane by the predicted class; dots trained the model,
#   triangles tested it; the title: accuracy on the 40 test points, 95% interval.
# * **A straight line** (logistic regression): the sign of a weighted sum of the
#   features; it cannot enclose the circles' disc, and there does no better than a coin.
# * **Axis-parallel steps** (decision tree, random forest) come from questions about
#   one feature at a time ("is x1 below 0.3?"). A forest averages trees that split at
#   different places, so its staircase is finer, but never slanted. Slivers and
#   islands are splits that chase a few training points.
# * **Smooth curves** (RBF SVM): the decision is a weighted sum of Gaussian bumps
#   around the support vectors; `gamma` sets how tightly it can bend.
# * **Ragged edges** (nearest neighbours): each point takes the vote of its three
#   nearest training points, so the boundary follows single points.
# * **Quadratic curves** (naive Bayes): one Gaussian per class and feature; where
#   the classes' spreads differ, the boundary is a conic: ellipse, parabola, hyperbola.
# * **Polygons** (neural net): a ReLU network is linear between kinks, so its
#   boundary is straight pieces joined at corners.
#
# ## Pitfalls
#
# * **Ranking classifiers on one small test set.** A score on a few dozen test
#   points moves by several points from one split to the next. Compare on many draws
#   or folds with a paired test of the differences (Dietterich 1998; Demšar 2006),
#   and call a winner only when its lead is beyond that noise.
# * **Folds of one sample are not independent draws.** Here the data are synthetic,
#   so each draw is new and an ordinary *t* interval holds; the folds of a single
#   data set overlap and need Nadeau and Bengio's correction (page J8).
# * **Two dimensions are not many.** What works on 100 points in a plane (nearest
#   neighbours, RBF kernels) can fail with tens of features, and a straight line
#   becomes far more flexible there. The figure builds intuition about shapes, not a
#   ranking of methods for real data.
# * **Fixed settings compare settings, not methods.** `gamma=2`, `alpha=1` and
#   `max_depth=5` were chosen once for all three data sets; tune each model (by
#   nested cross-validation) before comparing methods.
# * **Shading by confidence mixes scales.** The classic figure shades by
#   `predict_proba` or `decision_function`, whichever a model has: an SVM's margin and
#   a forest's vote share are not comparable. This page colours the predicted class
#   only.
