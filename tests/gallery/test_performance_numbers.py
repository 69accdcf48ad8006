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
"""

from __future__ import annotations

import os

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

from mlviz.datasets import MIRROR_ENV
from mlviz.report import rounding_tolerance

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)"),
]




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
    # "the Waitlist curve rests on about two dozen applicants"
    assert 20 <= (y_test == "Waitlist").sum() <= 28 and ns["count"]["Waitlist"] == (y_test == "Waitlist").sum()
    # each class's AUC interval; the hardest class is worded from the intervals
    for k, cls in enumerate(forest.classes_):
        positive = (y_test == cls).to_numpy()

        def auc(rows, positive=positive, k=k):
            return roc_auc_score(positive[rows], proba[rows, k])

        assert_interval_close(ns["interval"][cls], numpy_bootstrap(auc, len(positive), 400), reference[cls])
    worst = ns["worst"]
    below = all(ns["interval"][worst].high < ns["interval"][c].low for c in forest.classes_ if c != worst)
    assert ("is the hardest decision" in ns["spread"]) == below


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


def test_c4_reliability_points_counts_and_brier_scores(run_page):
    ns = run_page("03_performance/plot_04_calibration.py")
    y, n_bins = ns["admit_test"], ns["n_bins"]
    assert len(ns["rows"]) == len(ns["models"])
    for row, (name, model) in zip(ns["rows"], ns["models"].items()):
        p = ns["proba"][name]
        # the other models predict in one thread: the same bits
        rounding = forest_rounding(model) if hasattr(model, "estimators_") else 0.0
        np.testing.assert_allclose(p, model.predict_proba(ns["X_test"])[:, 1], rtol=0, atol=rounding)
        prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="quantile")
        np.testing.assert_allclose(ns["displays"][name].prob_true, prob_true)
        np.testing.assert_allclose(ns["displays"][name].prob_pred, prob_pred)
        # a bin is a run of consecutive sorted predictions (ties never straddle an edge),
        # so cutting the sorted predictions at the page's counts must give back the
        # curve's points
        count = ns["counts"][name]
        assert count.sum() == len(p) and len(count) == len(prob_pred)
        order = np.argsort(p, kind="stable")
        cuts = np.cumsum(count)[:-1]
        np.testing.assert_allclose([c.mean() for c in np.split(p[order], cuts)], prob_pred)
        np.testing.assert_allclose([c.mean() for c in np.split(y[order], cuts)], prob_true)
        # the row states the Brier score, the mean prediction and the worst bin
        w = np.argmax(np.abs(prob_pred - prob_true))
        assert row.startswith(f"| {name} | {np.mean((p - y) ** 2):.4f} | ")
        assert f" | {p.mean():.1%} | " in row
        # Brier score minus that of the constant base rate, with its paired interval
        base = np.full(len(y), ns["admit_train"].mean())

        def versus_base(rows, p=p, base=base):
            return np.mean((p[rows] - y[rows]) ** 2) - np.mean((base[rows] - y[rows]) ** 2)

        assert_interval_close(
            ns["versus_base"][name],
            numpy_bootstrap(versus_base, len(y), 400),
            np.mean((p - y) ** 2) - np.mean((base - y) ** 2),
        )
        assert (name in ns["worse"]) == (ns["versus_base"][name].low > 0)
        assert f"{prob_pred[w]:.0%} predicted, {prob_true[w]:.0%} admitted ({count[w]} applicants)" in row
    # the page's claim about the balanced forest: it over-predicts Admit on average
    assert ns["proba"]["random forest (balanced)"].mean() > y.mean()
    # recalibration: Brier scores by definition; the ranking barely moves
    brier = {name: np.mean((p - y) ** 2) for name, p in ns["recalibrated"].items()}
    assert ns["brier"] == pytest.approx(brier)
    assert ns["best"] == min(brier, key=brier.get) != "uncalibrated"
    aucs = [roc_auc_score(y, p) for p in ns["recalibrated"].values()]
    assert ns["auc_change"] == pytest.approx(max(aucs) - min(aucs))
    # sigmoid vs isotonic: ranked only when the paired interval excludes 0
    a, b = ns["recalibrated"][ns["runner_up"]], ns["recalibrated"][ns["best"]]

    def duel(rows):
        return np.mean((a[rows] - y[rows]) ** 2) - np.mean((b[rows] - y[rows]) ** 2)

    assert_interval_close(ns["duel"], numpy_bootstrap(duel, len(y), 400), brier[ns["runner_up"]] - brier[ns["best"]])
    assert ("indistinguishable" in ns["duel_words"]) == (ns["duel"].low <= 0 <= ns["duel"].high)


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
        assert (name in ns["worse_than_prior"]) == (loss > ns["baseline_loss"])
    shares = ns["y_train"].value_counts(normalize=True)
    prior_loss = -np.mean(np.log(shares[y_test.to_numpy()].to_numpy()))
    assert ns["baseline_loss"] == pytest.approx(prior_loss)
    logreg_pred = ns["models"]["logistic regression"].predict(ns["X_test"])
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
    # the pairs within one fold standard deviation of the best, as the finding lists them
    within = results["mean_test_score"] >= folds.mean() - folds.std()
    expected = {(p["svc__C"], p["svc__gamma"]) for p, ok in zip(results["params"], within) if ok}
    assert set(ns["tied"].index) == expected and len(expected) >= 1
    # the interior optimum and the poor corners the prose states
    assert 0 < ns["i"] < scores.shape[0] - 1 and 0 < ns["j"] < scores.shape[1] - 1
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
        assert ns["scores"][name]["rmse"] == pytest.approx(np.sqrt(np.mean((y_test - pred) ** 2)))
        r = y_test - pred
        m2, m3 = np.mean((r - r.mean()) ** 2), np.mean((r - r.mean()) ** 3)
        assert ns["skew"][name] == pytest.approx(m3 / m2**1.5)
        assert ns["skew"][name] == pytest.approx(stats.skew(r))
    better, worse = ns["better"], ns["worse"]
    a, b = ns["predictions"][worse], ns["predictions"][better]

    def gap(rows):
        return np.sqrt(np.mean((y_test[rows] - a[rows]) ** 2)) - np.sqrt(np.mean((y_test[rows] - b[rows]) ** 2))

    assert_interval_close(
        ns["gap"], numpy_bootstrap(gap, len(y_test), 400), ns["scores"][worse]["rmse"] - ns["scores"][better]["rmse"]
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
    assert ns["usd"](-161.4) == "-$161" and ns["usd"](1290.6) == "$1,291"


def test_c8_plateau_and_learning_curve_of_the_unlimited_tree(run_page):
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import learning_curve
    from sklearn.tree import DecisionTreeClassifier

    ns = run_page("03_performance/plot_08_learning_validation_curves.py")
    X, y, cv = ns["X"], ns["y"], ns["cv"]
    assert balanced_accuracy_score(y, ["Deny"] * len(y)) == pytest.approx(1 / 3)
    # depths tied with the peak: within one standard deviation of its fold scores
    folds = ns["vc"].test_scores
    peak = folds.mean(axis=1).argmax()
    expected = ns["depths"][folds.mean(axis=1) >= folds[peak].mean() - folds[peak].std()]
    np.testing.assert_array_equal(ns["tied"], expected)
    # the unlimited tree's learning curve, recomputed
    tree = DecisionTreeClassifier(class_weight="balanced", random_state=0)
    sizes, train, test = learning_curve(
        tree, X, y, train_sizes=ns["sizes"], cv=cv, scoring="balanced_accuracy"
    )
    unlimited = ns["unlimited"]
    np.testing.assert_array_equal(ns["curves"][unlimited].train_sizes, sizes)
    assert ns["gain"][unlimited] == pytest.approx(test[-1].mean() - test[0].mean())
    assert ns["gaps"][unlimited] == pytest.approx(train[-1].mean() - test[-1].mean())
    falls = test[-1].mean() - test[0].mean() < -test[-1].std()
    assert (ns["trend"] == "*falls*") == falls


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
    # the most confident errors come first in the grid
    shown = ns["confidence"][ns["shown"]]
    assert np.all(np.diff(shown) <= 0) and shown[-1] >= np.sort(ns["confidence"][ns["wrong"]])[-len(shown)]
