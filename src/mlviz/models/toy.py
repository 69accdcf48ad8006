"""Toy models of superposition (Elhage et al., 2022) and a sparse autoencoder on them.

``n`` features ``x_i ~ U[0, 1]``, each present with probability ``1 - S``, are squeezed
into ``m`` hidden dimensions, ``h = W x``, and read back as ``x' = ReLU(W^T h + b)``; the
loss is ``sum_i I_i (x_i - x'_i)^2`` with importance ``I_i = decay**i``. Training is
seeded and deterministic on the CPU, and its result is cached in
``mlviz.config.cache_dir("toy-models")`` under the SHA-256 of the configuration and the
torch version (written to a temporary file, then renamed).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from ..config import cache_dir, written_atomically

__all__ = [
    "features_represented",
    "interference",
    "max_cosine",
    "plot_feature_geometry",
    "toy_superposition",
]


def _cache_path(config: dict) -> Path:
    payload = json.dumps({"config": config, "torch": torch.__version__}, sort_keys=True)
    return (
        cache_dir("toy-models") / f"{hashlib.sha256(payload.encode()).hexdigest()}.npz"
    )


def _sample(generator, shape, sparsity):
    """Features uniform on [0, 1], each zero with probability ``sparsity``."""
    values = torch.rand(shape, generator=generator)
    return values * (torch.rand(shape, generator=generator) >= sparsity)


def _train_toy(config, generator):
    n, m, k = config["n_features"], config["n_hidden"], config["n_instances"]
    sparsity = torch.tensor(config["sparsities"]).repeat_interleave(k)[:, None, None]
    importance = config["importance_decay"] ** torch.arange(n, dtype=torch.float32)
    W = torch.empty(len(sparsity), n, m)
    for w in W:  # Xavier-normal start, as in the paper
        w.normal_(0.0, (2.0 / (n + m)) ** 0.5, generator=generator)
    W, b = W.requires_grad_(), torch.zeros(len(sparsity), n, requires_grad=True)
    optimizer = torch.optim.Adam([W, b], lr=config["lr"])
    for _ in range(config["steps"]):
        x = _sample(generator, (len(sparsity), config["batch_size"], n), sparsity)
        h = x @ W  # (instances, batch, m)
        out = torch.relu(h @ W.transpose(1, 2) + b[:, None])
        loss = ((x - out) ** 2 * importance).sum(-1).mean(-1)
        optimizer.zero_grad()
        loss.sum().backward()
        optimizer.step()
    loss = loss.detach().reshape(-1, k)
    best = loss.argmin(1)  # the instance with the lowest final loss, per sparsity
    rows = torch.arange(len(best)) * k + best
    return W.detach()[rows], b.detach()[rows], loss.gather(1, best[:, None])[:, 0]


def _train_sae(config, W, generator):
    m, d = config["n_hidden"], config["sae_units"]
    encoder = torch.empty(m, d).normal_(0.0, 1.0, generator=generator)
    decoder = encoder.T.clone()
    encoder, decoder = encoder.requires_grad_(), decoder.requires_grad_()
    bias_enc, bias_dec = (
        torch.zeros(d, requires_grad=True),
        torch.zeros(m, requires_grad=True),
    )
    optimizer = torch.optim.Adam(
        [encoder, decoder, bias_enc, bias_dec], lr=config["lr"]
    )
    for _ in range(config["steps"]):
        x = _sample(
            generator, (config["sae_batch_size"], W.shape[0]), config["sae_sparsity"]
        )
        h = x @ W
        unit = decoder / decoder.norm(dim=1, keepdim=True)  # unit-norm dictionary
        code = torch.relu((h - bias_dec) @ encoder + bias_enc)
        recon = code @ unit + bias_dec
        loss = ((h - recon) ** 2).sum(-1).mean() + config["sae_l1"] * code.sum(
            -1
        ).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return (decoder / decoder.norm(dim=1, keepdim=True)).detach()


def toy_superposition(
    sparsities,
    *,
    n_features=5,
    n_hidden=2,
    importance_decay=0.9,
    n_instances=3,
    steps=2000,
    batch_size=256,
    lr=1e-2,
    sae_sparsity=0.99,
    sae_units=10,
    sae_l1=0.05,
    sae_batch_size=2048,
    seed=0,
):
    """Train one toy model per sparsity and a sparse autoencoder on one; cached.

    Parameters
    ----------
    sparsities : sequence of float
        Probabilities ``S`` that a feature is zero, each in ``[0, 1)``.
    n_features, n_hidden : int
        ``n`` features squeezed into ``m`` hidden dimensions.
    importance_decay : float
        Importance of feature ``i`` is ``importance_decay**i``.
    n_instances : int
        Models trained per sparsity from other starts; the lowest final loss is kept.
    steps, batch_size, lr : int, int, float
        Adam steps, freshly generated samples per step, learning rate (both trainings).
    sae_sparsity : float
        The sparsity (one of ``sparsities``) whose hidden activations ``h`` the sparse
        autoencoder learns from.
    sae_units, sae_l1, sae_batch_size : int, float, int
        Dictionary size, L1 penalty on the autoencoder's codes, samples per step.
    seed : int
        Seed of the generator behind starts and data.

    Returns
    -------
    dict
        ``W`` (sparsities, n, m), ``b`` (sparsities, n), ``loss`` (sparsities,), the
        final training loss of the kept model, ``importance`` (n,) and ``decoder``
        (sae_units, m), unit-norm dictionary directions; all numpy arrays.
    """
    sparsities = [float(s) for s in sparsities]
    if not sparsities or any(not 0 <= s < 1 for s in sparsities):
        raise ValueError(f"sparsities must be values in [0, 1); got {sparsities}")
    if sae_sparsity not in sparsities:
        raise ValueError(
            f"sae_sparsity must be one of sparsities {sparsities}; got {sae_sparsity}"
        )
    config = {k: v for k, v in locals().items() if k != "config"}
    path = _cache_path(config)
    if path.is_file():
        with np.load(path) as stored:
            return dict(stored)
    generator = torch.Generator().manual_seed(seed)
    W, b, loss = _train_toy(config, generator)
    decoder = _train_sae(config, W[sparsities.index(sae_sparsity)], generator)
    importance = importance_decay ** np.arange(n_features, dtype=np.float32)
    result = {
        "W": W.numpy(),
        "b": b.numpy(),
        "loss": loss.numpy(),
        "importance": importance,
    }
    result["decoder"] = decoder.numpy()
    with written_atomically(path) as file:
        np.savez(file, **result)
    return result


def features_represented(W, threshold=0.5):
    """Which features have a column of norm above ``threshold``.

    Parameters
    ----------
    W : array of shape (n_features, n_hidden)
        Row ``i`` is feature ``i``'s direction in the hidden space.
    threshold : float
        Norm above which a feature counts as represented.

    Returns
    -------
    array of bool, shape (n_features,)
    """
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"W must be 2-D (n_features, n_hidden); got shape {W.shape}")
    return np.linalg.norm(W, axis=1) > threshold


def interference(W):
    """For each feature, ``sum_{j != i} (W_i/||W_i|| . W_j)^2``: how much others leak in.

    Zero when the features are orthogonal (or absent); the "superposition" measure of
    Elhage et al.

    Parameters
    ----------
    W : array of shape (n_features, n_hidden)

    Returns
    -------
    array of shape (n_features,)
    """
    W = np.asarray(W, dtype=float)
    unit = W / np.maximum(np.linalg.norm(W, axis=1, keepdims=True), 1e-12)
    overlap = (unit @ W.T) ** 2
    return overlap.sum(1) - np.diag(overlap)


def max_cosine(W, directions):
    """For each row of ``W``, the best cosine with any row of ``directions``, and which.

    Parameters
    ----------
    W : array of shape (n_features, n_hidden)
    directions : array of shape (n_units, n_hidden)

    Returns
    -------
    best : array of shape (n_features,)
    which : array of int, shape (n_features,)
    """
    W, directions = np.asarray(W, dtype=float), np.asarray(directions, dtype=float)
    if W.shape[1] != directions.shape[1]:
        raise ValueError(
            f"directions must have {W.shape[1]} columns like W; got shape {directions.shape}"
        )
    a = W / np.linalg.norm(W, axis=1, keepdims=True)
    d = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    cos = a @ d.T
    return cos.max(1), cos.argmax(1)


def plot_feature_geometry(W, importance, *, ax=None, cmap="viridis", title=None):
    """Draw each feature's column ``W_i`` as an arrow in the 2-D hidden plane.

    Parameters
    ----------
    W : array of shape (n_features, 2)
    importance : array of shape (n_features,)
        Colours the arrows (brighter = more important with ``viridis``).
    ax : matplotlib Axes, optional
        Created when absent.
    cmap : str
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    W = np.asarray(W)
    if W.ndim != 2 or W.shape[1] != 2:
        raise ValueError(f"W must have shape (n_features, 2); got {W.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(3, 3))
    importance = np.asarray(importance, dtype=float)
    span = np.ptp(importance) or 1.0
    colors = plt.get_cmap(cmap)(0.15 + 0.85 * (importance - importance.min()) / span)
    for (x, y), color in zip(W, colors):
        ax.plot([0, x], [0, y], color=color, lw=2)
        ax.plot([x], [y], "o", color=color, ms=5)
    ax.add_patch(plt.Circle((0, 0), 1.0, fill=False, ls=":", color="0.6"))
    ax.set(xlim=(-1.4, 1.4), ylim=(-1.4, 1.4), aspect="equal", xticks=[], yticks=[])
    if title:
        ax.set_title(title)
    return ax
