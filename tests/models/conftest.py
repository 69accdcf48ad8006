"""Fixtures for the model tests: a tiny CNN configuration and a private cache per test."""

import pytest

from mlviz.models import TrainConfig

#: A CNN small enough to train in about a second.
TINY = TrainConfig(
    arch="mnist_cnn", arch_kwargs={"channels": (4, 8), "hidden": 16}, epochs=2, n_train=256, n_val=128,
    batch_size=64, probe_size=32, n_bins=12,
)


@pytest.fixture(autouse=True)
def tmp_cache(tmp_path, monkeypatch):
    """Every test gets its own empty model cache and data folder (the real ones are never touched)."""
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MLVIZ_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "cache"
