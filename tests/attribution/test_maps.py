"""attribution_maps: each of its five maps against the one-method helper or a plain loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mlviz.attribution import (
    AttributionMaps,
    GradCAM,
    attribution_maps,
    input_gradients,
    integrated_gradients,
    saliency,
    smoothgrad,
)
from mlviz.attribution._maps import MAP_NAMES
from mlviz.report import rounding_tolerance


def small_cnn(seed=0):
    """conv -> tanh -> conv -> ReLU (the Grad-CAM layer) -> pool -> linear, in float64."""
    torch.manual_seed(seed)
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.Tanh(),
        nn.Conv2d(4, 5, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(5, 3),
    )
    return net.double().eval()


@pytest.fixture
def setup():
    net = small_cnn()
    x = (
        torch.rand(
            1, 3, 8, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64
        )
        * 2
        - 1
    )
    return net, x


def close(actual, expected):
    """Two float64 computations of the same map: rounding of sums as large as the map's."""
    expected = np.asarray(expected)
    tol = rounding_tolerance("float64", np.abs(expected).sum() + 1e-300, expected.size)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=tol)


def test_five_maps_match_the_one_method_helpers(setup):
    net, x = setup
    result = attribution_maps(net, x, 2, layer=net[3], n_noisy=3, n_steps=4, seed=5)
    assert isinstance(result, AttributionMaps) and tuple(result.maps) == MAP_NAMES
    assert all(
        m.shape == (8, 8) and m.dtype == np.float64 for m in result.maps.values()
    )
    close(result.maps["saliency"], saliency(net, x, [2])[0])
    close(
        result.maps["gradient x input"],
        (input_gradients(net, x, [2]) * x.numpy()).sum(1)[0],
    )
    close(
        result.maps["SmoothGrad"],
        smoothgrad(net, x, [2], n_samples=3, noise_level=0.15, seed=5)[0],
    )
    with GradCAM(net, [net[3]]) as cam:
        raw = torch.from_numpy(cam.layer_cams(x, targets=[2])[0])
    close(
        result.maps["Grad-CAM"],
        F.interpolate(raw[:, None], size=(8, 8), mode="bilinear")[0, 0],
    )


def test_evenly_spaced_path_is_the_integrated_gradients_helper(setup):
    net, x = setup
    result = attribution_maps(
        net, x, 1, layer=net[3], baseline=-1.0, n_steps=6, path_power=1
    )
    helper = integrated_gradients(net, x, [1], baseline=-torch.ones_like(x), n_steps=6)
    close(result.maps["integrated gradients"], helper.attributions[0].sum(0))
    close(
        [result.ig_total, result.ig_rise],
        [helper.total[0], (helper.score - helper.baseline_score)[0]],
    )


def test_cubic_path_is_a_loop_over_its_points(setup):
    net, x = setup
    n, power, start = 5, 3, torch.full_like(x, -1.0)
    t = np.linspace(0, 1, n + 1)
    weights = power * t ** (power - 1) / n
    weights[[0, -1]] /= 2
    total = torch.zeros_like(x[0])
    for a, w in zip(t**power, weights):
        point = (start + float(a) * (x - start)).requires_grad_(True)
        (g,) = torch.autograd.grad(net(point)[0, 0], point)
        total += w * g[0]
    expected = ((x - start)[0] * total).sum(0).numpy()
    result = attribution_maps(
        net, x, 0, layer=net[3], baseline=-1.0, n_steps=n, path_power=power
    )
    close(result.maps["integrated gradients"], expected)


def test_completeness_gap_closes_with_steps_and_can_be_large(setup):
    net, x = setup
    gaps = [
        attribution_maps(
            net, x, 0, layer=net[3], baseline=-1.0, n_steps=n, path_power=3
        ).completeness_gap
        for n in (1, 16, 256)
    ]
    # a 1-step trapezoid is far from the path integral; more steps close the gap
    assert gaps[0] > 100 * gaps[2] and gaps[0] > gaps[1] > gaps[2], gaps
    linear = (
        nn.Sequential(nn.Conv2d(3, 2, 1), nn.Flatten(), nn.Linear(2 * 8 * 8, 2))
        .double()
        .eval()
    )
    exact = attribution_maps(linear, x, 1, layer=linear[0], baseline=0.5, n_steps=1)
    assert exact.completeness_gap < rounding_tolerance(
        "float64", abs(exact.ig_total) + 1, 3 * 8 * 8
    )


def test_batch_size_does_not_change_the_maps(setup):
    net, x = setup
    one = attribution_maps(net, x, 2, layer=net[3], n_noisy=3, n_steps=5, batch_size=1)
    many = attribution_maps(
        net, x, 2, layer=net[3], n_noisy=3, n_steps=5, batch_size=16
    )
    for name in MAP_NAMES:
        close(one.maps[name], many.maps[name])


def test_the_hook_is_removed(setup):
    net, x = setup
    attribution_maps(net, x, 0, layer=net[3], n_steps=1)
    assert not net[3]._forward_hooks


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x": torch.zeros(2, 3, 8, 8)}, ValueError, "one image of shape"),
        ({"target": 1.5}, TypeError, "target must be an int"),
        ({"target": -1}, ValueError, "target must be >= 0"),
        ({"n_steps": 0}, ValueError, "n_steps must be >= 1"),
        ({"n_noisy": 0}, ValueError, "n_noisy must be >= 1"),
        ({"path_power": 0.5}, ValueError, "path_power must be a number >= 1"),
        ({"baseline": torch.zeros(1)}, TypeError, "baseline must be a finite number"),
        ({"layer": "net[3]"}, TypeError, "layer must be a torch.nn.Module"),
        ({"model": lambda z: z}, TypeError, "model must be a torch.nn.Module"),
    ],
)
def test_arguments_are_checked(setup, kwargs, error, match):
    net, x = setup
    arguments = {"model": net, "x": x, "target": 0, "layer": net[3], **kwargs}
    with pytest.raises(error, match=match):
        attribution_maps(
            arguments.pop("model"),
            arguments.pop("x"),
            arguments.pop("target"),
            **arguments,
        )
