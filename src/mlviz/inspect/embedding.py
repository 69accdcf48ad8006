"""2-D projections of high-dimensional data (t-SNE, UMAP), timed, with PCA first."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..config import SEED

__all__ = ["Embedding2D", "embed_2d", "neighbour_agreement"]

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


def embed_2d(X, method: str = "tsne", *, pca_components: int | None = 50, seed: int = SEED, **params) -> Embedding2D:
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
    with threadpool_limits(1):  # one thread: on a shared machine, 2 contending threads were far slower
        coords = _project(X, method, pca_components, seed, params)
    return Embedding2D(np.asarray(coords, dtype=float), method, dict(params), time.perf_counter() - start)


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


def neighbour_agreement(coords: np.ndarray, labels, *, k: int = 10) -> float:
    """Share of each point's ``k`` nearest neighbours (in ``coords``) that share its label.

    A number for "how well are the classes separated in this map" that does not depend
    on the map's scale.
    """
    from sklearn.neighbors import NearestNeighbors

    labels = np.asarray(labels)
    if len(labels) != len(coords):
        raise ValueError(f"labels must have one entry per point ({len(coords)}); got {len(labels)}")
    _, idx = NearestNeighbors(n_neighbors=k + 1).fit(coords).kneighbors(coords)
    return float(np.mean(labels[idx[:, 1:]] == labels[:, None]))
