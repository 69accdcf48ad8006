"""The training loop: seeded, deterministic runs that leave the global torch settings as they were."""

from __future__ import annotations

import numpy as np
import torch

from mlviz.models import _fit, train

from .conftest import TINY


def test_same_seed_gives_identical_weights_and_other_seed_does_not():
    a = train(TINY, cache=False)
    b = train(TINY, cache=False)
    c = train(TINY.replace(seed=1), cache=False)
    for name, w in a.model.state_dict().items():
        assert torch.equal(w, b.model.state_dict()[name]), name
    np.testing.assert_array_equal(a.history.step_loss, b.history.step_loss)
    assert not torch.equal(a.model.conv1.weight, c.model.conv1.weight)


def test_deterministic_settings_are_restored():
    before = torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.benchmark
    with _fit._deterministic(0):
        assert torch.are_deterministic_algorithms_enabled() and not torch.backends.cudnn.benchmark
        first = torch.rand(3)
    with _fit._deterministic(0):
        assert torch.equal(torch.rand(3), first)  # seeded
    assert (torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.benchmark) == before
