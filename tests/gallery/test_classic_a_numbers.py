"""The numbers pages A1-A7, B2, B3, B4, C8 and D1 print, recomputed independently.

Each test runs the page (quick mode, figures kept for inspection and then closed),
takes the values it formatted into its prose, and checks them against an independent
computation: scikit-learn's own metric functions or estimators, brute-force nearest
neighbours, the definition written out with numpy, or (A7) sentence-transformers. The
A-page tests also check that classes keep their gallery colours (SPECIES_COLORS,
DIGIT_COLORS).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest

from mlviz.report import rounding_tolerance


def _nearest(coords, k):
    """Brute-force indices of each point's k nearest neighbours, itself excluded."""
    from scipy.spatial.distance import cdist

    distances = cdist(coords, coords, "sqeuclidean")
    np.fill_diagonal(distances, np.inf)
    return np.argsort(distances, axis=1, kind="stable")[:, :k]


def _same_label_share(coords, labels, k=10):
    """Reference for neighbour_agreement: brute-force nearest neighbours, not self."""
    return np.mean(labels[_nearest(coords, k)] == labels[:, None])


def _share_by_class(coords, labels, k=10):
    """Each class's share of same-label neighbours (neighbour_confusion's diagonal)."""
    same = labels[_nearest(coords, k)] == labels[:, None]
    return {c: same[labels == c].mean() for c in np.unique(labels)}


def _pair_mixing(coords, labels, a, b, k=10):
    """Mean of: share of a's neighbours labelled b, share of b's neighbours labelled a."""
    nearest = labels[_nearest(coords, k)]
    return (np.mean(nearest[labels == a] == b) + np.mean(nearest[labels == b] == a)) / 2


def _islands(coords, **definition):
    """A4 and A5's islands (a visible gap around them), recounted without scikit-learn."""
    from .test_ab_interpretations import visible_islands

    return visible_islands(coords, **definition)


#: The pages' island definition, and two neighbouring ones the readings must survive.
_ISLAND_DEFINITIONS = [{}, {"k": 5, "factor": 1.5}, {"k": 3, "factor": 1.5}]


def _nearest_between(queries, points, k):
    """Brute-force indices of each query's k nearest points."""
    from scipy.spatial.distance import cdist

    return np.argsort(cdist(queries, points, "sqeuclidean"), axis=1, kind="stable")[:, :k]


def _hex(color):
    from matplotlib.colors import to_hex

    return to_hex(color).lower()


def test_a1_pca(run_page):
    from mlviz.plotting import DIGIT_COLORS, SPECIES_COLORS

    ns = run_page("01_data_embeddings/plot_01_pca.py")
    # Iris: the eigenvalues of the standardized features' covariance, largest first
    X = ns["X_iris"].to_numpy()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    eigenvalues = np.linalg.eigvalsh(np.cov(Z.T))[::-1]
    assert ns["ratios"] == pytest.approx(eigenvalues / eigenvalues.sum())
    # MNIST: k components are the fewest whose eigenvalues reach the share (up to the
    # rounding of float64 sums over the images, then over the pixels, of shares <= 1)
    X_digits = ns["X_digits"]
    eig = np.linalg.eigvalsh(np.cov(X_digits.T))[::-1]
    cumulative = np.cumsum(eig) / eig.sum()
    rounding = rounding_tolerance("float64", 1.0, n_terms=sum(X_digits.shape))
    for share, k in ns["needed"].items():
        assert cumulative[k - 1] >= share - rounding and cumulative[k - 2] < share
    own = _share_by_class(ns["codes2"], ns["labels"])
    assert ns["own"].to_dict() == pytest.approx(own)
    assert own[1] > 0.5 and max(own, key=own.get) == 1, "1 has a region of its own"
    # recognizable: validation digits rebuilt from the top eigenvectors, named by a
    # brute-force 5-nearest-neighbour vote among the training digits (ties to the
    # smaller digit, as scikit-learn); a near-tie in distance may flip one digit
    _, vectors = np.linalg.eigh(np.cov(X_digits.T))
    vectors = vectors[:, ::-1]
    centre, X_val, y_val = X_digits.mean(axis=0), ns["X_val"], ns["mnist"].y_val
    for k in ns["ks"]:
        rebuilt = centre + (X_val - centre) @ vectors[:, :k] @ vectors[:, :k].T
        votes = ns["labels"][_nearest_between(rebuilt, X_digits, 5)]
        said = np.array([np.bincount(v, minlength=10).argmax() for v in votes])
        assert ns["named"][k] == pytest.approx(np.mean(said == y_val), abs=1 / len(y_val))
    # "as recognizable": the paired difference on the same digits, not below -2 SE;
    # the reading fails where the rebuilt digits are worse than the originals
    def not_worse(k):
        d = ns["right"][k].astype(float) - ns["right"][784]
        return d.mean() > -2 * d.std(ddof=1) / np.sqrt(len(d))

    for k in ns["ks"]:
        assert ns["right"][k].mean() == ns["named"][k]
    assert not_worse(ns["needed"][0.9]) and not not_worse(2)
    # a drop of one digit in a hundred, on digits where both are otherwise right or
    # wrong alike: an unpaired 2-SE band (about 1 point here) lets it through, the
    # paired one does not
    one_in_100 = ns["right"][784].copy()
    one_in_100[np.flatnonzero(one_in_100)[: len(one_in_100) // 100]] = False
    d = one_in_100.astype(float) - ns["right"][784]
    full = ns["named"][784]
    assert one_in_100.mean() > full - 2 * np.sqrt(full * (1 - full) / len(d))
    assert d.mean() < -2 * d.std(ddof=1) / np.sqrt(len(d))
    # colours: species in the matplotlib scatter, digits in the plotly one
    iris = run_page.figures[0].axes[0]
    for collection, name in zip(iris.collections, ns["species"].cat.categories, strict=True):
        assert _hex(collection.get_facecolor()[0]) == SPECIES_COLORS[name].lower()
    for trace in ns["fig"].data:
        assert trace.marker.color.lower() == DIGIT_COLORS[int(trace.name)]


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
    # the same pair within each species, and the share of its covariance between the
    # species' means; shuffled species (no difference between them) lose that share
    from .test_ab_interpretations import _between_share

    codes = species.cat.codes.to_numpy()
    for code, name in enumerate(species.cat.categories):
        rows = codes == code
        assert ns["within"][name] == pytest.approx(pearsonr(X.iloc[rows, a], X.iloc[rows, b]).statistic)
    share = _between_share(X.iloc[:, a].to_numpy(), X.iloc[:, b].to_numpy(), codes)
    assert ns["between"] == pytest.approx(share) and share > 0.5 and ns["within"].max() < r
    shuffled = np.random.default_rng(0).permutation(codes)
    assert _between_share(X.iloc[:, a].to_numpy(), X.iloc[:, b].to_numpy(), shuffled) < 0.5
    assert ns["setosa_max"] < ns["others_min"]
    # overplotting: flowers whose (petal length, petal width) another flower shares
    from collections import Counter

    pairs = list(zip(X["petal length (cm)"], X["petal width (cm)"]))
    counts = Counter(pairs)
    assert ns["stacked"] == sum(counts[p] > 1 for p in pairs)
    # colours: every species in its SPECIES_COLORS, in all three figures
    from mlviz.plotting import SPECIES_COLORS

    pair_plot, parallel = run_page.figures
    colors = [SPECIES_COLORS[name].lower() for name in ns["names"]]
    off_diagonal = pair_plot.axes[1]  # row 0, column 1
    assert [_hex(c.get_facecolor()[0]) for c in off_diagonal.collections] == colors
    by_label = {line.get_label(): _hex(line.get_color()) for line in parallel.axes[0].lines}
    for name in ns["names"]:
        assert by_label[name] == SPECIES_COLORS[name].lower()
    scale = ns["fig"].layout.coloraxis.colorscale
    assert [c.lower() for _, c in scale] == colors


def test_a4_tsne(run_page):
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    ns = run_page("01_data_embeddings/plot_04_tsne.py")
    X, y, maps = ns["X"], ns["y"], ns["maps"]
    for p, coords in maps.items():
        assert coords.shape == (len(y), 2)
        assert ns["agree"][p] == pytest.approx(_same_label_share(coords, y))
    assert ns["raw"] == pytest.approx(_same_label_share(X, y))
    # the islands and the most mixed pair the page states, recounted by brute force
    for p, coords in maps.items():
        assert ns["islands"][p] == _islands(coords)
        a, b, share = ns["pairs"][p][0]
        assert share == pytest.approx(_pair_mixing(coords, y, a, b))
        others = [_pair_mixing(coords, y, i, j) for i in range(10) for j in range(i + 1, 10)]
        assert share == pytest.approx(max(others))
    # the reading: perplexity 5 breaks the map into at least twice as many islands,
    # whichever of three neighbouring definitions of an island counts them
    for definition in _ISLAND_DEFINITIONS:
        islands = {p: _islands(coords, **definition) for p, coords in maps.items()}
        assert islands[5] >= 2 * max(islands[30], islands[100]), (definition, islands)
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
    for name, coords in maps.items():
        assert agree[name] == pytest.approx(_same_label_share(coords, y))
        assert ns["islands"][name] == _islands(coords)
        assert ns["spread"][name] == pytest.approx(_class_spread(coords, y))
    assert ns["best"] == max(agree, key=agree.get)
    # the interval is for the stated difference, and the wording follows it
    difference = 100 * (agree[ns["best"]] - agree[ns["second"]])
    assert ns["low"] <= difference <= ns["high"]
    assert ns["verdict"].startswith("ahead") == (ns["low"] > 0)
    # PCA to 2 of the 50 components is PCA to 2 components of the pixels (up to sign).
    # The page's PCA to 50 components uses scikit-learn's randomized solver, whose
    # approximation error is far above rounding, so the maps are compared at the
    # precision they are drawn: within a pixel of the panel (1/500 of the map's extent).
    pca = PCA(n_components=2, svd_solver="full").fit_transform(X)
    pca_map = maps["PCA (2 components)"]
    np.testing.assert_allclose(np.abs(pca_map), np.abs(pca), atol=np.ptp(pca, axis=0).max() / 500)
    # the recipe the prose states, run again for one setting
    with threadpool_limits(1):
        X50 = PCA(n_components=50, random_state=0).fit_transform(X)
        model = umap.UMAP(n_neighbors=50, min_dist=0.5, random_state=0, n_jobs=1)
        expected = model.fit_transform(X50)
    np.testing.assert_allclose(maps["UMAP n_neighbors=50, min_dist=0.5"], expected)
    # the prose: min_dist=0 packs each class tighter (relative to the map) than 0.5
    # and min_dist=0.5 leaves fewer islands (whichever neighbouring definition counts)
    for k in (5, 50):
        tight, loose = (maps[f"UMAP n_neighbors={k}, min_dist={d}"] for d in (0.0, 0.5))
        assert _class_spread(tight, y) < _class_spread(loose, y)
        for definition in _ISLAND_DEFINITIONS:
            assert _islands(loose, **definition) < _islands(tight, **definition), definition
    # n_neighbors=5 minus 50: the stated difference lies in its interval, and at
    # min_dist=0.5 the whole interval is above 0
    for d, (diff, low, high) in ns["local"].items():
        few, many = (maps[f"UMAP n_neighbors={k}, min_dist={d}"] for k in (5, 50))
        assert diff == pytest.approx(100 * (_same_label_share(few, y) - _same_label_share(many, y)))
        assert low <= diff <= high
    assert ns["local"][0.5][1] > 0


def test_a6_projector(run_page):
    import torch
    from sklearn.decomposition import PCA
    from sklearn.model_selection import StratifiedKFold
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import StandardScaler

    from mlviz.plotting import DIGIT_COLORS

    ns = run_page("01_data_embeddings/plot_06_projector_3d.py")
    labels = ns["labels"]
    with torch.no_grad():
        predicted = ns["cnn"].model(ns["X"]).argmax(1).numpy()
    assert ns["cnn_accuracy"] == pytest.approx(np.mean(predicted == labels))
    for name, features in (("raw pixels", ns["raw"]), ("CNN embedding", ns["embedded"])):
        pca = PCA(n_components=3).fit(StandardScaler().fit_transform(features))
        # a share <= 1, from float32 sums over the images and over the features
        rounding = rounding_tolerance("float32", 1.0, n_terms=sum(features.shape))
        assert ns["variance"][name] == pytest.approx(pca.explained_variance_ratio_.sum(), abs=rounding)
        # 5-NN accuracy, each fold predicted by a classifier fitted on the others
        view, says = ns["views"][name], np.empty_like(labels)
        for fit, held in StratifiedKFold(5).split(view, labels):
            says[held] = KNeighborsClassifier(5).fit(view[fit], labels[fit]).predict(view[held])
        assert ns["knn"][name] == pytest.approx(np.mean(says == labels))
    # the interval is for the CNN embedding's lead, and it lies above 0
    low, high = ns["interval"].low, ns["interval"].high
    assert low <= ns["knn"]["CNN embedding"] - ns["knn"]["raw pixels"] <= high and low > 0
    assert ns["own"].to_dict() == pytest.approx(_share_by_class(ns["views"]["raw pixels"], labels))
    a, b, share = ns["pairs"][0]
    assert share == pytest.approx(_pair_mixing(ns["views"]["raw pixels"], labels, a, b))
    # the mistakes: counted from torch's predictions, not the page's
    wrong = predicted != labels
    elsewhere = ns["knn_says"]["CNN embedding"] != labels
    assert ns["wrong"].sum() == wrong.sum() and ns["both"] == (wrong & elsewhere).sum()
    for trace in ns["fig"].data:
        assert trace.marker.color.lower() == DIGIT_COLORS[int(trace.name)]
    # "training, or the architecture?": the untrained network rebuilt and scored here
    from mlviz.models import MnistCNN

    torch.manual_seed(0)  # the page's SEED
    net = MnistCNN(**ns["cnn"].config.arch_kwargs)
    with torch.no_grad():
        untrained = net.embed(ns["X"]).numpy()
        into_fc1 = net.flatten(net.pool2(net.features(ns["X"])))
        scale = float((into_fc1.abs() @ net.fc1.weight.abs().T).max())
    # float32 sums of fc1's inputs, whatever the thread count that ran the page
    rounding = rounding_tolerance("float32", scale, n_terms=into_fc1.shape[1])
    np.testing.assert_allclose(ns["untrained"], untrained, rtol=0, atol=rounding)
    view, says = ns["random_view"], np.empty_like(labels)
    for fit, held in StratifiedKFold(5).split(view, labels):
        says[held] = KNeighborsClassifier(5).fit(view[fit], labels[fit]).predict(view[held])
    assert ns["random_right"].mean() == pytest.approx(np.mean(says == labels))
    low, high = ns["trained_gain"].low, ns["trained_gain"].high
    assert low <= ns["knn"]["CNN embedding"] - np.mean(says == labels) <= high
    # the opposite case: a trained embedding right no more often than the untrained one
    from mlviz.report import ClaimError

    from .conftest import rerun_cell

    with pytest.raises(ClaimError):
        rerun_cell(
            "01_data_embeddings/plot_06_projector_3d.py",
            ns,
            "Training, or the architecture?",
            right=[ns["right"][0], np.zeros_like(ns["right"][1])],
        )


def test_a7_sentence_embeddings(run_page):
    import re

    st = pytest.importorskip("sentence_transformers")
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from mlviz.text import packaged_model_folder

    ns = run_page("01_data_embeddings/plot_07_sentence_embeddings.py")
    sentences = ns["sentences"]
    reference = st.SentenceTransformer(str(packaged_model_folder()), device="cpu")
    X = reference.encode(sentences["sentence"].tolist(), normalize_embeddings=True)
    # two float32 implementations of one network: values of size 1 (unit vectors and
    # their cosines), the longest sum being a feed-forward block's inner layer
    rounding = rounding_tolerance("float32", 1.0, n_terms=reference[0].auto_model.config.intermediate_size)
    np.testing.assert_allclose(ns["X"], X, rtol=0, atol=rounding)
    # words in more than one topic: a plain tokenizer and scikit-learn's stop words
    words = {topic: set() for topic in sentences["topic"]}
    for topic, sentence in sentences.itertuples(index=False):
        words[topic] |= set(re.findall(r"\b\w\w+\b", sentence.lower())) - ENGLISH_STOP_WORDS
    every = set().union(*words.values())
    shared = sorted(w for w in every if sum(w in ws for ws in words.values()) > 1)
    assert shared and sorted(ns["shared"]) == shared
    for topic, sentence in sentences.itertuples(index=False):
        assert topic not in sentence.lower()
    # similarities: same topic vs different topics, the probe, the query's neighbours
    similarity = X @ X.T
    topics = sentences["topic"].to_numpy()
    same = (topics[:, None] == topics[None, :]) & ~np.eye(len(X), dtype=bool)
    assert ns["within"] == pytest.approx(similarity[same].mean(), abs=rounding)
    assert ns["between"] == pytest.approx(similarity[topics[:, None] != topics].mean(), abs=rounding)
    P = reference.encode(ns["probes"], normalize_embeddings=True)
    assert ns["opposite"] == pytest.approx(P[0] @ P[1], abs=rounding)
    assert ns["paraphrase"] == pytest.approx(P[0] @ P[2], abs=rounding)
    cosine = X @ reference.encode([ns["query"]], normalize_embeddings=True)[0]
    assert list(ns["order"]) == list(np.argsort(-cosine)[:5])


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
