"""
# Counterfactual explanations: the smallest changes that flip a decision

**Catalog J3** · **Question:** one prediction · **Family:** any · **Phase:** after training · **Data:** MBA

A denied applicant asks what would have had to be different. A counterfactual
explanation (Wachter, Mittelstadt and Russell, 2018) answers with a nearby applicant
whom the model admits: "with this much higher a GMAT, the model admits you". It names
the features that matter for this one decision and how far each must move, without
weights or attributions to interpret. There are usually many such applicants, so the
answer depends on what may change, how a change is measured, and how different from
each other several answers must be; this page states all three, searches a random
forest's decisions on the MBA admissions table for several diverse counterfactuals per
applicant with gender, race and citizenship held fixed, checks that each one really
flips the model, and draws them. The table is synthetic: what that leaves a
counterfactual able to say is the last section.
"""

# %%
# ## The model and the applicants it denies
#
# The model is the random forest shared by the MBA pages (`fit_mba_forest`: 300 trees,
# at least 5 applicants per leaf, balanced class weights) trained to predict *Admit*
# against everything else. Its decision is `forest.predict`: admit when the trees'
# averaged probability of *Admit* is above 0.5 (the balanced weights make that more
# generous than the table's admission rate). A counterfactual explains that decision,
# so the applicants are those the model denies, drawn at random from the test set.
import numpy as np
import pandas as pd

from mlviz.config import QUICK, SEED
from mlviz.explain import fit_mba_forest
from mlviz.report import claim, say

fitted = fit_mba_forest(target="admit")
forest, X_train, X_test = fitted.model, fitted.X_train, fitted.X_test
denied = X_test[~forest.predict(X_test)]
applicants = denied.sample(4 if QUICK else 24, random_state=SEED)
say(
    f"The forest denies {len(denied)} of the {len(X_test)} test applicants (the "
    f"table admitted {fitted.y_test.mean():.0%}); {len(applicants)} are explained next."
)

# %%
# ## What may change, and how far a change is
#
# Gender, race and citizenship are **immutable**: a counterfactual never touches them.
# The other features may change within what the training table holds, and only in
# the direction an applicant could move: experience only grows, a GMAT retake only
# matters if it is higher, and a GPA only rises (for an applicant who has not
# graduated; the same holds for a change of major). Industry may become any observed
# industry (a new job). The distance from the applicant $x$ to a candidate $x'$ is
# Wachter et al.'s: each numeric change divided by the feature's median absolute
# deviation (MAD) in the training set, plus 1 for each category that changes (as in
# DiCE, Mothilal et al. 2020), so that one MAD of GMAT costs as much as a new industry:
#
# $$d(x, x') = \sum_{j \in \{\text{gpa, gmat, work\_exp}\}} \frac{|x'_j - x_j|}{\mathrm{MAD}_j} + [\text{major changes}] + [\text{industry changes}].$$
from mlviz.explain.counterfactuals import counterfactual_grid, mad_scale, one_hot_groups

numeric = ["gpa", "gmat", "work_exp"]
categorical = one_hot_groups(X_train.columns, ["major", "industry"])
immutable = ["gender_male", "international"] + [
    c for c in X_train.columns if c.startswith("race_")
]
mad = mad_scale(X_train, numeric)
change = ["any category", "a change"]
rules = pd.DataFrame(
    [["no", "-"], *(["up only", f"{m:g}"] for m in mad), change, change],
    index=["gender, race, international", *numeric, "major", "industry"],
    columns=["may change", "one unit of distance"],
)
rules

# %%
# ## The search, written out
#
# Every combination of allowed values is a candidate (`counterfactual_grid`: GPA, GMAT
# and experience take the values the training set holds, at or above the applicant's;
# major and industry any observed category), sorted by its distance. The forest decides
# them nearest first, in batches: a growing sphere (Laugel et al. 2018) that is exact
# here because the grid is finite. A candidate it admits becomes a counterfactual when
#
# 1. none of its changes can be undone without losing the admission (each undone
#    candidate is nearer, so it has been decided already): the changes are *sparse*;
# 2. it is not an earlier counterfactual with the same changes or larger ones;
# 3. it lies at least 1 (one MAD, or one category) from each earlier one: *diverse*.
#
# The first counterfactual is thus the nearest admitted candidate of the whole grid;
# each later one, the nearest that takes another route. The search stops at four, or at
# distance 5 (five MADs of one feature), beyond which we no longer call a change small.


def counterfactuals(grid, n_wanted=4, min_separation=1.0, max_distance=5.0):
    """Positions in ``grid`` of the nearest candidates the forest admits, new routes."""
    n = np.searchsorted(grid.distance, max_distance, side="right")
    admitted, found = np.zeros(n, dtype=bool), []
    for start in range(0, n, 8192):
        batch = np.arange(start, min(start + 8192, n))
        admitted[batch] = forest.predict(grid.rows(batch))
        for i in batch[admitted[batch]]:
            changes = [j for j in range(len(grid.features)) if grid.changed[i] >> j & 1]
            undone = [grid.reverted(i, j) for j in changes]  # -1: the applicant itself
            sparse = not any(admitted[p] for p in undone if p >= 0)
            new = all(
                not grid.extends(i, k) and grid.between(i, k) >= min_separation
                for k in found
            )
            if sparse and new:
                found.append(i)
                if len(found) == n_wanted:
                    return found
    return found


grids, found = {}, {}
for name, x in applicants.iterrows():
    grids[name] = counterfactual_grid(
        x, X_train, numeric=numeric, categorical=categorical, increasing=numeric
    )
    found[name] = counterfactuals(grids[name])
say(
    f"Distance 5 is, for instance, GMAT +{5 * mad['gmat']:g} or GPA "
    f"+{5 * mad['gpa']:.2f}; the grids hold "
    f"{sum(len(g.distance) for g in grids.values()):,} candidates in all."
)

# %%
# ## Every counterfactual really flips the model
#
# The search's promises are checked on its output: the forest admits every
# counterfactual and denies every applicant, the immutable columns are equal, and no
# single change can be undone with the forest still admitting.
found_rows = {name: grids[name].rows(found[name]) for name in applicants.index}
all_rows = pd.concat(found_rows.values(), ignore_index=True)
undone = [
    grids[name].rows([grids[name].reverted(i, j)])
    for name in applicants.index
    for i in found[name]
    for j in range(len(grids[name].features))
    if grids[name].changed[i] >> j & 1 and grids[name].reverted(i, j) >= 0
]
undone = pd.concat(undone, ignore_index=True)
origins = pd.concat(
    [applicants.loc[[n]] for n in applicants.index for _ in found[n]], ignore_index=True
)
n_found = len(all_rows)
claim(
    forest.predict(all_rows).all() and not forest.predict(applicants).any(),
    "every counterfactual flips the forest's decision from deny to admit",
    evidence=f"{forest.predict(all_rows).sum()} of {n_found} admitted",
)
claim(
    (all_rows[immutable].to_numpy() == origins[immutable].to_numpy()).all(),
    "gender, race and citizenship are held fixed",
)
claim(
    not forest.predict(undone).any(),
    "no change of a counterfactual can be undone without losing the admission",
    evidence=f"{forest.predict(undone).sum()} of {len(undone)} undone rows admitted",
)
say(
    f"{n_found} counterfactuals for {len(applicants)} applicants, all admitted; "
    f"undoing any one of their changes ({len(undone)} rows) gets each denied again."
)

# %%
# ## One applicant's counterfactuals, drawn
#
# The applicant shown is the one of the sample with the most routes (then the most
# features changed): the richest picture, not a typical one; the next section gives
# the typical. Each row is one counterfactual, nearest first. In each numeric panel the
# grey dot is the applicant's value and the orange arrow the change, on the axis of the
# feature's training range; the text panel lists the categories that change (its
# title holds the applicant's major and industry); the last panel is the forest's
# probability of *Admit* before (grey) and after (orange), with the threshold 0.5.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def n_changes(name):
    return sum(len(c) for c in grids[name].changed_features(found[name]))


def category(row, group):
    """The row's category of ``group``: the one-hot column that is 1, without prefix."""
    return next(c for c in categorical[group] if row[c] == 1).split("_", 1)[1]


shown = max(applicants.index, key=lambda n: (len(found[n]), n_changes(n)))
x, grid, cf = applicants.loc[shown], grids[shown], found_rows[shown]
p_before = forest.predict_proba(x.to_frame().T)[0, 1]
p_after = forest.predict_proba(cf)[:, 1]
k, arrow = len(cf), {"arrowstyle": "->", "color": "C1", "lw": 2}
fig, axes = plt.subplots(1, 5, figsize=(11, 1.6 + 0.7 * k), sharey=True,
                         gridspec_kw={"width_ratios": [1, 1, 1, 1.5, 1]})  # fmt: skip
panels = [(c, x[c], cf[c], (X_train[c].min(), X_train[c].max())) for c in numeric]
panels.append(("P(admit)", p_before, p_after, (0, 1)))
for ax, (title, before, after, limits) in zip([*axes[:3], axes[4]], panels):
    ax.axvline(before, color="C7", ls=":", lw=1)
    for row, new in enumerate(after):
        if new != before:
            ax.annotate("", xy=(new, row), xytext=(before, row), arrowprops=arrow)
            ax.plot(new, row, "o", color="C1", ms=7)
        ax.plot(before, row, "o", color="C7", ms=7)
    ax.set(title=title, xlim=limits)
axes[4].axvline(0.5, color="C3", ls="--", lw=1.2)
for row, (_, new) in enumerate(cf.iterrows()):
    words = [
        f"{g} → {category(new, g)}"
        for g in categorical
        if category(new, g) != category(x, g)
    ]
    axes[3].text(0.03, row, "\n".join(words) or "–", va="center", fontsize=10)
now = "\n".join(category(x, g) for g in categorical)
axes[3].set(title=f"now: {now}", xlim=(0, 1), xticks=[])
axes[0].set(yticks=range(k), ylim=(k - 0.5, -0.5))
axes[0].set_yticklabels(
    [f"#{r + 1}  d = {d:.2f}" for r, d in enumerate(grid.distance[found[shown]])]
)
fig.suptitle(f"Test applicant {shown}: the forest's P(admit) is {p_before:.2f}")
plt.show()

say(
    f"Applicant {shown} is denied at P(admit) = {p_before:.2f}. Their nearest "
    f"counterfactual changes {', '.join(grid.changed_features([found[shown][0]])[0])} "
    f"(distance {grid.distance[found[shown][0]]:.2f}) and the forest then gives "
    f"{p_after[0]:.2f}; its {k} counterfactuals end between {p_after.min():.2f} and "
    f"{p_after.max():.2f}."
)

# %%
# ## Many applicants: how much must change, and what
#
# For each sampled applicant: how many features the nearest counterfactual changes
# (or none within distance 5), how often each feature is changed (in the nearest and
# in all counterfactuals), and how far the nearest one lies against the forest's
# probability before the change.
from scipy import stats

first = {n: grids[n].changed_features(found[n][:1]) for n in applicants.index}
n_changed = [len(f[0]) if f else 0 for f in first.values()]
features = grid.features  # gpa, gmat, work_exp, major, industry
in_first = [sum(bool(f) and feat in f[0] for f in first.values()) for feat in features]
in_any = [
    sum(
        feat in c for n in applicants.index for c in grids[n].changed_features(found[n])
    )
    for feat in features
]
nearest = np.array(
    [grids[n].distance[found[n][0]] if found[n] else np.nan for n in applicants.index]
)
p_denied = forest.predict_proba(applicants)[:, 1]

fig, (ax_n, ax_f, ax_d) = plt.subplots(1, 3, figsize=(11, 3.8))
counts = np.bincount(n_changed, minlength=len(features) + 1)
ax_n.bar(range(len(counts)), counts, color=["C7", *["C0"] * (len(counts) - 1)])
ax_n.set(xticks=range(len(counts)), xticklabels=["none\n≤ 5", *range(1, len(counts))])
ax_n.set(xlabel="features changed (nearest)", ylabel="applicants", title="How many")
ax_n.yaxis.get_major_locator().set_params(integer=True)
ax_f.barh(
    features, in_any, color="C0", alpha=0.4, label=f"all {n_found} counterfactuals"
)
ax_f.barh(features, in_first, color="C0", label="each applicant's nearest")
ax_f.invert_yaxis()
ax_f.set(xlabel="counterfactuals that change it", title="Which")
ax_f.legend(fontsize=9, loc="lower right")
ax_d.scatter(p_denied, nearest, color="C0")
ax_d.set(xlabel="P(admit) before", ylabel="distance of the nearest flip")
ax_d.set_title("How far")
plt.show()

top = " and ".join(f for f, c in zip(features, in_first) if c == max(in_first))
beyond = f"{counts[0]} have none" if counts[0] else "every applicant has one"
say(
    f"The nearest counterfactual changes one feature for {counts[1]} of "
    f"{len(applicants)} applicants, two or more for {counts[2:].sum()}; {beyond} "
    f"within distance 5. Changed most often in the nearest: **{top}** "
    f"({max(in_first)} applicants)."
)
rho, p_value = stats.spearmanr(p_denied, nearest, nan_policy="omit")
linked = p_value < 0.05 and rho < 0
link = (
    "The lower the probability, the farther the nearest flip"
    if linked
    else "These applicants do not show that a lower probability needs a farther flip"
)
say(
    f"{link}: Spearman ρ = {rho:.2f}, p = {p_value:.3f} "
    f"({np.isfinite(nearest).sum()} applicants with a counterfactual)."
)

# %%
# ## What a counterfactual on this table can and cannot mean
#
# The MBA table is **synthetic**: its author generated it from the published statistics
# of Wharton's Class of 2025; no applicant and no committee decision is in it. A
# counterfactual here is a statement about the forest: "the forest fitted to this
# generated table admits this row if its GMAT is that much higher". It says nothing
# about how admission works at Wharton or elsewhere, and it is not causal even for the
# table: raising a GMAT by retaking the test is an intervention on the world, and the
# forest has only seen how features co-occur in the generator's rows. A forest refitted
# with another seed on the same rows draws its boundary a little elsewhere; the
# counterfactuals sit just past this one's boundary, so the refit is asked about them.
from mlviz.explain import mba_forest

refit = mba_forest(random_state=SEED + 1).fit(X_train, fitted.y_train)
kept = refit.predict(all_rows).mean()
say(
    f"A forest refitted with another seed admits {kept:.0%} of the {n_found} "
    "counterfactuals: an explanation of one fitted model, not of the data."
)

# %%
# ## How to read this figure
#
# Read the first figure row by row: each row is a complete alternative applicant whom
# the forest admits, and only the features with an arrow differ from the real one. The
# distance on the left ranks them; the first is the nearest candidate the forest admits
# anywhere on the grid of allowed values, the others are the nearest that reach the
# admission by another route. Each panel spans its feature's training range, so arrow
# lengths do not compare across panels: the distance counts each change in MADs (the
# table of rules), and a GPA arrow that looks short can cost as much as a long GMAT one.
# The last panel shows how little margin each counterfactual keeps above 0.5, the
# decision threshold (dashed). In the second figure, the first panel says how many
# features a denied applicant typically must change, the second which ones, and the
# third whether applicants the forest finds far from admission need larger changes.
#
# ## Pitfalls
#
# * **A counterfactual describes the model, not the world, and it is not a causal
#   recipe** (Karimi, Schölkopf and Valera, 2021; Barocas, Selbst and Raghavan, 2020).
#   Features are moved one by one as if independent: a new industry here comes with no
#   extra year of experience, and a higher GMAT with no other change. Acting on it
#   assumes the model stays the same and the features do not move together; on this
#   synthetic table, it says nothing about real admissions.
# * **"Smallest" is defined by the distance.** The MAD scaling, the cost of 1 for a
#   category, the directions allowed and the grid of observed values are choices;
#   other choices give other nearest counterfactuals.
# * **Counterfactuals sit on the boundary.** They are found where the model's decision
#   just flips, so a refitted or updated model may deny them again (Pawelczyk,
#   Broelemann and Kasneci, 2020); a margin (asking for P(admit) above 0.6, say) makes
#   them sturdier and farther.
# * **Immutable is not the same as unused.** Holding gender and race fixed keeps them
#   out of the answer, not out of the model: the forest may still use them (or what
#   correlates with them) for the decision.
# * **Plausibility.** Each value is observed, but the combination may not be: a GPA
#   near the top with a GMAT near the bottom is in the grid even where no applicant
#   lies, and the forest's answer there is an extrapolation.
