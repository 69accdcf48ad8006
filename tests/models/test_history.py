"""The recorded History: its shapes, the dead-unit count of the recorder, and its round trip through files."""

from __future__ import annotations

import numpy as np
import torch

from mlviz.models import History, _history, mnist_tensors, train

from .conftest import TINY


def test_history_shapes():
    result = train(TINY, cache=False)
    h = result.history
    E, B = TINY.epochs, TINY.n_bins
    steps = -(-TINY.n_train // TINY.batch_size)
    assert h.steps_per_epoch == steps
    np.testing.assert_array_equal(h.epoch, [1, 2])
    for curve in (h.train_loss, h.train_acc, h.val_loss, h.val_acc):
        assert curve.shape == (E,) and np.all(np.isfinite(curve))
    assert np.all((h.val_acc >= 0) & (h.val_acc <= 1))
    assert h.step_loss.shape == (E * steps,)
    assert h.layers == ("conv1", "conv2", "fc1", "fc2")
    assert h.act_layers == ("relu1", "relu2", "relu3")
    model = result.model
    for layer in h.layers:
        n_weights = getattr(model, layer).weight.numel()
        assert h.weight_hist[layer].shape == (E + 1, B)
        assert h.weight_edges[layer].shape == (B + 1,)
        assert h.weight_hist[layer].sum(axis=1).tolist() == [n_weights] * (E + 1)  # bins span all epochs
        assert h.bias_hist[layer].shape == (E + 1, B)
        assert h.weight_mean[layer].shape == h.weight_std[layer].shape == (E + 1,)
        assert h.grad_norm[layer].shape == h.grad_abs_mean[layer].shape == (E * steps,)
        assert np.all(h.grad_norm[layer] > 0)
        assert h.grad_hist[layer].shape == (E + 1, B)
    # the last snapshot is the returned model's weights
    np.testing.assert_allclose(h.weight_mean["fc2"][-1], model.fc2.weight.mean().item(), rtol=1e-5)
    for act in h.act_layers:
        for stats in (h.act_mean, h.act_std, h.act_dead, h.act_zero):
            assert stats[act].shape == (E + 1,)
        assert np.all((h.act_dead[act] >= 0) & (h.act_dead[act] <= h.act_zero[act] + 1e-12))
        assert h.act_hist[act].shape == (E + 1, B)
        assert np.all(h.act_edges[act][0] >= 0)  # ReLU outputs are never negative


def test_dead_units_are_counted():
    """An MLP whose ReLU biases are pushed far negative has every unit dead."""
    config = TINY.replace(arch="mlp", arch_kwargs={"hidden": [8], "activation": "relu"}, epochs=1, lr=1e-9)
    result = train(config, cache=False)
    assert result.history.act_dead["act1"][0] < 1
    X, _ = mnist_tensors("val", n=32)
    net = result.model
    with torch.no_grad():
        net.fc1.bias.fill_(-1e6)
    rec = _history._Recorder(net, (X, torch.zeros(32, dtype=torch.long)), seed=0)
    rec.snapshot()
    assert rec.act_stats["act1"]["dead"] == [1.0]


def test_histograms_share_bins_across_snapshots_and_widen_a_constant_range():
    hists, edges = _history._histograms({"a": [np.array([0.0, 1.0]), np.array([3.0, np.nan])], "b": [np.zeros(4)]}, 3)
    np.testing.assert_array_equal(edges["a"], [0, 1, 2, 3])
    np.testing.assert_array_equal(hists["a"], [[1, 1, 0], [0, 0, 1]])  # NaN is not counted
    np.testing.assert_array_equal(edges["b"][[0, -1]], [-0.5, 0.5])
    assert hists["b"].tolist() == [[0, 4, 0]]


def test_history_round_trip(tmp_path):
    h = train(TINY, cache=False).history
    h.save(tmp_path / "h.npz")
    back = History.load(tmp_path / "h.npz")
    assert back.layers == h.layers and back.steps_per_epoch == h.steps_per_epoch
    np.testing.assert_array_equal(back.grad_norm["fc1"], h.grad_norm["fc1"])
    assert back.best_epoch == h.best_epoch
