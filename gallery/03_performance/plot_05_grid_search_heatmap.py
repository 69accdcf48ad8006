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
# `make_classification` with 3 classes in 8 dimensions and 5% of the labels assigned at
# random, so that no setting can be perfect. Features are standardized inside the
# pipeline, so that each cross-validation fold scales with its own training part.
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
# cross-validation gives each pair a mean accuracy and its spread across folds;
# `return_train_score=True` keeps the accuracy on the training folds too, which tells
# under-fitting (both low) from over-fitting (training high, validation low).
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
    return_train_score=True,
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

# %%
# ## Which pairs can the folds tell apart?
#
# Every pair was scored on the same five folds, so two pairs are compared fold by fold:
# the mean of their per-fold differences, with a 95% t interval. The folds' training
# sets overlap, so their differences are correlated and the plain t interval is too
# narrow; Nadeau and Bengio's correction (2003) uses `1/k + n_test/n_train` in place
# of `1/k` in its variance. A pair whose interval of the difference to the best pair
# contains 0 is *tied* with it: the folds cannot rank the two.
from mlviz.inspect.comparison import corrected_paired_interval


results = search.cv_results_
val, train = (
    np.array([results[f"split{k}_{kind}_score"] for k in range(5)]).T
    for kind in ("test", "train")
)  # one row per pair, one column per fold
n_test = len(y) / search.n_splits_
n_train = len(y) - n_test
mean, half = corrected_paired_interval(val[search.best_index_] - val, n_train, n_test)
with_ends = {**results, "lower_end": mean - half}
tied = grid_search_table(with_ends, "svc__C", "svc__gamma", score="lower_end") <= 0

# %%
# ## The heatmap
#
# `plot_heatmap` draws the table with each cell's accuracy written in it. The colour
# scale starts at chance level (1/3), so the dark cells are the ones where the model
# learned next to nothing. The best cell is outlined in red, the cells tied with it in
# white.
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
for ti, tj in zip(*np.nonzero(tied.to_numpy())):
    ax.add_patch(
        Rectangle((tj - 0.45, ti - 0.45), 0.9, 0.9, fill=False, ec="white", ls="--")
    )
ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", lw=2.5))
ax.set_title("RBF SVM: 5-fold accuracy over C x gamma (dashed: tied with the best)")
plt.show()

# %%
# ## What the heatmap shows
#
# The findings below come from the paired intervals, the corners' training scores
# and the tied cells.
tied_pairs = tied.stack()[lambda cell: cell].index
edge_cells = [
    (c, g)
    for c, g in tied_pairs
    if c in scores.index[[0, -1]] or g in scores.columns[[0, -1]]
]
pairs = ", ".join(f"({c:g}, {g:g})" for c, g in tied_pairs)
row = scores.loc[best_C]
say(
    f"{len(tied_pairs)} of the {scores.size} pairs are tied with the best"
    + (f" (C, gamma: {pairs})" if len(tied_pairs) <= 6 else " (dashed)")
    + (
        ": the folds do not single out one pair."
        if len(tied_pairs) > 1
        else ": the best pair stands out from the rest."
    )
    + (
        " The tied cells reach the edge of the grid at "
        + ", ".join(f"({c:g}, {g:g})" for c, g in edge_cells)
        + ": the good region may go on beyond it, and only a grid extended that way "
        "would show where it ends."
        if edge_cells
        else " No tied cell touches the edge of the grid: it bounds the good region."
    )
    + f" With C = {best_C:g}, accuracy goes from {row.iloc[0]:.1%} at the smallest "
    f"gamma to {search.best_score_:.1%} at gamma = {best_gamma:g} and "
    f"{row.iloc[-1]:.1%} at the largest; at the largest gamma "
    f"({scores.columns[-1]:g}) no C does better than {scores.iloc[:, -1].max():.1%}."
)
# the figure's shape, as "How to read" describes it: for kernels as smooth as the
# best one or smoother, the smallest C tied with the best
smooth = tied.loc[:, tied.columns <= best_gamma]
lower_edge = smooth.idxmax()[smooth.any()]
claim(
    len(lower_edge) > 1
    and np.all(np.diff(np.log10(lower_edge.to_numpy())) <= 0)
    and lower_edge.iloc[0] > lower_edge.iloc[-1],
    "a smoother kernel (smaller gamma) needs a larger C",
    evidence=f"smallest tied C per gamma: {lower_edge.to_dict()}",
)
# the corners: training folds against the validation folds (over-fitting), and the
# training folds against the best pair's validation folds (under-fitting)
params = results["params"]
under = params.index({"svc__C": scores.index[0], "svc__gamma": scores.columns[0]})
over = params.index({"svc__C": scores.index[-1], "svc__gamma": scores.columns[-1]})
gap, gap_half = corrected_paired_interval(train[over] - val[over], n_train, n_test)
short, short_half = corrected_paired_interval(
    val[search.best_index_] - train[under], n_train, n_test
)
claim(
    gap - gap_half > 0
    and short - short_half > 0
    and not tied.iloc[0, 0]
    and not tied.iloc[-1, -1],
    "large C with large gamma over-fits and small C with small gamma under-fits: "
    "both corners are poor",
    evidence=f"training minus validation, large C, gamma: {gap:.3f} ± {gap_half:.3f}; "
    f"best validation minus training at small C, gamma: {short:.3f} ± {short_half:.3f}",
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
#   good; the red one is what `best_params_` returns, the dashed ones are tied with it.
# * **The diagonal edge** of the good region shows the trade-off: a smoother kernel
#   (smaller gamma) needs a larger C to fit the data, and vice versa.
# * **Large C and large gamma** over-fit (every point gets its own bump: the training
#   folds are fitted, the validation folds are not); **small C and small gamma**
#   under-fit (an almost constant boundary that fits not even the training folds):
#   both corners are poor.
# * The **slices** show how sensitive the score is to each parameter near the optimum:
#   a flat top means the exact value hardly matters. Their bands are the spread of
#   each pair's fold scores, not the noise of a difference between two pairs, which
#   the paired intervals measure.
#
# ## Pitfalls
#
# * **The best grid score is optimistic.** It was chosen as the largest of many noisy
#   scores; estimate the final model's performance on data not used in the search
#   (nested cross-validation or a held-out test set).
# * **Compare pairs by their paired difference over the same folds**, not by whether
#   their fold spreads overlap, and widen the interval for the folds' shared training
#   data (Nadeau and Bengio's correction). Among tied cells, prefer the more
#   regularized one (the smaller C at the same gamma), in the spirit of the
#   one-standard-error rule; along the ridge a smaller gamma needs a larger C, so
#   "smaller C and smaller gamma" together is not on offer.
# * **An optimum on the edge of the grid**, or tied cells that reach it, means the grid
#   may be too small: extend it in that direction.
# * **Scale inside the pipeline.** Scaling the whole data set before cross-validation
#   leaks the validation folds' statistics into training.
