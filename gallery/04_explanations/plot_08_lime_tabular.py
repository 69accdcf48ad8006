"""
# LIME: local explanations for two MBA applicants

**Catalog D8** · **Question:** one prediction · **Family:** any · **Phase:** after training · **Data:** MBA

LIME (Local Interpretable Model-agnostic Explanations) explains one prediction of any
classifier by asking it about many slightly changed copies of that input and fitting a
small weighted linear model to the answers, weighted by closeness to the original. The
linear model's weights are the explanation: *around this applicant, these conditions
push the predicted chance of admission up or down*. This page explains a random
forest's decisions for one denied and one admitted MBA applicant, with a fixed random
state so that the explanations are the same at every build.
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
from mlviz.report import say

X, decision = prepare_mba(load_mba())
admitted = (decision == "Admit").astype(int)
X_train, X_test, y_train, y_test, decision_train, decision_test = train_test_split(
    X, admitted, decision, test_size=0.25, stratify=decision, random_state=SEED
)
say(
    f"{admitted.mean():.1%} of the {len(X)} applicants were admitted; {X.shape[1]} features."
)

# %%
# ## Fit a random forest
#
# The same settings as the [random forest MDI page](../plot_02_random_forest_mdi/),
# on the binary target, except `n_jobs=1`: a forest that predicts in several threads
# sums its trees' probabilities in whatever order the threads finish, which changes the
# last digits from run to run, and LIME's output with them. ROC AUC measures how well
# the probabilities rank admitted applicants above the others.
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

forest = RandomForestClassifier(
    n_estimators=60 if QUICK else 300,
    min_samples_leaf=5,
    class_weight="balanced",
    n_jobs=1,
    random_state=SEED,
).fit(X_train, y_train)
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
# category frequencies, draws 5,000 perturbed applicants around the one explained,
# asks the forest for their probability of admission and fits a weighted ridge
# regression on binary conditions ("gmat > 700"). `explain_with_lime` (helper package)
# builds the explainer with a fixed `random_state` and returns the conditions and
# weights as a table. The 0/1 columns are declared categorical, so their conditions
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
# the probability of admission, blue if it raises it, red if it lowers it.
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
        xlabel="weight on P(admitted)",
    )
    attrs = table.attrs
    ax.set_title(
        f"{name} applicant: forest {attrs['model_probability']:.2f}, LIME {attrs['local_prediction']:.2f}",
        fontsize=11,
    )
plt.show()

say(
    "\n".join(
        f"* **{name}** applicant: the forest gives P(admitted) = {t.attrs['model_probability']:.2f}; LIME's local "
        f"model, intercept {t.attrs['intercept']:.2f} plus the weights, gives {t.attrs['local_prediction']:.2f} "
        f"(local R² {t.attrs['score']:.2f}). Largest weight: `{t['rule'][0]}` ({t['weight'][0]:+.3f})."
        for name, t in tables.items()
    )
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
say(
    f"Same seed: explanation {'**identical**' if same else '**different**'}. Seed {SEED + 1}: "
    f"{len(set(tables['denied']['rule']) & set(other_seed['rule']))} of 8 conditions in common, and the weights "
    f"move by up to {shift:.3f}."
)

# %%
# ## How to read this figure
#
# * A weight is the change in predicted probability of admission that LIME's linear
#   model attributes to the condition being true, **near this applicant**. It says
#   nothing about applicants far away.
# * Compare LIME's local prediction with the forest's probability: if they differ much,
#   or if the local R² is low, the linear model is a poor local summary and its weights
#   should not be read closely.
# * The conditions come from the training quartiles ("gmat > 700"): they are LIME's
#   binning, not thresholds the forest uses.
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
#   ([SHAP for a tree ensemble](../plot_06_shap_tree/)); LIME's weights do not add up
#   to the prediction.
