"""Grokking on modular addition (Power et al. 2022, Nanda et al. 2023) in Fourier terms.

A one-hidden-layer MLP reads ``(a, b)`` through one learned embedding ``E`` (``p`` rows,
shared by both operands), concatenates ``[E_a, E_b]``, applies ``ReLU(. W_in + b_in)``
and maps the hidden layer to ``p`` logits with ``W_out``; the target is
``(a + b) mod p``. It is trained full-batch with AdamW (strong weight decay) on a fixed,
seeded fraction of all ``p**2`` pairs; the others are the test set. Training is seeded
and deterministic on the CPU, and its result (final weights, the history of losses,
accuracies and weight norm, and a snapshot of ``E`` at every logged step) is cached in
``mlviz.config.cache_dir("grokking")`` under the SHA-256 of the configuration and the
torch version (written to a temporary file, then renamed). It runs on the build's
thread count (:func:`mlviz._torch.one_thread`): its matrices are small, so more
threads gain little and, on a busy machine, mostly wait on each other.

The Fourier helpers express a matrix whose rows are indexed by ``Z_p`` in the real
orthonormal Fourier basis of ``Z_p`` (a constant, then ``cos(2 pi k x / p)`` and
``sin(2 pi k x / p)`` for ``k = 1 .. (p - 1) / 2``) and measure how its norm spreads
over the frequencies ``k``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .._torch import one_thread
from ..config import cache_dir, written_atomically

__all__ = [
    "GrokkingRun",
    "first_step_at",
    "fourier_basis",
    "frequency_norms",
    "key_frequencies",
    "modular_pairs",
    "restricted_excluded_loss",
    "top_share",
    "train_modular_addition",
]

_HISTORY = ("step", "train_loss", "test_loss", "train_acc", "test_acc", "weight_norm")
_PARAMS = ("embed", "W_in", "b_in", "W_out")


def modular_pairs(p):
    """All pairs ``(a, b)`` of ``Z_p`` in row-major order, and ``(a + b) mod p``.

    Parameters
    ----------
    p : int
        The modulus, at least 3.

    Returns
    -------
    a, b, y : arrays of int, shape (p**2,)
        Pair ``i`` is ``(a[i], b[i]) = (i // p, i % p)`` with label ``y[i]``.
    """
    if int(p) != p or p < 3:
        raise ValueError(f"p must be a whole number of at least 3; got {p!r}")
    p = int(p)
    a, b = np.divmod(np.arange(p * p), p)
    return a, b, (a + b) % p


def _check_p(p, where):
    if int(p) != p or p < 3 or p % 2 == 0:
        raise ValueError(
            f"{where} must be an odd whole number of at least 3; got {p!r}"
        )
    return int(p)


def _cache_path(config: dict) -> Path:
    payload = json.dumps({"config": config, "torch": torch.__version__}, sort_keys=True)
    return cache_dir("grokking") / f"{hashlib.sha256(payload.encode()).hexdigest()}.npz"


@dataclass(frozen=True)
class GrokkingRun:
    """A trained modular-addition MLP, its history and its embedding over training.

    Attributes
    ----------
    config : dict
        The settings it was trained with (``p``, ``train_fraction``, ...).
    params : dict of arrays
        ``embed`` (p, d), ``W_in`` (2 d, h), ``b_in`` (h,), ``W_out`` (h, p).
    history : pandas.DataFrame
        One row per logged step: ``step``, ``train_loss``, ``test_loss``, ``train_acc``,
        ``test_acc``, ``weight_norm`` (the L2 norm of all parameters together).
    embeddings : array of shape (n_logged, p, d)
        The embedding ``E`` at each logged step.
    train_index, test_index : arrays of int
        Which pairs of :func:`modular_pairs` are trained on, and which are held out.
    """

    config: dict
    params: dict
    history: pd.DataFrame
    embeddings: np.ndarray
    train_index: np.ndarray
    test_index: np.ndarray

    def logits(self, a, b):
        """The network's logits for pairs ``(a, b)``: array of shape (len(a), p)."""
        E, W_in, b_in, W_out = (self.params[k].astype(np.float64) for k in _PARAMS)
        x = np.concatenate([E[np.asarray(a)], E[np.asarray(b)]], axis=1)
        return np.maximum(x @ W_in + b_in, 0.0) @ W_out


def _train(config):
    p, d, h = config["p"], config["d_embed"], config["d_hidden"]
    generator = torch.Generator().manual_seed(config["seed"])
    a, b, y = (torch.as_tensor(v) for v in modular_pairs(p))
    order = torch.randperm(p * p, generator=generator)
    n_train = round(config["train_fraction"] * p * p)
    train, test = order[:n_train].sort().values, order[n_train:].sort().values
    params = [
        torch.randn(p, d, generator=generator) / d**0.5,
        torch.randn(2 * d, h, generator=generator) / (2 * d) ** 0.5,
        torch.zeros(h),
        torch.randn(h, p, generator=generator) / h**0.5,
    ]
    E, W_in, b_in, W_out = (t.requires_grad_() for t in params)
    optimizer = torch.optim.AdamW(
        params,
        lr=config["lr"],
        weight_decay=config["weight_decay"],
        betas=tuple(config["betas"]),
    )

    def forward(rows):
        # [E_a, E_b] @ W_in, computed as E @ W_in's two halves, then looked up
        hidden = (E @ W_in[:d])[a[rows]] + (E @ W_in[d:])[b[rows]] + b_in
        return torch.relu(hidden) @ W_out

    history, snapshots = [], []
    for step in range(config["steps"] + 1):
        logits = forward(train)
        loss = torch.nn.functional.cross_entropy(logits, y[train])
        if step % config["log_every"] == 0:
            with torch.no_grad():
                test_logits = forward(test)
                history.append(
                    (
                        step,
                        loss.item(),
                        torch.nn.functional.cross_entropy(test_logits, y[test]).item(),
                        (logits.argmax(1) == y[train]).double().mean().item(),
                        (test_logits.argmax(1) == y[test]).double().mean().item(),
                        torch.sqrt(sum((t.double() ** 2).sum() for t in params)).item(),
                    )
                )
                snapshots.append(E.detach().clone().numpy())
        if step == config["steps"]:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    result = {k: t.detach().numpy() for k, t in zip(_PARAMS, params)}
    result["history"] = np.array(history, dtype=np.float64)
    result["embeddings"] = np.stack(snapshots)
    result["train_index"], result["test_index"] = train.numpy(), test.numpy()
    return result


def train_modular_addition(
    p=97,
    *,
    train_fraction=0.3,
    d_embed=64,
    d_hidden=128,
    steps=2000,
    lr=1e-2,
    weight_decay=1.0,
    betas=(0.9, 0.98),
    log_every=10,
    seed=0,
):
    """Train the modular-addition MLP full-batch with AdamW; cached.

    Parameters
    ----------
    p : int
        The modulus (odd, at least 3); inputs and outputs are ``0 .. p - 1``.
    train_fraction : float
        Share of the ``p**2`` pairs trained on, in ``(0, 1)``; the rest are the test
        set. The split is drawn once from ``seed``.
    d_embed, d_hidden : int
        Width of the embedding and of the hidden ReLU layer.
    steps : int
        Full-batch AdamW steps.
    lr, weight_decay, betas : float, float, tuple of float
        AdamW's settings (decoupled weight decay, on every parameter).
    log_every : int
        Losses, accuracies, weight norm and a snapshot of the embedding are recorded
        at step 0 and every ``log_every`` steps.
    seed : int
        Seed of the generator behind the split and the initial weights.

    Returns
    -------
    GrokkingRun
    """
    p = _check_p(p, "p")
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be in (0, 1); got {train_fraction!r}")
    for name, value in (("steps", steps), ("log_every", log_every)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive whole number; got {value!r}")
    if steps % log_every:
        raise ValueError(
            f"steps ({steps}) must be a multiple of log_every ({log_every}), so that "
            "the last step is logged"
        )
    config = {
        "p": p,
        "train_fraction": float(train_fraction),
        "d_embed": int(d_embed),
        "d_hidden": int(d_hidden),
        "steps": int(steps),
        "lr": float(lr),
        "weight_decay": float(weight_decay),
        "betas": [float(v) for v in betas],
        "log_every": int(log_every),
        "seed": int(seed),
    }
    path = _cache_path(config)
    if path.is_file():
        with np.load(path) as stored:
            result = dict(stored)
    else:
        with one_thread():  # small matrices: threads would mostly wait
            result = _train(config)
        with written_atomically(path) as file:
            np.savez(file, **result)
    history = pd.DataFrame(result["history"], columns=_HISTORY)
    history["step"] = history["step"].astype(int)
    return GrokkingRun(
        config=config,
        params={k: result[k] for k in _PARAMS},
        history=history,
        embeddings=result["embeddings"],
        train_index=result["train_index"],
        test_index=result["test_index"],
    )


def first_step_at(history, column, level):
    """The first logged step at which ``history[column]`` reaches ``level``.

    Parameters
    ----------
    history : pandas.DataFrame
        With a ``step`` column, as :attr:`GrokkingRun.history`.
    column : str
        E.g. ``"train_acc"``.
    level : float

    Returns
    -------
    int or None
        None when the column never reaches ``level``.
    """
    if column not in history:
        raise ValueError(
            f"column must be one of {list(history.columns)}; got {column!r}"
        )
    reached = history.loc[history[column] >= level, "step"]
    return int(reached.iloc[0]) if len(reached) else None


def fourier_basis(p):
    """The real orthonormal Fourier basis of ``Z_p``, one basis vector per row.

    Row 0 is the constant ``1 / sqrt(p)``; rows ``2k - 1`` and ``2k`` are
    ``sqrt(2 / p) cos(2 pi k x / p)`` and ``sqrt(2 / p) sin(2 pi k x / p)`` for
    ``k = 1 .. (p - 1) / 2``.

    Parameters
    ----------
    p : int
        Odd, at least 3.

    Returns
    -------
    basis : array of shape (p, p)
        Orthogonal: ``basis @ basis.T`` is the identity.
    frequency : array of int, shape (p,)
        The frequency ``k`` of each row (0 for the constant).
    """
    p = _check_p(p, "p")
    k = np.arange(1, (p - 1) // 2 + 1)
    angle = 2 * np.pi * np.outer(k, np.arange(p)) / p
    rows = [np.full((1, p), 1 / np.sqrt(p))]
    waves = np.stack([np.cos(angle), np.sin(angle)], axis=1).reshape(-1, p)
    basis = np.vstack(rows + [np.sqrt(2 / p) * waves])
    return basis, np.r_[0, np.repeat(k, 2)]


def frequency_norms(matrix):
    """How the norm of a matrix with rows indexed by ``Z_p`` spreads over frequencies.

    Parameters
    ----------
    matrix : array of shape (p, d) or (n, p, d)
        Rows indexed by ``x = 0 .. p - 1`` (an embedding ``E``); a stack of them.

    Returns
    -------
    array of shape ((p + 1) / 2,) or (n, (p + 1) / 2)
        Entry ``k`` is the L2 norm of the matrix's component along ``cos`` and ``sin``
        of frequency ``k`` (entry 0: along the constant). Their squares add up to the
        squared Frobenius norm of the matrix.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim not in (2, 3):
        raise ValueError(
            f"matrix must have shape (p, d) or (n, p, d); got shape {matrix.shape}"
        )
    p = matrix.shape[-2]
    basis, frequency = fourier_basis(p)
    squared = (np.einsum("fx,...xd->...fd", basis, matrix) ** 2).sum(-1)
    per_freq = np.zeros(squared.shape[:-1] + ((p + 1) // 2,))
    for k in range((p + 1) // 2):
        per_freq[..., k] = squared[..., frequency == k].sum(-1)
    return np.sqrt(per_freq)


def key_frequencies(norms):
    """The frequencies ``k >= 1`` whose squared norm exceeds their mean.

    A spread-out spectrum puts about half of the frequencies above the mean; a sparse
    one puts only its few large ones there.

    Parameters
    ----------
    norms : array of shape ((p + 1) / 2,)
        From :func:`frequency_norms` (entry 0, the constant, is left out).

    Returns
    -------
    array of int
        The key frequencies, largest norm first.
    """
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1 or len(norms) < 2:
        raise ValueError(
            f"norms must be one spectrum of shape ((p + 1) / 2,); got {norms.shape}"
        )
    squared = norms[1:] ** 2
    order = np.argsort(-squared, kind="stable")
    return 1 + order[squared[order] > squared.mean()]


def top_share(norms, k):
    """Share of the squared norm carried by the ``k`` largest frequencies ``>= 1``.

    Parameters
    ----------
    norms : array of shape ((p + 1) / 2,) or (n, (p + 1) / 2)
        From :func:`frequency_norms`; the total includes the constant (entry 0).
    k : int

    Returns
    -------
    float or array of shape (n,)
    """
    squared = np.asarray(norms, dtype=np.float64) ** 2
    if not 1 <= k < squared.shape[-1]:
        raise ValueError(f"k must be in [1, {squared.shape[-1] - 1}]; got {k!r}")
    top = -np.sort(-squared[..., 1:], axis=-1)[..., :k].sum(-1)
    return top / squared.sum(-1)


def restricted_excluded_loss(run, frequencies):
    """Nanda et al.'s restricted and excluded losses, for an MLP.

    The logits over all pairs, as functions of ``(a, b)`` (one per output ``c``), are
    split into their components along ``cos(2 pi k (a + b) / p)`` and
    ``sin(2 pi k (a + b) / p)`` for the given frequencies, and the rest.

    Parameters
    ----------
    run : GrokkingRun
    frequencies : sequence of int
        Frequencies in ``1 .. (p - 1) / 2``.

    Returns
    -------
    dict
        ``full``: the test loss of the network; ``restricted``: the test loss when only
        those components (plus each logit's mean) are kept; ``excluded``: the *train*
        loss when those components are removed; ``full_acc``, ``restricted_acc``,
        ``excluded_acc``: the accuracies on the same pairs.
    """
    p = run.config["p"]
    frequencies = np.asarray(frequencies, dtype=int)
    if (
        frequencies.size == 0
        or frequencies.min() < 1
        or frequencies.max() > (p - 1) // 2
    ):
        raise ValueError(
            f"frequencies must be non-empty, in 1..{(p - 1) // 2}; got {frequencies}"
        )
    a, b, y = modular_pairs(p)
    logits = run.logits(a, b)
    angle = 2 * np.pi * np.outer(a + b, frequencies) / p
    waves = np.c_[np.cos(angle), np.sin(angle)] * np.sqrt(2.0 / p**2)  # unit columns
    along = waves @ (waves.T @ logits)
    mean = logits.mean(0)

    def scores(z, rows):
        z = z[rows] - z[rows].max(1, keepdims=True)
        log_prob = z - np.log(np.exp(z).sum(1, keepdims=True))
        loss = -log_prob[np.arange(len(rows)), y[rows]].mean()
        return float(loss), float((z.argmax(1) == y[rows]).mean())

    (full, full_acc), (restricted, restricted_acc), (excluded, excluded_acc) = (
        scores(logits, run.test_index),
        scores(mean + along, run.test_index),
        scores(logits - along, run.train_index),
    )
    return {
        "full": full,
        "restricted": restricted,
        "excluded": excluded,
        "full_acc": full_acc,
        "restricted_acc": restricted_acc,
        "excluded_acc": excluded_acc,
    }
