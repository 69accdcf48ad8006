"""
# Hyperparameter search: a grid-search heatmap of an RBF SVM

**Catalog C5** · **Question:** performance, comparison · **Family:** kernel · **Phase:** during training · **Data:** synthetic

An RBF support vector machine has two hyperparameters that interact: `C` (how much a
training error costs; large C fits the training data closely) and `gamma` (how far one
training point's influence reaches; large gamma makes a wiggly boundary). A grid search
tries every pair with cross-validation; drawing its scores as a C x gamma heatmap shows
more than the best pair: the region where the model works, the diagonal ridge along
which C and gamma trade off, and how sharp the optimum is. This page draws that heatmap
and the score's dependence on each parameter.
"""

# %%
# ## A classification problem
#
# `make_classification` with 3 classes in 8 dimensions, noisy enough (5% of the labels
# assigned at random) that neither extreme of the grid wins. Features are standardized
# inside the pipeline, so that each cross-validation fold scales with its own training
# part.
from sklearn.datasets import make_classification

from mlviz.config import QUICK, SEED

X, y = make_classification(
    n_samples=300 if QUICK else 600,
    n_features=8,
    n_informative=5,
    n_redundant=1,
    n_classes=3,
    flip_y=0.05,
    class_sep=1.0,
    random_state=SEED,
)

# %%
# ## Run the grid search
#
# Both parameters vary on a log scale, the natural scale for them. Five-fold stratified
# cross-validation gives each pair a mean accuracy and its spread across folds.
import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

param_grid = {
    "svc__C": np.logspace(-2, 4, 4 if QUICK else 7),  # powers of 10 (of 100 if QUICK)
    "svc__gamma": np.logspace(-4, 2, 4 if QUICK else 7),
}
search = GridSearchCV(
    Pipeline([("scale", StandardScaler()), ("svc", SVC(kernel="rbf"))]),
    param_grid,
    cv=StratifiedKFold(5, shuffle=True, random_state=SEED),
    n_jobs=1 if QUICK else 2,  # starting worker processes costs more than a small grid
).fit(X, y)

# %%
# ## Arrange the scores as a C x gamma table
#
# `cv_results_` holds one row per pair; `grid_search_table` (from the gallery's helper
# package) pivots it into a table with one row per C and one column per gamma.
from mlviz.inspect.performance import grid_search_table
from mlviz.report import claim, rounding_tolerance, say

scores = grid_search_table(search.cv_results_, "svc__C", "svc__gamma")
spread = grid_search_table(
    search.cv_results_, "svc__C", "svc__gamma", score="std_test_score"
)
best_C, best_gamma = search.best_params_["svc__C"], search.best_params_["svc__gamma"]
i, j = scores.index.get_loc(best_C), scores.columns.get_loc(best_gamma)
best_std = spread.loc[best_C, best_gamma]
majority = np.bincount(y).max() / len(y)  # always predicting the largest class
worst = scores.min().min()
# worst is a mean of the folds' accuracies: compare it up to the rounding of that mean
rounding = rounding_tolerance("float64", scale=1.0, n_terms=search.n_splits_)
as_bad = "no better than" if worst <= majority + rounding else "against"
say(
    f"Best pair: C = **{best_C:g}**, gamma = **{best_gamma:g}**, mean cross-validated "
    f"accuracy **{search.best_score_:.1%}** (fold standard deviation {best_std:.1%}). "
    f"The worst pair scores {worst:.1%}, {as_bad} always predicting the largest class "
    f"({majority:.1%})."
)
claim(
    0 < i < len(scores.index) - 1 and 0 < j < len(scores.columns) - 1,
    "neither extreme of the grid wins",
    evidence=f"best C = {best_C:g}, gamma = {best_gamma:g}",
)

# %%
# ## The heatmap
#
# `plot_heatmap` draws the table with each cell's accuracy written in it. The colour
# scale starts at chance level (1/3), so the dark cells are the ones where the model
# learned next to nothing. The best cell is outlined.
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import plot_heatmap

fig, ax = plt.subplots(figsize=(9, 6.5))
plot_heatmap(
    scores.to_numpy(),
    [f"{c:g}" for c in scores.index],
    [f"{g:g}" for g in scores.columns],
    ax=ax,
    fmt="{:.0%}",
    cmap="viridis",
    vmin=1 / 3,
    vmax=1,
    xlabel="gamma (kernel width: larger = more local)",
    ylabel="C (cost of a training error)",
    colorbar_label="mean cross-validated accuracy",
)
ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", lw=2.5))
ax.set_title("RBF SVM: 5-fold accuracy over C x gamma")
plt.show()

tied = scores.stack()[lambda cell: cell >= search.best_score_ - best_std]
pairs = ", ".join(f"({c:g}, {g:g})" for c, g in tied.index)
row = scores.loc[best_C]
say(
    f"{len(tied)} of the {scores.size} pairs score within one fold standard deviation "
    f"of the best (C, gamma: {pairs})"
    + (
        "; differences that small are noise of the folds, so the grid does not single "
        "out one pair."
        if len(tied) > 1
        else ": the best pair stands out from the rest."
    )
    + f" With C = {best_C:g}, accuracy goes "
    f"from {row.iloc[0]:.1%} at the smallest gamma to {search.best_score_:.1%} at "
    f"gamma = {best_gamma:g} and {row.iloc[-1]:.1%} at the largest; at the largest "
    f"gamma ({scores.columns[-1]:g}) no C does better than "
    f"{scores.iloc[:, -1].max():.1%}."
)
# the figure's shape, as "How to read" describes it
learned = scores.columns[scores.max() > (1 / 3 + search.best_score_) / 2]
edge = scores[learned].idxmax()  # the best C of each gamma where the model learns
claim(
    np.all(np.diff(np.log10(edge.to_numpy())) <= 0),
    "a smoother kernel (smaller gamma) needs a larger C",
    evidence=f"best C per gamma: {edge.to_dict()}",
)
corners = [scores.iloc[0, 0], scores.iloc[-1, -1]]
claim(
    max(corners) < (1 / 3 + search.best_score_) / 2,
    "large C with large gamma and small C with small gamma: both corners are poor",
    evidence=f"corners {corners[0]:.1%}, {corners[1]:.1%}",
)

# %%
# ## The score's dependence on each parameter
#
# Slicing the table through the best cell gives the validation curve of each parameter
# with the other held at its best value, with the fold spread as a band. Each curve is
# one row or column of the heatmap.
fig, (ax_c, ax_g) = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
for ax, values, band, fixed, name in [
    (
        ax_c,
        scores.loc[:, best_gamma],
        spread.loc[:, best_gamma],
        f"gamma = {best_gamma:g}",
        "C",
    ),
    (ax_g, scores.loc[best_C, :], spread.loc[best_C, :], f"C = {best_C:g}", "gamma"),
]:
    ax.semilogx(
        values.index, values, "o-", color="C0", label=f"mean over folds ({fixed})"
    )
    ax.fill_between(
        values.index,
        values - band,
        values + band,
        color="C0",
        alpha=0.2,
        label="± 1 std over folds",
    )
    ax.axhline(1 / 3, color="0.4", ls="--", lw=1, label="chance")
    ax.set_xlabel(name + " (log scale)")
    ax.set_title(f"accuracy vs {name}")
    ax.legend(loc="lower center", fontsize=9)
ax_c.set_ylabel("cross-validated accuracy")
plt.show()

# %%
# ## How to read these figures
#
# * **Each cell is one model configuration**, scored on held-out folds. Bright cells are
#   good; the outlined one is what `best_params_` returns.
# * **The diagonal edge** of the good region shows the trade-off: a smoother kernel
#   (smaller gamma) needs a larger C to fit the data, and vice versa.
# * **Large C and large gamma** overfit (every point gets its own bump); **small C and
#   small gamma** underfit (an almost constant boundary): both corners are poor.
# * The **slices** show how sensitive the score is to each parameter near the optimum:
#   a flat top means the exact value hardly matters.
#
# ## Pitfalls
#
# * **The best grid score is optimistic.** It was chosen among many; estimate the final
#   model's performance on data not used in the search (nested cross-validation or a
#   held-out test set).
# * **An optimum on the edge of the grid** means the grid is too small: extend it in
#   that direction.
# * **Differences smaller than the fold spread are noise**; prefer the simpler
#   (smaller C, smaller gamma) model among cells that tie.
# * **Scale inside the pipeline.** Scaling the whole data set before cross-validation
#   leaks the validation folds' statistics into training.
