"""The numbers pages A2, A3, B2, B3, B4, C8 and D1 print, recomputed with scikit-learn.

Each test runs the page (quick mode, figures discarded), takes the values it formatted
into its prose, and checks them against an independent computation with scikit-learn's
own metric functions or estimators.
"""

from __future__ import annotations

import runpy

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from ..conftest import ROOT


@pytest.fixture
def run_page(monkeypatch):
    monkeypatch.setenv("MLVIZ_QUICK", "1")
    monkeypatch.setenv("MLVIZ_GALLERY_BUILD", "1")  # md() does not print
    monkeypatch.setattr(plt, "show", lambda *a, **k: plt.close("all"))

    def run(relative):
        return runpy.run_path(str(ROOT / "gallery" / relative), run_name="__main__")

    yield run
    plt.close("all")


def test_a2_kmeans(run_page):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    ns = run_page("01_data_embeddings/plot_02_kmeans.py")
    X, scan = ns["X_scaled"], ns["scan"]
    for k in scan.index:
        km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
        assert scan.loc[k, "silhouette"] == pytest.approx(silhouette_score(X, km.labels_))
        assert scan.loc[k, "inertia"] == pytest.approx(km.inertia_)
    assert ns["best_k"] == scan["silhouette"].idxmax()
    assert ns["ari"] == pytest.approx(adjusted_rand_score(ns["species"], ns["kmeans"].labels_))
    # centroids drawn in cm are the means of each cluster's flowers
    for c in range(3):
        assert ns["centroids"][c] == pytest.approx(ns["X"][ns["kmeans"].labels_ == c].mean().to_numpy())


def test_a3_pair_plot(run_page):
    from scipy.stats import pearsonr
    from sklearn.metrics import silhouette_score

    ns = run_page("01_data_embeddings/plot_03_pair_plot_parallel_coordinates.py")
    X, species = ns["X"], ns["species"]
    for f, s in ns["separation"].items():
        assert s == pytest.approx(silhouette_score(X[[f]].to_numpy(), species.cat.codes))
    r, a, b = ns["pairs"][0]
    assert r == pytest.approx(pearsonr(X.iloc[:, a], X.iloc[:, b]).statistic)
    all_r = [abs(pearsonr(X.iloc[:, i], X.iloc[:, j]).statistic) for i in range(4) for j in range(i + 1, 4)]
    assert abs(r) == pytest.approx(max(all_r))
    assert ns["setosa_max"] < ns["others_min"]


def test_b2_tree_mba(run_page):
    from sklearn.metrics import recall_score

    ns = run_page("02_model_structure/plot_02_decision_tree_mba.py")
    tree, X_test, y_test = ns["tree"], ns["X_test"], ns["y_test"]
    assert ns["bal"] == pytest.approx(recall_score(y_test, tree.predict(X_test), average=None).mean())
    assert ns["rules"].count("class:") == tree.get_n_leaves() == len(ns["leaves"])
    assert ns["leaves"]["applicants"].sum() == len(ns["X_train"])
    assert list(ns["leaves"]["predicts"]) == list(tree.predict(ns["X_train"].iloc[[np.flatnonzero(tree.apply(ns["X_train"]) == n)[0] for n in ns["leaves"].index]]))


def test_b3_decision_path(run_page):
    ns = run_page("02_model_structure/plot_03_decision_path.py")
    tree, applicant, steps = ns["tree"], ns["applicant"], ns["steps"]
    assert [s.node for s in steps] + [ns["leaf"]] == list(tree.decision_path(applicant).indices)
    assert ns["proba"] == pytest.approx(tree.predict_proba(applicant)[0])
    assert list(ns["counts"]) == [tree.tree_.n_node_samples[s.node] for s in steps]


def test_b4_ensembles(run_page):
    from sklearn.metrics import accuracy_score

    ns = run_page("02_model_structure/plot_04_ensembles.py")
    X_test, y_test, ada = ns["X_test"], ns["y_test"], ns["ada"]
    assert ns["forest"].score(X_test, y_test) == accuracy_score(y_test, ns["forest"].predict(X_test))
    assert ns["member_acc"][0] == accuracy_score(y_test, ns["forest"].estimators_[0].predict(X_test.to_numpy()))
    # SAMME: weight = learning_rate * (log((1 - err) / err) + log(K - 1))
    err = ada.estimator_errors_
    expected = 0.5 * (np.log((1 - err) / err) + np.log(2))
    assert ada.estimator_weights_ == pytest.approx(expected)


def test_d1_linear_coefficients(run_page):
    from sklearn.metrics import r2_score

    ns = run_page("04_explanations/plot_01_linear_coefficients.py")
    X, y, raw, scaled = ns["X"], ns["y"], ns["raw"], ns["scaled"]
    design = np.column_stack([np.ones(len(X)), X.to_numpy()])
    beta = np.linalg.lstsq(design, y.to_numpy(), rcond=None)[0]
    assert raw.coef_ == pytest.approx(beta[1:], rel=1e-6)
    assert raw.intercept_ == pytest.approx(beta[0], rel=1e-6)
    std = X.std(ddof=0).where(X.columns.isin(["age", "bmi", "children"]), 1.0)
    assert scaled.coef_ == pytest.approx(raw.coef_ * std.to_numpy(), rel=1e-6)
    assert raw.score(X, y) == pytest.approx(r2_score(y, design @ beta))
    assert ns["rank_scaled"][0] == "smoker"


def test_c8_curves(run_page):
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    ns = run_page("03_performance/plot_08_learning_validation_curves.py")
    best_depth = int(ns["depths"][ns["best"]])
    tree = DecisionTreeClassifier(max_depth=best_depth, class_weight="balanced", random_state=0)
    scores = cross_val_score(tree, ns["X"], ns["y"], cv=ns["cv"], scoring="balanced_accuracy")
    assert ns["val_mean"][ns["best"]] == pytest.approx(scores.mean())
    assert ns["val_mean"][ns["best"]] == pytest.approx(ns["vc"].test_scores.mean(axis=1).max())
