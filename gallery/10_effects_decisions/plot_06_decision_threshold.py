"""
# Choosing the decision threshold: cost-sensitive tuning, a cost curve, DET beside ROC

**Catalog J6** · **Question:** performance · **Family:** any · **Phase:** after training · **Data:** MBA

A classifier's `predict` turns a probability into a decision at 0.5, which (for
calibrated probabilities) minimizes the number of errors, not their cost. When one error
costs more than the other, the threshold should move, and how far is a question of costs
that the data cannot answer alone. This page states a cost matrix, draws the expected
cost per applicant against the threshold over cross-validation folds (with the folds'
uncertainty), lets scikit-learn's `TunedThresholdClassifierCV` pick the cheapest
threshold, measures the saving against 0.5 on held-out applicants, and reads the chosen
operating point on the ROC curve and on the DET curve, whose probit axes spread out the
region of small errors. The MBA table is synthetic: generated from the statistics of
Wharton's Class of 2025, not the records of real applicants.
"""

# %%
# ## The data and the cost matrix
#
# *Admit* is the positive class, as on pages C2-C4. The costs are an **assumption**,
# stated here so that the reader can replace them: an admissions office screens
# applicants with the model and interviews the ones it flags. Interviewing an
# applicant who will not be admitted wastes one interview (cost 1, the unit); screening
# out an applicant who would have been admitted loses a candidate the class wanted,
# which we assume costs as much as `fn_cost = 5` wasted interviews. A correct decision
# costs nothing. The table below the last figure shows how the threshold moves when
# the ratio is 2, 10 or 20 instead.
import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix

from mlviz.config import QUICK, SEED
from mlviz.explain import mba_split

X_train, X_test, y_train, y_test = mba_split(target="admit")
admit_train, admit_test = y_train.to_numpy(), y_test.to_numpy()
fp_cost, fn_cost = 1.0, 5.0  # a wasted interview; a missed admit (assumed)


def expected_cost(y_true, y_pred, fp_cost=fp_cost, fn_cost=fn_cost):
    """Mean cost per applicant of the decisions ``y_pred`` (True = interview)."""
    tn, fp, fn, tp = confusion_matrix(y_true, y_pred, labels=[False, True]).ravel()
    return (fp_cost * fp + fn_cost * fn) / len(y_true)


print(f"{len(admit_train)} training applicants, {admit_train.mean():.1%} admitted")
pd.DataFrame(
    [[0.0, fp_cost], [fn_cost, 0.0]],
    index=pd.Index(["not admitted", "admitted"], name="true outcome"),
    columns=pd.Index(["screened out", "interviewed"], name="decision"),
)

# %%
# ## The cost of every threshold, fold by fold
#
# A logistic regression (as on page C2) is fitted on nine tenths of the training set and
# scores the tenth it has not seen, ten times (stratified folds). For each validation
# fold and each threshold `t` on a grid, an applicant is interviewed when their
# probability is at least `t`; counting the false positives and false negatives gives
# the fold's cost at every threshold in one comparison. The folds' training sets
# overlap, so the spread of their costs understates the uncertainty; the band uses
# Nadeau and Bengio's correction (`1/k + n_test/n_train` in place of `1/k`, as on page
# C5) for a 95% t interval of the mean cost.
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlviz.inspect.comparison import corrected_paired_interval

logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
cv = StratifiedKFold(n_splits=10, shuffle=True, random_state=SEED)
thresholds = np.arange(1, 50 if QUICK else 100) / (50 if QUICK else 100)
fp, fn, n_val = [], [], []
for train, val in cv.split(X_train, admit_train):
    model = clone(logreg).fit(X_train.iloc[train], admit_train[train])
    proba = model.predict_proba(X_train.iloc[val])[:, [1]]
    interviewed = proba >= thresholds  # one row per applicant, one column per threshold
    admitted = admit_train[val, None]
    fp.append((interviewed & ~admitted).sum(axis=0))
    fn.append((~interviewed & admitted).sum(axis=0))
    n_val.append([len(val)])
fp, fn, n_val = np.array(fp), np.array(fn), np.array(n_val)  # folds x thresholds


def fold_costs(fn_cost=fn_cost, fp_cost=fp_cost):
    """Cost per applicant of each fold (rows) at each threshold (columns)."""
    return (fp_cost * fp + fn_cost * fn) / n_val


n_test = len(admit_train) / cv.get_n_splits()
n_train = len(admit_train) - n_test
# the corrected interval over the folds (page J8): one row per threshold
mean_cost, half = corrected_paired_interval(fold_costs().T, n_train, n_test)

# %%
# ## Let scikit-learn choose the threshold
#
# `TunedThresholdClassifierCV` does the same: it fits the model on each training part,
# scores the validation part at every threshold with the scorer it is given, averages
# over the folds, keeps the best threshold (`best_threshold_`), and refits the model on
# the whole training set. `make_scorer(..., greater_is_better=False)` turns the cost
# into a score to maximize (its negative). Given the same folds and grid, its mean
# curve (`cv_results_`) is the mean of the fold curves above.
from sklearn.metrics import make_scorer
from sklearn.model_selection import TunedThresholdClassifierCV

tuned = TunedThresholdClassifierCV(
    logreg,
    scoring=make_scorer(expected_cost, greater_is_better=False),
    thresholds=thresholds,
    cv=cv,
    store_cv_results=True,
).fit(X_train, admit_train)
best = tuned.best_threshold_
i_best, i_default = np.searchsorted(thresholds, [best, 0.5])
formula = fp_cost / (fp_cost + fn_cost)  # the threshold for calibrated probabilities
i_formula = np.abs(thresholds - formula).argmin()

# a threshold is tied with the best when the folds cannot tell their costs apart
gap, gap_half = corrected_paired_interval(
    (fold_costs() - fold_costs()[:, [i_best]]).T, n_train, n_test
)
tied = gap - gap_half <= 0
low, high = thresholds[tied].min(), thresholds[tied].max()

# %%
# ## The cost curve
#
# Thin lines are the ten folds, the thick line their mean with its corrected 95% band.
# The orange line is the tuned threshold, and the shaded strip the thresholds tied
# with it; the grey dashed line is the default 0.5 and the purple dotted line the
# threshold that decision theory gives for calibrated probabilities: interview when
# `p * fn_cost > (1 - p) * fp_cost`, that is when `p > fp_cost / (fp_cost + fn_cost)`.
import matplotlib.pyplot as plt

from mlviz.report import claim, say

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

fig, ax = plt.subplots(figsize=(7.5, 4.8))
ax.plot(thresholds, fold_costs().T, color="C0", lw=0.7, alpha=0.3)
ax.fill_between(thresholds, mean_cost - half, mean_cost + half, color="C0", alpha=0.25)
ax.plot(thresholds, mean_cost, color="C0", lw=2.2, label="mean of 10 folds, 95% band")
ax.axvspan(low, high, color="C1", alpha=0.12, label="tied with the best")
ax.axvline(best, color="C1", lw=2, label=f"tuned threshold {best:.3f}")
ax.axvline(0.5, color="C7", ls="--", lw=1.5, label="default 0.5")
ax.axvline(formula, color="C4", ls=":", lw=2, label=f"1 / (1 + k) = {formula:.3f}")
ax.set(xlabel="threshold on the probability of Admit", xlim=(0, 1))
ax.set(ylabel="expected cost per applicant\n(wasted interviews)")
ax.set_title(f"Cost against threshold, a missed admit costs k = {fn_cost:g}")
ax.legend(loc="lower right", fontsize=9)
plt.show()

contiguous = tied.sum() == np.ptp(np.flatnonzero(tied)) + 1
too_high = gap[i_default] - gap_half[i_default] > 0
say(
    f"The folds' cheapest threshold is **{best:.3f}**, at {mean_cost[i_best]:.3f} ± "
    f"{half[i_best]:.3f} per applicant; 0.5 costs {gap[i_default]:.3f} ± "
    f"{gap_half[i_default]:.3f} more (corrected 95% paired intervals). "
    + (
        "The default threshold is too high for these costs, beyond the folds' noise. "
        if too_high
        else "The folds cannot tell the default threshold from the tuned one. "
    )
    + (f"Every threshold from {low:.3f} to {high:.3f} is" if contiguous else "Several")
    + " tied with the best: the valley is flat, and its lowest point is noisy. "
    + f"The decision-theory threshold {formula:.3f} "
    + (
        "is tied with it too: here the formula, which assumes calibrated "
        "probabilities, does as well as the search."
        if tied[i_formula]
        else "costs more, beyond the noise: a sign of miscalibration (page C4)."
    )
)
claim(
    best < 0.5 and too_high,
    "a missed admit costs more than a wasted interview, so the cheapest threshold is "
    "below 0.5, beyond the folds' noise",
    evidence=f"best {best}, 0.5 costs {gap[i_default]:.4f} ± {gap_half[i_default]:.4f}",
)

# %%
# ## The saving on held-out applicants
#
# The threshold was chosen on the training set, so its cost there is optimistic (the
# minimum of a noisy curve). The quarter of applicants kept aside decides: the refitted
# model (`tuned.estimator_`) scores them once, and its probabilities are cut at 0.5 and
# at the tuned threshold. A paired bootstrap (`bootstrap_difference` of the helper
# package) resamples the test applicants and costs both decisions on each draw; the
# middle 95% of the saving is its interval.
from mlviz.inspect.performance import bootstrap_difference

n_resamples = 300 if QUICK else 1000
proba_test = tuned.estimator_.predict_proba(X_test)[:, 1]
decisions = {"default 0.5": proba_test >= 0.5, "tuned": tuned.predict(X_test)}
saving = bootstrap_difference(
    expected_cost, admit_test, *decisions.values(), n_resamples=n_resamples
)
held_out = pd.DataFrame(
    {name: confusion_matrix(admit_test, d).ravel() for name, d in decisions.items()},
    index=["TN", "FP", "FN", "TP"],
).T.rename_axis(f"{len(admit_test)} test applicants")
held_out["cost per applicant"] = [
    expected_cost(admit_test, d) for d in decisions.values()
]
say(
    f"On the {len(admit_test)} test applicants the tuned threshold costs "
    f"{held_out.iloc[1, -1]:.3f} per applicant against {held_out.iloc[0, -1]:.3f} at "
    f"0.5: a saving of {saving:.3f} per applicant (95% paired interval), "
    f"the cost of {1000 * saving.estimate:.0f} wasted interviews per 1,000 applicants. "
    + (
        "Tuning saves cost beyond the test set's noise."
        if saving.low > 0
        else "Tuning costs more on this test set, beyond its noise."
        if saving.high < 0
        else "The test set cannot tell the two thresholds apart."
    )
)
held_out.round(3)

# %%
# ## The chosen threshold on the ROC and DET curves
#
# Each threshold is one point of the ROC curve (true positive rate against false
# positive rate) and of the DET curve (false negative rate against false positive rate,
# both on *probit* axes: a rate `r` is drawn at `norm.ppf(r)`, so the stretch from 1% to
# 5% is about four fifths as wide as the one from 20% to 50%, where a linear axis gives
# it less than a seventh). `DetCurveDisplay` draws the latter; the points are placed on
# its axes with `norm.ppf` too. The dashed orange line joins every (FPR, FNR) that costs
# as much as the tuned point on these test applicants: a line on the ROC, a curve on the
# DET. A random ranking is the diagonal on the ROC and the anti-diagonal on the DET.
from scipy.stats import norm
from sklearn.metrics import DetCurveDisplay, RocCurveDisplay

n_pos, n_neg = admit_test.sum(), (~admit_test).sum()
fig, (ax_roc, ax_det) = plt.subplots(1, 2, figsize=(11, 5.2))
roc = RocCurveDisplay.from_predictions(
    admit_test,
    proba_test,
    ax=ax_roc,
    name="logistic regression",
    curve_kwargs={"color": "C0"},
)
det = DetCurveDisplay.from_predictions(
    admit_test, proba_test, ax=ax_det, name="logistic regression", color="C0"
)
ax_roc.plot([0, 1], [0, 1], color="C7", ls=":", lw=1)
ax_det.plot([-3, 3], [3, -3], color="C7", ls=":", lw=1)
points = {}
for name, t, color in [("default 0.5", 0.5, "C7"), (f"tuned {best:.3f}", best, "C1")]:
    flagged = proba_test >= t
    fpr, fnr = flagged[~admit_test].mean(), (~flagged[admit_test]).mean()
    points[name] = fpr, fnr
    ax_roc.plot(fpr, 1 - fnr, "o", ms=9, color=color, label=name)
    ax_det.plot(norm.ppf(fpr), norm.ppf(fnr), "o", ms=9, color=color, label=name)
# iso-cost: fp_cost * n_neg * FPR + fn_cost * n_pos * FNR = the tuned point's cost
(fpr_0, fnr_0), (fpr_t, fnr_t) = points.values()
budget = fp_cost * n_neg * fpr_t + fn_cost * n_pos * fnr_t
line_fpr = np.linspace(1e-3, 1 - 1e-3, 400)
line_fnr = (budget - fp_cost * n_neg * line_fpr) / (fn_cost * n_pos)
inside = (line_fnr > 1e-3) & (line_fnr < 1 - 1e-3)
same = {"ls": "--", "color": "C1", "lw": 1.2, "label": "same cost as tuned"}
ax_roc.plot(line_fpr[inside], 1 - line_fnr[inside], **same)
ax_det.plot(norm.ppf(line_fpr[inside]), norm.ppf(line_fnr[inside]), **same)
ax_roc.set(xlim=(0, 1), ylim=(0, 1.02), title="ROC: the chosen operating point")
ax_det.set_title("DET (probit axes): the same points")
ax_roc.set(xlabel="FPR: others interviewed", ylabel="TPR: admits interviewed")
ax_det.set(xlabel="FPR: others interviewed", ylabel="FNR: admits screened out")
ax_roc.legend(loc="lower right", fontsize=9)
ax_det.legend(loc="upper right", fontsize=9)
plt.show()

claim(
    fnr_t < fnr_0 and fpr_t > fpr_0,
    "the lower threshold catches more admits and flags more of the others",
    evidence=f"FNR {fnr_0:.3f} -> {fnr_t:.3f}, FPR {fpr_0:.3f} -> {fpr_t:.3f}",
)
say(
    f"Moving from 0.5 to {best:.3f} lowers the share of admits screened out from "
    f"{fnr_0:.1%} to {fnr_t:.1%} and raises the share of other applicants interviewed "
    f"from {fpr_0:.1%} to {fpr_t:.1%}: up and to the right on the ROC, down and to the "
    f"right on the DET. There are {n_neg / n_pos:.1f} other applicants per admit, so "
    f"each point of FPR is {n_neg / n_pos:.1f} times as many applicants as one of FNR."
)

# %%
# ## How the threshold follows the cost ratio
#
# The costs are an assumption, so the page repeats the choice for other ratios `k`
# (a missed admit costs `k` wasted interviews). The fold counts above give each curve
# without refitting: only the weights of FP and FN change.
table = {}
for k in (2.0, 5.0, 10.0, 20.0):
    costs_k = fold_costs(fn_cost=k)
    i = costs_k.mean(axis=0).argmin()
    d, h = corrected_paired_interval((costs_k - costs_k[:, [i]]).T, n_train, n_test)
    tied_k = thresholds[d - h <= 0]
    cost_k = costs_k.mean(axis=0)[i]
    table[f"k = {k:g}"] = [thresholds[i], 1 / (1 + k), tied_k[0], tied_k[-1], cost_k]
columns = ["tuned threshold", "1 / (1 + k)", "tied from", "tied to", "mean cost"]
by_ratio = pd.DataFrame.from_dict(table, orient="index", columns=columns)
chosen = by_ratio["tuned threshold"]
claim(
    (np.diff(chosen) <= 0).all(),
    "a dearer missed admit never raises the threshold",
    evidence=f"tuned thresholds {chosen.to_list()}",
)
apart = by_ratio["tied to"].iloc[-1] < by_ratio["tied from"].iloc[0]
say(
    f"The tuned threshold falls from {chosen.iloc[0]:.3f} at k = 2 to "
    f"{chosen.iloc[-1]:.3f} at k = 20 (it can only fall or stay: a larger `k` weighs "
    "the false negatives that a high threshold makes). The strips of tied thresholds "
    + (
        "of k = 2 and k = 20 do not overlap: the assumed ratio moves the threshold "
        "more than the folds' noise does."
        if apart
        else "of k = 2 and k = 20 overlap: the folds cannot tell them apart."
    )
)
by_ratio.round(3)

# %%
# ## How to read these figures
#
# * **The cost curve** is what to minimize: its lowest point is the threshold, and the
#   band and the tied strip say how precisely the data locate it; in a flat valley,
#   pick by another criterion (a round number, the formula, a capacity for interviews).
# * **The ROC curve** shows what every threshold trades: up is more admits caught, right
#   is more other applicants interviewed. The iso-cost line through the chosen point
#   has slope `fp_cost * n_neg / (fn_cost * n_pos)`; points above it cost less.
# * **The DET curve** draws both error rates on probit axes: the corner of small errors,
#   squeezed into the ROC's top-left, spreads out; normal scores give a straight line.
#
# ## Pitfalls
#
# * **Tuning the threshold on the data that evaluates it.** The minimum of a noisy cost
#   curve is optimistic; choose the threshold by cross-validation on the training set
#   (as `TunedThresholdClassifierCV` does) and report the cost on held-out data.
# * **The cost matrix is a decision, not a fact of the data.** State it, justify it,
#   show how the threshold moves with it: a tuned threshold is only as good as its costs.
# * **The threshold depends on the base rate.** A model fitted where one applicant in
#   seven is admitted gives too low probabilities where one in three is, and its tuned
#   threshold no longer minimizes the cost: retune when the population changes.
# * **The formula `fp_cost / (fp_cost + fn_cost)` needs calibrated probabilities** (page
#   C4). For a class-weighted forest or a margin-based score, tune by cross-validation.
# * **Probit axes cannot show a rate of 0 or 1**: `DetCurveDisplay` clips them to the
#   edge, so the ends of a DET curve are not data.
