"""The numbers the interactive pages H1 and H3 state, checked on the pages' own output.

Each test runs the page (quick mode, figures discarded) and checks what it states
against an independent computation: the network's weights read back from the exported
file, a forward pass written out with NumPy, scikit-learn's metric functions, or SciPy.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest

from mlviz.report import rounding_tolerance

pytestmark = pytest.mark.slow


def _numpy_forward(state, image, *, logits_only=False):
    """The CNN's forward pass in NumPy (float64), from a state dict: probabilities of one image."""
    from scipy.signal import correlate

    from mlviz.models import MNIST_MEAN, MNIST_STD

    def conv(x, weight, bias):  # zero padding 1, stride 1, as torch's Conv2d
        padded = np.pad(x, ((0, 0), (1, 1), (1, 1)))
        out = [
            sum(correlate(padded[c], w[c], mode="valid") for c in range(len(x))) + b
            for w, b in zip(weight, bias)
        ]
        return np.maximum(np.array(out), 0)

    def pool(x):  # 2 x 2 max pooling, stride 2
        c, height, width = x.shape
        return x.reshape(c, height // 2, 2, width // 2, 2).max(axis=(2, 4))

    x = ((image - MNIST_MEAN) / MNIST_STD)[None]
    h = pool(conv(x, state["conv1.weight"], state["conv1.bias"]))
    h = pool(conv(h, state["conv2.weight"], state["conv2.bias"]))
    h = np.maximum(state["fc1.weight"] @ h.ravel() + state["fc1.bias"], 0)
    logits = state["fc2.weight"] @ h + state["fc2.bias"]
    if logits_only:
        return logits
    e = np.exp(logits - logits.max())
    return e / e.sum()


def _size_of_logits(state, image):
    """The same pass with every weight, bias and input made positive: the size of the
    terms behind each logit, for the rounding bound of the whole pass."""
    from mlviz.models import MNIST_MEAN, MNIST_STD

    positive = {key: np.abs(value) for key, value in state.items()}
    # inputs made positive: |x| = |(image - mean) / std|, undone so the pass normalizes it
    raw = np.abs((image - MNIST_MEAN) / MNIST_STD) * MNIST_STD + MNIST_MEAN
    return _numpy_forward(positive, raw, logits_only=True)


#: the terms of every sum on the way to a logit: conv1 10, conv2 145, fc1 1,569, fc2 65
N_TERMS = 10 + 145 + 1569 + 65


def test_h1_drawing_pad(run_page):
    import copy

    import torch
    from scipy import ndimage
    from sklearn.metrics import accuracy_score

    from mlviz.models import MNIST_MEAN, MNIST_STD

    ns = run_page("08_interactive/plot_01_drawing_pad.py")
    model = ns["model"]
    # the exported file holds the model's own weights, bit for bit, next to the page
    assert ns["path"] == ns["_folder"] / "drawpad_cnn.json" and ns["path"].is_file()
    state = ns["exported"]["state_dict"]
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(state[key], value.numpy())
    assert ns["sizes"]["conv1"] == model.conv1.out_channels
    assert ns["sizes"]["fc1"] == model.fc1.out_features
    with torch.no_grad():
        predicted = model(ns["X_test"]).argmax(1).numpy()
    # accuracies are stated to 0.1 %: agree to half of that (a near-tie may flip)
    assert abs(ns["test_acc"] - accuracy_score(ns["y_test"].numpy(), predicted)) <= 0.0005
    # the prepared drawing is the original digit moved by the stated shift (two float64
    # centres of mass, each a 784-term sum of indices up to 27 over the total)
    shift = np.subtract(ndimage.center_of_mass(ns["digit"]), ndimage.center_of_mass(ns["seen"]))
    assert np.all(np.abs(shift - ns["best_shift"]) <= rounding_tolerance("float64", 2 * 27, n_terms=784))
    moved = np.roll(ns["seen"], ns["best_shift"], axis=(0, 1))
    assert np.abs(moved - ns["digit"]).max() <= rounding_tolerance("float64", 1.0, n_terms=2 * (9 + 1))
    # the page's NumPy forward pass (float64 on the float32 weights) and torch's in float64
    x = torch.tensor((ns["seen"] - MNIST_MEAN) / MNIST_STD, dtype=torch.float64)[None, None]
    with torch.no_grad():
        logits = copy.deepcopy(model).double()(x)[0].numpy()
    bound = rounding_tolerance("float64", 1.0, n_terms=N_TERMS) * _size_of_logits(state, ns["seen"])
    p_torch = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    # a softmax moves by at most twice the largest change of its inputs
    assert np.all(np.abs(ns["p_numpy"] - p_torch) <= 2 * bound.max())
    # the drawings that are no digit: the stated probabilities (whole percents), in NumPy
    from mlviz.widgets.drawpad import HAND_DRAWN, preprocess_drawing, render_strokes

    assert list(ns["top_probability"]) == list(HAND_DRAWN)
    for name, strokes in HAND_DRAWN.items():
        p = _numpy_forward(state, preprocess_drawing(render_strokes(strokes)))
        assert abs(ns["top_probability"][name] - p.max()) <= 0.005
    assert max(ns["top_probability"].values()) > 0.9
    # accuracy without MNIST's preparation, with scikit-learn's metric
    raw = ns["X_test"].numpy() * MNIST_STD + MNIST_MEAN
    with torch.no_grad():
        inverted = model(torch.tensor((1 - raw - MNIST_MEAN) / MNIST_STD)).argmax(1).numpy()
    assert abs(ns["accuracy"]["black on white"] - accuracy_score(ns["y_test"].numpy(), inverted)) <= 0.0005
    moved = np.zeros_like(raw)
    moved[..., 6:, 6:] = raw[..., :-6, :-6]
    with torch.no_grad():
        says = model(torch.tensor((moved - MNIST_MEAN) / MNIST_STD)).argmax(1).numpy()
    assert abs(ns["accuracy"]["moved 6 px"] - accuracy_score(ns["y_test"].numpy(), says)) <= 0.0005
    assert abs(ns["accuracy"]["as prepared"] - ns["test_acc"]) <= 0.0005


def test_h3_playground(run_page):
    import torch
    from sklearn.metrics import log_loss

    ns = run_page("08_interactive/plot_03_playground.py")
    X, y = ns["X"], ns["y"]
    # a blue disc inside an orange ring: a circle separates them, as the prose says
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius[y == 1].max() < radius[y == 0].min()
    assert np.mean(radius[y == 1] < 0.25) > 0.3  # a filled disc, not a thin circle
    assert y.sum() == 200 and len(ns["X_train"]) == len(ns["X_test"]) == 200
    # the final numbers, with scikit-learn's metrics on the model's outputs
    model = ns["model"]
    w = [layer.weight.detach().numpy() for layer in model[::2]]
    b = [layer.bias.detach().numpy() for layer in model[::2]]

    def logits_and_bound(points):
        """The float64 network written out in NumPy, and the rounding bound of each logit
        (2 n eps times the size of the terms, n = 3 + 5 + 5 terms on the way)."""
        h, size = points, np.abs(points)
        for k in range(3):
            z, size = h @ w[k].T + b[k], size @ np.abs(w[k]).T + np.abs(b[k])
            h = np.tanh(z)  # |tanh'| <= 1: rounding does not grow through it
        return z.ravel(), rounding_tolerance("float64", 1.0, n_terms=13) * size.ravel()

    with torch.no_grad():
        p_test = torch.sigmoid(model(ns["X_test"]).squeeze(1)).numpy()
    y_test = ns["y_test"].numpy()
    # a count of points on the right side of the boundary; a logit within rounding of 0
    # may go either way
    z, bound = logits_and_bound(ns["X_test"].numpy())
    clear = np.abs(z) > bound
    surely_correct = np.sum(clear & ((z > 0) == (y_test == 1)))
    assert surely_correct <= round(ns["accuracy"] * len(y_test)) <= surely_correct + np.sum(~clear)
    # the mean of len(y_test) losses; log(1 - p) loses digits as p nears 1 (cancellation)
    loss = log_loss(y_test, p_test)
    eps = np.finfo(np.float64).eps
    tolerance = rounding_tolerance("float64", loss, n_terms=len(y_test)) + np.mean(eps / np.minimum(p_test, 1 - p_test))
    assert abs(ns["history"]["test"][-1] - loss) <= tolerance
    # the per-point losses behind the standard errors average to the same loss (two
    # float64 means of the same 200 terms)
    point = ns["point_loss"]["test"]
    assert abs(point.mean() - ns["history"]["test"][-1]) <= rounding_tolerance("float64", loss, len(point))
    # the share of the plane predicted blue, from the weights written out in NumPy
    grid = np.linspace(-1.5, 1.5, 121)
    plane = np.array([(gx, gy) for gy in grid for gx in grid])
    z, bound = logits_and_bound(plane)
    blue = round(ns["blue_share"][ns["n_epochs"]] * len(plane))
    assert np.sum(z > bound) <= blue <= np.sum(z > -bound)
    disc = np.pi * 0.25 / 9
    assert abs(ns["disc"] - disc) <= rounding_tolerance("float64", disc, n_terms=3)
