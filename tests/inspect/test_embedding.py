"""embed_2d, neighbour_agreement and plot_embedding on small data."""

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA

from mlviz.inspect.embedding import embed_2d, neighbour_agreement
from mlviz.plotting import plot_embedding


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=120, n_features=60, centers=3, random_state=0)


def test_pca_matches_sklearn(blobs):
    X, _ = blobs
    emb = embed_2d(X, "pca")
    np.testing.assert_allclose(np.abs(emb.coords), np.abs(PCA(2).fit_transform(X)), rtol=1e-3, atol=1e-3)
    assert emb.seconds > 0 and emb.method == "pca"


@pytest.mark.parametrize("method, params", [("tsne", {"perplexity": 10}), ("umap", {"n_neighbors": 10})])
def test_projection_separates_blobs_and_is_seeded(blobs, method, params):
    X, y = blobs
    a = embed_2d(X, method, pca_components=20, **params)
    b = embed_2d(X, method, pca_components=20, **params)
    assert a.coords.shape == (120, 2)
    np.testing.assert_allclose(a.coords, b.coords)
    assert neighbour_agreement(a.coords, y) > 0.95
    assert a.params[next(iter(params))] == next(iter(params.values()))


def test_neighbour_agreement_of_random_labels_is_low():
    rng = np.random.default_rng(0)
    assert neighbour_agreement(rng.normal(size=(300, 2)), rng.integers(0, 5, 300)) < 0.35


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="method must be one of"):
        embed_2d(np.zeros((5, 3)), "mds")
    with pytest.raises(ValueError, match="labels must have one entry per point"):
        neighbour_agreement(np.zeros((5, 2)), [1, 2])


def test_plot_embedding_draws_one_collection_per_class(blobs):
    X, y = blobs
    ax = plot_embedding(X[:, :2], y, title="t")
    assert len(ax.collections) == 3 and ax.get_title() == "t"
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "2"]
    with pytest.raises(ValueError, match=r"coords must have shape \(n_samples, 2\)"):
        plot_embedding(X[:, :3], y)
