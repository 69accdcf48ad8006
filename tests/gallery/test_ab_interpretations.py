"""The readings of sections A and B, fed the opposite case: each must be able to fail.

The island count of pages A4 and A5 (``mlviz.inspect.embedding.count_islands``) is run
on drawn-to-order maps: two groups joined by stray points, one
structureless cloud, a dozen separate groups, specks. :func:`visible_islands` is an
independent count (brute-force distances, union-find) that the page tests compare the
pages' numbers with. The other tests give a claim's statistic data in which the
reading is false (species without a difference, identical views) and check that the
condition then fails.
"""

from __future__ import annotations

import numpy as np

from sklearn.neighbors import NearestNeighbors

from mlviz.inspect.embedding import count_islands


def visible_islands(coords, k=3, factor=2.0, floor=0.03, min_share=0.01):
    """Groups with a visible gap around them, counted without scikit-learn.

    The map is rescaled to its panel (each axis to [0, 1]); the gap is ``factor`` times
    the median distance to the ``k``-th nearest neighbour, at least ``floor``. A point
    with ``k`` others within the gap is a core point; core points within the gap of each
    other are joined (union-find); every other point within the gap of a core point
    belongs to its nearest core point's group, the rest are strays. Groups holding at
    least ``min_share`` of the points are counted.
    """
    from scipy.spatial.distance import cdist

    coords = np.asarray(coords, dtype=float)
    drawn = (coords - coords.min(axis=0)) / (coords.max(axis=0) - coords.min(axis=0))
    distances = cdist(drawn, drawn)
    np.fill_diagonal(distances, np.inf)
    kth = np.sort(distances, axis=1)[:, k - 1]
    gap = max(factor * np.median(kth), floor)
    close = distances <= gap
    core = close.sum(axis=1) >= k
    parent = np.arange(len(coords))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(close & core[:, None] & core[None, :])):
        parent[root(i)] = root(j)
    group = np.full(len(coords), -1)
    for i in np.flatnonzero(core):
        group[i] = root(i)
    for i in np.flatnonzero(~core):
        near = np.flatnonzero(close[i] & core)
        if len(near):
            group[i] = root(near[np.argmin(distances[i, near])])
    _, sizes = np.unique(group[group >= 0], return_counts=True)
    return int(np.sum(sizes >= min_share * len(coords)))


def _blob(rng, centre, n, spread=0.3):
    return rng.normal(centre, spread, size=(n, 2))


def linked_to_5_nearest(coords):
    """The count A4 and A5 used before: pieces of the 5-nearest-neighbour graph."""
    from scipy.sparse.csgraph import connected_components

    graph = NearestNeighbors(n_neighbors=5).fit(coords).kneighbors_graph()
    return connected_components(graph, directed=False)[0]


def test_a_stray_bridge_does_not_merge_two_islands():
    rng = np.random.default_rng(0)
    groups = [_blob(rng, (0, 0), 200), _blob(rng, (4, 4), 200)]
    bridge = np.linspace(0.8, 3.2, 4)[:, None] * [1, 1]  # four strays on the diagonal
    coords = np.vstack([*groups, bridge])
    assert count_islands(coords) == visible_islands(coords) == 2
    # the count the pages used before: one chain of stray points joined the groups
    assert linked_to_5_nearest(coords) == 1


def test_one_structureless_cloud_is_one_island():
    rng = np.random.default_rng(1)
    for n in (400, 1500):  # the pages' quick and full sizes
        coords = rng.uniform(0, 1, size=(n, 2))
        assert count_islands(coords) == visible_islands(coords) == 1
        # A4's claim "perplexity 5 breaks the map into at least twice as many islands"
        # is false for maps that all look like this one
        islands = {5: count_islands(coords), 30: 1, 100: 1}
        assert not islands[5] >= 2 * max(islands[30], islands[100])


def test_separate_groups_are_counted_and_specks_are_not():
    rng = np.random.default_rng(2)
    centres = [(x, y) for x in range(0, 16, 4) for y in range(0, 12, 4)]  # 12 groups
    coords = np.vstack([_blob(rng, c, 60) for c in centres])
    assert count_islands(coords) == visible_islands(coords) == 12
    speck = _blob(rng, (30, 30), 5, spread=0.05)  # 5 points: under 1 % of 725
    with_speck = np.vstack([coords, speck])
    assert count_islands(with_speck) == visible_islands(with_speck) == 12


def test_the_count_is_that_of_the_drawn_panel():
    """Units and aspect do not matter: the panel stretches each axis to fit."""
    rng = np.random.default_rng(3)
    coords = np.vstack(
        [_blob(rng, (0, 0), 150), _blob(rng, (5, 0), 150), _blob(rng, (0, 5), 150)]
    )
    assert count_islands(coords) == count_islands(coords * [1000.0, 0.001]) == 3


def test_pooled_correlation_without_species_differences_fails_a3s_reading():
    """A3: 'the pooled correlation mostly reflects the species' differences'.

    Three species with the same mean petals and a strong link within each: the share of
    the covariance between the species' means is near 0, and the claim must fail.
    """
    rng = np.random.default_rng(4)
    length = rng.normal(4, 1, size=150)
    width = 0.4 * length + rng.normal(0, 0.1, size=150)
    species = np.repeat([0, 1, 2], 50)
    share = _between_share(length, width, species)
    assert share < 0.5
    # shifted species means make it the species' differences again
    shift = np.repeat([0.0, 3.0, 6.0], 50)
    assert _between_share(length + shift, width + 0.4 * shift, species) > 0.5


def _between_share(a, b, groups):
    """Share of cov(a, b) between the group means (law of total covariance, by sums)."""
    mean_a = np.array([a[groups == g].mean() for g in groups])
    mean_b = np.array([b[groups == g].mean() for g in groups])
    between = np.sum((mean_a - a.mean()) * (mean_b - b.mean()))
    return between / np.sum((a - a.mean()) * (b - b.mean()))


def test_a6_interval_excludes_zero_only_when_the_views_differ():
    """A6: 'classes come apart in the embedding' needs the paired interval above 0."""
    from scipy.stats import bootstrap

    rng = np.random.default_rng(5)
    raw = (rng.uniform(size=600) < 0.47).astype(float)

    def interval(better, worse):
        return bootstrap(
            (better, worse),
            lambda a, b, axis: np.mean(a - b, axis=axis),
            paired=True,
            random_state=0,
        ).confidence_interval

    # another view that is right as often, on other images: no difference to claim
    other = (rng.uniform(size=600) < 0.47).astype(float)
    assert not interval(other, raw).low > 0
    # a view right wherever the raw one is, and on more images besides
    cnn = np.maximum(raw, (rng.uniform(size=600) < 0.55).astype(float))
    assert interval(cnn, raw).low > 0


def test_a2_silhouette_cannot_say_that_there_are_no_clusters():
    """A2's pitfall: k-means cuts of a structureless cloud still score above 0, so a
    positive silhouette does not show that groups exist; two separate groups score
    much higher."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(6)
    for dims in (2, 4):  # Iris has four columns
        cloud = rng.uniform(size=(150, dims))
        for k in (2, 3, 4):
            labels = KMeans(k, n_init=10, random_state=0).fit_predict(cloud)
            assert silhouette_score(cloud, labels) > 0
    groups = np.vstack([_blob(rng, (0, 0), 75), _blob(rng, (4, 4), 75)])
    labels = KMeans(2, n_init=10, random_state=0).fit_predict(groups)
    assert silhouette_score(groups, labels) > 0.6
