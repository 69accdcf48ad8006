"""The numbers pages A2-A5, B2, B3, B4, C8 and D1 print, recomputed with scikit-learn.

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


def _same_label_share(coords, labels, k=10):
    """Reference for neighbour_agreement: brute-force nearest neighbours, not self."""
    from scipy.spatial.distance import cdist

    distances = cdist(coords, coords, "sqeuclidean")
    np.fill_diagonal(distances, np.inf)
    nearest = np.argsort(distances, axis=1, kind="stable")[:, :k]
    return np.mean(labels[nearest] == labels[:, None])


def _class_spread(coords, labels):
    """Mean distance to the class centre, over the mean distance to the map's centre."""

    def mean_radius(points):
        return np.linalg.norm(points - points.mean(axis=0), axis=1).mean()

    within = np.mean([mean_radius(coords[labels == c]) for c in np.unique(labels)])
    return within / mean_radius(coords)


def test_a2_kmeans(run_page):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    ns = run_page("01_data_embeddings/plot_02_kmeans.py")
    X, scan = ns["X_scaled"], ns["scan"]
    assert list(scan.index) == list(range(2, 9))
    for k in scan.index:
        km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
        assert scan.loc[k, "silhouette"] == pytest.approx(silhouette_score(X, km.labels_))
        # inertia from its definition: squared distances of each flower to its centroid
        sse = ((X - km.cluster_centers_[km.labels_]) ** 2).sum()
        assert scan.loc[k, "inertia"] == pytest.approx(sse)
    assert np.all(np.diff(scan["inertia"]) < 0), "inertia always falls as k grows"
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


def test_a4_tsne(run_page):
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    ns = run_page("01_data_embeddings/plot_04_tsne.py")
    X, y, maps = ns["X"], ns["y"], ns["maps"]
    assert list(maps) == [5, 30, 100]
    for p, coords in maps.items():
        assert coords.shape == (len(y), 2)
        assert ns["agree"][p] == pytest.approx(_same_label_share(coords, y))
    assert ns["raw"] == pytest.approx(_same_label_share(X, y))
    # the recipe the prose states, run again: PCA to 50 components, then t-SNE
    with threadpool_limits(1):
        X50 = PCA(n_components=50, random_state=0).fit_transform(X)
        tsne = TSNE(perplexity=30, init="pca", learning_rate="auto", random_state=0)
        expected = tsne.fit_transform(X50)
    np.testing.assert_allclose(maps[30], expected)


def test_a5_umap(run_page):
    import umap
    from sklearn.decomposition import PCA
    from threadpoolctl import threadpool_limits

    ns = run_page("01_data_embeddings/plot_05_umap.py")
    X, y, maps, agree = ns["X"], ns["y"], ns["maps"], ns["agree"]
    umaps = [f"UMAP n_neighbors={k}, min_dist={d}" for k in (5, 50) for d in (0.0, 0.5)]
    assert list(maps) == [*umaps, "t-SNE perplexity=30", "PCA (2 components)"]
    for name, coords in maps.items():
        assert agree[name] == pytest.approx(_same_label_share(coords, y))
    assert ns["best"] == max(agree, key=agree.get)
    # PCA to 2 of the 50 components is PCA to 2 components of the pixels (up to sign)
    pca = PCA(n_components=2, svd_solver="full").fit_transform(X)
    pca_map = maps["PCA (2 components)"]
    np.testing.assert_allclose(np.abs(pca_map), np.abs(pca), atol=1e-6)
    # the recipe the prose states, run again for one setting
    with threadpool_limits(1):
        X50 = PCA(n_components=50, random_state=0).fit_transform(X)
        model = umap.UMAP(n_neighbors=50, min_dist=0.5, random_state=0, n_jobs=1)
        expected = model.fit_transform(X50)
    np.testing.assert_allclose(maps["UMAP n_neighbors=50, min_dist=0.5"], expected)
    # the prose: min_dist=0 packs each class tighter (relative to the map) than 0.5
    for k in (5, 50):
        tight = _class_spread(maps[f"UMAP n_neighbors={k}, min_dist=0.0"], y)
        assert tight < _class_spread(maps[f"UMAP n_neighbors={k}, min_dist=0.5"], y)


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
