"""Page K5 (superposition in a toy model) and :mod:`mlviz.models.toy`.

The page's loss is recomputed with torch, its counts with norms summed by hand, the
interference with explicit loops over feature pairs and the autoencoder's score from
angles (``cos(a - b)``) instead of normalised dot products. Each claim is then fed the
opposite case (a model that keeps only ``m`` features, one that keeps the least
important ones, one whose dense features interfere more than its sparse ones) and must
fail. The helpers are checked on tiny configurations: a cached result is read back
equal, errors name their argument.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from mlviz.models.toy import (  # noqa: E402
    features_represented,
    interference,
    max_cosine,
    plot_feature_geometry,
    toy_superposition,
)
from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import rerun_cell, run_quick  # noqa: E402

PAGE = "11_robustness_mechanisms/plot_05_superposition.py"
COUNT_CELL = "How many features, and how much interference"


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    return run_quick(PAGE, tmp_path_factory.mktemp("k5"))


def _polygon(k, radius=1.0, start=0.0):
    angles = start + 2 * np.pi * np.arange(k) / k
    return radius * np.c_[np.cos(angles), np.sin(angles)]


# -- the page's numbers, computed another way ------------------------------------------


@pytest.mark.slow
def test_loss_recomputed_with_torch(ns):
    x = torch.tensor(ns["x"], dtype=torch.float64)  # the last sparsity's samples
    W, b = (
        torch.tensor(ns["W"][-1], dtype=torch.float64),
        torch.tensor(ns["b"][-1], dtype=torch.float64),
    )
    out = torch.nn.functional.relu(torch.einsum("bn,nm,km->bk", x, W, W) + b)
    weights = torch.tensor(ns["importance"], dtype=torch.float64)
    loss = (((x - out) ** 2) @ weights).mean().item()
    assert abs(loss - ns["eval_loss"][-1]) <= rounding_tolerance(
        np.float64, loss, x.numel()
    )
    assert np.allclose(ns["importance"], 0.9 ** np.arange(5))


@pytest.mark.slow
def test_counts_and_interference_recomputed(ns):
    W = ns["W"]
    for s, W_s in enumerate(W):
        norms = np.array([sum(v * v for v in row) ** 0.5 for row in W_s])
        assert ns["count"][s] == (norms > 0.5).sum()
        # the norms sit near 0 or near 1: any cut between gives the same count
        assert (norms > 0.3).sum() == (norms > 0.7).sum() == ns["count"][s]
        for i in range(W_s.shape[0]):
            leak = sum(
                (W_s[i] @ W_s[j] / norms[i]) ** 2 for j in range(W_s.shape[0]) if j != i
            )
            assert abs(leak - ns["leak"][s, i]) <= rounding_tolerance(
                np.float32, leak + 1, 2 * W_s.size
            )
    assert ns["count"][0] <= ns["m"] < ns["count"][-1]


@pytest.mark.slow
def test_sae_score_recomputed_from_angles(ns):
    W, decoder = ns["W"][-1], ns["decoder"]
    assert np.allclose(np.linalg.norm(decoder, axis=1), 1, atol=1e-6)
    feature_angle = np.arctan2(W[:, 1], W[:, 0])
    unit_angle = np.arctan2(decoder[:, 1], decoder[:, 0])
    cos = np.cos(feature_angle[:, None] - unit_angle[None, :])
    assert np.allclose(cos.max(1), ns["best"], atol=1e-6)
    assert (cos.argmax(1) == ns["which"]).all()
    assert ns["beats"] == np.mean(ns["random_scores"] >= ns["best"].mean())
    # the verdict printed is the one the numbers choose
    recovered = ns["beats"] < 0.01 and len(set(ns["which"])) == len(ns["best"])
    assert ("has found the features" in ns["verdict"]) == recovered


# -- each claim fed the opposite case ---------------------------------------------------


@pytest.mark.slow
def test_count_claim_fails_for_a_model_without_superposition(ns):
    only_m = np.zeros_like(ns["W"])
    only_m[:, 0], only_m[:, 1] = (
        [1.0, 0.0],
        [0.0, 1.0],
    )  # two orthogonal features at every S
    with pytest.raises(ClaimError, match="very sparse"):
        rerun_cell(PAGE, ns, COUNT_CELL, W=only_m)


@pytest.mark.slow
def test_importance_claim_fails_when_the_least_important_are_kept(ns):
    W = np.zeros_like(ns["W"])
    W[0, 3], W[0, 4] = [1.0, 0.0], [0.0, 1.0]
    W[1:] = _polygon(5)
    with pytest.raises(ClaimError, match="most important"):
        rerun_cell(PAGE, ns, COUNT_CELL, W=W)


@pytest.mark.slow
def test_interference_claim_fails_when_dense_features_interfere_more(ns):
    W = np.zeros_like(ns["W"])
    W[0, :2] = 1.5 * np.array(
        [[1.0, 0.0], [np.cos(0.2), np.sin(0.2)]]
    )  # nearly parallel
    W[1:] = _polygon(5)
    with pytest.raises(ClaimError, match="interference"):
        rerun_cell(PAGE, ns, COUNT_CELL, W=W)


@pytest.mark.slow
def test_page_draws_one_panel_per_sparsity(ns):
    geometry = ns["_figures"][0]
    assert len(geometry.axes) == len(ns["sparsities"])
    assert all(len(ax.lines) == 2 * ns["W"].shape[1] for ax in geometry.axes)


# -- the helpers ----------------------------------------------------------------------


def test_toy_training_is_cached_and_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path))
    settings = dict(
        n_features=3, steps=20, batch_size=16, n_instances=2, sae_batch_size=16
    )
    first = toy_superposition([0.0, 0.9], sae_sparsity=0.9, **settings)
    stored = list((tmp_path / "toy-models").glob("*.npz"))
    assert len(stored) == 1 and not list((tmp_path / "toy-models").glob("*.tmp*"))
    again = toy_superposition(
        [0.0, 0.9], sae_sparsity=0.9, **settings
    )  # read from the file
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path / "fresh"))
    retrained = toy_superposition([0.0, 0.9], sae_sparsity=0.9, **settings)
    for key in ("W", "b", "loss", "decoder", "importance"):
        assert np.array_equal(first[key], again[key]) and np.array_equal(
            first[key], retrained[key]
        )
    assert first["W"].shape == (2, 3, 2) and first["decoder"].shape == (10, 2)


def test_helpers_on_known_geometry():
    pentagon = _polygon(5)
    assert features_represented(pentagon).all()
    assert np.allclose(
        interference(pentagon),
        2 * (np.cos(0.4 * np.pi) ** 2 + np.cos(0.8 * np.pi) ** 2),
    )
    square = np.r_[_polygon(2, start=0.0)[:1], [[0.0, 1.0]], [[0.0, 0.0]]]
    assert list(features_represented(square)) == [True, True, False]
    assert np.allclose(interference(square), 0)
    best, which = max_cosine(pentagon, pentagon[::-1] * 3)
    assert np.allclose(best, 1) and list(which) == [4, 3, 2, 1, 0]
    ax = plot_feature_geometry(pentagon, 0.9 ** np.arange(5))
    assert len(ax.lines) == 10 and ax.get_aspect() == 1.0


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="sparsities"):
        toy_superposition([1.0])
    with pytest.raises(ValueError, match="sae_sparsity"):
        toy_superposition([0.0, 0.5], sae_sparsity=0.9)
    with pytest.raises(ValueError, match="W must"):
        features_represented(np.zeros(3))
    with pytest.raises(ValueError, match="directions"):
        max_cosine(np.ones((2, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="W must"):
        plot_feature_geometry(np.ones((3, 3)), np.ones(3))
