"""2-D projections of high-dimensional data (t-SNE, UMAP), and numbers that read a map.

* :func:`embed_2d` projects with t-SNE or UMAP (PCA first), timed.
* :func:`neighbour_agreement`, :func:`neighbour_confusion` and :func:`mixed_pairs` say
  how often a point's nearest neighbours on a map share its label, overall, per class
  and per pair of classes.
* :func:`class_spread` (how tightly each class packs) and :func:`count_islands` (how
  many separate pieces a map falls into) put numbers on what a reader sees.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..config import SEED

__all__ = [
    "Embedding2D",
    "class_spread",
    "count_islands",
    "embed_2d",
    "mixed_pairs",
    "neighbour_agreement",
    "neighbour_confusion",
]

_METHODS = ("tsne", "umap")


@dataclass(frozen=True)
class Embedding2D:
    """A 2-D projection and how it was obtained.

    Attributes
    ----------
    coords : ndarray of shape (n_samples, 2)
    method : str
    params : dict
        The parameters passed to the projection.
    seconds : float
        Wall time of the projection (PCA included).
    """

    coords: np.ndarray
    method: str
    params: dict = field(default_factory=dict)
    seconds: float = 0.0


def embed_2d(
    X,
    method: str = "tsne",
    *,
    pca_components: int | None = 50,
    seed: int = SEED,
    **params,
) -> Embedding2D:
    """Project ``X`` to two dimensions with t-SNE or UMAP.

    ``X`` is first reduced to ``pca_components`` principal components (when it has
    more columns), the usual way to make t-SNE and UMAP fast and less noisy.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    method : {"tsne", "umap"}
    pca_components : int or None
        Components kept before t-SNE/UMAP; None skips the PCA step.
    seed : int
        Random state of PCA, t-SNE and UMAP.
    **params
        Passed to :class:`sklearn.manifold.TSNE` (e.g. ``perplexity``) or
        :class:`umap.UMAP` (e.g. ``n_neighbors``, ``min_dist``).

    Returns
    -------
    Embedding2D
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")
    X = np.asarray(X, dtype=np.float32).reshape(len(X), -1)
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    with threadpool_limits(
        1
    ):  # one thread: on a shared machine, 2 contending threads were far slower
        coords = _project(X, method, pca_components, seed, params)
    return Embedding2D(
        np.asarray(coords, dtype=float),
        method,
        dict(params),
        time.perf_counter() - start,
    )


def _project(X, method, pca_components, seed, params):
    from sklearn.decomposition import PCA

    if pca_components is not None and X.shape[1] > pca_components:
        X = PCA(n_components=pca_components, random_state=seed).fit_transform(X)
    if method == "tsne":
        from sklearn.manifold import TSNE

        params = {"init": "pca", "learning_rate": "auto", "n_jobs": 1, **params}
        return TSNE(n_components=2, random_state=seed, **params).fit_transform(X)
    import umap

    params = {"n_jobs": 1, **params}
    return umap.UMAP(n_components=2, random_state=seed, **params).fit_transform(X)


def _check_labels(coords, labels):
    coords = np.asarray(coords, dtype=float)
    labels = np.asarray(labels)
    if coords.ndim != 2:
        raise ValueError(
            f"coords must have shape (n_samples, n_dims); got {coords.shape}"
        )
    if len(labels) != len(coords):
        raise ValueError(
            f"labels must have one entry per point ({len(coords)}); got {len(labels)}"
        )
    return coords, labels


def _neighbour_labels(coords, labels, k):
    """Labels of each point's ``k`` nearest neighbours (the point itself excluded)."""
    from sklearn.neighbors import NearestNeighbors

    if not isinstance(k, (int, np.integer)) or not 1 <= k < len(coords):
        raise ValueError(
            f"k must be an int in [1, n_samples - 1 = {len(coords) - 1}]; got {k!r}"
        )
    _, idx = NearestNeighbors(n_neighbors=k + 1).fit(coords).kneighbors(coords)
    return labels[idx[:, 1:]]


def neighbour_agreement(
    coords: np.ndarray, labels, *, k: int = 10, per_point: bool = False
):
    """Share of each point's ``k`` nearest neighbours (in ``coords``) that share its label.

    A number for "how well are the classes separated in this map" that does not depend
    on the map's scale.

    Parameters
    ----------
    coords : array-like of shape (n_samples, n_dims)
        A map (or any feature space); distances are Euclidean.
    labels : array-like of shape (n_samples,)
    k : int, default=10
        Neighbours per point, the point itself not counted.
    per_point : bool, default=False
        Return each point's share instead of their mean (e.g. to bootstrap the mean).

    Returns
    -------
    float, or ndarray of shape (n_samples,) if ``per_point``
    """
    coords, labels = _check_labels(coords, labels)
    shares = np.mean(_neighbour_labels(coords, labels, k) == labels[:, None], axis=1)
    return shares if per_point else float(shares.mean())


def neighbour_confusion(coords, labels, *, k: int = 10):
    """For each class, the share of its points' ``k`` nearest neighbours in each class.

    Parameters
    ----------
    coords : array-like of shape (n_samples, n_dims)
    labels : array-like of shape (n_samples,)
    k : int, default=10
        Neighbours per point, the point itself not counted.

    Returns
    -------
    pandas.DataFrame of shape (n_classes, n_classes)
        Row ``a``, column ``b``: among the neighbours of the points labelled ``a``, the
        share labelled ``b``. Rows sum to 1; the diagonal is each class's
        :func:`neighbour_agreement`.
    """
    import pandas as pd

    coords, labels = _check_labels(coords, labels)
    neighbours = _neighbour_labels(coords, labels, k)
    classes = np.unique(labels)
    shares = [[np.mean(neighbours[labels == a] == b) for b in classes] for a in classes]
    index = pd.Index(classes, name="class")
    return pd.DataFrame(
        shares, index=index, columns=pd.Index(classes, name="neighbour")
    )


def mixed_pairs(confusion, *, top: int = 3) -> list[tuple]:
    """The pairs of classes whose points are most often each other's neighbours.

    Parameters
    ----------
    confusion : pandas.DataFrame
        As returned by :func:`neighbour_confusion`.
    top : int, default=3
        How many pairs to return.

    Returns
    -------
    list of (class_a, class_b, share)
        Sorted by ``share``, the mean of ``confusion.loc[a, b]`` and
        ``confusion.loc[b, a]`` (largest first); ``class_a`` sorts before ``class_b``.
    """
    classes = list(confusion.index)
    if list(confusion.columns) != classes:
        raise ValueError("confusion must be square with the same classes on both axes")
    values = confusion.to_numpy()
    pairs = [
        (classes[i], classes[j], float((values[i, j] + values[j, i]) / 2))
        for i in range(len(classes))
        for j in range(i + 1, len(classes))
    ]
    return sorted(pairs, key=lambda pair: -pair[2])[:top]


def class_spread(coords, labels) -> float:
    """How tightly the classes pack on a map, whatever its scale.

    The mean distance of a point to its class's centre (averaged over the classes),
    divided by the mean distance of a point to the centre of the whole map: near 0
    when each class is a tight clump, near 1 when the classes are spread over the map.

    Parameters
    ----------
    coords : array-like of shape (n_samples, n_dims)
    labels : array-like of shape (n_samples,)

    Returns
    -------
    float
    """
    coords, labels = _check_labels(coords, labels)

    def mean_radius(points):
        return np.linalg.norm(points - points.mean(axis=0), axis=1).mean()

    within = np.mean([mean_radius(coords[labels == c]) for c in np.unique(labels)])
    return float(within / mean_radius(coords))


def count_islands(
    coords,
    *,
    k: int = 3,
    gap_factor: float = 2.0,
    min_gap: float = 0.03,
    min_share: float = 0.01,
) -> int:
    """Number of islands on a drawn map: groups of points with a visible gap around them.

    The map is first rescaled as its panel draws it (each axis from 0 to 1). Two points
    are *close* when they are nearer than the smallest visible gap: ``gap_factor`` times
    the median distance from a point to its ``k``-th nearest neighbour, and at least
    ``min_gap`` of the panel. Points with ``k`` close neighbours link their neighbours
    into one group (scikit-learn's :class:`~sklearn.cluster.DBSCAN` with
    ``min_samples=k + 1``): a stray point between two groups joins one of them but
    cannot merge them, which a plain nearest-neighbour graph would. Groups holding fewer
    than ``min_share`` of the points (specks) are not counted.

    Parameters
    ----------
    coords : array-like of shape (n_samples, 2)
        The map's coordinates, in any units (the count is that of the drawn panel).
    k : int, default=3
        The neighbour whose distance sets the gap, and the neighbours a point needs to
        link others.
    gap_factor : float, default=2.0
        The gap, in multiples of the median ``k``-th neighbour distance.
    min_gap : float, default=0.03
        The smallest gap, as a share of the panel's width and height.
    min_share : float, default=0.01
        The smallest group counted, as a share of all points.

    Returns
    -------
    int
    """
    from sklearn.cluster import DBSCAN
    from sklearn.neighbors import NearestNeighbors

    coords = np.asarray(coords, dtype=float)
    if coords.ndim != 2:
        raise ValueError(
            f"coords must have shape (n_samples, n_dims); got {coords.shape}"
        )
    if not isinstance(k, (int, np.integer)) or not 1 <= k < len(coords):
        raise ValueError(
            f"k must be an int in [1, n_samples - 1 = {len(coords) - 1}]; got {k!r}"
        )
    extent = np.ptp(coords, axis=0)
    drawn = (coords - coords.min(axis=0)) / np.where(extent > 0, extent, 1.0)
    distances, _ = NearestNeighbors(n_neighbors=k).fit(drawn).kneighbors()
    gap = max(gap_factor * np.median(distances[:, -1]), min_gap)
    groups = DBSCAN(eps=gap, min_samples=k + 1).fit(drawn).labels_
    sizes = np.bincount(groups[groups >= 0], minlength=1)
    return int(np.sum(sizes >= min_share * len(coords)))
