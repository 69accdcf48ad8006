"""
# Calibration curves: can the predicted probabilities be trusted?

**Catalog C4** · **Question:** performance, comparison · **Family:** any · **Phase:** after training · **Data:** MBA

Many decisions use a model's probability, not only its ranking: "admit the applicants
whose chance is above 30%", or an expected number of admits summed over a list. That is
only sound when the probabilities are *calibrated*: among the applicants given 30%,
about 30% are admitted. A reliability diagram checks this by binning the predictions
and plotting each bin's observed rate against its mean prediction; the histogram of the
predictions shows how many applicants each point rests on. This page compares three
classifiers on the MBA admissions, then recalibrates the worst one.
"""

# %%
# ## Prepare the data
#
# *Admit* vs not, as on pages C2 and C3. Calibration needs data the model has not seen:
# the test quarter is kept for the diagrams and the Brier scores.
from mlviz.config import QUICK
from mlviz.explain import mba_split

X_train, X_test, y_train, y_test = mba_split(target="admit")
admit_train, admit_test = y_train.to_numpy(), y_test.to_numpy()

# %%
# ## Fit three classifiers
#
# A logistic regression (it fits probabilities directly, by maximizing likelihood), a
# Gaussian naive Bayes model (its independence assumption pushes probabilities towards 0
# and 1) and the random forest of the other pages, whose `class_weight="balanced"`
# makes it act as if admits were as common as the rest.
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlviz.explain import fit_mba_forest, mba_forest

logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
models = {
    "logistic regression": logreg.fit(X_train, admit_train),
    "naive Bayes": GaussianNB().fit(X_train, admit_train),
    # C3's forest, fitted once per build and shared
    "random forest (balanced)": fit_mba_forest(target="admit").model,
}
proba = {name: model.predict_proba(X_test)[:, 1] for name, model in models.items()}

# %%
# ## Reliability diagrams and histograms
#
# `CalibrationDisplay.from_predictions` bins the predictions with `calibration_curve`
# and draws one point per bin. With about one admit in seven applicants most
# predictions are small, so equal-width bins would leave the upper bins nearly empty;
# `strategy="quantile"` puts the same number of applicants in each bin instead. Below,
# the histogram of each model's predictions.
import matplotlib.pyplot as plt
from sklearn.calibration import CalibrationDisplay

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

n_bins = 8 if QUICK else 10
fig = plt.figure(figsize=(12, 8.5))
grid = fig.add_gridspec(2, 3, height_ratios=[2, 1])
ax_curve = fig.add_subplot(grid[0, :])
displays = {}
for i, (name, p) in enumerate(proba.items()):
    displays[name] = CalibrationDisplay.from_predictions(
        admit_test,
        p,
        n_bins=n_bins,
        strategy="quantile",
        name=name,
        ax=ax_curve,
        color=f"C{i}",
    )
ax_curve.set_title("Reliability diagram, Admit vs not (quantile bins)")
ax_curve.set_xlabel("mean predicted probability of Admit (per bin)")
ax_curve.set_ylabel("fraction admitted (per bin)")
ax_curve.legend(loc="upper left", fontsize=9)
for i, (name, p) in enumerate(proba.items()):
    ax = fig.add_subplot(grid[1, i])
    ax.hist(p, bins=20, range=(0, 1), color=f"C{i}")
    ax.set_title(name, fontsize=10)
    ax.set_xlabel("predicted probability")
    if i == 0:
        ax.set_ylabel("test applicants")
plt.show()

# %%
# ## Brier scores and the largest gaps
#
# The Brier score is the mean squared difference between the predicted probability and
# the 0/1 outcome: lower is better, and it rewards both ranking and calibration.
# Each display keeps the points it drew, as `calibration_curve` returned them:
# `prob_pred`, the mean prediction in each bin, and `prob_true`, the share admitted
# there. The number of applicants behind each point is not kept, so numpy counts them
# on the same bins: the edges are the quantiles of the predictions (`np.percentile`),
# and a prediction equal to an edge belongs to the lower bin, as in `calibration_curve`.
# The point farthest from the diagonal is the largest gap between prediction and
# outcome.
import numpy as np
from sklearn.metrics import brier_score_loss

from mlviz.report import say

rows, counts = [], {}
for name, p in proba.items():
    shown = displays[name]
    edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    count = np.bincount(np.searchsorted(edges[1:-1], p), minlength=n_bins)
    counts[name] = count[count > 0]  # calibration_curve drops empty bins (tied edges)
    w = np.abs(shown.prob_pred - shown.prob_true).argmax()
    rows.append(
        f"| {name} | {brier_score_loss(admit_test, p):.4f} | {p.mean():.1%} | "
        f"{shown.prob_pred[w]:.0%} predicted, {shown.prob_true[w]:.0%} admitted "
        f"({counts[name][w]} applicants) |"
    )
base_rate = np.full(len(admit_test), admit_train.mean())
say(
    f"Share of admitted test applicants: **{admit_test.mean():.1%}**.\n\n"
    "| model | Brier score | mean prediction | largest gap (one bin) |\n"
    "|---|---|---|---|\n"
    + "\n".join(rows)
    + "\n\nA model that always predicts the base rate scores "
    f"{brier_score_loss(admit_test, base_rate):.4f}."
)

# %%
# ## Recalibrating the forest
#
# `CalibratedClassifierCV` fits the forest on parts of the training set and learns, on
# the held-out parts, a monotone map from its scores to probabilities: a logistic curve
# (`method="sigmoid"`, Platt scaling, two parameters) or a step function
# (`method="isotonic"`, flexible, needs more data). The ranking is unchanged; only the
# probabilities move.
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import roc_auc_score

recalibrated = {"uncalibrated": proba["random forest (balanced)"]}
for method in ("sigmoid", "isotonic"):
    calibrated = CalibratedClassifierCV(mba_forest(), method=method, cv=3)
    calibrated.fit(X_train, admit_train)
    recalibrated[method] = calibrated.predict_proba(X_test)[:, 1]

fig = plt.figure(figsize=(12, 8.5))
grid = fig.add_gridspec(2, 3, height_ratios=[2, 1])
ax_curve = fig.add_subplot(grid[0, :])
for i, (name, p) in enumerate(recalibrated.items()):
    CalibrationDisplay.from_predictions(
        admit_test,
        p,
        n_bins=n_bins,
        strategy="quantile",
        name=f"forest, {name}",
        ax=ax_curve,
        color=f"C{i + 2}",
    )
    ax = fig.add_subplot(grid[1, i])
    ax.hist(p, bins=20, range=(0, 1), color=f"C{i + 2}")
    ax.set_title(f"forest, {name}", fontsize=10)
    ax.set_xlabel("predicted probability")
    if i == 0:
        ax.set_ylabel("test applicants")
ax_curve.set_title("Random forest before and after recalibration")
ax_curve.set_xlabel("mean predicted probability of Admit (per bin)")
ax_curve.set_ylabel("fraction admitted (per bin)")
ax_curve.legend(loc="upper left", fontsize=9)
plt.show()

brier = {name: brier_score_loss(admit_test, p) for name, p in recalibrated.items()}
best = min(brier, key=brier.get)
aucs = [roc_auc_score(admit_test, p) for p in recalibrated.values()]
auc_change = max(aucs) - min(aucs)
say(
    "| forest | Brier score | mean prediction | ROC-AUC |\n|---|---|---|---|\n"
    + "\n".join(
        f"| {name} | {brier[name]:.4f} | {p.mean():.1%} | {auc:.3f} |"
        for (name, p), auc in zip(recalibrated.items(), aucs)
    )
    + f"\n\nLowest Brier score: **{best}** ({brier[best]:.4f}, against "
    f"{brier['uncalibrated']:.4f} before). The ROC-AUC moves by at most "
    f"{auc_change:.3f}: recalibration fixes what the probabilities mean, not how the "
    "applicants are ordered (the small changes come from the forests being refitted on "
    "parts of the training set)."
)

# %%
# ## How to read these figures
#
# * **The diagonal is perfect calibration.** A point below it means the model
#   over-predicts in that bin (it said 40%, 25% were admitted); above it, it
#   under-predicts.
# * **Each point is a bin of applicants**; the histogram says how many applicants sit at
#   each predicted probability, so a bad point over an empty region matters little.
# * **The Brier score** combines calibration and sharpness; compare it to the base-rate
#   model, which is perfectly calibrated but useless.
#
# ## Pitfalls
#
# * **Class weights and resampling break calibration on purpose.** A forest trained
#   with `class_weight="balanced"` predicts as if classes were equally common, so its
#   probabilities are too high for the rare class. Recalibrate before using them as
#   probabilities.
# * **Calibrate on data the model was not fitted on** (that is what the `cv` of
#   `CalibratedClassifierCV` does); calibrating on the training set learns nothing.
# * **Isotonic regression overfits small calibration sets**; with few positives, the
#   two-parameter sigmoid is the safer choice.
# * **Bins are a choice.** Few bins hide miscalibration, many bins make noisy points;
#   uniform bins leave rare high probabilities nearly empty. Say which strategy you
#   used.
