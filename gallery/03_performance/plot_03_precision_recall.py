"""
# Precision-recall curve and average precision on an imbalanced task

**Catalog C3** · **Question:** performance, comparison · **Family:** any · **Phase:** after training · **Data:** MBA

When the positive class is rare, what matters is usually *how many of the flagged cases
are real* (precision) for a given share of positives found (recall). The ROC curve
(page C2) does not show this: its false positive rate divides by the large number of
negatives, so it stays flattering while the flagged list fills with false alarms. The
precision-recall curve and its summary, the average precision, do show it. This page
draws both curves for the same model on the MBA admissions (about one applicant in seven
is admitted) and explains why they disagree. The MBA table is synthetic: generated from
the statistics of Wharton's Class of 2025, not the records of real applicants.
"""

# %%
# ## Prepare the data and fit the model
#
# *Admit* is the positive class. The random forest uses the settings of the MDI page
# (D2): 300 trees (60 in a quick build), `min_samples_leaf=5`, balanced class weights.
from mlviz.explain import fit_mba_forest
from mlviz.report import claim, rounding_tolerance, say

# Admit vs not, on D2's split; the forest is fitted once per build and shared
admit = fit_mba_forest(target="admit")
forest, X_test, admit_test = admit.model, admit.X_test, admit.y_test.to_numpy()
score = forest.predict_proba(X_test)[:, 1]
prevalence = admit_test.mean()
print(
    f"{len(admit_test)} test applicants, {admit_test.sum()} admitted ({prevalence:.1%})"
)
claim(
    1 / 8 < prevalence < 1 / 6,
    "about one applicant in seven is admitted",
    evidence=f"{prevalence:.1%}",
)

# %%
# ## Compute both curves
#
# `roc_curve` and `precision_recall_curve` sweep the threshold over every distinct
# score. Average precision (AP) is the area under the precision-recall staircase: each
# step up in recall weighted by the precision reached there,
# $\mathrm{AP} = \sum_k (R_k - R_{k-1})\, P_k$, with no interpolation. `average_precision_score`
# computes that sum from the same labels and scores; `roc_auc_score` gives the area
# under the ROC curve.
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

fpr, tpr, roc_thresholds = roc_curve(admit_test, score)
precision, recall, pr_thresholds = precision_recall_curve(admit_test, score)
roc_auc = roc_auc_score(admit_test, score)
ap = average_precision_score(admit_test, score)

# %%
# ## Draw them side by side
#
# Displays built from the precomputed curves draw them. On the precision-recall plot,
# `plot_chance_level=True` draws the **prevalence line**: a model that flags applicants
# at random has a precision equal to the share of positives, whatever its recall. That
# line, not 0.5, is the baseline to beat. The red dots mark one threshold, the one at
# which the model finds half of the admitted applicants, on both curves.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import PrecisionRecallDisplay, RocCurveDisplay

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

# precision_recall_curve orders thresholds increasingly: last index with recall >= 0.5
k = np.flatnonzero(recall[:-1] >= 0.5)[-1]
threshold = pr_thresholds[k]
flagged = score >= threshold
fpr_k = flagged[~admit_test].mean()

fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(12, 5.5))
RocCurveDisplay(fpr=fpr, tpr=tpr, roc_auc=roc_auc, name="random forest").plot(
    ax=ax_roc, plot_chance_level=True
)
PrecisionRecallDisplay(
    precision,
    recall,
    average_precision=ap,
    name="random forest",
    prevalence_pos_label=prevalence,
).plot(ax=ax_pr, plot_chance_level=True)
marker = {"color": "C3", "ms": 8, "label": f"threshold {threshold:.2f}"}
ax_roc.plot(fpr_k, recall[k], "o", **marker)
ax_pr.plot(recall[k], precision[k], "o", **marker)
ax_roc.set_title("ROC curve: Admit vs not")
ax_pr.set_title("Precision-recall curve: Admit vs not")
ax_pr.set_ylim(0, 1.02)
ax_roc.legend(loc="lower right", fontsize=9)
ax_pr.legend(loc="upper right", fontsize=9)
plt.show()

false_alarms, found = flagged[~admit_test].sum(), flagged[admit_test].sum()
if false_alarms > found:
    contrast = f"yet that is **more** wrongly flagged applicants ({false_alarms})"
else:
    contrast = f"that is {false_alarms} wrongly flagged applicants"
say(
    f"ROC-AUC **{roc_auc:.3f}** against a chance level of 0.5; average precision "
    f"**{ap:.3f}** against a chance level of **{prevalence:.3f}** (the prevalence). At "
    f"the marked threshold ({threshold:.2f}) the model finds {recall[k]:.0%} of the "
    f"admitted applicants. ROC reports a false positive rate of **{fpr_k:.1%}**, "
    f"{contrast} than real admits found ({found}): precision **{precision[k]:.0%}**, "
    f"or {1 / precision[k]:.1f} applicants flagged per admit found."
)

# %%
# ## Why they disagree: change the prevalence, keep the model
#
# ROC's two rates each divide by one class only (TPR by the positives, FPR by the
# negatives), so the curve does not depend on how many of each there are. Precision
# mixes both classes, so it falls as negatives become more numerous. To see this, score
# the same model on the same test set re-weighted as if half of the applicants were
# admitted: every admitted applicant gets the weight `n_negatives / n_positives`
# (`sample_weight`), so both classes weigh the same in total.
#
# !!! question "Predict the plot"
#     The model and its scores stay the same; only the mix changes, from about one
#     admit in seven to one in two. What happens to the ROC curve, and to the
#     precision-recall curve?
#
# ??? success "Answer"
#     The ROC curve does not move: true and false positive rates each divide by one
#     class, so weighting a class changes nothing (the two ROC-AUCs below are equal).
#     The precision-recall curve rises: at any threshold there are now fewer false
#     alarms per admit found, so precision is higher everywhere and the average
#     precision grows.
n_pos, n_neg = admit_test.sum(), (~admit_test).sum()
weights = np.where(admit_test, n_neg / n_pos, 1.0)
balanced_auc = roc_auc_score(admit_test, score, sample_weight=weights)
balanced_ap = average_precision_score(admit_test, score, sample_weight=weights)

fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(12, 5.5))
for name, w, color in [
    (f"real mix ({prevalence:.0%} admitted)", None, "C0"),
    ("re-weighted to 50% admitted", weights, "C1"),
]:
    RocCurveDisplay.from_predictions(
        admit_test,
        score,
        sample_weight=w,
        name=name,
        ax=ax_roc,
        curve_kwargs={"color": color, "ls": "-" if w is None else "--"},
    )
    PrecisionRecallDisplay.from_predictions(
        admit_test,
        score,
        sample_weight=w,
        name=name,
        ax=ax_pr,
        curve_kwargs={"color": color},
    )
    # The chance level is the (weighted) share of positives; scikit-learn's own chance
    # line ignores sample_weight, so it is drawn here.
    share = np.average(admit_test, weights=w)
    ax_pr.axhline(
        share, color=color, lw=1, ls=":", label=f"chance level ({share:.0%} positives)"
    )
ax_roc.set_title(f"ROC-AUC {roc_auc:.3f} vs {balanced_auc:.3f}")
ax_pr.set_title(f"Average precision {ap:.3f} vs {balanced_ap:.3f}")
ax_pr.set_ylim(0, 1.02)
ax_roc.legend(loc="lower right", fontsize=8)
# the legend sits above the lower chance line
ax_pr.legend(loc="lower left", bbox_to_anchor=(0.0, 0.17), fontsize=8)
plt.show()

# the claims of the answer above, checked on this run, up to rounding: each rate is a
# float64 sum over the test applicants, divided by the total
every = {"drop_intermediate": False}  # every threshold, so that the curves align
fpr_w, tpr_w, _ = roc_curve(admit_test, score, sample_weight=weights, **every)
fpr_1, tpr_1, _ = roc_curve(admit_test, score, **every)
tolerance = rounding_tolerance("float64", scale=1.0, n_terms=len(admit_test))
claim(
    max(np.abs(fpr_w - fpr_1).max(), np.abs(tpr_w - tpr_1).max()) <= tolerance
    and abs(balanced_auc - roc_auc) <= tolerance,
    "the ROC curve does not move; the two ROC-AUCs are equal",
    evidence=f"{roc_auc:.6f} vs {balanced_auc:.6f}",
)
precision_w, recall_w, _ = precision_recall_curve(
    admit_test, score, sample_weight=weights
)
claim(
    np.all(precision_w[:-1] >= precision[:-1] - tolerance) and balanced_ap > ap,
    "precision is higher everywhere and the average precision grows",
    evidence=f"AP {ap:.3f} -> {balanced_ap:.3f}",
)
say(
    f"Same model, same scores. ROC-AUC {roc_auc:.3f} with the real mix and "
    f"{balanced_auc:.3f} re-weighted (the two ROC curves coincide); average precision "
    f"**{ap:.3f}** and **{balanced_ap:.3f}**. The ranking quality did not change, the "
    "share of negatives did: ROC answers *how well are admits ranked above the "
    "others*, precision-recall answers *how clean is the list of flagged applicants in "
    "this population*."
)

# %%
# ## How to read these figures
#
# * **Precision-recall**: moving right finds more of the positives (recall); the height
#   says what share of the flagged cases are real (precision). Up and to the right is
#   better; the dashed prevalence line is what random flagging achieves.
# * **The curve is jagged at low recall**: with few flagged cases, one false alarm moves
#   precision a lot. Read the shape, not single steps.
# * **Average precision** summarizes the curve; compare it to the prevalence, not to
#   0.5.
# * **ROC and PR of the same model carry the same ranking** but weigh errors
#   differently: ROC counts false alarms relative to all negatives, precision relative
#   to the flagged list.
#
# ## Pitfalls
#
# * **AP depends on the prevalence of the test set.** An AP from a rebalanced test set
#   (or another population, or after re-weighting) is not comparable to one from the
#   real mix.
# * **Do not interpolate linearly between PR points.** Unlike ROC, a straight line
#   between two precision-recall points is not achievable; the trapezoidal `auc` on a PR
#   curve overestimates. Use `average_precision_score`.
# * **Pick the positive class deliberately.** The AP of a common class (here *Deny*)
#   starts from a chance level equal to its large share, so it looks excellent even
#   for a weak model; the rare class is usually the one that matters.
# * **A high ROC-AUC on imbalanced data is not a usable model by itself.** Check the
#   precision at the recall you need.
