"""
# ROC curves and ROC-AUC: one model, several models, several classes

**Catalog C2** · **Question:** performance, comparison · **Family:** any · **Phase:** after training · **Data:** MBA

A classifier that outputs a score (a probability) becomes a decision only once a
threshold is chosen. The ROC curve draws every threshold at once: for each, the share
of positives caught (true positive rate, recall) against the share of negatives
wrongly flagged (false positive rate). Its area, the ROC-AUC, is the probability that a
random positive gets a higher score than a random negative, a threshold-free summary
that makes models comparable. This page draws it for one model, compares four models on
the same test set, and extends it to the three MBA decisions one class at a time.
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
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import RocCurveDisplay, confusion_matrix
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.report import say

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
# added for contrast.
from sklearn.ensemble import HistGradientBoostingClassifier

from mlviz.explain import mba_forest
from sklearn.naive_bayes import GaussianNB

models = {
    "logistic regression": logreg,
    "random forest": mba_forest(),
    "gradient boosting": HistGradientBoostingClassifier(
        max_iter=60 if QUICK else 200, learning_rate=0.05, random_state=SEED
    ),
    "naive Bayes": GaussianNB(),
}
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
        plot_chance_level=(i == len(models) - 1),
    )
    aucs[name] = shown.roc_auc
ax.set_title("Admit vs not: four models")
ax.legend(loc="lower right", fontsize=9)
plt.show()

ranking = sorted(aucs, key=aucs.get, reverse=True)
say(
    "| model | ROC-AUC |\n|---|---|\n"
    + "\n".join(f"| {name} | {aucs[name]:.3f} |" for name in ranking)
    + f"\n\n**{ranking[0]}** ranks admitted applicants best; **{ranking[-1]}** worst, "
    f"{aucs[ranking[0]] - aucs[ranking[-1]]:.3f} AUC below."
)

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
# `roc_auc_score(..., multi_class="ovr", average="macro")` computes in one call.
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import label_binarize

from mlviz.explain import fit_mba_forest

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
        plot_chance_level=(k == len(classes) - 1),
    )
# each curve's positive label is "this class" (1 in its column of is_class)
ax.set(xlabel="False Positive Rate", ylabel="True Positive Rate")
ax.set_title("Random forest, three decisions: one vs rest")
ax.legend(loc="lower right", fontsize=9)
plt.show()

auc = {cls: curve.roc_auc for cls, curve in curves.items()}
macro = roc_auc_score(y_test, proba, multi_class="ovr", average="macro", labels=classes)
best, worst = max(auc, key=auc.get), min(auc, key=auc.get)
say(
    "| class | share of test set | one-vs-rest AUC |\n|---|---|---|\n"
    + "\n".join(f"| {c} | {share[c]:.1%} | {auc[c]:.3f} |" for c in classes)
    + f"\n\nMacro average **{macro:.3f}**. *{best}* is the easiest decision to "
    f"separate from the others (AUC {auc[best]:.3f}), *{worst}* the hardest "
    f"({auc[worst]:.3f}): the macro average hides that spread, so report the per-class "
    "curves."
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
# * **ROC looks good on imbalanced data.** The false positive rate divides by the many
#   negatives, so thousands of false alarms still look like a small rate. When positives
#   are rare, also look at precision-recall (page C3).
# * **AUC measures ranking, not calibration or decisions.** A model with a high AUC can
#   output poorly calibrated probabilities (page C4) and still needs a threshold.
# * **Macro-averaged one-vs-rest AUC weights every class equally**; a weighted average
#   (`average="weighted"`) follows the class sizes. Say which one you report.
# * **Small classes give jagged, uncertain curves.** Each positive is one step up the
#   staircase: the *Waitlist* curve rests on about two dozen applicants.
#   Cross-validation or bootstrapping gives the curve's spread.
