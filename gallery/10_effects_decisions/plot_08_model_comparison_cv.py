"""
# Is model A really better? Cross-validation splits and a corrected paired comparison

**Catalog J8** · **Question:** comparison, performance · **Family:** any · **Phase:** after training · **Data:** MBA

Cross-validation gives two models a score on each fold, and one of them almost always
comes out ahead on average. Whether it would stay ahead on new data depends on two
things this page draws. First, how the splitter divides the rows: a plain shuffle,
classes kept in proportion, groups kept apart, time kept in order (drawn as in
scikit-learn's `plot_cv_indices` example). Second, how the fold scores are compared: the
textbook paired t-test treats the folds as independent, but every two folds share most
of their training rows, and repeating the cross-validation reuses the same rows again,
so that test declares a difference far more often than its level allows. Nadeau and
Bengio's correction widens the interval for that. The page compares a random forest with a logistic
regression on the MBA admissions over repeated stratified folds, and concludes only
what the corrected interval supports. The MBA table is synthetic: generated from the
statistics of Wharton's Class of 2025, not the records of real applicants.
"""

# %%
# ## The data
#
# MBA admission decisions (Admit, Waitlist, Deny). Few applicants are waitlisted, which
# matters for how the rows are split. The table has no real groups and no dates; to
# draw the group and time splitters, this page uses the applicant's *industry* as the
# group (a test fold then holds industries that the model never saw) and the order of
# the file as the order of arrival. Both are illustrative, and the comparison below
# uses neither.
import numpy as np

from mlviz.config import QUICK, SEED
from mlviz.datasets import load_mba, prepare_mba
from mlviz.report import claim, say

mba = load_mba()
X, y = prepare_mba(mba)
industry = mba["work_industry"]
say(
    f"{len(X):,} applicants, {X.shape[1]} features, {industry.nunique()} industries; "
    f"{(y == 'Admit').mean():.1%} admitted, **{(y == 'Waitlist').sum()}** waitlisted "
    f"({(y == 'Waitlist').mean():.1%})."
)

# %%
# ## Four ways to split the rows
#
# * `KFold(5, shuffle=True)` cuts the shuffled rows into five test folds;
# * `StratifiedKFold` does the same but gives each fold the classes in the same
#   proportions;
# * `GroupKFold` keeps every group whole, on one side of each split;
# * `TimeSeriesSplit` always tests on rows that come after its training rows, and leaves
#   the later rows out (blank).
#
# The diagram shows every 25th applicant of the file, in file order, except for
# `GroupKFold`, whose rows are sorted by industry so that each group is one block.
# `plot_cv_splits` (from the gallery's helper package) draws one row per split, then the
# class and the group of each applicant.
import matplotlib.pyplot as plt
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit

from mlviz.inspect.comparison import TEST, TRAIN, cv_split_matrix
from mlviz.plotting import plot_cv_splits
from mlviz.plotting import ADMISSION_COLORS

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

splitters = {
    "KFold (shuffled)": KFold(5, shuffle=True, random_state=SEED),
    "StratifiedKFold (shuffled)": StratifiedKFold(5, shuffle=True, random_state=SEED),
    "GroupKFold (group: industry, rows sorted by it)": GroupKFold(5),
    "TimeSeriesSplit (order: file order)": TimeSeriesSplit(5),
}
shown = y.index[::25]
by_industry = industry[shown].sort_values(kind="stable").index
fig, axes = plt.subplots(4, 1, figsize=(9, 10), sharex=True)
for ax, (name, cv) in zip(axes, splitters.items()):
    order = by_industry if isinstance(cv, GroupKFold) else shown
    plot_cv_splits(
        cv,
        X.loc[order],
        y[order],
        groups=industry[order],
        ax=ax,
        class_colors=ADMISSION_COLORS,
        test_color="#C44E52",  # not orange: that is the Waitlist class
        legend=ax is axes[-1],  # the last panel has every kind of cell
    )
    ax.set_title(name, loc="left")
    ax.set_xlabel("")
axes[-1].set_xlabel(f"applicant ({len(shown)} shown)")
plt.show()

# %%
# ## What each splitter guarantees, counted on all rows
#
# The diagram shows a sample; the guarantees are counted on every applicant.
# `cv_split_matrix` gives, for each split, which rows it trains on and which it tests
# on. A shuffled `KFold` leaves the number of waitlisted applicants in a test fold to
# chance; `StratifiedKFold` fixes it.
import pandas as pd

splits = {
    name: cv_split_matrix(cv, X, y, groups=industry) for name, cv in splitters.items()
}
kfold, stratified, grouped, timed = splits.values()
waitlist = (y == "Waitlist").to_numpy(dtype=int)
per_fold = pd.DataFrame(
    {
        name: (matrix == TEST) @ waitlist
        for name, matrix in [("KFold", kfold), ("StratifiedKFold", stratified)]
    },
    index=pd.RangeIndex(1, 6, name="test fold"),
)
claim(
    np.ptp(per_fold["StratifiedKFold"]) <= 1,
    "StratifiedKFold gives every test fold the same number of waitlisted applicants, "
    "up to one",
    evidence=f"{per_fold['StratifiedKFold'].tolist()}",
)
shared = [
    set(industry[m == TEST]) & set(industry[m == TRAIN]) for m in grouped
]  # industries on both sides of a split
claim(
    not any(shared),
    "GroupKFold never puts an industry on both sides of a split",
    evidence=f"shared industries per split: {shared}",
)
claim(
    all(
        np.flatnonzero(m == TRAIN).max() < np.flatnonzero(m == TEST).min()
        for m in timed
    ),
    "each TimeSeriesSplit trains only on rows that come before its test rows",
)
test_sizes = (grouped == TEST).sum(axis=1)
span = {
    name: f"{c.min()} to {c.max()}" if c.min() < c.max() else f"exactly {c.min()}"
    for name, c in per_fold.items()
}
say(
    f"Waitlisted applicants per test fold: {span['KFold']} with `KFold`, "
    f"{span['StratifiedKFold']} with `StratifiedKFold`. `GroupKFold`'s test "
    f"folds hold whole industries, {test_sizes.min():,} to {test_sizes.max():,} "
    f"applicants; `TimeSeriesSplit` trains on {(timed[0] == TRAIN).sum():,} applicants "
    f"in its first split and {(timed[-1] == TRAIN).sum():,} in its last."
)
per_fold

# %%
# ## Two models on the same repeated folds
#
# `RepeatedStratifiedKFold` runs 5-fold stratified cross-validation several times,
# reshuffled each time. Both models get the *same* splits (the same `cv` object with a
# fixed `random_state`), so each split gives one paired difference of their balanced
# accuracy (mean recall over the three classes; always answering *Deny* scores 1/3).
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

k, repeats = 5, 3 if QUICK else 5
rows = y.sample(1500, random_state=SEED).index if QUICK else y.index
cv = RepeatedStratifiedKFold(n_splits=k, n_repeats=repeats, random_state=SEED)
models = {
    "random forest": RandomForestClassifier(
        n_estimators=50, max_depth=8, class_weight="balanced", random_state=SEED
    ),
    "logistic regression": make_pipeline(
        StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=1000)
    ),
}
scores = {
    name: cross_val_score(
        model, X.loc[rows], y[rows], cv=cv, scoring="balanced_accuracy"
    )
    for name, model in models.items()
}
differences = scores["random forest"] - scores["logistic regression"]
pd.DataFrame(
    differences.reshape(repeats, k),
    index=pd.RangeIndex(1, repeats + 1, name="repetition"),
    columns=[f"fold {i}" for i in range(1, k + 1)],
).round(3)

# %%
# ## The naive interval and the corrected one
#
# With $J = rk$ differences $d_j$ (mean $\bar d$, sample variance $\hat\sigma^2$), the
# naive paired t interval is $\bar d \pm t_{J-1}\sqrt{\hat\sigma^2 / J}$: it treats the
# $J$ differences as independent. Nadeau and Bengio (2003) account for the training
# rows that every two splits share, and Bouckaert and Frank (2004) apply it to repeated
# k-fold cross-validation:
#
# $$\bar d \pm t_{J-1,\,0.975}\sqrt{\left(\frac{1}{J} + \frac{n_\text{test}}{n_\text{train}}\right)\hat\sigma^2}.$$
#
# The naive interval comes from `scipy.stats.ttest_1samp`; `corrected_paired_interval`
# (from the gallery's helper package) computes the corrected one.
from scipy import stats

from mlviz.inspect.comparison import corrected_paired_interval

n_test = len(rows) / k
n_train = len(rows) - n_test
naive = stats.ttest_1samp(differences, 0.0).confidence_interval(0.95)
corrected = corrected_paired_interval(differences, n_train, n_test)
intervals = pd.DataFrame(
    {
        "mean difference": differences.mean(),
        "low": [naive.low, corrected.low],
        "high": [naive.high, corrected.high],
    },
    index=["naive t (splits independent)", "corrected (Nadeau and Bengio)"],
)
intervals["contains 0"] = (intervals["low"] <= 0) & (intervals["high"] >= 0)
intervals.round(4)

# %%
# ## Paired scores, and the interval as repetitions are added
#
# Left: each split's balanced accuracy for the two models; a point above the diagonal is
# a split the forest won. Right: both intervals computed from the first $r$ repetitions
# only. More repetitions narrow the naive interval towards nothing; the corrected one
# keeps a floor of about $t\sqrt{n_\text{test}/n_\text{train}}\,\hat\sigma$, because the
# repetitions reuse the same applicants.
fig, (ax_s, ax_r) = plt.subplots(1, 2, figsize=(11, 4.6))
a, b = scores["random forest"], scores["logistic regression"]
ax_s.scatter(b, a, c=np.repeat(np.arange(repeats), k), cmap="viridis", s=30)
ends = [min(a.min(), b.min()) - 0.01, max(a.max(), b.max()) + 0.01]
ax_s.plot(ends, ends, color="0.5", ls="--", lw=1, label="equal scores")
ax_s.set_aspect("equal", adjustable="datalim")
ax_s.set(
    xlabel="logistic regression",
    ylabel="random forest",
    title="balanced accuracy per split (colour: repetition)",
)
ax_s.legend(loc="upper left")
used = np.arange(1, repeats + 1)
by_repeats = {"naive": [], "corrected": []}
for r in used:
    first = differences[: r * k]  # the splits of the first r repetitions
    by_repeats["naive"].append(stats.ttest_1samp(first, 0.0).confidence_interval())
    c = corrected_paired_interval(first, n_train, n_test)
    by_repeats["corrected"].append((c.low, c.high))
centre = np.array([differences[: r * k].mean() for r in used])
colors = {"naive": "#8C8C8C", "corrected": "#4C72B0"}
for offset, (name, ends) in zip([-0.08, 0.08], by_repeats.items()):
    ends = np.array(ends)
    ax_r.errorbar(
        used + offset,
        centre,
        yerr=[centre - ends[:, 0], ends[:, 1] - centre],
        fmt="o",
        color=colors[name],
        capsize=4,
        label=f"{name} 95% interval",
    )
ax_r.axhline(0, color="0.5", lw=1)
ax_r.set(
    xlabel="repetitions used ($r$)",
    ylabel="forest minus logistic regression",
    xticks=used,
    title="mean paired difference",
)
ax_r.legend(loc="lower right")
plt.show()

# %%
# ## Is the forest really better?
#
# The conclusion follows the corrected interval; the naive one is reported only to show
# what it would have claimed.
if corrected.low > 0:
    verdict = "the random forest is better"
elif corrected.high < 0:
    verdict = "the logistic regression is better"
else:
    verdict = "these folds cannot tell the two models apart"
excludes = [not low <= 0 <= high for low, high in by_repeats["naive"]]
since = next((r for r in used if all(excludes[r - 1 :])), None)  # excludes 0 from r on
if since and not corrected.excludes(0):
    naive_words = (
        f"The naive interval excludes 0 with {since} or more repetitions and would "
        f"declare a winner: an overclaim, since it counts {repeats * k} overlapping "
        "splits as independent samples."
    )
elif since:
    naive_words = "The naive interval agrees, but it is narrower than the data allow."
else:
    naive_words = "Even the naive interval contains 0."
say(
    f"Over {repeats} x {k} folds the random forest scores {a.mean():.3f} and the "
    f"logistic regression {b.mean():.3f} (balanced accuracy); the mean paired "
    f"difference is {corrected.estimate:+.3f}. Corrected 95% interval "
    f"[{corrected.low:+.3f}, {corrected.high:+.3f}], naive [{naive.low:+.3f}, "
    f"{naive.high:+.3f}]: the corrected one is "
    f"{2 * corrected.half_width / (naive.high - naive.low):.1f} times wider. "
    f"**Conclusion: {verdict}.** {naive_words}"
)

# %%
# ## How to read these figures
#
# * **Split diagram**: each row is one split, red cells are its test rows, blue its
#   training rows, blank rows it leaves out. Below, the class (green Admit, orange
#   Waitlist, grey Deny) and the group of each row. Check the splitter against how the
#   model will be used: new applicants from known industries (stratified folds), a new
#   industry (group folds), next year's applicants (time order).
# * **Paired scores**: points that spread along the diagonal are splits that are harder
#   or easier for both models; what matters is on which side of the diagonal they fall,
#   and by how much, which the paired differences measure.
# * **Intervals**: the conclusion is the corrected interval. If it contains 0, the folds
#   cannot rank the models, and its width says how large a difference could hide in
#   the noise; a tie is not a proof that the models are equal.
#
# ## Pitfalls
#
# * **Treating the fold scores as independent samples.** The paired t-test on k-fold
#   (or repeated k-fold) scores rejects a true null far more often than its level says,
#   because the splits share training rows and repetitions reuse the same rows
#   (Dietterich 1998; Nadeau and Bengio 2003; Bouckaert and Frank 2004). More
#   repetitions only make the naive interval narrower; use the corrected one.
# * **The correction is a heuristic**: it guesses the correlation of two splits'
#   differences as $\rho = n_\text{test}/n$ (the factor $n_\text{test}/n_\text{train}$
#   is $\rho/(1-\rho)$). It keeps the false-positive rate near its level in their
#   experiments, but it does not cover a different data set from another population.
# * **Choose the splitter by how the model will be used.** A shuffled `KFold` on rows
#   that come in groups (patients, schools, industries) or in time order scores the
#   model on neighbours of its training rows and overstates it.
# * **Selecting a model on the same folds and reporting its score** is optimistic:
#   compare on the folds, then estimate the winner's score on data kept aside.
