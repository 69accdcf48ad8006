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

import matplotlib

matplotlib.use("agg")
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.colors import to_hex

from mlviz.plotting import DIGIT_COLORS, DIVERGING
from mlviz.report import rounding_tolerance

from .conftest import PAGE_MARKS

from .test_e_pages import relu_inputs_and_bounds, zero_count_range

pytestmark = PAGE_MARKS


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
    one = relu_inputs_and_bounds(model, x)
    for name in ("relu1", "relu2"):
        z, bound = (t[0].numpy() for t in one[name])
        assert np.all(np.abs(ns["maps"][name] - np.maximum(z, 0)) <= bound)
    # shares and counts of zeros: a value within rounding of 0 may go either way
    z, bound = one["relu2"]
    positive = round(ns["positive"]["relu2"] * z.numel())
    assert (z - bound > 0).sum().item() <= positive <= (z + bound > 0).sum().item()
    z, bound = relu_inputs_and_bounds(model, X)["relu2"]
    low, high = zero_count_range(z, bound, dims=(0, 2, 3))
    assert low <= len(ns["dead"]["relu2"]) <= high
    surely_positive = np.flatnonzero((z - bound).amax(dim=(0, 2, 3)).numpy() > 0)
    assert not set(ns["dead"]["relu2"]) & set(surely_positive)
    # the filters are drawn with symmetric limits on the diverging map
    filters = signed_images(run_page.figures)
    assert len(filters) == 16
    assert all(lo == -hi for _, (lo, hi) in filters)


def test_f2_class_means_and_the_difference_row(run_page):
    ns = run_page("plot_02_activation_heatmaps.py")
    model, X, y = ns["model"], ns["X"], ns["y"]
    z, bound = relu_inputs_and_bounds(model, X)["relu2"]
    heat = torch.relu(z).mean(dim=1).numpy()
    # each relu2 value moves by its rounding bound at most; the means add 32 channels and
    # a class's images (or all of them) on top
    largest = heat.max() * z.shape[1]
    for c in range(10):
        n_c = np.sum(y == c)
        tolerance = bound.max().item() + rounding_tolerance("float32", largest, n_terms=32 + n_c)
        assert np.all(np.abs(ns["mean_heat"][c] - heat[y == c].mean(0)) <= tolerance)
    tolerance = 2 * bound.max().item() + rounding_tolerance("float32", largest, n_terms=32 + len(y))
    assert np.all(np.abs(ns["diff"] - (ns["mean_heat"] - heat.mean(0))) <= tolerance)
    diffs = signed_images(run_page.figures)
    assert len(diffs) == 10 and all(lo == -hi for _, (lo, hi) in diffs)


def test_f3_grad_cam_by_autograd_including_empty_maps(run_page):
    ns = run_page("plot_03_grad_cam.py")
    model, x = ns["model"], ns["x"]
    weighted, bound = [], []
    for j in range(len(x)):
        kept = {}
        handle = model.relu2.register_forward_hook(lambda m, i, out, kept=kept: kept.update(A=out))
        logits = model(x[j : j + 1])
        handle.remove()
        (grad,) = torch.autograd.grad(logits[0, logits.argmax()], kept["A"])
        weights = grad.mean(dim=(2, 3), keepdim=True)
        weighted.append((weights * kept["A"]).sum(1)[0].detach().numpy())
        # rounding: 2 n eps times the size of the terms, n counting the sums on the way
        # (conv1 10 terms, conv2 145, fc1's 64 backwards, 196 positions, 32 maps)
        size = (grad.abs().mean(dim=(2, 3), keepdim=True) * kept["A"]).sum(1)[0].detach().numpy()
        bound.append(rounding_tolerance("float32", 1.0, n_terms=10 + 145 + 64 + 196 + 32) * size)
    weighted, bound = np.stack(weighted), np.stack(bound)
    expected = np.maximum(weighted, 0)
    assert np.all(np.abs(ns["raw_right"] - expected) <= bound)
    # the hand-written map of the first digit and the helper's (the page's one line)
    assert np.all(np.abs(ns["cam_by_hand"].detach().numpy()[0] - ns["raw_right"][0]) <= bound[0])
    # empty: nothing above rounding; a map that is surely positive somewhere is not empty,
    # one surely negative everywhere is
    surely_empty = (weighted + bound).max(axis=(1, 2)) < 0
    surely_positive = (weighted - bound).max(axis=(1, 2)) > 0
    assert np.all(ns["empty"][surely_empty]) and not np.any(ns["empty"][surely_positive])
    # the mass comparison of the finding, where rounding cannot decide it
    mass, mass_wrong, slack = expected.sum((1, 2)), ns["raw_wrong"].sum((1, 2)), 2 * bound.sum((1, 2))
    larger = set(ns["larger"])
    assert larger >= set(np.flatnonzero(mass_wrong > mass + slack))
    assert not larger & set(np.flatnonzero(mass_wrong < mass - slack))


def test_f4_saliency_is_the_absolute_input_gradient(run_page):
    ns = run_page("plot_04_saliency_smoothgrad.py")
    from mlviz.attribution import ActivationsAndGradients

    model, x, y, picked = ns["model"], ns["x"], ns["y"], ns["picked"]
    xg = x.clone().requires_grad_(True)
    with ActivationsAndGradients(model, [model.conv1]) as rec:
        logits = rec(xg)
        (grad,) = torch.autograd.grad(logits[torch.arange(len(x)), y[picked]].sum(), xg)
    # rounding of the input gradient: 2 n eps times the size of the terms of its last sum
    # (conv1's 16 x 9 weights times the gradient reaching conv1), n counting the sums
    # backwards (fc1 64, conv2 32 x 9, conv1 16 x 9)
    with torch.no_grad():
        size = F.conv_transpose2d(rec.gradients[0].abs(), model.conv1.weight.abs(), padding=1)[:, 0].numpy()
    bound = rounding_tolerance("float32", 1.0, n_terms=64 + 32 * 9 + 16 * 9) * size
    expected = grad.abs()[:, 0].numpy()
    assert np.all(np.abs(ns["sal"] - expected) <= bound)
    # the hand-written gradient of the first digit and the helper's (the page's one line)
    assert np.all(np.abs(ns["saliency_by_hand"] - ns["sal"][0]) <= bound[0])
    for name, maps in ns["maps_only"]:
        # roughness in float64: three means of at most 784 non-negative float32 terms
        rough = [
            (np.abs(np.diff(m, axis=0)).mean() + np.abs(np.diff(m, axis=1)).mean()) / (2 * m.mean())
            for m in np.asarray(maps, dtype=np.float64)
        ]
        tolerance = rounding_tolerance("float32", max(rough), n_terms=3 * maps[0].size)
        assert np.all(np.abs(ns["rough"][name] - rough) <= tolerance)


def test_f5_stuck_channels_have_zero_output_and_are_not_dead(run_page):
    ns = run_page("plot_05_activation_maximization.py")
    model, units, channels = ns["model"], ns["units"], ns["channels"]
    z, bound = relu_inputs_and_bounds(model, torch.from_numpy(units))["relu2"]
    i = torch.arange(len(channels))
    reached = torch.relu(z)[i, channels].mean(dim=(1, 2)).numpy()
    bound = bound[i, channels].mean(dim=(1, 2)).numpy()  # the rounding bound of each mean
    assert np.all(np.abs(ns["reached"] - reached) <= bound)
    # A channel whose mean is zero beyond doubt had no gradient: its image is blank
    # (the page's "stuck"). Stuck may also hold channels with a tiny positive mean whose
    # image is just as blank (tests/gallery/test_efgh_interpretations.py).
    stuck = set(ns["stuck"])
    assert stuck >= {c for c, v, b, zero in zip(channels, reached, bound, ns["zero"]) if v + b < zero}
    for c in stuck:  # not dead: surely positive on some test digit
        assert not ns["dead"][c]
    # the words say which of them end at zero: those a rounding bound cannot lift off it
    off = {c for c in stuck if ns["reached"][c] <= ns["zero"][c]}
    if stuck:
        assert ("mean output is 0 (up to float32 rounding)" in ns["_findings"][-1]) == bool(off)
    with torch.no_grad():
        probs = torch.softmax(model(torch.from_numpy(ns["classes"])), 1).numpy()
    assert (probs.argmax(1) == np.arange(10)).all()  # each class image is its class
    # saturated: at least the pixels at or beyond a bound as float32 holds it (clamping
    # stores that value), at most those within float32 rounding of a bound
    noise, (low, high) = ns["noise_3"], ns["bounds"]
    clamped = np.sum((noise <= np.float32(low)) | (noise >= np.float32(high)))
    gap = np.minimum(np.abs(noise - low), np.abs(noise - high))
    near = np.sum(gap <= rounding_tolerance("float32", max(-low, high)))
    assert clamped <= ns["saturated"].sum() <= near


def test_f6_reconstruction_error_matches_sklearn_nmf(run_page):
    from sklearn.decomposition import NMF

    ns = run_page("plot_06_deep_feature_factorization.py")
    V, k = ns["V"], ns["k"]
    V = V.astype(np.float64)  # as deep_feature_factorization does
    nmf = NMF(n_components=k, init="nndsvda", random_state=ns["SEED"], max_iter=400).fit(V)
    expected = nmf.reconstruction_err_ / np.linalg.norm(V)
    # the page prints the error to 0.1 % (its ||V|| is a float32 norm of V.size squares,
    # whose worst-case rounding bound, 2 n eps, would be too loose to test anything)
    assert abs(ns["error"] - expected) <= 0.0005
    # the concepts are coloured with a palette that is not the digits'
    digit = {c.lower() for c in DIGIT_COLORS}
    assert not digit & {to_hex(c) for c in ns["colors"]}


def test_f7_dead_dimensions_neighbours_and_digit_colours(run_page):
    from scipy.spatial.distance import cdist

    ns = run_page("plot_07_embedding_projection.py")
    model, X, Z = ns["model"], ns["X"], ns["Z"]
    z, bound = relu_inputs_and_bounds(model, X)["relu3"]
    assert np.all(np.abs(Z - torch.relu(z).numpy()) <= bound.numpy())
    low, high = zero_count_range(z, bound, dims=(0,))
    assert low <= ns["dead"] <= high
    # the 10 nearest neighbours in the embedding, in float64; where the 10th and the 11th
    # are closer than rounding can tell apart (float32 squared distances: 64 products
    # and two squared norms), the sets may differ
    Z64 = Z.astype(np.float64)
    distances = cdist(Z64, Z64, "sqeuclidean")
    np.fill_diagonal(distances, np.inf)
    order = np.argsort(distances, axis=1, kind="stable")
    tenth, eleventh = (np.take_along_axis(distances, order[:, [k]], axis=1)[:, 0] for k in (9, 10))
    largest = 4 * np.max(np.sum(Z64**2, axis=1))
    clear = eleventh - tenth > rounding_tolerance("float32", largest, n_terms=Z.shape[1] + 2)
    assert clear.mean() > 0.5  # the check below tests most points
    for a, b in zip(ns["near_z"][clear], order[clear, :10]):
        assert set(a) == set(b)
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
    assert np.all(np.abs(ns["err"] - err) <= 0.005)  # the finding prints the largest as a %
    predicted = logits.argmax(1)
    for i, p in enumerate(ns["pos"]):
        m = sv[i, 0, :, :, predicted[i]].astype(np.float64)
        # a ratio of two sums of 784 float32 terms, the positive part at most the whole
        assert abs(p - m[m > 0].sum() / np.abs(m).sum()) <= rounding_tolerance("float32", 1.0, 2 * m.size)
        # the share on the strokes (ink pixels) alone, which the page's claim tests
        ink = ns["images"][i] > 0.3
        share = m[ink & (m > 0)].sum() / np.abs(m[ink]).sum()
        tolerance = rounding_tolerance("float32", 1.0, 2 * m.size)
        assert abs(ns["pos_on_strokes"][i] - share) <= tolerance
    maps = signed_images(run_page.figures)
    assert len(maps) == 10 * len(x) and all(lo == -hi for _, (lo, hi) in maps)
