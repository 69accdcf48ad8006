"""Activation maximization raises its objective; deep feature factorization recovers planted concepts."""

import numpy as np
import pytest
import torch
from torch import nn

from mlviz.inspect.cnn import activation_maximization, deep_feature_factorization


def test_activation_maximization_increases_the_objective_and_leaves_the_model_trainable():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 8 * 8, 3))
    objective = lambda x: net(x)[:, 2]  # noqa: E731
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
