"""
# The decision path of one observation, split by split

**Catalog B3** · **Question:** one prediction, structure · **Family:** tree · **Phase:** at inference · **Data:** MBA

A flowchart of a tree (page B1) tells you *which* question each node asks, but not how
close the answer was. Drawing each split's threshold on the distribution of its feature,
among the training rows that reached that node, shows both: where the observation sits
relative to the threshold and relative to the other applicants at that point, and which
classes the split separates. This is the idea behind the dtreeviz library; here it is
drawn with plain matplotlib, one small histogram per node on the path, for one MBA
applicant. The MBA table is **synthetic** (generated from the published statistics of
Wharton's Class of 2025, not real applicants): the tree describes that generator, not a
real admissions office.
"""

# %%
# ## Prepare the data and fit a tree
#
# The MBA admissions table (an empty decision means *Deny*). We fit a depth-4 tree with
# balanced class weights, so that the rare *Admit* and *Waitlist* decisions are not
# drowned out by the large majority of applicants who are denied.
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from mlviz.config import SEED
from mlviz.datasets import load_mba, prepare_mba
from mlviz.report import claim, say

X, y = prepare_mba(load_mba())
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=SEED
)
tree = DecisionTreeClassifier(
    max_depth=4, min_samples_leaf=20, class_weight="balanced", random_state=SEED
)
tree.fit(X_train, y_train)
denied = (y == "Deny").mean()
say(
    f"{denied:.1%} of the {len(y):,} applicants are denied. The tree has "
    f"{tree.get_n_leaves()} leaves; classes {list(tree.classes_)}."
)
claim(
    denied > 0.75, "a large majority of applicants are denied", evidence=f"{denied:.1%}"
)

# %%
# ## Follow one applicant
#
# We pick the first admitted applicant of the test set among those with the longest
# path (the most questions).
# `decision_path_steps` (from the gallery's helper package) walks `tree.tree_` from the
# root: at each internal node it records the feature, the threshold, the applicant's
# value and whether the applicant went left (`value <= threshold`). It is the same
# information as `tree.decision_path`, in readable form.
import numpy as np
import pandas as pd

from mlviz.inspect.trees import decision_path_steps, samples_reaching

admitted = X_test[y_test == "Admit"]
depths = np.array(
    [len(decision_path_steps(tree, admitted.iloc[[i]])) for i in range(len(admitted))]
)
applicant = admitted.iloc[[int(np.argmax(depths == depths.max()))]]
steps = decision_path_steps(tree, applicant)
pd.DataFrame(steps)

# %%
# The leaf at the end of the path, and what the tree predicts there:
leaf = tree.apply(applicant)[0]
proba = tree.predict_proba(applicant)[0]
# How close was each answer? Raw distances are not comparable across features (GMAT
# points vs GPA points), so count the training rows at the node lying between the
# applicant's value and the threshold.
reaches = samples_reaching(tree, X_train, [s.node for s in steps])
between = [
    np.mean(
        (X_train.iloc[:, s.feature][reaches[:, j]] - s.value)
        * (X_train.iloc[:, s.feature][reaches[:, j]] - s.threshold)
        < 0
    )
    for j, s in enumerate(steps)
]
closest = steps[int(np.argmin(between))]
say(
    f"Applicant #{applicant.index[0]} (truly **Admit**) answers {len(steps)} questions "
    f"and ends in leaf {leaf}, which holds {tree.tree_.n_node_samples[leaf]} training "
    f"applicants. The tree predicts **{tree.classes_[np.argmax(proba)]}** with "
    f"probability {proba.max():.0%} ("
    + ", ".join(f"{c} {p:.0%}" for c, p in zip(tree.classes_, proba))
    + f", after class weighting). The closest call is at node {closest.node}: "
    f"*{closest.feature_name}* = {closest.value:.3g} against a threshold of "
    f"{closest.threshold:.3g} ({min(between):.1%} of the training applicants at that "
    "node lie strictly between the two values)."
)

# %%
# ## Draw each split on its feature's distribution
#
# `samples_reaching` marks the training rows that pass through each node on the path;
# `plot_decision_path` draws, per node, the stacked histogram of the split feature over
# those rows (one colour per decision, the gallery's admission colours: *Admit* green,
# *Waitlist* orange, *Deny* grey), the threshold (dashed), the side the applicant took
# (shaded) and the applicant's value (black line and triangle).
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import ADMISSION_COLORS, plot_decision_path

axes = plot_decision_path(
    steps,
    X_train,
    y_train,
    reaches,
    class_names=list(tree.classes_),
    colors=ADMISSION_COLORS,
    bins=25,
    ncols=2,
)
axes[0].figure.suptitle(
    f"The path of applicant #{applicant.index[0]} through the depth-4 tree",
    fontweight="bold",
)
plt.show()

counts = reaches.sum(axis=0)
admit_share = [(y_train[reaches[:, j]] == "Admit").mean() for j in range(len(steps))]
in_leaf = y_train[tree.apply(X_train) == leaf]
say(
    "Training applicants at each node on the path: "
    + " → ".join(f"{n:,}" for n in counts)
    + f" → {tree.tree_.n_node_samples[leaf]:,} in the leaf. The share of *Admit* "
    "among them goes "
    + " → ".join(f"{a:.0%}" for a in admit_share)
    + f" → {(in_leaf == 'Admit').mean():.0%}."
)

# %%
# ## Questions about gender or race
#
# This applicant's path is one of the tree's paths; other applicants are asked other
# questions. We list every split of the tree on a gender or race column, on or off
# the path.
t = tree.tree_
on_path = {s.node for s in steps}
sensitive = [
    (node, X.columns[t.feature[node]])
    for node in np.flatnonzero(t.children_left != -1)
    if X.columns[t.feature[node]].startswith(("gender", "race"))
]
say(
    f"The tree splits on gender or race at {len(sensitive)} of its "
    f"{(t.children_left != -1).sum()} internal nodes"
    + (
        ": "
        + ", ".join(
            f"node {n} (*{name}*, {t.n_node_samples[n]:,} training applicants"
            f"{', on this path' if n in on_path else ''})"
            for n, name in sensitive
        )
        if sensitive
        else ""
    )
    + ". This applicant's path asks "
    + ("one of them." if on_path & {n for n, _ in sensitive} else "none of them.")
)

# %%
# ## How to read this figure
#
# * Read the panels in order (left to right, top to bottom): each is one question, asked
#   only of the applicants who answered the previous ones the same way, so the counts on
#   the y-axis shrink from panel to panel.
# * The dashed line is the threshold; applicants at or below it go left. The shaded side
#   is the side this applicant took; the black triangle is the applicant's own value.
# * The colours show what the split achieves: a good split puts mostly one decision on
#   each side of the dashed line.
# * A value far from the threshold, with many training applicants in between, would
#   take a large change to flip; a value next to it means a small change in that
#   feature would have sent the applicant down another branch. (Neither says how sure
#   the tree is of its prediction: that is the leaf's class shares.)
#
# A split on gender or race means that, in this **synthetic** table, among the
# applicants who reach that node, the decisions differ between the two sides, and the
# tree learnt that association. It is not evidence about real admissions, nor of
# discrimination or of its absence (an association is not its cause). Dropping the
# column would not remove it: correlated columns (proxies) can carry the same
# information. Page B2 shows the admission shares on each side of such splits.
#
# ## Pitfalls
#
# * **The histograms are of training rows**, unweighted, while the tree chose each split
#   with balanced class weights: a split can look poor on the raw counts yet be the best
#   one for the weighted impurity.
# * **A 0/1 feature makes a two-bar histogram**, with the threshold at 0.5; nothing is
#   wrong, the question is simply "yes or no".
# * **One path explains one prediction of one tree.** For a forest, each tree has its
#   own path; use SHAP or LIME pages for ensemble explanations.
# * **Close calls are fragile**: a threshold is a midpoint between two training values
#   and moves when the tree is refitted on slightly different data (see page B1).
