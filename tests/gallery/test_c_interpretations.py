"""The criteria behind the interpretive sentences of pages C1-C9, written out here.

A page words a finding from a test of its numbers: an exact binomial test, a Wilson
interval, a chi-square test, a count of calibration bins against a binomial, a paired
difference over cross-validation folds with Nadeau and Bengio's correction. Each
criterion is written here from its textbook formula, without the page's code or
scipy's test functions, so that ``test_performance_numbers`` can check that a page's
words follow its numbers. The tests in this file feed each criterion the numbers of
both cases (the page's own, and the opposite ones), so that a criterion which would let
every sentence through fails here.
"""

from __future__ import annotations

from math import comb, sqrt

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, norm, t


def wilson_interval(k, n, level=0.95):
    """Wilson's score interval for a proportion of k successes in n trials."""
    z = norm.ppf(0.5 + level / 2)
    centre = (k + z * z / 2) / (n + z * z)
    half = z * sqrt(k * (n - k) / n + z * z / 4) / (n + z * z)
    return centre - half, centre + half


def binomial_p(k, n):
    """Two-sided exact binomial test of p = 1/2: the chance of a split as uneven as k
    of n, or more uneven."""
    extreme = max(k, n - k)
    tail = sum(comb(n, j) for j in range(extreme, n + 1)) / 2**n
    return min(1.0, 2 * tail) if 2 * extreme != n else 1.0


def homogeneity_p(successes, totals):
    """Pearson's chi-square test that every group has the same success rate."""
    successes, totals = np.asarray(successes, float), np.asarray(totals, float)
    table = np.c_[successes, totals - successes]
    expected = np.outer(totals, table.sum(axis=0)) / totals.sum()
    statistic = np.sum((table - expected) ** 2 / expected)
    return chi2.sf(statistic, len(totals) - 1)


def misses_p(k, n, level=0.95):
    """Chance that a calibrated model's n bins leave the truth out of k or more of
    their intervals (each independently with probability 1 - level)."""
    q = 1 - level
    return sum(comb(n, j) * q**j * (1 - q) ** (n - j) for j in range(k, n + 1))


def corrected_lower_end(differences, n_train, n_test, level=0.95):
    """Lower end of the corrected resampled t interval of a mean per-fold difference
    (Nadeau & Bengio 2003): variance (1/k + n_test/n_train) s^2, k - 1 degrees."""
    d = np.asarray(differences, float)
    k = len(d)
    s2 = np.sum((d - d.mean()) ** 2) / (k - 1)
    return d.mean() - t.ppf(0.5 + level / 2, k - 1) * sqrt((1 / k + n_test / n_train) * s2)


def corrected_interval(differences, n_train, n_test, level=0.95):
    """Both ends of that interval."""
    d = np.asarray(differences, float)
    low = corrected_lower_end(d, n_train, n_test, level)
    return low, 2 * d.mean() - low


def beyond_calibration_noise(probabilities, outcomes, level=0.95):
    """Sign of (mean probability - observed share) when it exceeds what a calibrated
    model's outcomes (independent Bernoulli draws) would give; 0 within the noise."""
    p = np.asarray(probabilities, float)
    z = norm.ppf(0.5 + level / 2)
    excess = p.mean() - np.mean(outcomes)
    noise = z * sqrt(np.sum(p * (1 - p))) / len(p)
    return int(np.sign(excess)) if abs(excess) > noise else 0


def smallest_tied_c_falls(tied: pd.DataFrame, best_gamma) -> bool:
    """For gammas up to the best one, the smallest C tied with the best falls (or
    stays) as gamma grows, and falls from the smoothest kernel to the best one."""
    edge = []
    for gamma in tied.columns[tied.columns <= best_gamma]:
        rows = tied.index[tied[gamma].to_numpy()]
        if len(rows):
            edge.append(min(rows))
    return len(edge) > 1 and all(b <= a for a, b in zip(edge, edge[1:])) and edge[0] > edge[-1]


# --- each criterion goes both ways -----------------------------------------------------


def test_wilson_interval_matches_scipy_and_narrows_with_n():
    from scipy.stats import binomtest

    for k, n in [(4, 25), (0, 155), (81, 194), (294, 484)]:
        reference = binomtest(k, n).proportion_ci(method="wilson")
        assert wilson_interval(k, n) == pytest.approx((reference.low, reference.high), abs=1e-12)
    low, high = wilson_interval(4, 25)
    # the same share on 10 times the applicants: a much narrower interval
    low_big, high_big = wilson_interval(40, 250)
    assert high_big - low_big < (high - low) / 2
    # an interval of 0 successes starts at 0
    assert wilson_interval(0, 155)[0] == pytest.approx(0.0, abs=1e-12)


def test_c1_asymmetry_of_a_confusion_needs_more_than_a_few_samples():
    # the quick build: 7 one way, 2 the other is a split chance gives
    assert binomial_p(7, 9) == pytest.approx(0.1797, abs=1e-4)
    assert binomial_p(7, 9) > 0.05
    # 14 against 1 is not
    assert binomial_p(14, 15) < 0.05
    assert binomial_p(5, 10) == 1.0


def test_c1_the_largest_confusion_is_tested_as_the_one_picked_among_all_pairs():
    # the full build: 17 against 5, the largest of 15 pairs; alone it looks one-sided
    assert binomial_p(17, 22) < 0.05
    # picked as the largest of 15, it is a split that symmetric confusions often give
    assert min(1.0, 15 * binomial_p(17, 22)) > 0.05
    # a lopsided enough pair stays one-sided after the correction
    assert min(1.0, 15 * binomial_p(30, 33)) < 0.05


def test_c1_recalls_differ_only_beyond_the_split_noise():
    # the quick build: 36 to 46 correct of 50 per class
    assert homogeneity_p([36, 45, 39, 45, 46, 45], [50] * 6) < 0.05
    # recalls of 84% to 92% on 50 samples: chance can spread them that far
    assert homogeneity_p([42, 45, 44, 46, 43, 45], [50] * 6) > 0.05


def test_c1_false_alarm_share_is_worded_from_its_interval():
    def words(denied, flagged):
        low, high = wilson_interval(denied, flagged)
        return "more than half" if low > 0.5 else "fewer than half" if high < 0.5 else "about half"

    assert words(294, 484) == "more than half"  # the quick build
    assert words(200, 484) == "fewer than half"
    assert words(250, 484) == "about half"


def test_c4_counting_missed_bins_against_chance():
    # a calibrated model misses a 95% interval in about 1 of 20 bins
    assert misses_p(0, 8) == pytest.approx(1.0)
    assert misses_p(1, 8) == pytest.approx(1 - 0.95**8)
    assert misses_p(1, 8) > 0.05  # one missed bin of eight: consistent with calibration
    assert misses_p(3, 8) < 0.05 and misses_p(7, 8) < 1e-6  # three or more: not


def test_c4_a_bin_misses_the_diagonal_when_its_interval_leaves_out_its_prediction():
    # quick build, logistic regression's top bin: 47.4% predicted, 81 of 194 admitted
    low, high = wilson_interval(81, 194)
    assert low <= 0.474 <= high
    # naive Bayes's top bin: 91.2% predicted, 69 of 194 admitted
    low, high = wilson_interval(69, 194)
    assert not low <= 0.912 <= high


def test_c4_and_c9_calibration_in_the_large_goes_both_ways():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.0, 0.6, 1500)
    y = rng.random(1500) < p  # calibrated by construction
    assert beyond_calibration_noise(p, y) == 0
    assert beyond_calibration_noise(np.clip(p + 0.1, 0, 1), y) == 1  # too high
    assert beyond_calibration_noise(p * 0.6, y) == -1  # too low


def test_c5_c8_paired_fold_differences_with_the_correction():
    n_train, n_test = 1600, 400
    # quick C8: depth 3 against depth 1 is 6.3 points on average, but the folds disagree
    spread = np.array([0.02, 0.16, -0.01, 0.09, 0.055])
    assert corrected_lower_end(spread, n_train, n_test) < 0  # tied
    # the same mean, every fold agreeing: beyond the noise
    steady = np.array([0.06, 0.065, 0.062, 0.066, 0.062])
    assert corrected_lower_end(steady, n_train, n_test) > 0
    # the correction widens the plain paired t interval: a difference that the plain
    # interval separates from 0 can be a tie once the folds' shared training data count
    d = np.array([0.03, 0.07, 0.01, 0.06, 0.05])
    plain = d.mean() - t.ppf(0.975, 4) * d.std(ddof=1) / sqrt(5)
    assert plain > 0 > corrected_lower_end(d, n_train, n_test)


def test_c5_the_lower_edge_of_the_tied_region_runs_diagonally():
    cs, gammas = [0.01, 1.0, 100.0, 1e4], [1e-4, 1e-2, 1.0, 100.0]
    ridge = pd.DataFrame(
        [[False, False, False, False], [False, True, True, False], [True, True, True, False], [True, False, True, False]],
        index=cs,
        columns=gammas,
    )  # the quick build's tied cells
    assert smallest_tied_c_falls(ridge, best_gamma=1e-2)
    # the other diagonal: smoother kernels tied at *smaller* C
    other = pd.DataFrame(
        [[True, False, False, False], [False, True, False, False], [False, False, True, False], [False, False, False, False]],
        index=cs,
        columns=gammas,
    )
    assert not smallest_tied_c_falls(other, best_gamma=1.0)
    # a single tied column says nothing about a trade-off
    assert not smallest_tied_c_falls(ridge, best_gamma=1e-4)


def test_c7_share_beyond_two_standard_deviations_against_normal_errors():
    normal = 2 * norm.sf(2)
    noise = 1.96 * sqrt(normal * (1 - normal) / 335)
    assert abs(16 / 335 - normal) <= noise  # the build: 16 of 335, like normal errors
    assert abs(40 / 335 - normal) > noise  # 12%: heavy tails


def test_c9_order_of_the_most_frequent_confusions_needs_a_clear_lead():
    assert binomial_p(15, 24) > 0.05  # the quick build: 15 against 9
    assert binomial_p(30, 39) < 0.05
