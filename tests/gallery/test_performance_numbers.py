"""The numbers the performance pages C1-C9 state, checked on the pages' own output.

Each test runs the page (quick mode, figures discarded), takes its fitted models and the
values it formatted into its prose, and checks them against an independent computation:
scikit-learn's metric functions on predictions recomputed from the page's models, or the
metric's definition written out with numpy. A forest's predict_proba sums its trees'
votes in threads, so recomputed scores may differ from the page's in the last bit; the
tests check that they agree, then take the page's scores, so that ties and bin edges
fall where they fell on the page.

The bootstrap intervals the pages use to word a comparison are checked against a
bootstrap written out here with numpy (other draws, so the ends agree only up to the
Monte Carlo error of a few hundred draws), and the page's wording against the interval.
The other criteria that word a finding (Wilson intervals, exact binomial and chi-square
tests, paired fold differences with Nadeau and Bengio's correction) are written out in
``test_c_interpretations``, which also shows that each can go both ways; here they are
applied to each page's own numbers.
"""

from __future__ import annotations


import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    PrecisionRecallDisplay,
    confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from mlviz.report import rounding_tolerance

from .conftest import PAGE_MARKS, finding
from .test_c_interpretations import (
    beyond_calibration_noise,
    binomial_p,
    corrected_interval,
    corrected_lower_end,
    homogeneity_p,
    misses_p,
    smallest_tied_c_falls,
    wilson_interval,
)

pytestmark = PAGE_MARKS


def average_precision_by_definition(y, score, sample_weight=None):
    """AP = sum_k (R_k - R_(k-1)) P_k over the precision-recall staircase."""
    precision, recall, _ = precision_recall_curve(y, score, sample_weight=sample_weight)
    return -np.sum(np.diff(recall) * precision[:-1])


def forest_rounding(forest):
    """What rounding alone explains in a forest's predict_proba: float64 sums of
    probabilities <= 1, one per tree, added in whatever order the threads finish."""
    return rounding_tolerance("float64", 1.0, n_terms=len(forest.estimators_))


def numpy_bootstrap(statistic, n_samples, n_resamples=2000, seed=123):
    """Percentile 95% interval of statistic(rows) over rows drawn with replacement."""
    rng = np.random.default_rng(seed)
    values = [statistic(rng.integers(0, n_samples, n_samples)) for _ in range(n_resamples)]
    return np.percentile(values, [2.5, 97.5])


def assert_interval_close(interval, reference, estimate):
    """The page's interval: its estimate exact, its ends within Monte Carlo error."""
    assert interval.estimate == pytest.approx(estimate)
    width = reference[1] - reference[0]
    assert interval.low == pytest.approx(reference[0], abs=0.25 * width)
    assert interval.high == pytest.approx(reference[1], abs=0.25 * width)


def test_c1_row_normalized_diagonal_is_recall_and_top_confusion(run_page, monkeypatch):
    from mlviz.explain import mba_forest

    ns = run_page("03_performance/plot_01_confusion_matrix.py")
    names = ns["class_names"]
    pred = ns["svc"].predict(ns["X_test"])
    np.testing.assert_allclose(np.diag(ns["rates"].confusion_matrix), recall_score(ns["y_test"], pred, average=None))
    counts = confusion_matrix(ns["y_test"], pred)
    rates = counts / counts.sum(axis=1, keepdims=True)
    off = rates - np.diag(np.diag(rates))
    i, j = names.index(ns["worst"].true[0]), names.index(ns["worst"].predicted[0])
    assert i != j
    assert ns["worst"].value[0] == pytest.approx(rates[i, j])
    assert ns["worst"].value[0] == pytest.approx(off.max())
    assert ns["reverse"] == pytest.approx(rates[j, i])
    # the MBA forest: recall per decision, from the forest's own predictions
    mba_pred = ns["forest"].predict(ns["Xm_test"])
    np.testing.assert_allclose(
        ns["mba_recall"], recall_score(ns["ym_test"], mba_pred, labels=ns["mba_classes"], average=None)
    )
    np.testing.assert_array_equal(ns["support"], ns["ym_test"].value_counts()[ns["mba_classes"]].to_numpy())
    # "each waitlisted applicant is 1/n of its row"; where the missed ones go
    waitlisted = (ns["ym_test"] == "Waitlist").to_numpy()
    missed = mba_pred[waitlisted][mba_pred[waitlisted] != "Waitlist"]
    assert ns["wait_to"] == max(set(missed), key=list(missed).count)
    assert ns["missed"].max() == pytest.approx(np.mean(mba_pred[waitlisted] == ns["wait_to"]))
    # the words of the SVC finding follow the tests written out in test_c_interpretations
    svc_finding = finding(ns, "Recall ranges")
    correct, totals = np.diag(counts), counts.sum(axis=1)
    assert ns["recall_p"] == pytest.approx(homogeneity_p(correct, totals))
    assert ("more than chance would spread them" in svc_finding) == (homogeneity_p(correct, totals) < 0.05)
    # the largest confusion's pair was picked after looking: Bonferroni over the pairs
    n_pairs = sum(counts[a, b] + counts[b, a] > 0 for a in range(6) for b in range(a + 1, 6))
    assert ns["n_pairs"] == n_pairs
    corrected = min(1.0, n_pairs * binomial_p(counts[i, j], counts[i, j] + counts[j, i]))
    assert ns["one_sided_p"] == pytest.approx(corrected)
    one_sided = corrected < 0.05
    assert ("confusions need not be symmetric" in svc_finding) == one_sided
    assert ("does not show whether the confusion is one-sided" in svc_finding) == (not one_sided)
    # "even a model far better than chance makes mistakes"
    accuracy_low = wilson_interval(int((pred == ns["y_test"]).sum()), len(pred))[0]
    assert accuracy_low > ns["majority"] and (pred != ns["y_test"]).any()
    # the recall table's intervals, and the false-alarm share worded from its interval
    mba_counts = confusion_matrix(ns["ym_test"], mba_pred, labels=ns["mba_classes"])
    for c, row in ns["recall_table"].iterrows():
        k = ns["mba_classes"].index(c)
        low, high = wilson_interval(mba_counts[k, k], mba_counts[k].sum())
        assert (row["95% low"], row["95% high"]) == pytest.approx((round(low, 2), round(high, 2)))
        assert row["test applicants"] == mba_counts[k].sum()
    admit, deny = ns["mba_classes"].index("Admit"), ns["mba_classes"].index("Deny")
    low, high = wilson_interval(mba_counts[deny, admit], mba_counts[:, admit].sum())
    words = "more than half" if low > 0.5 else "fewer than half" if high < 0.5 else "about half"
    assert f"were in fact denied: {words}" in finding(ns, "On the counts")
    # the forest the prose describes ("300 trees (60 in a quick build)"), set by the
    # helper, not by the page
    assert ns["forest"].n_estimators == 60 and ns["forest"].min_samples_leaf == 5
    assert ns["forest"].class_weight == "balanced"
    monkeypatch.setenv("MLVIZ_QUICK", "0")
    assert mba_forest().n_estimators == 300


def test_c2_roc_curves_and_one_vs_rest_auc(run_page):
    ns = run_page("03_performance/plot_02_roc_curves.py")
    X_test, y_test = ns["X_test"], ns["y_test"]
    admit = (y_test == "Admit").to_numpy()
    # binary part: every model's AUC from its own scores
    for name, model in ns["models"].items():
        assert ns["aucs"][name] == pytest.approx(roc_auc_score(admit, model.predict_proba(X_test)[:, 1]))
    assert ns["ranking"][0] == max(ns["aucs"], key=ns["aucs"].get)
    # the paired intervals of the differences to the best model, and the page's verdict
    top = ns["top"]
    top_score = ns["models"][top].predict_proba(X_test)[:, 1]
    for name, gap in ns["gaps"].items():
        other = ns["models"][name].predict_proba(X_test)[:, 1]

        def difference(rows, other=other):
            return roc_auc_score(admit[rows], top_score[rows]) - roc_auc_score(admit[rows], other[rows])

        reference = numpy_bootstrap(difference, len(admit), n_resamples=400)
        assert_interval_close(gap, reference, ns["aucs"][top] - ns["aucs"][name])
        assert (name in ns["tied"]) == (gap.low <= 0 <= gap.high)
    # one vs rest: each curve is class k against the others on predict_proba's column k
    forest, proba = ns["forest3"], ns["proba"]
    np.testing.assert_allclose(proba, forest.predict_proba(X_test), rtol=0, atol=forest_rounding(forest))
    assert list(ns["curves"]) == list(forest.classes_) == ["Admit", "Deny", "Waitlist"]
    reference = {}
    for k, cls in enumerate(forest.classes_):
        positive = (y_test == cls).to_numpy()
        fpr, tpr, _ = roc_curve(positive, proba[:, k])
        line = ns["curves"][cls].line_
        np.testing.assert_allclose(line.get_xdata(), fpr)
        np.testing.assert_allclose(line.get_ydata(), tpr)
        assert line.get_label().startswith(f"{cls} vs rest")
        reference[cls] = roc_auc_score(positive, proba[:, k])
        assert ns["auc"][cls] == pytest.approx(reference[cls])
        assert ns["share"][cls] == pytest.approx(positive.mean())
    # the macro one-vs-rest AUC is the unweighted mean of the three areas
    assert ns["macro"] == pytest.approx(np.mean(list(reference.values())))
    assert ns["best"] == max(reference, key=reference.get)
    assert ns["worst"] == min(reference, key=reference.get)
    # "the Waitlist curve rests on about two dozen applicants, hence its wide interval"
    assert 20 <= (y_test == "Waitlist").sum() <= 28 and ns["count"]["Waitlist"] == (y_test == "Waitlist").sum()
    widths = {c: ns["interval"][c].high - ns["interval"][c].low for c in forest.classes_}
    assert max(widths, key=widths.get) == "Waitlist"
    # each class's AUC interval
    for k, cls in enumerate(forest.classes_):
        positive = (y_test == cls).to_numpy()

        def auc(rows, positive=positive, k=k):
            return roc_auc_score(positive[rows], proba[rows, k])

        assert_interval_close(ns["interval"][cls], numpy_bootstrap(auc, len(positive), 400), reference[cls])
    # the classes are compared by paired differences of their areas on the same draws
    best, middle, worst = ns["best"], ns["middle"], ns["worst"]
    column = {cls: k for k, cls in enumerate(forest.classes_)}
    for a, b in [(best, middle), (middle, worst), (best, worst)]:
        pos_a, pos_b = (y_test == a).to_numpy(), (y_test == b).to_numpy()

        def difference(rows, a=a, b=b, pos_a=pos_a, pos_b=pos_b):
            return roc_auc_score(pos_a[rows], proba[rows, column[a]]) - roc_auc_score(
                pos_b[rows], proba[rows, column[b]]
            )

        assert_interval_close(
            ns["differences"][a, b], numpy_bootstrap(difference, len(y_test), 400), reference[a] - reference[b]
        )
    text = finding(ns, "Macro average")
    hardest = ns["differences"][middle, worst].excludes(0) and ns["differences"][best, worst].excludes(0)
    assert ("is the hardest decision" in text) == hardest
    assert ("cannot be told apart" in text) == (not ns["differences"][best, middle].excludes(0))
    # the finding on the four models: tied names from the paired intervals
    verdict = finding(ns, f"**{top}** has the largest area")
    for name in ns["tied"]:
        assert name in verdict.split("Behind it")[0]


def test_c3_average_precision_and_the_marked_threshold(run_page):
    ns = run_page("03_performance/plot_03_precision_recall.py")
    y, score = ns["admit_test"], ns["score"]
    forest = ns["forest"]
    np.testing.assert_allclose(score, forest.predict_proba(ns["X_test"])[:, 1], rtol=0, atol=forest_rounding(forest))
    assert ns["ap"] == pytest.approx(average_precision_by_definition(y, score))
    assert ns["ap"] == pytest.approx(PrecisionRecallDisplay.from_predictions(y, score).average_precision)
    assert ns["roc_auc"] == pytest.approx(roc_auc_score(y, score))
    assert ns["prevalence"] == pytest.approx(y.mean())
    assert 1 / 8 < y.mean() < 1 / 6  # "about one applicant in seven is admitted"
    # the marked threshold is the highest one at which at least half of the admits are found
    k, threshold = ns["k"], ns["threshold"]
    flagged = score >= threshold
    assert flagged[y].mean() >= 0.5
    assert (score >= score[score > threshold].min())[y].mean() < 0.5
    assert ns["recall"][k] == pytest.approx(flagged[y].mean())
    assert ns["precision"][k] == pytest.approx(y[flagged].mean())
    assert ns["fpr_k"] == pytest.approx(flagged[~y].mean())
    # re-weighting the admits to half of the total leaves ROC-AUC unchanged and raises AP
    weights = np.where(y, (~y).sum() / y.sum(), 1.0)
    assert weights[y].sum() == pytest.approx(weights[~y].sum())
    assert ns["balanced_ap"] == pytest.approx(average_precision_by_definition(y, score, weights))
    assert ns["balanced_auc"] == pytest.approx(roc_auc_score(y, score))
    assert ns["balanced_ap"] > ns["ap"]


def test_c4_reliability_points_intervals_misses_and_brier_scores(run_page):
    ns = run_page("03_performance/plot_04_calibration.py")
    y, n_bins = ns["admit_test"], ns["n_bins"]
    table = ns["reliability"]
    assert list(table.index) == list(ns["models"])
    for name, model in ns["models"].items():
        p = ns["proba"][name]
        # the other models predict in one thread: the same bits
        rounding = forest_rounding(model) if hasattr(model, "estimators_") else 0.0
        np.testing.assert_allclose(p, model.predict_proba(ns["X_test"])[:, 1], rtol=0, atol=rounding)
        prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="quantile")
        np.testing.assert_allclose(ns["displays"][name].prob_true, prob_true)
        np.testing.assert_allclose(ns["displays"][name].prob_pred, prob_pred)
        # a bin is a run of consecutive sorted predictions (ties never straddle an
        # edge): cut the sorted predictions where the quantile edges fall and count
        order = np.argsort(p, kind="stable")
        edges = np.quantile(p, np.linspace(0, 1, n_bins + 1))[1:-1]
        cuts = np.searchsorted(p[order], edges, side="right")
        parts = [part for part in np.split(order, cuts) if len(part)]
        np.testing.assert_allclose([p[part].mean() for part in parts], prob_pred)
        np.testing.assert_allclose([y[part].mean() for part in parts], prob_true)
        # each point's Wilson interval, and whether it leaves out the point's prediction
        reference = np.array([wilson_interval(int(y[part].sum()), len(part)) for part in parts])
        np.testing.assert_allclose(np.array(ns["intervals"][name]), reference.T, rtol=1e-12)
        missed = (prob_pred < reference[:, 0]) | (prob_pred > reference[:, 1])
        np.testing.assert_array_equal(ns["misses"][name], missed)
        assert table.loc[name, "bins missed"] == f"{missed.sum()} of {len(parts)}"
        assert ns["miss_p"][name] == pytest.approx(misses_p(missed.sum(), len(parts)))
        # Brier score minus that of the constant base rate, with its paired interval
        base = np.full(len(y), ns["admit_train"].mean())
        assert table.loc[name, "Brier score"] == pytest.approx(np.mean((p - y) ** 2), abs=5e-5)

        def versus_base(rows, p=p, base=base):
            return np.mean((p[rows] - y[rows]) ** 2) - np.mean((base[rows] - y[rows]) ** 2)

        assert_interval_close(
            ns["versus_base"][name],
            numpy_bootstrap(versus_base, len(y), 400),
            np.mean((p - y) ** 2) - np.mean((base - y) ** 2),
        )
        d = ns["versus_base"][name]
        assert table.loc[name, "versus base rate"] == ("better" if d.high < 0 else "worse" if d.low > 0 else "cannot tell")
    # which models calibration cannot be rejected for, as the finding says
    consistent = [n for n in ns["models"] if ns["miss_p"][n] >= 0.05]
    text = finding(ns, "Share of admitted test applicants")
    if consistent:
        assert f"Calibration cannot be rejected for {' and '.join(consistent)}" in text
    # naive Bayes too extreme at both ends; the balanced forest too high on average,
    # beyond what a calibrated model's outcomes would give, and logistic regression not
    low, high = ns["intervals"]["naive Bayes"]
    nb_pred = ns["displays"]["naive Bayes"].prob_pred
    assert nb_pred[0] < low[0] and nb_pred[-1] > high[-1]
    assert beyond_calibration_noise(ns["proba"]["random forest (balanced)"], y) == 1
    assert beyond_calibration_noise(ns["proba"]["logistic regression"], y) == 0
    # recalibration: Brier scores and AUCs by definition, paired intervals by numpy
    recalibrated = ns["recalibrated"]
    brier = {name: np.mean((p - y) ** 2) for name, p in recalibrated.items()}
    assert ns["brier"] == pytest.approx(brier)
    assert ns["aucs"] == pytest.approx({name: roc_auc_score(y, p) for name, p in recalibrated.items()})
    assert ns["best"] == min(("sigmoid", "isotonic"), key=brier.get)

    def paired(metric, a, b):
        def statistic(rows):
            return metric(y[rows], recalibrated[a][rows]) - metric(y[rows], recalibrated[b][rows])

        return numpy_bootstrap(statistic, len(y), 400)

    def brier_loss(truth, p):
        return np.mean((p - truth) ** 2)

    best, runner_up = ns["best"], ns["runner_up"]
    for key, metric, a, b in [
        ("gain", brier_loss, "uncalibrated", best),
        ("duel", brier_loss, runner_up, best),
        ("reorder", roc_auc_score, "uncalibrated", best),
        ("mistake", brier_loss, "isotonic on the training set", "isotonic"),
        ("versus_none", brier_loss, "uncalibrated", "isotonic on the training set"),
    ]:
        estimate = metric(y, recalibrated[a]) - metric(y, recalibrated[b])
        assert_interval_close(ns[key], paired(metric, a, b), estimate)
    text = finding(ns, "Recalibration (")
    assert ("cannot be told apart" in text) == (not ns["duel"].excludes(0))
    assert ("fixes what the probabilities mean" in text) == (not ns["reorder"].excludes(0))
    none = ns["versus_none"]
    words = "still beats" if none.low > 0 else "is worse than" if none.high < 0 else "cannot be told from"
    assert f"It {words} no recalibration at all" in text
    # the map fitted on the training set: the forest on its own training applicants
    forest = ns["models"]["random forest (balanced)"]
    train_scores = forest.predict_proba(ns["X_train"])[:, 1]
    np.testing.assert_allclose(
        ns["train_auc"], roc_auc_score(ns["admit_train"], train_scores), atol=forest_rounding(forest)
    )
    assert ns["train_auc"] > ns["test_auc"].high


def test_c6_report_tables_match_precision_recall_fscore_support(run_page):
    ns = run_page("03_performance/plot_06_classification_report.py")
    classes, y_test = ns["classes"], ns["y_test"]
    assert classes == ["Admit", "Waitlist", "Deny"]
    for name, model in ns["models"].items():
        table, pred = ns["reports"][name], model.predict(ns["X_test"])
        assert list(table.index) == [*classes, "macro avg", "weighted avg"]
        assert list(table.columns) == ["precision", "recall", "f1-score", "support"]
        p, r, f, s = precision_recall_fscore_support(y_test, pred, labels=classes, zero_division=0)
        np.testing.assert_allclose(table.loc[classes, ["precision", "recall", "f1-score"]], np.c_[p, r, f])
        np.testing.assert_array_equal(table.loc[classes, "support"], s)
        for average in ("macro", "weighted"):
            reference = precision_recall_fscore_support(
                y_test, pred, labels=classes, average=average, zero_division=0
            )
            np.testing.assert_allclose(table.loc[f"{average} avg", ["precision", "recall", "f1-score"]], reference[:3])
            assert table.loc[f"{average} avg", "support"] == len(y_test)
    # the weakest class of the forest and the Admit recalls the page states
    forest_pred = ns["models"]["random forest (balanced)"].predict(ns["X_test"])
    f1 = precision_recall_fscore_support(y_test, forest_pred, labels=classes, zero_division=0)[2]
    assert ns["forest_f1"].idxmin() == classes[np.argmin(f1)]
    assert ns["forest_report"].loc["Admit", "recall"] == pytest.approx(
        recall_score(y_test == "Admit", forest_pred == "Admit")
    )
    # log losses by definition: the mean of -log(probability given to the true class)
    for name, model in ns["models"].items():
        proba = model.predict_proba(ns["X_test"])
        column = np.searchsorted(model.classes_, y_test.to_numpy())
        assert list(model.classes_) == sorted(model.classes_)
        loss = -np.mean(np.log(np.clip(proba[np.arange(len(y_test)), column], 1e-15, 1)))
        assert ns["losses"][name] == pytest.approx(loss)
    shares = ns["y_train"].value_counts(normalize=True)
    prior_p = shares[y_test.to_numpy()].to_numpy()
    assert ns["baseline_loss"] == pytest.approx(-np.mean(np.log(prior_p)))
    # worse than the class shares only when the paired interval says so
    truth = y_test.to_numpy()
    for name, model in ns["models"].items():
        proba = model.predict_proba(ns["X_test"])
        p_true = np.clip(proba[np.arange(len(truth)), np.searchsorted(model.classes_, truth)], 1e-15, 1)

        def versus_prior(rows, p_true=p_true):
            return np.mean(-np.log(p_true[rows])) - np.mean(-np.log(prior_p[rows]))

        reference = numpy_bootstrap(versus_prior, len(truth), 400)
        assert_interval_close(ns["versus_prior"][name], reference, ns["losses"][name] - ns["baseline_loss"])
        assert (name in ns["worse_than_prior"]) == (ns["versus_prior"][name].low > 0)
    # the forest's log loss on the denied and on the admitted, against the class shares
    forest = ns["models"]["random forest (balanced)"]
    forest_p = forest.predict_proba(ns["X_test"])[np.arange(len(truth)), np.searchsorted(forest.classes_, truth)]
    for c in ("Deny", "Admit"):
        mine = truth == c
        own = np.clip(forest_p[mine], np.finfo(float).eps, 1)
        assert ns["by_class"][c] == pytest.approx((-np.mean(np.log(own)), -np.log(shares[c])))
    assert ns["by_class"]["Deny"][0] > ns["by_class"]["Deny"][1]
    assert ns["by_class"]["Admit"][0] < ns["by_class"]["Admit"][1]
    # the weakest class's recall interval; the Admit precisions' paired difference
    weakest = ns["weakest"]
    found = int(np.sum((forest_pred == weakest) & (truth == weakest)))
    assert (ns["weakest_ci"].low, ns["weakest_ci"].high) == pytest.approx(
        wilson_interval(found, int(np.sum(truth == weakest)))
    )
    logreg_pred = ns["models"]["logistic regression"].predict(ns["X_test"])

    def precision_gap(rows):
        def precision(pred):
            flagged = pred[rows] == "Admit"
            return np.mean(truth[rows][flagged] == "Admit") if flagged.any() else 0.0

        return precision(logreg_pred) - precision(forest_pred)

    reference = numpy_bootstrap(precision_gap, len(truth), 400)
    assert_interval_close(ns["precision_gap"], reference, precision_gap(np.arange(len(truth))))
    assert ns["precision_gap"].low > 0
    assert ns["never"] == [c for c in classes if c not in set(logreg_pred)]


def test_c5_grid_heatmap_best_cell_ties_and_shape(run_page):
    from sklearn.model_selection import cross_val_score

    ns = run_page("03_performance/plot_05_grid_search_heatmap.py")
    results, scores = ns["search"].cv_results_, ns["scores"]
    for params, mean, std in zip(results["params"], results["mean_test_score"], results["std_test_score"]):
        assert scores.loc[params["svc__C"], params["svc__gamma"]] == mean
        assert ns["spread"].loc[params["svc__C"], params["svc__gamma"]] == std
    # the best cell, re-scored with the same folds
    best = ns["search"].best_estimator_
    folds = cross_val_score(best, ns["X"], ns["y"], cv=ns["search"].cv)
    assert folds.mean() == pytest.approx(ns["search"].best_score_) == pytest.approx(scores.to_numpy().max())
    assert ns["best_std"] == pytest.approx(folds.std())
    # the pairs tied with the best: corrected paired intervals over the same folds
    n = len(ns["y"])
    n_test = n / 5
    val = np.array([results[f"split{k}_test_score"] for k in range(5)]).T
    train = np.array([results[f"split{k}_train_score"] for k in range(5)]).T
    best_index = ns["search"].best_index_
    for params, folds_of_pair in zip(results["params"], val):
        lower = corrected_lower_end(val[best_index] - folds_of_pair, n - n_test, n_test)
        assert ns["tied"].loc[params["svc__C"], params["svc__gamma"]] == (lower <= 0)
    assert ns["tied"].loc[ns["best_C"], ns["best_gamma"]]
    text = finding(ns, f"{len(ns['tied_pairs'])} of the")
    assert len(ns["tied_pairs"]) == ns["tied"].to_numpy().sum()
    edge = [
        (c, g)
        for c, g in ns["tied_pairs"]
        if c in (scores.index[0], scores.index[-1]) or g in (scores.columns[0], scores.columns[-1])
    ]
    assert ("reach the edge of the grid" in text) == bool(edge)
    # the ridge: the smallest tied C falls as the kernel gets less smooth, up to the best
    assert smallest_tied_c_falls(ns["tied"], ns["best_gamma"])
    # the corners: over-fitting (training above validation beyond the noise) at large C
    # and gamma; under-fitting (even the training folds below the best validation) at
    # small C and gamma
    params = list(results["params"])
    over = params.index({"svc__C": scores.index[-1], "svc__gamma": scores.columns[-1]})
    under = params.index({"svc__C": scores.index[0], "svc__gamma": scores.columns[0]})
    assert corrected_lower_end(train[over] - val[over], n - n_test, n_test) > 0
    assert corrected_lower_end(val[best_index] - train[under], n - n_test, n_test) > 0
    assert not ns["tied"].iloc[0, 0] and not ns["tied"].iloc[-1, -1]
    assert max(scores.iloc[0, 0], scores.iloc[-1, -1]) < (1 / 3 + folds.mean()) / 2
    assert ns["majority"] == pytest.approx(np.bincount(ns["y"]).max() / len(ns["y"]))


def test_c7_regression_metrics_bands_and_rmse_interval(run_page):
    from scipy import stats
    from sklearn.model_selection import train_test_split

    ns = run_page("03_performance/plot_07_regression_diagnostics.py")
    y_test = ns["y_test"].to_numpy()
    *_, y_check = train_test_split(ns["X"], ns["y"], test_size=0.25, random_state=0)
    np.testing.assert_array_equal(y_check.to_numpy(), y_test)
    for name, model in ns["models"].items():
        pred = model.predict(ns["X_test"])
        np.testing.assert_allclose(ns["predictions"][name], pred)
        assert ns["scores"][name]["RMSE (USD)"] == pytest.approx(np.sqrt(np.mean((y_test - pred) ** 2)))
        assert ns["scores"][name]["MSE"] == pytest.approx(np.mean((y_test - pred) ** 2))
        r = y_test - pred
        m2, m3 = np.mean((r - r.mean()) ** 2), np.mean((r - r.mean()) ** 3)
        assert ns["skew"][name] == pytest.approx(m3 / m2**1.5)
        assert ns["skew"][name] == pytest.approx(stats.skew(r))
    better, worse = ns["better"], ns["worse"]
    a, b = ns["predictions"][worse], ns["predictions"][better]

    def gap(rows):
        return np.sqrt(np.mean((y_test[rows] - a[rows]) ** 2)) - np.sqrt(np.mean((y_test[rows] - b[rows]) ** 2))

    assert_interval_close(
        ns["gap"],
        numpy_bootstrap(gap, len(y_test), 400),
        ns["scores"][worse]["RMSE (USD)"] - ns["scores"][better]["RMSE (USD)"],
    )
    # the two bands of smokers in the linear model's residuals, split at a BMI of 30
    smoker = ns["X_test"]["smoker"].to_numpy() == 1
    obese = ns["X_test"]["bmi"].to_numpy() > 30
    linear = y_test - ns["predictions"]["linear regression"]
    assert np.all(linear[smoker & obese] > 0) and np.all(linear[smoker & ~obese] < 0)
    assert ns["high_band"].mean() == pytest.approx(linear[smoker & obese].mean())
    assert ns["smoker_bias"] == pytest.approx(linear[smoker].mean())
    boosted = y_test - ns["predictions"]["gradient boosting"]
    assert ns["boost_under"].sum() == np.sum(boosted > 5000)
    # the skewness of the two models' residuals, compared by a paired bootstrap
    lin_pred, boost_pred = ns["predictions"]["linear regression"], ns["predictions"]["gradient boosting"]

    def skew_gap(rows):
        return stats.skew(y_test[rows] - boost_pred[rows]) - stats.skew(y_test[rows] - lin_pred[rows])

    reference = numpy_bootstrap(skew_gap, len(y_test), 400)
    assert_interval_close(ns["skew_gap"], reference, stats.skew(boosted) - stats.skew(linear))
    text = finding(ns, "Linear regression:")
    assert ("*more* skewed, beyond the noise" in text) == (ns["skew_gap"].low > 0)
    if ns["skew_gap"].low > 0:  # "charges that neither model explains"
        assert np.mean(linear[boosted > 5000] > 5000) > 0.5
    # the share beyond two standard deviations, against normal errors
    share = np.mean(np.abs(linear) > 2 * linear.std())
    normal = 2 * stats.norm.sf(2)
    noise = 1.96 * np.sqrt(normal * (1 - normal) / len(linear))
    assert ns["share_big"] == pytest.approx(share)
    assert ("about what normal errors give" in text) == (abs(share - normal) <= noise)
    assert ns["usd"](-161.4) == "-$161" and ns["usd"](1290.6) == "$1,291"


def test_c8_plateau_and_learning_curve_of_the_unlimited_tree(run_page):
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import learning_curve
    from sklearn.tree import DecisionTreeClassifier

    ns = run_page("03_performance/plot_08_learning_validation_curves.py")
    X, y, cv = ns["X"], ns["y"], ns["cv"]
    assert balanced_accuracy_score(y, ["Deny"] * len(y)) == pytest.approx(1 / 3)
    # depths tied with the peak: corrected paired intervals over the same folds
    folds = ns["vc"].test_scores
    n_test = len(y) / 5
    peak = folds.mean(axis=1).argmax()
    lower = np.array([corrected_lower_end(folds[peak] - f, len(y) - n_test, n_test) for f in folds])
    np.testing.assert_array_equal(ns["tied"], ns["depths"][lower <= 0])
    text = finding(ns, "Validation balanced accuracy peaks")
    assert ("beyond the noise: under-fitting" in text) == (lower[0] > 0)
    # the deepest tree: below the peak and above its own validation score beyond the noise
    gap = ns["vc"].train_scores[-1] - folds[-1]
    assert lower[-1] > 0 and corrected_lower_end(gap, len(y) - n_test, n_test) > 0
    # the unlimited tree's learning curve, recomputed
    tree = DecisionTreeClassifier(class_weight="balanced", random_state=0)
    sizes, train, test = learning_curve(
        tree, X, y, train_sizes=ns["sizes"], cv=cv, scoring="balanced_accuracy"
    )
    unlimited = ns["unlimited"]
    np.testing.assert_array_equal(ns["curves"][unlimited].train_sizes, sizes)
    table = ns["table"]
    change = test[-1] - test[0]
    assert table.loc[unlimited, "validation change since the smallest size"] == pytest.approx(change.mean())
    assert table.loc[unlimited, "gap"] == pytest.approx(np.mean(train[-1] - test[-1]))
    low, high = corrected_interval(change, len(y) - n_test, n_test)
    expected = "*falls*" if high < 0 else "rises" if low > 0 else "does not move beyond the noise"
    assert ns["trend"] == expected
    # the stump's curves have met: its gap's interval contains 0
    stump = ns["curves"][ns["stump"]]
    low, high = corrected_interval(stump.train_scores[-1] - stump.test_scores[-1], len(y) - n_test, n_test)
    assert low <= 0 <= high


def test_c9_errors_and_confusions_from_the_network_itself(run_page):
    import torch

    ns = run_page("03_performance/plot_09_mispredictions.py")
    model = ns["model"]
    with torch.no_grad():
        logits = model(ns["X_test"])
    predicted = logits.argmax(dim=1).numpy()
    truth = ns["y_test"].numpy()
    np.testing.assert_array_equal(np.flatnonzero(predicted != truth), ns["wrong"])
    # float32 logits, each a sum over the last layer's inputs and bias; softmax moves a
    # probability by at most half of the largest logit change
    with torch.no_grad():
        h = model.embed(ns["X_test"]).double()
        terms = h.abs() @ model.fc2.weight.double().abs().T + model.fc2.bias.double().abs()
    rounding = rounding_tolerance("float32", terms.max().item(), n_terms=model.fc2.in_features + 1)
    confidence = torch.softmax(logits, dim=1).max(dim=1).values.numpy()
    np.testing.assert_allclose(ns["confidence"], confidence, rtol=0, atol=rounding)
    pairs = {}
    for t, p in zip(truth[ns["wrong"]], predicted[ns["wrong"]]):
        pairs[(int(t), int(p))] = pairs.get((int(t), int(p)), 0) + 1
    assert len(ns["counted"]) == len(pairs)
    top_counts = sorted(pairs.values(), reverse=True)[:5]
    assert [n for _, n in ns["pairs"]] == top_counts
    assert ns["top_share"] == pytest.approx(sum(top_counts) / len(ns["wrong"]))
    # the order of the five pairs is a ranking only when the first beats the fifth
    n_first, n_fifth = top_counts[0], top_counts[-1]
    assert ns["order_p"] == pytest.approx(binomial_p(n_first, n_first + n_fifth))
    text = finding(ns, "Most frequent confusions")
    assert ("beyond counting noise" in text) == (binomial_p(n_first, n_first + n_fifth) < 0.05)
    # over- or under-confident: mean confidence against accuracy, beyond the noise of
    # a calibrated network's outcomes
    words = {1: "over-confident beyond", -1: "under-confident beyond", 0: "within the noise"}
    side = beyond_calibration_noise(confidence, predicted == truth)
    assert words[side] in finding(ns, "Mean confidence")
    # the most confident errors come first in the grid
    shown = ns["confidence"][ns["shown"]]
    assert np.all(np.diff(shown) <= 0) and shown[-1] >= np.sort(ns["confidence"][ns["wrong"]])[-len(shown)]
