"""The numbers the training pages E1-E5 state, checked on the pages' own output.

Each test runs the page (quick mode, figures discarded), takes the models and values it
computed and formatted into its findings, and checks them against an independent
computation: the networks' predictions recomputed with a plain forward pass, dead units
counted from the activations themselves, gradients taken again with
``torch.autograd.grad``, the kurtosis and histograms written out with numpy, and the
TensorBoard histograms compared with the trained weights. The claims a page makes are
checked by the page itself when it runs (:func:`mlviz.report.claim`); running it here
makes a broken claim fail the tests.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlviz.datasets import MIRROR_ENV
from mlviz.models import mnist_tensors, predict_proba

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)"),
]




def test_e1_early_stopping_and_the_dead_network(run_page):
    ns = run_page("plot_01_training_dynamics.py")
    h, h_bad, bad = ns["h"], ns["h_bad"], ns["bad"]
    # the epoch early stopping keeps is the one with the lowest validation loss
    assert ns["best_epoch"] == h.epoch[np.argmin(h.val_loss)]
    # the page says the high learning rate killed the network: check it on the network
    assert ns["died"]
    X_val, y_val = mnist_tensors("val", n=bad.config.n_val, seed=bad.config.seed)
    with torch.no_grad():
        hidden = bad.model.embed(X_val)
        predicted = bad.model(X_val).argmax(1)
    assert (hidden == 0).all()  # every relu3 unit outputs 0 for every validation image
    assert predicted.unique().numel() == 1  # so the output is the same for every digit
    digit = predicted[0].item()
    np.testing.assert_allclose(h_bad.val_acc[-1], np.mean(y_val.numpy() == digit), atol=1e-6)
    np.testing.assert_allclose(
        F.cross_entropy(bad.model(X_val), y_val).item(), h_bad.val_loss[-1], rtol=1e-4
    )
    assert abs(h_bad.val_loss[-1] - np.log(10)) < 0.05
    assert f"jumps to **{h_bad.step_loss.max():.0f}**" in ns["_findings"][-1]


def test_e2_initial_weights_lie_within_the_pytorch_bound_and_kurtosis_by_hand(run_page):
    ns = run_page("plot_02_weight_distributions.py")
    model, weights, states = ns["model"], ns["weights"], ns["states"]
    for layer in ns["layers"]:
        fan_in = np.prod(model.get_submodule(layer).weight.shape[1:])
        w0 = states[0][f"{layer}.weight"].numpy().ravel()
        np.testing.assert_array_equal(weights[layer][0], w0)  # the copy is the init, not the end
        assert np.abs(w0).max() <= 1 / np.sqrt(fan_in)  # "uniformly in ±1/√fan_in"
        z0 = (w0 - w0.mean()) / w0.std()
        assert ns["shape"][layer][0] == pytest.approx(np.mean(z0**4) - 3, abs=1e-3)
        w1 = weights[layer][-1]
        z1 = (w1 - w1.mean()) / w1.std()
        assert ns["shape"][layer][1] == pytest.approx(np.mean(z1**4) - 3, abs=1e-3)
        counts, _ = ns["weight_hist"][layer]
        assert (counts.sum(axis=1) == w0.size).all()  # every weight counted in every epoch
    last = {layer: model.get_submodule(layer).weight.detach().numpy().ravel() for layer in ns["layers"]}
    for layer in ns["layers"]:
        np.testing.assert_array_equal(weights[layer][-1], last[layer])


def test_e3_gradients_by_autograd_and_the_sigmoid_network_stays_at_chance(run_page):
    ns = run_page("plot_03_gradients.py")
    X, y = ns["X_batch"], ns["y_batch"]
    for key in ("sigmoid", "relu"):
        run = ns[key]
        model = run.model
        for copy in (0, -1):
            model.load_state_dict(run.checkpoints[copy])
            params = [model.get_submodule(layer).weight for layer in ns["layers"]]
            grads = torch.autograd.grad(F.cross_entropy(model(X), y), params)
            expected = [g.abs().mean().item() for g in grads]
            np.testing.assert_allclose(ns["grad_size"][key][copy], expected, rtol=1e-5)
    # the finding's verdict on the sigmoid network, against its validation accuracy
    sigmoid = ns["sigmoid"]
    X_val, y_val = mnist_tensors("val", n=sigmoid.config.n_val, seed=sigmoid.config.seed)
    sigmoid.model.load_state_dict(sigmoid.checkpoints[-1])
    accuracy = np.mean(predict_proba(sigmoid.model, X_val).argmax(1) == y_val.numpy())
    assert accuracy == pytest.approx(sigmoid.history.val_acc[-1], abs=1e-6)
    assert accuracy < 0.2 and "at or near chance" in ns["_findings"][-1]


def test_e4_dead_units_counted_from_a_plain_forward_pass(run_page):
    ns = run_page("plot_04_activations.py")
    cnn, X = ns["cnn"], ns["X_probe"]
    model = cnn.model
    model.load_state_dict(cnn.epoch_checkpoints[-1])
    with torch.no_grad():
        relu1 = model.relu1(model.conv1(X))
        relu2 = model.features(X)
        relu3 = model.embed(X)
    for name, out in (("relu1", relu1), ("relu2", relu2), ("relu3", relu3)):
        per_unit = out.transpose(0, 1).reshape(out.shape[1], -1).amax(dim=1)
        assert ns["dead"][name][-1] == pytest.approx((per_unit <= 0).float().mean().item())
        assert ns["zero"][name][-1] == pytest.approx((out <= 0).float().mean().item())
    # the MLP at the higher learning rate: dead share of act1 from its first layer alone
    mlp = ns["runs"][0.15].model
    with torch.no_grad():
        act1 = torch.relu(mlp.fc1(X.flatten(1)))
    assert ns["mlp_dead"][0.15]["act1"][-1] == pytest.approx((act1.amax(dim=0) == 0).float().mean().item())
    assert ns["worst"][0.15] > ns["worst"][0.02]


def test_e5_event_files_hold_the_trained_weights_and_the_rebinning_keeps_counts(run_page):
    ns = run_page("plot_05_tensorboard.py")
    events, counts, edges = ns["fc1_hist"], ns["counts"], ns["edges"]
    weights = ns["model"].fc1.weight.detach().numpy().ravel()
    last = events[-1].histogram_value
    assert last.num == weights.size
    assert last.min == pytest.approx(weights.min()) and last.max == pytest.approx(weights.max())
    # the re-binning shares every bucket's count out: no weight is lost or added
    np.testing.assert_allclose(counts.sum(axis=1), [e.histogram_value.num for e in events])
    # and it is close to a histogram of the weights themselves in the same bins
    direct = np.histogram(weights, bins=edges)[0]
    assert np.abs(counts[-1] - direct).sum() / weights.size < 0.05
    assert ns["fc1_std"][-1] == pytest.approx(weights.std(), rel=1e-4)
    # TensorBoard's debiased smoothing starts at the first value
    _, values = ns["scalars"]["batch/loss"]
    assert ns["smooth"][0] == pytest.approx(values[0])
    assert len(values) == ns["step"]
    _, acc_values = ns["scalars"]["epoch/val_accuracy"]
    from mlviz.models import evaluate

    X_val, y_val = ns["X_val"], ns["y_val"]
    assert acc_values[-1] == pytest.approx(evaluate(ns["model"], X_val, y_val)["accuracy"], abs=1e-6)
