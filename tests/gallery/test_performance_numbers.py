"""The numbers the performance pages C1-C4 and C6 state, checked on the pages' own output.

Each test runs the page (quick mode, figures discarded), takes its fitted models and the
values it formatted into its prose, and checks them against an independent computation:
scikit-learn's metric functions on predictions recomputed from the page's models, or the
metric's definition written out with numpy. A forest's predict_proba sums its trees'
votes in threads, so recomputed scores may differ from the page's in the last bit; the
tests check that they agree, then take the page's scores, so that ties and bin edges
fall where they fell on the page.
"""

from __future__ import annotations

import os
import runpy

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
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

import mlviz.config
from mlviz.datasets import MIRROR_ENV

from ..conftest import ROOT

pytestmark = pytest.mark.skipif(not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)")


@pytest.fixture
def run_page(monkeypatch):
    monkeypatch.setenv("MLVIZ_QUICK", "1")
    monkeypatch.setattr(mlviz.config, "QUICK", True)  # read once, when mlviz.config was imported
    monkeypatch.setenv("MLVIZ_GALLERY_BUILD", "1")  # md() does not print
    monkeypatch.setattr(plt, "show", lambda *a, **k: plt.close("all"))

    def run(relative):
        return runpy.run_path(str(ROOT / "gallery" / relative), run_name="__main__")

    yield run
    plt.close("all")


def average_precision_by_definition(y, score, sample_weight=None):
    """AP = sum_k (R_k - R_(k-1)) P_k over the precision-recall staircase."""
    precision, recall, _ = precision_recall_curve(y, score, sample_weight=sample_weight)
    return -np.sum(np.diff(recall) * precision[:-1])


def test_c1_row_normalized_diagonal_is_recall_and_top_confusion(run_page):
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


def test_c2_roc_curves_and_one_vs_rest_auc(run_page):
    ns = run_page("03_performance/plot_02_roc_curves.py")
    X_test, y_test = ns["X_test"], ns["y_test"]
    admit = (y_test == "Admit").to_numpy()
    # binary part: every model's AUC from its own scores
    for name, model in ns["models"].items():
        assert ns["aucs"][name] == pytest.approx(roc_auc_score(admit, model.predict_proba(X_test)[:, 1]))
    assert ns["ranking"][0] == max(ns["aucs"], key=ns["aucs"].get)
    # one vs rest: each curve is class k against the others on predict_proba's column k
    forest, proba = ns["forest3"], ns["proba"]
    np.testing.assert_allclose(proba, forest.predict_proba(X_test), rtol=0, atol=1e-12)
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
    assert 20 <= (y_test == "Waitlist").sum() <= 28


def test_c3_average_precision_and_the_marked_threshold(run_page):
    ns = run_page("03_performance/plot_03_precision_recall.py")
    y, score = ns["admit_test"], ns["score"]
    np.testing.assert_allclose(score, ns["forest"].predict_proba(ns["X_test"])[:, 1], rtol=0, atol=1e-12)
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
        np.testing.assert_allclose(p, model.predict_proba(ns["X_test"])[:, 1], rtol=0, atol=1e-12)
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
        assert row.startswith(f"| {name} | {np.mean((p - y) ** 2):.4f} | {p.mean():.1%} | ")
        assert f"{prob_pred[w]:.0%} predicted, {prob_true[w]:.0%} admitted ({count[w]} applicants)" in row
    # the page's claim about the balanced forest: it over-predicts Admit on average
    assert ns["proba"]["random forest (balanced)"].mean() > y.mean()
    # recalibration: Brier scores by definition; the ranking barely moves
    brier = {name: np.mean((p - y) ** 2) for name, p in ns["recalibrated"].items()}
    assert ns["brier"] == pytest.approx(brier)
    assert ns["best"] == min(brier, key=brier.get) != "uncalibrated"
    aucs = [roc_auc_score(y, p) for p in ns["recalibrated"].values()]
    assert ns["auc_change"] == pytest.approx(max(aucs) - min(aucs))


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
