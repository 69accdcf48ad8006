"""The optional weight checkpoints of train() and the registered vision transformer."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlviz.models import TinyViT, TrainConfig, build_model, train

from .conftest import TINY


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


def test_epoch_checkpoints_are_the_states_at_initialization_and_after_each_epoch():
    run = train(TINY.replace(checkpoints=2), device="cpu")
    states = run.epoch_checkpoints
    assert len(states) == TINY.epochs + 1
    assert states[0] is run.checkpoints[0] and states[-1] is run.checkpoints[-1]
    assert states[1] is run.checkpoints[2]  # step 4 = the end of epoch 1 (4 steps per epoch)
    assert train(TINY, device="cpu").epoch_checkpoints is None


def test_replaying_epoch_checkpoints_with_the_recorder_reproduces_the_history():
    """What pages E2 and E4 record from the saved weights equals what training recorded."""
    import torch.nn.functional as F

    from mlviz.attribution import ActivationsAndGradients
    from mlviz.models import mnist_tensors

    run = train(TINY.replace(checkpoints=3), device="cpu")
    h, model = run.history, run.model
    X_val, y_val = mnist_tensors("val", n=TINY.n_val, seed=TINY.seed)
    probe, labels = X_val[: TINY.probe_size], y_val[: TINY.probe_size]
    zero, dead, std, grads = [], [], [], []
    with ActivationsAndGradients(model, list(h.act_layers), gradients=False) as rec:
        for state in run.epoch_checkpoints:
            model.load_state_dict(state)
            std.append([model.get_submodule(layer).weight.detach().numpy().std() for layer in h.layers])
            model.zero_grad()
            F.cross_entropy(rec(probe), labels).backward()
            grads.append(model.fc1.weight.grad.numpy().ravel().copy())
            zero.append([(a == 0).float().mean().item() for a in rec.activations])
            units = [a.transpose(0, 1).flatten(1).max(dim=1).values for a in rec.activations]
            dead.append([(u == 0).float().mean().item() for u in units])
    np.testing.assert_allclose(np.array(std).T, [h.weight_std[layer] for layer in h.layers], rtol=1e-6)
    np.testing.assert_allclose(np.array(zero).T, [h.act_zero[a] for a in h.act_layers], rtol=1e-6)
    np.testing.assert_allclose(np.array(dead).T, [h.act_dead[a] for a in h.act_layers], rtol=1e-6)
    counts = [np.histogram(g, bins=h.grad_edges["fc1"])[0] for g in grads]
    np.testing.assert_array_equal(counts, h.grad_hist["fc1"])


def test_vit_is_registered_and_trains():
    assert isinstance(build_model("vit", dim=16, depth=1, heads=2), TinyViT)
    config = TrainConfig(arch="vit", arch_kwargs={"dim": 16, "depth": 1, "heads": 2}, epochs=1, n_train=128,
                         n_val=64, probe_size=16, n_bins=8)
    run = train(config, device="cpu")
    assert run.history.val_acc.shape == (1,)
    assert "blocks.0.attn.qkv" in run.history.layers
    with pytest.raises(ValueError, match="divisible by heads"):
        TinyViT(dim=10, heads=3)
