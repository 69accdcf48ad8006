"""
# Learning and validation curves: spotting over- and under-fitting

**Catalog C8** · **Question:** performance, training · **Family:** any · **Phase:** during training · **Data:** MBA

Is a model held back by too little data or by the wrong complexity? Two curves answer
it. A **validation curve** scores the model on training and held-out folds while one
complexity knob varies: where both scores are low the model under-fits, where the
training score runs away from the validation score it over-fits. A **learning curve**
does the same while the training set grows: if the two curves have met, more data will
not help; if a gap remains, it may. This page draws both with scikit-learn's
`ValidationCurveDisplay` and `LearningCurveDisplay` for a decision tree on the MBA
admissions. The MBA table is synthetic: generated from the statistics of Wharton's
Class of 2025, not the records of real applicants.
"""

# %%
# ## Prepare the data
#
# MBA admission decisions. We score with **balanced accuracy** (mean recall over Admit,
# Waitlist and Deny) because most applicants are denied: a model that always says
# *Deny* would look good on plain accuracy.
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold

from mlviz.config import QUICK, SEED
from mlviz.datasets import load_mba, prepare_mba
from mlviz.report import say

X, y = prepare_mba(load_mba())
n = 2000 if QUICK else len(X)
X, y = X.iloc[:n], y.iloc[:n]
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
always_deny = ["Deny"] * len(y)
say(
    f"{len(X)} applicants, 5-fold stratified cross-validation. "
    f"**{(y == 'Deny').mean():.1%}** are denied: always answering *Deny* scores "
    f"{accuracy_score(y, always_deny):.1%} accuracy but "
    f"{balanced_accuracy_score(y, always_deny):.1%} balanced accuracy."
)

# %%
# ## Validation curve: tree depth
#
# `ValidationCurveDisplay.from_estimator` refits the tree for each `max_depth` on each
# fold and plots the mean training and validation scores with a band of one standard
# deviation across folds.
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.model_selection import ValidationCurveDisplay
from sklearn.tree import DecisionTreeClassifier

from mlviz.report import claim

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

tree = DecisionTreeClassifier(class_weight="balanced", random_state=SEED)
depths = np.arange(1, 13 if QUICK else 21)
fig, ax = plt.subplots(figsize=(8, 4.8))
vc = ValidationCurveDisplay.from_estimator(
    tree,
    X,
    y,
    param_name="max_depth",
    param_range=depths,
    cv=cv,
    scoring="balanced_accuracy",
    std_display_style="fill_between",
    n_jobs=2,
    ax=ax,
)
ax.axhline(1 / 3, color="0.5", ls=":", label="chance (1/3)")
ax.set(
    xlabel="max_depth",
    ylabel="balanced accuracy",
    title="Validation curve of a decision tree on MBA",
)
ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # depths are whole numbers
# sklearn labels the held-out folds "Test"; they are validation folds here
handles, labels = ax.get_legend_handles_labels()
ax.legend(handles, ["validation folds" if lab == "Test" else lab for lab in labels])
plt.show()

train_mean = vc.train_scores.mean(axis=1)
val_mean = vc.test_scores.mean(axis=1)
val_std = vc.test_scores.std(axis=1)
best = int(np.argmax(val_mean))
# depths whose mean lies within one fold standard deviation of the peak: a tie
tied = depths[val_mean >= val_mean[best] - val_std[best]]
if len(tied) == 1:
    plateau = "; no other depth comes within one fold standard deviation of it."
else:
    contiguous = np.all(np.diff(tied) == 1)
    named = f"{tied.min()} to {tied.max()}" if contiguous else ", ".join(map(str, tied))
    plateau = (
        f", but depths {named} all come within one fold standard deviation of it: on "
        f"these folds the peak is a plateau, and depth {depths[best]} one choice on it."
    )
say(
    f"Validation balanced accuracy peaks at **max_depth = {depths[best]}** "
    f"({val_mean[best]:.1%} ± {val_std[best]:.1%} over the folds; training "
    f"{train_mean[best]:.1%}){plateau} At depth 1 both scores are lower "
    f"({train_mean[0]:.1%} / {val_mean[0]:.1%}): under-fitting. At depth "
    f"{depths[-1]} the tree scores {train_mean[-1]:.1%} on its training folds but "
    f"{val_mean[-1]:.1%} on the held-out ones: over-fitting, with a gap of "
    f"{train_mean[-1] - val_mean[-1]:.1%}."
)
claim(
    train_mean[0] < train_mean[best] and val_mean[0] < val_mean[best] - val_std[best],
    "at depth 1 both curves are low: under-fitting",
    evidence=f"depth 1: {train_mean[0]:.3f} / {val_mean[0]:.3f}",
)

# %%
# ## Learning curves: too simple, about right, too complex
#
# `LearningCurveDisplay.from_estimator` trains on growing fractions of each training
# fold. We draw it for three depths: 1 (under-fits), the best depth found above, and an
# unlimited tree (over-fits).
from sklearn.base import clone
from sklearn.model_selection import LearningCurveDisplay

settings = [
    ("max_depth=1", 1),
    (f"max_depth={depths[best]} (best)", int(depths[best])),
    ("unlimited depth", None),
]
sizes = np.linspace(0.1, 1.0, 5 if QUICK else 8)
fig, axes = plt.subplots(1, 3, figsize=(14, 4.5), sharey=True)
curves = {}
for (label, depth), ax in zip(settings, axes):
    curves[label] = LearningCurveDisplay.from_estimator(
        clone(tree).set_params(max_depth=depth),
        X,
        y,
        train_sizes=sizes,
        cv=cv,
        scoring="balanced_accuracy",
        std_display_style="fill_between",
        n_jobs=2,
        ax=ax,
        score_name="balanced accuracy",
    )
    ax.set_title(label)
    ax.set_xlabel("training applicants")
    ax.axhline(1 / 3, color="0.5", ls=":")
    if ax is axes[0]:
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(
            handles, ["validation folds" if lab == "Test" else lab for lab in labels]
        )
    else:
        ax.get_legend().remove()
plt.show()

lines, gain, end_std, gaps, gap_std = [], {}, {}, {}, {}
for label, d in curves.items():
    tr, te = d.train_scores.mean(axis=1), d.test_scores.mean(axis=1)
    gain[label], end_std[label] = te[-1] - te[0], d.test_scores[-1].std()
    gaps[label] = tr[-1] - te[-1]
    # the gap is a paired difference (same fold): its noise is its own fold spread
    gap_std[label] = (d.train_scores[-1] - d.test_scores[-1]).std()
    lines.append(
        f"| {label} | {tr[-1]:.1%} | {te[-1]:.1%} | {round(gaps[label], 3) + 0.0:.1%} "
        f"| {gain[label]:+.1%} |"
    )
n_fold = int(curves[settings[0][0]].train_sizes[-1])
unlimited = settings[-1][0]
stump = settings[0][0]
claim(
    abs(gaps[stump]) < gap_std[stump],
    "depth 1: both curves low and close (they have met at the right end)",
    evidence=f"gap {gaps[stump]:.3f}, its fold spread {gap_std[stump]:.3f}",
)
claim(
    gaps[unlimited] > gaps[settings[1][0]] + 0.1,
    "the unlimited tree over-fits: its gap is far larger than the best depth's",
    evidence=f"gaps {gaps}",
)
if gain[unlimited] < -end_std[unlimited]:
    trend = "*falls*"
elif gain[unlimited] > end_std[unlimited]:
    trend = "rises"
else:
    trend = "stays flat"
unlimited_train = curves[unlimited].train_scores.mean(axis=1)
# "stays at" the whole percent printed below: every size rounds to it
stays = "stays at" if len(set(np.round(unlimited_train, 2))) == 1 else "ends at"
best_label = settings[1][0]
say(
    f"With all {n_fold:,} training applicants of a fold:\n\n"
    "| model | training score | validation score | gap "
    "| validation change since the smallest size |\n"
    "|---|---|---|---|---|\n"
    + "\n".join(lines)
    + f"\n\nThe unlimited tree's validation score {trend} as its training set grows "
    f"({gain[unlimited]:+.1%}, fold standard deviation {end_std[unlimited]:.1%}) while "
    f"its training score {stays} {unlimited_train[-1]:.0%}: "
    + (
        "more data does not close this gap"
        if trend != "rises"
        else "more data narrows this gap slowly"
    )
    + f"; a depth limit of {depths[best]} brings it down to {gaps[best_label]:.1%}."
)

# %%
# ## How to read these figures
#
# * **Both curves low and close** (depth 1): under-fitting. The model is too simple;
#   once the two curves have met (at the right end here), more data will not help,
#   more capacity will.
# * **Training curve high, validation curve much lower** (unlimited depth):
#   over-fitting. In the textbook picture more data narrows the gap; whether it does
#   here, the finding above says. Regularization (a depth limit) narrows it here.
# * **The best setting** is where the validation curve peaks, not where the training
#   curve does. The bands are one standard deviation over the five folds: differences
#   smaller than the band are not meaningful.
# * A learning curve whose validation score still rises at the right end says more data
#   would help; a flat one says it would not.
#
# ## Pitfalls
#
# * **Choosing the depth on these folds and reporting the same score is optimistic.**
#   Keep a separate test set (or nest the cross-validation) for the final number.
# * **The score matters.** With plain accuracy, a tree that always says *Deny* looks
#   good; balanced accuracy exposes it.
# * **Learning curves are noisy at small sizes**: few rows per fold give wide bands;
#   read the trend, not each point.
# * **One knob at a time.** A validation curve varies one hyperparameter with the others
#   fixed; interactions need a grid search (page C5).
