"""Activation maximization raises its objective; deep feature factorization recovers planted concepts."""

import numpy as np
import pytest
import torch
from torch import nn

from mlviz.inspect.cnn import activation_maximization, deep_feature_factorization


def test_activation_maximization_increases_the_objective_and_leaves_the_model_trainable():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 8 * 8, 3))
    def objective(x):
        return net(x)[:, 2]

    start = (0.1 * torch.randn((2, 1, 8, 8), generator=torch.Generator().manual_seed(5)))
    out = activation_maximization(net, objective, n_images=2, shape=(1, 8, 8), n_steps=60, seed=5, jitter=0)
    with torch.no_grad():
        assert objective(torch.from_numpy(out)).mean() > objective(start).mean() + 1.0
    assert all(p.requires_grad for p in net.parameters())
    assert out.shape == (2, 1, 8, 8)


def test_bounds_are_respected():
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 1))
    out = activation_maximization(net, lambda x: net(x)[:, 0], shape=(1, 4, 4), n_steps=50, lr=0.5, bounds=(-1, 1))
    assert out.min() >= -1 and out.max() <= 1


def test_dff_recovers_planted_concepts():
    rng = np.random.default_rng(0)
    concepts = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1.0]])  # two disjoint channel patterns
    where = rng.random((5, 2, 4, 4))
    A = np.einsum("nchw,ck->nkhw", where, concepts)
    heatmaps, found = deep_feature_factorization(A, 2)
    assert heatmaps.shape == (5, 2, 4, 4) and found.shape == (2, 6)
    support = sorted(tuple(np.flatnonzero(c > 0.05 * c.max())) for c in found)
    assert support == [(0, 1), (3, 4, 5)]


def test_dff_rejects_negative_activations():
    with pytest.raises(ValueError, match="non-negative"):
        deep_feature_factorization(-np.ones((1, 2, 3, 3)), 1)


def _off_unit():
    """A ReLU unit relu(sum(x) - 10) on 4x4 images: off (zero gradient) near x = 0."""
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 1), nn.ReLU())
    with torch.no_grad():
        net[1].weight.fill_(1.0)
        net[1].bias.fill_(-10.0)
    return net


def test_a_unit_off_at_the_start_gets_no_gradient_and_init_restarts_it():
    net = _off_unit()
    def objective(x):
        return net(x)[:, 0]

    settings = {"shape": (1, 4, 4), "n_steps": 40, "l2": 0.0, "tv": 0.0, "jitter": 0, "seed": 3}
    stuck = activation_maximization(net, objective, **settings)
    start = 0.1 * torch.randn((1, 1, 4, 4), generator=torch.Generator().manual_seed(3))
    np.testing.assert_array_equal(stuck, start.numpy())  # nothing moved
    init = torch.ones((1, 1, 4, 4))  # sum 16 > 10: the unit is on
    moved = activation_maximization(net, objective, init=init, **settings)
    with torch.no_grad():
        assert objective(torch.from_numpy(moved)).item() > objective(init).item() + 1.0
    assert init.eq(1).all()  # the caller's tensor is not modified


def test_init_with_the_wrong_shape_is_refused():
    net = _off_unit()
    with pytest.raises(ValueError, match=r"init must have shape \(2, 1, 4, 4\)"):
        activation_maximization(net, lambda x: net(x)[:, 0], n_images=2, shape=(1, 4, 4), init=np.zeros((1, 1, 4, 4)))
