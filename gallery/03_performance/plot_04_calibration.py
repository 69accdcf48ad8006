"""
# Calibration curves: can the predicted probabilities be trusted?

**Catalog C4** · **Question:** performance, comparison · **Family:** any · **Phase:** after training · **Data:** MBA

Many decisions use a model's probability, not only its ranking: "admit the applicants
whose chance is above 30%", or an expected number of admits summed over a list. That is
only sound when the probabilities are *calibrated*: among the applicants given 30%,
about 30% are admitted. A reliability diagram checks this by binning the predictions
and plotting each bin's observed rate against its mean prediction; the histogram of the
predictions shows how many applicants each point rests on. This page compares three
classifiers on the MBA admissions, then recalibrates the random forest, whose class
weights distort its probabilities on purpose. The MBA table is synthetic: generated
from the statistics of Wharton's Class of 2025, not the records of real applicants.
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
# Gaussian naive Bayes model (its independence assumption counts correlated evidence
# several times, which pushes probabilities towards 0 and 1) and the random forest of
# the other pages, whose `class_weight="balanced"` makes it act as if admits were as
# common as the rest.
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlviz.explain import fit_mba_forest, mba_forest
from mlviz.report import claim

logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
models = {
    "logistic regression": logreg.fit(X_train, admit_train),
    "naive Bayes": GaussianNB().fit(X_train, admit_train),
    # C3's forest, fitted once per build and shared
    "random forest (balanced)": fit_mba_forest(target="admit").model,
}
proba = {name: model.predict_proba(X_test)[:, 1] for name, model in models.items()}


def extreme(p):  # share of predictions below 5% or above 95%
    return np.mean((p < 0.05) | (p > 0.95))


nb_extreme = extreme(proba["naive Bayes"])
lr_extreme = extreme(proba["logistic regression"])
claim(
    nb_extreme > lr_extreme,
    "naive Bayes pushes probabilities towards 0 and 1",
    evidence=f"below 5% or above 95%: {nb_extreme:.0%} vs {lr_extreme:.0%}",
)

# %%
# ## Reliability diagrams and histograms
#
# `CalibrationDisplay.from_predictions` bins the predictions with `calibration_curve`
# and draws one point per bin. With about one admit in seven applicants most
# predictions are small, so equal-width bins would put many more applicants in the
# lowest bin than in any upper one; `strategy="quantile"` puts the same number of
# applicants in each bin instead. Below, the histogram of each model's predictions.
import matplotlib.pyplot as plt
from sklearn.calibration import CalibrationDisplay

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

n_bins = 8 if QUICK else 10
for name, p in proba.items():
    equal_width = np.histogram(p, bins=n_bins, range=(0, 1))[0]
    claim(
        np.median(p) < 0.25 and equal_width[0] > 2 * equal_width[n_bins // 2 :].max(),
        "most predictions are small; equal-width bins would put many more applicants "
        "in the lowest bin than in any upper one",
        evidence=f"{name}: median {np.median(p):.2f}, equal-width counts {equal_width}",
    )
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
# outcome. Each Brier score is compared with that of a model which always predicts
# the training set's share of admits, on the same test applicants: a paired bootstrap
# (`bootstrap_difference`, helper package, over `scipy.stats.bootstrap`) gives the
# 95% interval of the difference.
from sklearn.metrics import brier_score_loss

from mlviz.inspect.performance import bootstrap_difference
from mlviz.report import say

n_resamples = 200 if QUICK else 1000
base_rate = np.full(len(admit_test), admit_train.mean())
rows, counts, versus_base = [], {}, {}
for name, p in proba.items():
    shown = displays[name]
    edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    count = np.bincount(np.searchsorted(edges[1:-1], p), minlength=n_bins)
    counts[name] = count[count > 0]  # calibration_curve drops empty bins (tied edges)
    w = np.abs(shown.prob_pred - shown.prob_true).argmax()
    versus_base[name] = bootstrap_difference(
        brier_score_loss, admit_test, p, base_rate, n_resamples=n_resamples
    )
    rows.append(
        f"| {name} | {brier_score_loss(admit_test, p):.4f} | "
        f"{versus_base[name]:+.4f} | {p.mean():.1%} | "
        f"{shown.prob_pred[w]:.0%} predicted, {shown.prob_true[w]:.0%} admitted "
        f"({counts[name][w]} applicants) |"
    )
worse = [name for name, d in versus_base.items() if d.low > 0]
better = [name for name, d in versus_base.items() if d.high < 0]
unclear = [name for name in proba if name not in worse + better]
verdicts = [
    f"{' and '.join(names)} {one if len(names) == 1 else many}"
    for names, one, many in [
        (better, "beats it", "beat it"),
        (worse, "scores **worse**", "score **worse**"),
        (unclear, "cannot be told from it", "cannot be told from it"),
    ]
    if names
]
say(
    f"Share of admitted test applicants: **{admit_test.mean():.1%}**.\n\n"
    "| model | Brier score | minus base rate [95% interval] | mean prediction "
    "| largest gap (one bin) |\n|---|---|---|---|---|\n"
    + "\n".join(rows)
    + "\n\nA model that always predicts the base rate scores "
    f"{brier_score_loss(admit_test, base_rate):.4f}. On this test set, "
    + "; ".join(verdicts)
    + " (a paired interval that excludes 0 decides)."
    + (
        " A model worse than this constant gives probabilities less useful than the "
        "base rate itself."
        if worse
        else ""
    )
)
forest_mean = proba["random forest (balanced)"].mean()
claim(
    forest_mean > admit_test.mean(),
    "the balanced forest's probabilities are too high for the rare class",
    evidence=f"mean prediction {forest_mean:.1%}, admitted {admit_test.mean():.1%}",
)

# %%
# ## Recalibrating the forest
#
# `CalibratedClassifierCV` fits the forest on parts of the training set and learns, on
# the held-out parts, a monotone map from its scores to probabilities: a logistic curve
# (`method="sigmoid"`, Platt scaling, two parameters) or a step function
# (`method="isotonic"`, flexible, needs more data). Each map is monotone, so it keeps
# the order of the scores it is given; the probabilities move. (With `cv=3` the result
# averages three calibrated forests, each fitted on two thirds of the training set, so
# the order can still change a little.)
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
claim(
    best != "uncalibrated",
    "recalibrating lowers the forest's Brier score",
    evidence=f"{brier}",
)
runner_up = min((n for n in ("sigmoid", "isotonic") if n != best), key=brier.get)
aucs = [roc_auc_score(admit_test, p) for p in recalibrated.values()]
auc_change = max(aucs) - min(aucs)
gain = bootstrap_difference(
    brier_score_loss,
    admit_test,
    recalibrated["uncalibrated"],
    recalibrated[best],
    n_resamples=n_resamples,
)
duel = bootstrap_difference(
    brier_score_loss,
    admit_test,
    recalibrated[runner_up],
    recalibrated[best],
    n_resamples=n_resamples,
)
if duel.excludes(0):
    duel_words = f"The {best} map beats the {runner_up} map by {duel:.4f} (95%)"
else:
    duel_words = (
        f"The {best} and {runner_up} maps are indistinguishable on this test set "
        f"(difference {duel:.4f}, the 95% interval contains 0)"
    )
gain_words = "" if gain.low > 0 else ", an interval that contains 0: no clear gain"
say(
    "| forest | Brier score | mean prediction | ROC-AUC |\n|---|---|---|---|\n"
    + "\n".join(
        f"| {name} | {brier[name]:.4f} | {p.mean():.1%} | {auc:.3f} |"
        for (name, p), auc in zip(recalibrated.items(), aucs)
    )
    + f"\n\nRecalibration lowers the Brier score from {brier['uncalibrated']:.4f} to "
    f"{brier[best]:.4f} ({best}), by {gain:.4f} (95% paired bootstrap interval)"
    f"{gain_words}. {duel_words}. The ROC-AUC moves by at most {auc_change:.3f}: "
    "recalibration fixes what the probabilities mean, not how the applicants are "
    "ordered (the small changes come from the forests being refitted on parts of the "
    "training set)."
)

# %%
# ## How to read these figures
#
# * **The diagonal is perfect calibration.** A point below it means the model
#   over-predicts in that bin (it said 40%, 25% were admitted); above it, it
#   under-predicts.
# * **Each point is a bin of applicants**; with quantile bins every point rests on about
#   the same number of them. The histogram shows where the predictions lie: a stretch
#   of the diagonal without points is a range of probabilities the model rarely gives.
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
