"""
# The MDI pitfall: a random ID column ranked as important

**Catalog D3** · **Question:** importance, comparison · **Family:** tree · **Phase:** after training · **Data:** MBA

A forest's built-in importance (mean decrease in impurity, MDI) is computed on the
training data and rewards features with many distinct values. This page makes that
failure visible: we add a column that is pure noise, a random applicant ID, refit the
forest of the [random forest MDI page](../plot_02_random_forest_mdi/) and compare MDI
with permutation importance measured on held-out data. One ranks the ID among the top
features, the other finds nothing there. Use this comparison whenever an importance
ranking is about to be used for a decision.
"""

# %%
# ## Prepare the data, plus a column of noise
#
# The same preparation and split as the MDI page. The extra column `sample_id` is a
# random permutation of 0..n-1: a unique number per applicant, unrelated to the decision.
# Real tables carry such columns (row numbers, application IDs, timestamps) more often
# than one would like.
import numpy as np
from sklearn.model_selection import train_test_split

from mlviz.config import QUICK, SEED
from mlviz.datasets import load_mba, prepare_mba

X, y = prepare_mba(load_mba())
rng = np.random.default_rng(SEED)
X["sample_id"] = rng.permutation(len(X)).astype(float)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=SEED
)
print(
    f"{X.shape[1]} features (the last one is sample_id); {len(X_train)} training and {len(X_test)} test applicants"
)

# %%
# ## Fit the same random forest
#
# Same settings as the MDI page: balanced class weights, at least 5 applicants per leaf.
from sklearn.metrics import balanced_accuracy_score

from mlviz.explain import mba_forest
from mlviz.report import say

forest = mba_forest().fit(
    X_train, y_train
)  # D2's settings, refitted: the data now has sample_id
say(
    f"{forest.n_estimators} trees; balanced accuracy {balanced_accuracy_score(y_train, forest.predict(X_train)):.1%} "
    f"on the training applicants and **{balanced_accuracy_score(y_test, forest.predict(X_test)):.1%}** on the test ones."
)

# %%
# ## Compute both importances
#
# **MDI** comes with the forest (`feature_importances_`). **Permutation importance**
# (`sklearn.inspection.permutation_importance`) shuffles one column of the *test* set at
# a time and measures how much the model's score drops; a feature the model does not
# need for new applicants costs nothing when shuffled. We score with the log loss, which
# uses the predicted probabilities and is therefore less noisy than accuracy, and repeat
# each shuffle a few times.
from sklearn.inspection import permutation_importance

mdi = forest.feature_importances_
perm = permutation_importance(
    forest,
    X_test,
    y_test,
    scoring="neg_log_loss",
    n_repeats=3 if QUICK else 5,
    random_state=SEED,
    n_jobs=2,
)

# %%
# ## Draw them side by side
#
# The 12 features with the largest MDI, in the same order in both panels. Left: MDI, on
# the training data. Right: the increase in log loss when that column of the test data
# is shuffled, with one standard deviation over the repeats. The ID is drawn in red.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import plot_bars

shown = np.argsort(mdi)[::-1][:12]  # largest MDI first
names = X.columns[shown]
colors = [
    "#C44E52" if name == "sample_id" else "#4C72B0" for name in names[::-1]
]  # plot_bars draws bottom-up
fig, (ax_mdi, ax_perm) = plt.subplots(1, 2, figsize=(12, 5.5))
plot_bars(
    mdi[shown],
    names,
    sort=False,
    ax=ax_mdi,
    color=colors,
    xlabel="mean decrease in impurity (training data)",
)
plot_bars(
    perm.importances_mean[shown],
    names,
    errors=perm.importances_std[shown],
    sort=False,
    ax=ax_perm,
    color=colors,
    xlabel="increase in log loss when shuffled (test data)",
)
ax_perm.tick_params(labelleft=False)  # same features, same order as on the left
ax_mdi.set_title("MDI (training data)")
ax_perm.set_title("Permutation importance (held-out data)")
plt.show()

id_col = X.columns.get_loc("sample_id")
rank_mdi = int((mdi > mdi[id_col]).sum()) + 1
rank_perm = int((perm.importances_mean > perm.importances_mean[id_col]).sum()) + 1
id_mean, id_std = perm.importances_mean[id_col], perm.importances_std[id_col]
beaten = int((mdi < mdi[id_col]).sum())
within_noise = abs(id_mean) <= 2 * id_std
say(
    f"MDI gives `sample_id` **{mdi[id_col]:.1%}** of the total importance and ranks it **{rank_mdi} of "
    f"{X.shape[1]}**, ahead of {beaten} real features. On held-out data, shuffling it changes the log loss by "
    f"{id_mean:+.4f} (± {id_std:.4f} over the repeats), rank {rank_perm}: "
    + (
        "**within two standard deviations of zero**"
        if within_noise
        else "**more than two standard deviations from zero**"
    )
    + f". Shuffling GMAT, the top feature, costs {perm.importances_mean.max():.4f}."
)

# %%
# ## How to read this figure
#
# * **MDI** (left) is a share of the impurity reduction the trees achieved while
#   fitting. A noise column with a unique value per row offers a threshold between any
#   two applicants, so deep in the trees it keeps winning splits that separate a handful
#   of training rows: MDI counts all of them.
# * **Permutation importance** (right) asks a different question: *how much worse does
#   the model predict new applicants when this column carries no information?* The ID
#   carries none to begin with, so its bar should sit at zero, within its error bar.
# * Features that rank high in both (GMAT, GPA) are the ones to trust.
#
# ## Pitfalls
#
# * **Permutation importance has its own noise.** With a coarse score such as accuracy,
#   or with few repeats, a useless feature can show a small positive or negative value;
#   read the error bars, and compare with the spread of the
#   [permutation importance page](../plot_04_permutation_importance/).
# * **Correlated features** hide each other under permutation: shuffling one of two
#   copies costs little because the other still carries the information.
# * **Drop the ID in practice.** The remedy is not a better importance measure but a
#   clean feature set; the comparison is how you notice that something is wrong.
