"""The numbers the performance pages (C1-C6) state, recomputed the pages' way and checked
against scikit-learn's metric functions on the real MBA data (small forests for speed)."""

import os

import numpy as np
import pytest
from sklearn.calibration import CalibrationDisplay, calibration_curve
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split

from mlviz.config import SEED
from mlviz.datasets import MIRROR_ENV, load_mba, prepare_mba
from mlviz.performance import (
    average_precision_from_curve,
    classification_report_frame,
    one_vs_rest_roc,
    reliability_table,
    top_confusions,
)

pytestmark = pytest.mark.skipif(not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)")


@pytest.fixture(scope="module")
def mba():
    """The pages' split and forest (D2's settings), with fewer trees."""
    X, y = prepare_mba(load_mba())
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)
    forest = RandomForestClassifier(
        n_estimators=30, min_samples_leaf=5, class_weight="balanced", n_jobs=2, random_state=SEED
    ).fit(X_train, y_train)
    binary = RandomForestClassifier(
        n_estimators=30, min_samples_leaf=5, class_weight="balanced", n_jobs=2, random_state=SEED
    ).fit(X_train, y_train == "Admit")
    return {
        "classes": list(y.cat.categories),
        "y_test": y_test,
        "forest": forest,
        "pred": forest.predict(X_test),
        "proba": forest.predict_proba(X_test),
        "admit": (y_test == "Admit").to_numpy(),
        "score": binary.predict_proba(X_test)[:, 1],
    }


def test_c1_row_normalized_diagonal_is_recall_and_top_confusion(mba):
    rates = ConfusionMatrixDisplay.from_predictions(mba["y_test"], mba["pred"], labels=mba["classes"],
                                                    normalize="true")
    np.testing.assert_allclose(
        np.diag(rates.confusion_matrix), recall_score(mba["y_test"], mba["pred"], labels=mba["classes"], average=None)
    )
    counts = confusion_matrix(mba["y_test"], mba["pred"], labels=mba["classes"])
    worst = top_confusions(rates.confusion_matrix, mba["classes"], top=1)
    i, j = mba["classes"].index(worst.true[0]), mba["classes"].index(worst.predicted[0])
    assert i != j
    assert worst.value[0] == pytest.approx(counts[i, j] / counts[i].sum())
    off = rates.confusion_matrix - np.diag(np.diag(rates.confusion_matrix))
    assert worst.value[0] == off.max()


def test_c2_one_vs_rest_table_matches_roc_auc_score(mba):
    table = one_vs_rest_roc(mba["y_test"], mba["proba"], mba["forest"].classes_)
    macro = roc_auc_score(mba["y_test"], mba["proba"], multi_class="ovr", labels=mba["forest"].classes_)
    assert table.auc.mean() == pytest.approx(macro)
    assert table.loc["Admit", "auc"] == pytest.approx(roc_auc_score(mba["admit"], mba["proba"][:, 0]))
    assert table.prevalence.sum() == pytest.approx(1.0)


def test_c3_average_precision_from_the_curve(mba):
    precision, recall, thresholds = precision_recall_curve(mba["admit"], mba["score"])
    ap = average_precision_from_curve(precision, recall)
    assert ap == pytest.approx(average_precision_score(mba["admit"], mba["score"]))
    display = PrecisionRecallDisplay.from_predictions(mba["admit"], mba["score"])
    assert ap == pytest.approx(display.average_precision)
    # the page's marked threshold: recall >= 50% and the precision it states
    k = np.flatnonzero(recall[:-1] >= 0.5)[-1]
    flagged = mba["score"] >= thresholds[k]
    assert recall[k] == pytest.approx(flagged[mba["admit"]].mean())
    assert precision[k] == pytest.approx(mba["admit"][flagged].mean())
    # re-weighting the positives to 50% leaves ROC-AUC unchanged and raises AP
    w = np.where(mba["admit"], (~mba["admit"]).sum() / mba["admit"].sum(), 1.0)
    assert roc_auc_score(mba["admit"], mba["score"], sample_weight=w) == pytest.approx(
        roc_auc_score(mba["admit"], mba["score"])
    )
    assert average_precision_score(mba["admit"], mba["score"], sample_weight=w) > ap


def test_c4_reliability_table_is_the_displayed_curve(mba):
    table = reliability_table(mba["admit"], mba["score"], n_bins=10, strategy="quantile")
    display = CalibrationDisplay.from_predictions(mba["admit"], mba["score"], n_bins=10, strategy="quantile")
    np.testing.assert_allclose(table.fraction_positive, display.prob_true)
    np.testing.assert_allclose(table.mean_predicted, display.prob_pred)
    prob_true, _ = calibration_curve(mba["admit"], mba["score"], n_bins=10, strategy="quantile")
    np.testing.assert_allclose(table.fraction_positive, prob_true)
    assert table["count"].sum() == len(mba["admit"])
    # the page's claim about the balanced forest: it over-predicts Admit on average
    assert mba["score"].mean() > mba["admit"].mean()


def test_c6_report_frame_matches_precision_recall_fscore_support(mba):
    table = classification_report_frame(mba["y_test"], mba["pred"], labels=mba["classes"])
    p, r, f, s = precision_recall_fscore_support(mba["y_test"], mba["pred"], labels=mba["classes"], zero_division=0)
    np.testing.assert_allclose(table.loc[mba["classes"], "precision"], p)
    np.testing.assert_allclose(table.loc[mba["classes"], "recall"], r)
    np.testing.assert_allclose(table.loc[mba["classes"], "f1-score"], f)
    np.testing.assert_array_equal(table.loc[mba["classes"], "support"], s)
    macro = precision_recall_fscore_support(mba["y_test"], mba["pred"], labels=mba["classes"], average="macro",
                                            zero_division=0)
    assert table.loc["macro avg", "f1-score"] == pytest.approx(macro[2])
    assert table.loc["macro avg", "support"] == len(mba["y_test"])
