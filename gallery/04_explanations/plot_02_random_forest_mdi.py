"""
# Random forest feature importance (mean decrease in impurity)

**Catalog D2** · **Question:** importance · **Family:** tree · **Phase:** after training · **Data:** MBA

Every fitted scikit-learn forest carries `feature_importances_`: for each feature, how
much the splits on it reduced the Gini impurity, averaged over all trees and weighted by
the number of samples reaching each split (the *mean decrease in impurity*, MDI). It is
free, instant and always there, which is why it is the most plotted importance in the
world. This page draws it for a forest that predicts MBA admission decisions, with its
spread across trees, and shows where to be careful before trusting the ranking.
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
    f"{X_train.shape[1]} features; {len(X_train)} training applicants, test decisions: {y_test.value_counts().to_dict()}"
)

# %%
# ## Fit a random forest
#
# Three quarters of the applicants are denied, so plain accuracy flatters any model that
# mostly says "Deny". We weight the classes to balance them and report balanced accuracy
# (the mean of the per-class recalls) alongside accuracy. The forest is the one the MBA
# pages share (C1, C2, C6 show it too): `fit_mba_forest` fits
# `RandomForestClassifier(n_estimators=300, min_samples_leaf=5, class_weight="balanced")`
# on the split above once per build, and the other pages reuse it.
from sklearn.metrics import accuracy_score, balanced_accuracy_score

from mlviz.explain import fit_mba_forest
from mlviz.report import say

forest = fit_mba_forest().model
pred = forest.predict(X_test)
majority = y_train.value_counts().idxmax()
say(
    f"{forest.n_estimators} trees. Test accuracy **{accuracy_score(y_test, pred):.1%}**, balanced accuracy "
    f"**{balanced_accuracy_score(y_test, pred):.1%}**. Always answering *{majority}* would score "
    f"{(y_test == majority).mean():.1%} accuracy and 33.3% balanced accuracy."
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
# with its value, with one standard deviation across trees as the error bar.
#
# !!! question "Predict the plot"
#     The table has three numeric columns (GPA, GMAT score, years of work experience)
#     and a couple of dozen 0/1 indicator columns (gender, major, industry, ...). Which
#     kind of feature will lead the ranking?
#
# ??? success "Answer"
#     The numeric scores: GMAT and GPA take the top places, and the three numeric columns
#     together take the share of the total given under the figure. Part of that lead is
#     real information; part is MDI's bias towards features with many possible split
#     thresholds (see the pitfalls), which is why a ranking like this one should be
#     checked with permutation importance on held-out data.
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
    xlabel="mean decrease in impurity (sums to 1)",
)
ax.set_title("Random forest on MBA admissions: top 15 features by MDI")
plt.show()

order = np.argsort(importances)[::-1]
top3 = ", ".join(f"*{X_train.columns[i]}* ({importances[i]:.2f})" for i in order[:3])
continuous = ["gpa", "gmat", "work_exp"]
share_continuous = importances[[X_train.columns.get_loc(c) for c in continuous]].sum()
say(
    f"The three largest: {top3}. The three numeric features (GPA, GMAT, years of work experience) take "
    f"**{share_continuous:.0%}** of the total importance; the other {X_train.shape[1] - 3} columns are 0/1 "
    "indicators and share the rest."
)

# %%
# ## How to read this figure
#
# * Bars sum to 1 over all features: each is a share of the total impurity reduction the
#   forest achieved **on its training data**.
# * Error bars show how much individual trees disagree; overlapping bars mean the ranking
#   between those features is not settled.
# * A one-hot encoded category is split into several bars (`industry_...`); add them up
#   to judge the original variable.
#
# ## Pitfalls
#
# * **MDI favours features with many distinct values.** A continuous column offers
#   hundreds of possible thresholds, a 0/1 column one; with enough trees, noise in a
#   continuous feature still earns impurity decrease (the [MDI pitfall](../plot_03_mdi_pitfall/) page shows a random ID
#   column ranked high).
# * **It is computed on training data**, so it describes what the forest used, not what
#   generalizes. Permutation importance on held-out data answers that question.
# * **Correlated features split the credit.** If two features carry the same
#   information, the forest uses them interchangeably and each looks half as important.
# * **Importance is not effect direction.** MDI says GPA matters; it does not say whether
#   higher GPA raises or lowers the chance of admission. Use partial dependence or SHAP.
