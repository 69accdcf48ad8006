"""
# LIME: local explanations for two MBA applicants

**Catalog D8** · **Question:** one prediction · **Family:** any · **Phase:** after training · **Data:** MBA

LIME (Local Interpretable Model-agnostic Explanations) explains one prediction of any
classifier by asking it about many made-up inputs and fitting a small linear model to
the answers, each weighted by its closeness to the input explained. The linear model's
weights are the explanation: *these conditions push the predicted chance of admission
up or down*. With LIME's default settings for tables, the made-up inputs are not small
changes of the applicant: every feature is redrawn from the training data, so they
spread over the whole table, and only the weights make the fit local. This page
explains a random forest's decisions for one denied and one admitted MBA applicant,
measures how local that is, how much of each explanation repeats from seed to seed,
and checks one weight against the forest itself. The MBA table is **synthetic**:
generated from published statistics of Wharton's Class of 2025, not the records of
real applicants.
"""

# %%
# ## Prepare the data as a binary task
#
# The admission decision has three outcomes; LIME explains one class probability at a
# time, so we ask a yes/no question: *admitted, or not* (denied or waitlisted).
import numpy as np
import pandas as pd
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
# `lime.lime_tabular.LimeTabularExplainer` bins the three numeric columns at their
# training quartiles and treats the 0/1 columns as categories. For each of
# `num_samples` made-up applicants it draws every feature's bin or category at random,
# with the training frequencies, and records 1 where it matches the explained
# applicant's, 0 elsewhere. It asks the forest for their probability of admission,
# weights each one by a kernel of its distance in that 0/1 code, and fits a weighted
# ridge regression on the 0/1 conditions ("GMAT above its upper training quartile").
# `explain_with_lime` (helper package) builds the explainer with a fixed
# `random_state` and returns the conditions and weights as a table, with the local
# fit's R² (`score`).
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
# ## How local is "local"?
#
# A made-up applicant keeps the explained one's bin of a feature with the chance that
# a training applicant has it, feature by feature, so LIME's samples differ from the
# applicant as much as applicants of the table do. The kernel then weighs a sample
# that differs in `k` of the `p` features by `exp(-k / (2 w²))`, with LIME's default
# width `w = 0.75 √p`: even a sample that differs in every feature keeps
# `exp(-1 / 1.125)` = 0.41 of the applicant's own weight. We draw the number of
# differing features as LIME does.
from lime.discretize import QuartileDiscretizer

codes = QuartileDiscretizer(
    X_train.to_numpy(), [X.columns.get_loc(c) for c in indicators], list(X.columns)
)
training_bins = codes.discretize(X_train.to_numpy())
width = 0.75 * np.sqrt(X.shape[1])  # LIME's default kernel width
rng = np.random.default_rng(SEED)
kernel = {}
for name, position in cases.items():
    own_bins = codes.discretize(X_test.iloc[position].to_numpy())
    keep = (training_bins == own_bins).mean(axis=0)  # chance a draw keeps each bin
    differ = (rng.random((num_samples, X.shape[1])) > keep).sum(axis=1)
    kernel[name] = np.exp(-differ / (2 * width**2))
median_weight = {name: float(np.median(k)) for name, k in kernel.items()}
claim(
    all(m > 0.5 for m in median_weight.values()),
    "the typical sample weighs more than half as much as the applicant",
    evidence=str(median_weight),
)
say(
    "Median kernel weight of LIME's samples, relative to the applicant's own: "
    + ", ".join(f"{name} {m:.2f}" for name, m in median_weight.items())
    + f" (lowest possible {np.exp(-1 / 1.125):.2f}). The fit is a weighted average "
    "over applicants spread across the whole table, not over near copies of one."
)

# %%
# ## Draw both explanations
#
# Each bar is one condition's weight in LIME's linear model: its contribution to the
# probability of admission, red if it raises it, blue if it lowers it (the gallery's
# colours for a signed effect). The title compares the forest's probability with the
# local model's and gives the local R².
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

claim(
    all(t.attrs["score"] < 0.5 for t in tables.values()),
    "the local R² is low for both applicants",
    evidence=", ".join(f"{t.attrs['score']:.2f}" for t in tables.values()),
)
say(
    "\n".join(
        f"* **{name}** applicant: the forest gives P(admitted) = "
        f"{t.attrs['model_probability']:.2f}; LIME's model, intercept "
        f"{t.attrs['intercept']:.2f} plus the weights, gives "
        f"{t.attrs['local_prediction']:.2f} ("
        f"{abs(t.attrs['local_prediction'] - t.attrs['model_probability']):.2f} "
        f"away), with R² **{t.attrs['score']:.2f}** on the weighted samples."
        for name, t in tables.items()
    )
)

# %%
# ## Which weights repeat from seed to seed?
#
# The samples are random. With the same `random_state` the explanation is identical;
# with other seeds the weights move, and a condition may leave the top eight. We
# explain each applicant with eight seeds and, for every condition of the first
# explanation, take the mean and standard deviation of its weight (0 where a seed did
# not pick it). A weight whose mean is more than two standard deviations from zero
# keeps its sign and size from seed to seed; the others are sampling noise.
same = explain(cases["denied"]).equals(tables["denied"])
seeds = range(SEED, SEED + 8)
repeats = {}
for name, position in cases.items():
    runs = [
        explain(position, random_state=s).set_index("rule")["weight"] for s in seeds
    ]
    weights = pd.concat(runs, axis=1).reindex(tables[name]["rule"]).fillna(0.0)
    repeats[name] = pd.DataFrame(
        {
            "weight": tables[name]["weight"].to_numpy(),
            "mean over seeds": weights.mean(axis=1),
            "std over seeds": weights.std(axis=1),
            "seeds that pick it": (weights != 0).sum(axis=1),
        }
    )
    repeats[name]["repeats"] = (
        repeats[name]["mean over seeds"].abs() > 2 * repeats[name]["std over seeds"]
    )
say(
    f"Same seed: explanation {'**identical**' if same else '**different**'}. Over "
    f"{len(seeds)} seeds, "
    + "; ".join(
        f"{int(r['repeats'].sum())} of the {len(r)} weights of the {name} applicant "
        "repeat"
        for name, r in repeats.items()
    )
    + "."
)
repeats["denied"].round(3)

# %%
# ## Gender in the explanations, and in the forest
#
# Both explanations hold a condition on `gender_male`. A LIME weight is fitted over
# the whole table; the forest's own answer for *this* applicant is one call away:
# change only `gender_male` and predict again. The difference, own gender minus the
# other, is what the weight would be if LIME described the applicant's surroundings.
gender = {}
for name, position in cases.items():
    row = X_test.iloc[[position]]
    flipped = row.assign(gender_male=1 - row["gender_male"])
    effect = proba[position] - forest.predict_proba(flipped)[0, 1]
    r = repeats[name][repeats[name].index.str.startswith("gender_male")].iloc[0]
    gender[name] = (r.name, r["weight"], r["std over seeds"], effect)
say(
    "\n".join(
        f"* **{name}** applicant: LIME `{rule}` {w:+.3f} (seed spread {sd:.3f}); "
        f"the forest, own gender minus the other at this applicant: **{e:+.3f}**"
        + (
            ": the same within the seed spread."
            if abs(w - e) <= 2 * sd
            else f", {abs(w - e):.3f} from the weight, beyond the seed spread."
        )
        for name, (rule, w, sd, e) in gender.items()
    )
)
claim(
    all(repeats[name].loc[rule, "repeats"] for name, (rule, *_) in gender.items()),
    "both gender weights repeat from seed to seed",
    evidence=str(gender),
)
claim(
    any(abs(w - e) > 2 * sd and abs(e) < abs(w) / 2 for _, w, sd, e in gender.values()),
    "for one applicant the forest's own answer is less than half LIME's weight",
    evidence=str(gender),
)

# %%
# What that means: over this **synthetic** table the forest's probability of
# admission is associated with gender, and LIME's weights pick that up from seed to
# seed (see also the [MDI page](plot_02_random_forest_mdi.md)). They are a summary of
# the forest over many redrawn applicants, not what the forest does at the applicant:
# changing only this applicant's gender moves the forest's answer by the amounts
# listed above, which for one of the two is less than half the weight. None of this is
# evidence about real admissions, nor of discrimination or of its absence.

# %%
# ## How to read this figure
#
# * A weight is the change in probability of admission that LIME's linear model
#   attributes to the condition being true, fitted on samples drawn from the whole
#   table and weighted, weakly, by how many conditions they share with this applicant.
# * Compare LIME's prediction with the forest's probability: if they differ much, or
#   if the local R² is low (both here), read only the weights that repeat across seeds.
# * The conditions come from the training quartiles (`gmat > 680.00` when 680 is the
#   upper quartile): they are LIME's binning, not thresholds the forest uses.
#
# ## Pitfalls
#
# * **The neighbourhood is a choice.** The kernel width (default 0.75 x sqrt(number of
#   features)) and the binning define "local"; with binned features the default
#   width keeps every sample above 0.41 of the applicant's weight. Narrower widths, or
#   `discretize_continuous=False` with `sample_around_instance=True`, sample closer to
#   the applicant, and give other explanations.
# * **Unstable without a seed.** Each run draws new samples; fix `random_state`, and
#   compare several seeds before trusting a weight.
# * **Samples can be impossible.** Each feature is drawn separately, so a sample can
#   work in two industries at once, or in none, and pair a top GMAT with any GPA: the
#   forest is asked about applicants that cannot exist.
# * **For exact, additive attributions** of tree models, prefer SHAP
#   ([SHAP for a tree ensemble](plot_06_shap_tree.md)); LIME's weights plus its
#   intercept add up to its own local prediction, not to the forest's.
