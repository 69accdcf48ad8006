"""deep_feature_factorization: scikit-learn's NMF on positions x channels, validated inputs."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import NMF

from mlviz.inspect.cnn import deep_feature_factorization


@pytest.fixture
def planted():
    """Activations (3, 5, 4, 6) built exactly from two concepts: rank 2, non-negative."""
    rng = np.random.default_rng(1)
    concepts = np.array([[2.0, 1.0, 0.0, 0.0, 0.5], [0.0, 0.0, 1.0, 3.0, 0.0]])
    where = rng.random((3, 2, 4, 6))
    return np.einsum("njhw,jk->nkhw", where, concepts), where, concepts


def test_it_is_sklearn_nmf_on_positions_by_channels(planted):
    A, _, _ = planted
    heatmaps, concepts = deep_feature_factorization(A, 3, seed=4, max_iter=500, init="random", tol=1e-6)
    V = np.moveaxis(A, 1, -1).reshape(-1, A.shape[1])  # image by image, row by row
    nmf = NMF(n_components=3, init="random", random_state=4, max_iter=500, tol=1e-6)
    W = nmf.fit_transform(V)
    np.testing.assert_allclose(concepts, nmf.components_)
    np.testing.assert_allclose(heatmaps, W.reshape(3, 4, 6, 3).transpose(0, 3, 1, 2))


def test_each_heatmap_cell_is_its_position_and_the_planted_data_is_rebuilt(planted):
    A, where, true_concepts = planted
    heatmaps, concepts = deep_feature_factorization(A, 2, max_iter=2000, tol=1e-10)
    assert heatmaps.shape == (3, 2, 4, 6) and concepts.shape == (2, 5)
    rebuilt = np.einsum("njhw,jk->nkhw", heatmaps, concepts)
    assert np.linalg.norm(rebuilt - A) / np.linalg.norm(A) < 1e-3
    # the concepts are the planted ones, up to order and scale
    def unit(M):
        return M / np.linalg.norm(M, axis=1, keepdims=True)

    cosines = unit(concepts) @ unit(true_concepts).T
    assert sorted(cosines.max(0)) == pytest.approx([1, 1], abs=1e-3)
    # heatmaps[n, j, r, c] follows the planted map of the matching concept
    match = cosines.argmax(0)
    for j in range(2):
        r = np.corrcoef(heatmaps[:, match[j]].ravel(), where[:, j].ravel())[0, 1]
        assert r > 0.999


def test_a_tensor_gives_the_same_answer_as_an_array(planted):
    """A float32 tensor and the same float32 values as an array: the same bits."""
    A = planted[0].astype(np.float32)
    from_array = deep_feature_factorization(A, 2)
    from_tensor = deep_feature_factorization(torch.from_numpy(A), 2)
    for a, b in zip(from_array, from_tensor):
        assert a.dtype == b.dtype == np.float64
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_components": 0}, ValueError, r"n_components must be from 1 to min\(positions, channels\) = 5; got 0"),
        ({"n_components": 6}, ValueError, "= 5; got 6"),
        ({"n_components": 2.0}, TypeError, "n_components must be an int from 1 to 5; got 2.0"),
        ({"n_components": True}, TypeError, "n_components must be an int"),
        ({"n_components": 2, "max_iter": 0}, ValueError, "max_iter must be an int >= 1; got 0"),
        ({"n_components": 2, "max_iter": 10.5}, TypeError, "max_iter must be an int >= 1; got 10.5"),
        ({"n_components": 2, "init": "nndsvdx"}, ValueError, r"init must be one of \('nndsvda'"),
    ],
)
def test_arguments_are_checked_with_their_names(planted, kwargs, error, message):
    A, _, _ = planted
    with pytest.raises(error, match=message):
        deep_feature_factorization(A, **kwargs)


def test_activations_are_checked():
    with pytest.raises(ValueError, match=r"shape \(N, K, h, w\); got \(2, 3, 3\)"):
        deep_feature_factorization(np.ones((2, 3, 3)), 1)
    bad = np.ones((1, 2, 3, 3))
    bad[0, 1, 2, 2] = np.nan
    with pytest.raises(ValueError, match="finite; 1 values are not"):
        deep_feature_factorization(bad, 1)
    with pytest.raises(ValueError, match="non-negative"):
        deep_feature_factorization(-np.ones((1, 2, 3, 3)), 1)


def test_the_defaults_are_unchanged(planted):
    """The MNIST page F6 calls it as deep_feature_factorization(A, k, seed=SEED)."""
    A, _, _ = planted
    heatmaps, concepts = deep_feature_factorization(A, 2, seed=0)
    V = np.moveaxis(A, 1, -1).reshape(-1, A.shape[1])
    nmf = NMF(n_components=2, init="nndsvda", random_state=0, max_iter=400)
    W = nmf.fit_transform(V)
    np.testing.assert_allclose(concepts, nmf.components_)
    np.testing.assert_allclose(heatmaps, W.reshape(3, 4, 6, 2).transpose(0, 3, 1, 2))
