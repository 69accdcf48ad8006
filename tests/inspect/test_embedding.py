"""embed_2d, the numbers that read a map, and plot_embedding, on small data."""

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

from mlviz.inspect.embedding import (
    class_spread,
    count_islands,
    embed_2d,
    mixed_pairs,
    neighbour_agreement,
    neighbour_confusion,
)
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


@pytest.mark.parametrize(
    "method, params", [("tsne", {"perplexity": 10}), ("umap", {"n_neighbors": 10})]
)
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
    assert (
        neighbour_agreement(rng.normal(size=(300, 2)), rng.integers(0, 5, 300)) < 0.35
    )


def _brute_force_neighbours(coords, k):
    from scipy.spatial.distance import cdist

    distances = cdist(coords, coords)
    np.fill_diagonal(distances, np.inf)
    return np.argsort(distances, axis=1)[:, :k]


def test_per_point_agreement_and_confusion_match_brute_force():
    rng = np.random.default_rng(2)
    coords, labels = rng.normal(size=(150, 2)), rng.integers(0, 4, 150)
    nearest = labels[_brute_force_neighbours(coords, 6)]
    shares = neighbour_agreement(coords, labels, k=6, per_point=True)
    np.testing.assert_allclose(shares, np.mean(nearest == labels[:, None], axis=1))
    confusion = neighbour_confusion(coords, labels, k=6)
    assert list(confusion.index) == list(confusion.columns) == [0, 1, 2, 3]
    np.testing.assert_allclose(confusion.sum(axis=1), 1.0)
    for a in range(4):
        for b in range(4):
            expected = np.mean(nearest[labels == a] == b)
            assert confusion.loc[a, b] == pytest.approx(expected)
    # the diagonal, weighted by class size, is the overall agreement
    sizes = np.bincount(labels)
    overall = np.sum(np.diag(confusion) * sizes) / sizes.sum()
    assert overall == pytest.approx(neighbour_agreement(coords, labels, k=6))


def test_mixed_pairs_finds_the_two_overlapping_classes():
    rng = np.random.default_rng(3)
    centres = np.array([[0, 0], [0.2, 0], [10, 0], [0, 10]])  # 0 and 1 overlap
    labels = np.repeat(np.arange(4), 50)
    coords = centres[labels] + rng.normal(scale=0.5, size=(200, 2))
    pairs = mixed_pairs(neighbour_confusion(coords, labels), top=2)
    assert pairs[0][:2] == (0, 1) and pairs[0][2] > 0.3
    assert pairs[1][2] < 0.05 and len(pairs) == 2


def test_class_spread_is_small_for_tight_classes_and_scale_free():
    rng = np.random.default_rng(4)
    labels = np.repeat(np.arange(3), 40)
    centres = np.array([[0, 0], [5, 0], [0, 5]])
    tight = centres[labels] + rng.normal(scale=0.1, size=(120, 2))
    loose = centres[labels] + rng.normal(scale=2.0, size=(120, 2))
    assert class_spread(tight, labels) < 0.1 < class_spread(loose, labels)
    assert class_spread(10 * tight + 3, labels) == pytest.approx(
        class_spread(tight, labels)
    )
    # by hand: two classes of two points each
    square = np.array([[0.0, 0.0], [0.0, 2.0], [4.0, 0.0], [4.0, 2.0]])
    mean_to_centre = np.linalg.norm(square - square.mean(axis=0), axis=1).mean()
    assert class_spread(square, [0, 0, 1, 1]) == pytest.approx(1.0 / mean_to_centre)


def test_count_islands_counts_groups_with_a_visible_gap():
    rng = np.random.default_rng(5)
    groups = [
        rng.normal(loc=(20 * (g % 2), 20 * (g // 2)), size=(60, 2)) for g in range(4)
    ]
    assert count_islands(np.vstack(groups)) == 4
    assert count_islands(np.vstack(groups[:1])) == 1
    # a speck: counted above min_share of the points, not below
    speck = np.vstack(
        [groups[0], groups[1], rng.normal(loc=(10, 30), scale=0.01, size=(5, 2))]
    )
    assert count_islands(speck) == 3 and count_islands(speck, min_share=0.05) == 2
    # a gap of 9 % of the panel separates; not when the smallest visible gap is wider
    rng = np.random.default_rng(6)
    two = np.vstack(
        [rng.uniform(0, 1, (300, 2)), rng.uniform(0, 1, (300, 2)) + [1.2, 0]]
    )
    assert count_islands(two) == 2
    assert count_islands(two, min_gap=0.12) == count_islands(two, gap_factor=6) == 1
    with pytest.raises(
        ValueError, match=r"k must be an int in \[1, n_samples - 1 = 59\]"
    ):
        count_islands(groups[0], k=60)


def test_errors_name_the_argument():
    with pytest.raises(
        ValueError, match=r"method must be one of \('tsne', 'umap'\); got 'pca'"
    ):
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
