"""
# Interactions: Friedman's H-statistic and SHAP interaction values

**Catalog J2** · **Question:** importance · **Family:** any, tree · **Phase:** after training · **Data:** synthetic, insurance

Importance scores and partial dependence curves describe one feature at a time. Two
features *interact* when the effect of one depends on the value of the other: a high
BMI costs a smoker more than a non-smoker. Friedman's H-statistic measures how much of
two features' joint partial dependence is not the sum of their separate ones; SHAP
interaction values split each prediction into a part per feature and a part per pair.
This page writes H out, computes both for every pair, and checks what they find on a
table whose only interaction is known (scikit-learn's `make_friedman1`), then on the
insurance model, whose smoker × BMI interaction the
[partial dependence page](../04_explanations/plot_05_partial_dependence_ice.md) shows.
"""

# %%
# ## A table whose interaction is known, and the insurance model
#
# Friedman's first benchmark has ten features drawn uniformly on [0, 1]; only five
# enter the target, and only $x_1$ and $x_2$ interact:
#
# $$y = 10 \sin(\pi x_1 x_2) + 20 (x_3 - 0.5)^2 + 10 x_4 + 5 x_5 + \varepsilon, \qquad \varepsilon \sim N(0, 1).$$
#
# We fit gradient-boosted trees of depth 4 (a tree of depth 4 can combine up to four
# features, so the model is free to invent interactions). The insurance model is the
# one of pages D4-D7: `fit_insurance_model` fits 300 trees of depth 3 to yearly charges.
import numpy as np
import pandas as pd
from sklearn.datasets import make_friedman1
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import train_test_split

from mlviz.config import QUICK, SEED
from mlviz.explain import fit_insurance_model
from mlviz.report import claim, say

X, y = make_friedman1(n_samples=1000 if QUICK else 4000, noise=1.0, random_state=SEED)
X = pd.DataFrame(X, columns=[f"x{j}" for j in range(1, 11)])
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=SEED)
model = GradientBoostingRegressor(
    n_estimators=300, max_depth=4, learning_rate=0.1, random_state=SEED
).fit(X_train, y_train)

insurance = fit_insurance_model()
r2_insurance = insurance.model.score(insurance.X_test, insurance.y_test)
say(
    f"Test R²: **{model.score(X_test, y_test):.3f}** on Friedman's table "
    f"({len(X_train)} training rows), **{r2_insurance:.3f}** on insurance."
)

# %%
# ## Friedman's H-statistic, written out
#
# The partial dependence of a set of features $S$ at a row's own values is the mean
# prediction over all $n$ rows with the features in $S$ set to that row's values (what
# `sklearn.inspection.partial_dependence(method="brute")` computes at one grid point).
# With each partial dependence centred to mean zero, Friedman and Popescu (2008) define
#
# $$H^2_{jk} = \frac{\sum_i \left[\mathrm{PD}_{jk}(x_{ij}, x_{ik}) - \mathrm{PD}_j(x_{ij}) - \mathrm{PD}_k(x_{ik})\right]^2}{\sum_i \mathrm{PD}_{jk}(x_{ij}, x_{ik})^2}.$$
#
# The bracket is the *pure interaction*: what the pair does together beyond the sum of
# what each does alone. $H$ is its share of the pair's joint effect (0: none, 1: all).
# The root mean square of the bracket alone, in the target's units, is Mayer's
# *unnormalized* $H$. Each partial dependence costs $n^2$ predictions, so we compute on
# a random subsample of the test rows. The generating function, without its noise,
# goes through the same code: the truth on the same rows.
rows = X_test.sample(60 if QUICK else 200, random_state=SEED)


def centred_pd(model, rows, features):
    """Partial dependence of `features` at each row's values, over the same rows."""
    n = len(rows)
    stacked = pd.concat([rows] * n, ignore_index=True)  # block i: every row ...
    stacked[features] = np.repeat(rows[features].to_numpy(), n, axis=0)  # ... row i's
    values = model.predict(stacked).reshape(n, n).mean(axis=1)
    return values - values.mean()


class Friedman1:
    """The generating function without noise, with a `predict` like a model."""

    def predict(self, X):
        x1, x2, x3, x4, x5 = np.asarray(X)[:, :5].T
        return 10 * np.sin(np.pi * x1 * x2) + 20 * (x3 - 0.5) ** 2 + 10 * x4 + 5 * x5


rms = lambda v: np.sqrt(np.mean(v**2))  # root mean square
pure = {}
for name, f in {"model": model, "truth": Friedman1()}.items():
    joint = centred_pd(f, rows, ["x1", "x2"])
    pure[name] = joint - centred_pd(f, rows, ["x1"]) - centred_pd(f, rows, ["x2"])
    h = np.sqrt(np.sum(pure[name] ** 2) / np.sum(joint**2))
    say(
        f"{name}: H(x1, x2) = **{h:.3f}**, unnormalized **{rms(pure[name]):.3f}** "
        f"on {len(rows)} rows."
    )

# %%
# ## Every pair, with its sampling spread
#
# `h_statistics` (helper package) does the same for all pairs, computing each $n \times
# n$ matrix of predictions once; a bootstrap resample of the rows reuses them, so 200
# resamples cost nothing extra. Their standard deviation is the error bar: how much H
# would change with another sample of rows, for this model. Green marks the pair known
# to interact.
import matplotlib.pyplot as plt

from mlviz.explain.interactions import h_statistics, pair_recovery, plot_pair_scores

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

ins_rows = insurance.X_test.sample(60 if QUICK else 200, random_state=SEED)
cases = {  # table: (model, rows, the pair known to interact, unit)
    "Friedman": (model, rows, ("x1", "x2"), ""),
    "insurance": (insurance.model, ins_rows, ("bmi", "smoker"), " (USD)"),
}
stats = {
    case: h_statistics(m, r, n_boot=200, random_state=SEED)
    for case, (m, r, *_) in cases.items()
}
truth_stats = h_statistics(Friedman1(), rows, n_boot=200, random_state=SEED)
num = lambda v: f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"  # dollars from 100 up

fig, axes = plt.subplots(2, 2, figsize=(12, 7.5))
recovered = {}
for row_axes, (case, s) in zip(axes, stats.items()):
    true = s.index(cases[case][2])
    for ax, kind, score, boot in zip(
        row_axes, ("H", "unnormalized H"), (s.h, s.h_abs), (s.boot_h, s.boot_h_abs)
    ):
        recovered[case, kind] = pair_recovery(score, boot, true)
        unit = cases[case][3] if kind.startswith("un") else ""
        fmt = "{:,.0f}" if unit else "{:.2f}"
        plot_pair_scores(
            score, s.labels, errors=boot.std(axis=0), ax=ax, top=6,
            true_pair=s.labels[true], xlabel=kind + unit, fmt=fmt,
        )  # fmt: skip
        ax.set_title(f"{case}: {kind}")
plt.show()

for case, s in stats.items():
    true, best = s.index(cases[case][2]), recovered[case, "unnormalized H"]
    claim(
        best.rank == 1 and best.interval[0] > 0,
        f"on {case}, the unnormalized H ranks the known pair first, beyond its spread",
        evidence=f"rank {best.rank}, margin interval {best.interval}",
    )
    norm = recovered[case, "H"]
    place = "first" if norm.rank == 1 else f"only {norm.rank} of {len(s.pairs)}"
    beyond = "beyond" if norm.interval[0] > 0 or norm.interval[1] < 0 else "within"
    say(
        f"**{case}**: the unnormalized H puts {s.labels[true]} first in "
        f"{best.share_first:.0%} of the resamples, {num(best.margin)} above "
        f"{s.labels[best.runner_up]}. Friedman's normalized H puts it {place}; the "
        f"largest other pair, {s.labels[norm.runner_up]}, has H = "
        f"{s.h[norm.runner_up]:.2f} ± {np.nanstd(s.boot_h[:, norm.runner_up]):.2f} "
        f"but an unnormalized H of only {num(s.h_abs[norm.runner_up])}, and the gap "
        f"between the two pairs is {beyond} the bootstrap spread (the known pair "
        f"ranks first in {norm.share_first:.0%} of the resamples)."
    )

# %%
# ## The model's interaction against the true one
#
# On the same rows and the same resamples: the unnormalized H of the model and of the
# generating function, and their difference.
i12 = truth_stats.index(("x1", "x2"))
gap = stats["Friedman"].boot_h_abs[:, i12] - truth_stats.boot_h_abs[:, i12]
low, high = np.percentile(gap, [2.5, 97.5])
verdict = "weaker than" if high < 0 else "stronger than" if low > 0 else "as strong as"
say(
    f"Unnormalized H(x1, x2): model **{stats['Friedman'].h_abs[i12]:.2f}**, truth "
    f"**{truth_stats.h_abs[i12]:.2f}** ± {truth_stats.boot_h_abs[:, i12].std():.2f}; "
    f"the model's interaction is {verdict} the true one (difference 95% interval "
    f"{low:+.2f} to {high:+.2f}). Row by row, its pure interaction correlates "
    f"{np.corrcoef(pure['model'], pure['truth'])[0, 1]:.3f} with the true one."
)

# %%
# ## SHAP interaction values
#
# `TreeExplainer.shap_interaction_values` returns, for each row, a features x features
# matrix: off the diagonal, half the interaction of each pair (the other half is its
# mirror), on the diagonal each feature's main effect; each row of the matrix adds up
# to that feature's SHAP value. Averaging the absolute values over the rows gives a
# map of the interactions the model uses, in the target's units.
import shap

from mlviz.explain.interactions import plot_interaction_heatmap

interactions = {}
fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
for ax, (case, (m, r, pair, unit)) in zip(axes, cases.items()):
    interactions[case] = values = shap.TreeExplainer(m).shap_interaction_values(r)
    mean_abs = np.abs(values).mean(axis=0)
    fmt = "{:.2f}" if case == "Friedman" else "{:,.0f}"
    plot_interaction_heatmap(mean_abs, r.columns, ax=ax, fmt=fmt, fontsize=7)
    ax.set_title(f"{case}: mean |SHAP interaction value|{unit}")
    ax.tick_params(axis="x", labelrotation=90)
    # the same bootstrap as for H: resample the rows, average again
    upper = np.triu_indices(len(r.columns), k=1)
    draws = np.random.default_rng(SEED).integers(0, len(r), (200, len(r)))
    boot = np.stack([np.abs(values[d]).mean(axis=0)[upper] for d in draws])
    true = stats[case].index(pair)  # h_statistics lists pairs in the same order
    recovered[case, "SHAP"] = pair_recovery(mean_abs[upper], boot, true)
plt.show()

for case, s in stats.items():
    found = recovered[case, "SHAP"]
    claim(
        found.rank == 1 and found.interval[0] > 0,
        f"on {case}, the mean |SHAP interaction| is largest for the known pair, beyond "
        "its spread",
        evidence=f"rank {found.rank}, margin interval {found.interval}",
    )
    say(
        f"**{case}**: {s.labels[s.index(cases[case][2])]} leads by {num(found.margin)} "
        f"over {s.labels[found.runner_up]} (95% interval {num(found.interval[0])} to "
        f"{num(found.interval[1])}), first in {found.share_first:.0%} of the resamples."
    )

# %%
# ## Dependence plots coloured by the partner
#
# For the pair the heatmap found, we draw each row's interaction value (both halves,
# $\phi_{jk} + \phi_{kj}$) against one feature, coloured by the other. On Friedman's
# table the dots should follow the true pure interaction, drawn against it on the right.
from mlviz.explain.interactions import plot_interaction_dependence

values = interactions["Friedman"]
pair_value = values[:, 0, 1] + values[:, 1, 0]  # x1 is column 0, x2 column 1
fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
labels = {"ylabel": "SHAP interaction x1 × x2", "partner_name": "x2"}
plot_interaction_dependence(rows["x1"], pair_value, rows["x2"], ax=axes[0],
                            xlabel="x1", **labels)  # fmt: skip
plot_interaction_dependence(pure["truth"], pair_value, rows["x2"], ax=axes[1],
                            xlabel="true pure interaction", **labels)  # fmt: skip
lim = np.abs(np.r_[pure["truth"], pair_value]).max()
axes[1].plot([-lim, lim], [-lim, lim], color="0.4", ls=":", lw=1)
plt.show()

# How much of the true pure interaction's variation the SHAP values reproduce (R²),
# with the spread over resamples of the rows.
explained = lambda estimate, truth: 1 - np.mean((estimate - truth) ** 2) / np.var(truth)
draws = np.random.default_rng(SEED).integers(0, len(rows), (200, len(rows)))
r2 = explained(pair_value, pure["truth"])
r2_low, r2_high = np.percentile(
    [explained(pair_value[d], pure["truth"][d]) for d in draws], [2.5, 97.5]
)
r2_h = explained(pure["model"], pure["truth"])
claim(
    r2_low > 0.5,
    "the SHAP interaction values reproduce most of the true interaction's variation",
    evidence=f"R² {r2:.3f}, 95% interval {r2_low:.3f} to {r2_high:.3f}",
)
say(
    f"The SHAP interaction values reproduce **{r2:.0%}** of the variation of the true "
    f"pure interaction (95% interval {r2_low:.0%} to {r2_high:.0%}); H's bracket, "
    f"the model's pure interaction from partial dependence, {r2_h:.0%}. Root mean "
    f"square: SHAP {rms(pair_value):.2f}, H's bracket {rms(pure['model']):.2f}, "
    f"truth {rms(pure['truth']):.2f}."
)

# Where both features are large (the top third of each), x1 · x2 passes the sine's
# peak at 1/2: does the pair pull the prediction down there, in the model as in the
# truth? Below zero by more than twice its standard error counts as yes.
x1, x2 = rows["x1"].to_numpy(), rows["x2"].to_numpy()
corner = (x1 > np.quantile(x1, 2 / 3)) & (x2 > np.quantile(x2, 2 / 3))
for name, v in {"SHAP": pair_value, "truth": pure["truth"]}.items():
    mean, se = v[corner].mean(), v[corner].std(ddof=1) / np.sqrt(corner.sum())
    answer = "yes" if mean + 2 * se < 0 else "not shown at this sample size"
    say(f"{name}: mean **{mean:+.2f}** ± {se:.2f} over {corner.sum()} rows: {answer}.")

# %%
# ## Smoker × BMI on insurance
#
# The pair's interaction value against BMI, coloured by smoking; BMI 30 is where
# obesity begins.
values = interactions["insurance"]
bmi, smoker = ins_rows.columns.get_loc("bmi"), ins_rows.columns.get_loc("smoker")
pair_value = values[:, bmi, smoker] + values[:, smoker, bmi]
ax = plot_interaction_dependence(
    ins_rows["bmi"], pair_value, ins_rows["smoker"], xlabel="bmi",
    ylabel="SHAP interaction bmi × smoker (USD)", partner_name="smoker",
)  # fmt: skip
ax.axvline(30, color="0.4", ls=":", lw=1)
plt.show()

smokes, obese = ins_rows["smoker"].to_numpy() == 1, ins_rows["bmi"].to_numpy() > 30
groups = [pair_value[(smokes == s) & (obese == o)] for s in (1, 0) for o in (1, 0)]
effect = (groups[0].mean() - groups[1].mean()) - (groups[2].mean() - groups[3].mean())
se = np.sqrt(sum(g.var(ddof=1) / len(g) for g in groups))
claim(
    effect > 2 * se,
    "crossing BMI 30 adds more to a smoker's prediction than to a non-smoker's",
    evidence=f"difference of differences {effect:,.0f} USD, standard error {se:,.0f}",
)
say(
    f"Crossing BMI 30 raises the pair's contribution by **${effect:,.0f}** more for "
    f"smokers than for non-smokers (standard error ${se:,.0f}; "
    f"{len(groups[0])} obese smokers among {len(ins_rows)} rows)."
)

# %%
# ## How close each method comes to the truth
#
# For each table and score: the known pair's rank among all pairs, its score minus the
# largest other pair's, and the share of the 200 resamples in which it ranks first.
pd.DataFrame(
    {
        "table": case,
        "score": kind,
        "rank of known pair": f"{r.rank} of {len(stats[case].pairs)}",
        "known minus largest other": num(r.margin),
        "95% interval": f"{num(r.interval[0])} to {num(r.interval[1])}",
        "first in resamples": f"{r.share_first:.0%}",
    }
    for (case, kind), r in sorted(recovered.items())
)

# %%
# ## How to read these figures
#
# * **H bars**: one bar per pair, the longest six and the known pair; the error bar is
#   the bootstrap standard deviation. Read the normalized H as "which share of this
#   pair's joint effect is interaction", and the unnormalized H as "how many units of
#   the target the interaction moves a prediction by". Only the second ranks pairs.
# * **Heatmap**: the mean |SHAP interaction value| of each pair, in the target's
#   units (half of each pair's interaction in each of its two cells). A bright cell
#   away from the diagonal is a pair the model uses together.
# * **Dependence plot**: each dot is one row's interaction value: what the pair adds
#   beyond its two main effects. Dots at zero mean no interaction; dots that leave zero
#   in an order of colours show where, and for which partner values, the pair acts.
#
# ## Pitfalls
#
# * **A large normalized H can be a tiny interaction.** H divides by the pair's joint
#   effect; for two features that the model barely uses, a trace of interaction
#   divided by almost nothing is a large, unstable ratio (the grey bars on top). Rank
#   pairs by the unnormalized H, or compute H only among features that matter
#   (Friedman and Popescu, 2008; Mayer's `hstats`).
# * **Partial dependence assumes independent features.** H and PD set features to
#   values that may never occur together; with correlated features both describe the
#   model off its data (see the [ALE page](plot_01_ale.md)).
# * **Sampling.** H costs $n^2$ predictions per pair, so it runs on a subsample of
#   rows: report its spread, as here, before ranking close pairs.
# * **The model's interactions, not the world's.** A model may combine features that
#   the world does not; a pair found here is a pair the model uses.
