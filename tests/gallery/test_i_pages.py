"""The numbers the pretrained-network pages I1-I3 state, checked on the pages' own output.

Each page runs once in quick mode (:func:`run_quick`), and the tests check what it
computed against an independent computation: Grad-CAM from the head's weights in
closed form (no autograd), Eigen-CAM from an eigendecomposition instead of an SVD,
integrated gradients by a plain loop over the path, the first layer's response from
``torch.nn.functional.conv2d`` with the batch norm folded in by hand. The pages'
written-out methods are also checked against the gallery's helpers here, not on the
pages. Every tolerance comes from the arithmetic (:func:`mlviz.report.rounding_tolerance`:
the dtype's epsilon times the number and size of the terms summed). The claims a page
makes are checked by the page itself (:func:`mlviz.report.claim`); running it here
makes a broken claim fail the tests. Nothing is downloaded: the network and the photos
come from installed wheels.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle
from scipy.ndimage import gaussian_filter
from scipy.stats import pearsonr

from mlviz._torch import one_thread
from mlviz.attribution import GradCAM
from mlviz.attribution._cam import EigenCAM
from mlviz.models import load_efficientnet_lite0, photo_tensors
from mlviz.plotting import DIVERGING
from mlviz.report import rounding_tolerance

from .conftest import run_quick

pytestmark = pytest.mark.slow


def head_gradient(model, A, target):
    """d logit[target] / dA for the last block's output A (N, 320, 7, 7), in closed form.

    After the last block come a 1x1 convolution, a batch norm, ReLU6, the average over
    the 7x7 positions and the linear classifier, so the gradient at each position is
    ``W_head^T (scale * [0 < z < 6] * w_fc[target]) / 49``. The ReLU6 mask is taken from
    the network's own float32 ``z``, so that a ``z`` within rounding of 0 or 6 cannot
    switch a position on in one computation and off in the other.

    Returns the gradient (float64), the logit (float64) and the largest difference
    rounding alone explains between this gradient and autograd's float32 one: each
    entry is a sum over the 1280 head channels.
    """
    with torch.no_grad():
        z32 = model._bn1(model._conv_head(A.float()))
    W = model._conv_head.weight.double()[:, :, 0, 0]  # (1280, 320)
    bn = model._bn1
    scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
    shift = bn.bias.double() - bn.running_mean.double() * scale
    A = A.double()
    z = torch.einsum("mk,nkhw->nmhw", W, A) * scale[:, None, None] + shift[:, None, None]
    positions = A.shape[2] * A.shape[3]
    fc = model._fc.weight.double()[target]  # (1280,)
    c = ((z32 > 0) & (z32 < 6)).double() * (scale * fc)[None, :, None, None] / positions
    grad = torch.einsum("mk,nmhw->nkhw", W, c)
    logit = z.clamp(0, 6).mean(dim=(2, 3)) @ fc + model._fc.bias.double()[target]
    terms = torch.einsum("mk,nmhw->nkhw", W.abs(), c.abs())  # sum of |terms| of each entry
    return grad, logit, rounding_tolerance("float32", terms.max().item(), n_terms=W.shape[0])


def logit_tolerance(model, A, target):
    """What float32 rounding explains in a logit computed from A through the head.

    Stage by stage: each ``z`` is a 320-term sum times the batch norm's scale, each
    pooled value a 49-term mean of ``clamp(z, 0, 6)`` (1-Lipschitz, so it carries the
    error of ``z`` over), and the logit a 1280-term sum weighted by the classifier.
    """
    W = model._conv_head.weight.double()[:, :, 0, 0]
    bn = model._bn1
    scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
    A = A.double()
    conv = torch.einsum("mk,nkhw->nmhw", W.abs(), A.abs()) * scale.abs()[:, None, None]
    z = torch.einsum("mk,nkhw->nmhw", W, A) * scale[:, None, None] + (bn.bias.double() - bn.running_mean.double() * scale)[:, None, None]
    z_error = rounding_tolerance("float32", 1.0, W.shape[1]) * conv + rounding_tolerance("float32", 1.0, 2) * z.abs()
    pooled = z.clamp(0, 6)
    n_positions = A.shape[2] * A.shape[3]
    pooled_error = z_error.mean(dim=(2, 3)) + rounding_tolerance("float32", 1.0, n_positions) * pooled.mean(dim=(2, 3))
    fc = model._fc.weight.double()[target].abs()
    logit_terms = (pooled.mean(dim=(2, 3)) @ fc).max().item() + model._fc.bias.double()[target].abs().item()
    return (pooled_error @ fc).max().item() + rounding_tolerance("float32", logit_terms, W.shape[0])


def grad_cam(A, grad):
    """ReLU(sum_k mean(grad_k) A_k), in float64."""
    return torch.relu((grad.double().mean(dim=(2, 3))[:, :, None, None] * A.double()).sum(1))


def map_tolerance(A, grad, grad_tolerance, dtype="float64"):
    """The largest difference rounding explains between two Grad-CAMs of the same A.

    One map uses ``grad``, the other a gradient within ``grad_tolerance`` of it: the
    weights differ by at most ``grad_tolerance`` plus the rounding of a 49-term mean,
    and each map is a 320-term sum in ``dtype`` (ReLU and bilinear upsampling do not
    enlarge a difference).
    """
    A, grad = A.double(), grad.double()
    n_positions = A.shape[2] * A.shape[3]
    weights = grad.mean(dim=(2, 3))
    weight_tolerance = grad_tolerance + rounding_tolerance(dtype, grad.abs().max().item(), n_positions)
    terms = (weights.abs()[:, :, None, None] * A.abs()).sum(1)  # (N, h, w)
    spread = A.abs().sum(1) * weight_tolerance
    return (spread + rounding_tolerance(dtype, terms.max().item(), A.shape[1])).max().item()


def corr_tolerance(n):
    """Two float64 computations of one correlation (|r| <= 1) over n values."""
    return rounding_tolerance("float64", 1.0, n_terms=n)


def upsample(cam):
    return F.interpolate(cam[:, None], size=(224, 224), mode="bilinear")[:, 0].numpy()


def projection_tolerance(P):
    """What float64 rounding explains in the projection ``P v`` on the first singular vector.

    A backward-stable SVD returns the vector of a matrix within ``n eps ||P||`` of ``P``;
    the vector then moves by at most that over the gap ``s1 - s2`` (Wedin), and each
    projection is a K-term dot product with a row of ``P``.
    """
    s = np.linalg.svd(P, compute_uv=False)
    moved = rounding_tolerance("float64", s[0], n_terms=max(P.shape)) / (s[0] - s[1])
    rows = np.linalg.norm(P, axis=1).max()
    return rows * moved + rounding_tolerance("float64", rows, n_terms=P.shape[1])


@pytest.fixture(scope="module")
def i1(tmp_path_factory):
    """Page I1, run once in quick mode for the tests below."""
    yield run_quick("09_imagenet/plot_01_grad_cam_photos.py", tmp_path_factory.mktemp("i1"))
    plt.close("all")


def test_i1_grad_cam_in_closed_form(i1):
    """The page's hand-written Grad-CAM and the helper's maps, against the closed form."""
    ns = i1
    model, x = load_efficientnet_lite0(), ns["x"]
    # the hand-written map of the first cell: the page's own A and autograd's gradient
    A, top = ns["A"].detach(), ns["classes"]["chelsea"][0]
    grad, logit, grad_tol = head_gradient(model, A, top)
    assert abs(logit.item() - ns["logits"][0, top].item()) <= logit_tolerance(model, A, top)
    assert (ns["dA"].double() - grad).abs().max().item() <= grad_tol
    # the page sums in float32: its weights are 49-term means, its map a 320-term sum
    hand_tol = map_tolerance(A, grad, grad_tol, dtype="float32")
    hand = ns["cam_7x7"].detach().double()
    np.testing.assert_allclose(hand.numpy(), grad_cam(A, grad).numpy(), rtol=0, atol=hand_tol)
    # the helper, on the activations and gradients its own recorder kept
    layer = model._blocks[-1]
    for i, photo in enumerate(ns["photos"]):
        top, rival = ns["classes"][photo]
        other = ns["unrelated"][photo]
        assert other == ns["classes"][ns["photos"][1 - i]][0] and other not in (top, rival)
        closed = {}
        for k in (top, rival, other):
            with GradCAM(model, [layer]) as cam:
                (raw,) = cam.layer_cams(x[i : i + 1], targets=[k])
                A_k, g_k = cam.recorder.activations[0], cam.recorder.gradients[0]
            closed[k], _, grad_tol = head_gradient(model, A_k, k)
            assert (g_k.double() - closed[k]).abs().max().item() <= grad_tol
            tol = map_tolerance(A_k, closed[k], grad_tol)
            np.testing.assert_allclose(raw, grad_cam(A_k, closed[k]).numpy(), rtol=0, atol=tol)
            np.testing.assert_allclose(ns["maps"][photo, "GradCAM", k], upsample(grad_cam(A_k, closed[k]))[0], rtol=0, atol=tol)
            if photo == "chelsea" and k == top:  # the page's hand-written map is the helper's
                np.testing.assert_allclose(hand.numpy(), raw, rtol=0, atol=hand_tol + tol)
        # the contrast target: Grad-CAM of the logit difference (A_k: the same photo)
        difference = closed[top] - closed[rival]
        expected = upsample(grad_cam(A_k, difference))[0]
        np.testing.assert_allclose(ns["contrast"][photo], expected, rtol=0, atol=map_tolerance(A_k, difference, 2 * grad_tol))
        # the correlations of the page's tables, recomputed
        a, b, c = (ns["maps"][photo, "GradCAM", k] for k in (top, rival, other))
        row = ns["compared"].loc[(photo, "GradCAM")]
        assert row["r, runner-up"] == pytest.approx(pearsonr(a.ravel(), b.ravel())[0], abs=corr_tolerance(a.size))
        assert row["r, unrelated"] == pytest.approx(pearsonr(a.ravel(), c.ravel())[0], abs=corr_tolerance(a.size))
        contrast = ns["contrasts"].loc[photo]
        assert contrast["r, contrast"] == pytest.approx(pearsonr(ns["contrast"][photo].ravel(), a.ravel())[0], abs=corr_tolerance(a.size))
        assert contrast["r, runner-up"] == pytest.approx(row["r, runner-up"], abs=corr_tolerance(a.size))
        # the contrast's positive share: pixels within rounding of 0 could go either way
        near_zero = np.abs(expected) <= map_tolerance(A_k, difference, 2 * grad_tol)
        assert abs(contrast["contrast > 0"] - (expected > 0).mean()) <= near_zero.mean()
        # the claim can fail: the reverse contrast (runner-up minus predicted class) is
        # positive on a few pixels only, and its condition would reject it
        reverse = upsample(grad_cam(A_k, -difference))[0]
        assert (reverse > 0).mean() < 0.9 < contrast["contrast > 0"]


def compared_condition(close, unrelated):
    """The page's condition for 'the runner-up's map is nearly the predicted class's
    map, while the unrelated class's map points elsewhere'."""
    return min(close) > 0.8 and max(unrelated) < 0


def test_i1_the_class_claims_can_fail(i1):
    """Each claim about the classes and the layers, fed the numbers of the opposite case."""
    ns = i1
    compared, layers = ns["compared"].dropna(), ns["layers"]
    assert compared_condition(compared["r, runner-up"], compared["r, unrelated"])
    # the runner-up in the unrelated class's place: close, so not 'elsewhere'
    assert not compared_condition(compared["r, runner-up"], compared["r, runner-up"])
    # the middle block's pairs: not 'nearly the same map'
    middle = layers.xs("block 11 (14x14)", level="layer")["r, runner-up"]
    assert not compared_condition(middle, compared["r, unrelated"])
    # the layer claim, with the last block in an earlier block's place, fails
    spots, r = layers["hottest 5% hold"].unstack(), layers["r, runner-up"].unstack()
    for last in spots.columns:
        holds = (spots[last] < spots.drop(columns=last).min(axis=1)).all() and (r[last] > r.drop(columns=last).max(axis=1)).all()
        assert holds == (last == "block 16 (7x7)"), last
    # the concentration measure: 5% for a flat map, all of it for a single hot spot
    flat, spot = np.ones((224, 224)), np.zeros((224, 224))
    spot[100:110, 100:110] = 1
    assert ns["hottest_share"](flat) == pytest.approx(0.05, abs=1 / flat.size) and ns["hottest_share"](spot) == 1
    # the box's area is a flat map's share
    for photo, (rows, cols) in ns["regions"].items():
        area = (rows.stop - rows.start) * (cols.stop - cols.start) / 224**2
        assert ns["compared"].loc[(photo, "GradCAM"), "box area"] == pytest.approx(area)


def test_i1_the_shared_relu6_runs_twice():
    """The pitfall's reason for not hooking the head's 1280 maps: `model._swish` runs twice."""
    model = load_efficientnet_lite0()
    calls = []
    handle = model._swish.register_forward_hook(lambda *args: calls.append(tuple(args[2].shape)))
    with torch.no_grad():
        model(photo_tensors(["chelsea"]))
    handle.remove()
    assert calls == [(1, 32, 112, 112), (1, 1280, 7, 7)]


def test_i1_eigen_cam_with_and_without_centring(i1):
    """Eigen-CAM from the Gram matrix's eigenvectors, the helper's EigenCAM, pytorch-grad-cam's variant."""
    ns = i1
    model = load_efficientnet_lite0()
    layer = model._blocks[-1]
    for i, photo in enumerate(ns["photos"]):
        A = ns["activations"][i]  # (320, 7, 7), the page's float64 copy
        for center, (projection, shares) in ((False, ns["eigen"][i]), (True, ns["centred"][i])):
            P = A.reshape(A.shape[0], -1).T
            P = P - P.mean(axis=0) if center else P
            tol = projection_tolerance(P)
            # the top eigenvector of the 49x49 Gram matrix of the positions, scaled
            values, vectors = np.linalg.eigh(P @ P.T)
            expected = np.sqrt(values[-1]) * vectors[:, -1]
            expected *= np.sign(expected[np.argmax(np.abs(expected))])  # the page's sign
            np.testing.assert_allclose(projection.ravel(), expected, rtol=0, atol=tol)
            assert shares[0] == pytest.approx(values[-1] / values.sum(), rel=rounding_tolerance("float64", 1.0, P.size))
            # the sign convention: the largest absolute value is positive
            flat = projection.ravel()
            assert flat[np.argmax(np.abs(flat))] > 0
            # the helper computes the same map (its positive part)
            with EigenCAM(model, [layer], center=center) as cam:
                helper = cam.get_cam_image(A[None], None)[0]
            np.testing.assert_allclose(helper, np.maximum(projection, 0), rtol=0, atol=tol)
            # centred projections sum to zero: the ReLU keeps one side
            if center:
                assert abs(flat.sum()) <= rounding_tolerance("float64", np.abs(flat).sum(), flat.size) + flat.size * tol
        # pytorch-grad-cam's get_2d_projection: centred, the SVD's own sign, then ReLU.
        # Its map is one of the page's two centred sides, whichever sign the SVD returns.
        P = A.reshape(A.shape[0], -1).T
        Pc = P - P.mean(axis=0)
        for vt in (np.linalg.svd(Pc)[2], torch.linalg.svd(torch.from_numpy(Pc))[2].numpy()):
            theirs = np.maximum(Pc @ vt[0], 0).reshape(7, 7)
            sides = [np.maximum(s * ns["centred"][i][0], 0) for s in (1, -1)]
            assert min(np.abs(theirs - side).max() for side in sides) <= projection_tolerance(Pc)
    # the correlations in the titles and the claim's numbers, recomputed
    for i, photo in enumerate(ns["photos"]):
        paper = upsample(torch.from_numpy(np.maximum(ns["eigen"][i][0], 0)[None]))[0]
        for side in (1, -1):
            m = upsample(torch.from_numpy(np.maximum(side * ns["centred"][i][0], 0)[None]))[0]
            assert ns["eigen_corr"][photo, side] == pytest.approx(pearsonr(m.ravel(), paper.ravel())[0], abs=corr_tolerance(m.size))
        length = np.linalg.norm(ns["activations"][i], axis=0)
        assert ns["eigen_table"].loc[photo, "paper: r with the length"] == pytest.approx(pearsonr(length.ravel(), ns["eigen"][i][0].ravel())[0], abs=corr_tolerance(length.size))
    # the claim can fail: the centred projection does not keep every position
    assert all((e[0] > 0).all() for e in ns["eigen"])
    assert not all((c[0] > 0).all() for c in ns["centred"])


def test_i1_the_drawn_box_is_the_measured_region(i1):
    ns = i1
    for fig, photo in zip(ns["_figures"][1:3], ns["photos"]):
        (box,) = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
        rows, cols = ns["regions"][photo]
        assert (box.get_x() + 0.5, box.get_y() + 0.5) == (cols.start, rows.start)
        assert (box.get_width(), box.get_height()) == (cols.stop - cols.start, rows.stop - rows.start)
        m = ns["maps"][photo, "GradCAM", ns["classes"][photo][0]]
        inside = np.zeros(m.shape, bool)
        inside[rows.start : rows.stop, cols.start : cols.stop] = True
        assert ns["compared"].loc[(photo, "GradCAM"), "top in box"] == pytest.approx(m[inside].sum() / m.sum())


@pytest.fixture(scope="module")
def i2(tmp_path_factory):
    """Page I2, run once in quick mode for the tests below."""
    yield run_quick("09_imagenet/plot_02_saliency_ig_photos.py", tmp_path_factory.mktemp("i2"))
    plt.close("all")


def path_gradients(model, x, baseline, target, alphas, batch):
    """Gradients and scores of the target logit at ``baseline + a (x - baseline)``.

    ``batch`` points per forward pass and the build's thread count: the same grouping
    and threads as the code compared with, so that both see the network's values bit
    for bit and differ only in how they weight and add them up.
    """
    grads, scores = [], []
    with one_thread():
        for start in range(0, len(alphas), batch):
            a = torch.tensor(alphas[start : start + batch], dtype=torch.float64).float()
            path = (baseline + a[:, None, None, None] * (x - baseline)).requires_grad_(True)
            out = model(path)[:, target]
            (g,) = torch.autograd.grad(out.sum(), path)
            grads.append(g.double())
            scores.append(out.detach().double())
    return torch.cat(grads), torch.cat(scores).numpy()


def integrated_gradients_loop(model, x, baseline, target, n, power, batch):
    """IG by a plain loop over the points: alpha = t^power, trapezoid in t. Returns the
    attributions, the scores on the path and the rounding tolerance of the float64 sum."""
    t = np.arange(n + 1) / n
    grads, scores = path_gradients(model, x, baseline, target, t**power, batch)
    total = torch.zeros_like(grads[0])
    weighted = torch.zeros_like(grads[0])
    for k in range(n + 1):
        weight = (0.5 if k in (0, n) else 1.0) * power * t[k] ** (power - 1) / n
        total += weight * grads[k]
        weighted += abs(weight) * grads[k].abs()
    diff = (x - baseline)[0].double()
    tolerance = rounding_tolerance("float64", (weighted * diff.abs()).max().item(), n + 1)
    return (diff * total).numpy(), scores, tolerance


def test_i2_the_helpers_compute_the_pages_maps(i2):
    """saliency, smoothgrad and integrated_gradients against the page's written-out code."""
    from mlviz.attribution import integrated_gradients, saliency, smoothgrad
    from mlviz.config import SEED

    ns = i2
    model, x, targets = load_efficientnet_lite0(), ns["x"], ns["targets"]
    # the same gradients (one pass over both photos): one rounding apart at most
    hand = ns["saliency_by_hand"]
    tolerance = rounding_tolerance("float32", np.abs(hand).max(), 1)
    np.testing.assert_allclose(saliency(model, x, targets), hand, rtol=0, atol=tolerance)
    # the same noisy copies: the means differ by the order of a float64 sum at most
    smooth = ns["smooth"]
    helper = smoothgrad(model, x, targets, n_samples=ns["n_noisy"], noise_level=0.15, seed=SEED)
    tolerance = rounding_tolerance("float64", np.abs(smooth).max(), ns["n_noisy"])
    np.testing.assert_allclose(helper, smooth, rtol=0, atol=tolerance)
    # integrated gradients with evenly spaced points: the helper takes one point per
    # pass, the page eight; each is checked against a plain loop grouped the same way
    black, target = ns["black"], targets[0]
    check = integrated_gradients(model, x[:1], [target], baseline=black, n_steps=4)
    expected, scores, tolerance = integrated_gradients_loop(model, x[:1], black, target, 4, 1, batch=1)
    np.testing.assert_allclose(check.attributions[0], expected, rtol=0, atol=tolerance)
    assert (check.baseline_score[0], check.score[0]) == pytest.approx((scores[0], scores[-1]), abs=rounding_tolerance("float32", np.abs(scores).max(), 1))
    with one_thread():  # the build's threads, as the page ran
        page = ns["integrated_gradients_by_hand"](x[:1], black, target, 4, power=1)[0]
    expected, _, tolerance = integrated_gradients_loop(model, x[:1], black, target, 4, 1, batch=8)
    np.testing.assert_allclose(page, expected, rtol=0, atol=tolerance)


def test_i2_integrated_gradients_by_a_plain_loop_and_the_completeness_table(i2):
    ns = i2
    model, x, targets = load_efficientnet_lite0(), ns["x"], ns["targets"]
    n = ns["n_steps"]
    for i, photo in enumerate(ns["photos"]):
        for b, base in ns["baselines"].items():
            attributions, scores, alphas, _ = ns["ig"][photo, b]
            x_i, x0 = x[i : i + 1], base[i : i + 1]
            expected, loop_scores, tolerance = integrated_gradients_loop(model, x_i, x0, targets[i], n, 2, batch=8)
            np.testing.assert_allclose(attributions, expected, rtol=0, atol=tolerance)
            np.testing.assert_allclose(alphas, (np.arange(n + 1) / n) ** 2, rtol=0, atol=rounding_tolerance("float64", 1.0, 2))
            # the path's ends are f(x') and f(x): to the table's two decimals
            with torch.no_grad():
                f_x, f_base = model(x_i)[0, targets[i]].item(), model(x0)[0, targets[i]].item()
            assert (scores[0], scores[-1]) == pytest.approx((f_base, f_x), abs=0.005)
            # the gaps of the table, recomputed from the attributions and the path's ends
            delta = loop_scores[-1] - loop_scores[0]
            gap = abs(expected.sum() - delta) / abs(delta)
            assert ns["gaps"][photo, b, n] == pytest.approx(gap, abs=(expected.size * tolerance + rounding_tolerance("float64", np.abs(expected).sum(), expected.size)) / abs(delta))
            row = ns["completeness"].query("photo == @photo and baseline == @b")
            assert row[f"gap (%), {n} steps"].item() == pytest.approx(100 * gap, abs=0.005)
    # the sentence counts the gaps over 5% for the step count it names
    assert ns["over"][n] == sum(g > 0.05 for (*_, k), g in ns["gaps"].items() if k == n)
    assert any(f"{ns['over'][n]} of 6 with {n}" in text for text in ns["_findings"])
    # the baselines' table, recomputed from the maps: the blind spot and the agreement
    effect = ns["effect"]
    for i, photo in enumerate(ns["photos"]):
        brightness = ns["images"][i].mean(axis=2)
        dark = brightness <= np.quantile(brightness, 0.05)
        signed = {b: ns["ig"][photo, b][0].sum(0) for b in ns["baselines"]}
        for b, m in signed.items():
            assert effect.loc[photo, f"dark, {b}"] == pytest.approx(np.abs(m[dark]).mean() / np.abs(m).mean())
        # block sums by a loop over the 16x16 blocks
        sums = {b: np.array([[np.abs(m[r : r + 16, c : c + 16]).sum() for c in range(0, 224, 16)] for r in range(0, 224, 16)]) for b, m in signed.items()}
        for a, b in (("black", "blurred"), ("black", "noise"), ("blurred", "noise")):
            expected = pearsonr(sums[a].ravel(), sums[b].ravel())[0]
            assert effect.loc[photo, f"r, {a}/{b}"] == pytest.approx(expected, abs=corr_tolerance(sums[a].size))
    # the signed maps use the diverging colormap with symmetric limits
    signed = [
        im for fig in ns["_figures"] for ax in fig.axes for im in ax.get_images() if im.get_cmap().name == DIVERGING
    ]
    assert len(signed) == 2 + 3 * len(ns["photos"])
    assert all(im.get_clim()[0] == -im.get_clim()[1] for im in signed)


def baseline_conditions(effect, odd="black"):
    """The page's two conditions on its baselines' table, for the baseline ``odd``:
    its map agrees with neither other map as well as those two agree with each other;
    it gives the darkest pixels less than the average pixel and less than the others."""
    others = [b for b in ("black", "blurred", "noise") if b != odd]
    r = {frozenset(c.removeprefix("r, ").split("/")): effect[c] for c in effect if c.startswith("r, ")}
    agree = (np.maximum(r[frozenset((odd, others[0]))], r[frozenset((odd, others[1]))]) < r[frozenset(others)]).all()
    dark = effect[f"dark, {odd}"]
    blind = ((dark < 1) & (dark < effect[[f"dark, {b}" for b in others]].min(axis=1))).all()
    return bool(agree), bool(blind)


def test_i2_the_claims_can_fail(i2):
    """SmoothGrad's smoothness and the black baseline's claims, fed the opposite cases."""
    ns = i2
    # the page's numbers meet both conditions; another baseline in black's place meets neither
    assert baseline_conditions(ns["effect"]) == (True, True)
    for odd in ("blurred", "noise"):
        assert baseline_conditions(ns["effect"], odd) == (False, False), odd
    # roughness ranks a blurred map below the map itself, and white noise near the top
    rough, roughness = ns["rough"], ns["roughness"]
    noise = np.random.default_rng(0).random((224, 224))
    smooth_noise = gaussian_filter(noise, 3)
    assert roughness(smooth_noise) < roughness(noise)
    for m in ns["saliency_by_hand"]:
        assert roughness(gaussian_filter(m, 2)) < roughness(m)
    # the condition compares the two columns; swapped, it fails
    assert (rough["SmoothGrad"] < rough["saliency"]).all()
    assert not (rough["saliency"] < rough["SmoothGrad"]).any()


def test_i2_the_full_build_completeness_claim(i2):
    """The claim the full build checks: within 5% at the full step count.

    Quick mode takes 4 steps, which is far from enough, so the page checks this claim in
    the full build only. Here it is checked on the path whose gap is the largest with
    half the full steps on the build machine, the cat from black (most of its rise is in
    the first tenth of the path), with the page's own code and the full step count.
    """
    import re

    from .conftest import page_path

    ns = i2
    source = page_path("09_imagenet/plot_02_saliency_ig_photos.py").read_text()
    (full,) = re.findall(r"^n_steps = 4 if QUICK else (\d+)$", source, flags=re.M)
    x, black = ns["x"], ns["black"]
    attributions, scores, _, _ = ns["integrated_gradients_by_hand"](x[:1], black, ns["targets"][0], int(full))
    gap = abs(attributions.sum() - (scores[-1] - scores[0])) / abs(scores[-1] - scores[0])
    assert gap < 0.05, f"{gap:.1%} with {full} steps"


def test_i3_the_folded_filters_reproduce_the_first_layer(run_page):
    ns = run_page("09_imagenet/plot_03_first_layer_filters.py")
    x = ns["x"]
    # conv + batch norm of the network, against a convolution with the folded filters
    padded = F.pad(x.double(), (0, 1, 0, 1))  # the stem's "same" padding for stride 2
    filters = torch.from_numpy(ns["filters"])
    z = F.conv2d(padded, filters, torch.from_numpy(ns["shift"]).double(), stride=2)
    # the network: a 27-term float32 sum, then the batch norm's subtract, scale and add
    terms = F.conv2d(padded.abs(), filters.abs(), stride=2)
    bn = ns["bn"]
    offsets = (bn.running_mean.double() * ns["scale"]).abs() + bn.bias.double().abs()
    scale_sum = (terms + offsets[None, :, None, None]).max().item()
    tolerance = rounding_tolerance("float32", scale_sum, n_terms=27 + 3)
    np.testing.assert_allclose(ns["z"], z.numpy(), rtol=0, atol=tolerance)
    # achromatic share: the filter's squared projection on the grey axis (1, 1, 1) / sqrt(3)
    filters = ns["filters"]
    grey = np.ones(3) / np.sqrt(3)
    on_grey = np.einsum("kchw,c->khw", filters, grey)
    share = (on_grey**2).sum(axis=(1, 2)) / (filters**2).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(ns["achromatic_share"], share, rtol=rounding_tolerance("float64", 1.0, 27))
    groups = ns["order"]
    assert sorted(np.concatenate(list(groups.values())).tolist()) == list(range(32))
    assert all(share[groups["colour"]] < 0.25) and all(share[groups["brightness change"]] >= 0.25)
    # the filters the batch norm switched off output a constant: over inputs in [-1, 1]
    # a filter's output can move by twice its absolute weights (plus rounding), and
    # their bias keeps it below zero, where the ReLU6 outputs 0
    for k in groups["off"]:
        l1 = np.abs(filters[k]).sum()
        rounding = rounding_tolerance("float32", l1 + abs(ns["shift"][k]), n_terms=27 + 3)
        assert np.ptp(ns["z"][:, k]) <= 2 * l1 + 2 * rounding
        assert ns["z"][:, k].max() < 0
    # the colour correlations the page states
    for (photo, k), r in ns["r_colour"].items():
        i = ns["photos"].index(photo)
        projection = np.tensordot(filters[k].sum(axis=(1, 2)), x[i].double().numpy()[:, ::2, ::2], axes=1)
        assert r == pytest.approx(pearsonr(ns["z"][i, k].ravel(), projection.ravel())[0], abs=corr_tolerance(projection.size))
    # the filter grid shows each of the 32 filters once, in the groups' order
    grid = ns["_figures"][0]
    titles = [ax.get_title().split(":")[0] for ax in grid.axes if ax.get_images()]
    assert titles == [str(k) for ks in groups.values() for k in ks]


def test_i3_colour_filters_flatter_claim_can_fail(run_page):
    """'The colour filters are flatter than the brightness-change ones': computed from
    the flat shares, it fails when the colour filters are given an edge filter's share."""
    from mlviz.report import ClaimError

    from .conftest import rerun_cell

    name = "09_imagenet/plot_03_first_layer_filters.py"
    ns = run_page(name)
    flat, colour, change = ns["flat_share"], ns["colour"], ns["change"]
    # recomputed: each channel's mean over the 3x3 window, its share of the squared weights
    filters = ns["filters"]
    means = filters.mean(axis=(2, 3), keepdims=True) * np.ones((1, 1, 3, 3))
    share = (means**2).sum(axis=(1, 2, 3)) / (filters**2).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(flat, share, rtol=rounding_tolerance("float64", 1.0, 27))
    assert flat[colour].min() > flat[change].max()
    _, said = rerun_cell(name, ns, "flat_colour, flat_change")
    assert f"{flat[colour].min():.0%} to {flat[colour].max():.0%}" in said[0]
    edgy = flat.copy()
    edgy[colour] = flat[change].max()  # as flat as the flattest edge filter, no flatter
    with pytest.raises(ClaimError):
        rerun_cell(name, ns, "flat_colour, flat_change", flat_share=edgy)
