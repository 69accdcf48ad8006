"""
# Random forest feature importance (mean decrease in impurity)

**Catalog D2** · **Question:** importance · **Family:** tree · **Phase:** after training · **Data:** MBA

Every fitted scikit-learn forest carries `feature_importances_`: for each feature, how
much the splits on it reduced the Gini impurity, averaged over all trees and weighted by
the number of samples reaching each split (the *mean decrease in impurity*, MDI). It is
free, instant and always there, which is why it is the most plotted importance in the
world. This page draws it for a forest that predicts MBA admission decisions, with its
spread across trees, and shows where to be careful before trusting the ranking. The MBA
table is **synthetic**: generated from published statistics of Wharton's Class of 2025,
not the records of real applicants.
"""

# %%
# ## Prepare the data
#
# In the raw table an empty `admission` means the applicant was denied, and an empty
# `race` belongs to an international applicant. `prepare_mba` makes both explicit
# (*Deny* and *Unknown*), turns booleans into 0/1 and one-hot encodes the categories;
# `mba_split` does that and keeps a stratified quarter of the applicants for testing.
from mlviz.explain import mba_split

X_train, X_test, y_train, y_test = mba_split()
print(
    f"{X_train.shape[1]} features; {len(X_train)} training applicants, "
    f"test decisions: {y_test.value_counts().to_dict()}"
)

# %%
# ## Fit a random forest
#
# Most applicants are denied (the share is given below), so plain accuracy flatters any
# model that mostly says "Deny". We weight the classes to balance them and report
# balanced accuracy (the mean of the per-class recalls) alongside accuracy. The forest
# is the one the MBA pages share (C1, C2, C6 show it too): `fit_mba_forest` fits
# `RandomForestClassifier(n_estimators=300, min_samples_leaf=5,
# class_weight="balanced")` on the split above once per build, and the other pages
# reuse it.
from sklearn.metrics import accuracy_score, balanced_accuracy_score, recall_score

from mlviz.explain import fit_mba_forest
from mlviz.report import claim, say

forest = fit_mba_forest().model
pred = forest.predict(X_test)
majority = y_train.value_counts().idxmax()
accuracy, always = accuracy_score(y_test, pred), (y_test == majority).mean()
recall = recall_score(y_test, pred, average=None, labels=forest.classes_)
say(
    f"{forest.n_estimators} trees. {always:.1%} of the test applicants are "
    f"*{majority}*. Test accuracy **{accuracy:.1%}**, balanced accuracy "
    f"**{balanced_accuracy_score(y_test, pred):.1%}**. Always answering *{majority}* "
    f"would score {always:.1%} accuracy and {1 / y_test.nunique():.1%} balanced "
    "accuracy. "
    + ("The forest's accuracy is **lower**. " if accuracy < always else "")
    + "Recall per decision: "
    + ", ".join(f"*{c}* {r:.0%}" for c, r in zip(forest.classes_, recall))
    + f": the forest answers something other than *{majority}* for "
    f"{1 - recall[list(forest.classes_).index(majority)]:.0%} of the applicants who "
    "were in fact denied."
)

# %%
# ## Compute the importances and their spread
#
# `feature_importances_` is the mean over trees of each tree's normalized impurity
# decrease. The same quantity per tree shows how much the trees disagree.
import numpy as np

importances = forest.feature_importances_
per_tree = np.array([tree.feature_importances_ for tree in forest.estimators_])
spread = per_tree.std(axis=0)

# %%
# ## Draw the ranking
#
# `plot_bars` (from the gallery's helper package) draws the 15 largest, each labelled
# with its value, with one standard deviation across trees as the error bar. An
# importance has no sign, so its bars are the gallery's purple, not red or blue.
#
# !!! question "Predict the plot"
#     The table has three numeric columns (GPA, GMAT score, years of work experience)
#     and a couple of dozen 0/1 indicator columns (gender, major, race, industry, ...).
#     Which kind of feature will lead the ranking?
#
# ??? success "Answer"
#     The numeric scores: GMAT and GPA take the top two places, and the three numeric
#     columns together take the share of the total given under the figure. How much of
#     that lead is real information and how much is MDI's bias towards features with
#     many possible split thresholds (see the pitfalls) this figure cannot tell: check
#     the ranking with permutation importance on held-out data.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import plot_bars

fig, ax = plt.subplots(figsize=(8, 6.5))
plot_bars(
    importances,
    X_train.columns,
    errors=spread,
    top=15,
    ax=ax,
    signed=False,
    xlabel="mean decrease in impurity (sums to 1)",
)
ax.set_title("Random forest on MBA admissions: top 15 features by MDI")
plt.show()

order = np.argsort(importances)[::-1]
names = X_train.columns[order]
claim(
    set(names[:2]) == {"gmat", "gpa"},
    "GMAT and GPA take the top two places",
    evidence=f"top two: {list(names[:2])}",
)
top3 = ", ".join(f"*{X_train.columns[i]}* ({importances[i]:.3f})" for i in order[:3])
continuous = ["gpa", "gmat", "work_exp"]
share_continuous = importances[[X_train.columns.get_loc(c) for c in continuous]].sum()
say(
    f"The three largest: {top3}. The three numeric features (GPA, GMAT, years of work "
    f"experience) take **{share_continuous:.0%}** of the total importance; the other "
    f"{X_train.shape[1] - 3} columns are 0/1 indicators and share the rest."
)

# %%
# ## Which differences are settled?
#
# Two bars close together may swap places in a forest grown with another seed. Each
# tree gives its own importances, so we compare neighbours in the ranking tree by tree:
# the mean of the paired differences, with a 95 % interval (± 1.96 standard errors over
# the trees). This measures only the randomness of the forest, not that of the data: a
# new sample of applicants could move every bar.
diff = per_tree[:, order[:-1]] - per_tree[:, order[1:]]  # each feature minus the next
half = 1.96 * diff.std(axis=0, ddof=1) / np.sqrt(len(per_tree))
settled = diff.mean(axis=0) - half > 0
k = int(np.argmin(settled)) if not settled.all() else len(settled)  # first unsettled
say(
    f"The order of the first **{k + 1}** features is settled: each one's importance "
    f"exceeds the next one's with a 95 % interval above zero. *{names[k]}* "
    f"({importances[order[k]]:.4f}) and *{names[k + 1]}* "
    f"({importances[order[k + 1]]:.4f}) cannot be ranked "
    f"(difference {diff[:, k].mean():+.4f} ± {half[k]:.4f}), and "
    f"nor can {int((~settled[k + 1 : 14]).sum())} of the {max(13 - k, 0)} next pairs "
    "of neighbours down to rank 15: read that part of the chart as a group of similar "
    "bars."
)

# %%
# ## Gender and race in the ranking
#
# The forest splits on `gender_male` and on the `race_...` columns, and MDI gives them
# a share of the credit.
import pandas as pd
from scipy.stats import chi2_contingency

gender = X_train.columns.get_loc("gender_male")
race = [X_train.columns.get_loc(c) for c in X_train.columns if c.startswith("race_")]
admitted = y_train == "Admit"
by_gender = admitted.groupby(X_train["gender_male"]).mean()
by_race = {
    X_train.columns[j][5:]: admitted[X_train.iloc[:, j] == 1].mean() for j in race
}
low, high = min(by_race, key=by_race.get), max(by_race, key=by_race.get)
# chi-squared tests of independence: could the rates differ this much by chance?
p_gender = chi2_contingency(pd.crosstab(X_train["gender_male"], admitted)).pvalue
p_race = chi2_contingency(
    pd.crosstab(X_train.iloc[:, race].idxmax(axis=1), admitted)
).pvalue
claim(
    max(p_gender, p_race) < 0.001,
    "the admission rates differ by gender and by race beyond chance",
    evidence=f"p = {p_gender:.1g} (gender), {p_race:.1g} (race)",
)
say(
    f"`gender_male` ranks **{int((importances > importances[gender]).sum()) + 1} of "
    f"{len(importances)}** ({importances[gender]:.3f}); the {len(race)} race columns "
    f"together take {importances[race].sum():.3f}. In the training table "
    f"{by_gender[0.0]:.1%} of women and {by_gender[1.0]:.1%} of men are admitted; by "
    f"race, from {by_race[low]:.1%} (*{low}*) to {by_race[high]:.1%} (*{high}*). A "
    f"chi-squared test puts the chance of differences this large, were admission "
    f"independent of them, at p = {p_gender:.0e} for gender and {p_race:.0e} for race."
)

# %%
# What that means: in this **synthetic** table the decision is associated with gender
# and race, and the forest splits on those columns while it fits the training
# applicants. Whether it relies on them for new applicants is a question for held-out
# data ([the MDI pitfall page](plot_03_mdi_pitfall.md) answers it for gender). What
# it does not mean: it is no evidence about real admissions, nor of discrimination,
# nor of its absence; MDI does not even say in which direction a feature pushes. It says
# nothing about what a model without these columns would do: dropping them does not
# remove their information when other columns act as proxies for them.

# %%
# ## How to read this figure
#
# * Bars sum to 1 over all features: each is a share of the total impurity reduction the
#   forest achieved **on its training data**.
# * Error bars show how much individual trees disagree, not how uncertain the forest's
#   average is; the paired comparison above says which neighbours can be ranked.
# * A one-hot encoded category is split into several bars (`industry_...`); add them up
#   to judge the original variable.
#
# ## Pitfalls
#
# * **MDI favours features with many distinct values** (Strobl et al., 2007). A
#   continuous column offers hundreds of possible thresholds, a 0/1 column one; with
#   enough trees, noise in a continuous feature still earns impurity decrease (the
#   [MDI pitfall](plot_03_mdi_pitfall.md) page ranks a random ID column high). So the
#   lead of GMAT and GPA above may be partly this bias. Debiased variants exist:
#   impurity decreases measured on the out-of-bag samples (Li et al., 2019; Zhou and
#   Hooker, 2021), or forests that choose splits by unbiased tests (conditional
#   inference forests); scikit-learn offers neither, so check with permutation
#   importance.
# * **It is computed on training data**, so it describes what the forest used, not what
#   generalizes. Permutation importance on held-out data answers that question.
# * **Correlated features split the credit.** If two features carry the same
#   information, the forest uses them interchangeably and each looks less important
#   than the information it carries.
# * **Importance is not effect direction.** MDI says GPA matters; it does not say
#   whether higher GPA raises or lowers the chance of admission. Use partial dependence
#   or SHAP.
