"""The numbers page I8 (deep feature factorization on photos) states, recomputed.

The page runs once, in quick mode (``run_quick``), for the whole module. Each test
recomputes what the page computed in another way: the features without hooks
(``extract_features``), the reconstruction errors and the best rank-k errors with
numpy, the concepts of the hand-written NMF against the helper's, each concept's class
list with the classifier's weights in float64, each concept's term of the logit by
removing the concept from the features, and the blurred probabilities by rebuilding
the blurred photo another way. Float comparisons use the tolerance that rounding
alone explains (:func:`mlviz.report.rounding_tolerance`), or the precision the page
prints. Nothing is downloaded: the network and the photos come from installed wheels.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from scipy.ndimage import gaussian_filter  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402

from mlviz._torch import one_thread  # noqa: E402
from mlviz.models import load_efficientnet_lite0, photo_tensors  # noqa: E402
from mlviz.report import rounding_tolerance  # noqa: E402

from .conftest import run_quick  # noqa: E402

pytestmark = pytest.mark.slow

PAGE = "09_imagenet/plot_08_deep_feature_factorization.py"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run the page once, in quick mode, for all the tests of this module."""
    yield run_quick(PAGE, tmp_path_factory.mktemp("page"))
    plt.close("all")


@pytest.fixture(scope="module")
def model():
    return load_efficientnet_lite0()


def flat(heatmaps):
    """(N, k, h, w) -> (N*h*w, k), the rows of W in the page's order."""
    return heatmaps.transpose(0, 2, 3, 1).reshape(-1, heatmaps.shape[1])


def unit(M):
    return M / np.linalg.norm(M, axis=1, keepdims=True)


def test_the_features_are_the_head_relu6(page, model):
    """The hooked batch norm, clamped by hand, is what ``extract_features`` returns."""
    with one_thread(), torch.no_grad():  # the thread count the page ran with
        features = model.extract_features(photo_tensors(page["photos"]))
    # the same float32 kernels on the same batch: the same bits
    np.testing.assert_array_equal(page["features"], features.double().numpy())
    assert page["features"].shape == (4, 1280, 7, 7)
    assert page["mid"].shape == (4, 672, 14, 14) and page["mid"].min() >= 0


def test_the_errors_and_the_best_rank_k_errors_are_recomputed(page):
    V = page["features"].transpose(0, 2, 3, 1).reshape(-1, 1280)
    # float64 sums of V.size squares on both sides
    rel = rounding_tolerance("float64", 1.0, V.size)
    U, s, Vt = np.linalg.svd(V, full_matrices=False)
    for kk, (heatmaps, concepts) in page["by_k"].items():
        assert (heatmaps >= 0).all() and (concepts >= 0).all()
        error = np.linalg.norm(V - flat(heatmaps) @ concepts) / np.linalg.norm(V)
        assert page["errors"][kk] == pytest.approx(error, rel=rel)
        # the best rank-kk matrix, built (not only its singular values summed)
        best = U[:, :kk] * s[:kk] @ Vt[:kk]
        best_error = np.linalg.norm(V - best) / np.linalg.norm(V)
        assert page["best"][kk] == pytest.approx(best_error, rel=rel)
        # Eckart-Young: no rank-kk matrix beats the truncated SVD, NMF's included
        assert page["errors"][kk] >= best_error
        # NMF's error within 5% of the best rank-kk error, as the page says
        assert error - best_error < 0.05 * error
    assert page["best"][10] > 0.5  # "no rank-10 matrix leaves out less than half"
    errors = [page["errors"][kk] for kk in sorted(page["errors"])]
    assert errors == sorted(errors, reverse=True)


def test_the_hand_written_nmf_finds_the_helpers_ten_concepts(page):
    """Two solvers and two starts: the same concepts up to order and scale."""
    W, H, V = page["W"].numpy(), page["H"].numpy(), page["V"]
    assert (W >= 0).all() and (H >= 0).all()
    by_hand = np.linalg.norm(V - W @ H) / np.linalg.norm(V)
    assert page["error_by_hand"] == pytest.approx(
        by_hand, rel=rounding_tolerance("float64", 1.0, V.size)
    )
    # The two fits stop at different iterations, so they agree to the precision the
    # page prints (three decimals), not to rounding.
    assert abs(by_hand - page["errors"][page["k"]]) < 0.5e-3
    cosines = unit(page["concepts"]) @ unit(H).T
    rows, cols = linear_sum_assignment(-cosines)
    assert cosines[rows, cols].min() > 0.99
    # and a concept of one run is not close to any other concept of the other
    off = cosines.copy()
    off[rows, cols] = 0
    assert off.max() < 0.9


def test_the_page_counts_what_the_figure_shows(page):
    """Concepts holding 15% of a photo's mass are the ones that colour a region."""
    for kk, (heatmaps, _) in page["by_k"].items():
        mass = heatmaps.sum(axis=(2, 3))
        counts = (mass >= 0.15 * mass.sum(1, keepdims=True)).sum(1)
        np.testing.assert_array_equal(page["counts"][kk], counts)
        dominant = heatmaps.argmax(1)
        for i, n in enumerate(counts):
            cells = np.bincount(dominant[i].ravel(), minlength=kk)
            # each counted concept dominates a visible region: at least 5 of 49 cells
            heavy = np.argsort(-mass[i])[:n]
            assert (cells[heavy] >= 5).all(), (kk, i, cells)
    # the page's claims, recomputed: four concepts, one per photo; ten split all four
    assert list(page["counts"][4]) == [1, 1, 1, 1]
    assert len(set(page["by_k"][4][0].sum(axis=(2, 3)).argmax(1))) == 4
    assert min(page["counts"][10]) >= 2


def test_the_concepts_class_lists_by_hand(page, model):
    fc_w = model._fc.weight.detach().double().numpy()
    fc_b = model._fc.bias.detach().double().numpy()
    heatmaps, concepts = page["heatmaps"], page["concepts"]
    strongest = flat(heatmaps).max(0)  # each concept's largest value at one position
    for j in range(page["k"]):
        h = concepts[j] * strongest[j]
        logits = fc_w @ h + fc_b
        proba = np.exp(logits - logits.max())
        proba /= proba.sum()
        # float32 logits: 1280 products and the bias, plus the input's own rounding
        dz = rounding_tolerance("float32", (np.abs(fc_w * h).sum(1) + np.abs(fc_b)).max(), 1282)
        np.testing.assert_allclose(page["concept_proba"][j], proba, rtol=0, atol=2 * dz)
        first, second = np.argsort(-proba)[:2]
        assert proba[first] - proba[second] > 4 * dz  # no tie rounding could flip
        assert page["concept_top3"][j, 0] == first
        assert page["first"][j] == page["names"][first]
    # the naming claim: the cat's and the coffee's concepts read their photo's class
    for i in (0, 1):
        assert set(page["concept_top3"][page["per_photo"][i], 0]) == {page["top"][i]}


def test_each_concepts_term_is_what_removing_it_from_the_features_changes(page):
    fc_w, fc_b = page["fc_w"], page["fc_b"]
    features, heatmaps, concepts = page["features"], page["heatmaps"], page["concepts"]
    for i, c in enumerate(page["top"]):
        F = features[i].reshape(features.shape[1], -1)  # (1280, 49)
        logit = fc_w[c] @ F.mean(1) + fc_b[c]
        rebuilt = concepts.T @ heatmaps[i].reshape(page["k"], -1)  # W H, (1280, 49)
        # float64 on both sides: sums of up to k x 1280 x 49 non-negative products,
        # each weighted by |w|, no larger in total than |w| . (F + W H) / 49
        scale = np.abs(fc_w[c]) @ (F + rebuilt).mean(1) + abs(fc_b[c])
        tol = rounding_tolerance("float64", scale, page["k"] * F.size)
        for j in range(page["k"]):
            without = fc_w[c] @ (F - np.outer(concepts[j], heatmaps[i, j].ravel())).mean(1)
            assert logit - fc_b[c] - without == pytest.approx(page["contribution"][i, j], abs=tol)
        assert fc_w[c] @ (F - rebuilt).mean(1) == pytest.approx(page["left_out"][i], abs=tol)
        # the network's float32 logit, within the rounding of its mean and its sum
        assert abs(logit - page["logits"][i, c]) <= page["tolerance"][i]
    assert (page["own"] > 0.5 * page["logit"]).all()


def test_the_logit_tolerance_catches_the_wrong_layer(page):
    """The identity claim can fail: the head's features before the ReLU6 break it."""
    fc_w, fc_b, top = page["fc_w"], page["fc_b"], page["top"]
    unclamped = page["kept"]["head"].double().numpy().mean(axis=(2, 3))
    gap = np.abs((fc_w[top] * unclamped).sum(1) + fc_b[top] - page["logit"])
    assert (gap > 100 * np.array(page["tolerance"])).all()
    # and the tolerance is the rounding bound of a mean of 49 and a sum of 1280 terms
    scale = np.abs(fc_w[top] * page["features"].mean(axis=(2, 3))).sum(1) + np.abs(fc_b[top])
    expected = [rounding_tolerance("float32", s, 1280 + 49) for s in scale]
    np.testing.assert_allclose(page["tolerance"], expected, rtol=1e-12)


def test_the_blurred_probabilities_are_recomputed(page, model):
    images, heatmaps, top = page["images"], page["heatmaps"], page["top"]
    blurred = np.stack(
        [np.stack([gaussian_filter(im[..., ch], 8) for ch in range(3)], axis=-1) for im in images]
    )
    np.testing.assert_array_equal(blurred, page["blurred"])

    def probability(i, cells):
        mask = cells.repeat(32, 0).repeat(32, 1)[..., None]
        x = torch.from_numpy(np.where(mask, blurred[i], images[i]) * 2 - 1)
        with one_thread(), torch.no_grad():
            out = model(x.permute(2, 0, 1)[None].float())
        return out.softmax(1)[0, top[i]].item()

    dy, dx = page["shifts"][1]
    for j, i in enumerate(page["main_photo"]):
        cells = heatmaps[i].argmax(0) == j
        assert cells.sum() == page["n_cells"][j] > 0
        # one image instead of a batch: another kernel path, so the probabilities
        # agree to the two decimals the page prints, not bit for bit
        assert abs(probability(i, cells) - page["mask_p"][j]) < 0.005
        shifted = np.roll(np.roll(cells, dy, axis=0), dx, axis=1)
        assert abs(probability(i, shifted) - page["shifted_p"][j, 1]) < 0.005
        overlap = [(np.roll(cells, s, axis=(0, 1)) & cells).sum() / cells.sum() for s in page["shifts"]]
        assert page["overlap"][j] == pytest.approx(np.mean(overlap))
        # any shift of a mask of n of 49 cells keeps at least 2n - 49 of them
        n = cells.sum()
        assert page["overlap"][j] >= (2 * n - 49) / n - 1e-12
    np.testing.assert_array_equal(page["higher"], (page["shifted_p"] > page["mask_p"][:, None]).mean(1))
    assert len(page["shifts"]) == 8  # quick mode: every sixth of the 48 shifts


def test_the_drawn_figures(page):
    figures, k = page["_figures"], page["k"]
    assert len(figures) == 4
    # the sweep: one row per k, four photos each, the error in the row label
    sweep = figures[0].axes
    assert len(sweep) == 16
    labels = [ax.get_ylabel() for ax in sweep[::4]]
    assert labels == [f"k = {kk}\nerror {page['errors'][kk]:.2f}" for kk in (2, 4, 6, 10)]
    # block 11: four photos, a legend of six concepts with the photos holding >= 10%
    texts = [t.get_text() for t in figures[1].legends[0].get_texts()]
    assert len(texts) == 6
    shares = page["photo_shares"](page["mid_heatmaps"])
    for j, text in enumerate(texts):
        assert text == f"{j}: " + ", ".join(np.array(page["photos"])[shares[j] >= 0.1])
    # the named figure: each photo's legend lists its concepts and their first class
    labels = [t.get_text() for ax in figures[2].axes for t in ax.get_legend().get_texts()]
    assert sorted(labels) == sorted(f"{j}: {page['first'][j]}" for j in range(k))
    # the dot plot: one large dot per concept at its blurred probability, grey dots
    dots = figures[3].axes[0]
    grey, large = dots.collections[:2]
    np.testing.assert_allclose(large.get_offsets()[:, 1], page["mask_p"])
    assert len(grey.get_offsets()) == k * len(page["shifts"])


def test_the_blocks_end_in_a_linear_layer_with_both_signs(page, model):
    """The page says the blocks' outputs take both signs (why NMF needs the ReLU6)."""
    kept = {}
    hook = model._blocks[-1].register_forward_hook(lambda m, i, o: kept.update(out=o))
    try:
        with one_thread(), torch.no_grad():
            model(photo_tensors(page["photos"]))
    finally:
        hook.remove()
    negative = (kept["out"] < 0).double().mean().item()
    assert 0.1 < negative < 0.9, negative
    assert (page["features"] >= 0).all() and (page["features"] <= 6).all()


def shared_by_most(shares, at_least=0.1):
    """The block-11 claim: most concepts hold >= 10% of their mass in two photos or more."""
    return np.mean((shares >= at_least).sum(1) >= 2) > 0.5


def test_the_layer_comparison_claim_holds_and_can_fail(page):
    head = page["photo_shares"](page["by_k"][6][0])
    block = page["photo_shares"](page["mid_heatmaps"])
    assert shared_by_most(block) and head.max(1).min() > 0.8
    # the opposite case: the head's concepts, each in one photo, are not shared by most
    assert not shared_by_most(head)
    np.testing.assert_allclose(page["main_share"]["head"], head.max(1))
    assert [len(h) for h in page["hosts"]] == list((block >= 0.1).sum(1))


def distinct_names(first, concepts):
    return len({first[j] for j in concepts}) == len(concepts)


def test_the_naming_claim_holds_and_can_fail(page):
    first, per_photo = page["first"], page["per_photo"]
    assert distinct_names(first, per_photo[2]) and len(per_photo[2]) >= 3
    # the opposite case: the cat's concepts share one name
    assert not distinct_names(first, per_photo[0])


def most_beat_their_copies(higher, strongest):
    """The blur claim: for most photos the strongest concept's cells lower p more than
    most of their shifted copies."""
    return sum(higher[j] > 0.5 for j in strongest) > len(strongest) / 2


def test_the_blur_claim_holds_and_can_fail(page):
    higher, strongest, overlap = page["higher"], page["strongest"], page["overlap"]
    assert most_beat_their_copies(higher, strongest)
    # where the copies do as well, they blur most of the concept's cells
    assert all(overlap[j] > 0.5 for j in strongest if higher[j] <= 0.5)
    # the opposite case: the copies lower p as much, or more
    assert not most_beat_their_copies(1 - higher, strongest)
    # the strongest concept is the one with the largest logit term in its photo
    for i, j in enumerate(strongest):
        js = page["per_photo"][i]
        assert page["contribution"][i, j] == page["contribution"][i, js].max()
