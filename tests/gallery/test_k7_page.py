"""Page K7 (induction heads in a tiny transformer) and :mod:`mlviz.models.induction`.

The page's numbers are recomputed by a second forward pass written out in NumPy,
float64, from the trained weights: one head at a time, scores ``q . k`` with an explicit
lower-triangular mask and a hand-written softmax, head outputs ``pattern @ v @ W_O``.
From it come the attention patterns, the previous-token and induction scores (read
with explicit loops over queries), the loss, the logit lens, the patched and the
ablated runs. Each claim is then fed the opposite case (a first repeat below chance, a
gradual training curve, a half-time induction head, the layers swapped, the answer
already present after layer 0, a patch that helps, an induction head that is needed
alone) and must fail.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import rerun_cell, run_quick  # noqa: E402

torch = pytest.importorskip("torch")
from mlviz.models.induction import (  # noqa: E402
    AttentionOnlyTransformer,
    chance_diagonal_score,
    diagonal_score,
    logit_lens,
    repeated_tokens,
    replace_head,
    run_with_cache,
    token_loss,
    train_induction_model,
)

PAGE = "11_robustness_mechanisms/plot_07_induction_heads.py"
LOSS_CELL = "## In-context learning: the loss on the second repeat"
SCORE_CELL = "## Which heads attend where"
LENS_CELL = "## The logit lens"
EFFECT_CELL = "## Patching and ablation, side by side"
N = 40  # sequences recomputed in NumPy


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    return run_quick(PAGE, tmp_path_factory.mktemp("k7"))


def _weights(model):
    return {k: v.detach().double().numpy() for k, v in model.state_dict().items()}


def _forward(w, tokens, replace=None):
    """The model in NumPy, head by head; ``replace[(layer, head)]`` overrides a head."""
    tokens = np.asarray(tokens)
    n_pos = tokens.shape[1]
    resid = w["embed.weight"][tokens] + w["pos.weight"][:n_pos]
    visible = np.tril(np.ones((n_pos, n_pos), dtype=bool))
    out = {"pattern": [], "result": [], "resid": [resid], "score_scale": 0.0}
    layer = 0
    while f"layers.{layer}.W_Q" in w:
        W_Q, W_K, W_V, W_O = (
            w[f"layers.{layer}.{m}"] for m in ("W_Q", "W_K", "W_V", "W_O")
        )
        patterns, results = [], []
        for head in range(W_Q.shape[0]):
            q, k, v = resid @ W_Q[head], resid @ W_K[head], resid @ W_V[head]
            terms = q[:, :, None, :] * k[:, None, :, :] / np.sqrt(q.shape[-1])
            scores = terms.sum(-1)
            out["score_scale"] = max(out["score_scale"], np.abs(terms).sum(-1).max())
            scores = np.where(visible, scores, -np.inf)
            e = np.exp(scores - scores.max(-1, keepdims=True))
            p = e / e.sum(-1, keepdims=True)
            result = (p @ v) @ W_O[head]
            if replace and (layer, head) in replace:
                result = np.broadcast_to(replace[layer, head], result.shape)
            patterns.append(p)
            results.append(result)
        resid = resid + sum(results)
        out["pattern"].append(np.stack(patterns, 1))  # (batch, head, query, key)
        out["result"].append(np.stack(results, 2))  # (batch, position, head, d)
        out["resid"].append(resid)
        layer += 1
    out["logits"] = resid @ w["unembed.weight"].T
    return out


def _cross_entropy(logits, tokens):
    logits = logits[:, :-1]
    top = logits.max(-1, keepdims=True)
    log_z = np.log(np.exp(logits - top).sum(-1)) + top[..., 0]
    target = np.take_along_axis(logits, np.asarray(tokens)[:, 1:, None], -1)[..., 0]
    return log_z - target


@pytest.fixture(scope="module")
def numpy_run(ns):
    w = _weights(ns["model"])
    return w, _forward(w, ns["tokens"][:N].numpy())


def _tolerance(run, n_terms):
    """float32 rounding of the page against float64 here, on the scores' scale."""
    return rounding_tolerance("float32", 1 + run["score_scale"], n_terms)


# -- the page's numbers, computed another way ------------------------------------------


@pytest.mark.slow
def test_attention_patterns_recomputed_from_the_weights(ns, numpy_run):
    w, run = numpy_run
    page = ns["cache"]["pattern"].numpy()[:, :N]  # (layer, batch, head, q, k)
    tol = _tolerance(run, 4 * w["embed.weight"].shape[1])
    assert np.abs(page - np.stack(run["pattern"])).max() <= tol
    # and once more with einsum, layer by layer on the page's own residual stream
    n_pos = page.shape[-1]
    future = torch.triu(torch.ones(n_pos, n_pos, dtype=torch.bool), diagonal=1)
    for layer, resid in enumerate(ns["cache"]["resid"][:-1]):
        W_Q, W_K = (torch.from_numpy(w[f"layers.{layer}.{m}"]) for m in ("W_Q", "W_K"))
        x = resid[:N].double()
        scores = torch.einsum("bqd,hde,bkf,hfe->bhqk", x, W_Q, x, W_K)
        scores = scores.masked_fill(future, -torch.inf) / W_Q.shape[-1] ** 0.5
        assert np.abs(scores.softmax(-1).numpy() - page[layer]).max() <= tol


@pytest.mark.slow
def test_scores_and_chance_recomputed_with_loops(ns, numpy_run):
    w, run = numpy_run
    T = ns["T"]
    patterns = (
        np.stack(run["pattern"]).swapaxes(0, 1).reshape(N, ns["n_h"], 2 * T, 2 * T)
    )
    prev = np.zeros((N, ns["n_h"]))
    ind = np.zeros((N, ns["n_h"]))
    for s in range(N):
        for h in range(ns["n_h"]):
            prev[s, h] = np.mean([patterns[s, h, q, q - 1] for q in range(1, 2 * T)])
            ind[s, h] = np.mean(
                [patterns[s, h, q, q - T + 1] for q in range(T, 2 * T - 1)]
            )
    tol = _tolerance(run, 4 * w["embed.weight"].shape[1])
    assert np.abs(prev - ns["prev"][:N]).max() <= tol
    assert np.abs(ind - ns["ind"][:N]).max() <= tol
    from fractions import Fraction

    exact = sum(Fraction(1, q + 1) for q in range(T, 2 * T - 1)) / (T - 1)
    assert ns["chance"][1] == pytest.approx(float(exact), rel=1e-12)
    # the roles: the largest prev score, and induction scores with one clear gap
    assert np.flatnonzero(ns["is_prev"]).tolist() == [int(ns["prev"].mean(0).argmax())]
    means = ns["ind"].mean(0)
    assert means[ns["is_ind"]].min() > means[~ns["is_ind"]].max()


@pytest.mark.slow
def test_loss_and_logit_lens_recomputed(ns, numpy_run):
    w, run = numpy_run
    tokens = ns["tokens"][:N].numpy()
    ce = _cross_entropy(run["logits"], tokens)
    scale = np.abs(run["logits"]).max() * 2
    tol = rounding_tolerance(
        "float32", scale + run["score_scale"], 4 * w["embed.weight"].shape[1]
    )
    assert np.abs(ce - ns["loss"][:N]).max() <= tol
    for stage, resid in enumerate(run["resid"]):
        logits = resid @ w["unembed.weight"].T
        right = logits[:, :-1].argmax(-1) == tokens[:, 1:]
        clear = ~_near_ties(logits, tol)  # no near-tie for the top token
        assert (right == ns["hit"][stage][:N].astype(bool))[clear].all()
    # the last lens is the model's own output (no final layer norm)
    assert torch.equal(logit_lens(ns["model"], ns["cache"]["resid"][-1]), ns["logits"])


def _near_ties(logits, tol):
    top2 = np.sort(logits[:, :-1], -1)[..., -2:]
    return top2[..., 1] - top2[..., 0] <= tol


@pytest.mark.slow
def test_patching_and_ablation_recomputed(ns, numpy_run):
    w, clean = numpy_run
    T, n_heads = ns["T"], ns["n_heads"]
    corrupted = ns["corrupted"][:N].numpy()
    scale = np.abs(clean["logits"]).max() * 2 + clean["score_scale"]
    tol = rounding_tolerance("float32", scale, 4 * w["embed.weight"].shape[1])

    def lost(run, tokens):
        return _cross_entropy(run["logits"], tokens)[:, T:].mean(1)

    c = lost(_forward(w, corrupted), corrupted)
    k = lost(clean, ns["tokens"][:N].numpy())
    for i in (np.flatnonzero(ns["is_prev"])[0], np.flatnonzero(ns["is_ind"])[0]):
        layer, head = divmod(int(i), n_heads)
        source = clean["result"][layer][:, :, head]
        run = _forward(w, corrupted, {(layer, head): source})
        expected = (c - lost(run, corrupted)) / (c - k)
        bound = 2 * tol * (1 + np.abs(expected)) / (c - k)  # numerator and denominator
        assert (np.abs(expected - ns["recovered"][:N, i]) <= bound).all()
        if ns["is_prev"][i]:  # the guesses copy the corrupted token after the match
            guess = run["logits"][:, T:-1].argmax(-1)
            copied = (guess == corrupted[:, 1:T]).mean(1)
            ties = _near_ties(run["logits"], tol)[:, T:].sum(1)
            gap = np.abs(copied - ns["copied"][1][:N])
            assert (gap <= ties / (T - 1) + rounding_tolerance("float32", 1.0, T)).all()
    # mean ablation of the previous-token head: the mean over all the page's sequences
    tokens = ns["tokens"].numpy()
    i = int(np.flatnonzero(ns["is_prev"])[0])
    layer, head = divmod(i, n_heads)
    mean = _forward(w, tokens)["result"][layer][:, :, head].mean(0)
    ablated = _forward(w, tokens, {(layer, head): mean})["logits"]
    right = (ablated[:, :-1].argmax(-1) == tokens[:, 1:])[:, T:]
    ties = _near_ties(ablated, tol)[:, T:].sum(1)  # where rounding may pick another top
    mean_rounding = rounding_tolerance("float32", 1.0, T - 1)  # the page's float32 mean
    gap = np.abs(right.mean(1) - ns["ablated"][:, i])
    assert (gap <= ties / (T - 1) + mean_rounding).all()


# -- each claim fed the opposite case ---------------------------------------------------


@pytest.mark.slow
def test_loss_claims_fail_for_the_opposite_case(ns):
    T, V = ns["T"], ns["V"]
    below = ns["loss"].copy()
    below[:, : T - 1] = np.log(V) - 1
    with pytest.raises(ClaimError, match="lies above chance"):
        rerun_cell(PAGE, ns, LOSS_CELL, loss=below)
    flat = ns["loss"].copy()
    rng = np.random.default_rng(0)
    flat[:, : T - 1] = np.log(V) + 0.5 + rng.normal(0, 0.1, flat[:, : T - 1].shape)
    with pytest.raises(ClaimError, match="rises with position"):
        rerun_cell(PAGE, ns, LOSS_CELL, loss=flat)
    same = ns["loss"].copy()
    same[:, T:] = same[:, : T - 1]
    with pytest.raises(ClaimError, match="do not overlap"):
        rerun_cell(PAGE, ns, LOSS_CELL, loss=same)
    gradual = dict(ns["history"])
    gradual["repeat_loss"] = np.linspace(3.75, 0.25, len(gradual["step"]))
    with pytest.raises(ClaimError, match="within 100 steps"):
        rerun_cell(PAGE, ns, LOSS_CELL, history=gradual)
    rerun_cell(PAGE, ns, LOSS_CELL)  # the page's own numbers pass


def _with_pattern(ns, pattern):
    return {**ns["cache"], "pattern": torch.from_numpy(np.ascontiguousarray(pattern))}


@pytest.mark.slow
def test_score_claims_fail_for_the_opposite_case(ns):
    T = ns["T"]
    pattern = ns["cache"]["pattern"].numpy().copy()  # (layer, seq, head, q, k)
    # L0H0 an induction head on some sequences only: no clean gap across sequences
    share = np.linspace(0, 0.9, pattern.shape[1])[:, None]
    q = np.arange(T, 2 * T - 1)
    rows = pattern[0, :, 0, q, :] * (1 - share[None, :, :])  # (q, seq, key)
    rows[np.arange(len(q)), :, q - T + 1] += share[:, 0][None, :]
    pattern[0, :, 0, q, :] = rows
    with pytest.raises(ClaimError, match="stand apart"):
        rerun_cell(PAGE, ns, SCORE_CELL, cache=_with_pattern(ns, pattern))
    swapped = ns["cache"]["pattern"].numpy()[::-1]
    with pytest.raises(ClaimError, match="one previous-token head"):
        rerun_cell(PAGE, ns, SCORE_CELL, cache=_with_pattern(ns, swapped))
    rerun_cell(PAGE, ns, SCORE_CELL)


@pytest.mark.slow
def test_lens_claim_fails_when_the_answer_is_there_before_the_last_layer(ns):
    resid = ns["cache"]["resid"].clone()
    resid[-2] = resid[-1]
    with pytest.raises(ClaimError, match="last layer"):
        rerun_cell(PAGE, ns, LENS_CELL, cache={**ns["cache"], "resid": resid})
    rerun_cell(PAGE, ns, LENS_CELL)


@pytest.mark.slow
def test_patching_and_ablation_claims_fail_for_the_opposite_case(ns):
    is_prev, is_ind = ns["is_prev"], ns["is_ind"]
    helps = ns["recovered"].copy()
    helps[:, is_prev] = 0.3
    with pytest.raises(ClaimError, match="makes the loss worse"):
        rerun_cell(PAGE, ns, EFFECT_CELL, recovered=helps)
    all_of_it = ns["recovered"].copy()
    all_of_it[:, np.flatnonzero(is_ind)[0]] = 1.0
    with pytest.raises(ClaimError, match="none all of it"):
        rerun_cell(PAGE, ns, EFFECT_CELL, recovered=all_of_it)
    with pytest.raises(ClaimError, match="copy the corrupted token"):
        rerun_cell(PAGE, ns, EFFECT_CELL, copied=[ns["copied"][0]] * 2)
    needed = ns["ablated"].copy()
    needed[:, np.flatnonzero(is_ind)[0]] = 1 / ns["V"]
    with pytest.raises(ClaimError, match="keeps most"):
        rerun_cell(PAGE, ns, EFFECT_CELL, ablated=needed)
    spared = ns["ablated"].copy()
    spared[:, -1] = ns["intact"]
    with pytest.raises(ClaimError, match="loses most"):
        rerun_cell(PAGE, ns, EFFECT_CELL, ablated=spared)
    # one induction head alone does the whole job: as accurate as the intact model
    whole = ns["alone"].copy()
    whole[:, 0] = ns["intact"]
    with pytest.raises(ClaimError, match="none all of it"):
        rerun_cell(PAGE, ns, EFFECT_CELL, alone=whole)
    # or one alone does nothing: no better than all induction heads ablated
    nothing = ns["alone"].copy()
    nothing[:, 0] = ns["ablated"][:, -1]
    with pytest.raises(ClaimError, match="keeps part of the accuracy"):
        rerun_cell(PAGE, ns, EFFECT_CELL, alone=nothing)
    rerun_cell(PAGE, ns, EFFECT_CELL)


@pytest.mark.slow
def test_page_draws_one_panel_per_head(ns):
    patterns = ns["_figures"][1]
    assert len(patterns.axes) == ns["n_h"]
    titles = [ax.get_title() for ax in patterns.axes]
    assert titles == [f"{n}: {r}" for n, r in zip(ns["names"], ns["role"])]
    assert sum("induction" in t for t in titles) == ns["is_ind"].sum()
    effects = ns["_figures"][-1]
    # a bar per head, one for all induction heads, one per induction head left alone
    assert len(effects.axes[1].patches) == ns["n_h"] + 1 + ns["is_ind"].sum()


# -- the helpers ----------------------------------------------------------------------


def test_training_is_cached_and_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path))
    settings = dict(
        vocab_size=8, seq_len=8, block_len=(2, 4), d_model=8, d_head=4, steps=5
    )
    first, history = train_induction_model(**settings)
    stored = list((tmp_path / "induction").glob("*.pt"))
    assert len(stored) == 1 and not list((tmp_path / "induction").glob("*.tmp*"))
    again, history_again = train_induction_model(**settings)  # read from the file
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path / "fresh"))
    retrained, _ = train_induction_model(**settings)
    for key, value in first.state_dict().items():
        assert torch.equal(value, again.state_dict()[key])
        assert torch.equal(value, retrained.state_dict()[key])
    assert np.array_equal(history["repeat_loss"], history_again["repeat_loss"])
    assert history["step"].tolist() == [5]


def test_repeated_tokens_and_scores_on_known_patterns():
    x = repeated_tokens(3, [2, 3, 4], 50, 8, generator=torch.Generator().manual_seed(0))
    assert x.shape == (3, 8)
    for row, T in zip(x, [2, 3, 4]):
        assert torch.equal(row[T:], row[: 8 - T])
    n = 6
    previous = np.eye(n, k=-1)
    previous[0, 0] = 1
    assert diagonal_score(previous, 1, np.arange(1, n)) == 1.0
    assert diagonal_score(previous, 2, np.arange(2, n)) == 0.0
    uniform = np.tril(np.ones((n, n))) / np.arange(1, n + 1)[:, None]
    assert diagonal_score(uniform, 2, np.arange(2, n)) == pytest.approx(
        chance_diagonal_score(np.arange(2, n))
    )


def test_hooks_read_and_replace_what_a_head_writes():
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(10, 6, n_heads=2, d_model=8, d_head=4).eval()
    tokens = torch.randint(10, (3, 6))
    logits, cache = run_with_cache(model, tokens)
    assert cache["pattern"].shape == (2, 3, 2, 6, 6)
    assert cache["result"].shape == (2, 3, 6, 2, 8)
    assert torch.allclose(cache["pattern"].sum(-1), torch.ones(2, 3, 2, 6))
    resid = cache["resid"][0] + cache["result"][0].sum(2)
    assert torch.allclose(resid, cache["resid"][1], atol=1e-6)
    with replace_head(model, 1, 0, cache["result"][1][:, :, 0]):
        same = model(tokens)
    assert torch.allclose(same, logits, atol=1e-6)
    with replace_head(model, 1, 0, 0.0), torch.no_grad():
        zeroed = model(tokens)
    expected = logits - model.unembed(cache["result"][1][:, :, 0])
    assert torch.allclose(zeroed, expected, atol=1e-5)
    assert not model.layers[1].hook_result._forward_hooks  # the hook is gone
    assert token_loss(logits, tokens).shape == (3, 5)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="block_len"):
        train_induction_model(seq_len=8, block_len=(2, 5))
    with pytest.raises(ValueError, match="block_len"):
        repeated_tokens(2, 0, 5)
    with pytest.raises(ValueError, match="queries"):
        diagonal_score(np.zeros((4, 4)), 2, [1, 2])
    model = AttentionOnlyTransformer(5, 4, n_heads=2, d_model=4, d_head=2)
    with pytest.raises(ValueError, match="layer, head"):
        with replace_head(model, 2, 0, 0.0):
            pass
    with pytest.raises(TypeError, match="model"):
        run_with_cache(torch.nn.Linear(2, 2), torch.zeros(1, 2))
