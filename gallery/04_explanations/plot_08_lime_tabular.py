"""
# LIME: local explanations for two MBA applicants

**Catalog D8** · **Question:** one prediction · **Family:** any · **Phase:** after training · **Data:** MBA

LIME (Local Interpretable Model-agnostic Explanations) explains one prediction of any
classifier by asking it about many slightly changed copies of that input and fitting a
small weighted linear model to the answers, weighted by closeness to the original. The
linear model's weights are the explanation: *around this applicant, these conditions
push the predicted chance of admission up or down*. This page explains a random
forest's decisions for one denied and one admitted MBA applicant, with a fixed random
state so that the explanations are the same at every build, and checks how well the
small model fits. The MBA table is **synthetic**: generated from published statistics
of Wharton's Class of 2025, not the records of real applicants.
"""

# %%
# ## Prepare the data as a binary task
#
# The admission decision has three outcomes; LIME explains one class probability at a
# time, so we ask a yes/no question: *admitted, or not* (denied or waitlisted).
import numpy as np
from sklearn.model_selection import train_test_split

from mlviz.config import QUICK, SEED
from mlviz.datasets import load_mba, prepare_mba
from mlviz.report import claim, say

X, decision = prepare_mba(load_mba())
admitted = (decision == "Admit").astype(int)
X_train, X_test, y_train, y_test, decision_train, decision_test = train_test_split(
    X, admitted, decision, test_size=0.25, stratify=decision, random_state=SEED
)
say(
    f"{admitted.mean():.1%} of the {len(X)} applicants were admitted; "
    f"{X.shape[1]} features."
)

# %%
# ## Fit a random forest
#
# The same settings as the [random forest MDI page](plot_02_random_forest_mdi.md)
# (`mba_forest`), on the binary target, except `n_jobs=1`: a forest that predicts in
# several threads sums its trees' probabilities in whatever order the threads finish,
# which changes the last digits from run to run, and LIME's output with them. ROC AUC
# measures how well the probabilities rank admitted applicants above the others.
from sklearn.metrics import roc_auc_score

from mlviz.explain import mba_forest

forest = mba_forest(n_jobs=1).fit(X_train, y_train)
proba = forest.predict_proba(X_test)[:, 1]
say(f"Test ROC AUC: **{roc_auc_score(y_test, proba):.3f}**.")

# %%
# ## Choose two applicants
#
# Two test applicants whom the model gets right: a *denied* applicant and an
# *admitted* one, each with the median predicted probability of admission in their
# group, so neither is an extreme case.
predicted = (proba >= 0.5).astype(int)


def median_case(mask):
    idx = np.flatnonzero(mask)
    return int(idx[np.argsort(proba[idx])[len(idx) // 2]])


cases = {
    "denied": median_case((decision_test.to_numpy() == "Deny") & (predicted == 0)),
    "admitted": median_case((y_test.to_numpy() == 1) & (predicted == 1)),
}
X_test[["gpa", "gmat", "work_exp", "international", "gender_male"]].iloc[
    list(cases.values())
].assign(**{"P(admit)": proba[list(cases.values())].round(3)}).set_axis(
    list(cases), axis=0
)

# %%
# ## Explain them with LIME
#
# `lime.lime_tabular.LimeTabularExplainer` learns the training data's quartiles and
# category frequencies, draws `num_samples` perturbed applicants around the one
# explained, asks the forest for their probability of admission and fits a weighted
# ridge regression on binary conditions ("GMAT above its upper training quartile").
# `explain_with_lime` (helper package) builds the explainer with a fixed
# `random_state` and returns the conditions and weights as a table, with the local
# fit's R² (`score`). The 0/1 columns are declared categorical, so their conditions
# read `gender_male=1`.
from mlviz.explain import explain_with_lime

indicators = [c for c in X.columns if c not in ("gpa", "gmat", "work_exp")]
num_samples = 2000 if QUICK else 5000


def explain(position, random_state=SEED):
    return explain_with_lime(
        X_train,
        X_test.iloc[position],
        forest.predict_proba,
        class_names=["not admitted", "admitted"],
        label=1,
        categorical=indicators,
        num_features=8,
        num_samples=num_samples,
        random_state=random_state,
    )


tables = {name: explain(position) for name, position in cases.items()}
tables["denied"]

# %%
# ## Draw both explanations
#
# Each bar is one condition's weight in LIME's local linear model: its contribution to
# the probability of admission, red if it raises it, blue if it lowers it (the
# gallery's colours for a signed effect). The title compares the forest's probability
# with the local model's and gives the local R².
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import plot_bars

fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
for ax, (name, table) in zip(axes, tables.items()):
    plot_bars(
        table["weight"],
        table["rule"],
        ax=ax,
        fmt="{:+.3f}",
        signed=True,
        xlabel="weight on P(admitted)",
    )
    attrs = table.attrs
    ax.set_title(
        f"{name} applicant: forest {attrs['model_probability']:.2f}, "
        f"LIME {attrs['local_prediction']:.2f}, local R² {attrs['score']:.2f}",
        fontsize=11,
    )
plt.show()


def verdict(t):
    """How far to trust the local model, in words chosen from its fit."""
    gap = abs(t.attrs["local_prediction"] - t.attrs["model_probability"])
    fit = "**low**" if t.attrs["score"] < 0.5 else "reasonable"
    return (
        f"local R² {t.attrs['score']:.2f} ({fit}: the linear model explains "
        f"{t.attrs['score']:.0%} of the variation of the forest's answers on the "
        f"weighted perturbations), and its prediction is {gap:.2f} "
        f"{'**away from**' if gap > 0.1 else 'from'} the forest's"
    )


say(
    "\n".join(
        f"* **{name}** applicant: the forest gives P(admitted) = "
        f"{t.attrs['model_probability']:.2f}; LIME's local model, intercept "
        f"{t.attrs['intercept']:.2f} plus the weights, gives "
        f"{t.attrs['local_prediction']:.2f}: {verdict(t)}. Largest weight: "
        f"`{t['rule'][0]}` ({t['weight'][0]:+.3f})."
        for name, t in tables.items()
    )
)
claim(
    all(t.attrs["score"] < 0.5 for t in tables.values()),
    "the local R² is low for both applicants",
    evidence=", ".join(f"{t.attrs['score']:.2f}" for t in tables.values()),
)

# %%
# ## Is it reproducible?
#
# The perturbations are random. With the same `random_state` the explanation is
# identical; with another seed, the weights move, which shows how much of the
# explanation is sampling noise.
again = explain(cases["denied"])
other_seed = explain(cases["denied"], random_state=SEED + 1)
same = again.equals(tables["denied"])
merged = tables["denied"].merge(
    other_seed, on="rule", how="outer", suffixes=("", "_other")
)
merged = merged.fillna(
    {"weight": 0.0, "weight_other": 0.0}
)  # a condition missing from one explanation weighs 0
shift = float((merged["weight"] - merged["weight_other"]).abs().max())
common = len(set(tables["denied"]["rule"]) & set(other_seed["rule"]))
above = int((tables["denied"]["weight"].abs() > shift).sum())
say(
    f"Same seed: explanation {'**identical**' if same else '**different**'}. Seed "
    f"{SEED + 1}: {common} of {len(other_seed)} conditions in common, and the weights "
    f"move by up to {shift:.3f}. Only **{above}** of the "
    f"{len(tables['denied'])} weights of the denied applicant are larger than that "
    "shift; the others are within the sampling noise."
)

# %%
# ## Gender and race in the explanations
#
# Conditions on `gender_male` and on the `race_...` columns appear among the eight
# conditions of each explanation. We mark those whose weight is larger than the
# seed-to-seed shift measured above (for the denied applicant); the others may be
# sampling noise.
sensitive = {
    name: [
        (rule, weight)
        for rule, weight in zip(t["rule"], t["weight"])
        if rule.startswith(("gender_", "race_"))
    ]
    for name, t in tables.items()
}
say(
    "\n".join(
        f"* **{name}** applicant: "
        + (
            ", ".join(
                f"`{rule}` ({weight:+.3f}"
                + (", **larger than the shift**)" if abs(weight) > shift else ")")
                for rule, weight in found
            )
            or "none"
        )
        + "."
        for name, found in sensitive.items()
    )
)
claim(
    all(
        any(rule.startswith("gender_") and abs(w) > shift for rule, w in found)
        for found in sensitive.values()
    ),
    "near both applicants the forest's probability changes with gender",
    evidence=f"{sensitive}, shift {shift:.3f}",
)

# %%
# What that means: near both applicants, the forest's probability of admission
# changes with gender, an association it learnt from this **synthetic** table (see
# the [MDI page](plot_02_random_forest_mdi.md)); the race conditions, where they
# are within the sampling noise, say nothing either way. It is no evidence about real
# admissions, nor of discrimination or of its absence; with a low local R² it is a
# rough description even of the forest; and dropping these columns would not remove
# their information where other columns act as proxies for them.

# %%
# ## How to read this figure
#
# * A weight is the change in predicted probability of admission that LIME's linear
#   model attributes to the condition being true, **near this applicant**. It says
#   nothing about applicants far away.
# * Compare LIME's local prediction with the forest's probability: if they differ much,
#   or if the local R² is low, the linear model is a poor local summary and its weights
#   should not be read closely.
# * The conditions come from the training quartiles (`gmat > 680.00` when 680 is the
#   upper quartile): they are LIME's binning, not thresholds the forest uses.
# * Here the local R² is low for both applicants (the findings above): read the
#   weights as rough tendencies, and the largest ones only.
#
# ## Pitfalls
#
# * **Unstable without a seed.** Each run draws new perturbations; always fix
#   `random_state`, and check a second seed before trusting small weights.
# * **The neighbourhood is a choice.** The kernel width (default 0.75 x sqrt(number of
#   features)) and the binning define "local"; other choices give other explanations.
# * **Perturbed rows can be impossible.** Each 0/1 indicator is drawn separately, so a
#   perturbed applicant can work in two industries at once, or in none: the forest is
#   asked about applicants that cannot exist.
# * **For exact, additive attributions** of tree models, prefer SHAP
#   ([SHAP for a tree ensemble](plot_06_shap_tree.md)); LIME's weights plus its
#   intercept add up to its own local prediction, not to the forest's.
