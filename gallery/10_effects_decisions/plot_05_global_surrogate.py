"""
# Global surrogate: a shallow tree and a rule list that mimic a black box

**Catalog J5** · **Question:** structure, comparison · **Family:** any · **Phase:** after training · **Data:** MBA

A forest of hundreds of trees does not tell a story; a tree of depth 2 does. A *global
surrogate* is an interpretable model fitted to a black box's **predictions** instead of
the true labels, so that its splits and rules describe what the black box does. The
story is only as good as the surrogate's **fidelity** on rows neither was fitted on:
how often it makes the black box's decision (agreement), or how much of the variation
of its probability it reproduces (R²). This page fits trees of depth 1 to 8 and a rule
list to the MBA forest of pages C1-C4, measures their fidelity with intervals, shows
where the shallow ones disagree, and sets fidelity beside accuracy: a surrogate
explains the model, not the data. The MBA table is synthetic: generated from the
statistics of Wharton's Class of 2025, not the records of real applicants.
"""

# %%
# ## The black box and the labels a surrogate learns
#
# The shared forest of pages C1-C4 (at least 5 applicants per leaf,
# `class_weight="balanced"`) admits an applicant when its probability is above one half
# (`predict`). Its decisions on the training applicants are the surrogate's labels; its
# decisions on the test quarter, which no model was fitted on, are what fidelity is
# measured against. The true admissions play no part in fitting a surrogate: they come
# back only to show the difference.
import numpy as np

from mlviz.config import QUICK, SEED
from mlviz.explain import fit_mba_forest
from mlviz.report import claim, say

admit = fit_mba_forest(target="admit")
forest, X_train, X_test = admit.model, admit.X_train, admit.X_test
y_train, y_test = admit.y_train.to_numpy(), admit.y_test.to_numpy()
bb_train, bb_test = forest.predict(X_train), forest.predict(X_test)  # to be mimicked
p_train, p_test = (forest.predict_proba(X)[:, 1] for X in (X_train, X_test))
say(
    f"The forest ({forest.n_estimators} trees) admits {bb_test.mean():.1%} of the "
    f"{len(X_test)} test applicants, of whom {y_test.mean():.1%} were admitted; its "
    f"decisions match the true ones for {np.mean(bb_test == y_test):.1%} of them."
)

# %%
# ## Surrogate trees of depth 1 to 8
#
# At each depth a `DecisionTreeClassifier` learns the forest's decisions on the
# training applicants, and a `DecisionTreeRegressor` its probabilities. On the test
# applicants, **agreement** is the share given the forest's decision, **accuracy** the
# share given the true one (binomial proportions, with 95% Wilson intervals), and
# **R²** the share of the variance of the forest's probabilities that the regressor
# reproduces (with a percentile bootstrap interval).
import pandas as pd
from scipy.stats import binomtest
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlviz.inspect.performance import Interval, bootstrap_interval


def wilson(hits):
    """Share of True in ``hits``, with its 95% Wilson interval."""
    ci = binomtest(int(np.sum(hits)), len(hits)).proportion_ci(method="wilson")
    return Interval(float(np.mean(hits)), ci.low, ci.high)


n_resamples = 200 if QUICK else 1000
depths = range(1, 9)
trees, said, rows = {}, {}, []
for depth in depths:
    tree = DecisionTreeClassifier(max_depth=depth, random_state=SEED)
    trees[depth] = tree.fit(X_train, bb_train)
    said[depth] = tree.predict(X_test)
    regressor = DecisionTreeRegressor(max_depth=depth, random_state=SEED)
    p_said = regressor.fit(X_train, p_train).predict(X_test)
    r2 = bootstrap_interval(r2_score, p_test, p_said, n_resamples=n_resamples)
    agree, right = wilson(said[depth] == bb_test), wilson(said[depth] == y_test)
    rows.append([depth, tree.get_n_leaves(), *agree, *right, *r2])
names = ["agreement", "accuracy", "R²"]
columns = ["leaves"] + [f"{n}{e}" for n in names for e in ("", " low", " high")]
by_depth = pd.DataFrame(rows, columns=["depth", *columns]).set_index("depth")
by_depth.round(3)

# %%
# ## Fidelity against depth
#
# Blue: agreement with the forest; orange: accuracy on the true admissions; the dashed
# grey line is the forest's own accuracy. Bands and bars are 95% intervals. The right
# panel is the regressor's R² against the forest's probability.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

fig, (ax, ax_r2) = plt.subplots(1, 2, figsize=(11, 4.5))
for name, color in (("agreement", "C0"), ("accuracy", "C1")):
    low, high = by_depth[f"{name} low"], by_depth[f"{name} high"]
    ax.fill_between(depths, low, high, color=color, alpha=0.25)
    label = "agreement with the forest" if name == "agreement" else "accuracy (truth)"
    ax.plot(depths, by_depth[name], "o-", color=color, label=label)
ax.axhline(np.mean(bb_test == y_test), color="C7", ls="--", label="forest's accuracy")
ax.set(xlabel="depth of the surrogate tree", ylabel="share of test applicants")
ax.set_title("Fidelity is not accuracy")
ax.legend(loc="center right", fontsize=9)
r2_bars = [by_depth["R²"] - by_depth["R² low"], by_depth["R² high"] - by_depth["R²"]]
ax_r2.errorbar(depths, by_depth["R²"], yerr=r2_bars, fmt="o-", color="C4", capsize=3)
ax_r2.set(xlabel="depth of the surrogate tree", ylabel="R² against the forest's p")
ax_r2.set_title("Regression surrogate of the probability")
plt.show()

# %%
# ## What a second level buys, and what fidelity does not say
#
# Differences between two surrogates, or between agreement and accuracy, are measured
# on the same test applicants, so each gets a paired interval: the mean of the
# per-applicant difference (1, 0 or -1) plus or minus 1.96 standard errors.


def paired(a, b):
    """Mean of ``a - b`` over the same applicants, with a 95% normal interval."""
    d = np.asarray(a, float) - np.asarray(b, float)
    half = 1.96 * d.std(ddof=1) / np.sqrt(len(d))
    return Interval(d.mean(), d.mean() - half, d.mean() + half)


shown, deepest = 2, depths[-1]  # the tree drawn below: two questions are readable
miss = {d: wilson(said[d] != bb_test) for d in (1, shown, deepest)}
second_level = paired(said[shown] == bb_test, said[1] == bb_test)
deeper = paired(said[deepest] == bb_test, said[shown] == bb_test)
model_not_data = paired(said[shown] == bb_test, said[shown] == y_test)
inherits = paired(said[shown] == y_test, bb_test == y_test)
copied = wilson((bb_test != y_test)[said[shown] != y_test])  # errors both make
than = "is below" if inherits.high < 0 else "is above"
if not inherits.excludes(0):
    than = "cannot be told from"
say(
    f"A stump (depth 1) disagrees with the forest on **{miss[1]:.1%}** of the test "
    f"applicants (95% interval); depth {shown} on **{miss[shown]:.1%}**, depth "
    f"{deepest} on {miss[deepest]:.1%}. Depth {deepest} changes the agreement by "
    f"{deeper:+.1%} (paired) against depth {shown}, with "
    f"{trees[deepest].get_n_leaves()} leaves instead of {trees[shown].get_n_leaves()}. "
    f"At depth {shown} the surrogate's agreement exceeds its accuracy on the true "
    f"admissions by {model_not_data:.1%}; its accuracy {than} the forest's own "
    f"({inherits:+.1%}), and {copied:.0%} of its errors are the forest's own."
)
claim(
    second_level.low > 0,
    "a second level of questions makes the surrogate agree with the forest on more "
    "applicants, beyond the noise",
    evidence=f"depth {shown} minus depth 1: {second_level:.4f}",
)
claim(
    copied.low > 0.5,
    "most of the surrogate's errors on the true admissions are the forest's errors: "
    "a surrogate copies the model's mistakes with its decisions",
    evidence=f"share of its errors the forest makes too: {copied:.3f}",
)
claim(
    model_not_data.low > 0,
    "the shallow tree reproduces the forest's decisions more often than the true "
    "admissions: it explains the model, not the data",
    evidence=f"agreement minus accuracy: {model_not_data:.4f}",
)

# %%
# ## The story a depth-2 tree tells
#
# `plot_tree` with `proportion=True` writes in each box the share of training
# applicants the forest admits among those that reach it; `paint_by_class` colours the
# boxes in the gallery's admission colours (green: the forest admits, grey: it does
# not), paler where the forest's decisions are mixed. A question whose two answers end
# in the same decision is asked because the forest's decisions are mixed in different
# proportions behind them; a Welch interval of the difference of the forest's mean
# probability on the test applicants says whether that is beyond the noise.
from scipy.stats import ttest_ind
from sklearn.tree import plot_tree

from mlviz.plotting import ADMISSION_COLORS, paint_by_class

surrogate = trees[shown]
fig, ax = plt.subplots(figsize=(11, 4.8))
nodes = plot_tree(
    surrogate, feature_names=list(X_train.columns), filled=True, rounded=True,
    class_names=["not admitted", "admitted"], proportion=True, impurity=False,
    precision=3, fontsize=10, ax=ax,
)  # fmt: skip
paint_by_class(nodes, surrogate, [ADMISSION_COLORS["Deny"], ADMISSION_COLORS["Admit"]])
ax.set_title(
    f"Depth-{shown} surrogate of the forest: it disagrees with the forest on "
    f"{miss[shown].estimate:.1%} of the test applicants"
)
plt.show()

t, leaf = surrogate.tree_, surrogate.apply(X_test)
for node in np.flatnonzero(t.children_left >= 0):
    a, b = t.children_left[node], t.children_right[node]
    same = t.value[a, 0].argmax() == t.value[b, 0].argmax()
    if not same or t.children_left[a] >= 0 or t.children_left[b] >= 0:
        continue  # only questions between two leaves that decide alike
    pa, pb = p_test[leaf == a], p_test[leaf == b]
    ci = ttest_ind(pa, pb, equal_var=False).confidence_interval()
    say(
        f"Both answers to *{X_test.columns[t.feature[node]]} <= "
        f"{t.threshold[node]:g}* end in the same decision; the forest's mean "
        f"probability on the test applicants is {pa.mean():.2f} behind *yes*, "
        f"{pb.mean():.2f} behind *no* "
        f"(difference {ci.low:+.2f} to {ci.high:+.2f}, Welch 95%): "
        + (
            "the forest treats the two groups differently, which the decision hides."
            if ci.low > 0 or ci.high < 0
            else "no difference beyond the noise."
        )
    )

# %%
# ## Where the surrogates disagree: what a low fidelity means
#
# Each dot is a test applicant at their GMAT (jittered by a few points: scores come in
# steps of 10) and GPA, coloured by the **forest's** decision; a red ring marks an
# applicant whose surrogate decides otherwise. The blue lines are the surrogate's
# questions about GMAT and GPA, drawn over the part of the plane each one applies to.
from scipy.stats import mannwhitneyu

from mlviz.explain.surrogate import plot_tree_splits

jitter = np.random.default_rng(SEED).uniform(-4, 4, len(X_test))
gmat, gpa = X_test["gmat"] + jitter, X_test["gpa"]
fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), sharey=True)
for ax, depth in zip(axes, (1, shown)):
    for admits, label in ((True, "forest admits"), (False, "forest does not")):
        color = ADMISSION_COLORS["Admit" if admits else "Deny"]
        at = bb_test == admits
        ax.scatter(gmat[at], gpa[at], color=color, s=9, alpha=0.6, label=label)
    wrong = said[depth] != bb_test
    ax.scatter(
        gmat[wrong], gpa[wrong], s=45, fc="none", ec="C3", label="surrogate disagrees"
    )
    plot_tree_splits(trees[depth], "gmat", "gpa", ax=ax, color="C0", lw=2)
    ax.set(xlabel="GMAT", title=f"depth {depth}: {wrong.sum()} disagreements")
axes[0].set_ylabel("GPA")
axes[0].legend(loc="upper left", fontsize=9)
plt.show()

# the stump's false admits: the forest turns them down, the stump's story admits them
wrong_1, wrong_2 = said[1] != bb_test, said[shown] != bb_test
false_admits = said[1] & ~bb_test
share_false = wilson(false_admits[wrong_1])
lower_gpa = mannwhitneyu(gpa[false_admits], gpa[said[1] & bb_test], alternative="less")
distance = np.abs(p_test - 0.5)  # from the forest's boundary
closer = mannwhitneyu(distance[wrong_2], distance[~wrong_2], alternative="less")
claim(
    share_false.low > 0.5 and lower_gpa.pvalue < 0.05,
    "most of the stump's disagreements are applicants it admits and the forest turns "
    "down, and they have lower GPAs than those both admit: the stump's story leaves "
    "out the GPA that the forest uses",
    evidence=f"false admits {share_false:.3f}, one-sided p = {lower_gpa.pvalue:.2g}",
)
claim(
    closer.pvalue < 0.05,
    f"the depth-{shown} tree's disagreements lie near the forest's boundary: their "
    "probability is closer to one half than the others'",
    evidence=f"one-sided Mann-Whitney p = {closer.pvalue:.2g}",
)
stump = trees[1].tree_
root, cut = X_test.columns[stump.feature[0]], stump.threshold[0]
side = ">" if stump.value[stump.children_right[0], 0].argmax() == 1 else "<="
say(
    f"The stump says *admit when {root} {side} {cut:g}*. For the {wrong_1.sum()} test "
    f"applicants on whom it disagrees with the forest ({miss[1]:.1%}), that story is "
    f"false; {share_false.estimate:.0%} of them it admits and the forest turns down. "
    f"At depth {shown} the story is false for {wrong_2.sum()}, whose forest "
    f"probability lies a median {np.median(distance[wrong_2]):.2f} from one half, "
    f"against {np.median(distance[~wrong_2]):.2f} for the others."
)

# %%
# ## A rule list
#
# A decision list is read from the top: the first rule an applicant meets decides, and
# the last line is the default. `fit_rule_list` (helper package) learns one from the
# forest's decisions on the training applicants by sequential covering: a depth-1 tree
# asks the best question of the applicants no rule covers yet, the purer answer (at
# least 1% of the training applicants) becomes the next rule, its applicants are set
# aside, and so on. The table gives how many test applicants each rule decides and its
# agreement with the forest among them.
from mlviz.explain.surrogate import fit_rule_list

rule_list = fit_rule_list(X_train, bb_train, max_rules=4, min_share=0.01)
first, said_rules = rule_list.first_rule(X_test), rule_list.predict(X_test)
table = rule_list.to_frame()
table["then"] = table["then"].map({True: "admitted", False: "not admitted"})
fidelity = [wilson(said_rules[first == i] == bb_test[first == i]) for i in table.index]
table["test applicants"] = np.bincount(first, minlength=len(table))
table[["agreement", "low", "high"]] = fidelity
list_agree = wilson(said_rules == bb_test)
differ = said_rules != said[shown]
versus_tree = paired(said_rules == bb_test, said[shown] == bb_test)
worst = table.loc[table["agreement"].idxmin()]
say(
    f"The {len(rule_list.rules)} rules and the default agree with the forest on "
    f"**{list_agree:.1%}** of the test applicants; "
    + (
        f"they decide as the depth-{shown} tree on every one: the same decisions, told "
        "as finer groups."
        if not differ.any()
        else f"they decide otherwise than the depth-{shown} tree for {differ.sum()}, "
        f"a difference in agreement of {versus_tree:+.1%} (paired)."
    )
    + (" The default line" if worst["rule"] == "else" else f" *{worst['rule']}*")
    + f" ({worst['test applicants']} test applicants) agrees with the forest on only "
    f"{worst['agreement']:.1%} [{worst['low']:.1%}, {worst['high']:.1%}] of them."
)
claim(
    worst["high"] < list_agree.low,
    "the list's average fidelity hides a group of applicants for whom its story is "
    "false far more often: the worst rule's agreement lies below the average, beyond "
    "the noise",
    evidence=f"worst rule {worst['agreement']:.3f} [{worst['low']:.3f}, "
    f"{worst['high']:.3f}], list {list_agree:.3f}",
)
table.round(3)

# %%
# ## How to read these figures
#
# * **Agreement (blue) is the fidelity of the surrogate's decisions, R² that of its
#   probabilities.** One minus the agreement is the share of applicants for whom the
#   surrogate's story is not what the forest does.
# * **Accuracy (orange) answers another question** and follows the forest's own
#   accuracy: the surrogate copies the forest's mistakes.
# * **The tree and the rules are the story; the red rings, and the rules of low
#   agreement, are where it is false.** Check them before telling it.
#
# ## Pitfalls
#
# * **A surrogate explains the model, not the data** (Molnar, *Interpretable Machine
#   Learning*, "Global surrogate"). Its splits say what the forest does, not why
#   applicants are admitted, nor whether the forest is right. A split on gender or race
#   says that the forest's decisions differ between the groups (directly or through
#   correlated features), not that they should.
# * **No fidelity is high enough by itself.** A high average still leaves applicants
#   for whom the story is false, and it hides groups: report the fidelity where the
#   story is used (per rule, per leaf, near the boundary), with its interval.
# * **Measure fidelity on rows the surrogate was not fitted on**, drawn like those you
#   mean to explain: a deep surrogate can learn the black box's answers on its training
#   rows by heart, and far from the data the two models may part ways unseen.
# * **A shallow tree is unstable**: another sample can put another question at the
#   root with much the same fidelity (the "Rashomon effect", Breiman, 2001). Read one
#   tree as one faithful story, not the only one.
