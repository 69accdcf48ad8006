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

pytestmark = pytest.mark.slow




def _numpy_forward(state, image):
    """The CNN's forward pass in NumPy, from a state dict: probabilities of one image."""
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
    e = np.exp(logits - logits.max())
    return e / e.sum()


def test_h1_drawing_pad(run_page, tmp_path):
    import torch
    from scipy import ndimage
    from sklearn.metrics import accuracy_score

    from mlviz.models import MNIST_MEAN, MNIST_STD

    ns = run_page("08_interactive/plot_01_drawing_pad.py")
    model = ns["model"]
    # the exported file holds the model's own weights, bit for bit, next to the page
    assert ns["path"] == tmp_path / "drawpad_cnn.json"
    state = ns["exported"]["state_dict"]
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(state[key], value.numpy())
    assert ns["sizes"]["conv1"] == model.conv1.out_channels
    assert ns["sizes"]["fc1"] == model.fc1.out_features
    with torch.no_grad():
        predicted = model(ns["X_test"]).argmax(1).numpy()
    assert ns["test_acc"] == pytest.approx(accuracy_score(ns["y_test"].numpy(), predicted))
    # the prepared drawing is the original digit moved by the stated shift
    shift = np.subtract(ndimage.center_of_mass(ns["digit"]), ndimage.center_of_mass(ns["seen"]))
    np.testing.assert_allclose(shift, ns["best_shift"], atol=1e-9)
    assert ns["residual"][ns["best_shift"]] < 1e-9
    # the page's NumPy forward pass and torch agree, as the page says
    p_reference = _numpy_forward(state, ns["seen"])
    np.testing.assert_allclose(ns["p_torch"], p_reference, atol=1e-5)
    assert ns["gap"] < 1e-5
    # the drawings that are no digit: the stated probabilities, recomputed in NumPy
    for name, ink in ns["no_digits"].items():
        p = _numpy_forward(state, ns["preprocess_drawing"](ink))
        assert ns["top_probability"][name] == pytest.approx(p.max(), abs=1e-5)
    assert max(ns["top_probability"].values()) > 0.9
    # accuracy without MNIST's preparation, with scikit-learn's metric
    raw = ns["X_test"].numpy() * MNIST_STD + MNIST_MEAN
    with torch.no_grad():
        inverted = model(torch.tensor((1 - raw - MNIST_MEAN) / MNIST_STD)).argmax(1).numpy()
    assert ns["accuracy"]["black on white"] == pytest.approx(
        accuracy_score(ns["y_test"].numpy(), inverted)
    )
    moved = np.zeros_like(raw)
    moved[..., 6:, 6:] = raw[..., :-6, :-6]
    with torch.no_grad():
        says = model(torch.tensor((moved - MNIST_MEAN) / MNIST_STD)).argmax(1).numpy()
    assert ns["accuracy"]["moved 6 px"] == pytest.approx(accuracy_score(ns["y_test"].numpy(), says))
    assert ns["accuracy"]["as prepared"] == pytest.approx(ns["test_acc"])


def test_h3_playground(run_page):
    import torch
    from sklearn.metrics import accuracy_score, log_loss

    ns = run_page("08_interactive/plot_03_playground.py")
    X, y = ns["X"], ns["y"]
    # a blue disc inside an orange ring: a circle separates them, as the prose says
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius[y == 1].max() < radius[y == 0].min()
    assert np.mean(radius[y == 1] < 0.25) > 0.3  # a filled disc, not a thin circle
    assert y.sum() == 200 and len(ns["X_train"]) == len(ns["X_test"]) == 200
    # the final numbers, with scikit-learn's metrics on the model's outputs
    model = ns["model"]
    with torch.no_grad():
        p_test = torch.sigmoid(model(ns["X_test"]).squeeze(1)).numpy()
    y_test = ns["y_test"].numpy()
    assert ns["accuracy"] == pytest.approx(accuracy_score(y_test, p_test > 0.5))
    assert ns["history"]["test"][-1] == pytest.approx(log_loss(y_test, p_test), rel=1e-6)
    # the share of the plane predicted blue, from the weights written out in NumPy
    w = [layer.weight.detach().numpy() for layer in model[::2]]
    b = [layer.bias.detach().numpy() for layer in model[::2]]
    grid = np.linspace(-1.5, 1.5, 121)
    plane = np.array([(gx, gy) for gy in grid for gx in grid])
    h = np.tanh(np.tanh(plane @ w[0].T + b[0]) @ w[1].T + b[1])
    logits = (h @ w[2].T + b[2]).ravel()
    assert ns["blue_share"][ns["n_epochs"]] == pytest.approx(np.mean(logits > 0))
    assert ns["disc"] == pytest.approx(np.pi * 0.25 / 9)
