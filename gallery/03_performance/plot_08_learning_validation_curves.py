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

# %%
# Every depth was scored on the same five folds, so two depths are compared fold by
# fold: the mean of their per-fold differences, with a 95% t interval. The folds'
# training sets overlap, so their differences are correlated and the plain t interval
# is too narrow; Nadeau and Bengio's correction (2003) uses `1/k + n_test/n_train` in
# place of `1/k` in its variance. A depth whose interval of the difference to the
# peak contains 0 is *tied* with it: the folds cannot rank the two.
from mlviz.inspect.comparison import corrected_paired_interval


n_test = len(y) / cv.get_n_splits()
n_train = len(y) - n_test
train_mean = vc.train_scores.mean(axis=1)
val_mean = vc.test_scores.mean(axis=1)
val_std = vc.test_scores.std(axis=1)
best = int(np.argmax(val_mean))
below, half = corrected_paired_interval(
    vc.test_scores[best] - vc.test_scores, n_train, n_test
)
tied = depths[below - half <= 0]
gap, gap_half = corrected_paired_interval(
    vc.train_scores - vc.test_scores, n_train, n_test
)
if len(tied) == 1:
    plateau = "; no other depth is tied with it."
else:
    contiguous = np.all(np.diff(tied) == 1)
    named = f"{tied.min()} to {tied.max()}" if contiguous else ", ".join(map(str, tied))
    plateau = (
        f", but depths {named} are tied with it (their paired intervals contain 0): "
        f"on these folds the peak is a plateau, and depth {depths[best]} one choice on "
        "it."
    )
under = (
    ", beyond the noise: under-fitting"
    if below[0] - half[0] > 0
    else ", within the noise of five folds: the curve suggests under-fitting, but the "
    "folds cannot confirm it"
)
say(
    f"Validation balanced accuracy peaks at **max_depth = {depths[best]}** "
    f"({val_mean[best]:.1%} ± {val_std[best]:.1%} over the folds; training "
    f"{train_mean[best]:.1%}){plateau} At depth 1 both scores are lower "
    f"({train_mean[0]:.1%} / {val_mean[0]:.1%}), the validation score by "
    f"{below[0]:.1%} ± {half[0]:.1%}{under}. At depth {depths[-1]} the tree scores "
    f"{train_mean[-1]:.1%} on its training folds but {val_mean[-1]:.1%} on the "
    f"held-out ones, {below[-1]:.1%} ± {half[-1]:.1%} below the peak: over-fitting, "
    f"with a gap of {gap[-1]:.1%} ± {gap_half[-1]:.1%}."
)
claim(
    below[-1] - half[-1] > 0 and gap[-1] - gap_half[-1] > 0,
    "at the largest depth the tree over-fits: its training score runs away from a "
    "validation score that is below the peak beyond the noise",
    evidence=f"below the peak {below[-1]:.3f} ± {half[-1]:.3f}; "
    f"gap {gap[-1]:.3f} ± {gap_half[-1]:.3f}",
)

# %%
# ## Learning curves: too simple, about right, too complex
#
# `LearningCurveDisplay.from_estimator` trains on growing fractions of each training
# fold. We draw it for three depths: 1 (the simplest tree), the best depth found above,
# and an unlimited tree (the most complex).
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

# %%
# The same paired intervals answer the learning curves' questions: has the gap between
# the training and validation folds closed (their difference per fold), and does the
# validation score still move between the smallest and the largest training set (the
# same validation folds at both sizes)?
import pandas as pd

rows = {}
for label, d in curves.items():
    rows[label] = {
        "training score": d.train_scores[-1].mean(),
        "validation score": d.test_scores[-1].mean(),
        "gap": d.train_scores[-1] - d.test_scores[-1],
        "validation change since the smallest size": d.test_scores[-1]
        - d.test_scores[0],
    }
    for column in ("gap", "validation change since the smallest size"):
        mean, half_width = corrected_paired_interval(
            rows[label][column], n_train, n_test
        )
        rows[label][column], rows[label][f"{column} ±"] = mean, half_width
table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
n_fold = int(curves[settings[0][0]].train_sizes[-1])
stump, best_label, unlimited = (label for label, _ in settings)
gain = table["validation change since the smallest size"]
gain_half = table["validation change since the smallest size ±"]
claim(
    abs(table.loc[stump, "gap"]) <= table.loc[stump, "gap ±"],
    "depth 1: both curves low and close (they have met at the right end)",
    evidence=f"gap {table.loc[stump, 'gap']:.3f} ± {table.loc[stump, 'gap ±']:.3f}",
)
excess, excess_half = corrected_paired_interval(
    (curves[unlimited].train_scores[-1] - curves[unlimited].test_scores[-1])
    - (curves[best_label].train_scores[-1] - curves[best_label].test_scores[-1]),
    n_train,
    n_test,
)
claim(
    excess - excess_half > 0,
    "the unlimited tree over-fits: its gap is larger than the best depth's",
    evidence=f"difference of the gaps {excess:.3f} ± {excess_half:.3f}",
)
if gain[unlimited] + gain_half[unlimited] < 0:
    trend = "*falls*"
elif gain[unlimited] - gain_half[unlimited] > 0:
    trend = "rises"
else:
    trend = "does not move beyond the noise"
unlimited_train = curves[unlimited].train_scores.mean(axis=1)
# "stays at" the whole percent printed below: every size rounds to it
stays = "stays at" if len(set(np.round(unlimited_train, 2))) == 1 else "ends at"
say(
    f"With all {n_fold:,} training applicants of a fold, the unlimited tree's "
    f"validation score {trend} as its training set grows "
    f"({gain[unlimited]:+.1%} ± {gain_half[unlimited]:.1%} since the smallest size) "
    f"while its training score {stays} {unlimited_train[-1]:.0%}: "
    + (
        "over these sizes, more data does not close this gap"
        if trend != "rises"
        else "more data narrows this gap slowly"
    )
    + f"; a depth limit of {depths[best]} brings it down to "
    f"{table.loc[best_label, 'gap']:.1%}. The table gives each mean with the "
    "half-width of its corrected 95% interval (±)."
)
table.round(3)

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
#   curve does. The bands are one standard deviation over the five folds: they show
#   how much a score moves from fold to fold, not whether two settings differ. Two
#   settings scored on the same folds are compared by their paired difference, as
#   above.
# * A learning curve whose validation score still rises at the right end says more data
#   would help; a flat one says that, over the sizes tried, more data did not.
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
