"""
# The MDI pitfall: a random ID column ranked as important

**Catalog D3** · **Question:** importance, comparison · **Family:** tree · **Phase:** after training · **Data:** MBA

A forest's built-in importance (mean decrease in impurity, MDI) is computed on the
training data and rewards features with many distinct values. This page makes that
failure visible: we add a column that is pure noise, a random applicant ID, refit the
forest of the [random forest MDI page](plot_02_random_forest_mdi.md) and compare MDI
with permutation importance measured on held-out data. One ranks the ID among the top
features, the other finds nothing there. Use this comparison whenever an importance
ranking is about to be used for a decision. The MBA table is **synthetic**: generated
from published statistics of Wharton's Class of 2025, not the records of real
applicants.
"""

# %%
# ## Prepare the data, plus a column of noise
#
# The same preparation and split as the MDI page. The extra column `sample_id` is a
# random permutation of 0..n-1: a unique number per applicant, unrelated to the
# decision. Real tables carry such columns (row numbers, application IDs, timestamps)
# more often than one would like.
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
    f"{X.shape[1]} features (the last one is sample_id); {len(X_train)} training and "
    f"{len(X_test)} test applicants"
)

# %%
# ## Fit the same random forest
#
# Same settings as the MDI page: balanced class weights, at least 5 applicants per leaf.
from sklearn.metrics import balanced_accuracy_score

from mlviz.explain import mba_forest
from mlviz.report import claim, say

forest = mba_forest().fit(X_train, y_train)  # D2's settings; the data has sample_id
fit_train = balanced_accuracy_score(y_train, forest.predict(X_train))
fit_test = balanced_accuracy_score(y_test, forest.predict(X_test))
say(
    f"{forest.n_estimators} trees; balanced accuracy {fit_train:.1%} on the training "
    f"applicants and **{fit_test:.1%}** on the test ones"
    + (
        ": the trees fit details of their training applicants that do not carry over "
        "to new ones, and MDI counts the splits that fit them."
        if fit_train - fit_test > 0.1
        else "."
    )
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
# is shuffled, with one standard deviation over the repeats. Both are importances, sizes
# without a sign, so the bars are the gallery's purple; the ID is drawn in dark grey.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import MAGNITUDE, plot_bars

shown = np.argsort(mdi)[::-1][:12]  # largest MDI first
names = X.columns[shown]
colors = [
    "0.25" if name == "sample_id" else MAGNITUDE for name in names[::-1]
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
id_mean, id_std = perm.importances_mean[id_col], perm.importances_std[id_col]
beaten = int((mdi < mdi[id_col]).sum())
# a feature "costs" on held-out data when its mean is more than 2 std above zero
costs = perm.importances_mean - 2 * perm.importances_std > 0
claim(
    rank_mdi <= 5 and abs(id_mean) <= 2 * id_std,
    "MDI ranks the ID among the top features; permutation importance finds nothing",
    evidence=f"MDI rank {rank_mdi}, permutation {id_mean:+.4f} ± {id_std:.4f}",
)
top_perm = int(np.argmax(perm.importances_mean))
say(
    f"MDI gives `sample_id` **{mdi[id_col]:.1%}** of the total importance and ranks it "
    f"**{rank_mdi} of {X.shape[1]}**, ahead of {beaten} real features. On held-out "
    f"data, shuffling it changes the log loss by {id_mean:+.4f} (± {id_std:.4f} over "
    "the repeats): **within two standard deviations of zero**. Only "
    f"{int(costs.sum())} of the {X.shape[1]} features raise it by more than two "
    f"standard deviations; the largest increase: *{X.columns[top_perm]}*, "
    f"{perm.importances_mean[top_perm]:+.4f}."
)

# %%
# ## Which features hold up on held-out data?
#
# A feature with a high MDI that costs nothing when shuffled on new applicants was used
# to fit the training data, not to predict. We list the top five by MDI with their
# permutation importance, and say which of those that do cost something can be told
# apart: two means whose ±2 standard deviation intervals overlap cannot be ranked.
from itertools import pairwise

top5 = [int(j) for j in shown[:5]]
kept = sorted((j for j in top5 if costs[j]), key=lambda j: -perm.importances_mean[j])
low = perm.importances_mean - 2 * perm.importances_std
high = perm.importances_mean + 2 * perm.importances_std
idle = [X.columns[j] for j in top5 if not costs[j]]  # includes sample_id
ties = [
    f"*{X.columns[a]}* and *{X.columns[b]}*"
    for a, b in pairwise(kept)
    if low[a] <= high[b]
]
say(
    "Top five by MDI, with the held-out increase in log loss: "
    + ", ".join(
        f"*{X.columns[j]}* {perm.importances_mean[j]:+.4f} ± "
        f"{perm.importances_std[j]:.4f}"
        for j in top5
    )
    + f". Both measures agree on **{', '.join(X.columns[j] for j in kept)}**; "
    + f"{' and '.join(idle)} earn{'s' if len(idle) == 1 else ''} MDI but cost"
    + f"{'s' if len(idle) == 1 else ''} nothing measurable on held-out data. "
    + (
        f"On held-out data {'; '.join(ties)} cannot be ranked against each other."
        if ties
        else "Their held-out importances are ranked without overlap."
    )
)

claim(
    costs[X.columns.get_loc("gender_male")],
    "gender_male is one of the features the forest relies on for new applicants",
    evidence=f"{perm.importances_mean[X.columns.get_loc('gender_male')]:+.4f}",
)

# %%
# `gender_male` is one of the features the forest relies on for new applicants too.
# In this **synthetic** table the decision is associated with gender, and the forest
# uses that association; it is no evidence about real admissions, nor of
# discrimination or its absence, and dropping the column would not remove the
# information if other columns act as proxies for it (see the
# [MDI page](plot_02_random_forest_mdi.md)).

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
# * Features that rank high in both (listed above) are the ones to trust.
#
# ## Pitfalls
#
# * **Permutation importance has its own noise.** With a coarse score such as accuracy,
#   or with few repeats, a useless feature can show a small positive or negative value;
#   read the error bars, and compare with the spread of the
#   [permutation importance page](plot_04_permutation_importance.md). The repeats only
#   vary the shuffle: another test set would move the bars too.
# * **Correlated features** mislead permutation importance both ways: shuffling one of
#   two copies can cost little because the model takes the information from the other,
#   or cost too much because the shuffled rows pair values that never occur together
#   (Strobl et al., 2008; Hooker, Mentch and Zhou, 2021); see the
#   [permutation importance page](plot_04_permutation_importance.md).
# * **Drop the ID in practice.** Debiased versions of MDI exist (impurity decreases
#   measured on out-of-bag samples, Li et al., 2019, and Zhou and Hooker, 2021; or
#   forests that choose splits by unbiased tests, Strobl et al., 2007) and are built
#   to give such a column no credit, but a forest that splits on an ID still wastes
#   splits on it. The comparison above is how you notice that something is wrong;
#   the remedy is a clean feature set.
