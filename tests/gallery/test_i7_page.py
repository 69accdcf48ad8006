"""The numbers the feature-visualization page (I7) states, checked independently.

The page runs in quick mode (the shared ``run_page`` fixture); its synthesized images
are then fed again to the network by other routes: a copy of the network rebuilt with
dynamic ("same") padding for the logits, a full forward pass with a hook for the
channel activations. The high-frequency share is recomputed with numpy's FFT on a
centred (``fftshift``) grid, and the figures are checked against the numbers.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.patches import Rectangle

from mlviz._torch import one_thread
from mlviz.config import SEED
from mlviz.inspect.featurevis import PixelImage, optimize_input, random_transform
from mlviz.models import PHOTOS, load_efficientnet_lite0

from .conftest import run_quick

pytestmark = pytest.mark.slow

PAGE = "09_imagenet/plot_07_feature_visualization.py"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run the page once, in quick mode, for all the tests of this module."""
    yield run_quick(PAGE, tmp_path_factory.mktemp("page"))
    plt.close("all")


@pytest.fixture(scope="module")
def dynamic_model():
    """The same weights in a network built with dynamic 'same' padding."""
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name("efficientnet-lite0", image_size=None)
    model.load_state_dict(load_efficientnet_lite0().state_dict())
    return model.eval()


def logits(model, images):
    """Logits for (N, H, W, 3) images in [0, 1]."""
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)
    with torch.no_grad():
        return model(2 * x - 1).double().numpy()


def high_frequency_share_fftshift(image, cutoff=0.25):
    """The page's metric on a centred spectrum (radius in cycles per pixel)."""
    image = np.asarray(image, dtype=np.float64)
    h, w, _ = image.shape
    i, j = np.indices((h, w))
    radius = np.hypot((i - h // 2) / h, (j - w // 2) / w)
    power = 0.0
    for k in range(3):
        channel = image[..., k] - image[..., k].mean()
        power = power + np.abs(np.fft.fftshift(np.fft.fft2(channel))) ** 2
    return power[radius > cutoff].sum() / power.sum()


def test_the_network_at_128_pixels_is_the_dynamic_padding_network(page, dynamic_model):
    x = torch.rand((2, 3, 128, 128), generator=torch.Generator().manual_seed(0)) * 2 - 1
    with torch.no_grad():
        np.testing.assert_allclose(
            load_efficientnet_lite0()(x), dynamic_model(x), atol=1e-5
        )
    assert (
        page["mismatched"] == []
        and f"**0** of {len(page['convs'])}" in page["_findings"][0]
    )


def test_the_logits_and_probabilities_the_page_states(page, dynamic_model):
    targets = {name: page["pair"] for name in page["results"]}
    targets["Fourier + transforms"] = page["classes"]
    for name, images in page["results"].items():
        z = logits(dynamic_model, images)
        index = np.arange(len(images))
        s = page["scores"][name]
        np.testing.assert_allclose(
            s["logit"], z[index, targets[name]], rtol=1e-4, atol=1e-3
        )
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        np.testing.assert_allclose(s["p"], p[index, targets[name]], atol=1e-4)
        np.testing.assert_array_equal(s["top1"], z.argmax(1) == targets[name])
    (table,) = [f for f in page["_findings"] if f.startswith("| variant |")]
    for name, s in page["scores"].items():
        assert f"| {name} | {s['logit'][0]:.1f}, {s['logit'][1]:.1f} |" in table


def test_the_scores_under_a_transformation(page, dynamic_model):
    """Median logit and top-1 share over the 8 draws, one image at a time."""
    everything = np.concatenate(list(page["results"].values()))
    targets = [*page["pair"] * 3, *page["classes"]]
    x = torch.from_numpy(everything).permute(0, 3, 1, 2)
    n = page["n_draws"]
    moved = random_transform(
        x.repeat_interleave(n, 0),
        torch.Generator().manual_seed(SEED + 1),
        shift=8,
        scale=(0.9, 1.1),
        angle=10,
    )
    z = logits(dynamic_model, moved.permute(0, 2, 3, 1).numpy())
    for i, k in enumerate(targets):
        draws = z[i * n : (i + 1) * n]
        assert page["measured"]["moved logit"][i] == pytest.approx(
            np.sort(draws[:, k])[(n - 1) // 2], abs=1e-3
        )
        assert page["measured"]["moved top1"][i] == pytest.approx(
            np.mean(draws.argmax(1) == k)
        )


def test_the_high_frequency_shares(page):
    for name, images in page["results"].items():
        expected = [high_frequency_share_fftshift(im) for im in images[:2]]
        np.testing.assert_allclose(page["hf"][name], expected, rtol=1e-9)
    photos = page["to_display"](page["photos_small"])
    np.testing.assert_allclose(
        page["hf_photos"],
        [high_frequency_share_fftshift(im) for im in photos],
        rtol=1e-9,
    )
    assert 0 < page["hf_photos"].max() < page["hf"]["Fourier + transforms"].min()


def test_the_grey_shares_from_the_colour_covariance(page):
    grey = np.ones(3) / np.sqrt(3)
    for title, image in page["draws"].items():
        C = np.cov(image.reshape(-1, 3).astype(np.float64), rowvar=False)
        assert page["grey"][title] == pytest.approx(
            grey @ C @ grey / np.trace(C), rel=1e-4
        )
    assert page["grey"]["Fourier, 1/f, decorrelated"] > 0.6 > page["grey"]["pixels"]


def test_the_naive_loop_written_out_is_the_helpers_loop(page):
    score = lambda images: page["logits_of"](images)[[0, 1], page["pair"]]
    with one_thread():  # the thread count the page ran on: the same sums, the same bits
        images, _ = optimize_input(
            score, PixelImage(2, page["size"], seed=SEED), n_steps=page["n_steps"]
        )
    np.testing.assert_array_equal(images, page["results"]["naive (pixels)"])


def test_the_channels_their_activations_and_their_photo_patches(page):
    model = load_efficientnet_lite0()
    photos = page["photos_224"]
    kept = {}
    for depth, block in page["depths"].items():
        handle = model._blocks[block].register_forward_hook(
            lambda m, i, o: kept.update(A=o)
        )
        with torch.no_grad():
            model(photos)  # the full network, not the truncated pass
            A = kept["A"].double().numpy()
            x = torch.from_numpy(page["channel_images"][depth]).permute(0, 3, 1, 2)
            model(2 * x - 1)
            on_images = kept["A"].double().numpy()
        handle.remove()
        chosen = page["channels"][depth]
        # activation reached: the mean of the channel over positions
        expected = [on_images[j, c].mean() for j, c in enumerate(chosen)]
        np.testing.assert_allclose(
            page["reached"][depth], expected, rtol=1e-4, atol=1e-4
        )
        # the choice: highest standardized peak on each photo, without repeats
        peaks = (A / A.std(axis=(0, 2, 3), keepdims=True)).max(axis=(2, 3))
        for n, (photo, c) in enumerate(zip(page["chosen_from"], chosen)):
            allowed = [k for k in range(A.shape[1]) if k not in chosen[:n]]
            assert c == allowed[np.argmax(peaks[PHOTOS.index(photo), allowed])]
            i, r, col, value = page["patches"][depth, c]
            assert value == pytest.approx(A[:, c].max(), rel=1e-5)
            assert A[i, c, r, col] == pytest.approx(A[:, c].max(), rel=1e-5)


def test_the_channel_figure_boxes_sit_on_the_peaks(page):
    fig = page["_figures"][-1]
    axes = np.array(fig.axes).reshape(3, 6)
    images = page["to_display"](page["photos_224"])
    for row, depth in zip(axes, page["depths"]):
        stride, side = page["strides"][depth], page["sides"][depth]
        for j, c in enumerate(page["channels"][depth]):
            vis, patch = row[2 * j], row[2 * j + 1]
            assert f"ch. {c}" in vis.get_title()
            np.testing.assert_array_equal(
                vis.get_images()[0].get_array(), page["channel_images"][depth][j]
            )
            i, r, col, value = page["patches"][depth, c]
            (box,) = [p for p in patch.patches if isinstance(p, Rectangle)]
            assert box.get_width() == box.get_height() == stride
            # the box's offset in the crop gives the crop's corner in the photo
            left = col * stride - box.get_x() - 0.5
            top = r * stride - box.get_y() - 0.5
            crop = images[i][int(top) : int(top) + side, int(left) : int(left) + side]
            np.testing.assert_array_equal(patch.get_images()[0].get_array(), crop)
            assert (
                PHOTOS[i] in patch.get_title()
                and f"peak {value:.1f}" in patch.get_title()
            )


def test_the_class_figure_titles_state_the_measured_probabilities(page):
    fig = page["_figures"][2]
    s = page["scores"]["Fourier + transforms"]
    for ax, k, p in zip(fig.axes, page["classes"], s["p"]):
        assert page["names"][k] in ax.get_title() and f"p = {p:.2f}" in ax.get_title()
    assert len(page["_figures"]) == 4
