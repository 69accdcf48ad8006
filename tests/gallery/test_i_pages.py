"""The numbers the pretrained-network pages I1-I3 state, checked on the pages' own output.

Each test runs the page in quick mode (the shared ``run_page`` fixture) and checks what it
computed against an independent computation: Grad-CAM from the head's weights in
closed form (no autograd), Eigen-CAM from an eigendecomposition instead of an SVD,
integrated gradients by a plain loop over the path, the first layer's response from
``torch.nn.functional.conv2d`` with the batch norm folded in by hand. The claims a page
makes are checked by the page itself (:func:`mlviz.report.claim`); running it here
makes a broken claim fail the tests. Nothing is downloaded: the network and the photos
come from installed wheels.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle
from scipy.stats import pearsonr

from mlviz.models import load_efficientnet_lite0, photo_tensors
from mlviz.plotting import DIVERGING

pytestmark = pytest.mark.slow



def block_output(model, x, block):
    """The output of ``model._blocks[block]`` for ``x``, from a hook removed at once."""
    kept = {}
    handle = model._blocks[block].register_forward_hook(lambda m, i, o: kept.update(A=o))
    with torch.no_grad():
        logits = model(x)
    handle.remove()
    return kept["A"].double(), logits.double()


def head_gradient(model, A, target):
    """d logit[target] / dA for the last block's output A, in closed form.

    After the last block come a 1x1 convolution, a batch norm, ReLU6, the average over
    the 7x7 positions and the linear classifier, so the gradient at each position is
    ``W_head^T (scale * [0 < z < 6] * w_fc[target]) / 49``.
    """
    W = model._conv_head.weight.double()[:, :, 0, 0]  # (1280, 320)
    bn = model._bn1
    scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
    z = torch.einsum("mk,nkhw->nmhw", W, A)
    z = (z - bn.running_mean.double()[:, None, None]) * scale[:, None, None] + bn.bias.double()[:, None, None]
    pass_through = ((z > 0) & (z < 6)).double()
    fc = model._fc.weight.double()[target]  # (1280,)
    positions = A.shape[2] * A.shape[3]
    grad_z = pass_through * (scale * fc)[None, :, None, None] / positions
    logit = (z.clamp(0, 6).mean(dim=(2, 3)) @ model._fc.weight.double().T + model._fc.bias.double())[:, target]
    return torch.einsum("mk,nmhw->nkhw", W, grad_z), logit


def grad_cam(A, grad):
    return torch.relu((grad.mean(dim=(2, 3))[:, :, None, None] * A).sum(1))


def upsample(cam):
    return F.interpolate(cam[:, None], size=(224, 224), mode="bilinear")[:, 0].numpy()


def test_i1_grad_cam_in_closed_form_eigen_cam_and_the_drawn_box(run_page):
    ns = run_page("09_imagenet/plot_01_grad_cam_photos.py")
    model = load_efficientnet_lite0()
    x = photo_tensors(["chelsea", "coffee"])
    A, logits = block_output(model, x, 15)
    for i, photo in enumerate(ns["photos"]):
        top, rival = ns["classes"][photo]
        grads = {}
        for k in (top, rival):
            grads[k], logit = head_gradient(model, A[i : i + 1], k)
            assert logit.item() == pytest.approx(logits[i, k].item(), abs=1e-4)  # the closed form is the network
            for method in ("GradCAM",):
                np.testing.assert_allclose(
                    ns["maps"][photo, method, k], upsample(grad_cam(A[i : i + 1], grads[k]))[0], atol=1e-5
                )
        # the contrast target: Grad-CAM of the logit difference
        expected = upsample(grad_cam(A[i : i + 1], grads[top] - grads[rival]))[0]
        np.testing.assert_allclose(ns["contrast"][photo], expected, atol=1e-5)
        # the correlations the page states, recomputed
        a, b = ns["maps"][photo, "GradCAM", top], ns["maps"][photo, "GradCAM", rival]
        assert ns["corr"][photo, "GradCAM"] == pytest.approx(pearsonr(a.ravel(), b.ravel())[0], abs=1e-9)
        assert f"r = {ns['corr'][photo, 'GradCAM']:.2f}" in ns["_findings"][2]
        # Eigen-CAM from the top eigenvector of the 49x49 Gram matrix of the positions
        P = A[i].reshape(A.shape[1], -1).T.numpy()  # (49, 320)
        values, vectors = np.linalg.eigh(P @ P.T)
        projection = np.sqrt(values[-1]) * vectors[:, -1]
        projection *= np.sign(projection.sum())
        eigen_map, explained = ns["eigen"][i]
        np.testing.assert_allclose(eigen_map.ravel(), np.maximum(projection, 0), atol=1e-6 * np.abs(projection).max())
        assert explained == pytest.approx(values[-1] / np.trace(P @ P.T), rel=1e-9)
    # the hand-written map of the first cell is the closed form's
    cam = grad_cam(A[:1], head_gradient(model, A[:1], 285)[0])
    np.testing.assert_allclose(ns["cam_7x7"].detach().double().numpy(), cam.numpy(), atol=1e-5)
    # the box drawn on each photo is the region whose mass the page measures
    for fig, photo in zip(ns["_figures"][:2], ns["photos"]):
        (box,) = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
        rows, cols = ns["regions"][photo]
        assert (box.get_x() + 0.5, box.get_y() + 0.5) == (cols.start, rows.start)
        assert (box.get_width(), box.get_height()) == (cols.stop - cols.start, rows.stop - rows.start)
        m = ns["maps"][photo, "GradCAM", ns["classes"][photo][0]]
        inside = np.zeros(m.shape, bool)
        inside[rows.start : rows.stop, cols.start : cols.stop] = True
        assert ns["share"][photo, "GradCAM", ns["classes"][photo][0]] == pytest.approx(m[inside].sum() / m.sum())


def test_i2_integrated_gradients_by_a_plain_loop_and_the_completeness_table(run_page):
    ns = run_page("09_imagenet/plot_02_saliency_ig_photos.py")
    model, x, targets = load_efficientnet_lite0(), ns["x"], ns["targets"]
    n = ns["n_steps"]
    for i, photo in enumerate(ns["photos"]):
        for b, base in ns["baselines"].items():
            attributions, scores, alphas, _ = ns["ig"][photo, b]
            x_i, x0 = x[i : i + 1], base[i : i + 1]
            # a plain loop: one point at a time, float64 sums, alpha = t^2, trapezoid in t
            total = torch.zeros_like(x_i, dtype=torch.float64)
            for k in range(n + 1):
                t = k / n
                point = (x0 + torch.tensor(t**2, dtype=torch.float32) * (x_i - x0)).requires_grad_(True)
                (g,) = torch.autograd.grad(model(point)[0, targets[i]], point)
                weight = (0.5 if k in (0, n) else 1.0) * 2 * t / n
                total += weight * g.double()
            expected = ((x_i - x0).double() * total)[0].numpy()
            np.testing.assert_allclose(attributions, expected, atol=1e-5 * np.abs(expected).max())
            np.testing.assert_allclose(alphas, (np.arange(n + 1) / n) ** 2)
            with torch.no_grad():
                f_x, f_base = model(x[i : i + 1])[0, targets[i]].item(), model(base[i : i + 1])[0, targets[i]].item()
            assert (scores[0], scores[-1]) == pytest.approx((f_base, f_x), abs=1e-4)
            assert ns["errors"][photo, b] == pytest.approx(
                abs(expected.sum() - (f_x - f_base)) / abs(f_x - f_base), abs=1e-5
            )
    # saliency from torch.func, SmoothGrad smoother than saliency by the page's measure
    for i in range(len(x)):
        g = torch.func.grad(lambda z, i=i: model(z[None])[0, targets[i]])(x[i])
        np.testing.assert_allclose(ns["saliency_by_hand"][i], g.abs().amax(0).numpy(), atol=1e-6)
    # the black baseline's blind spot, recomputed from the maps
    for i, photo in enumerate(ns["photos"]):
        brightness = ns["images"][i].mean(axis=2)
        dark = brightness <= np.quantile(brightness, 0.05)
        m = np.abs(ns["ig"][photo, "black"][0].sum(0))
        assert ns["blind"][photo]["black"] == pytest.approx(m[dark].mean() / m.mean())
        assert ns["blind"][photo]["black"] < 1
    # the signed maps use the diverging colormap with symmetric limits
    signed = [
        im for fig in ns["_figures"] for ax in fig.axes for im in ax.get_images() if im.get_cmap().name == DIVERGING
    ]
    assert len(signed) == 2 + 3 * len(ns["photos"])
    assert all(im.get_clim()[0] == -im.get_clim()[1] for im in signed)


def test_i3_the_folded_filters_reproduce_the_first_layer(run_page):
    ns = run_page("09_imagenet/plot_03_first_layer_filters.py")
    x = ns["x"]
    # conv + batch norm of the network, against a convolution with the folded filters
    padded = F.pad(x.double(), (0, 1, 0, 1))  # the stem's "same" padding for stride 2
    z = F.conv2d(padded, torch.from_numpy(ns["filters"]), torch.from_numpy(ns["shift"]).double(), stride=2)
    np.testing.assert_allclose(ns["z"], z.numpy(), atol=1e-4 * np.abs(z.numpy()).max())
    # achromatic share: the filter's squared projection on the grey axis (1, 1, 1) / sqrt(3)
    filters = ns["filters"]
    grey = np.ones(3) / np.sqrt(3)
    on_grey = np.einsum("kchw,c->khw", filters, grey)
    share = (on_grey**2).sum(axis=(1, 2)) / (filters**2).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(ns["achromatic_share"], share, rtol=1e-9)
    groups = ns["order"]
    assert sorted(np.concatenate(list(groups.values())).tolist()) == list(range(32))
    assert all(share[groups["colour"]] < 0.25) and all(share[groups["brightness change"]] >= 0.25)
    # the four filters the batch norm switched off output a constant
    for k in groups["off"]:
        assert np.ptp(ns["z"][:, k]) < 1e-3
    # the colour correlations the page states
    for (photo, k), r in ns["r_colour"].items():
        i = ns["photos"].index(photo)
        projection = np.tensordot(filters[k].sum(axis=(1, 2)), x[i].double().numpy()[:, ::2, ::2], axes=1)
        assert r == pytest.approx(pearsonr(ns["z"][i, k].ravel(), projection.ravel())[0], abs=1e-9)
    # the filter grid shows each of the 32 filters once, in the groups' order
    grid = ns["_figures"][0]
    titles = [ax.get_title().split(":")[0] for ax in grid.axes if ax.get_images()]
    assert titles == [str(k) for ks in groups.values() for k in ks]
