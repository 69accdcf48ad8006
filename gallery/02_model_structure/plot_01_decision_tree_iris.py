"""
# Decision tree on Iris: the flowchart

**Catalog B1** · **Question:** structure, one prediction · **Family:** tree · **Phase:** after training · **Data:** Iris

A decision tree is the rare model whose entire logic fits in one picture: a flowchart of
yes/no questions about the features, ending in a class. Drawing it answers "how does this
model decide?" exactly, not approximately, which makes it the natural first model to
show a student, and a useful check that a tree has learned sensible rules rather than
quirks of the training set. This page fits a small tree to Iris, draws it with
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
print(
    f"{len(X_train)} training flowers, {len(X_test)} test flowers; features: {list(X.columns)}"
)

# %%
# ## Fit a shallow tree
#
# `max_depth=3` keeps the flowchart small enough to read. We also grow a tree without a
# depth limit, to see what the limit costs on held-out flowers.
from sklearn.tree import DecisionTreeClassifier

tree = DecisionTreeClassifier(max_depth=3, random_state=SEED).fit(X_train, y_train)
full = DecisionTreeClassifier(random_state=SEED).fit(X_train, y_train)

from mlviz.report import say

say(
    f"The depth-3 tree has **{tree.tree_.node_count} nodes** ({tree.get_n_leaves()} leaves) and "
    f"classifies **{tree.score(X_test, y_test):.1%}** of the test flowers correctly. The fully grown "
    f"tree needs depth {full.get_depth()} and {full.tree_.node_count} nodes for "
    f"{full.score(X_test, y_test):.1%}."
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
import matplotlib.pyplot as plt
from sklearn.tree import plot_tree

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

class_names = list(y.cat.categories)
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
ax.set_title(f"Decision tree (max_depth=3) trained on {len(X_train)} Iris flowers")
plt.show()

# %%
# ## Follow one flower through the tree
#
# `decision_path` returns, for each sample, the nodes it visits. We take a test flower
# the tree finds hard (its leaf is the least pure one a test flower reaches) and list
# each question it answers on the way down.
import numpy as np

leaf_of_test = tree.apply(X_test)
impurity_at_leaf = tree.tree_.impurity[leaf_of_test]
i = int(np.argmax(impurity_at_leaf))
flower = X_test.iloc[[i]]
path = tree.decision_path(flower).indices

t = tree.tree_
rows = []
for node in path[:-1]:
    feature = X.columns[t.feature[node]]
    value = flower.iloc[0, t.feature[node]]
    goes_left = value <= t.threshold[node]
    rows.append(
        f"| {node} | {feature} | {value:.2f} {'≤' if goes_left else '>'} {t.threshold[node]:.2f} "
        f"| {'left (yes)' if goes_left else 'right (no)'} |"
    )
leaf = path[-1]
counts = t.value[leaf][0] * t.n_node_samples[leaf]  # value holds class fractions
predicted = class_names[int(np.argmax(counts))]
say(
    f"Test flower #{X_test.index[i]} is a **{y_test.iloc[i]}**. Its path:\n\n"
    "| node | question about | this flower | goes |\n|---|---|---|---|\n"
    + "\n".join(rows)
    + f"\n\nIt ends in leaf {leaf}, where the training flowers were "
    + ", ".join(f"{int(round(c))} {name}" for c, name in zip(counts, class_names))
    + f", so the tree predicts **{predicted}** with probability {counts.max() / counts.sum():.0%}."
)

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
fig.canvas.draw()  # the boxes exist once the text has been laid out
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
# * Read from the top. At each box, a flower whose feature satisfies the rule goes to the
#   **left** child, otherwise to the **right**.
# * `samples` counts the *training* flowers reaching the node; `value` splits them by
#   class in the order setosa, versicolor, virginica; `class` is the majority.
# * `gini` is the impurity: 0 means all flowers in the node share one species; 0.667 is
#   the most mixed three classes can be. The colour's strength follows the same idea.
# * The first split isolates setosa completely on a petal measurement: the classic
#   result that setosa is linearly separable from the other two species.
#
# ## Pitfalls
#
# * **Trees are unstable.** A different random split of the data can give a different
#   root question and a different-looking tree with the same accuracy. Do not read too
#   much into which of two correlated features (petal length vs width) was chosen.
# * **Depth is a choice, not a fact.** A fully grown tree fits every training flower; its
#   extra leaves each rest on a handful of flowers, so their rules say more about those
#   flowers than about the species. Compare the two trees' test accuracy above, on only
#   38 test flowers (one flower is 2.6 points), before preferring either.
# * **Thresholds are midpoints** between observed training values, not meaningful
#   botanical boundaries.
# * **Impurity decrease is not importance.** A feature used near the root is not
#   necessarily the most useful one; see the permutation importance pages.
