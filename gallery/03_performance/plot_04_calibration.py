"""
# Calibration curves: can the predicted probabilities be trusted?

**Catalog C4** · **Question:** performance, comparison · **Family:** any · **Phase:** after training · **Data:** MBA

Many decisions use a model's probability, not only its ranking: "admit the applicants
whose chance is above 30%", or an expected number of admits summed over a list. That is
only sound when the probabilities are *calibrated*: among the applicants given 30%,
about 30% are admitted. A reliability diagram checks this by binning the predictions
and plotting each bin's observed rate against its mean prediction; each rate gets an
interval, since a bin is a sample of applicants. This page compares three classifiers
on the MBA admissions (a synthetic table, generated from Wharton's Class of 2025
statistics), then recalibrates the random forest, whose class weights distort its
probabilities, and shows why the map must not be learned on the training set.
"""

# %%
# ## Prepare the data
#
# *Admit* vs not, as on pages C2 and C3; the unseen test quarter is for the diagrams.
from mlviz.config import QUICK
from mlviz.explain import mba_split

X_train, X_test, y_train, y_test = mba_split(target="admit")
admit_train, admit_test = y_train.to_numpy(), y_test.to_numpy()

# %%
# ## Fit three classifiers
#
# A logistic regression (it fits probabilities by maximizing likelihood), Gaussian
# naive Bayes (it counts correlated evidence several times, pushing probabilities
# towards 0 and 1) and the forest of the other pages, whose `class_weight="balanced"`
# makes it act as if admits were as common as the rest.
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

# %%
# ## Reliability diagrams and histograms
#
# `CalibrationDisplay.from_predictions` draws one point per bin of predictions; most
# are small, so `strategy="quantile"` puts the same number of applicants in each bin.
# Each point is the share admitted among a few hundred applicants: the error bars are
# its 95% (Wilson) interval, counted by numpy on the same quantile bins (a prediction
# equal to an edge belongs to the lower bin, as in `calibration_curve`).
import matplotlib.pyplot as plt
from scipy.stats import binomtest
from sklearn.calibration import CalibrationDisplay

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

n_bins = 8 if QUICK else 10
for name, p in proba.items():
    equal_width = np.histogram(p, bins=n_bins, range=(0, 1))[0]
    claim(
        np.median(p) < 0.25 and equal_width[0] > 2 * equal_width[1:].max(),
        "most predictions are small; equal-width bins would put many more applicants "
        "in the lowest bin than in any other",
        evidence=f"{name}: median {np.median(p):.2f}, equal-width counts {equal_width}",
    )
fig = plt.figure(figsize=(12, 8.5))
grid = fig.add_gridspec(2, 3, height_ratios=[2, 1])
ax_curve = fig.add_subplot(grid[0, :])
displays, intervals = {}, {}
for i, (name, p) in enumerate(proba.items()):
    shown = CalibrationDisplay.from_predictions(
        admit_test,
        p,
        n_bins=n_bins,
        strategy="quantile",
        name=name,
        ax=ax_curve,
        color=f"C{i}",
    )
    edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    in_bin = np.searchsorted(edges[1:-1], p)
    count = np.bincount(in_bin, minlength=n_bins)
    admitted = np.bincount(in_bin, weights=admit_test, minlength=n_bins)
    keep = count > 0  # calibration_curve drops empty bins (tied edges)
    ci = [
        binomtest(int(k), int(n)).proportion_ci(method="wilson")
        for k, n in zip(admitted[keep], count[keep])
    ]
    low, high = np.array([c.low for c in ci]), np.array([c.high for c in ci])
    ax_curve.errorbar(
        shown.prob_pred,
        shown.prob_true,
        yerr=[shown.prob_true - low, high - shown.prob_true],
        fmt="none",
        ecolor=f"C{i}",
        capsize=3,
    )
    displays[name], intervals[name] = shown, (low, high)
    ax = fig.add_subplot(grid[1, i])
    ax.hist(p, bins=20, range=(0, 1), color=f"C{i}")
    ax.set(title=name, xlabel="predicted probability")
fig.axes[1].set_ylabel("test applicants")  # the first histogram
ax_curve.set_title("Reliability diagram, Admit vs not (quantile bins, 95% intervals)")
ax_curve.set_xlabel("mean predicted probability of Admit (per bin)")
ax_curve.set_ylabel("fraction admitted (per bin)")
ax_curve.legend(loc="upper left", fontsize=9)
plt.show()

# %%
# ## Which bins miss the diagonal, and the Brier scores
#
# A bin *misses* the diagonal when its interval leaves out its mean prediction; a
# calibrated model misses one bin in twenty (`p`: a binomial at 5%). The Brier score
# (mean squared error of the probabilities) is compared by a paired bootstrap with a
# model that always predicts the training share of admits.
import pandas as pd
from scipy.stats import binom
from sklearn.metrics import brier_score_loss

from mlviz.inspect.performance import bootstrap_difference
from mlviz.report import say

n_resamples = 200 if QUICK else 1000
base_rate = np.full(len(admit_test), admit_train.mean())
misses, versus_base = {}, {}
for name, p in proba.items():
    low, high = intervals[name]
    pred = displays[name].prob_pred
    misses[name] = (pred < low) | (pred > high)
    versus_base[name] = bootstrap_difference(
        brier_score_loss, admit_test, p, base_rate, n_resamples=n_resamples
    )
miss_p = {n: binom.sf(m.sum() - 1, len(m), 0.05) for n, m in misses.items()}
reliability = pd.DataFrame(
    {
        "Brier score": [brier_score_loss(admit_test, p) for p in proba.values()],
        "minus base rate": [d.estimate for d in versus_base.values()],
        "95% low": [d.low for d in versus_base.values()],
        "95% high": [d.high for d in versus_base.values()],
        "versus base rate": [
            "better" if d.high < 0 else "worse" if d.low > 0 else "cannot tell"
            for d in versus_base.values()
        ],
        "mean prediction": [p.mean() for p in proba.values()],
        "bins missed": [f"{m.sum()} of {len(m)}" for m in misses.values()],
        "p, if calibrated": list(miss_p.values()),
    },
    index=pd.Index(list(proba), name="model"),
).round(4)
consistent = [n for n, q in miss_p.items() if q >= 0.05]
width = max((high - low).max() for low, high in intervals.values())
say(
    f"Share of admitted test applicants: **{admit_test.mean():.1%}**. Each bin holds "
    f"about {len(admit_test) / n_bins:.0f} applicants, and its 95% interval is up to "
    f"{width * 100:.0f} points wide: a point whose bar crosses the diagonal is within "
    "the noise of its bin. "
    + (
        f"Calibration cannot be rejected for {' and '.join(consistent)} (no more "
        "missed bins than chance gives a calibrated model, p ≥ 0.05); the others miss "
        "more than chance explains."
        if consistent
        else "Every model misses more bins than chance explains (p < 0.05)."
    )
    + " A model that always predicts the base rate scores "
    f"{brier_score_loss(admit_test, base_rate):.4f}; the table says which models beat "
    "it, from the paired interval of the difference. A model worse than this constant "
    "gives probabilities less useful than the base rate itself."
)
nb_low, nb_high = intervals["naive Bayes"][0][0], intervals["naive Bayes"][1][-1]
nb_pred = displays["naive Bayes"].prob_pred
claim(
    nb_pred[0] < nb_low and nb_pred[-1] > nb_high,
    "naive Bayes pushes probabilities towards 0 and 1",
    evidence=f"end bins {nb_pred[[0, -1]]}, intervals {nb_low:.3f} to {nb_high:.3f}",
)
forest_proba = proba["random forest (balanced)"]
# if these probabilities were right, the admitted share would have this standard error
spread = np.sqrt(np.sum(forest_proba * (1 - forest_proba))) / len(admit_test)
claim(
    forest_proba.mean() - admit_test.mean() > 1.96 * spread,
    "the balanced forest's probabilities are too high for the rare class",
    evidence=f"mean {forest_proba.mean():.1%}, admitted {admit_test.mean():.1%}, "
    f"standard error {spread:.1%}",
)
reliability

# %%
# ## Recalibrating the forest
#
# `CalibratedClassifierCV` fits the forest on parts of the training set and learns, on
# the held-out parts, a monotone map from scores to probabilities: a logistic curve
# (`method="sigmoid"`, Platt scaling) or a step function (`method="isotonic"`). With
# `cv=3` it averages three calibrated forests, so the order of the applicants can
# change a little. The last line makes the mistake that the `cv` avoids: it learns the
# isotonic map from the fitted forest's scores on its own training applicants.
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import roc_auc_score

recalibrated = {"uncalibrated": forest_proba}
for method in ("sigmoid", "isotonic"):
    calibrated = CalibratedClassifierCV(mba_forest(), method=method, cv=3)
    calibrated.fit(X_train, admit_train)
    recalibrated[method] = calibrated.predict_proba(X_test)[:, 1]
frozen = FrozenEstimator(models["random forest (balanced)"])
on_training_set = CalibratedClassifierCV(frozen, method="isotonic")
in_sample_map = on_training_set.fit(X_train, admit_train).predict_proba(X_test)[:, 1]
recalibrated["isotonic on the training set"] = in_sample_map

fig = plt.figure(figsize=(12, 8.5))
grid = fig.add_gridspec(2, 4, height_ratios=[2, 1])
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
    ax.set_title(f"forest, {name}", fontsize=9)
    ax.set_xlabel("predicted probability")
fig.axes[1].set_ylabel("test applicants")
ax_curve.set_title("Random forest before and after recalibration")
ax_curve.set_xlabel("mean predicted probability of Admit (per bin)")
ax_curve.set_ylabel("fraction admitted (per bin)")
ax_curve.legend(loc="upper left", fontsize=9)
plt.show()

# %%
# ## What recalibration changed
#
# Each difference that a sentence ranks gets a paired bootstrap interval. The forest
# ranks its own training applicants better than new ones, so a map fitted to their
# scores does not describe the scores of new applicants.
from mlviz.inspect.performance import bootstrap_interval

brier = {name: brier_score_loss(admit_test, p) for name, p in recalibrated.items()}
aucs = {name: roc_auc_score(admit_test, p) for name, p in recalibrated.items()}
best = min(("sigmoid", "isotonic"), key=brier.get)
runner_up = "sigmoid" if best == "isotonic" else "isotonic"


def paired(metric, a, b):
    return bootstrap_difference(
        metric, admit_test, recalibrated[a], recalibrated[b], n_resamples=n_resamples
    )


gain = paired(brier_score_loss, "uncalibrated", best)
duel = paired(brier_score_loss, runner_up, best)
reorder = paired(roc_auc_score, "uncalibrated", best)
mistake = paired(brier_score_loss, "isotonic on the training set", "isotonic")
versus_none = paired(brier_score_loss, "uncalibrated", "isotonic on the training set")
train_auc = roc_auc_score(
    admit_train, models["random forest (balanced)"].predict_proba(X_train)[:, 1]
)
test_auc = bootstrap_interval(
    roc_auc_score, admit_test, forest_proba, n_resamples=n_resamples
)
claim(
    gain.low > 0 and train_auc > test_auc.high and mistake.low > 0,
    "recalibration lowers the Brier score; the forest ranks its training applicants "
    "better than new ones, and a map fitted to their scores does worse than the "
    "cross-validated one",
    evidence=f"gain {gain:.4f}; ROC-AUC {train_auc:.3f} on training, {test_auc:.3f} "
    f"on test; in-sample map minus cross-validated map {mistake:.4f}",
)
duel_words = (
    f"the {best} map beats the {runner_up} map by {duel:.4f}"
    if duel.excludes(0)
    else f"the {best} and {runner_up} maps cannot be told apart ({duel:.4f})"
)
none_words = (
    "still beats no recalibration at all"
    if versus_none.low > 0
    else "is worse than no recalibration at all"
    if versus_none.high < 0
    else "cannot be told from no recalibration at all"
)
say(
    f"Recalibration ({best}) lowers the Brier score from {brier['uncalibrated']:.4f} "
    f"to {brier[best]:.4f}, by {gain:.4f} (95% paired intervals here and below); "
    f"{duel_words}. The "
    f"ROC-AUC moves by {reorder:+.3f}: "
    + (
        "recalibration fixes what the probabilities mean, not how the applicants are "
        "ordered."
        if not reorder.excludes(0)
        else "small, but beyond the noise: the refitted forests order the applicants "
        "a little differently."
    )
    + f" The forest's ROC-AUC is {train_auc:.3f} on its training applicants, above "
    f"the interval of its test AUC ({test_auc:.3f}); the isotonic map fitted to those "
    f"optimistic scores loses to the cross-validated map by {mistake:.4f}. It "
    f"{none_words} ({versus_none:.4f})"
    + (
        ": here the class weights distort the probabilities more than the in-sample "
        "fit distorts the map."
        if versus_none.low > 0
        else "."
    )
)
pd.DataFrame(
    {
        "Brier score": brier,
        "mean prediction": {n: p.mean() for n, p in recalibrated.items()},
        "ROC-AUC": aucs,
    }
).rename_axis("forest").round(4)

# %%
# ## How to read these figures
#
# * **The diagonal is perfect calibration.** A point below it means the model
#   over-predicts in that bin (it said 40%, 25% were admitted); above, it under-predicts.
# * **Each point is a bin of applicants** (about the same number per bin), with the 95%
#   interval of the share admitted: a bar that crosses the diagonal is within the noise.
#   The histogram shows where the predictions lie.
# * **The Brier score** combines calibration and resolution (how well the probabilities
#   separate admits from the others); compare it to the base-rate model.
#
# ## Pitfalls
#
# * **A reliability diagram without intervals invites reading noise as
#   miscalibration.** With a few hundred applicants per bin a point moves by several
#   points between test sets. Show the intervals, and judge a model by how many bins
#   miss the diagonal, not by its worst one.
# * **Calibrate on data the model was not fitted on** (the `cv` of
#   `CalibratedClassifierCV`): in-sample scores separate the classes better than new
#   data will, so a map fitted to them describes the wrong scores.
# * **Class weights and resampling break calibration on purpose.** A forest trained
#   with `class_weight="balanced"` predicts as if classes were equally common, so its
#   probabilities are too high for the rare class. Recalibrate before using them as
#   probabilities.
# * **Isotonic regression overfits small calibration sets**; with few positives, the
#   two-parameter sigmoid is safer. **Bins are a choice**: say which strategy you used.
