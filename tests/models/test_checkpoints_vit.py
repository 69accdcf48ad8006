"""The optional weight checkpoints of train() and the registered vision transformer."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch

from mlviz.models import MNIST_CNN_CONFIG, TinyViT, TrainConfig, build_model, cache_key, train
from mlviz.models import _train

from .conftest import TINY





def test_default_key_is_unchanged_by_the_checkpoints_option():
    # The key as computed before the option existed: the config dict without "checkpoints".
    config = MNIST_CNN_CONFIG.to_dict()
    del config["checkpoints"]
    payload = {
        "config": config,
        "data": {name: _train.REGISTRY[name] for name in _train._MNIST_FILES},
        "torch": torch.__version__,
        "device": "cpu",
        "history_version": _train.HISTORY_VERSION,
    }
    expected = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    assert cache_key(MNIST_CNN_CONFIG, "cpu") == expected
    assert cache_key(MNIST_CNN_CONFIG.replace(checkpoints=2), "cpu") != expected


def test_checkpoints_are_kept_cached_and_do_not_change_training():
    plain = train(TINY, device="cpu")
    run = train(TINY.replace(checkpoints=2), device="cpu")
    assert plain.checkpoints is None and plain.checkpoint_steps is None
    steps_per_epoch = 256 // 64
    np.testing.assert_array_equal(run.checkpoint_steps, [0, 2, 4, 6, 8])
    assert len(run.checkpoints) == 5
    final = run.checkpoints[-1]
    for name, value in plain.model.state_dict().items():
        assert torch.equal(final[name], value)  # snapshots do not perturb the run
    assert not torch.equal(run.checkpoints[0]["conv1.weight"], final["conv1.weight"])
    assert steps_per_epoch * 2 == run.checkpoint_steps[-1]
    again = train(TINY.replace(checkpoints=2), device="cpu")
    assert again.from_cache
    np.testing.assert_array_equal(again.checkpoint_steps, run.checkpoint_steps)
    for a, b in zip(again.checkpoints, run.checkpoints):
        assert all(torch.equal(a[k], b[k]) for k in a)


def test_checkpoints_must_be_non_negative():
    with pytest.raises(ValueError, match="checkpoints must be a non-negative int.*-1"):
        TINY.replace(checkpoints=-1)


def test_vit_is_registered_and_trains():
    assert isinstance(build_model("vit", dim=16, depth=1, heads=2), TinyViT)
    config = TrainConfig(arch="vit", arch_kwargs={"dim": 16, "depth": 1, "heads": 2}, epochs=1, n_train=128,
                         n_val=64, probe_size=16, n_bins=8)
    run = train(config, device="cpu")
    assert run.history.val_acc.shape == (1,)
    assert "blocks.0.attn.qkv" in run.history.layers
    with pytest.raises(ValueError, match="divisible by heads"):
        TinyViT(dim=10, heads=3)
