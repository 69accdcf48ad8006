"""
# Decision tree on MBA admissions, as a flowchart and as text rules

**Catalog B2** · **Question:** structure · **Family:** tree · **Phase:** after training · **Data:** MBA

On Iris (page B1) a tree is small and clean. On a larger table, 6,194 MBA applicants
with three unbalanced decisions and 28 columns once its categories are one-hot
encoded, an unrestricted tree grows more than a thousand leaves and stops being
readable. Limiting its depth gives a model a person can audit: drawn as a flowchart
with the class names in each box, and printed as nested text rules
(`sklearn.tree.export_text`) that can be pasted into a report or a code review. The MBA
table is **synthetic**: its rows were generated from the published statistics of
Wharton's Class of 2025, not taken from real applicants, so the tree describes how that
generator made its decisions, not how a real admissions office makes them.
"""

# %%
# ## Prepare the data
#
# `prepare_mba` fills an empty decision with *Deny* and one-hot encodes the categories.
from sklearn.model_selection import train_test_split

from mlviz.config import SEED
from mlviz.datasets import load_mba, prepare_mba
from mlviz.report import claim, rounding_tolerance, say

X, y = prepare_mba(load_mba())
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=SEED
)
shares = y.value_counts(normalize=True)
say(
    f"{len(y):,} applicants, {X.shape[1]} columns. Decisions: "
    + ", ".join(f"*{c}* {shares[c]:.1%}" for c in shares.index)
    + "."
)
claim(
    len(y) == 6194 and X.shape[1] == 28,
    "6,194 applicants and 28 columns once one-hot encoded",
    evidence=f"{len(y)} rows, {X.shape[1]} columns",
)
claim(shares["Deny"] > 0.5, "most applicants are denied", evidence=f"{shares['Deny']}")

# %%
# ## Fit a depth-limited tree
#
# `max_depth=3` gives at most eight leaves. Most applicants are denied (the shares are
# above), so we weight the classes to balance them; a tree fitted without the weights
# shows why (counted below). We compare with an unlimited tree on held-out applicants
# using balanced accuracy, the mean of the per-class recalls, with a paired bootstrap
# interval on the difference (both trees scored on the same resampled applicants).
import numpy as np
from scipy.stats import bootstrap
from sklearn.metrics import balanced_accuracy_score
from sklearn.tree import DecisionTreeClassifier

tree = DecisionTreeClassifier(
    max_depth=3, class_weight="balanced", random_state=SEED
).fit(X_train, y_train)
deep = DecisionTreeClassifier(class_weight="balanced", random_state=SEED).fit(
    X_train, y_train
)
plain = DecisionTreeClassifier(max_depth=3, random_state=SEED).fit(X_train, y_train)
claim(
    deep.get_n_leaves() > 1000,
    "an unrestricted tree grows more than a thousand leaves",
    evidence=f"{deep.get_n_leaves()} leaves",
)

# Class indices instead of names: the same scores, computed faster in the bootstrap.
truth, pred, pred_deep = (
    np.searchsorted(tree.classes_, v)
    for v in (y_test, tree.predict(X_test), deep.predict(X_test))
)
bal = balanced_accuracy_score(truth, pred)
bal_deep = balanced_accuracy_score(truth, pred_deep)
interval = bootstrap(
    (truth, pred_deep, pred),
    lambda t, a, b: balanced_accuracy_score(t, a) - balanced_accuracy_score(t, b),
    paired=True,
    vectorized=False,
    method="percentile",
    n_resamples=1000,
    random_state=SEED,
).confidence_interval
if interval.high < 0:
    verdict = "the extra leaves make it *worse* on new applicants"
elif interval.low > 0:
    verdict = "it is better, but unreadable"
else:
    verdict = "the two are indistinguishable on this test set"
plain_leaves = plain.tree_.value[plain.tree_.children_left == -1, 0]
plain_deny = (plain.classes_[plain_leaves.argmax(1)] == "Deny").sum()
plain_acc = plain.score(X_test, y_test)
always_deny = (y_test == "Deny").mean()  # the accuracy of answering Deny to everyone
say(
    f"The depth-3 tree has **{tree.get_n_leaves()} leaves** and a test balanced "
    f"accuracy of **{bal:.1%}** (chance: 33.3%). The unlimited tree grows "
    f"{deep.get_n_leaves()} leaves (depth {deep.get_depth()}) and scores "
    f"{bal_deep:.1%}; 95% interval of the difference "
    f"[{interval.low:+.1%}, {interval.high:+.1%}]: {verdict}. Without class "
    f"weights the depth-3 tree predicts *Deny* in **{plain_deny} of its "
    f"{plain.get_n_leaves()} leaves**; its plain accuracy, {plain_acc:.1%}, looks "
    f"good, but answering *Deny* to everyone scores {always_deny:.1%}."
)
claim(
    plain_deny > plain.get_n_leaves() / 2,
    "without class weights the tree predicts Deny in most or all of its leaves",
    evidence=f"{plain_deny} of {plain.get_n_leaves()} leaves",
)
# "no better than answering Deny": the two are scored on the same test applicants, so
# their difference per applicant (+1, 0 or -1) is compared with its standard error
right = (plain.predict(X_test) == y_test).to_numpy()
paired = right.astype(float) - (y_test == "Deny").to_numpy()
noise = 2 * paired.std(ddof=1) / np.sqrt(len(paired))
claim(
    paired.mean() <= noise,
    "the unweighted tree's accuracy is no better than always answering Deny",
    evidence=f"{plain_acc:.3f} vs {always_deny:.3f} (paired noise {noise:.3f})",
)

# %%
# ## Draw the flowchart
#
# `plot_tree` with `class_names` writes the decision in each box; `proportion=True`
# shows class shares instead of counts (with class weights, `value` is the weighted
# share). `paint_by_class` (from `mlviz.plotting`) repaints each box in its majority decision's colour (the
# gallery's admission colours: *Admit* green, *Waitlist* orange, *Deny* grey), paler
# where the decisions are mixed, by `plot_tree`'s own rule.
import matplotlib.pyplot as plt
from sklearn.tree import plot_tree

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import ADMISSION_COLORS, paint_by_class


class_names = [str(c) for c in tree.classes_]
fig, ax = plt.subplots(figsize=(14, 7))
nodes = plot_tree(
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
paint_by_class(nodes, tree, [ADMISSION_COLORS[c] for c in class_names])
ax.set_title(
    f"Depth-3 decision tree on {len(X_train):,} MBA applicants "
    f"(class-weighted shares: {', '.join(class_names)})"
)
plt.show()
claim(
    class_names == ["Admit", "Deny", "Waitlist"],
    "value lists the class shares in the order Admit, Deny, Waitlist",
    evidence=f"tree.classes_ = {class_names}",
)
# each share at the root is a float64 sum of the training applicants' weights
tolerance = rounding_tolerance("float64", scale=1.0, n_terms=len(X_train))
claim(
    np.abs(tree.tree_.value[0, 0] - 1 / 3).max() <= tolerance,
    "the root box is a tie between the weighted classes",
    evidence=f"root shares {tree.tree_.value[0, 0].round(3)}",
)

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
admit_leaves = leaves.index[leaves["predicts"] == "Admit"]
in_admit = np.isin(leaf_ids, admit_leaves)
say(
    f"The {tree.get_n_leaves()} leaves use only {len(used)} of the {X.shape[1]} "
    "columns: "
    + ", ".join(f"*{u}*" for u in used)
    + f". Leaves predicting *Admit*: {len(admit_leaves)}; they hold "
    f"{in_admit.sum():,} training applicants, of whom "
    f"{(y_train[in_admit] == 'Admit').mean():.0%} were actually admitted."
)

# %%
leaves.style.format({"share admitted": "{:.1%}"})

# %%
# ## Splits on gender or race
#
# A tree may choose a question about a protected attribute if, in its training rows,
# the decision differs by that attribute. Below, each such split of this tree with the
# share admitted on each side, counted on the training applicants that reach it.
t = tree.tree_
reach = tree.decision_path(X_train).toarray().astype(bool)
sensitive = []
for node in np.flatnonzero(t.children_left != -1):
    name = X.columns[t.feature[node]]
    if name.startswith(("gender", "race")):
        here = y_train[reach[:, node]]
        left = reach[:, t.children_left[node]][reach[:, node]]
        sides = [
            f"of the {len(side):,} with {name} = {value}, "
            f"{(side == 'Admit').mean():.0%} admitted and "
            f"{(side == 'Waitlist').mean():.0%} waitlisted"
            for value, side in ((0, here[left]), (1, here[~left]))
        ]
        sensitive.append(
            f"* node {node}, *{name}*, among {len(here):,} applicants: "
            + "; ".join(sides)
            + "."
        )
say(
    f"This tree splits on gender or race at {len(sensitive)} node(s)"
    + (":\n\n" + "\n".join(sensitive) if sensitive else ".")
)

# %%
# What such a split means, and what it does not:
#
# * It means that in this **synthetic** table, among the applicants who reach the
#   node, the decision differs between the two sides, and that this question lowers the
#   (class-weighted) impurity most. The tree learnt an association of the generated
#   data.
# * It is **not evidence about real admissions**: the rows were generated from class
#   statistics, not drawn from real applicants. Nor is it, on any data, evidence of
#   discrimination or of its absence: a split shows an association, not its cause,
#   and the groups differ in other columns too.
# * **Dropping the column does not remove the association.** Columns that correlate
#   with it (proxies, such as major or industry) can carry the same information, and
#   the tree would then split on those; a tree that never asks about gender can still
#   treat the groups differently.
# * **A deep split can rest on a handful of applicants** (count them above): in a
#   small node, a column can win the split by chance.
#
# ## How to read this figure
#
# * Each box asks one question; *True* (left) means the rule holds. One-hot columns read
#   as "is the applicant in this category": `gender_male <= 0.5` means *not* male.
# * `value` lists the class shares in the order Admit, Deny, Waitlist after class
#   weighting, so a 50/50 box does not mean half the applicants there were admitted;
#   the table above gives the raw share. The root box is a tie (balancing makes the
#   weighted classes equal there), so its class label means nothing.
# * The text rules hold exactly the same tree: every path from `|---` at the top to a
#   `class:` line is one leaf.
#
# ## Pitfalls
#
# * **Class weights change what the boxes say.** Without `class_weight="balanced"` the
#   same depth-3 tree predicts *Deny* in most or all of its leaves (counted above), and
#   looks "accurate" only because most applicants are denied: its accuracy is no
#   better than answering *Deny* to everyone.
# * **The depth limit is a trade-off.** Readability is bought with fit; compare with the
#   unlimited tree's score, and its interval, before trusting the small one.
# * **Unstable structure**: resample the training rows and the splits can change, and
#   a different split near the top changes every split below it (Hastie, Tibshirani
#   and Friedman, *The Elements of Statistical Learning*, section 9.2.4). Nor is a
#   split high up the same as an important feature (see the permutation importance
#   pages).
# * **Thresholds on GMAT and GPA are not admission cut-offs**; they are the
#   impurity-optimal splits of this synthetic sample.
