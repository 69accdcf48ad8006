"""
# Decision tree on MBA admissions, as a flowchart and as text rules

**Catalog B2** · **Question:** structure · **Family:** tree · **Phase:** after training · **Data:** MBA

On Iris (page B1) a tree is small and clean. On a real table with 6,194 applicants,
three unbalanced decisions and 30-odd columns, an unrestricted tree grows hundreds of
leaves and stops being readable. Limiting its depth gives a model a person can audit:
drawn as a flowchart with the class names in each box, and printed as nested text rules
(`sklearn.tree.export_text`) that can be pasted into a report or a code review.
"""

# %%
# ## Prepare the data
#
# `prepare_mba` fills an empty decision with *Deny* and one-hot encodes the categories.
from sklearn.model_selection import train_test_split

from mlviz.config import SEED
from mlviz.datasets import load_mba, prepare_mba

X, y = prepare_mba(load_mba())
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=SEED
)
y_train.value_counts(normalize=True).round(3)

# %%
# ## Fit a depth-limited tree
#
# `max_depth=3` gives at most eight leaves. Three quarters of the applicants are denied,
# so we weight the classes to balance them (otherwise the tree predicts *Deny* almost
# everywhere), and we compare with an unlimited tree on held-out applicants using
# balanced accuracy, the mean of the per-class recalls.
from sklearn.metrics import balanced_accuracy_score
from sklearn.tree import DecisionTreeClassifier

from mlviz.report import say

tree = DecisionTreeClassifier(
    max_depth=3, class_weight="balanced", random_state=SEED
).fit(X_train, y_train)
deep = DecisionTreeClassifier(class_weight="balanced", random_state=SEED).fit(
    X_train, y_train
)
bal = balanced_accuracy_score(y_test, tree.predict(X_test))
bal_deep = balanced_accuracy_score(y_test, deep.predict(X_test))
say(
    f"The depth-3 tree has **{tree.get_n_leaves()} leaves** and a test balanced accuracy of **{bal:.1%}** "
    f"(chance: 33.3%). The unlimited tree grows {deep.get_n_leaves()} leaves (depth {deep.get_depth()}) and "
    f"scores {bal_deep:.1%}: {'more leaves buy nothing on new applicants' if bal_deep <= bal else 'it is better, but unreadable'}."
)

# %%
# ## Draw the flowchart
#
# `plot_tree` with `class_names` writes the decision in each box; `proportion=True`
# shows class shares instead of counts (with class weights, `value` is the weighted
# share), and the colour follows the majority class.
import matplotlib.pyplot as plt
from sklearn.tree import plot_tree

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

class_names = [str(c) for c in tree.classes_]
fig, ax = plt.subplots(figsize=(14, 7))
plot_tree(
    tree,
    feature_names=list(X.columns),
    class_names=class_names,
    filled=True,
    rounded=True,
    proportion=True,
    impurity=False,
    precision=2,
    fontsize=9,
    ax=ax,
)
ax.set_title(
    f"Depth-3 decision tree on {len(X_train):,} MBA applicants (class-weighted shares: {', '.join(class_names)})"
)
plt.show()

# %%
# ## The same tree as text rules
#
# `export_text` prints one line per split, indented by depth, and the decision at each
# leaf. `show_weights=True` adds the (class-weighted) amount of each class in the leaf.
from sklearn.tree import export_text

rules = export_text(
    tree,
    feature_names=list(X.columns),
    class_names=class_names,
    show_weights=True,
    decimals=2,
)
print(rules)

# %%
# Reading the rules leaf by leaf: which decision each leaf predicts, and how many
# training applicants land there (`tree.apply` gives each applicant's leaf).
import numpy as np
import pandas as pd

leaf_ids = tree.apply(X_train)
leaves = pd.DataFrame(
    {
        "applicants": pd.Series(leaf_ids).value_counts().sort_index(),
        "predicts": [
            class_names[np.argmax(tree.tree_.value[n][0])]
            for n in sorted(set(leaf_ids))
        ],
        "share admitted": [
            (y_train[leaf_ids == n] == "Admit").mean() for n in sorted(set(leaf_ids))
        ],
    }
).rename_axis("leaf")
used = sorted({X.columns[f] for f in tree.tree_.feature if f >= 0})
say(
    f"The {tree.get_n_leaves()} leaves use only {len(used)} of the {X.shape[1]} columns: "
    + ", ".join(f"*{u}*" for u in used)
    + f". Leaves predicting *Admit*: {(leaves['predicts'] == 'Admit').sum()}; they hold "
    f"{leaves.loc[leaves['predicts'] == 'Admit', 'applicants'].sum():,} training applicants, of whom "
    f"{(y_train[np.isin(leaf_ids, leaves.index[leaves['predicts'] == 'Admit'])] == 'Admit').mean():.0%} were actually admitted."
)

# %%
leaves.style.format({"share admitted": "{:.1%}"})

# %%
# ## How to read this figure
#
# * Each box asks one question; *True* (left) means the rule holds. One-hot columns read
#   as "is the applicant in this category": `international <= 0.5` means *not*
#   international.
# * `value` lists the class shares in the order Admit, Deny, Waitlist after class
#   weighting, so a 50/50 box does not mean half the applicants there were admitted;
#   the table above gives the raw share.
# * The text rules hold exactly the same tree: every path from `|---` at the top to a
#   `class:` line is one leaf.
#
# ## Pitfalls
#
# * **Class weights change what the boxes say.** Without `class_weight="balanced"` the
#   same depth-3 tree predicts *Deny* in nearly every leaf, and looks "accurate".
# * **The depth limit is a trade-off.** Readability is bought with fit; compare with the
#   unlimited tree's score before trusting the small one.
# * **Unstable structure**: resample the training rows and the lower splits change. Read
#   the top splits as "what matters most", not the exact thresholds.
# * **Thresholds on GMAT and GPA are not admission cut-offs**; they are the
#   impurity-optimal splits of this sample.
