"""The model cache, determinism and the recorded history, on tiny configurations."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlviz.models import (
    MLP,
    History,
    MnistCNN,
    TrainConfig,
    build_model,
    cache_key,
    count_parameters,
    evaluate,
    mnist_tensors,
    predict_proba,
    train,
)
from mlviz.models import _train

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
    # a different architecture argument changes the key too, and equal configs share one
    assert cache_key(TINY.replace(arch_kwargs={"channels": (4, 8), "hidden": 17})) != cache_key(TINY)
    assert cache_key(TINY.replace(arch_kwargs={"hidden": 16, "channels": [4, 8]})) == cache_key(TINY)
    assert cache_key(TINY, "cpu") != cache_key(TINY, "cuda")


def test_no_half_written_entry_is_left_behind(tmp_cache):
    result = train(TINY)
    entries = sorted(p.name for p in (tmp_cache / "models").iterdir())
    assert entries == [result.key]  # the temporary folder was renamed, not left behind


def test_same_seed_gives_identical_weights_and_other_seed_does_not():
    a = train(TINY, cache=False)
    b = train(TINY, cache=False)
    c = train(TINY.replace(seed=1), cache=False)
    for name, w in a.model.state_dict().items():
        assert torch.equal(w, b.model.state_dict()[name]), name
    np.testing.assert_array_equal(a.history.step_loss, b.history.step_loss)
    assert not torch.equal(a.model.conv1.weight, c.model.conv1.weight)


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
    rec = _train._Recorder(net, (X, torch.zeros(32, dtype=torch.long)), seed=0)
    rec.snapshot()
    assert rec.act_stats["act1"]["dead"] == [1.0]


def test_history_round_trip(tmp_path):
    h = train(TINY, cache=False).history
    h.save(tmp_path / "h.npz")
    back = History.load(tmp_path / "h.npz")
    assert back.layers == h.layers and back.steps_per_epoch == h.steps_per_epoch
    np.testing.assert_array_equal(back.grad_norm["fc1"], h.grad_norm["fc1"])
    assert back.best_epoch == h.best_epoch


def test_networks_and_helpers():
    cnn = MnistCNN()
    x = torch.zeros(3, 1, 28, 28)
    assert cnn(x).shape == (3, 10) and cnn.embed(x).shape == (3, 64) and cnn.features(x).shape == (3, 32, 14, 14)
    assert count_parameters(cnn) == sum(p.numel() for p in cnn.parameters())
    mlp = MLP(hidden=(5, 5, 5), activation="sigmoid", init="xavier")
    assert [n for n, _ in mlp.named_children()] == ["flatten", "fc1", "act1", "fc2", "act2", "fc3", "act3", "out"]
    assert isinstance(mlp.act2, torch.nn.Sigmoid) and torch.all(mlp.fc1.bias == 0)
    probs = predict_proba(cnn, x)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    metrics = evaluate(cnn, x, torch.zeros(3, dtype=torch.long))
    assert set(metrics) == {"loss", "accuracy"}


def test_mnist_tensors_are_normalized():
    X, y = mnist_tensors("test", n=100)
    assert X.shape == (100, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert -0.5 < X.min().item() < -0.4  # the background, (0 - 0.1307) / 0.3081
    with pytest.raises(ValueError, match="split must be one of"):
        mnist_tensors("training")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"arch": "resnet"}, "arch must be one of"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of"),
        ({"epochs": 0}, "epochs must be a positive int; got 0"),
        ({"lr": -1.0}, "lr must be positive"),
        ({"n_train": 0}, "n_train must be None or a positive int"),
    ],
)
def test_config_errors_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kwargs)


def test_build_model_errors():
    with pytest.raises(ValueError, match="arch must be one of"):
        build_model("vgg")
    with pytest.raises(ValueError, match="activation must be one of"):
        MLP(activation="gelu")
