"""MNIST-style preprocessing and the drawing pad widget (mlviz.widgets.drawpad)."""

from __future__ import annotations

import numpy as np
import pytest

from mlviz.widgets.drawpad import (
    CANVAS,
    HAND_DRAWN,
    NON_DIGIT_KINDS,
    PEN_WIDTH,
    DrawingPad,
    feature_profile,
    non_digit_drawings,
    non_digit_strokes,
    ood_test_sets,
    pen_redraw,
    plot_distance_strip,
    preprocess_drawing,
    render_strokes,
    thin,
)


def test_a_block_is_scaled_to_20_pixels_and_centred():
    ink = np.zeros((280, 280))
    ink[30:230, 150:250] = 1.0  # 200 x 100, off-centre
    image, steps = preprocess_drawing(ink, return_steps=True)
    assert steps["crop"].shape == (200, 100)
    assert steps["scaled"].shape == (20, 10)
    np.testing.assert_allclose(steps["scaled"], 1.0)
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    assert (len(rows), len(cols)) == (20, 10)
    assert (rows[0], cols[0]) == (
        4,
        9,
    )  # centre of mass (9.5, 4.5) moved to (13.5, 13.5)
    assert image.sum() == pytest.approx(200.0)


def test_scaling_averages_areas():
    rng = np.random.default_rng(0)
    ink = rng.uniform(
        0.2, 1.0, size=(60, 30)
    )  # scale 1/3: each output pixel is a 3x3 block mean
    _, steps = preprocess_drawing(ink, return_steps=True)
    np.testing.assert_allclose(
        steps["scaled"], ink.reshape(20, 3, 10, 3).mean(axis=(1, 3)), rtol=1e-12
    )


def test_scaling_by_a_fraction_keeps_the_mean_ink():
    rng = np.random.default_rng(1)
    ink = rng.uniform(
        0.2, 1.0, size=(47, 31)
    )  # 20/47: output pixels straddle source pixels
    _, steps = preprocess_drawing(ink, return_steps=True)
    assert steps["scaled"].shape == (20, 13)
    # each output pixel is a weighted mean; weights of a row sum to one
    assert steps["scaled"].min() >= ink.min() and steps["scaled"].max() <= ink.max()
    np.testing.assert_allclose(
        steps["scaled"].mean(), ink.mean(), rtol=1e-12
    )  # area is conserved


def test_a_small_drawing_is_enlarged_and_ink_is_kept_in_range():
    ink = np.zeros((100, 100))
    ink[50:55, 50:52] = 1.0
    image = preprocess_drawing(ink)
    assert image.shape == (28, 28)
    assert image.max() <= 1.0 and image.min() >= 0.0
    assert np.count_nonzero(image.any(axis=1)) == 20


def test_empty_or_malformed_drawings_are_rejected():
    with pytest.raises(ValueError, match="nothing was drawn"):
        preprocess_drawing(np.zeros((50, 50)))
    with pytest.raises(
        ValueError, match=r"ink must be a 2-D array \(height, width\); got shape \(3,\)"
    ):
        preprocess_drawing(np.ones(3))
    with pytest.raises(ValueError, match="box must be in"):
        preprocess_drawing(np.ones((5, 5)), box=30)


def test_pad_html_links_the_assets_relative_to_the_page():
    html = DrawingPad(
        "../net.json", "../../assets/drawpad", layers=[("relu1", "conv1 <ReLU>")]
    )._repr_html_()
    assert 'data-model="../net.json"' in html
    # the readout (prediction, distance line, bars) comes right after the pad, before the
    # examples and the layers: in one column (a phone) it sits right under the canvas
    order = [
        html.index(f'class="{c}')
        for c in (
            "dp-pad",
            "dp-canvas",
            "dp-readout",
            "dp-ood",
            "dp-bars",
            "dp-more",
            "dp-layers",
        )
    ]
    assert order == sorted(order)
    assert (
        '<script type="module" src="../../assets/drawpad/drawpad.js"></script>' in html
    )
    assert 'href="../../assets/drawpad/drawpad.css"' in html
    assert 'data-layer="relu1"' in html and "conv1 &lt;ReLU&gt;" in html
    assert html.count('class="dp-canvas"') == 1
    assert "\n\n" not in html  # a blank line would end Markdown's raw HTML block


def test_pad_refuses_urls_to_other_hosts():
    with pytest.raises(ValueError, match="must be relative URLs"):
        DrawingPad("https://cdn.example.com/net.json", "../assets/")
    with pytest.raises(TypeError, match="model_url must be a non-empty str"):
        DrawingPad("", "../assets/")


# -- drawing like the pad: strokes, non-digits, centre lines -------------------------------


def test_a_tap_is_a_disc_of_the_pens_width():
    ink = render_strokes([[(100.0, 60.0)]])
    rows, cols = np.nonzero(ink > 0.5)
    assert rows.max() - rows.min() + 1 == pytest.approx(PEN_WIDTH, abs=1)
    assert cols.max() - cols.min() + 1 == pytest.approx(PEN_WIDTH, abs=1)
    assert (rows.mean(), cols.mean()) == pytest.approx((60, 100), abs=1)
    # the area of a disc of diameter 22, give or take one pixel along its rim
    assert (ink > 0.5).sum() == pytest.approx(
        np.pi * (PEN_WIDTH / 2) ** 2, abs=np.pi * PEN_WIDTH
    )


def test_a_stroke_is_as_wide_as_the_pen_with_round_ends():
    ink = render_strokes([[(50, 140), (230, 140)]])
    assert (ink[:, 140] > 0.5).sum() == pytest.approx(PEN_WIDTH, abs=1)
    cols = np.flatnonzero((ink > 0.5).any(axis=0))
    assert (cols[0], cols[-1]) == pytest.approx(
        (50 - PEN_WIDTH / 2, 230 + PEN_WIDTH / 2), abs=1
    )
    with pytest.raises(ValueError, match=r"strokes\[1\] has no point"):
        render_strokes([[(1, 1)], []])


@pytest.mark.parametrize("kind", NON_DIGIT_KINDS)
def test_non_digit_strokes_are_seeded_and_stay_on_the_canvas(kind):
    a = non_digit_strokes(kind, np.random.default_rng(3))
    b = non_digit_strokes(kind, np.random.default_rng(3))
    assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
    points = np.concatenate(a)
    assert points.shape[1] == 2 and points.min() >= 0 and points.max() <= CANVAS
    ink = render_strokes(a)
    assert ink.max() == 1.0 and preprocess_drawing(ink).shape == (28, 28)


def test_the_kinds_are_what_their_names_say():
    rng = np.random.default_rng(0)
    for _ in range(50):
        (dot,) = non_digit_strokes("dot", rng)
        assert np.hypot(*(dot[1] - dot[0])) <= 8  # a tap or a tiny drag
        (dash,) = non_digit_strokes("dash", rng)
        dx, dy = dash[1] - dash[0]
        assert abs(np.degrees(np.arctan2(dy, dx))) <= 30  # never steep enough to be a 1
        assert 8 <= len(non_digit_strokes("speckles", rng)) <= 39
        assert len(non_digit_strokes("cross", rng)) == 2
    with pytest.raises(ValueError, match="kind must be one of"):
        non_digit_strokes("circle", rng)


def test_non_digit_drawings_are_prepared_images_per_kind():
    sets = non_digit_drawings(3, seed=1, kinds=("dot", "cross"))
    assert list(sets) == ["dot", "cross"]
    assert (
        sets["dot"].shape == (3, 28, 28)
        and sets["cross"].min() >= 0
        and sets["cross"].max() <= 1
    )
    # a dot, whatever its place, is enlarged into a disc that fills the 20-pixel box
    assert np.all((sets["dot"] > 0.5).sum(axis=(1, 2)) > 0.6 * np.pi * 10**2)
    np.testing.assert_array_equal(
        non_digit_drawings(3, seed=1, kinds=("dot",))["dot"], sets["dot"]
    )
    with pytest.raises(ValueError, match="n must be a positive int"):
        non_digit_drawings(0)


def test_thinning_leaves_one_pixel_wide_lines_that_keep_their_shape():
    from scipy import ndimage

    bar = np.zeros((20, 30), dtype=bool)
    bar[8:13, 3:27] = True  # 5 pixels thick
    line = thin(bar)
    assert (
        line[10, 6:24].all() and not line[[8, 9, 11, 12], 6:24].any()
    )  # the middle row
    yy, xx = np.mgrid[:40, :40]
    ring = np.abs(np.hypot(yy - 20, xx - 20) - 12) <= 2.5
    centre = thin(ring)
    assert not (centre & ~ring).any()  # a subset of the shape
    # still one closed loop: one piece, and one hole (two pieces of background)
    assert ndimage.label(centre, structure=np.ones((3, 3)))[1] == 1
    assert ndimage.label(~centre)[1] == 2
    # one pixel wide: no 2 x 2 block stays fully inked
    assert not (
        centre[:-1, :-1] & centre[1:, :-1] & centre[:-1, 1:] & centre[1:, 1:]
    ).any()
    with pytest.raises(ValueError, match="mask must be a 2-D array"):
        thin(np.ones(4, dtype=bool))


def test_pen_redraw_traces_a_digit_with_the_pads_pen():
    image = np.zeros((28, 28))
    image[4:24, 12:16] = 200  # a thick "1", 4 pixels wide
    ink = pen_redraw(image)
    assert ink.shape == (CANVAS, CANVAS)
    scale = CANVAS / 28
    # one stroke of the pen's width down the middle, from row 4 to row 23
    assert (ink[140] > 0.5).sum() == pytest.approx(PEN_WIDTH, abs=2)
    rows = np.flatnonzero((ink > 0.5).any(axis=1))
    assert rows[0] >= 4 * scale - PEN_WIDTH and rows[-1] <= 24 * scale + PEN_WIDTH
    cols = np.flatnonzero(ink[140] > 0.5)
    assert cols.mean() == pytest.approx(14 * scale, abs=scale)
    with pytest.raises(ValueError, match="some ink"):
        pen_redraw(np.zeros((28, 28)))


def test_hand_drawn_non_digits_render():
    assert list(HAND_DRAWN) == ["a dot", "a smiley", "the letter A", "a plus sign"]
    for strokes in HAND_DRAWN.values():
        assert render_strokes(strokes).max() == 1.0


def test_ood_test_sets_gathers_digits_traced_digits_and_non_digits():
    digits = np.zeros((3, 28, 28))
    digits[:, 4:24, 12:16] = 0.8  # three thick "1"s
    sets = ood_test_sets(digits, n_kind=2, n_traced=2, seed=3)
    names = ["test digits", "test digits, traced", *NON_DIGIT_KINDS, *HAND_DRAWN]
    assert list(sets) == names
    np.testing.assert_array_equal(sets["test digits"], digits)
    # the traced digits, and every drawing, are prepared as the pad prepares a drawing
    expected = preprocess_drawing(pen_redraw(digits[0]))
    np.testing.assert_array_equal(sets["test digits, traced"][0], expected)
    assert sets["test digits, traced"].shape == (2, 28, 28)
    kinds = non_digit_drawings(2, seed=3)
    for kind in NON_DIGIT_KINDS:
        np.testing.assert_array_equal(sets[kind], kinds[kind])
    for name, strokes in HAND_DRAWN.items():
        np.testing.assert_array_equal(
            sets[name], preprocess_drawing(render_strokes(strokes))[None]
        )
    with pytest.raises(ValueError, match=r"n_traced must be an int from 1 to len"):
        ood_test_sets(digits, n_kind=1, n_traced=4)
    with pytest.raises(
        ValueError, match=r"digits must have shape \(n, height, width\)"
    ):
        ood_test_sets(digits[0], n_kind=1, n_traced=1)


def test_plot_distance_strip_draws_one_row_per_set_and_the_threshold():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    distances = {"test digits": [1.0, 2.0, 3.0], "a dot": [50.0]}
    ax = plot_distance_strip(distances, 10.0, label="95 %")
    assert [t.get_text() for t in ax.get_yticklabels()] == list(distances)
    assert ax.get_xscale() == "log" and ax.yaxis_inverted()
    digits, dot = ax.collections
    assert len(digits.get_offsets()) == 3 and len(dot.get_offsets()) == 1
    assert to_hex(digits.get_facecolor()[0], keep_alpha=False) == to_hex("C0")
    assert to_hex(dot.get_facecolor()[0], keep_alpha=False) == to_hex("C3")
    assert dot.get_sizes()[0] > digits.get_sizes()[0]  # a single drawing: a large dot
    (line,) = ax.lines
    assert tuple(line.get_xdata()) == (10.0, 10.0) and line.get_label() == "95 %"
    assert ax.figure.legends  # a new figure: the legend goes below the axes
    _, given = plt.subplots()
    assert plot_distance_strip(distances, 10.0, ax=given) is given
    assert given.get_legend() is not None
    with pytest.raises(TypeError, match="distances must be a non-empty dict"):
        plot_distance_strip({}, 1.0)
    plt.close("all")


def test_feature_profile_is_the_mean_of_each_map():
    import torch

    from mlviz.models import MnistCNN, to_tensor

    torch.manual_seed(0)
    net = MnistCNN(channels=(4, 8), hidden=16).eval()
    images = np.random.default_rng(0).uniform(0, 1, (3, 28, 28))
    profile = feature_profile(net, images, layers=("relu1", "relu2"))
    assert profile.shape == (3, 4 + 8) and profile.dtype == np.float64
    with torch.no_grad():
        x = to_tensor(255 * images)
        relu1 = torch.relu(net.conv1(x))
        relu2 = net.features(x)  # relu2 before pooling, an independent path
    expected = np.concatenate(
        [relu1.numpy().mean(axis=(2, 3)), relu2.numpy().mean(axis=(2, 3))], axis=1
    )
    # float32 means of 784 and 196 terms below 10, against the same in another order
    np.testing.assert_allclose(profile, expected, rtol=0, atol=1e-5)
    assert feature_profile(net, images, layers=("fc1",)).shape == (
        3,
        16,
    )  # a dense layer: its units
    with pytest.raises(ValueError, match=r"layers \['conv9'\] are not children"):
        feature_profile(net, images, layers=("conv9",))


# -- the page's out-of-distribution distance, against an independent computation ---------


@pytest.fixture(scope="module")
def h1(tmp_path_factory):
    """Gallery page H1, run once in quick mode (shared with tests/gallery)."""
    from ..gallery.conftest import run_quick

    return run_quick(
        "08_interactive/plot_01_drawing_pad.py", tmp_path_factory.mktemp("h1")
    )


def _profile_by_hooks(model, images):
    """conv1's and conv2's maps caught by forward hooks and averaged by NumPy in float64
    (not the helper's path through the model's children)."""
    import torch

    from mlviz.models import to_tensor

    seen = {}
    catch = lambda name: (
        lambda module, inputs, output: seen.__setitem__(name, output.numpy())
    )
    hooks = [
        getattr(model, name).register_forward_hook(catch(name))
        for name in ("relu1", "relu2")
    ]
    try:
        with torch.no_grad():
            model(to_tensor(255 * images))
    finally:
        for hook in hooks:
            hook.remove()
    return np.concatenate(
        [
            seen[name].astype(np.float64).mean(axis=(2, 3))
            for name in ("relu1", "relu2")
        ],
        axis=1,
    )


def _squared_mahalanobis(profile, means, precision):
    from scipy.spatial.distance import cdist

    return (cdist(profile, means, metric="mahalanobis", VI=precision) ** 2).min(axis=1)


@pytest.mark.slow
def test_h1_distance_is_a_mahalanobis_distance_with_ledoit_wolf_shrinkage(h1):
    split, model = h1["split"], h1["model"]
    profile = _profile_by_hooks(model, split.X_train / 255)
    means = np.stack([profile[split.y_train == k].mean(axis=0) for k in range(10)])
    # the page's profile is torch's float32: means agree to float32 rounding of sums < 10
    np.testing.assert_allclose(h1["class_means"], means, rtol=0, atol=1e-5)
    # Ledoit and Wolf (2004), written out: S shrunk towards mu I by beta^2 / delta^2
    x = profile - means[split.y_train]
    n, p = x.shape
    s = x.T @ x / n
    mu = np.trace(s) / p
    delta2 = np.sum((s - mu * np.eye(p)) ** 2) / p
    beta2 = min(
        (np.sum(np.sum(x**2, axis=1) ** 2) - n * np.sum(s**2)) / n**2 / p, delta2
    )
    shrunk = (1 - beta2 / delta2) * s + beta2 / delta2 * mu * np.eye(p)
    np.testing.assert_allclose(
        np.linalg.inv(h1["precision"]), shrunk, rtol=1e-4, atol=1e-7 * mu
    )
    assert 0 < beta2 / delta2 < 1  # a real shrinkage, neither none nor all


@pytest.mark.slow
def test_h1_threshold_and_flag_rates(h1):
    from scipy.stats import binomtest

    split, model, threshold = h1["split"], h1["model"], h1["threshold"]
    means, precision = h1["class_means"], h1["precision"]
    val = _squared_mahalanobis(
        _profile_by_hooks(model, split.X_val / 255), means, precision
    )
    # 95 % of the validation digits at or under the threshold (np.quantile interpolates)
    assert abs(np.mean(val <= threshold) - 0.95) <= 1 / len(val)
    for name, images in h1["sets"].items():
        d = _squared_mahalanobis(_profile_by_hooks(model, images), means, precision)
        np.testing.assert_allclose(h1["scores"][name]["distance"], d, rtol=1e-4)
        near = np.abs(d - threshold) <= 1e-4 * threshold  # float32 could tip these
        assert abs(h1["rate"][name] - np.mean(d > threshold)) <= near.mean(), name
    # the baselines: one minus the top softmax probability, minus the log-sum-exp
    import torch

    from mlviz.models import to_tensor

    dots = h1["sets"]["dot"]
    with torch.no_grad():
        logits = model(to_tensor(255 * dots)).double().numpy()
    np.testing.assert_allclose(
        h1["scores"]["dot"]["energy"], -np.log(np.exp(logits).sum(axis=1)), rtol=1e-9
    )
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        h1["scores"]["dot"]["softmax"],
        1 - (p / p.sum(axis=1, keepdims=True)).max(axis=1),
        atol=1e-12,
    )
    # the claim "the pad tells a dot from a digit" can fail: dots flagged like digits
    k_digits, n_digits = round(h1["rate"]["test digits"] * 2000), 2000
    high_digits = binomtest(k_digits, n_digits).proportion_ci(method="wilson").high
    n_dots = len(dots)
    low_dots = (
        binomtest(round(0.065 * n_dots), n_dots).proportion_ci(method="wilson").low
    )
    assert not low_dots > high_digits
    assert h1["low"]["dot"] > h1["high"]["test digits"] and h1["rate"]["a dot"] == 1


@pytest.mark.slow
def test_h1_traced_digits_are_still_digits_and_the_export_holds_the_distance(h1):
    import torch

    from mlviz.models import to_tensor
    from mlviz.widgets.export import decode_array

    traced = h1["sets"]["test digits, traced"]
    with torch.no_grad():
        predicted = h1["model"](to_tensor(255 * traced)).argmax(dim=1).numpy()
    assert (
        np.mean(predicted == h1["split"].y_test[: len(traced)]) > 0.7
    )  # pen_redraw keeps the digit
    spec = h1["exported"]["metadata"]["distance"]
    assert spec["layers"] == ["relu1", "relu2"] and spec["quantile"] == 0.95
    np.testing.assert_array_equal(
        decode_array(spec["class_means"]), h1["class_means"].astype(np.float32)
    )
    np.testing.assert_array_equal(
        decode_array(spec["precision"]), h1["precision"].astype(np.float32)
    )
    assert spec["threshold"] == h1["threshold"]
    assert spec["flagged"] == {name: round(r, 4) for name, r in h1["rate"].items()}
