"""embed_2d, neighbour_agreement and plot_embedding on small data."""

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

from mlviz.inspect.embedding import embed_2d, neighbour_agreement
from mlviz.plotting import plot_embedding


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=120, n_features=60, centers=3, random_state=0)


def test_tsne_is_pca_then_sklearn_tsne(blobs):
    from sklearn.manifold import TSNE

    X, _ = blobs
    emb = embed_2d(X, "tsne", pca_components=20, perplexity=10)
    with threadpool_limits(1):  # as embed_2d: the same numbers on any number of cores
        X20 = PCA(n_components=20, random_state=0).fit_transform(X.astype(np.float32))
        tsne = TSNE(perplexity=10, init="pca", learning_rate="auto", random_state=0)
        expected = tsne.fit_transform(X20)
    np.testing.assert_allclose(emb.coords, expected, rtol=1e-5, atol=1e-5)
    assert emb.seconds > 0 and emb.method == "tsne"


@pytest.mark.parametrize("method, params", [("tsne", {"perplexity": 10}), ("umap", {"n_neighbors": 10})])
def test_projection_separates_blobs_and_is_seeded(blobs, method, params):
    X, y = blobs
    a = embed_2d(X, method, pca_components=20, **params)
    b = embed_2d(X, method, pca_components=20, **params)
    assert a.coords.shape == (120, 2)
    np.testing.assert_allclose(a.coords, b.coords)
    assert neighbour_agreement(a.coords, y) > 0.95
    assert a.params[next(iter(params))] == next(iter(params.values()))


def test_neighbour_agreement_matches_brute_force():
    from scipy.spatial.distance import cdist

    rng = np.random.default_rng(1)
    coords, labels = rng.normal(size=(200, 2)), rng.integers(0, 3, 200)
    distances = cdist(coords, coords)
    np.fill_diagonal(distances, np.inf)
    nearest = np.argsort(distances, axis=1)[:, :7]
    expected = np.mean(labels[nearest] == labels[:, None])
    assert neighbour_agreement(coords, labels, k=7) == pytest.approx(expected)


def test_neighbour_agreement_of_random_labels_is_low():
    rng = np.random.default_rng(0)
    assert neighbour_agreement(rng.normal(size=(300, 2)), rng.integers(0, 5, 300)) < 0.35


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"method must be one of \('tsne', 'umap'\); got 'pca'"):
        embed_2d(np.zeros((5, 3)), "pca")
    with pytest.raises(ValueError, match="labels must have one entry per point"):
        neighbour_agreement(np.zeros((5, 2)), [1, 2])


def test_plot_embedding_draws_one_collection_per_class(blobs):
    X, y = blobs
    ax = plot_embedding(X[:, :2], y, title="t")
    assert len(ax.collections) == 3 and ax.get_title() == "t"
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "2"]
    with pytest.raises(ValueError, match=r"coords must have shape \(n_samples, 2\)"):
        plot_embedding(X[:, :3], y)
