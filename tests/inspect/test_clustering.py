import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score

from mlviz.inspect.clustering import kmeans_scan


def test_scan_matches_kmeans_and_silhouette_score():
    X, _ = make_blobs(n_samples=120, centers=3, cluster_std=0.5, random_state=1)
    scan = kmeans_scan(X, [2, 3, 4], random_state=0)
    assert list(scan.index) == [2, 3, 4] and list(scan.columns) == ["inertia", "silhouette"]
    for k in (2, 3, 4):
        model = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
        # inertia recomputed from its definition, silhouette from sklearn's own function
        sse = ((X - model.cluster_centers_[model.labels_]) ** 2).sum()
        assert scan.loc[k, "inertia"] == pytest.approx(sse, rel=1e-9)
        assert scan.loc[k, "silhouette"] == pytest.approx(silhouette_score(X, model.labels_))
    assert scan["silhouette"].idxmax() == 3, "three well-separated blobs"
    assert np.all(np.diff(scan["inertia"]) < 0)


@pytest.mark.parametrize(("X", "ks", "msg"), [(np.zeros(5), [2], "X must be 2-D"), (np.zeros((5, 2)), [1, 5], r"got \[1, 5\]"), (np.zeros((5, 2)), [], "got nothing")])
def test_bad_arguments(X, ks, msg):
    with pytest.raises(ValueError, match=msg):
        kmeans_scan(X, ks)
