"""
# Method face-off on a known truth: permutation importance, SHAP, PD, ALE and H

**Catalog J9** · **Question:** importance, comparison · **Family:** any, tree · **Phase:** after training · **Data:** synthetic

Permutation importance, SHAP, partial dependence (PD), accumulated local effects (ALE)
and Friedman's H each answer a different question about a model, so on real data
their disagreements cannot be judged. On scikit-learn's `make_friedman1` the
generating function is known term by term: which features matter, the shape of each
effect, the one interaction. This page states what each method should find there,
runs all of them on gradient-boosted trees fitted to several draws of the table, and
reports their errors in one figure and one table: first with independent features,
then with a near-copy of one feature added, where the methods part ways.
"""

# %%
# ## The truth, term by term
#
# $$y = 10 \sin(\pi x_1 x_2) + 20 (x_3 - 0.5)^2 + 10 x_4 + 5 x_5 + \varepsilon,$$
#
# ten features uniform on [0, 1], $x_6$ to $x_{10}$ unused, $\varepsilon \sim N(0, 1)$.
# Independent features split it in one way only into centred main effects $f_j(x_j)$
# and the pure interaction $f_{12}(x_1, x_2)$ (the functional ANOVA). Each method
# estimates its own summary of these terms, integrated by `friedman1_truth`:
#
# * **PD and ALE** of the true function are the main effects $f_j$; the curve's
#   standard deviation, used as an importance, is $\sqrt{\mathrm{Var} f_j}$.
# * **Permutation importance** (the rise of the squared error) is twice the *total*
#   variance of $x_j$: main effect plus the whole interaction, for $x_1$ and $x_2$.
# * **SHAP** (interventional) gives $x_1$ its main effect plus half of $f_{12}$; its
#   importance is the mean $|\phi_j|$.
# * **H**, unnormalized ([page J2](plot_02_interactions.md)), of $(x_1, x_2)$ is the
#   root mean square of $f_{12}$; the pair's **SHAP interaction values** (both
#   halves) add up to $f_{12}$ row by row, their mean absolute value to $E|f_{12}|$.
import numpy as np
import pandas as pd

from mlviz.config import QUICK
from mlviz.explain.faceoff import FEATURES, friedman1_truth, true_curves
from mlviz.report import claim, say

truth = friedman1_truth()
t, v, v12 = truth.table, truth.table["main variance"], truth.interaction_variance
say(f"Var f_j: x1 and x2 **{v['x1']:.2f}** each, x3 {v['x3']:.2f}, x4 {v['x4']:.2f},"
    f" x5 {v['x5']:.2f}; Var f12 **{v12:.2f}**, {v12 / truth.variance:.1%} of Var f"
    f" = {truth.variance:.2f}.")  # fmt: skip

# %%
# ## Every method on one fitted model
#
# A draw is a fresh table (another seed) and gradient-boosted trees of depth 4 (free
# to invent interactions); every method runs on the quarter of rows held out. PD is
# evaluated at ALE's bin edges ([page J1](plot_01_ale.md)), both curves are read at
# the rows' values. SHAP values come from `TreeExplainer`'s default (path-dependent)
# algorithm and are scored against the interventional truth: the two agree when the
# features are independent, not for the copy of $x_4$ below.
import shap
from sklearn.datasets import make_friedman1
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.model_selection import train_test_split

from mlviz.explain.ale import accumulated_local_effects

n, trees, n_pair_rows = (600, 60, 40) if QUICK else (2000, 120, 80)
bins = 10 if QUICK else 20  # ALE's bins, at whose edges PD is evaluated too
seeds = range(2 if QUICK else 6)


def fit_draw(seed, copy=False):
    X, y = make_friedman1(n_samples=n, noise=1.0, random_state=seed)
    X = pd.DataFrame(X, columns=FEATURES)
    if copy:  # a near-copy of x4 that the function does not use
        X["x4 copy"] = X["x4"] + np.random.default_rng(seed).normal(0, 0.05, n)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed)
    model = GradientBoostingRegressor(n_estimators=trees, max_depth=4, random_state=0)
    return model.fit(X_train, y_train), X_test, y_test


def face_off(model, X, y, columns):
    """Importance of each of `columns` by each method, and the centred curves."""
    columns = list(columns)
    pi = permutation_importance(model, X, y, scoring="neg_mean_squared_error",
                                n_repeats=5, random_state=0)  # fmt: skip
    phi = shap.TreeExplainer(model).shap_values(X)
    curves = {"SHAP": pd.DataFrame(phi - phi.mean(axis=0), X.index, X.columns)}
    curves["PD"], curves["ALE"] = (pd.DataFrame(index=X.index) for _ in range(2))
    for c in columns:
        ale = accumulated_local_effects(model.predict, X, c, bins=bins)
        grid = ale["value"].to_numpy()
        pd_c = partial_dependence(model, X, [c], custom_values={c: grid},
                                  method="brute")["average"][0]  # fmt: skip
        at_rows = np.interp(X[c], grid, pd_c)
        curves["PD"][c] = at_rows - at_rows.mean()
        curves["ALE"][c] = np.interp(X[c], grid, ale["effect"])
    scores = pd.DataFrame({
        "permutation": pd.Series(pi.importances_mean, X.columns)[columns],
        "SHAP": curves["SHAP"].abs().mean()[columns],  # centred, as the truth
        "PD": curves["PD"].std(ddof=0), "ALE": curves["ALE"].std(ddof=0),
    })  # fmt: skip
    return scores, curves


# %%
# ## Each method against its truth, over several draws
#
# Per draw and one-feature method: do the five relevant features all score above the
# five unused ones; the importance error $\lVert s - s^\ast\rVert / \lVert s^\ast
# \rVert$ against its truth $s^\ast$ (a rank correlation would mostly measure ties:
# $x_1 = x_2$, five zeros, $x_3$ within a few per cent of $x_5$); the curve error, the
# root mean square of curve minus true curve over rows and features (SHAP: each
# row's $\phi_j$). Per pair method, on a subsample of rows: is $x_1 \times x_2$ the
# highest of the 45 pairs, and the relative error of its score.
from mlviz.explain.interactions import h_statistics

target = {"permutation": "permutation", "SHAP": "mean |SHAP|", "PD": "effect sd",
          "ALE": "effect sd"}  # fmt: skip
true_scores = pd.DataFrame({m: t[c] for m, c in target.items()})  # one per method
relevant = ["x1", "x2", "x3", "x4", "x5"]
records, kept, r2 = [], [], []


def one_feature_errors(seed, scores, curves, X):
    true = true_curves(X)  # SHAP: each row's phi_j; PD and ALE: the main effects
    rms = {m: np.sqrt(np.mean((curves[m] - true[m]).to_numpy() ** 2)) for m in true}
    for method, s in scores.items():
        s_true = true_scores[method]
        records.append({
            "seed": seed, "method": method,
            "relevant first": s[relevant].min() > s.drop(relevant).max(),
            "importance error": np.linalg.norm(s - s_true) / np.linalg.norm(s_true),
            "curve error": rms.get(method, np.nan),
        })  # fmt: skip


def pair_errors(seed, model, rows):
    h = h_statistics(model, rows)  # pairs in upper-triangle order, (x1, x2) first
    inter = shap.TreeExplainer(model).shap_interaction_values(rows)
    both_halves = np.abs(inter + inter.transpose(0, 2, 1)).mean(axis=0)
    pair_scores = {"H": (h.h_abs, np.sqrt(v12)),
                   "SHAP interaction": (both_halves[np.triu_indices(10, k=1)],
                                        truth.interaction_mean_abs)}  # fmt: skip
    for method, (score, true) in pair_scores.items():
        records.append({
            "seed": seed, "method": method, "x1 × x2 first": score[0] > max(score[1:]),
            "interaction error": (score[0] - true) / true,
            "largest other / truth": np.max(score[1:]) / true,
        })  # fmt: skip


for seed in seeds:
    model, X_test, y_test = fit_draw(seed)
    scores, curves = face_off(model, X_test, y_test, FEATURES)
    one_feature_errors(seed, scores, curves, X_test)
    pair_errors(seed, model, X_test.iloc[:n_pair_rows])
    kept.append(scores.assign(seed=seed))
    r2.append(model.score(X_test, y_test))
all_scores = pd.concat(kept)
say(f"{len(seeds)} draws of {n} rows, {len(X_test)} held out; mean test R² "
    f"**{np.mean(r2):.3f}** (noise alone caps it at "
    f"{truth.variance / (truth.variance + 1):.3f}).")  # fmt: skip

# %%
# ## A near-copy of one feature: which truth applies?
#
# Add `x4 copy` $= x_4 + N(0, 0.05^2)$ (correlation 0.99) and refit. The function
# does not use the copy, so *its* truth gives the copy nothing; but the data cannot
# tell the two apart, the model may use either, and every method explains the model.
# The truth a method can be held to is the pair's: together they carry $x_4$'s term,
# as $x_4$ alone did. Permutation importance and PD now set $x_4$ far from its copy
# (rows the table never holds); SHAP values add up, so SHAP can only split the credit.
# An unused $x_6$ is scored too: the credit a method gives noise.
for seed in seeds:
    model_c, X_c, y_c = fit_draw(seed, copy=True)
    scores_c, _ = face_off(model_c, X_c, y_c, ["x4", "x4 copy", "x6"])
    alone = all_scores[all_scores["seed"] == seed].loc["x4"] / true_scores.loc["x4"]
    for method in target:
        s = scores_c[method] / true_scores.loc["x4", method]  # over x4's truth
        records.append({
            "seed": seed, "method": method,
            "pair total / truth": s["x4"] + s["x4 copy"],
            "share of the copy": s["x4 copy"] / (s["x4"] + s["x4 copy"]),
            "x4 without copy / truth": alone[method],
            "loss with copy": alone[method] - s["x4"] - s["x4 copy"],
            "copy over unused": s["x4 copy"] - s["x6"],
        })  # fmt: skip
yes_no = {"relevant first": float, "x1 × x2 first": float}  # True/False/missing
per_seed = pd.DataFrame(records).astype(yes_no)

# %%
# ## The figure
#
# Four panels, read below: (a) importances against their truths, (b) the curves of
# $x_1$, (c) the pair methods, (d) the credit of $x_4$ and its copy.
import matplotlib.pyplot as plt

from mlviz.explain.faceoff import plot_credit_split, plot_effect_curves
from mlviz.explain.faceoff import plot_pair_finding, plot_scores_against_truth

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

colors = {"permutation": "C3", "SHAP": "C4", "PD": "C1", "ALE": "C0"}
fig, axes = plt.subplots(2, 2, figsize=(12, 9.5))
by_feature, scale = all_scores.groupby(level=0), true_scores.loc["x4"]
plot_scores_against_truth(
    by_feature.mean()[list(target)] / scale, true_scores / scale, colors=colors,
    errors=by_feature.sem()[list(target)] / scale, ax=axes[0, 0],
    labels={"x1, x2": ["x1", "x2"], "x3, x5": ["x3", "x5"], "x4": ["x4"],
            "x6-x10": ["x6"]},
)  # fmt: skip
axes[0, 0].set(xlabel="true importance / truth of x4", ylabel="estimate / truth of x4",
               title="(a) importance against its truth")  # fmt: skip
plot_effect_curves(X_test["x1"], {m: c["x1"] for m, c in curves.items()}, colors=colors,
                   truth=true_curves(X_test)["PD"]["x1"], ax=axes[0, 1])  # fmt: skip
axes[0, 1].set(xlabel="x1", title="(b) the effect of x1, last draw")
pairs = {m: per_seed[per_seed["method"] == m] for m in ("H", "SHAP interaction")}
plot_pair_finding(
    {m: 1 + r["interaction error"] for m, r in pairs.items()},
    {m: r["largest other / truth"] for m, r in pairs.items()}, ax=axes[1, 0],
)  # fmt: skip
axes[1, 0].set(title="(c) finding x1 × x2", ylabel="score / truth of x1 × x2",
               xticklabels=["H (unnormalized)", "SHAP interaction"])  # fmt: skip
copy = per_seed.dropna(subset=["pair total / truth"]).groupby("method", sort=False)
plot_credit_split(
    copy["pair total / truth"].mean(), copy["share of the copy"].mean(),
    errors=copy["pair total / truth"].sem(), colors=colors, ax=axes[1, 1],
    reference=copy["x4 without copy / truth"].mean(), name="x4",
)  # fmt: skip
axes[1, 1].set_title("(d) x4 and a near-copy")
plt.show()

# %%
# ## The face-off in one table
#
# Mean over the draws ± its standard error, or the count of draws where a statement
# holds (`summary_table` only formats the per-draw numbers above).
from mlviz.explain.faceoff import paired_difference, summary_table

methods = ["permutation", "SHAP", "PD", "ALE", "H", "SHAP interaction"]
rows = {
    "relevant five above unused five": "relevant first",
    "importance error": "importance error",
    "curve error (RMS, units of y)": "curve error",
    "x1 × x2 highest of 45 pairs": "x1 × x2 first",
    "x1 × x2 score / truth − 1": "interaction error",
    "with the copy: x4 + copy / truth": "pair total / truth",
    "without it: x4 / truth": "x4 without copy / truth",
    "with the copy: share of the copy": "share of the copy",
}
face_off_table = summary_table(per_seed, rows, counts=yes_no)[methods]
face_off_table

# %%
# What the table bears out. Counts must hold in every draw; a difference counts when
# it exceeds twice its standard error over the draws (paired: same draw, two methods).
one_feature, pair_methods = methods[:4], methods[4:]
by_method = per_seed.groupby("method")
found = by_method[["relevant first", "x1 × x2 first"]].sum().max(axis=1)
claim(
    all(found[m] == len(seeds) for m in methods),
    "in every draw, each one-feature method ranks the five relevant features above "
    "the five unused ones, and each pair method puts x1 × x2 first of the 45 pairs",
    evidence=str(found.to_dict()),
)
error = by_method["interaction error"]
upper = error.mean() + 2 * error.sem()
claim(
    all(upper[m] < 0 for m in pair_methods),
    "both pair methods score the interaction below its truth",
    evidence=", ".join(f"{m}: upper end {upper[m]:+.1%}" for m in pair_methods),
)
loss = by_method["loss with copy"].agg(["mean", "sem"]).loc["permutation"]
extra = {m: paired_difference(per_seed, "loss with copy", "permutation", m)
         for m in one_feature[1:]}  # fmt: skip
claim(
    loss["mean"] > 2 * loss["sem"] and all(d > 2 * se for d, se in extra.values()),
    "with the copy, permutation importance loses part of x4's importance, and more "
    "than SHAP, PD or ALE do",
    evidence=f"loss {loss.to_dict()}, paired differences {extra}",
)
over = by_method["copy over unused"]
claim(
    all((over.mean() - 2 * over.sem())[m] > 0 for m in one_feature),
    "every method gives the copy, which the function does not use, more credit than "
    "an unused feature",
    evidence=str(over.mean()[one_feature].round(3).to_dict()),
)


def verdict(a, b, column):
    d, se = paired_difference(per_seed, column, a, b)
    return f"{d:+.4f} ± {se:.4f} ({'beyond' if abs(d) > 2 * se else 'within'} 2 SE)"


best = by_method["importance error"].mean()[one_feature].idxmin()
others = "; ".join(f"{m} {verdict(m, best, 'importance error')}"
                   for m in one_feature if m != best)  # fmt: skip
say(f"Lowest importance error: **{best}**; the others minus it: {others}. "
    f"Curve error, PD minus ALE: {verdict('PD', 'ALE', 'curve error')}.")  # fmt: skip
share, pi = by_method["share of the copy"].mean(), by_method.get_group("permutation")
kept_pi = pi["pair total / truth"].mean() / pi["x4 without copy / truth"].mean()
say(f"With the copy, SHAP gives it **{share['SHAP']:.0%}** of the pair's credit. "
    f"Permutation importance, which grows with the square of each part's use, gives it "
    f"{share['permutation']:.0%} and keeps **{kept_pi:.0%}** of what x4 alone had; a "
    f"model that splits x4's term as SHAP says keeps (1 − s)² + s² = "
    f"{(1 - share['SHAP']) ** 2 + share['SHAP'] ** 2:.0%}.")  # fmt: skip

# %%
# ## How to read the figure and the table
#
# * **(a)** Each feature's importance against its truth, both over the truth of
#   $x_4$ (the largest); mean and standard error over the draws. Points on the dashed
#   diagonal are right; permutation importance's truths lie apart because they count
#   the interaction in $x_1$ and again in $x_2$.
# * **(b)** $x_1$ in the last draw: PD and ALE estimate the main effect (dashed);
#   SHAP's dots, one per row, scatter around it by half the interaction, part of
#   SHAP's truth (its curve error is per row).
# * **(c)** One dot per draw: the score of $x_1 \times x_2$ (green) and of the largest
#   other pair (grey), over the truth. Green above grey: the interaction is found.
#   Green below the dashed line: the model's interaction is weaker than the
#   function's; that both methods say so points to the model, not to either method.
# * **(d)** Each method's credit to $x_4$ and to its copy over $x_4$'s truth: every
#   method hands the copy, which the function never uses, part of $x_4$'s credit;
#   permutation importance also loses part of the pair's total (the ring: $x_4$
#   without the copy).
#
# ## Pitfalls
#
# * **Correlated features: permutation importance and PD ask the model about rows the
#   data never holds** (Hooker, Mentch and Zhou, 2021); here permutation importance
#   loses part of the pair's importance, with other models it can lose more or add.
#   Permute correlated features together, or use ALE ([page J1](plot_01_ale.md)).
# * **"Importance" means something else for each method.** Permutation importance
#   counts an interaction for each of its features, SHAP splits it, PD and ALE leave
#   it out: compare a method only with its own truth.
# * **A copy's truth is a choice.** The function gives a copy nothing; no method that
#   explains a fitted model can, since the data cannot tell the two apart. Judge a
#   correlated group by its total.
# * **A method is only as close to the truth as the model it explains.**
