"""Feature visualization helpers: parametrizations, transforms, the loop and the metric.

References are independent of the helpers: the Fourier parametrization is inverted
with ``rfft2``, the affine transform is compared with ``scipy.ndimage``, the
high-frequency share with closed-form images (a checkerboard, a slow sinusoid).
"""

import functools
import math

import numpy as np
import pytest
import torch
from scipy import ndimage
from torch import nn

from mlviz.inspect import featurevis as fv
from mlviz.inspect.featurevis import (
    IMAGENET_COLOUR_SQRT,
    Ascent,
    FourierImage,
    PixelImage,
    affine_transform,
    high_frequency_share,
    optimize_input,
    random_transform,
    spectrum_scale,
    truncated_forward,
)
from mlviz.report import rounding_tolerance


def _sample_tol(side):
    """What rounding can change in a bilinear sample of an image in [0, 1].

    The sampling position (in pixels, a sum of about 4 terms up to the side) is off by
    at most its rounding; the sample moves by that times the largest difference between
    neighbouring pixels (at most 1).
    """
    return rounding_tolerance("float32", scale=side, n_terms=4)


def _fourier_tol(image):
    """What rounding can change in the output of a FourierImage.

    Each channel value sums |coefficient * scale| / size / 4 (twice: the hermitian
    half) through log2(size^2) levels of the FFT; the colour matrix adds 3 terms of
    column norm <= 1; the sigmoid's slope is at most 1/4.
    """
    coefficients = torch.view_as_complex(image.spectrum.detach()).abs() * image.scale
    terms = coefficients.sum((-2, -1)).max().item() * 2 / image.size / 4
    levels = math.ceil(math.log2(image.size**2)) + 3
    return 0.25 * rounding_tolerance("float32", scale=3 * terms, n_terms=levels)


def test_the_inspect_package_loads_no_torch_until_a_torch_module_is_imported():
    import subprocess
    import sys

    code = "import sys, mlviz.inspect, mlviz.inspect.performance; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- spectrum_scale ---------------------------------------------------------------


def test_spectrum_scale_is_one_over_the_radial_frequency():
    s = spectrum_scale(16).numpy()
    assert s.shape == (16, 9)
    assert s[0, 0] == pytest.approx(16)  # the constant term: as the lowest frequency
    assert s[0, 1] == pytest.approx(16) and s[1, 0] == pytest.approx(16)
    assert s[0, 4] == pytest.approx(4)  # f = 4/16
    assert s[3, 4] == pytest.approx(16 / 5)  # f = sqrt(3^2 + 4^2)/16
    assert s[-3, 4] == pytest.approx(16 / 5)  # negative frequencies too
    np.testing.assert_allclose(  # two float32 roundings against one
        spectrum_scale(16, decay=2).numpy(),
        s**2,
        rtol=rounding_tolerance("float32", 1, 2),
    )
    np.testing.assert_array_equal(spectrum_scale(8, decay=0).numpy(), np.ones((8, 5)))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"size": 0}, "size must be a positive integer"),
        ({"size": 8, "decay": -1}, "decay"),
    ],
)
def test_spectrum_scale_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        spectrum_scale(**kwargs)


# --- the parametrizations ----------------------------------------------------------


def test_pixel_image_is_the_sigmoid_of_its_parameters():
    image = PixelImage(3, 10, sd=2.0, seed=1)
    out = image()
    assert out.shape == (3, 3, 10, 10)
    assert 0 < out.min() and out.max() < 1
    np.testing.assert_allclose(out.detach(), torch.sigmoid(image.pixels).detach())
    torch.testing.assert_close(PixelImage(3, 10, sd=2.0, seed=1)(), out)  # seeded


def test_fourier_image_shapes_range_and_start():
    image = FourierImage(2, 12, seed=0)
    assert image.spectrum.shape == (2, 3, 12, 7, 2)
    out = image()
    assert out.shape == (2, 3, 12, 12) and out.dtype == torch.float32
    assert 0.45 < out.min() and out.max() < 0.55  # sd 0.01: a nearly uniform grey
    loud = FourierImage(2, 12, sd=50.0)()
    assert 0 <= loud.min() and loud.max() <= 1 and loud.max() - loud.min() > 0.9


def test_fourier_image_inverts_to_the_spectrum_of_any_image():
    """Set the coefficients from a target image by hand; the module must return it."""
    size = 16
    target = torch.rand((1, 3, size, size), generator=torch.Generator().manual_seed(3))
    target = 0.05 + 0.9 * target
    M = IMAGENET_COLOUR_SQRT / np.linalg.norm(IMAGENET_COLOUR_SQRT, axis=0).max()
    logit = torch.log(target / (1 - target)).double()
    channels = torch.einsum("kc,nchw->nkhw", torch.from_numpy(np.linalg.inv(M)), logit)
    coefficients = (
        torch.fft.rfft2(4 * channels, norm="ortho") / spectrum_scale(size).double()
    )
    image = FourierImage(1, size)
    with torch.no_grad():
        image.spectrum.copy_(torch.view_as_real(coefficients).float())
    tol = _fourier_tol(image) + rounding_tolerance(
        "float32", 1.0
    )  # + the coefficients' cast
    np.testing.assert_allclose(image().detach().numpy(), target.numpy(), atol=tol)
    assert tol < 0.01 * np.ptp(target.numpy())  # tight against the image's range


def test_fourier_coefficients_have_1_over_f_amplitudes():
    """Random coefficients of equal variance: the image's power falls as 1/f^2."""
    size = 32
    image = FourierImage(64, size, colour=None, sd=1.0, seed=0)
    with torch.no_grad():
        power = (
            torch.fft.rfft2(image.channels(), norm="ortho").abs().pow(2).mean((0, 1))
        )
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    ring = np.round(np.hypot(fy, fx) * size)  # radial frequency in cycles per image
    mean = {k: power.numpy()[(ring == k) & (fx > 0)].mean() for k in (2, 4, 8)}
    assert mean[2] / mean[4] == pytest.approx(4, rel=0.25)
    assert mean[4] / mean[8] == pytest.approx(4, rel=0.25)


def test_the_colour_matrix_gives_the_first_channel_its_grey_axis():
    image = FourierImage(1, 8, sd=0.0)
    with torch.no_grad():
        image.spectrum[0, 0, 0, 0, 0] = 8.0  # only the constant term of channel 0
    out = image().detach()[0]
    M = IMAGENET_COLOUR_SQRT / np.linalg.norm(IMAGENET_COLOUR_SQRT, axis=0).max()
    constant = 8.0 * 8 / 8 / 4  # scale(0) = size, orthonormal inverse: / size, then / 4
    expected = 1 / (1 + np.exp(-M[:, 0] * constant))
    np.testing.assert_allclose(
        out.numpy(),
        np.broadcast_to(expected[:, None, None], out.shape),
        atol=_fourier_tol(image),
        rtol=0,
    )
    assert np.ptp(M[:, 0]) < 0.05  # nearly equal R, G, B: brightness


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: PixelImage(0, 8), "n must be a positive integer"),
        (lambda: PixelImage(1, 8, sd=-1), "sd must be >= 0"),
        (lambda: FourierImage(1, 2.5), "size must be a positive integer"),
        (
            lambda: FourierImage(1, 8, colour=np.eye(2)),
            r"colour must be a finite \(3, 3\)",
        ),
        (
            lambda: FourierImage(1, 8, colour=np.ones((3, 3))),
            "colour must be invertible",
        ),
    ],
)
def test_parametrizations_reject_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# --- transforms ----------------------------------------------------------------------


def _images(n=2, size=20, seed=0):
    return torch.rand((n, 3, size, size), generator=torch.Generator().manual_seed(seed))


def test_identity_and_integer_shift():
    x = _images()
    tol = _sample_tol(20)
    same = affine_transform(x, [1, 1], [0, 0], [[0, 0], [0, 0]])
    torch.testing.assert_close(same, x, atol=tol, rtol=0)
    moved = affine_transform(x, [1, 1], [0, 0], [[2, 3], [2, 3]], fill=0.25)
    torch.testing.assert_close(moved[..., 2:, 3:], x[..., :-2, :-3], atol=tol, rtol=0)
    grey = torch.full_like(moved, 0.25)
    torch.testing.assert_close(moved[..., :2, :], grey[..., :2, :], atol=tol, rtol=0)
    torch.testing.assert_close(moved[..., :, :3], grey[..., :, :3], atol=tol, rtol=0)


def test_affine_transform_matches_scipy_ndimage():
    """Output pixel o reads the input at c + A (o - c) - shift, A = R^T / zoom."""
    x = _images(1, 24, seed=4)
    zoom, angle, shift = 1.15, 17.0, (1.5, -2.25)
    out = affine_transform(x, [zoom], [angle], [shift], fill=0.5)[0].numpy()
    t = np.deg2rad(angle)
    A = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]) / zoom  # (row, col)
    c = np.array([11.5, 11.5])
    offset = c - A @ c - np.array(shift)
    for k in range(3):
        expected = ndimage.affine_transform(
            x[0, k].double().numpy() - 0.5,
            A,
            offset,
            order=1,
            mode="grid-constant",
            cval=0.0,
        )
        np.testing.assert_allclose(out[k], expected + 0.5, atol=_sample_tol(24))


def test_a_quarter_turn_of_a_square_is_rot90_clockwise():
    x = _images(1, 16)
    turned = affine_transform(x, [1.0], [90.0], [[0, 0]])
    torch.testing.assert_close(
        turned, torch.rot90(x, -1, dims=(2, 3)), atol=_sample_tol(16), rtol=0
    )


def test_random_transform_draws_per_image_and_reproducibly():
    x = _images(1).repeat(4, 1, 1, 1)
    a = random_transform(x, torch.Generator().manual_seed(7))
    b = random_transform(x, torch.Generator().manual_seed(7))
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a[0], a[1])  # each image its own draw
    # the draws, in the documented order, reproduce it through affine_transform
    gen = torch.Generator().manual_seed(7)
    zoom = 0.9 + 0.2 * torch.rand(4, generator=gen)
    turn = 10 * (2 * torch.rand(4, generator=gen) - 1)
    move = 8 * (2 * torch.rand((4, 2), generator=gen) - 1)
    torch.testing.assert_close(a, affine_transform(x, zoom, turn, move))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda x: random_transform(x, 0),
            TypeError,
            "generator must be a torch.Generator",
        ),
        (
            lambda x: random_transform(x, torch.Generator(), scale=(1.2, 1.0)),
            ValueError,
            "scale must be",
        ),
        (
            lambda x: random_transform(x, torch.Generator(), shift=-1),
            ValueError,
            "shift and angle",
        ),
        (
            lambda x: affine_transform(x, [1.0], [0.0, 0.0], [[0, 0], [0, 0]]),
            ValueError,
            "scale must have one",
        ),
        (
            lambda x: affine_transform(x, [1.0, 0.0], [0.0, 0.0], [[0, 0], [0, 0]]),
            ValueError,
            "scale must be > 0",
        ),
        (
            lambda x: affine_transform(x[0], [1.0], [0.0], [[0, 0]]),
            ValueError,
            r"x must be an \(N, C, H, W\)",
        ),
    ],
)
def test_transforms_reject_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call(_images())


# --- truncated_forward -----------------------------------------------------------


def _net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 5, 3, padding=1),
        nn.Flatten(),
        nn.Linear(5 * 36, 2),
    ).eval()


def test_truncated_forward_returns_the_layer_output_and_skips_the_rest():
    net, x = _net(), torch.rand(2, 3, 6, 6)
    calls = []
    net[4].register_forward_hook(lambda *args: calls.append(1))
    out = truncated_forward(net, net[1], x)
    torch.testing.assert_close(out, torch.relu(net[0](x)))
    assert calls == []  # the linear layer never ran
    xg = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(truncated_forward(net, net[2], xg).sum(), xg)
    (expected,) = torch.autograd.grad(net[2](net[1](net[0](xg))).sum(), xg)
    torch.testing.assert_close(g, expected)
    assert not net[2]._forward_hooks  # the hook is gone


def test_truncated_forward_rejects_a_foreign_layer():
    with pytest.raises(ValueError, match="layer must be a submodule of model"):
        truncated_forward(_net(), nn.ReLU(), torch.rand(1, 3, 6, 6))


# --- optimize_input --------------------------------------------------------------


def _adam_tol(n_steps, lr):
    """Rounding in n_steps Adam updates of at most about lr each, through a sigmoid."""
    return 0.25 * rounding_tolerance("float32", scale=n_steps * lr, n_terms=n_steps)


def test_optimize_input_raises_each_score_and_batches_independently():
    net = _net()

    def score(images):
        return net(2 * images - 1)[
            torch.arange(len(images)), torch.tensor([0, 1])[: len(images)]
        ]

    images = [PixelImage(1, 6, seed=1), FourierImage(1, 6, seed=2)]
    with torch.no_grad():
        start = torch.cat([images[0](), images[1]()])
        at_start = score(start).numpy()
        # the scores sum 180 products and a bias in the last layer
        flat = net[3](net[2](net[1](net[0](2 * start - 1)))).abs()
        scale = (flat @ net[4].weight.abs().T + net[4].bias.abs()).max().item()
    result = optimize_input(score, images, n_steps=40, lr=0.1)
    assert isinstance(result, Ascent) and not result.from_cache
    together, trace = result.images, result.trace
    assert together.shape == (2, 6, 6, 3) and trace.shape == (40, 2)
    tol = rounding_tolerance("float32", scale=scale, n_terms=181)
    np.testing.assert_allclose(
        trace[0], at_start, atol=tol, rtol=0
    )  # scored before each step
    assert (trace[-1] > trace[0] + 0.2).all()
    with torch.no_grad():  # the returned images are the parametrizations' final state
        np.testing.assert_array_equal(
            together[1], images[1]()[0].permute(1, 2, 0).numpy()
        )
    # image 0 alone: the same numbers (Adam and the network act per image)
    alone = optimize_input(
        lambda im: net(2 * im - 1)[:, 0], PixelImage(1, 6, seed=1), n_steps=40, lr=0.1
    ).images
    np.testing.assert_allclose(alone[0], together[0], atol=_adam_tol(40, 0.1), rtol=0)
    assert 0 < together.min() and together.max() < 1


def test_optimize_input_keeps_snapshots_along_the_way():
    net = _net()

    def score(im):
        return net(2 * im - 1)[:, 0]

    result = optimize_input(
        score, PixelImage(1, 6, seed=1), n_steps=12, snapshots=[12, 3]
    )
    assert sorted(result.snapshots) == [3, 12]
    np.testing.assert_array_equal(result.snapshots[12], result.images)
    first = optimize_input(score, PixelImage(1, 6, seed=1), n_steps=3).images
    np.testing.assert_array_equal(result.snapshots[3], first)  # the same first 3 steps
    assert not np.array_equal(result.snapshots[3], result.images)


def _cached_run(score, n_steps=5, seed=1, transform=None, cache=None):
    return optimize_input(
        score,
        FourierImage(2, 6, seed=seed),
        n_steps=n_steps,
        transform=transform,
        snapshots=[2],
        cache={"net": "_net", "unit": 0} if cache is None else cache,
    )


def test_optimize_input_caches_by_its_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path))
    net = _net()
    calls = []

    def score(images):
        calls.append(len(images))
        return net(images)[:, 0]

    first = _cached_run(score)
    assert len(calls) == 5 and not first.from_cache and first.seconds > 0
    (entry,) = (tmp_path / "featurevis").glob("*.npz")
    image = FourierImage(2, 6, seed=1)
    again = optimize_input(
        score, image, n_steps=5, snapshots=[2], cache={"net": "_net", "unit": 0}
    )
    assert len(calls) == 5 and again.from_cache  # read back, nothing computed
    assert again.seconds == first.seconds
    np.testing.assert_array_equal(again.images, first.images)
    np.testing.assert_array_equal(again.trace, first.trace)
    np.testing.assert_array_equal(again.snapshots[2], first.snapshots[2])
    with torch.no_grad():  # the parametrization ends where the cached ascent ended
        np.testing.assert_array_equal(image().permute(0, 2, 3, 1).numpy(), first.images)
    # every setting is part of the key: each of these computes anew
    jitter = functools.partial(random_transform, shift=1)
    for changed in (
        dict(n_steps=6),
        dict(seed=2),  # another start
        dict(cache={"net": "_net", "unit": 1}),
        dict(transform=jitter),
        dict(transform=functools.partial(random_transform, shift=2)),
    ):
        before = len(calls)
        assert not _cached_run(score, **changed).from_cache, changed
        assert len(calls) > before
    assert len(list((tmp_path / "featurevis").glob("*.npz"))) == 6
    assert not list((tmp_path / "featurevis").glob(".*"))  # no temporary files left
    assert entry.exists()


def test_optimize_input_refuses_what_it_cannot_key(tmp_path, monkeypatch):
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path))
    net = _net()

    def score(im):
        return net(im)[:, 0]

    with pytest.raises(TypeError, match="module-level function"):
        _cached_run(score, transform=lambda x, g: x)
    with pytest.raises(TypeError, match="keyword arguments only"):
        _cached_run(score, transform=functools.partial(random_transform, 1))
    with pytest.raises(TypeError, match="JSON-serializable"):
        _cached_run(score, cache={"net": object()})
    with pytest.raises(TypeError, match="cache must be a mapping"):
        _cached_run(score, cache=["net"])
    assert not list((tmp_path / "featurevis").glob("*"))


def test_optimize_input_applies_one_transform_per_parametrization():
    seen = []

    def spy(x, generator):
        seen.append(isinstance(generator, torch.Generator))
        return x

    net = _net()
    optimize_input(
        lambda im: net(im)[:, 0],
        [PixelImage(1, 6), PixelImage(1, 6)],
        transform=[spy, None],
        n_steps=3,
    )
    assert seen == [True] * 3


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_steps": 0}, ValueError, "n_steps must be a positive integer"),
        ({"n_steps": 2, "lr": 0}, ValueError, "lr must be > 0"),
        ({"n_steps": 2, "snapshots": [3]}, ValueError, "snapshots must be steps"),
        ({"n_steps": 2, "snapshots": [0]}, ValueError, "snapshots must be a positive"),
        (
            {"n_steps": 2, "transform": [None, None]},
            ValueError,
            "one per parametrization",
        ),
    ],
)
def test_optimize_input_rejects_bad_arguments(kwargs, error, match):
    net = _net()
    with pytest.raises(error, match=match):
        optimize_input(lambda im: net(im)[:, 0], PixelImage(1, 6), **kwargs)


def test_optimize_input_rejects_a_score_of_the_wrong_shape_and_non_modules():
    net = _net()
    with pytest.raises(
        ValueError, match=r"one value per image, shape \(1,\); got \(1, 2\)"
    ):
        optimize_input(lambda im: net(im), PixelImage(1, 6), n_steps=1)
    with pytest.raises(TypeError, match="images must be a parametrization"):
        optimize_input(lambda im: net(im)[:, 0], torch.zeros(1, 3, 6, 6), n_steps=1)


# --- high_frequency_share -----------------------------------------------------------


def test_high_frequency_share_of_known_images():
    i, j = np.indices((32, 32))
    checker = np.repeat(((i + j) % 2).astype(float)[..., None], 3, axis=2)  # f = 0.71
    slow = np.repeat(np.sin(2 * np.pi * 2 * j / 32)[..., None], 3, axis=2)  # f = 1/16
    noise = np.random.default_rng(0).random((32, 32, 3))
    shares = high_frequency_share(np.stack([checker, slow, noise]))
    assert shares[0] == pytest.approx(1.0) and shares[1] == pytest.approx(
        0.0, abs=rounding_tolerance("float64", 1.0, n_terms=32 * 32 * 3)
    )
    fy, fx = np.meshgrid(np.fft.fftfreq(32), np.fft.fftfreq(32), indexing="ij")
    area = (np.hypot(fy, fx) > 0.25).sum() / (
        32 * 32 - 1
    )  # white noise: the area above
    assert shares[2] == pytest.approx(area, abs=0.03)
    assert high_frequency_share(checker, cutoff=0.4).shape == (1,)
    assert np.isnan(high_frequency_share(np.full((8, 8, 3), 0.3)))[0]


@pytest.mark.parametrize(
    "images, cutoff, match",
    [
        (np.zeros((4, 4)), 0.25, "images must have shape"),
        (np.zeros((4, 4, 3)), 0.5, "cutoff must be between"),
    ],
)
def test_high_frequency_share_rejects_bad_arguments(images, cutoff, match):
    with pytest.raises(ValueError, match=match):
        high_frequency_share(images, cutoff)


def test_the_module_lists_what_it_exports():
    assert set(fv.__all__) <= set(dir(fv))
