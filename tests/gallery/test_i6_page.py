"""The numbers page I6 (LIME and SHAP on a photograph) states, checked independently.

The page runs in quick mode (the shared ``run_page`` fixture); its LIME fit is redone
with scikit-learn's ``Ridge`` and ``pairwise_distances``, its perturbed images and
deletions are rebuilt pixel by pixel and sent through the network's own
``predict_proba``, SHAP's additivity is recomputed against a box blur written with
cumulative sums, and the superpixel totals, rank correlations and seed overlaps are
recomputed from the page's arrays. The page's own claims are checked by the page.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import rankdata  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from sklearn.metrics import pairwise_distances  # noqa: E402

from mlviz.models import load_efficientnet_lite0, predict_proba, to_model_input  # noqa: E402
from mlviz.plotting import DIVERGING  # noqa: E402

from .conftest import run_quick  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run the page once, in quick mode, for all the tests of this module."""
    yield run_quick("09_imagenet/plot_06_lime_shap_photos.py", tmp_path_factory.mktemp("page"))
    plt.close("all")


def probability(images, label):
    """p(label) for (N, H, W, 3) images in [0, 1], through the network's own predict_proba."""
    return predict_proba(load_efficientnet_lite0(), to_model_input(np.clip(images, 0, 1)))[:, label]


def mean_colour_fill(image, segments):
    """Each superpixel at its mean colour, in float64 (the page's fill is LIME's float32 one)."""
    filled = np.empty(image.shape)
    for s in np.unique(segments):
        filled[segments == s] = image[segments == s].astype(float).mean(axis=0)
    return filled


def box_blur(image, size):
    """A size x size box blur with reflect-101 borders, from cumulative sums."""
    half = size // 2
    padded = np.pad(image.astype(float), ((half, half), (half, half), (0, 0)), mode="reflect")
    c = np.cumsum(np.cumsum(np.pad(padded, ((1, 0), (1, 0), (0, 0))), axis=0), axis=1)
    h, w = image.shape[:2]
    return (c[size : size + h, size : size + w] - c[:h, size : size + w] - c[size : size + h, :w] + c[:h, :w]) / size**2


def test_lime_by_hand_is_a_weighted_ridge_on_lime_s_own_samples(page):
    seed, n = page["SEED"], page["n_samples"]
    for i, photo in enumerate(page["photos"]):
        z, p, kernel = page["samples"][photo, seed]
        S = page["n_segments"][photo]
        # the samples: LIME's RandomState draws, the first one all on
        expected_z = np.random.RandomState(seed).randint(0, 2, n * S).reshape(n, S)
        expected_z[0] = 1
        np.testing.assert_array_equal(z, expected_z)
        # the kernel: sqrt(exp(-d^2 / 0.25^2)) of the cosine distance to the all-ones vector
        d = pairwise_distances(z, np.ones((1, S)), metric="cosine").ravel()
        np.testing.assert_allclose(kernel, np.sqrt(np.exp(-(d**2) / 0.25**2)), rtol=1e-12)
        # the fit: scikit-learn's weighted ridge, as LIME itself uses it
        ridge = Ridge(alpha=1.0).fit(z, p, sample_weight=kernel)
        weights, intercept, r2 = page["lime_hand"][photo]
        np.testing.assert_allclose(weights, ridge.coef_, atol=1e-10)
        assert intercept == pytest.approx(ridge.intercept_, abs=1e-10)
        assert r2 == pytest.approx(ridge.score(z, p, sample_weight=kernel), abs=1e-10)
        np.testing.assert_allclose(page["lime_pkg"][photo][0], ridge.coef_, atol=1e-10)
        # the probabilities: three samples rebuilt pixel by pixel, through predict_proba
        image, segments = page["images"][i], page["segments"][photo]
        fill = mean_colour_fill(image, segments)
        rebuilt = np.stack([np.where(z[j][segments][..., None] == 1, image, fill) for j in (0, 1, n - 1)])
        np.testing.assert_allclose(p[[0, 1, n - 1]], probability(rebuilt, page["classes"][photo]), atol=1e-4)
    assert "**0** of them were not already in the memo" in page["_findings"][2]


def test_shap_adds_up_to_the_change_from_the_blurred_photo(page):
    for i, photo in enumerate(page["photos"]):
        label, image = page["classes"][photo], page["images"][i]
        blurred = box_blur(image, 63)
        np.testing.assert_allclose(page["blurred"][photo], blurred, atol=1e-5)
        f_photo, f_blurred = probability(np.stack([image, blurred]), label)
        gap = abs(page["shap_map"][photo].sum() - (f_photo - f_blurred))
        assert gap < 1e-4
        assert page["additivity"][photo] == pytest.approx(gap, abs=1e-5)
        assert page["shap_base"][photo] == pytest.approx(f_blurred, abs=1e-5)
        # per-superpixel totals, by a loop over the superpixels
        segments = page["segments"][photo]
        totals = [page["shap_map"][photo][segments == s].sum() for s in range(page["n_segments"][photo])]
        np.testing.assert_allclose(page["shap_totals"][photo], totals, atol=1e-12)
        assert f"a gap of **{page['additivity'][photo]:.1e}**" in "\n".join(page["_findings"])


def test_agreement_and_seed_overlap_recomputed(page):
    for photo in page["photos"]:
        lime, shap = page["lime_hand"][photo][0], page["shap_totals"][photo]
        rho = np.corrcoef(rankdata(lime), rankdata(shap))[0, 1]
        assert page["rank_corr"][photo] == pytest.approx(rho, abs=1e-12)
        top = lambda w: set(np.argsort(-w)[:5].tolist())  # noqa: E731
        assert page["top_overlap"][photo] == len(top(lime) & top(shap))
        # the two seeds' top five, each refitted with scikit-learn on its samples
        fits = [Ridge(alpha=1.0).fit(*page["samples"][photo, s][:2], sample_weight=page["samples"][photo, s][2]) for s in (page["SEED"], page["other"])]
        assert page["seed_overlap"][photo, page["n_samples"]] == len(top(fits[0].coef_) & top(fits[1].coef_))
        np.testing.assert_allclose(page["lime_other"][photo][0], fits[1].coef_, atol=1e-10)


def test_the_top_superpixel_s_probability_drop_recomputed(page):
    for i, photo in enumerate(page["photos"]):
        label, image, segments = page["classes"][photo], page["images"][i], page["segments"][photo]
        p_photo = page["proba"][i, label]
        fills = {"mean colour": mean_colour_fill(image, segments), "blur": box_blur(image, 63)}
        for fill_name, method in (("mean colour", "LIME"), ("blur", "SHAP"), ("blur", "LIME")):
            weights = page["lime_hand"][photo][0] if method == "LIME" else page["shap_totals"][photo]
            top = int(np.argmax(weights))
            assert page["rankings"][photo][method][0] == top
            removed = np.where((segments == top)[..., None], fills[fill_name], image)
            drop = p_photo - probability(removed[None], label)[0]
            assert page["drops"][photo, fill_name, method, 1] == pytest.approx(drop, abs=1e-4)
        # the table's numbers: each method's drop averaged over k
        for fill_name in ("mean colour", "blur"):
            for method in ("LIME", "SHAP"):
                mean = np.mean([page["drops"][photo, fill_name, method, k] for k in page["ks"]])
                assert page["score"][photo, fill_name, method] == pytest.approx(mean)


def test_figures_use_symmetric_diverging_scales(page):
    signed = [im for fig in page["_figures"] for ax in fig.axes for im in ax.get_images() if im.get_cmap().name == DIVERGING]
    # LIME (2), SHAP per pixel and per superpixel (2 + 2), two seeds (2 x 2)
    assert len(signed) == 2 + 4 + 4
    assert all(im.get_clim()[0] == -im.get_clim()[1] for im in signed)
    assert len(page["_figures"]) == 6
