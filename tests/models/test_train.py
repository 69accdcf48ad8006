"""train(): trains a configuration once, then reads it from the cache; a changed configuration trains anew."""

from __future__ import annotations

import numpy as np
import torch

from mlviz.models import _train, train

from .conftest import TINY


def _count_fits(monkeypatch):
    calls = []
    real = _train._fit

    def counting_fit(config, device):
        calls.append(config)
        return real(config, device)

    monkeypatch.setattr(_train, "_fit", counting_fit)
    return calls


def test_second_call_reads_the_cache_without_training(monkeypatch, tmp_cache):
    calls = _count_fits(monkeypatch)
    first = train(TINY)
    assert not first.from_cache and len(calls) == 1
    assert first.path.parent == tmp_cache / "models" and (first.path / "model.pt").exists()

    def no_training(config, device):
        raise AssertionError("trained although the model is cached")

    monkeypatch.setattr(_train, "_fit", no_training)
    second = train(TINY)
    assert second.from_cache and second.key == first.key
    assert not second.model.training
    for (name, a), b in zip(first.model.state_dict().items(), second.model.state_dict().values()):
        assert torch.equal(a, b), name
    np.testing.assert_array_equal(first.history.val_loss, second.history.val_loss)
    np.testing.assert_array_equal(first.history.weight_hist["conv1"], second.history.weight_hist["conv1"])
    assert second.history.layers == first.history.layers
    assert list(second.history.act_mean) == list(first.history.act_mean)  # forward order kept


def test_changed_hyperparameter_trains_anew(monkeypatch):
    calls = _count_fits(monkeypatch)
    a = train(TINY)
    b = train(TINY.replace(lr=TINY.lr * 2))
    assert a.key != b.key and not b.from_cache and len(calls) == 2
    assert a.path != b.path


def test_without_cache_nothing_is_stored(tmp_cache):
    result = train(TINY, cache=False)
    assert result.path is None and not result.from_cache
    assert not (tmp_cache / "models").exists() or not any((tmp_cache / "models").iterdir())


def test_two_processes_wanting_one_model_train_it_once(tmp_cache):
    """Build workers run pages at once: the second waits for the first and reads its model."""
    import multiprocessing

    # spawned, not forked: this process has run torch, whose threads do not survive a fork
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        cached = pool.map(_train_tiny_and_say_if_cached, range(2))
    assert sorted(cached) == [False, True]
    entries = [p for p in (tmp_cache / "models").iterdir() if p.is_dir()]
    assert len(entries) == 1 and (entries[0] / "done").exists()


def _train_tiny_and_say_if_cached(_):
    import time

    from mlviz.models import _train

    fit = _train._fit

    def slow_fit(config, device):  # long enough for the other process to ask meanwhile
        time.sleep(1.0)
        return fit(config, device)

    _train._fit = slow_fit
    return train(TINY).from_cache
