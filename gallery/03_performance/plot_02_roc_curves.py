"""
# ROC curves and ROC-AUC: one model, several models, several classes

**Catalog C2** · **Question:** performance, comparison · **Family:** any · **Phase:** after training · **Data:** MBA

A classifier that outputs a score (a probability) becomes a decision only once a
threshold is chosen. The ROC curve draws every threshold at once: for each, the share
of positives caught (true positive rate, recall) against the share of negatives
wrongly flagged (false positive rate). Its area, the ROC-AUC, is the probability that a
random positive gets a higher score than a random negative, a threshold-free summary
that makes models comparable. This page draws it for one model, compares four models on
the same test set (with the uncertainty that a finite test set leaves on each
difference), and extends it to the three MBA decisions one class at a time. The MBA
table is synthetic: generated from the statistics of Wharton's Class of 2025, not the
records of real applicants.
"""

# %%
# ## Prepare the data
#
# The binary question: will an applicant be admitted? *Admit* is the positive class,
# *Waitlist* and *Deny* are negative. The split is stratified so that the test set
# keeps the training set's share of admitted applicants.
from mlviz.config import QUICK, SEED
from mlviz.explain import mba_split

X_train, X_test, y_train, y_test = mba_split()
admit_train = (y_train == "Admit").to_numpy()
admit_test = (y_test == "Admit").to_numpy()
print(f"{len(y_test)} test applicants, {admit_test.mean():.1%} admitted")

# %%
# ## One model's ROC curve
#
# A logistic regression on standardized features. `RocCurveDisplay.from_estimator`
# calls `predict_proba`, computes the curve and draws it; `plot_chance_level=True` adds
# the diagonal of a model that scores at random (AUC 0.5). We also mark where the
# default threshold of 0.5 sits on the curve.
import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import RocCurveDisplay, confusion_matrix
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlviz.report import claim, say

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
logreg.fit(X_train, admit_train)
fig, ax = plt.subplots(figsize=(6, 5.5))
display = RocCurveDisplay.from_estimator(
    logreg,
    X_test,
    admit_test,
    name="logistic regression",
    ax=ax,
    plot_chance_level=True,
)
tn, fp, fn, tp = confusion_matrix(admit_test, logreg.predict(X_test)).ravel()
ax.plot(fp / (fp + tn), tp / (tp + fn), "o", color="C3", ms=8, label="threshold 0.5")
ax.set_title("Admit vs not: logistic regression")
ax.legend(loc="lower right")
plt.show()
say(
    f"ROC-AUC **{display.roc_auc:.3f}**: a randomly chosen admitted applicant gets a "
    f"higher score than a randomly chosen other applicant {display.roc_auc:.1%} of the "
    f"time. At the default threshold of 0.5 the model catches {tp / (tp + fn):.0%} of "
    f"the admitted applicants while flagging {fp / (fp + tn):.1%} of the others; the "
    "rest of the curve shows what every other threshold would trade."
)

# %%
# ## Several models on the same test set
#
# Curves drawn on one Axes compare models at every threshold. The forest uses the same
# settings as the MDI page (D2); the gradient boosting and naive Bayes models are
# added for contrast. (The colours name models here; green, orange and grey are kept
# for the three decisions below.)
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.naive_bayes import GaussianNB

from mlviz.explain import mba_forest

models = {
    "logistic regression": logreg,
    "random forest": mba_forest(),
    "gradient boosting": HistGradientBoostingClassifier(
        max_iter=60 if QUICK else 200, learning_rate=0.05, random_state=SEED
    ),
    "naive Bayes": GaussianNB(),
}
model_colors = ["C0", "C3", "C4", "C5"]
fig, ax = plt.subplots(figsize=(6.5, 6))
aucs = {}
for i, (name, model) in enumerate(models.items()):
    model.fit(X_train, admit_train)
    shown = RocCurveDisplay.from_estimator(
        model,
        X_test,
        admit_test,
        name=name,
        ax=ax,
        curve_kwargs={"color": model_colors[i]},
        plot_chance_level=(i == len(models) - 1),
    )
    aucs[name] = shown.roc_auc
ax.set_title("Admit vs not: four models")
ax.legend(loc="lower right", fontsize=9)
plt.show()

# %%
# ## Is the difference real?
#
# The areas come from one test set; another test set of the same size would give
# other areas. A **paired bootstrap** measures how much: draw the test applicants
# with replacement, score *both* models on the same draw, and repeat. The middle 95%
# of the differences is an interval for the difference between the two models; when
# it contains 0, this test set cannot say which of the two ranks better. The interval
# covers the test set only, not the randomness of training: a model refitted with
# another seed or other settings moves too, by an amount this interval does not
# show. `bootstrap_difference` (helper
# package) runs `scipy.stats.bootstrap` that way. The table lists each difference with
# its 95% interval (`n_resamples` draws).
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from mlviz.inspect.performance import bootstrap_difference

n_resamples = 200 if QUICK else 1000
scores = {name: model.predict_proba(X_test)[:, 1] for name, model in models.items()}
ranking = sorted(aucs, key=aucs.get, reverse=True)
top = ranking[0]
gaps = {
    name: bootstrap_difference(
        roc_auc_score, admit_test, scores[top], scores[name], n_resamples=n_resamples
    )
    for name in ranking[1:]
}
tied = [name for name, gap in gaps.items() if not gap.excludes(0)]
behind = [name for name in gaps if name not in tied]
if tied:
    verdict = (
        f"but the test set cannot tell it from **{' and '.join(tied)}** (the interval "
        "of the difference contains 0): do not rank them on this test set"
    )
else:
    verdict = "and every other model is behind it by an interval that excludes 0"
say(
    f"**{top}** has the largest area, {verdict}."
    + (f" Behind it beyond the noise: {', '.join(behind)}." if tied and behind else "")
)
pd.DataFrame(
    {
        "ROC-AUC": [aucs[name] for name in ranking],
        f"{top} minus model": [0.0] + [gaps[name].estimate for name in gaps],
        "95% low": [np.nan] + [gaps[name].low for name in gaps],
        "95% high": [np.nan] + [gaps[name].high for name in gaps],
    },
    index=pd.Index(ranking, name="model"),
).round(3)

# %%
# ## Three classes, one against the rest
#
# ROC is a binary tool. For the three decisions, each class in turn is the positive one
# and the two others are negative: three curves, each from one column of
# `predict_proba`. `label_binarize` turns the decisions into one 0/1 column per class,
# in the order of the forest's `classes_`, which is also the order of the
# `predict_proba` columns. `RocCurveDisplay.from_predictions` then computes and draws
# the curve of each class from its pair of columns and keeps its area (`roc_auc`). The
# mean of the three areas is the *macro one-vs-rest AUC*, which
# `roc_auc_score(..., multi_class="ovr", average="macro")` computes in one call. Each
# decision keeps its colour of every MBA page (`ADMISSION_COLORS`), and each area gets
# a bootstrap interval (`bootstrap_interval`, the helper package's single-score
# counterpart of `bootstrap_difference`): a class with few members gets a wide one.
from sklearn.preprocessing import label_binarize

from mlviz.explain import fit_mba_forest
from mlviz.inspect.performance import bootstrap_interval
from mlviz.plotting import ADMISSION_COLORS

forest3 = fit_mba_forest().model  # the three-decision forest of C1 and D2, fitted once
classes = list(forest3.classes_)  # Admit, Deny, Waitlist: the predict_proba columns
proba = forest3.predict_proba(X_test)
is_class = label_binarize(y_test, classes=classes)  # column k: 1 where y is classes[k]
share = dict(zip(classes, is_class.mean(axis=0)))

fig, ax = plt.subplots(figsize=(6.5, 6))
curves = {}
for k, cls in enumerate(classes):
    curves[cls] = RocCurveDisplay.from_predictions(
        is_class[:, k],
        proba[:, k],
        name=f"{cls} vs rest",
        ax=ax,
        curve_kwargs={"color": ADMISSION_COLORS[cls]},
        plot_chance_level=(k == len(classes) - 1),
    )
# each curve's positive label is "this class" (1 in its column of is_class)
ax.set(xlabel="False Positive Rate", ylabel="True Positive Rate")
ax.set_title("Random forest, three decisions: one vs rest")
ax.legend(loc="lower right", fontsize=9)
plt.show()

auc = {cls: curve.roc_auc for cls, curve in curves.items()}
macro = roc_auc_score(y_test, proba, multi_class="ovr", average="macro", labels=classes)
count = dict(zip(classes, is_class.sum(axis=0)))
interval = {
    c: bootstrap_interval(
        roc_auc_score, is_class[:, k], proba[:, k], n_resamples=n_resamples
    )
    for k, c in enumerate(classes)
}
pd.DataFrame(
    {
        "test applicants": [count[c] for c in classes],
        "share": [share[c] for c in classes],
        "one-vs-rest AUC": [auc[c] for c in classes],
        "95% low": [interval[c].low for c in classes],
        "95% high": [interval[c].high for c in classes],
    },
    index=pd.Index(classes, name="class"),
).round(3)

# %%
# ## Which decision is hardest?
#
# Two areas computed on the same applicants are compared like two models above: by a
# paired bootstrap of their difference, not by whether their separate intervals
# overlap (two overlapping intervals can still have a difference that excludes 0).
# Each class's own 0/1 column travels with its scores, so that both areas of a draw
# are computed on the same resampled applicants.
pair = {c: np.c_[is_class[:, k], proba[:, k]] for k, c in enumerate(classes)}


def area(_, labels_and_scores):
    return roc_auc_score(labels_and_scores[:, 0], labels_and_scores[:, 1])


best, worst = max(auc, key=auc.get), min(auc, key=auc.get)
middle = next(c for c in classes if c not in (best, worst))
differences = {
    (a, b): bootstrap_difference(
        area, y_test.to_numpy(), pair[a], pair[b], n_resamples=n_resamples
    )
    for a, b in [(best, middle), (middle, worst), (best, worst)]
}
if differences[middle, worst].excludes(0) and differences[best, worst].excludes(0):
    spread = (
        f"*{worst}* is the hardest decision to separate from the others: its area is "
        f"below *{middle}*'s by {differences[middle, worst]:.3f} and below *{best}*'s "
        f"by {differences[best, worst]:.3f} (95% paired intervals)"
    )
else:
    spread = (
        f"*{worst}* has the smallest area, but the test set cannot tell it from "
        f"*{middle}*'s (difference {differences[middle, worst]:.3f}, 95% paired "
        "interval)"
    )
if differences[best, middle].excludes(0):
    top_words = f"*{best}* is the easiest, ahead of *{middle}* beyond the noise"
else:
    top_words = (
        f"*{best}* and *{middle}* cannot be told apart (difference "
        f"{differences[best, middle]:.3f}, 95% paired interval)"
    )
hides = any(d.excludes(0) for d in differences.values())
say(
    f"Macro average **{macro:.3f}**. {spread}; {top_words}."
    + (
        " The macro average hides that spread, so report the per-class curves."
        if hides
        else ""
    )
)
width = {c: interval[c].high - interval[c].low for c in classes}
claim(
    20 <= count["Waitlist"] <= 28 and max(width, key=width.get) == "Waitlist",
    "the Waitlist curve rests on about two dozen applicants, hence its wide interval",
    evidence=f"{count['Waitlist']} waitlisted test applicants; widths {width}",
)


# %%
# ## How to read these figures
#
# * **Up and to the left is better.** The top-left corner is a perfect classifier (all
#   positives caught, no false alarm); the dashed diagonal is random guessing.
# * **Each point is a threshold.** Moving along a curve from bottom-left to top-right
#   lowers the threshold: more positives caught, more false alarms.
# * **Crossing curves** mean neither model is better everywhere: pick by the region of
#   false positive rates you can afford, not only by the area.
# * **AUC** is the probability that a random positive outranks a random negative; 0.5 is
#   chance, 1.0 perfect ranking.
#
# ## Pitfalls
#
# * **A small false positive rate can be many false alarms.** The rate divides by the
#   negatives, so when they are many, a rate of a few percent is still a long list of
#   wrongly flagged cases. When positives are rare, also look at precision-recall
#   (page C3).
# * **Close areas are not a ranking.** An area comes from one test set; a difference
#   whose paired interval contains 0 is noise of that test set. Give the interval, or
#   compare the models over cross-validation folds, and compare areas by their paired
#   difference, not by whether their separate intervals overlap.
# * **AUC measures ranking, not calibration or decisions.** A model with a high AUC can
#   output poorly calibrated probabilities (page C4) and still needs a threshold; two
#   models with the same area can have crossing curves, each better in another range
#   of false positive rates.
# * **Macro-averaged one-vs-rest AUC weights every class equally**; a weighted average
#   (`average="weighted"`) follows the class sizes. Say which one you report.
# * **Small classes give jagged, uncertain curves.** Each positive is one step up the
#   staircase: the *Waitlist* curve rests on about two dozen applicants, hence its wide
#   bootstrap interval.
