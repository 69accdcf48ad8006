"""The model cache: what its key covers, how an entry is written, and that an entry holds plain data only."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch

from mlviz.models import MNIST_CNN_CONFIG, _cache, cache_key, train

from .conftest import TINY


def test_cache_key_covers_the_arguments_and_the_device():
    # a different architecture argument changes the key too, and equal configs share one
    assert cache_key(TINY.replace(arch_kwargs={"channels": (4, 8), "hidden": 17})) != cache_key(TINY)
    assert cache_key(TINY.replace(arch_kwargs={"hidden": 16, "channels": [4, 8]})) == cache_key(TINY)
    assert cache_key(TINY, "cpu") != cache_key(TINY, "cuda")


def test_cache_key_needs_a_config():
    with pytest.raises(TypeError, match="config must be a TrainConfig; got dict"):
        cache_key(TINY.to_dict())


def test_default_key_is_unchanged_by_the_checkpoints_option():
    # The key as computed before the option existed: the config dict without "checkpoints".
    config = MNIST_CNN_CONFIG.to_dict()
    del config["checkpoints"]
    payload = {
        "config": config,
        "data": {name: _cache.REGISTRY[name] for name in _cache._MNIST_FILES},
        "torch": torch.__version__,
        "device": "cpu",
        "history_version": _cache.HISTORY_VERSION,
    }
    expected = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    assert cache_key(MNIST_CNN_CONFIG, "cpu") == expected
    assert cache_key(MNIST_CNN_CONFIG.replace(checkpoints=2), "cpu") != expected


def test_no_half_written_entry_is_left_behind(tmp_cache):
    result = train(TINY)
    entries = sorted(p.name for p in (tmp_cache / "models").iterdir())
    assert entries == [result.key]  # the temporary folder was renamed, not left behind


def test_an_entry_holds_plain_data_only():
    """No object of this package is pickled into an entry, so moving a class cannot make old entries unreadable."""
    entry = train(TINY.replace(checkpoints=1), device="cpu").path
    assert sorted(p.name for p in entry.iterdir()) == [
        "checkpoints.pt", "done", "history.json", "history.npz", "info.json", "model.pt",
    ]
    for name in ("model.pt", "checkpoints.pt"):
        torch.load(entry / name, map_location="cpu", weights_only=True)  # refuses any pickled class
    with np.load(entry / "history.npz", allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)
    json.loads((entry / "history.json").read_text())
    json.loads((entry / "info.json").read_text())
    for path in entry.iterdir():
        assert b"mlviz" not in path.read_bytes(), path.name
