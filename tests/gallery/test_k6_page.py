"""Page K6 (grokking on modular addition) and :mod:`mlviz.models.grokking`.

The page's Fourier norms are recomputed with ``numpy.fft`` (Parseval: the cos and sin
coefficients of frequency ``k`` carry ``2 |F_k|^2 / p``), its accuracies and losses
from the cached weights through a torch network that concatenates the embeddings
explicitly, the memorization and generalization steps with a loop over the history,
the Wilson bounds from the formula, and the restricted and excluded logits with a 2-D
FFT over the ``(a, b)`` grid (the waves of ``a + b`` are the diagonal frequencies
``(k, k)``). Each claim is then fed the opposite case (no plateau, a weight norm that
never falls, a random embedding, a spectrum that stays flat until the network
generalizes, ablations that swap key and other frequencies) and must fail. The helpers
are checked on a tiny configuration: a cached run is read back equal, errors name
their argument.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import matplotlib

matplotlib.use("agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from scipy.special import log_softmax  # noqa: E402

from mlviz.models.grokking import (  # noqa: E402
    first_step_at,
    fourier_basis,
    frequency_norms,
    key_frequencies,
    modular_pairs,
    restricted_excluded_loss,
    top_share,
    train_modular_addition,
)
from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import rerun_cell, run_quick  # noqa: E402

PAGE = "11_robustness_mechanisms/plot_06_grokking.py"
PHASES = "When does it memorize"
NORM = "## The weight norm"
FOURIER = "The embedding in the Fourier basis"
PROGRESS = "builds up during the plateau"
ABLATION = "Does the network use those frequencies"


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    return run_quick(PAGE, tmp_path_factory.mktemp("k6"))


def fft_norms(matrix):
    """Norm per frequency from numpy's complex DFT over the rows (Parseval)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    p = matrix.shape[-2]
    power = (np.abs(np.fft.fft(matrix, axis=-2)) ** 2).sum(-1)
    half = power[..., 1 : (p + 1) // 2] * 2 / p
    return np.sqrt(np.concatenate([power[..., :1] / p, half], axis=-1))


def wilson_high(right, n, z=1.959963984540054):
    centre = (right + z * z / 2) / (n + z * z)
    spread = z * np.sqrt(right * (n - right) / n + z * z / 4) / (n + z * z)
    return centre + spread


# -- the page's numbers, computed another way ------------------------------------------


def test_fourier_norms_match_numpy_fft():
    rng = np.random.default_rng(1)
    for p in (3, 7, 59):
        E = rng.normal(size=(p, 5))
        expected = fft_norms(E)
        assert np.allclose(frequency_norms(E), expected, rtol=1e-12, atol=1e-12)
        assert np.isclose((expected**2).sum(), (E**2).sum())  # Parseval
        basis, frequency = fourier_basis(p)
        assert np.allclose(basis @ basis.T, np.eye(p), atol=1e-12)
        assert list(np.bincount(frequency)) == [1] + [2] * ((p - 1) // 2)
    stack = rng.normal(size=(4, 7, 3))
    assert np.allclose(frequency_norms(stack), fft_norms(stack))


@pytest.mark.slow
def test_page_spectra_and_shares_recomputed(ns):
    expected = fft_norms(ns["run"].embeddings)
    tol = rounding_tolerance(
        np.float32, np.abs(ns["run"].embeddings).sum(1).max(), ns["p"]
    )
    assert np.allclose(ns["norms"], expected, rtol=0, atol=tol)
    squared = expected[-1, 1:] ** 2
    assert sorted(ns["key"]) == sorted(1 + np.flatnonzero(squared > squared.mean()))
    k = ns["k"]
    total = (expected[-1] ** 2).sum()
    assert np.isclose(ns["share_final"], np.sort(squared)[-k:].sum() / total)
    assert np.isclose(ns["share"][-1], squared[ns["key"] - 1].sum() / total)


@pytest.mark.slow
def test_accuracies_and_losses_recomputed_from_the_cached_model(ns):
    run = ns["run"]
    params = {k: torch.tensor(v, dtype=torch.float64) for k, v in run.params.items()}
    embed = torch.nn.Embedding.from_pretrained(params["embed"])
    hidden = torch.nn.Linear(*params["W_in"].shape, dtype=torch.float64)
    hidden.weight.data, hidden.bias.data = params["W_in"].T, params["b_in"]
    a, b, y = (torch.as_tensor(v) for v in modular_pairs(ns["p"]))
    last = run.history.iloc[-1]
    for rows, split in ((run.train_index, "train"), (run.test_index, "test")):
        x = torch.cat([embed(a[rows]), embed(b[rows])], dim=1)
        logits = torch.relu(hidden(x)) @ params["W_out"]
        right = (logits.argmax(1) == y[rows]).sum().item()
        assert right == round(last[f"{split}_acc"] * len(rows))
        loss = torch.nn.functional.cross_entropy(logits, y[rows]).item()
        # float32 logits are off by at most `wrong`; -log p_y moves by at most
        # 2 * wrong * (1 - p_y) <= 2 * wrong * loss, plus the rounding of log-sum-exp
        terms = (torch.relu(hidden(x)).abs() @ params["W_out"].abs()).max().item()
        wrong = rounding_tolerance(np.float32, terms, params["W_out"].shape[0])
        tol = 2 * wrong * loss + rounding_tolerance(np.float32, 1.0, ns["p"])
        assert abs(loss - last[f"{split}_loss"]) <= tol
    assert len(run.train_index) == round(ns["train_fraction"] * ns["p"] ** 2)
    assert np.intersect1d(run.train_index, run.test_index).size == 0


@pytest.mark.slow
def test_steps_and_wilson_bounds_recomputed(ns):
    rows = list(ns["history"].itertuples())
    mem = next(r.step for r in rows if r.train_acc >= 0.99)
    gen = next(r.step for r in rows if r.test_acc >= 0.99)
    assert (mem, gen) == (ns["memorized"], ns["generalized"])
    assert ns["peak"] == max(rows, key=lambda r: r.weight_norm).step
    n = ns["n_test"]
    for acc in (0.0, 0.01, 0.4, 0.47, 0.6):
        right = round(acc * n)
        assert ns["most_wrong"](acc, n) == (wilson_high(right, n) < 0.5)
    assert mem < gen and ns["leaves"] < gen


@pytest.mark.slow
def test_restricted_and_excluded_recomputed_with_a_2d_fft(ns):
    run, p = ns["run"], ns["p"]
    a, b, y = modular_pairs(p)
    grid = run.logits(a, b).reshape(p, p, p)  # (a, b, c)
    spectrum = np.fft.fft2(grid, axes=(0, 1))
    for name, freqs in (("key", ns["key"]), ("others", ns["others"])):
        mask = np.zeros((p, p), bool)
        mask[freqs, freqs] = mask[p - freqs, p - freqs] = True
        along = np.fft.ifft2(spectrum * mask[:, :, None], axes=(0, 1)).real
        along = along.reshape(p * p, p)
        flat = grid.reshape(p * p, p)
        restricted = log_softmax(flat.mean(0) + along, axis=1)
        excluded = log_softmax(flat - along, axis=1)
        test, train = run.test_index, run.train_index
        got = ns["ablation"][name]
        assert np.isclose(
            got["restricted"], -restricted[test, y[test]].mean(), atol=1e-9
        )
        assert np.isclose(got["excluded"], -excluded[train, y[train]].mean(), atol=1e-9)
        assert got["restricted_acc"] == (restricted[test].argmax(1) == y[test]).mean()
        assert got["excluded_acc"] == (excluded[train].argmax(1) == y[train]).mean()
    assert not set(ns["others"]) & set(ns["key"])


@pytest.mark.slow
def test_page_draws_what_it_says(ns):
    curves, spectra, progress = ns["_figures"]
    assert len(curves.axes) == 3 and all(ax.get_xscale() == "log" for ax in curves.axes)
    assert curves.axes[1].get_yscale() == "log"
    half = (ns["p"] - 1) // 2
    for ax in spectra.axes:
        assert len(ax.patches) == half
        colours = [bar.get_facecolor() for bar in ax.patches]
        counts = sorted(colours.count(c) for c in set(colours))
        assert counts == sorted([ns["k"], half - ns["k"]])
    assert len(progress.axes[0].lines) == 3


# -- each claim fed the opposite case --------------------------------------------------


@pytest.mark.slow
def test_phase_claims_fail_without_a_plateau(ns):
    together = ns["history"].copy()
    together["test_acc"] = together["train_acc"]  # generalizes as it memorizes
    with pytest.raises(ClaimError, match="most test pairs wrong"):
        rerun_cell(PAGE, ns, PHASES, history=together)
    never = ns["history"].copy()
    never["test_acc"] = np.minimum(never["test_acc"], 0.5)
    with pytest.raises(ClaimError, match="generalizes"):
        rerun_cell(PAGE, ns, PHASES, history=never)
    calm = ns["history"].copy()
    calm["test_loss"] = np.log(ns["p"]) / 2
    with pytest.raises(ClaimError, match="uniform guess"):
        rerun_cell(PAGE, ns, PHASES, history=calm)
    forgets = ns["history"].copy()
    forgets.loc[forgets.step > ns["memorized"] + 20, "train_acc"] = 0.9
    with pytest.raises(ClaimError, match="keeps its training accuracy"):
        rerun_cell(PAGE, ns, PHASES, history=forgets)


@pytest.mark.slow
def test_norm_claim_fails_when_the_norm_never_falls(ns):
    rising = ns["history"].copy()
    rising["weight_norm"] = np.arange(len(rising), dtype=float) + 1
    with pytest.raises(ClaimError, match="norm grows"):
        rerun_cell(PAGE, ns, NORM, history=rising, at=rising.set_index("step"))
    late = ns["history"].copy()
    late.loc[late.step == ns["generalized"], "weight_norm"] = 1e3  # peaks at the jump
    with pytest.raises(ClaimError, match="norm grows"):
        rerun_cell(PAGE, ns, NORM, history=late, at=late.set_index("step"))


@pytest.mark.slow
def test_sparsity_claims_fail_for_a_random_embedding(ns):
    run = ns["run"]
    rng = np.random.default_rng(5)
    random = dataclasses.replace(run, embeddings=rng.normal(size=run.embeddings.shape))
    with pytest.raises(ClaimError, match="carry most of the norm"):
        rerun_cell(PAGE, ns, FOURIER, run=random, rng=np.random.default_rng(0))
    final = run.embeddings[-1]
    frozen = run.embeddings.copy()  # the memorizing network nearly as sparse as the end
    frozen[:-1] = final + 0.1 * final.std() * rng.normal(size=final.shape)
    with pytest.raises(ClaimError, match="closer to a random"):
        rerun_cell(
            PAGE,
            ns,
            FOURIER,
            run=dataclasses.replace(run, embeddings=frozen),
            rng=np.random.default_rng(0),
        )


@pytest.mark.slow
def test_progress_claim_fails_when_the_structure_comes_with_the_jump(ns):
    norms = ns["norms"].copy()
    flat = ns["history"].step.to_numpy() < ns["generalized"]
    norms[flat] = 1.0  # a flat spectrum until the network generalizes
    with pytest.raises(ClaimError, match="stand out while most test pairs"):
        rerun_cell(PAGE, ns, PROGRESS, norms=norms)


@pytest.mark.slow
def test_ablation_claims_fail_when_key_and_other_frequencies_swap(ns):
    key, others = ns["key"], ns["others"]

    class Picks:
        def choice(self, *args, **kwargs):
            return key

    with pytest.raises(ClaimError, match="key frequencies alone"):
        rerun_cell(PAGE, ns, ABLATION, key=others, rng=np.random.default_rng(0))
    with pytest.raises(ClaimError, match="other frequencies carry nothing"):
        rerun_cell(PAGE, ns, ABLATION, rng=Picks())


# -- the helpers ----------------------------------------------------------------------


def test_training_is_cached_and_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path))
    settings = dict(train_fraction=0.5, d_embed=4, d_hidden=8, steps=20, log_every=5)
    first = train_modular_addition(7, **settings)
    stored = list((tmp_path / "grokking").glob("*.npz"))
    assert len(stored) == 1 and not list((tmp_path / "grokking").glob("*.tmp*"))
    again = train_modular_addition(7, **settings)  # read from the file
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path / "fresh"))
    retrained = train_modular_addition(7, **settings)
    for other in (again, retrained):
        assert other.history.equals(first.history)
        assert np.array_equal(other.embeddings, first.embeddings)
        for name, value in first.params.items():
            assert np.array_equal(other.params[name], value)
    assert list(first.history.step) == [0, 5, 10, 15, 20]
    assert first.embeddings.shape == (5, 7, 4)
    assert np.array_equal(first.embeddings[-1], first.params["embed"])
    assert sorted(np.r_[first.train_index, first.test_index]) == list(range(49))


def test_helpers_on_known_spectra():
    p = 11
    x = np.arange(p)
    wave = np.c_[np.cos(2 * np.pi * 3 * x / p), np.sin(2 * np.pi * 5 * x / p)]
    norms = frequency_norms(wave)
    assert sorted(key_frequencies(norms)) == [3, 5]
    assert np.isclose(top_share(norms, 2), 1.0)
    assert np.isclose(norms[3] ** 2, p / 2) and np.isclose(norms[5] ** 2, p / 2)
    # "a spread spectrum puts about half there" (the page): Gaussian matrices
    counts = [
        len(
            key_frequencies(
                frequency_norms(np.random.default_rng(s).normal(size=(97, 64)))
            )
        )
        for s in range(50)
    ]
    assert 0.35 < np.mean(counts) / 48 < 0.55
    flat = np.ones(6)
    assert len(key_frequencies(flat)) == 0 and np.isclose(top_share(flat, 1), 1 / 6)
    frame = pd.DataFrame({"step": [0, 10, 20], "acc": [0.1, 0.995, 1.0]})
    assert first_step_at(frame, "acc", 0.99) == 10
    assert first_step_at(frame, "acc", 1.5) is None


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="p must"):
        fourier_basis(8)
    with pytest.raises(ValueError, match="p must"):
        train_modular_addition(10)
    with pytest.raises(ValueError, match="train_fraction"):
        train_modular_addition(7, train_fraction=1.0)
    with pytest.raises(ValueError, match="log_every"):
        train_modular_addition(7, steps=25, log_every=10)
    with pytest.raises(ValueError, match="matrix must"):
        frequency_norms(np.ones(5))
    with pytest.raises(ValueError, match="norms must"):
        key_frequencies(np.ones((2, 3)))
    with pytest.raises(ValueError, match="k must"):
        top_share(np.ones(4), 4)
    with pytest.raises(ValueError, match="frequencies must"):
        restricted_excluded_loss(SimpleNamespace(config={"p": 7}), [0])
    with pytest.raises(ValueError, match="column must"):
        first_step_at(pd.DataFrame({"step": [0]}), "acc", 0.5)
