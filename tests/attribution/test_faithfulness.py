"""Occlusion and deletion/insertion against closed forms on linear models; errors.

Two computations of a float32 logit are compared with the tolerance that rounding
explains for its sum (:func:`mlviz.report.rounding_tolerance`), never a bare 1e-6.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter
from torch import nn

from mlviz.attribution import (
    DeletionInsertionResult,
    OcclusionResult,
    blurred_copy,
    deletion_insertion,
    occlusion,
)
from mlviz.report import rounding_tolerance


def linear_net(height=5, width=5, channels=1, seed=0):
    """flatten -> linear(C*H*W -> 3): each logit is a weighted sum of the pixels."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(channels * height * width, 3)).eval()


def logit_weights(net, target, shape):
    return net[1].weight.detach().double().numpy()[target].reshape(shape)


def image(shape, seed=1):
    return torch.randn((1, *shape), generator=torch.Generator().manual_seed(seed))


def logit_tolerance(net, *images):
    """What rounding explains in a float32 logit of the linear net on any of ``images``
    or on any image whose pixels are, in absolute value, at most theirs: a sum of
    ``C*H*W`` products and the bias."""
    w = net[1].weight.detach().double().abs()
    b = net[1].bias.detach().double().abs()
    largest = torch.stack([im.reshape(-1).double().abs() for im in images]).amax(0)
    return rounding_tolerance("float32", (w @ largest + b).max().item(), w.shape[1] + 1)


def test_occlusion_drops_are_the_hidden_weighted_pixels():
    net, x = linear_net(), image((1, 5, 5))
    w, xs = logit_weights(net, 2, (1, 5, 5)), x[0].double().numpy()
    result = occlusion(net, x, 2, patch=2, stride=2, score="logit")
    assert isinstance(result, OcclusionResult)
    tolerance = 2 * logit_tolerance(net, x)  # a drop: the difference of two logits
    # starts every 2 pixels, and a last patch flush with the edge: 0, 2, 3
    np.testing.assert_array_equal(result.rows, [0, 2, 3])
    np.testing.assert_array_equal(result.cols, [0, 2, 3])
    for i, r in enumerate(result.rows):
        for j, c in enumerate(result.cols):
            # zeroing a patch removes exactly its pixels' terms from the logit
            hidden = (w * xs)[:, r : r + 2, c : c + 2].sum()
            assert abs(result.drops[i, j] - hidden) <= tolerance
    # pixel (2, 3) is under the patches starting at rows {2} and columns {2, 3}
    assert result.map[2, 3] == pytest.approx(result.drops[1, 1:].mean())
    # pixel (0, 0) only under the first patch
    assert result.map[0, 0] == pytest.approx(result.drops[0, 0])
    with torch.no_grad():
        assert abs(result.score - net(x)[0, 2].item()) <= logit_tolerance(net, x)
    assert result.patch == 2 and result.map.shape == (5, 5)


def test_occlusion_with_a_stride_larger_than_the_patch_leaves_gaps_at_zero():
    net, x = linear_net(), image((1, 5, 5))
    result = occlusion(net, x, 0, patch=1, stride=3, score="logit")
    np.testing.assert_array_equal(result.rows, [0, 3, 4])
    assert result.map[1, 1] == 0 and np.isfinite(result.map).all()
    assert result.map[3, 4] == pytest.approx(result.drops[1, 2])


def test_occlusion_with_probability_and_an_image_baseline():
    net, x = linear_net(channels=3), image((3, 5, 5))
    fill = image((3, 5, 5), seed=7)
    result = occlusion(net, x[0], 1, patch=5, stride=1, baseline=fill)  # (C, H, W) ok
    # one position: the whole image replaced by the baseline image
    with torch.no_grad():
        expected = torch.softmax(net(x), 1)[0, 1] - torch.softmax(net(fill), 1)[0, 1]
    # a difference of two probabilities, each within half the logits' tolerance
    tolerance = 2 * 0.5 * logit_tolerance(net, x, fill)
    assert result.drops.shape == (1, 1)
    assert abs(result.drops[0, 0] - expected.item()) <= tolerance
    np.testing.assert_allclose(result.map, expected.item(), rtol=0, atol=tolerance)


def plain_deletion_insertion(net, x, m, target, steps, start):
    """One image at a time, a Python loop over the ranked pixels, logits, no batch."""
    n = m.size
    order = sorted(range(n), key=lambda p: (-m.ravel()[p], p))  # ties: reading order
    deletion, insertion = [], []
    for k in range(steps + 1):
        top = order[: round(k * n / steps)]
        gone, added = (
            x.clone().reshape(x.shape[1], -1),
            start.clone().reshape(x.shape[1], -1),
        )
        for p in top:
            gone[:, p] = 0.0
            added[:, p] = x.reshape(x.shape[1], -1)[:, p]
        with torch.no_grad():
            deletion.append(net(gone.reshape(x.shape))[0, target].item())
            insertion.append(net(added.reshape(x.shape))[0, target].item())
    return np.array(deletion), np.array(insertion)


def test_deletion_insertion_matches_a_plain_loop_and_the_trapezoid():
    net, x = linear_net(channels=2), image((2, 5, 5))
    m = np.random.default_rng(0).normal(size=(5, 5))
    m[0, :3] = m[4, 4] = 0.5  # a few ties
    start = blurred_copy(x, sigma=1.5)
    result = deletion_insertion(
        net, x, m, 0, steps=5, score="logit", insertion_start=start
    )
    assert isinstance(result, DeletionInsertionResult)
    deletion, insertion = plain_deletion_insertion(net, x, m, 0, 5, start)
    tolerance = logit_tolerance(net, x, start)  # every image mixes x, start and 0
    np.testing.assert_allclose(result.deletion, deletion, rtol=0, atol=tolerance)
    np.testing.assert_allclose(result.insertion, insertion, rtol=0, atol=tolerance)
    np.testing.assert_allclose(result.fractions, np.arange(6) / 5)
    area = sum(
        (a + b) / 2 * (f1 - f0)
        for a, b, f0, f1 in zip(
            deletion[:-1], deletion[1:], result.fractions[:-1], result.fractions[1:]
        )
    )
    # the trapezoid's weights sum to 1: the area moves as much as the curve
    assert abs(result.deletion_auc - area) <= tolerance + rounding_tolerance(
        "float64", np.abs(deletion).max(), len(deletion)
    )
    # the two curves end where they must: the intact image, the baseline, the start
    with torch.no_grad():
        assert abs(result.deletion[0] - net(x)[0, 0].item()) <= tolerance
        assert abs(result.insertion[-1] - net(x)[0, 0].item()) <= tolerance
        assert abs(result.insertion[0] - net(start)[0, 0].item()) <= tolerance
        assert result.deletion[-1] == net[1].bias[0].item()  # all pixels 0: the bias


def test_a_map_that_ranks_the_positive_evidence_first_beats_its_reverse():
    net, x = linear_net(), image((1, 5, 5))
    contribution = logit_weights(net, 1, (5, 5)) * x[0, 0].double().numpy()
    good = deletion_insertion(net, x, contribution, 1, steps=25, score="logit")
    bad = deletion_insertion(net, x, -contribution, 1, steps=25, score="logit")
    assert good.deletion_auc < bad.deletion_auc
    assert good.insertion_auc > bad.insertion_auc
    # deleting in this order removes the largest term first: the steepest first step
    step = good.deletion[0] - good.deletion[1]
    assert abs(step - contribution.max()) <= 2 * logit_tolerance(net, x)


def test_ties_are_broken_in_reading_order_and_one_curve_can_be_skipped():
    net, x = linear_net(), image((1, 5, 5))
    result = deletion_insertion(net, x, np.ones((5, 5)), 0, steps=5, curves="deletion")
    np.testing.assert_array_equal(result.order, np.arange(25))
    assert result.insertion is None and result.deletion.shape == (6,)
    with pytest.raises(ValueError, match="no insertion curve"):
        _ = result.insertion_auc
    only = deletion_insertion(net, x, np.ones((5, 5)), 0, steps=5, curves="insertion")
    assert only.deletion is None
    with pytest.raises(ValueError, match="no deletion curve"):
        _ = only.deletion_auc


def test_blurred_copy_is_a_gaussian_filter_of_each_channel():
    x = image((3, 8, 9))
    # float32 against float64: two passes of a 17-tap kernel (radius 4 sigma) whose
    # weights sum to 1
    np.testing.assert_allclose(
        blurred_copy(x, 2.0).numpy(),
        gaussian_filter(x.double().numpy(), sigma=(0, 0, 2, 2)),
        rtol=0,
        atol=2 * rounding_tolerance("float32", x.abs().max().item(), 17),
    )
    np.testing.assert_allclose(
        blurred_copy(x[0], 2.0).numpy(), blurred_copy(x, 2.0)[0].numpy()
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"patch": 6, "stride": 1}, ValueError, r"patch must be in \[1, 5\]; got 6"),
        ({"patch": 2, "stride": 0}, ValueError, "stride must be >= 1; got 0"),
        ({"patch": 2.0, "stride": 1}, TypeError, "patch must be an int; got 2.0"),
        ({"patch": True, "stride": 1}, TypeError, "patch must be an int; got True"),
        (
            {"patch": 2, "stride": 1, "score": "prob"},
            ValueError,
            "score must be one of",
        ),
        (
            {"patch": 2, "stride": 1, "baseline": torch.zeros(2, 2)},
            ValueError,
            "baseline must be",
        ),
        (
            {"patch": 2, "stride": 1, "baseline": float("nan")},
            ValueError,
            "baseline must be finite",
        ),
        (
            {"patch": 2, "stride": 1, "baseline": "grey"},
            TypeError,
            "baseline must be a number",
        ),
        (
            {"patch": 2, "stride": 1, "batch_size": 0},
            ValueError,
            "batch_size must be >= 1",
        ),
    ],
)
def test_occlusion_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        occlusion(linear_net(), image((1, 5, 5)), 0, **kwargs)


def test_both_helpers_reject_bad_images_models_and_targets():
    net, x = linear_net(), image((1, 5, 5))
    with pytest.raises(ValueError, match=r"one image of shape \(1, C, H, W\)"):
        occlusion(net, x.repeat(2, 1, 1, 1), 0, patch=2, stride=2)
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        deletion_insertion(net, x.numpy(), np.zeros((5, 5)), 0)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        occlusion(lambda t: t, x, 0, patch=2, stride=2)
    with pytest.raises(
        ValueError, match=r"target must be a class index in \[0, 3\); got 3"
    ):
        occlusion(net, x, 3, patch=2, stride=2)
    with pytest.raises(ValueError, match="target must be >= 0; got -1"):
        deletion_insertion(net, x, np.zeros((5, 5)), -1)
    with pytest.raises(ValueError, match="x must be finite"):
        occlusion(net, x * float("nan"), 0, patch=2, stride=2)


@pytest.mark.parametrize(
    ("saliency_map", "kwargs", "error", "message"),
    [
        (
            np.zeros((4, 5)),
            {},
            ValueError,
            r"saliency_map must have the image's shape \(5, 5\); got \(4, 5\)",
        ),
        (
            np.full((5, 5), np.nan),
            {},
            ValueError,
            "saliency_map must hold finite numbers",
        ),
        (np.zeros((5, 5), bool), {}, ValueError, "got dtype bool"),
        (np.zeros((5, 5)), {"steps": 0}, ValueError, "steps must be >= 1; got 0"),
        (
            np.zeros((5, 5)),
            {"curves": "all"},
            ValueError,
            "curves must be 'both', 'deletion' or 'insertion'",
        ),
        (
            np.zeros((5, 5)),
            {"blur_sigma": 0},
            ValueError,
            "sigma must be a positive number",
        ),
        (
            np.zeros((5, 5)),
            {"insertion_start": torch.zeros(3, 4)},
            ValueError,
            "insertion_start must be",
        ),
    ],
)
def test_deletion_insertion_rejects_bad_arguments(saliency_map, kwargs, error, message):
    with pytest.raises(error, match=message):
        deletion_insertion(linear_net(), image((1, 5, 5)), saliency_map, 0, **kwargs)
