"""The numbers page J6 (decision threshold, cost curve, DET beside ROC) states, recomputed.

The page runs once, in quick mode, for the whole module. Each test recomputes what the
page computed another way: the fold costs from scikit-learn's out-of-fold probabilities
and one confusion matrix per fold and threshold, weighted by the page's cost matrix;
the band and the tied thresholds from Nadeau and Bengio's interval written out in
``test_c_interpretations``; the held-out costs from the confusion matrix times the
cost matrix, and their paired bootstrap from per-applicant costs with numpy; the DET
points from FPR and FNR counted by hand at each threshold, placed with the probit
written through ``erfinv``. The criteria behind the page's words are written here
too, and each is fed the numbers of the opposite case, so that it can fail.
"""

from __future__ import annotations


import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.special import erfinv  # noqa: E402
from sklearn.metrics import confusion_matrix, det_curve  # noqa: E402
from sklearn.model_selection import cross_val_predict  # noqa: E402

from mlviz.report import rounding_tolerance  # noqa: E402

from .conftest import PAGE_MARKS, finding, run_quick  # noqa: E402
from .test_c_interpretations import corrected_interval, corrected_lower_end  # noqa: E402

pytestmark = PAGE_MARKS

PAGE = "10_effects_decisions/plot_06_decision_threshold.py"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run the page once, in quick mode, for all the tests of this module."""
    yield run_quick(PAGE, tmp_path_factory.mktemp("j6"))
    plt.close("all")


def probit(rate):
    """The standard normal quantile, written through the inverse error function."""
    return np.sqrt(2) * erfinv(2 * np.asarray(rate, float) - 1)


def cost_from_confusion(matrix, cost_matrix):
    """Cost per applicant: the confusion counts times the cost of each cell, summed."""
    matrix = np.asarray(matrix, float)
    return float((matrix * np.asarray(cost_matrix, float)).sum() / matrix.sum())


# --- the criteria behind the page's words, written from their definitions -------------


def tied_mask(per_fold, best, n_train, n_test):
    """Thresholds whose paired corrected interval against ``best`` reaches 0."""
    return np.array(
        [
            corrected_lower_end(per_fold[:, j] - per_fold[:, best], n_train, n_test)
            <= 0
            for j in range(per_fold.shape[1])
        ]
    )


def is_one_stretch(mask):
    """True when the True entries of ``mask`` are consecutive."""
    where = np.flatnonzero(mask)
    return len(where) > 0 and np.all(np.diff(where) == 1)


def saving_words(low, high):
    return "saves" if low > 0 else "costs more" if high < 0 else "cannot tell"


def strips_apart(low_first, high_last):
    """The tied strip of the smallest k (from ``low_first``) lies wholly above that of
    the largest k (up to ``high_last``)."""
    return high_last < low_first


# --- the page's numbers ---------------------------------------------------------------


def test_fold_costs_are_the_confusion_matrices_times_the_cost_matrix(page):
    X, y, cv = page["X_train"], page["admit_train"], page["cv"]
    proba = cross_val_predict(page["logreg"], X, y, cv=cv, method="predict_proba")[:, 1]
    cost_matrix = [
        [0.0, page["fp_cost"]],
        [page["fn_cost"], 0.0],
    ]  # rows: true, columns: decision
    thresholds = page["thresholds"]
    expected = np.array(
        [
            [
                cost_from_confusion(
                    confusion_matrix(y[val], proba[val] >= t, labels=[False, True]),
                    cost_matrix,
                )
                for t in thresholds
            ]
            for _, val in cv.split(X, y)
        ]
    )
    costs = page["fold_costs"]()
    assert costs.shape == (cv.get_n_splits(), len(thresholds))
    # a sum of at most n_val terms, each at most fn_cost, divided once
    tol = rounding_tolerance("float64", page["fn_cost"], int(page["n_val"].max()))
    np.testing.assert_allclose(costs, expected, rtol=0, atol=tol)
    assert page["thresholds"][page["i_default"]] == 0.5


def test_scikit_learn_tuned_the_threshold_on_the_mean_of_the_fold_curves(page):
    tuned, costs = page["tuned"], page["fold_costs"]()
    tol = rounding_tolerance(
        "float64", page["fn_cost"], costs.shape[0] * int(page["n_val"].max())
    )
    np.testing.assert_array_equal(tuned.cv_results_["thresholds"], page["thresholds"])
    np.testing.assert_allclose(
        -tuned.cv_results_["scores"], costs.mean(axis=0), rtol=0, atol=tol
    )
    np.testing.assert_allclose(page["mean_cost"], costs.mean(axis=0), rtol=0, atol=tol)
    assert tuned.best_threshold_ == page["thresholds"][np.argmin(costs.mean(axis=0))]
    assert page["thresholds"][page["i_best"]] == tuned.best_threshold_
    # the formula threshold of calibrated probabilities
    assert page["formula"] == pytest.approx(1 / (1 + page["fn_cost"] / page["fp_cost"]))


def test_band_and_tied_thresholds_follow_the_corrected_interval(page):
    costs, n_train, n_test = page["fold_costs"](), page["n_train"], page["n_test"]
    n = len(page["admit_train"])
    assert n_train + n_test == n and n_test == pytest.approx(n / 10)
    for j in (0, page["i_best"], page["i_default"], len(page["thresholds"]) - 1):
        low, high = corrected_interval(costs[:, j], n_train, n_test)
        assert page["mean_cost"][j] - page["half"][j] == pytest.approx(low, abs=1e-12)
        assert page["mean_cost"][j] + page["half"][j] == pytest.approx(high, abs=1e-12)
    tied = tied_mask(costs, page["i_best"], n_train, n_test)
    np.testing.assert_array_equal(page["tied"], tied)
    assert page["contiguous"] == is_one_stretch(tied)
    assert (page["low"], page["high"]) == (
        page["thresholds"][tied].min(),
        page["thresholds"][tied].max(),
    )
    # the page's words follow the criteria
    text = finding(page, "The folds' cheapest threshold")
    too_high = (
        corrected_lower_end(
            costs[:, page["i_default"]] - costs[:, page["i_best"]], n_train, n_test
        )
        > 0
    )
    assert page["too_high"] == too_high
    assert ("too high for these costs" in text) == too_high
    assert (f"from {page['low']:.3f} to {page['high']:.3f}" in text) == is_one_stretch(
        tied
    )
    assert ("is tied with it too" in text) == bool(tied[page["i_formula"]])
    assert page["thresholds"][page["i_formula"]] == pytest.approx(
        page["formula"], abs=0.5 / len(page["thresholds"])
    )


def test_held_out_costs_and_saving_recomputed(page):
    y, proba = page["admit_test"], page["proba_test"]
    tuned, best = page["tuned"], page["best"]
    np.testing.assert_array_equal(tuned.predict(page["X_test"]), proba >= best)
    cost_matrix = [[0.0, page["fp_cost"]], [page["fn_cost"], 0.0]]
    table = page["held_out"]
    costs = {}
    for name, t in (("default 0.5", 0.5), ("tuned", best)):
        matrix = confusion_matrix(y, proba >= t)
        costs[name] = cost_from_confusion(matrix, cost_matrix)
        assert (
            table.loc[name, ["TN", "FP", "FN", "TP"]].to_list()
            == matrix.ravel().tolist()
        )
        assert table.loc[name, "cost per applicant"] == pytest.approx(
            costs[name], abs=1e-12
        )
    saving = page["saving"]
    assert saving.estimate == pytest.approx(
        costs["default 0.5"] - costs["tuned"], abs=1e-12
    )
    # the paired bootstrap, from per-applicant costs
    fp_cost, fn_cost = page["fp_cost"], page["fn_cost"]

    def per_applicant(decided):
        return fp_cost * (decided & ~y) + fn_cost * (~decided & y)

    difference = per_applicant(proba >= 0.5) - per_applicant(proba >= best)
    rng = np.random.default_rng(123)
    draws = [difference[rng.integers(0, len(y), len(y))].mean() for _ in range(2000)]
    low, high = np.percentile(draws, [2.5, 97.5])
    width = high - low
    assert saving.low == pytest.approx(low, abs=0.25 * width)
    assert saving.high == pytest.approx(high, abs=0.25 * width)
    text = finding(page, f"On the {len(y)} test applicants")
    words = saving_words(saving.low, saving.high)
    assert ("Tuning saves cost" in text) == (words == "saves")
    assert ("cannot tell the two thresholds apart" in text) == (words == "cannot tell")


def test_det_points_are_fpr_and_fnr_on_probit_axes(page):
    y, proba, det = page["admit_test"], page["proba_test"], page["det"]
    _, _, thresholds = det_curve(y, proba, drop_intermediate=True)
    positives, negatives = proba[y], proba[~y]
    fpr = np.array([np.mean(negatives >= t) for t in thresholds])
    fnr = np.array([np.mean(positives < t) for t in thresholds])
    eps = np.finfo(float).eps
    np.testing.assert_allclose(det.fpr, np.clip(fpr, eps, 1 - eps), rtol=0, atol=1e-15)
    np.testing.assert_allclose(det.fnr, np.clip(fnr, eps, 1 - eps), rtol=0, atol=1e-15)
    # the drawn line: probit of both rates (erfinv loses a few digits near the clipped ends)
    inside = (fpr > 1e-6) & (fpr < 1 - 1e-6) & (fnr > 1e-6) & (fnr < 1 - 1e-6)
    np.testing.assert_allclose(
        det.line_.get_xdata()[inside], probit(fpr[inside]), atol=1e-9
    )
    np.testing.assert_allclose(
        det.line_.get_ydata()[inside], probit(fnr[inside]), atol=1e-9
    )
    # the two operating points, on both axes
    ax_roc, ax_det = page["ax_roc"], page["ax_det"]
    for t, label in ((0.5, "default 0.5"), (page["best"], f"tuned {page['best']:.3f}")):
        fpr_t, fnr_t = np.mean(negatives >= t), np.mean(positives < t)
        (on_det,) = [line for line in ax_det.lines if line.get_label() == label]
        (on_roc,) = [line for line in ax_roc.lines if line.get_label() == label]
        assert on_det.get_xdata()[0] == pytest.approx(probit(fpr_t), abs=1e-9)
        assert on_det.get_ydata()[0] == pytest.approx(probit(fnr_t), abs=1e-9)
        assert (on_roc.get_xdata()[0], on_roc.get_ydata()[0]) == pytest.approx(
            (fpr_t, 1 - fnr_t), abs=1e-15
        )
        # the operating point is a vertex of the full curve (every threshold kept)
        all_fpr, all_fnr, _ = det_curve(y, proba, drop_intermediate=False)
        assert np.any((all_fpr == fpr_t) & (all_fnr == fnr_t))
    # the prose: 1% to 5% takes about four fifths of 20% to 50% on probit axes
    ratio = (probit(0.05) - probit(0.01)) / (probit(0.5) - probit(0.2))
    assert round(5 * ratio) == 4 and (0.05 - 0.01) / (0.5 - 0.2) < 1 / 7


def test_iso_cost_line_costs_what_the_tuned_point_costs(page):
    y, fp_cost, fn_cost = page["admit_test"], page["fp_cost"], page["fn_cost"]
    (line,) = [
        ln for ln in page["ax_roc"].lines if ln.get_label() == "same cost as tuned"
    ]
    fpr, tpr = line.get_xdata(), line.get_ydata()
    n_pos, n_neg = y.sum(), (~y).sum()
    along = (fp_cost * n_neg * fpr + fn_cost * n_pos * (1 - tpr)) / len(y)
    np.testing.assert_allclose(
        along, page["held_out"].loc["tuned", "cost per applicant"], atol=1e-12
    )
    slope = np.diff(tpr) / np.diff(fpr)
    np.testing.assert_allclose(slope, fp_cost * n_neg / (fn_cost * n_pos), rtol=1e-9)


def test_the_ratio_table_from_the_fold_counts(page):
    fp, fn, n_val = page["fp"], page["fn"], page["n_val"]
    n_train, n_test, thresholds = page["n_train"], page["n_test"], page["thresholds"]
    table = page["by_ratio"]
    for k in (2.0, 5.0, 10.0, 20.0):
        per_fold = (fp + k * fn) / n_val
        best = np.argmin(per_fold.mean(axis=0))
        tied = thresholds[tied_mask(per_fold, best, n_train, n_test)]
        row = table.loc[f"k = {k:g}"]
        assert row["tuned threshold"] == thresholds[best]
        assert (row["tied from"], row["tied to"]) == (tied.min(), tied.max())
        assert row["1 / (1 + k)"] == pytest.approx(1 / (1 + k))
    chosen = table["tuned threshold"].to_numpy()
    assert np.all(np.diff(chosen) <= 0)
    apart = strips_apart(table["tied from"].iloc[0], table["tied to"].iloc[-1])
    assert page["apart"] == apart
    assert ("do not overlap" in finding(page, "The tuned threshold falls")) == apart


def test_the_lower_threshold_moves_up_the_roc_and_down_the_det(page):
    points = page["points"]
    (fpr_0, fnr_0), (fpr_t, fnr_t) = points.values()
    assert page["best"] < 0.5
    assert fnr_t < fnr_0 and fpr_t > fpr_0
    # the opposite case: raising the threshold moves the point the other way
    y, proba = page["admit_test"], page["proba_test"]
    fpr_up, fnr_up = np.mean(proba[~y] >= 0.8), np.mean(proba[y] < 0.8)
    assert not (fnr_up < fnr_0 and fpr_up > fpr_0)


# --- each criterion goes both ways -----------------------------------------------------


def test_tied_and_too_high_criteria_go_both_ways():
    rng = np.random.default_rng(0)
    n_train, n_test = 900.0, 100.0
    noise = rng.normal(
        0, 0.02, size=(10, 1)
    )  # a shift shared by all thresholds of a fold
    curve = np.array([0.8, 0.5, 0.42, 0.40, 0.41, 0.45, 0.6])
    jitter = rng.normal(0, 0.003, size=(10, 7))
    folds = curve + noise + jitter
    best = int(np.argmin(folds.mean(axis=0)))
    tied = tied_mask(folds, best, n_train, n_test)
    assert tied[best] and not tied[0] and not tied[-1]  # a valley: the ends are dearer
    assert is_one_stretch(tied)
    # the opposite: a curve so noisy that every threshold is tied with the best
    flat = curve.mean() + noise + rng.normal(0, 0.2, size=(10, 7))
    assert tied_mask(flat, int(np.argmin(flat.mean(axis=0))), n_train, n_test).all()
    # two valleys separated by a dear threshold: not one stretch
    assert not is_one_stretch(np.array([True, True, False, True]))
    assert not is_one_stretch(np.array([False, False]))


def test_default_threshold_is_not_too_high_when_both_errors_cost_the_same(page):
    """The page's own folds with k = 1: the criterion of 'too high' must say no."""
    costs = page["fold_costs"](fn_cost=1.0)
    best = int(np.argmin(costs.mean(axis=0)))
    differences = costs[:, page["i_default"]] - costs[:, best]
    lower = corrected_lower_end(differences, page["n_train"], page["n_test"])
    assert lower <= 0  # 0.5 is tied with the cheapest threshold
    assert tied_mask(costs, best, page["n_train"], page["n_test"])[page["i_default"]]


def test_saving_words_go_all_three_ways():
    assert saving_words(0.158, 0.316) == "saves"  # the quick build
    assert saving_words(-0.05, 0.1) == "cannot tell"
    assert saving_words(-0.2, -0.01) == "costs more"


def test_ratio_strips_and_monotone_threshold_go_both_ways():
    assert strips_apart(0.20, 0.08)  # quick build: k = 2 from 0.20, k = 20 up to 0.08
    assert not strips_apart(0.10, 0.12)  # overlapping strips
    # a threshold that rose with k would fail the page's claim
    assert not np.all(np.diff([0.28, 0.12, 0.16, 0.08]) <= 0)
