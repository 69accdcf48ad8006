"""Choosing the number of clusters: k-means inertia and silhouette over a range of k."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["kmeans_scan"]


def kmeans_scan(X, ks, *, random_state=0, n_init=10) -> pd.DataFrame:
    """Fit k-means for each ``k`` and report its inertia and silhouette score.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data, already scaled as it should be clustered.
    ks : iterable of int
        Numbers of clusters to try, each at least 2 (the silhouette needs two clusters)
        and less than ``n_samples``.
    random_state : int, default 0
        Seed of every k-means fit.
    n_init : int, default 10
        Restarts per fit; the best (lowest inertia) is kept.

    Returns
    -------
    scan : DataFrame indexed by ``k``
        ``inertia`` (within-cluster sum of squared distances to the centroid, the elbow
        curve) and ``silhouette`` (mean silhouette coefficient, Euclidean, higher is
        better).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> scan = kmeans_scan(load_iris().data, range(2, 5))
    >>> list(scan.index)
    [2, 3, 4]
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    values = np.asarray(X, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {values.shape}")
    ks = [int(k) for k in ks]
    bad = [k for k in ks if not 2 <= k < len(values)]
    if not ks or bad:
        raise ValueError(f"ks must be integers from 2 to n_samples - 1 = {len(values) - 1}; got {bad or 'nothing'}")
    rows = []
    for k in ks:
        model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(values)
        rows.append({"k": k, "inertia": model.inertia_, "silhouette": silhouette_score(values, model.labels_)})
    return pd.DataFrame(rows).set_index("k")
