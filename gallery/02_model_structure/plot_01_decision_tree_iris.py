"""
# Decision tree on Iris: the flowchart

**Catalog B1** · **Question:** structure, one prediction · **Family:** tree · **Phase:** after training · **Data:** Iris

A decision tree is the rare model whose entire logic fits in one picture: a flowchart
of yes/no questions about the features, ending in a class. Drawing it answers "how does
this model decide?" exactly, not approximately, which makes it the natural first model
to show a student, and a useful check that a tree has learned sensible rules rather
than quirks of the training set. This page fits a small tree to Iris, draws it with
`sklearn.tree.plot_tree`, and follows one flower from the root to its leaf.
"""

# %%
# ## Prepare the data
#
# Four measurements per flower, three species. We keep a stratified quarter of the
# flowers aside to check the tree on data it has not seen.
from sklearn.model_selection import train_test_split

from mlviz.config import SEED
from mlviz.datasets import load_iris

X, y = load_iris()
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=SEED
)
print(f"{len(X_train)} training flowers, {len(X_test)} test flowers")
print(f"features: {list(X.columns)}")

# %%
# ## Fit a shallow tree
#
# `max_depth=3` keeps the flowchart small enough to read. We also grow a tree without a
# depth limit, to see what the limit costs on held-out flowers.
from sklearn.tree import DecisionTreeClassifier

tree = DecisionTreeClassifier(max_depth=3, random_state=SEED).fit(X_train, y_train)
full = DecisionTreeClassifier(random_state=SEED).fit(X_train, y_train)

# %%
# Is the larger tree better on new flowers? The test set is small, so we put an
# interval on the difference: a paired bootstrap over the test flowers (built on
# `scipy.stats.bootstrap`), both trees scored on the same resampled flowers.
import numpy as np
from sklearn.metrics import accuracy_score

from mlviz.inspect.performance import bootstrap_difference
from mlviz.report import claim, say

pred_small, pred_full = tree.predict(X_test), full.predict(X_test)
right_small = (pred_small == y_test).to_numpy()
right_full = (pred_full == y_test).to_numpy()
interval = bootstrap_difference(
    accuracy_score, y_test, pred_full, pred_small, n_resamples=2000
)
gap = int(right_full.sum() - right_small.sum())
claim(
    full.score(X_train, y_train) == 1.0,
    "a fully grown tree fits every training flower",
    evidence=f"training accuracy {full.score(X_train, y_train):.1%}",
)
if interval.low <= 0 <= interval.high:
    verdict = "indistinguishable on these test flowers (the interval includes 0)"
else:
    verdict = f"the {'fully grown' if gap > 0 else 'depth-3'} tree is better"
say(
    f"The depth-3 tree has **{tree.tree_.node_count} nodes** ({tree.get_n_leaves()} "
    f"leaves) and classifies **{right_small.mean():.1%}** of the {len(X_test)} test "
    f"flowers correctly. The fully grown tree needs depth {full.get_depth()} and "
    f"{full.tree_.node_count} nodes for **{right_full.mean():.1%}**: {abs(gap)} "
    f"flower{'' if abs(gap) == 1 else 's'} {'more' if gap >= 0 else 'fewer'}, one "
    f"flower being {1 / len(X_test):.1%}. The 95% interval of the difference is "
    f"[{interval.low:+.1%}, {interval.high:+.1%}]: {verdict}."
)

# %%
# ## Draw the flowchart
#
# Each box is a node. `plot_tree` writes the split rule (internal nodes only), the Gini
# impurity, the number of training samples that reach the node, how they divide among
# the classes (`value`), and the majority class. `filled=True` colours a node by its
# majority class, paler where the classes are mixed.
#
# !!! question "Predict the plot"
#     Before you look: which species will the tree's very first question (the root box)
#     separate from the other two, and will that question be about a sepal or a petal
#     measurement?
#
# ??? success "Answer"
#     Setosa, completely, on a petal measurement: the child of the root that setosa goes
#     to holds only setosa flowers (`gini = 0.0`). Setosa's petals are much smaller than
#     the other species', so one threshold is enough. Versicolor and virginica overlap,
#     so telling them apart takes the deeper questions, and a leaf may stay mixed.
#
# `plot_tree` picks its own colours; `paint_by_class` (from `mlviz.plotting`) repaints each box in the species'
# colour used on every page of this gallery, with `plot_tree`'s own rule for how pale a
# mixed node is (the majority's lead over the runner-up).
import matplotlib.pyplot as plt
from sklearn.tree import plot_tree

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import SPECIES_COLORS, paint_by_class


class_names = list(y.cat.categories)
colors = [SPECIES_COLORS[name] for name in class_names]
fig, ax = plt.subplots(figsize=(12, 6.5))
nodes = plot_tree(
    tree,
    feature_names=list(X.columns),
    class_names=class_names,
    filled=True,
    rounded=True,
    impurity=True,
    fontsize=9,
    ax=ax,
)
paint_by_class(nodes, tree, colors)
ax.set_title(f"Decision tree (max_depth=3) trained on {len(X_train)} Iris flowers")
plt.show()

t = tree.tree_
root = X.columns[t.feature[0]]
children = [t.children_left[0], t.children_right[0]]
setosa = class_names.index("setosa")
n_setosa = (y_train == "setosa").sum()
pure_setosa = [  # a child that holds all the setosa flowers and nothing else
    c
    for c in children
    if t.value[c][0][setosa] == 1.0 and t.n_node_samples[c] == n_setosa
]
claim(
    root.startswith("petal") and len(pure_setosa) == 1,
    "the root question is about a petal and sends all setosa, alone, to one child",
    evidence=f"root splits on {root}; child shares {[t.value[c][0] for c in children]}",
)

# %%
# ## Follow one flower through the tree
#
# `decision_path` returns, for each sample, the nodes it visits. We take a test flower
# the tree finds hard (its leaf is the least pure one a test flower reaches) and list
# each question it answers on the way down.
import pandas as pd

leaf_of_test = tree.apply(X_test)
impurity_at_leaf = tree.tree_.impurity[leaf_of_test]
i = int(np.argmax(impurity_at_leaf))
flower = X_test.iloc[[i]]
path = tree.decision_path(flower).indices

rows = []
for node in path[:-1]:
    value = flower.iloc[0, t.feature[node]]
    rows.append(
        {
            "node": node,
            "question about": X.columns[t.feature[node]],
            "this flower": value,
            "threshold": t.threshold[node],
            "goes": "left (yes, ≤)" if value <= t.threshold[node] else "right (no, >)",
        }
    )
leaf = path[-1]
counts = t.value[leaf][0] * t.n_node_samples[leaf]  # value holds class fractions
predicted = tree.predict(flower)[0]
tie = (counts == counts.max()).sum() > 1
say(
    f"Test flower #{X_test.index[i]} is a **{y_test.iloc[i]}**; the table below gives "
    f"its path. It ends in leaf {leaf}, where the training flowers were "
    + ", ".join(f"{int(round(c))} {name}" for c, name in zip(counts, class_names))
    + f", so the tree predicts **{predicted}** with probability "
    f"{counts.max() / counts.sum():.0%}"
    + (
        ": a tie, which the tree breaks by taking the first class in its order."
        if tie
        else "."
    )
    + f" The prediction is {'right' if predicted == y_test.iloc[i] else 'wrong'}."
)
pd.DataFrame(rows).set_index("node").round(2)

# %%
# The same path, highlighted on the flowchart: the boxes the flower passes through get a
# thick black outline.
fig, ax = plt.subplots(figsize=(12, 6.5))
nodes = plot_tree(
    tree,
    feature_names=list(X.columns),
    class_names=class_names,
    filled=True,
    rounded=True,
    fontsize=9,
    ax=ax,
)
paint_by_class(nodes, tree, colors)
# plot_tree also returns the "True"/"False" edge labels, which have no box: skip them.
boxes = [n.get_bbox_patch() for n in nodes if n.get_bbox_patch() is not None]
for node in path:
    box = boxes[node]
    box.set_edgecolor("black")
    box.set_linewidth(3)
ax.set_title(f"The path of test flower #{X_test.index[i]} ({y_test.iloc[i]})")
plt.show()

# %%
# ## How to read this figure
#
# * Read from the top. At each box, a flower whose feature satisfies the rule goes to
#   the **left** child, otherwise to the **right**.
# * `samples` counts the *training* flowers reaching the node; `value` splits them by
#   class in the order setosa, versicolor, virginica; `class` is the majority.
# * `gini` is the impurity: 0 means all flowers in the node share one species; 0.667 is
#   the most mixed three classes can be. The colour's strength is the majority's lead
#   over the runner-up: full colour for a pure node, white for a tie.
# * The first split isolates setosa completely on a petal measurement (checked when
#   the page runs): the classic result that setosa is linearly separable from the other
#   two species. The box colours are the species' colours on every page of this
#   gallery (setosa blue, versicolor orange, virginica green).
#
# ## Pitfalls
#
# * **Trees are unstable.** A different random split of the data can give a different
#   root question and a different-looking tree with the same accuracy. Do not read too
#   much into which of two correlated features (petal length vs width) was chosen.
# * **Depth is a choice, not a fact.** A fully grown tree fits every training flower;
#   its extra leaves each rest on a handful of flowers, so their rules say more about
#   those flowers than about the species. Compare the two trees' test accuracy above,
#   and its interval: with a few dozen test flowers, one flower moves the score by
#   several points.
# * **Thresholds are midpoints** between observed training values, not meaningful
#   botanical boundaries.
# * **A split high up is not an importance.** A feature used near the root is not
#   necessarily the most useful one, and the impurity decrease summed per feature
#   (`feature_importances_`) favours features with many possible thresholds (Strobl
#   et al., 2007); see the permutation importance pages.
