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

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlviz.models import mnist_tensors, predict_proba
from mlviz.report import rounding_tolerance

from .conftest import PAGE_MARKS

pytestmark = PAGE_MARKS


def relu_inputs_and_bounds(model, X):
    """What each ReLU of an ``MnistCNN`` receives, and how far float32 rounding can move it.

    Returns ``{"relu1": (z, bound), "relu2": ..., "relu3": ...}``: the pre-activations
    ``z`` of images ``X`` and, per value, :func:`~mlviz.report.rounding_tolerance` of
    the float32 sums that produce it, ``2 n eps`` times the size of the terms (the
    layer's sum with every weight, bias and input made positive), with ``n`` counting
    the terms of every sum on the way (conv1 10, conv2 145, fc1 1,569).
    """
    out, h, n_terms = {}, X, 0
    with torch.no_grad():
        for name, layer in (("relu1", model.conv1), ("relu2", model.conv2), ("relu3", model.fc1)):
            if name == "relu2":
                h = model.pool1(torch.relu(h))
            elif name == "relu3":
                h = model.pool2(torch.relu(h)).flatten(1)
            w, b = layer.weight.abs(), layer.bias.abs()
            if isinstance(layer, torch.nn.Conv2d):
                size = F.conv2d(h.abs(), w, b, padding=layer.padding)
            else:
                size = h.abs() @ w.T + b
            n_terms += w[0].numel() + 1
            h = layer(h)
            out[name] = (h, rounding_tolerance("float32", 1.0, n_terms=n_terms) * size)
    return out


def zero_count_range(z, bound, dims):
    """How many units (what ``dims`` leaves) output 0 on every input, whatever the rounding.

    Returns ``(low, high)``: at least the units whose every pre-activation lies below
    minus its rounding bound, at most those not surely positive somewhere.
    """
    surely_zero = ((z + bound).amax(dim=dims) < 0).sum().item()
    surely_positive = ((z - bound).amax(dim=dims) > 0).sum().item()
    return surely_zero, (z + bound).amax(dim=dims).numel() - surely_positive


def test_e1_early_stopping_and_the_dead_network(run_page):
    ns = run_page("plot_01_training_dynamics.py")
    h, h_bad, bad = ns["h"], ns["h_bad"], ns["bad"]
    # the epoch early stopping keeps is the one with the lowest validation loss
    assert ns["best_epoch"] == h.epoch[np.argmin(h.val_loss)]
    # the per-image losses from the epoch copies average to the recorded curve (means of
    # n_val float32 losses, each a log-sum-exp over 10 logits)
    per_image = ns["per_image"]
    assert per_image.shape == (len(h.epoch), ns["good_config"].n_val)
    for row, recorded in zip(per_image, h.val_loss):
        tolerance = rounding_tolerance("float32", recorded, n_terms=len(row) + 10)
        assert abs(row.astype(np.float64).mean() - recorded) <= tolerance
    # the change the verdict judges, and its paired standard error, recomputed
    d = (per_image[-1] - per_image[-1 - ns["window"]]).astype(np.float64)
    assert abs(ns["change"] - d.mean()) <= rounding_tolerance("float32", np.abs(d).mean(), len(d))
    assert ns["change_se"] == pytest.approx(d.std(ddof=1) / np.sqrt(len(d)), rel=1e-3)
    # the page says the high learning rate killed the network: check it on the network
    assert ns["died"]
    X_val, y_val = mnist_tensors("val", n=bad.config.n_val, seed=bad.config.seed)
    # every relu3 unit outputs 0 for every validation image, whatever the rounding:
    # each pre-activation lies below minus its rounding bound
    z, bound = relu_inputs_and_bounds(bad.model, X_val)["relu3"]
    assert (z + bound < 0).all()
    with torch.no_grad():
        logits = bad.model(X_val)
    predicted = logits.argmax(1)
    assert predicted.unique().numel() == 1  # so the output is the same for every digit
    digit = predicted[0].item()
    # the accuracy is a count: one digit's share of the validation images
    assert round(h_bad.val_acc[-1] * len(y_val)) == np.sum(y_val.numpy() == digit)
    # the mean of len(y_val) losses, each a log-sum-exp over 10 logits
    loss = F.cross_entropy(logits, y_val).item()
    tolerance = rounding_tolerance("float32", loss, n_terms=len(y_val) + 10)
    assert abs(loss - h_bad.val_loss[-1]) <= tolerance
    assert abs(h_bad.val_loss[-1] - np.log(10)) < 0.05
    assert f"jumps to **{h_bad.step_loss.max():.0f}**" in ns["_findings"][-1]


def test_e1_with_relu3_dead_no_gradient_reaches_the_layers_before_it(run_page):
    """"With every relu3 unit dead none [no gradient] reaches fc1 or the layers before
    it": exactly zero in the dead network, and not zero in the good one (the opposite
    case)."""
    ns = run_page("plot_01_training_dynamics.py")
    X, y = mnist_tensors("train", n=256)
    for run, dead in ((ns["bad"], True), (ns["good"], False)):
        model = run.model
        model.zero_grad()
        F.cross_entropy(model(X), y).backward()
        upstream = [model.get_submodule(name).weight.grad for name in ("conv1", "conv2", "fc1")]
        assert all((g == 0).all().item() for g in upstream) == dead
        assert model.fc2.bias.grad.abs().sum().item() > 0  # the output layer still learns
        model.zero_grad()


def test_e2_initial_weights_lie_within_the_pytorch_bound_and_kurtosis_by_hand(run_page):
    ns = run_page("plot_02_weight_distributions.py")
    model, weights, states = ns["model"], ns["weights"], ns["states"]
    for layer in ns["layers"]:
        fan_in = np.prod(model.get_submodule(layer).weight.shape[1:])
        w0 = states[0][f"{layer}.weight"].numpy().ravel()
        np.testing.assert_array_equal(weights[layer][0], w0)  # the copy is the init, not the end
        bound = 1 / np.sqrt(fan_in)  # "uniformly in ±1/√fan_in", the bound rounded to float32
        assert np.abs(w0).max() <= bound + rounding_tolerance("float32", bound)
        # excess kurtosis in float64; the finding prints it with two decimals
        for w, page in ((w0, ns["shape"][layer][0]), (weights[layer][-1], ns["shape"][layer][1])):
            w = w.astype(np.float64)
            z = (w - w.mean()) / w.std()
            assert abs(page - (np.mean(z**4) - 3)) <= 0.005
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
            # a mean of |gradient| over the layer's weights, each summed over the batch
            tolerance = [
                rounding_tolerance("float32", e, n_terms=g.numel() + len(X)) for e, g in zip(expected, grads)
            ]
            assert np.all(np.abs(ns["grad_size"][key][copy] - expected) <= tolerance)
    # the finding's verdict on the sigmoid network, against its validation accuracy
    sigmoid = ns["sigmoid"]
    X_val, y_val = mnist_tensors("val", n=sigmoid.config.n_val, seed=sigmoid.config.seed)
    sigmoid.model.load_state_dict(sigmoid.checkpoints[-1])
    correct = np.sum(predict_proba(sigmoid.model, X_val).argmax(1) == y_val.numpy())
    assert round(sigmoid.history.val_acc[-1] * len(y_val)) == correct  # a count
    # against the most common digit, by the binomial standard error of the accuracy
    constant = np.bincount(y_val.numpy()).max() / len(y_val)
    p = correct / len(y_val)
    learned = p - constant > 2 * np.sqrt(p * (1 - p) / len(y_val))
    assert learned == ("accuracy shows nothing learned yet" not in ns["_findings"][-1])
    # "did not change a single bit": count the unchanged first-layer weights
    first = ns["layers"][0]
    w0, w1 = (sigmoid.checkpoints[i][f"{first}.weight"] for i in (0, -1))
    share = (w0 == w1).double().mean().item()
    assert abs(ns["unchanged"](sigmoid, first) - share) <= rounding_tolerance("float32", 1.0)


def test_e4_dead_units_counted_from_a_plain_forward_pass(run_page):
    ns = run_page("plot_04_activations.py")
    cnn, X = ns["cnn"], ns["X_probe"]
    model = cnn.model
    model.load_state_dict(cnn.epoch_checkpoints[-1])
    # The page counts exact zeros; a value within rounding of 0 may go either way, so
    # each count must lie between the surely zero and the not surely positive ones.
    for name, (z, bound) in relu_inputs_and_bounds(model, X).items():
        units = z.shape[1]
        low, high = zero_count_range(z, bound, dims=(0, 2, 3) if z.ndim == 4 else (0,))
        assert low <= round(ns["dead"][name][-1] * units) <= high
        zeros = round(ns["zero"][name][-1] * z.numel())  # a share of values, back to a count
        assert (z + bound < 0).sum().item() <= zeros <= (z - bound <= 0).sum().item()
    # the MLP at the higher learning rate: dead share of act1 from its first layer alone
    mlp = ns["runs"][0.15].model
    with torch.no_grad():
        z = mlp.fc1(X.flatten(1))
        size = X.flatten(1).abs() @ mlp.fc1.weight.abs().T + mlp.fc1.bias.abs()
    bound = rounding_tolerance("float32", 1.0, n_terms=X[0].numel() + 1) * size
    low, high = zero_count_range(z, bound, dims=(0,))
    assert low <= round(ns["mlp_dead"][0.15]["act1"][-1] * z.shape[1]) <= high
    assert ns["worst"][0.15] > ns["worst"][0.02]


def test_e5_event_files_hold_the_trained_weights_and_the_rebinning_keeps_counts(run_page):
    ns = run_page("plot_05_tensorboard.py")
    events, counts, edges = ns["fc1_hist"], ns["counts"], ns["edges"]
    weights = ns["model"].fc1.weight.detach().numpy().ravel()
    last = events[-1].histogram_value
    assert last.num == weights.size
    assert (last.min, last.max) == (weights.min(), weights.max())  # no rounding in a min or max
    # the re-binning shares every bucket's count out: no weight is lost or added (float64
    # sums of a count times the share of each bucket in each bin)
    n_buckets = len(last.bucket)
    for event, total in zip(events, counts.sum(axis=1)):
        num = event.histogram_value.num
        assert abs(total - num) <= rounding_tolerance("float64", num, n_terms=n_buckets + len(edges))
    # and it is close to a histogram of the weights themselves in the same bins
    direct = np.histogram(weights, bins=edges)[0]
    assert np.abs(counts[-1] - direct).sum() / weights.size < 0.05
    # the variance from the stored sums, against numpy's in float64 (sums of n squares)
    w = weights.astype(np.float64)
    tolerance = rounding_tolerance("float64", np.mean(w**2) + w.mean() ** 2, n_terms=w.size)
    assert abs(ns["fc1_std"][-1] ** 2 - w.var()) <= tolerance
    # TensorBoard's debiased smoothing starts at the first value (0.4 v / (1 - 0.6))
    _, values = ns["scalars"]["batch/loss"]
    assert abs(ns["smooth"][0] - values[0]) <= rounding_tolerance("float64", values[0], n_terms=3)
    assert len(values) == ns["step"]
    _, acc_values = ns["scalars"]["epoch/val_accuracy"]
    from mlviz.models import evaluate

    X_val, y_val = ns["X_val"], ns["y_val"]
    correct = evaluate(ns["model"], X_val, y_val)["accuracy"] * len(y_val)
    assert round(acc_values[-1] * len(y_val)) == round(correct)  # a count, stored as float32
