"""The numbers the CNN pages F1-F8 state, checked on the pages' own output.

Each test runs the page (quick mode, figures kept for inspection and then closed),
takes the values it computed and formatted into its findings, and checks them against
an independent computation: the network's layers called one by one instead of through
hooks, Grad-CAM and saliency written out with ``torch.autograd.grad``, scikit-learn's
NMF fitted directly, brute-force nearest neighbours, the logits for SHAP's additivity.
The pages' signed maps must use the gallery's diverging colormap with symmetric limits,
and digit colours must follow ``DIGIT_COLORS``. The claims a page makes are checked by
the page itself when it runs (:func:`mlviz.report.claim`); running it here makes a
broken claim fail the tests.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex

from mlviz.datasets import MIRROR_ENV
from mlviz.plotting import DIGIT_COLORS, DIVERGING

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)"),
]




def signed_images(figures):
    """Every image drawn with the diverging colormap, with its colour limits."""
    return [
        (im.get_array(), im.get_clim())
        for fig in figures
        for ax in fig.axes
        for im in ax.get_images()
        if im.get_cmap().name == DIVERGING
    ]


def test_f1_maps_and_dead_channels_from_the_layers_called_directly(run_page):
    ns = run_page("plot_01_filters_feature_maps.py")
    model, X, x = ns["model"], ns["X"], ns["x"]
    with torch.no_grad():
        relu1 = torch.relu(model.conv1(x))[0].numpy()
        relu2 = model.features(x)[0].numpy()
        all_relu2 = model.features(X)
    np.testing.assert_allclose(ns["maps"]["relu1"], relu1, atol=1e-6)
    np.testing.assert_allclose(ns["maps"]["relu2"], relu2, atol=1e-6)
    assert ns["positive"]["relu2"] == pytest.approx(np.mean(relu2 > 0))
    never = np.flatnonzero(all_relu2.amax(dim=(0, 2, 3)).numpy() == 0)
    np.testing.assert_array_equal(ns["dead"]["relu2"], never)
    # the filters are drawn with symmetric limits on the diverging map
    filters = signed_images(run_page.figures)
    assert len(filters) == 16
    assert all(lo == -hi for _, (lo, hi) in filters)


def test_f2_class_means_and_the_difference_row(run_page):
    ns = run_page("plot_02_activation_heatmaps.py")
    model, X, y = ns["model"], ns["X"], ns["y"]
    with torch.no_grad():
        heat = model.features(X).mean(dim=1).numpy()
    for c in range(10):
        np.testing.assert_allclose(ns["mean_heat"][c], heat[y == c].mean(0), atol=1e-6)
    np.testing.assert_allclose(ns["diff"], ns["mean_heat"] - heat.mean(0), atol=1e-6)
    diffs = signed_images(run_page.figures)
    assert len(diffs) == 10 and all(lo == -hi for _, (lo, hi) in diffs)


def test_f3_grad_cam_by_autograd_including_empty_maps(run_page):
    ns = run_page("plot_03_grad_cam.py")
    model, x = ns["model"], ns["x"]
    expected = []
    for j in range(len(x)):
        kept = {}
        handle = model.relu2.register_forward_hook(lambda m, i, out, kept=kept: kept.update(A=out))
        logits = model(x[j : j + 1])
        handle.remove()
        (grad,) = torch.autograd.grad(logits[0, logits.argmax()], kept["A"])
        weights = grad.mean(dim=(2, 3), keepdim=True)
        expected.append(torch.relu((weights * kept["A"]).sum(1))[0].detach().numpy())
    expected = np.stack(expected)
    np.testing.assert_allclose(ns["raw_right"], expected, atol=1e-6)
    np.testing.assert_array_equal(ns["empty"], expected.max(axis=(1, 2)) == 0)
    # the mass comparison of the finding
    larger = np.flatnonzero(ns["raw_wrong"].sum((1, 2)) > expected.sum((1, 2)))
    np.testing.assert_array_equal(ns["larger"], larger)


def test_f4_saliency_is_the_absolute_input_gradient(run_page):
    ns = run_page("plot_04_saliency_smoothgrad.py")
    model, x, y, picked = ns["model"], ns["x"], ns["y"], ns["picked"]
    xg = x.clone().requires_grad_(True)
    logits = model(xg)
    (grad,) = torch.autograd.grad(logits[torch.arange(len(x)), y[picked]].sum(), xg)
    np.testing.assert_allclose(ns["sal"], grad.abs()[:, 0].numpy(), atol=1e-6)
    for name, maps in ns["maps_only"]:
        by_hand = np.mean(
            [(np.abs(np.diff(m, axis=0)).mean() + np.abs(np.diff(m, axis=1)).mean()) / (2 * m.mean()) for m in maps]
        )
        assert ns["rough"][name] == pytest.approx(by_hand)


def test_f5_stuck_channels_have_zero_output_and_are_not_dead(run_page):
    ns = run_page("plot_05_activation_maximization.py")
    model, units, channels = ns["model"], ns["units"], ns["channels"]
    with torch.no_grad():
        out = model.features(torch.from_numpy(units))
    reached = out[torch.arange(len(channels)), channels].mean(dim=(1, 2)).numpy()
    np.testing.assert_allclose(ns["reached"], reached, atol=1e-6)
    assert ns["stuck"] == [c for c, v in zip(channels, reached) if v == 0]
    with torch.no_grad():
        probs = torch.softmax(model(torch.from_numpy(ns["classes"])), 1).numpy()
    assert (probs.argmax(1) == np.arange(10)).all()  # each class image is its class
    assert ns["saturated"].mean() == pytest.approx(
        np.mean((ns["noise_3"] <= ns["bounds"][0] + 1e-6) | (ns["noise_3"] >= ns["bounds"][1] - 1e-6))
    )


def test_f6_reconstruction_error_matches_sklearn_nmf(run_page):
    from sklearn.decomposition import NMF

    ns = run_page("plot_06_deep_feature_factorization.py")
    V, k = ns["V"], ns["k"]
    V = V.astype(np.float64)  # as deep_feature_factorization does
    nmf = NMF(n_components=k, init="nndsvda", random_state=ns["SEED"], max_iter=400).fit(V)
    assert ns["error"] == pytest.approx(nmf.reconstruction_err_ / np.linalg.norm(V), rel=1e-6)
    # the concepts are coloured with a palette that is not the digits'
    digit = {c.lower() for c in DIGIT_COLORS}
    assert not digit & {to_hex(c) for c in ns["colors"]}


def test_f7_dead_dimensions_neighbours_and_digit_colours(run_page):
    from scipy.spatial.distance import cdist

    ns = run_page("plot_07_embedding_projection.py")
    model, X, Z = ns["model"], ns["X"], ns["Z"]
    with torch.no_grad():
        hidden = torch.relu(model.fc1(model.pool2(model.features(X)).flatten(1))).numpy()
    np.testing.assert_allclose(Z, hidden, atol=1e-5)
    assert ns["dead"] == int((hidden.max(axis=0) == 0).sum())
    distances = cdist(Z, Z)
    np.fill_diagonal(distances, np.inf)
    near = np.argsort(distances, axis=1, kind="stable")[:, :10]
    same = [set(a) == set(b) for a, b in zip(ns["near_z"], near)]
    assert np.mean(same) > 0.99  # ties and rounding may swap a rare neighbour
    # every scatter of digits uses the gallery's digit colours
    for fig in run_page.figures:
        for ax in fig.axes:
            for collection in ax.collections:
                label = collection.get_label()
                if label.isdigit():
                    assert to_hex(collection.get_facecolor()[0]) == DIGIT_COLORS[int(label)].lower()


def test_f8_additivity_and_positive_share(run_page):
    ns = run_page("plot_08_shap_gradient.py")
    model, x, background, sv = ns["model"], ns["x"], ns["background"], ns["sv"]
    with torch.no_grad():
        logits = model(x).numpy()
        gap = logits - model(background).numpy().mean(0)
    sums = sv.reshape(len(x), -1, 10).sum(1)
    err = np.abs(sums - gap).max(1) / np.abs(gap).max(1)
    np.testing.assert_allclose(ns["err"], err, rtol=1e-5)
    predicted = logits.argmax(1)
    for i, p in enumerate(ns["pos"]):
        m = sv[i, 0, :, :, predicted[i]]
        assert p == pytest.approx(m[m > 0].sum() / np.abs(m).sum())
    maps = signed_images(run_page.figures)
    assert len(maps) == 10 * len(x) and all(lo == -hi for _, (lo, hi) in maps)
