"""The numbers pages I4 (occlusion, deletion/insertion) and I5 (sanity checks) state.

Each page runs once in quick mode (:func:`run_quick`) and its numbers are recomputed
another way: the hand-written occlusion and deletion/insertion against the gallery's
helpers and against plain loops over single images, the maps of
:func:`~mlviz.attribution.attribution_maps` against the one-method helpers on the
trained network, against a loop over the path (integrated gradients) and against
``torch.func`` on the random one, the rank correlations from ranks and Pearson's
formula. Two numbers are compared with a tolerance that float32 rounding explains
(:func:`rounding_tolerance` of the last sum behind them), never with a bare 1e-6. The
full build's convergence (IG's completeness) is reached here with the full build's
step counts. Each claim's condition is taken from the page's source and fed the
opposite case, so that a claim that could not fail is caught.
"""

from __future__ import annotations

import ast
import re

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.collections import PolyCollection
from scipy.stats import rankdata

from mlviz._torch import one_thread
from mlviz.attribution import (
    GradCAM,
    attribution_maps,
    deletion_insertion,
    input_gradients,
    occlusion,
    saliency,
    smoothgrad,
)
from mlviz.models import load_efficientnet_lite0, packaged_weights
from mlviz.report import rounding_tolerance

from .conftest import page_path, run_quick

pytestmark = pytest.mark.slow

I4 = "09_imagenet/plot_04_occlusion_faithfulness.py"
I5 = "09_imagenet/plot_05_sanity_checks.py"


def full_build_setting(page, pattern):
    """A step count the page uses in the full build (``... if QUICK else (a, b)``)."""
    match = re.search(pattern, page_path(page).read_text())
    assert match, f"{page}: no full-build setting matching {pattern!r}"
    return int(match.group(1))


def claim_condition(page, start):
    """The condition of the page's ``claim(...)`` whose statement begins with ``start``.

    Returned as a function of a namespace: run it on the page's own namespace with some
    numbers replaced by the opposite case, and the claim must fail.
    """
    found = []
    for node in ast.walk(ast.parse(page_path(page).read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "claim":
            if ast.literal_eval(node.args[1]).startswith(start):
                found.append(node.args[0])
    assert len(found) == 1, f"{page}: {len(found)} claims begin with {start!r}"
    code = compile(ast.Expression(found[0]), page, "eval")
    return lambda namespace, **replaced: bool(eval(code, {**namespace, **replaced}))


# ------------------------------------------------------------------ tolerances
def logit_tolerance(model, images):
    """What float32 rounding explains between two computations of a logit.

    Each logit ends in a sum of 1,280 terms (the classifier on the pooled features);
    :func:`rounding_tolerance` of the largest such sum over the images and classes
    bounds its rounding, and also covers features that carry a relative error of a few
    hundred epsilons from the layers below.
    """
    kept = {}
    handle = model._fc.register_forward_hook(lambda m, i, o: kept.setdefault("a", i[0]))
    with torch.no_grad(), one_thread():
        for chunk in torch.split(images, 16):
            kept.pop("a", None)
            model(chunk)
            a = kept["a"].double().abs()
            w, b = model._fc.weight.double().abs(), model._fc.bias.double().abs()
            kept["scale"] = max(kept.get("scale", 0.0), (a @ w.T + b).max().item())
    handle.remove()
    return rounding_tolerance("float32", kept["scale"], model._fc.in_features)


def probability_tolerance(model, images):
    """The same for a softmax probability: it moves by at most half the largest change
    of the logits (the L1 norm of its gradient is ``2 p (1 - p)``)."""
    return 0.5 * logit_tolerance(model, images)


def gradient_tolerance(model, images, target):
    """What float32 rounding explains in d logit / d input, one bound per image.

    Each entry of the input gradient ends in the stem convolution's backward sum over
    its 32 channels and 3x3 taps; the sum of the absolute terms, ``sum |W| |delta|``,
    is that backward pass with ``|W|`` and ``|delta|`` (delta: the gradient at the
    stem's output). :func:`rounding_tolerance` of it also covers a relative error of
    a few hundred epsilons in delta from the layers above.
    """
    stem, kept = model._conv_stem, {}
    handle = stem.register_forward_hook(lambda m, i, o: kept.__setitem__("z", o))
    with one_thread():
        z_in = images.clone().requires_grad_(True)
        (delta,) = torch.autograd.grad(model(z_in)[:, target].sum(), kept["z"])
        handle.remove()
        x_abs = images.clone().requires_grad_(True)
        out = F.conv2d(stem.static_padding(x_abs), stem.weight.abs(), None, stem.stride)
        (scale,) = torch.autograd.grad(out, x_abs, grad_outputs=delta.abs())
    n_terms = stem.weight.shape[0] * stem.weight.shape[2] * stem.weight.shape[3]
    return np.array(
        [rounding_tolerance("float32", s.max().item(), n_terms) for s in scale]
    )


# --------------------------------------------------------- independent computations
def p_of(model, images, target):
    with torch.no_grad(), one_thread():
        return torch.softmax(model(images).double(), 1)[:, target].numpy()


def curve_by_loop(model, x1, m, target, steps, fill, keep_from):
    """p(target) after replacing the top k/steps of ``keep_from``'s pixels by ``fill``.

    Deletion: keep_from = x1, fill = grey (or blurred); insertion: keep_from = the
    blurred start, fill = x1. One image per forward pass. Returns the curve and the
    images.
    """
    n = m.size
    order = np.lexsort(
        (np.arange(n), -m.ravel())
    )  # highest first, ties in reading order
    images = []
    for k in range(steps + 1):
        image = keep_from.clone().reshape(3, n)
        top = order[: int(np.rint(k * n / steps))]
        image[:, top] = fill.reshape(3, n)[:, top]
        images.append(image.reshape(1, 3, 224, 224))
    return np.array([p_of(model, im, target)[0] for im in images]), torch.cat(images)


def area(curve):
    total, n = 0.0, len(curve) - 1
    for k in range(n):
        total += (curve[k] + curve[k + 1]) / 2 / n
    return total


def ig_on_cubic_path(model, x1, baseline, target, n_steps):
    """IG on the path ``a = t^3`` by a loop over its points, one gradient at a time.

    Returns the (3, H, W) attributions, ``f(x) - f(baseline)`` and the points.
    """
    t = np.linspace(0, 1, n_steps + 1)
    weights = 3 * t**2 / n_steps
    weights[[0, -1]] /= 2
    total = torch.zeros(x1.shape[1:], dtype=torch.float64)
    points = []
    with one_thread():
        for a, w in zip(t**3, weights):
            point = baseline + float(a) * (x1 - baseline)
            points.append(point)
            g = torch.func.grad(lambda z: model(z[None])[0, target])(point[0])
            total += w * g.double()
        with torch.no_grad():
            rise = (model(x1)[0, target] - model(baseline)[0, target]).item()
    return (x1 - baseline)[0].double() * total, rise, torch.cat(points)


@pytest.fixture(autouse=True)
def build_threads():
    """Torch on the build's thread count in every test, as the pages ran."""
    with one_thread():
        yield


# ----------------------------------------------------------------------------- I4
@pytest.fixture(scope="module")
def i4(tmp_path_factory):
    """Page I4, run once in quick mode for the tests below."""
    yield run_quick(I4, tmp_path_factory.mktemp("i4"))
    plt.close("all")


def test_i4_occlusion_by_hand_matches_the_helper_and_a_single_patch(i4):
    ns, model = i4, load_efficientnet_lite0()
    x, targets, patch, stride = ns["x"], ns["targets"], ns["patch"], ns["stride"]
    for i in range(len(ns["photos"])):
        drops, pixel_map = ns["occluded"][i]
        helper = occlusion(model, x[i : i + 1], targets[i], patch=patch, stride=stride)
        occluded = x[i : i + 1].repeat(len(helper.rows) * len(helper.cols), 1, 1, 1)
        for k, (r, c) in enumerate((r, c) for r in helper.rows for c in helper.cols):
            occluded[k, :, r : r + patch, c : c + patch] = 0.0
        # a drop is a difference of two probabilities
        tolerance = 2 * probability_tolerance(
            model, torch.cat([x[i : i + 1], occluded])
        )
        assert drops.shape == helper.drops.shape
        np.testing.assert_allclose(drops, helper.drops, rtol=0, atol=tolerance)
        np.testing.assert_allclose(pixel_map, helper.map, rtol=0, atol=tolerance)
        # one position built and scored by hand: row 1, column 2 of the grid
        expected = (
            p_of(model, x[i : i + 1], targets[i])[0]
            - p_of(model, occluded[1 * len(helper.cols) + 2][None], targets[i])[0]
        )
        assert abs(drops[1, 2] - expected) <= tolerance
        # a pixel covered by one patch only (the top-left corner) carries that drop
        assert pixel_map[0, 0] == drops[0, 0]
        assert tolerance < 0.01 * np.abs(drops).max()  # the check can see a real change


def test_i4_deletion_insertion_by_hand_matches_the_helper_and_plain_loops(i4):
    ns, model = i4, load_efficientnet_lite0()
    x, targets, steps, blurred = ns["x"], ns["targets"], ns["steps"], ns["blurred"]
    # the page's loop (Grad-CAM, cat) against the batched helper
    helper = deletion_insertion(
        model, x[:1], ns["maps"]["Grad-CAM"][0], targets[0], steps=steps, blur_sigma=10
    )
    tolerance = probability_tolerance(model, torch.cat([ns["deleted"], ns["inserted"]]))
    np.testing.assert_allclose(ns["deletion"], helper.deletion, rtol=0, atol=tolerance)
    np.testing.assert_allclose(
        ns["insertion"], helper.insertion, rtol=0, atol=tolerance
    )
    # every curve the page scored, for a few maps, by one image per forward pass
    grey = torch.zeros(1, 3, 224, 224)
    every_map = {**ns["maps"], **ns["random_maps"]}
    for name in ("Grad-CAM", "integrated gradients", "random 0"):
        for i, photo in enumerate(ns["photos"]):
            m, x1, start = every_map[name][i], x[i : i + 1], blurred[i : i + 1]
            for measure, (fill, keep_from) in {
                "deletion (grey)": (grey, x1),
                "deletion (blur)": (start, x1),
                "insertion": (x1, start),
            }.items():
                curve, images = curve_by_loop(
                    model, x1, m, targets[i], steps, fill, keep_from
                )
                tolerance = probability_tolerance(model, images)
                np.testing.assert_allclose(
                    ns["curves"][measure, name, photo], curve, rtol=0, atol=tolerance
                )
                # the trapezoid's weights sum to 1: the area moves as much as the curve
                assert abs(ns["auc"].loc[name, (photo, measure)] - area(curve)) <= (
                    tolerance + rounding_tolerance("float64", 1.0, steps + 1)
                )


def test_i4_blurred_start_and_grad_cam_read_backwards(i4):
    ns, model = i4, load_efficientnet_lite0()
    from scipy.ndimage import gaussian_filter

    # a Gaussian of sigma 10 (radius 40: 81 taps), one pass per axis, weights sum to 1
    x = ns["x"]
    expected = gaussian_filter(x.double().numpy(), sigma=(0, 0, 10, 10))
    tolerance = 2 * rounding_tolerance("float32", x.abs().max().item(), 81)
    np.testing.assert_allclose(ns["blurred"].numpy(), expected, rtol=0, atol=tolerance)
    # Grad-CAM read backwards, inserted by a plain loop
    for i, photo in enumerate(ns["photos"]):
        x1, start = x[i : i + 1], ns["blurred"][i : i + 1]
        curve, images = curve_by_loop(
            model,
            x1,
            -ns["maps"]["Grad-CAM"][i],
            ns["targets"][i],
            ns["steps"],
            x1,
            start,
        )
        assert abs(ns["control"].loc[photo, "backwards"] - area(curve)) <= (
            probability_tolerance(model, images)
            + rounding_tolerance("float64", 1.0, ns["steps"] + 1)
        )
    insertion = ns["auc"].xs("insertion", axis=1, level="measure")
    seeds = insertion.loc[list(ns["random_maps"])]
    assert (ns["control"]["random, lowest"] == seeds.min()).all()
    assert (ns["control"]["forwards"] == insertion.loc["Grad-CAM"]).all()


def test_i4_maps_are_the_helpers_and_integrated_gradients_converge_in_the_full_build(
    i4,
):
    ns, model = i4, load_efficientnet_lite0()
    x, targets, black = ns["x"], ns["targets"], -torch.ones_like(ns["x"][:1])
    # Grad-CAM, saliency and SmoothGrad as the one-method helpers give them
    for i, t in enumerate(targets):
        x1 = x[i : i + 1]
        expected, tolerance = grad_cam_and_tolerance(model, x1, t)
        np.testing.assert_allclose(
            ns["maps"]["Grad-CAM"][i], expected, rtol=0, atol=tolerance
        )
        g_tol = gradient_tolerance(model, x1, t)[0]
        np.testing.assert_allclose(
            ns["maps"]["saliency"][i], saliency(model, x1, [t])[0], rtol=0, atol=g_tol
        )
        smooth = smoothgrad(model, x1, [t], n_samples=ns["n_noisy"], seed=ns["SEED"])
        noisy = x1 + 0.15 * (x1.max() - x1.min()) * torch.randn(
            (ns["n_noisy"], *x1.shape[1:]),
            generator=torch.Generator().manual_seed(ns["SEED"]),
        )
        np.testing.assert_allclose(
            ns["maps"]["SmoothGrad"][i],
            smooth[0],
            rtol=0,
            atol=gradient_tolerance(model, noisy, t).max(),
        )
        # integrated gradients on the cubic path, by a loop over its points
        ig, rise, points = ig_on_cubic_path(model, x1, black, t, ns["n_steps_ig"])
        tolerance = (
            3
            * (x1 - black).abs().max().item()
            * gradient_tolerance(model, points, t).max()
        )
        np.testing.assert_allclose(
            ns["maps"]["integrated gradients"][i],
            ig.sum(0).numpy(),
            rtol=0,
            atol=tolerance,
        )
        moved = 224 * 224 * tolerance + 2 * logit_tolerance(model, points)
        photo = ns["photos"][i]
        gap = abs(ig.sum().item() - rise) / abs(rise)
        assert abs(ns["ig_gap"][photo] - gap) <= moved / abs(rise)
    # the occlusion map is the page's own
    for i, (_, pixel_map) in enumerate(ns["occluded"]):
        np.testing.assert_array_equal(ns["maps"]["occlusion"][i], pixel_map)
    # the full build's step count makes IG add up within 5% on both photos
    full_steps = full_build_setting(
        I4, r"n_noisy, n_steps_ig = \(.*?\) if QUICK else \(\d+, (\d+)\)"
    )
    for i, t in enumerate(targets):
        full = attribution_maps(
            model, x[i : i + 1], t, layer=model._blocks[-1], baseline=-1.0,
            n_noisy=1, n_steps=full_steps, path_power=3,
        )  # fmt: skip
        assert full.completeness_gap < 0.05, (i, full.completeness_gap)


def test_i4_tables_state_the_numbers_and_the_verdict_follows_the_rule(i4):
    ns = i4
    auc, maps, seeds_names = ns["auc"], list(ns["maps"]), list(ns["random_maps"])
    lower = ns["lower_is_better"]
    for (measure, name, photo), curve in ns["curves"].items():
        assert auc.loc[name, (photo, measure)] == np.trapezoid(curve, ns["fractions"])
    for photo, measure in auc.columns:
        sign = 1 if lower[measure] else -1
        values = {n: sign * auc.loc[n, (photo, measure)] for n in maps}
        seeds = [sign * auc.loc[r, (photo, measure)] for r in seeds_names]
        row = ns["verdict"].loc[(photo, measure)]
        assert row["best"] == min(values, key=values.get)
        # a win over random: better than the best seed by more than the seeds' spread
        bar = min(seeds) - (max(seeds) - min(seeds))
        losers = [n for n, v in values.items() if not v < bar]
        assert row["no clear win over random"] == (", ".join(losers) or "-")
    # the curves figure: one line per map and a random band in each of the 2x3 panels
    figure = next(f for f in ns["_figures"] if len(f.axes) == 6)
    for ax in figure.axes:
        assert len(ax.get_lines()) == len(maps)
        assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 1


def test_i4_claims_fail_on_the_opposite_case(i4):
    ns = i4
    span = claim_condition(I4, "the grey image and the blurred photo")
    assert span(ns)
    # the ends it checks are the curves' ends: grey for deletion, blurred for insertion
    left, proba, targets = ns["left"], ns["proba"], ns["targets"]
    assert left[0] == pytest.approx(ns["deletion"][-1], abs=probability_tolerance(ns["model"], ns["grey"][:1]))
    assert left[2] == pytest.approx(ns["insertion"][0], abs=probability_tolerance(ns["model"], ns["blurred"][:1]))
    for k in range(4):  # the coffee's too, not only the cat's: each end fed half its p
        kept = left.copy()
        kept[k] = 0.5 * proba[k % 2, targets[k % 2]]
        assert not span(ns, left=kept), k
    grey = claim_condition(I4, "on both photos, saliency and every random map")
    assert grey(ns)
    gain, grey_auc = ns["grey_gain"], ns["grey_auc"]
    flipped = gain.copy()
    flipped.loc["Grad-CAM"] = -gain.loc["Grad-CAM"]  # Grad-CAM better on grey
    assert not grey(ns, grey_gain=flipped)
    flipped = gain.copy()
    flipped.loc["saliency", "coffee"] = -abs(gain.loc["saliency", "coffee"])
    assert not grey(ns, grey_gain=flipped)
    beaten = grey_auc.copy()
    beaten.loc["random 0", "chelsea"] = grey_auc.loc["Grad-CAM", "chelsea"] + 0.01
    assert not grey(ns, grey_auc=beaten)
    lost = ns["beats_random"].copy()
    lost.loc["Grad-CAM", ("coffee", "insertion")] = False
    assert not grey(ns, beats_random=lost)
    backwards = claim_condition(I4, "forwards beats backwards on both photos")
    assert backwards(ns)
    control = ns["control"]
    for photo, column, value in [
        ("chelsea", "backwards", control.loc["chelsea", "forwards"] + 0.01),
        ("coffee", "backwards", control.loc["coffee", "random, highest"] + 0.01),
        ("chelsea", "backwards", control.loc["chelsea", "random, lowest"] - 0.01),
    ]:
        opposite = control.copy()
        opposite.loc[photo, column] = value
        assert not backwards(ns, control=opposite), (photo, column)


# ----------------------------------------------------------------------------- I5
@pytest.fixture(scope="module")
def i5(tmp_path_factory):
    """Page I5, run once in quick mode for the tests below."""
    yield run_quick(I5, tmp_path_factory.mktemp("i5"))
    plt.close("all")


def spearman_by_ranks(a, b):
    ra, rb = rankdata(np.abs(a).ravel()), rankdata(np.abs(b).ravel())
    return np.corrcoef(ra, rb)[0, 1]


#: Two float64 computations of a correlation of 50,176 ranks (a number in [-1, 1]).
RHO_TOLERANCE = rounding_tolerance("float64", 1.0, 224 * 224)


def test_i5_the_shared_model_is_untouched_and_the_copy_fully_random(i5):
    ns, shared = i5, load_efficientnet_lite0()
    fresh = load_efficientnet_lite0(weights=packaged_weights())
    for k, v in fresh.state_dict().items():
        assert torch.equal(shared.state_dict()[k], v), k
    for name, p in ns["net"].named_parameters():
        assert not torch.equal(p, shared.get_parameter(name)), name
    for module in ns["net"].modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            assert torch.all(module.running_mean == 0) and torch.all(
                module.running_var == 1
            )


def grad_cam_and_tolerance(model, x, target):
    """The helper's Grad-CAM of the last block, upsampled, and what rounding explains.

    The map is ReLU of a 320-term sum of weights times activations (in float32 in the
    helper); ReLU and bilinear upsampling (weights summing to 1) do not enlarge a
    difference, and the bound covers weights and activations that carry a relative
    error of a few hundred epsilons from another batch's kernels.
    """
    with GradCAM(model, [model._blocks[-1]]) as cam:
        raw = torch.from_numpy(cam.layer_cams(x, targets=[target])[0])
        A = cam.recorder.activations[0][0].double()
        dA = cam.recorder.gradients[0][0].double()
    expected = F.interpolate(raw[:, None], size=(224, 224), mode="bilinear")[
        0, 0
    ].numpy()
    terms = (dA.mean(dim=(1, 2)).abs()[:, None, None] * A.abs()).sum(0).max().item()
    return expected, rounding_tolerance("float32", terms, A.shape[0])


def test_i5_maps_match_the_helpers_on_the_trained_network(i5):
    ns, model = i5, load_efficientnet_lite0()
    x, target, trained = ns["x"], ns["target"], ns["trained"]
    black = -torch.ones_like(x)
    g_tol = gradient_tolerance(model, x, target)[0]
    np.testing.assert_allclose(
        trained["saliency"], saliency(model, x, [target])[0], rtol=0, atol=g_tol
    )
    # gradient x input: a sum over the 3 channels of g_c x_c
    gxi = (input_gradients(model, x, [target]) * x.numpy()).sum(1)[0]
    np.testing.assert_allclose(
        trained["gradient x input"], gxi, rtol=0, atol=3 * x.abs().max().item() * g_tol
    )
    # SmoothGrad: the same seeded noise; a mean of |g| moves as much as its terms
    rng = torch.Generator().manual_seed(ns["SEED"])
    span = x.max() - x.min()
    noisy = torch.cat(
        [
            x + torch.randn(x.shape, generator=rng) * 0.15 * span
            for _ in range(ns["n_noisy"])
        ]
    )
    smooth = smoothgrad(
        model, x, [target], n_samples=ns["n_noisy"], noise_level=0.15, seed=ns["SEED"]
    )[0]
    np.testing.assert_allclose(
        trained["SmoothGrad"],
        smooth,
        rtol=0,
        atol=gradient_tolerance(model, noisy, target).max(),
    )
    expected, tolerance = grad_cam_and_tolerance(model, x, target)
    np.testing.assert_allclose(trained["Grad-CAM"], expected, rtol=0, atol=tolerance)
    # integrated gradients on the cubic path, by a loop over its points
    ig, rise, points = ig_on_cubic_path(model, x, black, target, ns["n_steps"])
    tolerance = (
        3
        * (x - black).abs().max().item()
        * gradient_tolerance(model, points, target).max()
    )
    np.testing.assert_allclose(
        trained["integrated gradients"], ig.sum(0).numpy(), rtol=0, atol=tolerance
    )
    # the completeness gap: the map's sum moves by at most the sum of the pixels'
    # tolerances, f(x) - f(black) by two logits' tolerances
    moved = 224 * 224 * tolerance + 2 * logit_tolerance(model, points)
    assert abs(ns["ig_gap"] - abs(ig.sum().item() - rise) / abs(rise)) <= moved / abs(
        rise
    )


def test_i5_integrated_gradients_converge_in_the_full_build(i5):
    ns, model = i5, load_efficientnet_lite0()
    full_steps = full_build_setting(
        I5, r"n_noisy, n_steps = \(.*?\) if QUICK else \(\d+, (\d+)\)"
    )
    black = -torch.ones_like(ns["x"])
    ig, rise, _ = ig_on_cubic_path(model, ns["x"], black, ns["target"], full_steps)
    assert abs(ig.sum().item() - rise) / abs(rise) < 0.05


def test_i5_randomized_network_maps_by_other_means(i5):
    ns = i5
    net, x, target, last = ns["net"], ns["x"], ns["target"], ns["maps"]["+ stem"]
    g = torch.func.grad(lambda z: net(z[None])[0, target])(x[0])
    np.testing.assert_allclose(
        last["saliency"],
        g.abs().amax(0).numpy(),
        rtol=0,
        atol=gradient_tolerance(net, x, target)[0],
    )
    expected, tolerance = grad_cam_and_tolerance(net, x, target)
    np.testing.assert_allclose(last["Grad-CAM"], expected, rtol=0, atol=tolerance)


def test_i5_correlations_chance_levels_and_verdicts(i5):
    ns = i5
    maps, trained, methods = ns["maps"], ns["trained"], ns["methods"]
    chance, draws = ns["chance"], ns["draws"]
    for stage, row in ns["rho"].iterrows():
        for method, rho in row.items():
            by_ranks = spearman_by_ranks(maps[stage][method], trained[method])
            assert abs(rho - by_ranks) <= RHO_TOLERANCE
    for method in methods:
        # twelve unrelated maps: three photos and their three mirror images
        assert len(ns["unrelated"][method]) == 12
        by_ranks = [
            spearman_by_ranks(u, trained[method]) for u in ns["unrelated"][method]
        ]
        by_ranks = [0.0 if np.isnan(r) else r for r in by_ranks]  # a constant map
        assert abs(chance["Spearman"][method] - max(by_ranks)) <= RHO_TOLERANCE
        # the verdict follows the criterion: above chance on both measures, all draws
        above = [r > chance["Spearman"][method] for r in draws["Spearman"][method]]
        above += [s > chance["SSIM"][method] for s in draws["SSIM"][method]]
        expected = "fails" if all(above) else "at the edge" if any(above) else "passes"
        assert ns["table"].loc[method, ("verdict", "")] == expected
        # the criterion can fail a method: a map that did not change at all (the
        # trained map itself) is above chance on both measures
        same = trained[method]
        assert ns["rank_correlation"](same, same) > chance["Spearman"][method]
        assert ns["ssim"](same, same) > chance["SSIM"][method]
    # the end of the cascade is the first of the three random networks of the verdict
    for method in methods:
        assert draws["Spearman"][method][0] == ns["rho"].loc["+ stem", method]
    assert len(ns["random_maps"]) == 3
    # the photo's imprint and its control, recomputed
    for name, factor in ns["factors"].items():
        for stage in ns["stages"]:
            imprint = spearman_by_ranks(maps[stage][name], factor)
            control = spearman_by_ranks(maps[stage]["saliency"], factor)
            assert abs(ns["imprint"].loc[stage, name] - imprint) <= RHO_TOLERANCE
            assert (
                abs(ns["imprint"].loc[stage, f"control for {name}"] - control)
                <= RHO_TOLERANCE
            )


def test_i5_figures_and_table(i5):
    ns = i5
    grid = ns["_figures"][0]
    n_cols = len(ns["shown"]) + 1
    assert [ax.get_title() for ax in grid.axes[1:n_cols]] == ns["shown"]
    assert sum(bool(ax.get_images()) for ax in grid.axes) == 1 + len(
        ns["methods"]
    ) * len(ns["shown"])
    table = ns["table"]
    for method in ns["methods"]:
        assert table.loc[method, ("Spearman", "random _fc")] == round(
            ns["rho"].loc["+ _fc", method], 2
        )
        assert table.loc[method, ("SSIM", "chance")] == round(
            ns["chance"]["SSIM"][method], 2
        )
    curves = ns["_figures"][1]
    # per method: the cascade, the two other random draws, the chance level
    assert len(curves.axes[0].get_lines()) >= 3 * len(ns["methods"])
    assert len(curves.axes[2].get_lines()) == 2 * len(ns["factors"])


def test_i5_claims_fail_on_the_opposite_case(i5):
    ns = i5
    fc_claim = claim_condition(I5, "randomizing `_fc` alone changes every map")
    assert fc_claim(ns)
    fc, chance_rho = ns["fc"], ns["chance_rho"]
    for method, value in [
        ("Grad-CAM", chance_rho["Grad-CAM"] + 0.01),  # Grad-CAM stays above chance
        ("saliency", chance_rho["saliency"] - 0.01),  # a pixel map falls below
        ("SmoothGrad", 0.5 * (1 + ns["rho"].loc["+ stem", "SmoothGrad"]) + 0.01),
    ]:
        opposite = fc.copy()
        opposite[method] = value
        assert not fc_claim(ns, fc=opposite), method
    verdict_claim = claim_condition(I5, "unrelated Grad-CAMs are more alike")
    assert verdict_claim(ns)
    low = {name: level.copy() for name, level in ns["chance"].items()}
    low["SSIM"]["Grad-CAM"] = low["SSIM"][ns["pixel_methods"]].min() - 0.01
    assert not verdict_claim(ns, chance=low)
    for method, value in [("Grad-CAM", "at the edge"), ("gradient x input", "passes")]:
        opposite = ns["verdict"].copy()
        opposite[method] = value
        assert not verdict_claim(ns, verdict=opposite), method
    imprint_claim = claim_condition(I5, "the photo stays in the maps")
    assert imprint_claim(ns)
    opposite = ns["imprint"].copy()
    opposite.loc["+ stem", "control for integrated gradients"] = (
        opposite["integrated gradients"].min() + 0.01
    )
    assert not imprint_claim(ns, imprint=opposite)
