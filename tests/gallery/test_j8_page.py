"""Page J8 (cross-validation splits, corrected paired comparison) and its helper module.

The first tests check :mod:`mlviz.inspect.comparison` on its own: the corrected interval
against Nadeau and Bengio's formula written out with plain sums and against
``scipy.stats.t``, the split matrix against the splitters' own indices, the drawing by
its artists. The page tests run J8 once in quick mode, recompute its numbers
independently (the splitters' folds, a model's fold scores, both intervals), and run
its cells again with the numbers of the opposite case, so that each claim and each
choice of words is shown to follow the evidence.
"""

from __future__ import annotations

import math
import os
import re
import warnings

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GroupKFold,
    KFold,
    StratifiedKFold,
    TimeSeriesSplit,
)

from mlviz.datasets import MIRROR_ENV  # noqa: E402
from mlviz.plotting import plot_cv_splits  # noqa: E402
from mlviz.inspect.comparison import (  # noqa: E402
    TEST,
    TRAIN,
    UNUSED,
    PairedInterval,
    corrected_paired_interval,
    cv_split_matrix,
)
from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import page_path, run_quick  # noqa: E402

PAGE = "10_effects_decisions/plot_08_model_comparison_cv.py"
needs_data = pytest.mark.skipif(
    not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)"
)


def written_out(d, n_train, n_test, level=0.95, corrected=True):
    """Nadeau and Bengio's interval from plain sums: d_bar -+ t sqrt((1/J + n_test/n_train) s^2)."""
    d = [float(v) for v in d]
    J = len(d)
    mean = sum(d) / J
    s2 = sum((v - mean) ** 2 for v in d) / (J - 1)
    factor = 1 / J + (n_test / n_train if corrected else 0.0)
    half = stats.t.ppf(0.5 + level / 2, J - 1) * math.sqrt(factor * s2)
    return mean - half, mean + half


# ------------------------------------------------------------------ the corrected interval


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_corrected_interval_matches_the_written_formula_and_scipy_t(level):
    d = np.random.default_rng(1).normal(0.02, 0.03, 25)  # 5 x 5 repeated folds
    n_train, n_test = 4955.2, 1238.8
    got = corrected_paired_interval(d, n_train, n_test, confidence_level=level)
    low, high = written_out(d, n_train, n_test, level)
    tol = rounding_tolerance("float64", scale=np.abs(d).sum(), n_terms=d.size)
    assert abs(got.low - low) <= tol and abs(got.high - high) <= tol
    # the same interval as a t distribution with J - 1 degrees of freedom and the
    # inflated standard error (scipy computes the quantile and the scaling itself)
    scale = math.sqrt((1 / 25 + n_test / n_train) * np.var(d, ddof=1))
    s_low, s_high = stats.t.interval(level, 24, loc=d.mean(), scale=scale)
    assert abs(got.low - s_low) <= tol and abs(got.high - s_high) <= tol
    # with the correlation term gone it is scipy's paired (one-sample) t interval
    naive = stats.ttest_1samp(d, 0.0).confidence_interval(level)
    no_overlap = corrected_paired_interval(d, 1.0, 1e-300, confidence_level=level)
    assert (
        abs(no_overlap.low - naive.low) <= tol
        and abs(no_overlap.high - naive.high) <= tol
    )


def test_corrected_interval_for_one_k_fold_is_what_c5_and_c8_computed():
    """Pages C5 and C8 defined the interval for one 5-fold run, one comparison per row."""
    rows = np.random.default_rng(2).normal(0.0, 0.05, (7, 5))
    mean, half = corrected_paired_interval(rows, 480, 120)  # unpacks as before
    assert mean.shape == half.shape == (7,)
    for row, m, h in zip(rows, mean, half):
        low, high = written_out(row, 480, 120)
        tol = rounding_tolerance("float64", scale=np.abs(row).sum(), n_terms=5)
        assert abs((m - h) - low) <= tol and abs((m + h) - high) <= tol


def test_repetitions_shrink_the_naive_interval_not_the_corrected_floor():
    d = np.tile(
        np.random.default_rng(3).normal(0.01, 0.02, 5), 100
    )  # 100 identical repeats
    corrected = corrected_paired_interval(d, 400, 100)
    naive_half = stats.ttest_1samp(d, 0.0).confidence_interval().high - d.mean()
    floor = stats.t.ppf(0.975, d.size - 1) * math.sqrt(100 / 400 * np.var(d, ddof=1))
    assert naive_half < 0.1 * corrected.half_width  # the naive one shrinks to nothing
    assert floor <= corrected.half_width <= 1.01 * floor


def test_the_correction_is_a_correlation_of_n_test_over_n():
    """Pitfall "guesses the correlation ... as rho = n_test/n (the factor n_test/n_train
    is rho/(1 - rho))": for J differences with that pairwise correlation, the corrected
    interval covers their mean 95% of the time; with a correlation of n_test/n_train
    instead, it falls short."""
    n_train, n_test, J, sims = 400.0, 100.0, 25, 4000
    rho = n_test / (n_train + n_test)
    assert rho / (1 - rho) == pytest.approx(n_test / n_train)
    rng = np.random.default_rng(0)
    band = 3 * math.sqrt(0.95 * 0.05 / sims)

    def coverage(correlation):
        shared = rng.normal(size=(sims, 1))  # equicorrelated differences
        noise = rng.normal(size=(sims, J))
        d = 0.01 + math.sqrt(correlation) * shared + math.sqrt(1 - correlation) * noise
        intervals = [corrected_paired_interval(row, n_train, n_test) for row in d]
        return np.mean([i.low <= 0.01 <= i.high for i in intervals])

    assert abs(coverage(rho) - 0.95) < band
    assert coverage(n_test / n_train) < 0.95 - band  # the opposite case


def test_paired_interval_ends_and_format():
    interval = PairedInterval(0.02, 0.005)
    assert (interval.low, interval.high) == (0.015, 0.025)
    assert interval.excludes(0) and not interval.excludes(0.02)
    assert f"{interval:.3f}" == "0.020 [0.015, 0.025]"
    assert not PairedInterval(0.001, 0.005).excludes(0)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([0.1], 90, 10), {}, "at least 2 splits"),
        ((0.1, 90, 10), {}, "at least 2 splits"),
        (([0.1, np.nan], 90, 10), {}, "finite"),
        (([0.1, 0.2], 0, 10), {}, "n_train must be a positive"),
        (([0.1, 0.2], 90, True), {}, "n_test must be a positive"),
        (([0.1, 0.2], 90, 10), {"confidence_level": 1.0}, "confidence_level"),
    ],
)
def test_corrected_interval_names_the_bad_argument(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        corrected_paired_interval(*args, **kwargs)


# ---------------------------------------------------------------------- the split matrix


def test_split_matrix_matches_the_splitters_indices():
    X = np.arange(40).reshape(20, 2)
    y = np.r_[np.zeros(15), np.ones(5)]
    groups = np.repeat(list("abcde"), 4)
    for cv in (
        KFold(4, shuffle=True, random_state=0),
        StratifiedKFold(5),
        GroupKFold(5),
        TimeSeriesSplit(3),
    ):
        matrix = cv_split_matrix(cv, X, y, groups)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The groups parameter is ignored")
            splits = list(cv.split(X, y, groups))
        assert matrix.shape == (len(splits), 20) and matrix.dtype == np.int8
        for row, (train, test) in zip(matrix, splits):
            assert set(np.flatnonzero(row == TRAIN)) == set(train)
            assert set(np.flatnonzero(row == TEST)) == set(test)
            assert set(np.flatnonzero(row == UNUSED)) == set(range(20)) - set(
                train
            ) - set(test)
    assert (
        cv_split_matrix(TimeSeriesSplit(3), X)[0] == UNUSED
    ).sum() == 10  # the future


def test_split_matrix_passes_groups_without_warnings_and_checks_its_inputs():
    X = np.zeros((12, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # KFold ignores groups: no warning about it
        cv_split_matrix(KFold(3), X, groups=np.arange(12) % 4)

    class Overlapping:
        def split(self, X, y=None, groups=None):
            yield np.arange(8), np.arange(6, 12)

    with pytest.raises(ValueError, match="both its training and test part"):
        cv_split_matrix(Overlapping(), X)
    with pytest.raises(
        ValueError, match=r"y must have one entry per row of X \(12\); got 5"
    ):
        cv_split_matrix(KFold(3), X, y=np.zeros(5))
    with pytest.raises(TypeError, match="cv must be a splitter"):
        cv_split_matrix(5, X)


def test_plot_cv_splits_draws_one_row_per_split_then_class_and_group():
    X, y = np.zeros((12, 1)), np.array(["a", "b"] * 6)
    groups = np.repeat([1, 2, 3], 4)
    ax = plot_cv_splits(TimeSeriesSplit(3), X, y, groups, test_color="#C44E52")
    image = ax.images[0].get_array()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["split 1", "split 2", "split 3", "", "class", "group"]
    matrix = cv_split_matrix(TimeSeriesSplit(3), X)
    red = np.all(
        np.isclose(image[:3, :, :3], matplotlib.colors.to_rgb("#C44E52")), axis=-1
    )
    assert np.array_equal(red, matrix == TEST)
    assert np.array_equal(image[:3, :, 3] == 0, matrix == UNUSED)  # blank where unused
    assert (
        len({tuple(c) for c in image[4]}) == 2
        and len({tuple(c) for c in image[5]}) == 3
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["training", "test", "not used", "a", "b"]
    with pytest.raises(ValueError, match="class_colors has no colour for"):
        plot_cv_splits(KFold(3), X, y, class_colors={"a": "red"})
    plt.close("all")


# ------------------------------------------------------------------------------ the page


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    folder = tmp_path_factory.mktemp("j8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        namespace = run_quick(PAGE, folder)
    yield namespace
    plt.close("all")


def cell(heading):
    """The source of the page's cell whose heading (``# ## ...``) contains ``heading``."""
    cells = re.split(r"^# %%.*$", page_path(PAGE).read_text(), flags=re.M)
    found = [
        c for c in cells if re.search(rf"^# #+ .*{re.escape(heading)}", c, flags=re.M)
    ]
    assert len(found) == 1, f"J8 has {len(found)} cells headed {heading!r}"
    return found[0]


def rerun(namespace, headings, **replaced):
    """Run cells of the page again on a copy of its namespace with some names replaced;
    return the namespace and what the cells said."""
    said = []
    ns = {**namespace, **replaced, "say": said.append}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("mlviz.report.say", said.append)
        mp.setattr(plt, "show", lambda *args, **kwargs: plt.close("all"))
        mp.setenv("MLVIZ_QUICK", "1")
        for heading in headings:
            exec(compile(cell(heading), str(page_path(PAGE)), "exec"), ns)
    return ns, said


GUARANTEES = "What each splitter guarantees"
COMPARISON = [
    "The naive interval and the corrected one",
    "Paired scores",
    "Is the forest really better?",
]


@pytest.mark.slow
@needs_data
def test_j8_split_counts_from_the_splitters_themselves(ns):
    from mlviz.config import SEED

    X, y, industry = ns["X"], ns["y"], ns["industry"].to_numpy()
    waitlist = (y == "Waitlist").to_numpy()
    for name, cv in [
        ("KFold", KFold(5, shuffle=True, random_state=SEED)),
        ("StratifiedKFold", StratifiedKFold(5, shuffle=True, random_state=SEED)),
    ]:
        counts = [int(waitlist[test].sum()) for _, test in cv.split(X, y)]
        assert ns["per_fold"][name].tolist() == counts
    assert (
        np.ptp(ns["per_fold"]["KFold"]) > 1
    )  # the opposite case is on the page itself
    for train, test in GroupKFold(5).split(X, y, industry):
        assert not set(industry[train]) & set(industry[test])
    sizes = [len(test) for _, test in GroupKFold(5).split(X, y, industry)]
    assert f"{min(sizes):,} to {max(sizes):,} applicants" in ns["_findings"][1]
    first, *_, last = TimeSeriesSplit(5).split(X)
    assert (
        f"{len(first[0]):,} applicants in its first split and {len(last[0]):,}"
        in ns["_findings"][1]
    )
    assert len(ns["_figures"][0].axes) == 4 and len(ns["shown"]) == len(y[::25])


@pytest.mark.slow
@needs_data
@pytest.mark.parametrize(
    ("slot", "statement"),
    [
        ("StratifiedKFold (shuffled)", "StratifiedKFold gives every test fold"),
        (
            "GroupKFold (group: industry, rows sorted by it)",
            "GroupKFold never puts an industry",
        ),
        ("TimeSeriesSplit (order: file order)", "each TimeSeriesSplit trains only"),
    ],
)
def test_j8_split_claims_fail_for_a_plain_shuffle(ns, slot, statement):
    """Each guarantee, fed a shuffled KFold in its splitter's place, fails its claim."""
    splitters = {**ns["splitters"], slot: KFold(5, shuffle=True, random_state=1)}
    with pytest.raises(ClaimError, match=statement):
        rerun(ns, [GUARANTEES], splitters=splitters)
    rerun(ns, [GUARANTEES])  # the page's own splitters pass


@pytest.mark.slow
@needs_data
def test_j8_fold_scores_and_both_intervals_recomputed(ns):
    from sklearn.base import clone
    from sklearn.metrics import balanced_accuracy_score

    X, y, rows, cv, k = (
        ns["X"].loc[ns["rows"]],
        ns["y"][ns["rows"]],
        ns["rows"],
        ns["cv"],
        ns["k"],
    )
    splits = list(cv.split(X, y))
    assert len(splits) == ns["repeats"] * k
    # both models got the same splits: the cv object gives the same folds every time
    assert all(
        np.array_equal(t1, t2) for (_, t1), (_, t2) in zip(splits, cv.split(X, y))
    )
    logistic = [
        balanced_accuracy_score(
            y.iloc[test],
            clone(ns["models"]["logistic regression"])
            .fit(X.iloc[train], y.iloc[train])
            .predict(X.iloc[test]),
        )
        for train, test in splits
    ]
    np.testing.assert_allclose(
        ns["scores"]["logistic regression"], logistic, rtol=0, atol=1e-12
    )
    train, test = splits[0]
    forest = clone(ns["models"]["random forest"]).fit(X.iloc[train], y.iloc[train])
    assert ns["scores"]["random forest"][0] == balanced_accuracy_score(
        y.iloc[test], forest.predict(X.iloc[test])
    )

    d = ns["differences"]
    n = len(rows)
    tol = rounding_tolerance("float64", scale=np.abs(d).sum(), n_terms=d.size)
    low, high = written_out(d, n - n / k, n / k)
    assert (
        abs(ns["corrected"].low - low) <= tol
        and abs(ns["corrected"].high - high) <= tol
    )
    low, high = written_out(d, 1, 1, corrected=False)
    assert abs(ns["naive"].low - low) <= tol and abs(ns["naive"].high - high) <= tol
    table = ns["intervals"]
    assert table["contains 0"].tolist() == [
        ns["naive"].low <= 0 <= ns["naive"].high,
        not ns["corrected"].excludes(0),
    ]


def verdict_from_formula(d, n, k):
    low, high = written_out(d, n - n / k, n / k)
    if low > 0:
        return "the random forest is better"
    if high < 0:
        return "the logistic regression is better"
    return "these folds cannot tell the two models apart"


@pytest.mark.slow
@needs_data
def test_j8_conclusion_follows_the_corrected_interval(ns):
    d, n, k = ns["differences"], len(ns["rows"]), ns["k"]
    assert ns["verdict"] == verdict_from_formula(d, n, k)
    assert f"**Conclusion: {ns['verdict']}.**" in ns["_findings"][-1]
    # "the naive interval excludes 0 with r or more repetitions": the first r from which
    # every naive interval on the first r repetitions excludes 0
    excl = [
        written_out(d[: r * k], 1, 1, corrected=False)
        for r in range(1, ns["repeats"] + 1)
    ]
    excl = [not lo <= 0 <= hi for lo, hi in excl]
    since = next((r for r in range(1, len(excl) + 1) if all(excl[r - 1 :])), None)
    assert ns["since"] == since


def opposite_cases(repeats, k):
    """Differences of the other outcomes, on the page's number of splits."""
    rng = np.random.default_rng(5)
    noise = rng.normal(0, 0.03, repeats * k)
    return {
        "forest far ahead": (
            0.2 + noise,
            "the random forest is better",
            "The naive interval agrees",
        ),
        "logistic far ahead": (
            -0.2 + noise,
            "the logistic regression is better",
            "The naive interval agrees",
        ),
        "no difference at all": (
            noise - noise.mean(),
            "cannot tell",
            "Even the naive interval contains 0",
        ),
        # naive excludes 0, corrected does not: a mean of 1.5 naive half-widths
        "naive overclaims": (
            noise
            - noise.mean()
            + 1.5
            * stats.t.ppf(0.975, noise.size - 1)
            * noise.std(ddof=1)
            / math.sqrt(noise.size),
            "cannot tell",
            "would declare a winner",
        ),
    }


@pytest.mark.slow
@needs_data
@pytest.mark.parametrize(
    "case",
    [
        "forest far ahead",
        "logistic far ahead",
        "no difference at all",
        "naive overclaims",
    ],
)
def test_j8_conclusion_words_change_with_the_evidence(ns, case):
    repeats, k = ns["repeats"], ns["k"]
    d, verdict, naive_words = opposite_cases(repeats, k)[case]
    b = ns["scores"]["logistic regression"]
    scores = {"random forest": b + d, "logistic regression": b}
    after, said = rerun(ns, COMPARISON, scores=scores, differences=d)
    assert verdict in after["verdict"]
    assert after["verdict"] == verdict_from_formula(d, len(ns["rows"]), k)
    assert naive_words in said[-1]
