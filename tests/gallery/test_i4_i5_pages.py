"""The numbers pages I4 (occlusion, deletion/insertion) and I5 (sanity checks) state.

Each test runs the page in quick mode (the shared ``run_page`` fixture) and recomputes
what it reports another way: an occluded photo built and scored by hand, the deletion
and insertion curves by a plain loop over single images with the area summed by hand,
the rank correlations from ranks and Pearson's formula, the randomized network's
saliency from ``torch.func`` and its Grad-CAM from the gallery's helper. The claims a
page makes are checked by the page itself (:func:`mlviz.report.claim`); running it here
makes a broken claim fail the tests.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.collections import PolyCollection
from scipy.stats import rankdata

from mlviz.attribution import GradCAM
from mlviz.models import load_efficientnet_lite0, packaged_weights

pytestmark = pytest.mark.slow



def p_of(model, images, target):
    with torch.no_grad():
        return torch.softmax(model(images).double(), 1)[:, target].numpy()


def curve_by_loop(model, x1, m, target, steps, fill, keep_from):
    """p(target) after replacing the top k/steps of ``keep_from``'s pixels by ``fill``.

    Deletion: keep_from = x1, fill = grey (or blurred); insertion: keep_from = the
    blurred start, fill = x1. One image per forward pass.
    """
    n = m.size
    order = np.lexsort(
        (np.arange(n), -m.ravel())
    )  # highest first, ties in reading order
    values = []
    for k in range(steps + 1):
        image = keep_from.clone().reshape(3, n)
        top = order[: int(np.rint(k * n / steps))]
        image[:, top] = fill.reshape(3, n)[:, top]
        values.append(p_of(model, image.reshape(1, 3, 224, 224), target)[0])
    return np.array(values)


def area(curve):
    total, n = 0.0, len(curve) - 1
    for k in range(n):
        total += (curve[k] + curve[k + 1]) / 2 / n
    return total


def test_i4_occlusion_deletion_and_insertion_recomputed(run_page):
    ns = run_page("09_imagenet/plot_04_occlusion_faithfulness.py")
    model, x, targets = load_efficientnet_lite0(), ns["x"], ns["targets"]
    patch, stride, steps = ns["patch"], ns["stride"], ns["steps"]
    # occlusion at one position, built by hand: rows 1, columns 2 of the grid
    for i in range(len(ns["photos"])):
        drops, pixel_map = ns["occluded"][i]
        occluded = x[i : i + 1].clone()
        r, c = 1 * stride, 2 * stride
        occluded[..., r : r + patch, c : c + patch] = 0.0
        expected = (
            p_of(model, x[i : i + 1], targets[i])[0]
            - p_of(model, occluded, targets[i])[0]
        )
        assert drops[1, 2] == pytest.approx(expected, abs=1e-6)
        # a pixel covered by one patch only (the top-left corner) carries that drop
        assert pixel_map[0, 0] == pytest.approx(drops[0, 0])
        assert drops.shape == (len(range(0, 224 - patch + 1, stride)),) * 2
    # the helper check used the cat on a 3x3 grid
    assert ns["helper_occlusion"].drops.shape == (3, 3)
    # deletion (grey, blurred) and insertion by a plain loop, for a few maps
    grey = torch.zeros(1, 3, 224, 224)
    for name in ("Grad-CAM", "SmoothGrad", "random 0"):
        for i, photo in enumerate(ns["photos"]):
            m, x1, blurred = (
                ns["all_maps"][name][i],
                x[i : i + 1],
                ns["blurred"][i : i + 1],
            )
            deletion = curve_by_loop(model, x1, m, targets[i], steps, grey, x1)
            into_blur = curve_by_loop(model, x1, m, targets[i], steps, blurred, x1)
            insertion = curve_by_loop(model, x1, m, targets[i], steps, x1, blurred)
            for measure, curve in (
                ("deletion (grey)", deletion),
                ("deletion (blur)", into_blur),
                ("insertion", insertion),
            ):
                np.testing.assert_allclose(
                    ns["curves"][measure, name, photo], curve, atol=1e-5
                )
                assert ns["results"][measure, name, photo] == pytest.approx(
                    area(curve), abs=1e-5
                )
    # the blurred start is a Gaussian blur of sigma 10 of each channel
    from scipy.ndimage import gaussian_filter

    np.testing.assert_allclose(
        ns["blurred"].numpy(),
        gaussian_filter(x.numpy(), sigma=(0, 0, 10, 10)),
        atol=1e-5,
    )
    # the table states every AUC, and the verdict names the best map of each column
    table = next(f for f in ns["_findings"] if f.startswith("| AUC"))
    for (measure, name, photo), value in ns["results"].items():
        if not name.startswith("random"):
            assert f"{value:.3f}" in table
    lower = {"deletion (grey)": True, "deletion (blur)": True, "insertion": False}
    for (measure, photo), best in ns["best"].items():
        values = {n: ns["results"][measure, n, photo] for n in ns["maps"]}
        assert best == (min if lower[measure] else max)(values, key=values.get)
    # the curves figure: one line per map and a random band in each of the 2x3 panels
    figure = next(f for f in ns["_figures"] if len(f.axes) == 6)
    for ax in figure.axes:
        assert len(ax.get_lines()) == len(ns["maps"])
        assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 1


def spearman_by_ranks(a, b):
    ra, rb = rankdata(np.abs(a).ravel()), rankdata(np.abs(b).ravel())
    return np.corrcoef(ra, rb)[0, 1]


def test_i5_randomization_correlations_and_the_untouched_shared_model(run_page):
    ns = run_page("09_imagenet/plot_05_sanity_checks.py")
    shared = load_efficientnet_lite0()
    # the cached model still holds the published weights (compare with a fresh build)
    fresh = load_efficientnet_lite0(weights=packaged_weights())
    for k, v in fresh.state_dict().items():
        assert torch.equal(shared.state_dict()[k], v), k
    net, x, target = ns["net"], ns["x"], ns["target"]
    # every weight of the copy was replaced, the batch norms forgot their statistics
    for name, p in net.named_parameters():
        assert not torch.equal(p, shared.get_parameter(name)), name
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            assert torch.all(module.running_mean == 0) and torch.all(
                module.running_var == 1
            )
    # the rank correlations and the chance levels, from ranks and Pearson's formula
    maps, trained = ns["maps"], ns["trained"]
    for (stage, method), rho in ns["rho"].items():
        assert rho == pytest.approx(
            spearman_by_ranks(maps[stage][method], trained[method]), abs=1e-9
        )
    for method, rho in ns["chance_rho"].items():
        assert rho == pytest.approx(
            spearman_by_ranks(np.rot90(trained[method], 2), trained[method]), abs=1e-9
        )
    # the fully randomized network: saliency by torch.func, Grad-CAM by the helper
    last = maps["+ stem"]
    g = torch.func.grad(lambda z: net(z[None])[0, target])(x[0])
    np.testing.assert_allclose(
        last["saliency"], g.abs().amax(0).numpy(), atol=1e-6 * g.abs().max().item()
    )
    with GradCAM(net, [net._blocks[-1]]) as cam:
        raw = torch.from_numpy(cam.layer_cams(x, targets=[target])[0])
    expected = F.interpolate(raw[:, None], size=(224, 224), mode="bilinear")[
        0, 0
    ].numpy()
    np.testing.assert_allclose(last["Grad-CAM"], expected, atol=1e-6 * expected.max())
    # the fully randomized Grad-CAM has little left of the trained one: below the
    # correlation of the trained map with itself turned upside down
    rho_cam = spearman_by_ranks(last["Grad-CAM"], trained["Grad-CAM"])
    assert rho_cam < 0.5 and rho_cam < ns["chance_rho"]["Grad-CAM"]
    # and randomizing only the classifier already turns it around
    assert ns["rho"]["+ _fc", "Grad-CAM"] < 0
    # the grid: five rows of maps, the photo and six steps, titled by step
    grid = ns["_figures"][0]
    assert [ax.get_title() for ax in grid.axes[1:7]] == [
        ns["labels"][s] for s in ns["shown"]
    ]
    assert sum(bool(ax.get_images()) for ax in grid.axes) == 1 + len(
        ns["methods"]
    ) * len(ns["shown"])
    # the table states the numbers
    table = next(f for f in ns["_findings"] if f.startswith("| map"))
    for method in ns["methods"]:
        assert f"| {method} | {ns['rho']['+ _fc', method]:.2f} |" in table
