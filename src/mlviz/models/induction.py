"""A tiny attention-only transformer that learns induction heads (page K7).

Two layers of attention (no MLPs, no layer norm) with a few heads each, learned
positional embeddings and an unembedding read straight from the residual stream, as in
Elhage et al. ("A Mathematical Framework for Transformer Circuits", 2021) and Olsson et
al. ("In-context Learning and Induction Heads", 2022). It is trained on sequences made
of a block of random tokens repeated: the first occurrence of a token cannot be
predicted, every later one can be copied from context. The block length varies between
sequences, so that a head cannot find the earlier copy from positions alone.

Every head writes its output through an ``nn.Identity`` (``hook_result``) and every
attention pattern passes one (``hook_pattern``); the residual stream after each layer
passes ``model.hook_resid[i]``. Plain ``register_forward_hook`` calls on those read
(:func:`run_with_cache`) or replace (:func:`replace_head`) what a head does.

Training is seeded and deterministic on the CPU; the weights and the training curve are
cached in ``mlviz.config.cache_dir("induction")`` under the SHA-256 of the configuration
and the torch version (written to a temporary file, then renamed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .._torch import one_thread
from ..config import cache_dir, written_atomically

__all__ = [
    "AttentionOnlyTransformer",
    "chance_diagonal_score",
    "diagonal_score",
    "logit_lens",
    "repeated_tokens",
    "replace_head",
    "run_with_cache",
    "token_loss",
    "train_induction_model",
]


class _Attention(nn.Module):
    """One attention layer; each head's output goes through ``hook_result`` separately."""

    def __init__(self, d_model, n_heads, d_head):
        super().__init__()
        scale = d_model**-0.5
        self.W_Q = nn.Parameter(torch.randn(n_heads, d_model, d_head) * scale)
        self.W_K = nn.Parameter(torch.randn(n_heads, d_model, d_head) * scale)
        self.W_V = nn.Parameter(torch.randn(n_heads, d_model, d_head) * scale)
        self.W_O = nn.Parameter(torch.randn(n_heads, d_head, d_model) * d_head**-0.5)
        self.hook_pattern = nn.Identity()  # (batch, head, query, key)
        self.hook_result = nn.Identity()  # (batch, position, head, d_model)

    def forward(self, resid):
        q = torch.einsum("btd,hde->bhte", resid, self.W_Q)
        k = torch.einsum("btd,hde->bhte", resid, self.W_K)
        v = torch.einsum("btd,hde->bhte", resid, self.W_V)
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        n = resid.shape[1]
        future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
        pattern = self.hook_pattern(scores.masked_fill(future, -torch.inf).softmax(-1))
        result = torch.einsum("bhte,hed->bthd", pattern @ v, self.W_O)
        return self.hook_result(result).sum(2)


class AttentionOnlyTransformer(nn.Module):
    """Token and learned position embeddings, attention-only layers, an unembedding.

    Parameters
    ----------
    vocab_size, seq_len : int
        Tokens ``0..vocab_size-1``; sequences of at most ``seq_len`` tokens.
    n_layers, n_heads, d_model, d_head : int
        Layers, heads per layer, width of the residual stream and of each head.

    Notes
    -----
    ``forward(tokens)`` takes a ``(batch, position)`` long tensor and returns logits
    ``(batch, position, vocab_size)``. Hook points (``nn.Identity``):
    ``layers[l].hook_pattern`` (batch, head, query, key), ``layers[l].hook_result``
    (batch, position, head, d_model) and ``hook_resid[i]``, the residual stream after
    ``i`` layers (``i = 0``: the embeddings).
    """

    def __init__(
        self, vocab_size, seq_len, *, n_layers=2, n_heads=4, d_model=64, d_head=16
    ):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(seq_len, d_model)
        nn.init.normal_(self.embed.weight, std=d_model**-0.5)
        nn.init.normal_(self.pos.weight, std=d_model**-0.5)
        self.layers = nn.ModuleList(
            _Attention(d_model, n_heads, d_head) for _ in range(n_layers)
        )
        self.hook_resid = nn.ModuleList(nn.Identity() for _ in range(n_layers + 1))
        self.unembed = nn.Linear(d_model, vocab_size, bias=False)

    def forward(self, tokens):
        positions = torch.arange(tokens.shape[1])
        resid = self.hook_resid[0](self.embed(tokens) + self.pos(positions))
        for layer, hook in zip(self.layers, self.hook_resid[1:]):
            resid = hook(resid + layer(resid))
        return self.unembed(resid)


def repeated_tokens(n, block_len, vocab_size, seq_len=None, *, generator=None):
    """Sequences made of a block of random tokens, repeated until ``seq_len``.

    Parameters
    ----------
    n : int
        Number of sequences.
    block_len : int or sequence of int
        Length ``T`` of the random block, one for all or one per sequence.
    vocab_size : int
        Tokens are drawn uniformly (with replacement) from ``0..vocab_size-1``.
    seq_len : int, optional
        Length of each sequence; ``2 * max(block_len)`` when absent.
    generator : torch.Generator, optional

    Returns
    -------
    LongTensor of shape (n, seq_len)
        ``tokens[i, t] = block_i[t % T_i]``.
    """
    T = torch.as_tensor(block_len, dtype=torch.long).expand(n)
    if (T < 1).any():
        raise ValueError(f"block_len must be at least 1; got {block_len}")
    seq_len = 2 * int(T.max()) if seq_len is None else int(seq_len)
    block = torch.randint(vocab_size, (n, int(T.max())), generator=generator)
    index = torch.arange(seq_len)[None, :] % T[:, None]
    return block.gather(1, index)


def token_loss(logits, tokens):
    """Cross-entropy of predicting ``tokens[:, t + 1]`` at position ``t``.

    Parameters
    ----------
    logits : Tensor of shape (batch, position, vocab)
    tokens : LongTensor of shape (batch, position)

    Returns
    -------
    Tensor of shape (batch, position - 1)
        In nats, one value per predicted token.
    """
    return nn.functional.cross_entropy(
        logits[:, :-1].transpose(1, 2), tokens[:, 1:], reduction="none"
    )


def _cache_path(config: dict) -> Path:
    payload = json.dumps({"config": config, "torch": torch.__version__}, sort_keys=True)
    digest = hashlib.sha256(payload.encode()).hexdigest()
    return cache_dir("induction") / f"{digest}.pt"


def _train(config):
    generator = torch.Generator().manual_seed(config["seed"])
    with torch.random.fork_rng(devices=[]):  # seeds the initial weights only
        torch.manual_seed(config["seed"])
        model = AttentionOnlyTransformer(
            config["vocab_size"],
            config["seq_len"],
            n_layers=config["n_layers"],
            n_heads=config["n_heads"],
            d_model=config["d_model"],
            d_head=config["d_head"],
        )
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config["lr"], weight_decay=config["weight_decay"]
    )
    low, high = config["block_len"]
    steps, every = config["steps"], config["log_every"]
    history = {"step": [], "first_loss": [], "repeat_loss": []}
    for step in range(1, steps + 1):
        T = torch.randint(low, high + 1, (config["batch_size"],), generator=generator)
        tokens = repeated_tokens(
            len(T), T, config["vocab_size"], config["seq_len"], generator=generator
        )
        loss = token_loss(model(tokens), tokens)
        optimizer.zero_grad()
        loss.mean().backward()
        optimizer.step()
        if step % every == 0 or step == steps:
            # position t predicts t + 1: a first occurrence while t + 1 < T, a
            # copy from context once the current token has occurred before (t >= T)
            t = torch.arange(tokens.shape[1] - 1)[None, :]
            history["step"].append(step)
            history["first_loss"].append(
                loss.detach()[t + 1 < T[:, None]].mean().item()
            )
            history["repeat_loss"].append(loss.detach()[t >= T[:, None]].mean().item())
    return model, {k: np.asarray(v) for k, v in history.items()}


def train_induction_model(
    *,
    vocab_size=64,
    seq_len=32,
    block_len=(4, 16),
    n_layers=2,
    n_heads=4,
    d_model=64,
    d_head=16,
    steps=1200,
    batch_size=64,
    lr=2e-2,
    weight_decay=0.01,
    log_every=25,
    seed=0,
):
    """Train the attention-only transformer on repeated random blocks; cached.

    Each training sequence is a random block of ``T`` tokens (``T`` uniform in
    ``block_len``, inclusive) repeated to ``seq_len`` tokens; the loss is the mean
    next-token cross-entropy over all positions.

    Parameters
    ----------
    vocab_size, seq_len : int
    block_len : (int, int)
        Smallest and largest block length; at most ``seq_len // 2`` so that every
        sequence holds at least one full repeat.
    n_layers, n_heads, d_model, d_head : int
        The architecture (:class:`AttentionOnlyTransformer`).
    steps, batch_size, lr, weight_decay : int, int, float, float
        AdamW steps on freshly drawn batches.
    log_every : int
        Steps between two points of the training curve.
    seed : int
        Seeds the initial weights and the data.

    Returns
    -------
    model : AttentionOnlyTransformer
        In evaluation mode, on the CPU.
    history : dict of arrays
        ``step``, and the training batch's mean loss on tokens seen for the first time
        (``first_loss``) and on tokens predictable by copying, those whose predecessor
        has occurred before (``repeat_loss``).
    """
    low, high = (int(b) for b in block_len)
    if not 1 <= low <= high <= seq_len // 2:
        raise ValueError(
            f"block_len must be (low, high) with 1 <= low <= high <= seq_len // 2 = "
            f"{seq_len // 2}; got {block_len}"
        )
    config = {k: v for k, v in locals().items() if k not in ("low", "high")}
    config["block_len"] = [low, high]
    path = _cache_path(config)
    if path.is_file():
        stored = torch.load(path, weights_only=True)
        model = AttentionOnlyTransformer(
            vocab_size, seq_len, n_layers=n_layers, n_heads=n_heads,
            d_model=d_model, d_head=d_head,
        )  # fmt: skip
        model.load_state_dict(stored["state"])
        return model.eval(), {k: v.numpy() for k, v in stored["history"].items()}
    with one_thread():
        model, history = _train(config)
    stored = {
        "state": model.state_dict(),
        "history": {k: torch.from_numpy(v) for k, v in history.items()},
    }
    with written_atomically(path) as file:
        torch.save(stored, file)
    return model.eval(), history


class _Hooks:
    """Forward hooks on a list of modules, removed by :meth:`release`."""

    def __init__(self, modules, hook):
        self.handles = [m.register_forward_hook(hook(i)) for i, m in enumerate(modules)]

    def release(self):
        for handle in self.handles:
            handle.remove()


def run_with_cache(model, tokens):
    """Run the model once and keep what every hook point saw.

    Parameters
    ----------
    model : AttentionOnlyTransformer
    tokens : LongTensor of shape (batch, position)

    Returns
    -------
    logits : Tensor (batch, position, vocab)
    cache : dict
        ``pattern`` (layer, batch, head, query, key), ``result`` (layer, batch,
        position, head, d_model) and ``resid`` (layer + 1, batch, position, d_model),
        all detached.
    """
    if not isinstance(model, AttentionOnlyTransformer):
        raise TypeError(
            f"model must be an AttentionOnlyTransformer; got {type(model).__name__}"
        )
    seen = {"pattern": {}, "result": {}, "resid": {}}

    def keep(kind):
        def hook(i):
            def store(module, inputs, output):
                seen[kind][i] = output.detach()

            return store

        return hook

    hooks = [
        _Hooks([layer.hook_pattern for layer in model.layers], keep("pattern")),
        _Hooks([layer.hook_result for layer in model.layers], keep("result")),
        _Hooks(model.hook_resid, keep("resid")),
    ]
    try:
        with torch.no_grad():
            logits = model(tokens)
    finally:
        for h in hooks:
            h.release()
    cache = {k: torch.stack([v[i] for i in sorted(v)]) for k, v in seen.items()}
    return logits, cache


@contextlib.contextmanager
def replace_head(model, layer, head, value):
    """Inside the block, head ``head`` of layer ``layer`` writes ``value`` instead.

    Activation patching passes the head's output from another run (the clean one);
    mean ablation passes its average.

    Parameters
    ----------
    model : AttentionOnlyTransformer
    layer, head : int
    value : Tensor broadcastable to (batch, position, d_model)
        What the head writes into the residual stream.
    """
    n_layers, n_heads = len(model.layers), model.layers[0].W_Q.shape[0]
    if not (0 <= layer < n_layers and 0 <= head < n_heads):
        raise ValueError(
            f"layer, head must be in [0, {n_layers}) x [0, {n_heads}); "
            f"got {(layer, head)}"
        )

    def swap(module, inputs, output):
        output = output.clone()
        output[:, :, head] = value
        return output

    handle = model.layers[layer].hook_result.register_forward_hook(swap)
    try:
        yield model
    finally:
        handle.remove()


def diagonal_score(pattern, offset, queries):
    """Mean attention that each head pays to the key ``offset`` positions back.

    Parameters
    ----------
    pattern : array (..., query, key)
        Attention patterns, e.g. (batch, head, query, key).
    offset : int
        1 for a previous-token head; ``T - 1`` for an induction head on a block of
        length ``T`` (the token after the previous occurrence of the current one).
    queries : sequence of int
        Query positions averaged over (each at least ``offset``).

    Returns
    -------
    array (...,)
        ``mean_q pattern[..., q, q - offset]``.
    """
    pattern = np.asarray(pattern)
    queries = np.asarray(queries)
    if queries.min() < offset or queries.max() >= pattern.shape[-2]:
        raise ValueError(
            f"queries must lie in [offset, n_positions) = [{offset}, "
            f"{pattern.shape[-2]}); got {queries.min()}..{queries.max()}"
        )
    return pattern[..., queries, queries - offset].mean(-1)


def chance_diagonal_score(queries):
    """:func:`diagonal_score` of a head that attends uniformly to its causal context.

    Query ``q`` sees ``q + 1`` keys, so any one of them gets ``1 / (q + 1)``.

    Parameters
    ----------
    queries : sequence of int
        The query positions that :func:`diagonal_score` averages over.

    Returns
    -------
    float
        ``mean_q 1 / (q + 1)``.
    """
    return float(np.mean(1.0 / (np.asarray(queries) + 1)))


def logit_lens(model, resid):
    """Decode residual streams straight through the unembedding.

    Parameters
    ----------
    model : AttentionOnlyTransformer
    resid : Tensor (..., d_model)
        E.g. ``cache["resid"]`` from :func:`run_with_cache`.

    Returns
    -------
    Tensor (..., vocab)
        The logits the model would output if it stopped there. The model has no final
        layer norm, so the last layer's lens is exactly its output.
    """
    with torch.no_grad():
        return model.unembed(torch.as_tensor(resid))
