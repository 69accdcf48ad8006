"""Loss landscapes (Li et al., 2018): the loss on a plane through a trained network's weights.

A network's weights are a point ``w`` in a space of ~10^5 dimensions. Choose two
directions ``d1, d2`` and evaluate ``L(w + a d1 + b d2)`` on a grid of ``(a, b)``:

* :func:`filter_normalized_direction` draws a random direction and rescales each filter
  (each output unit's slice of a weight tensor) to the norm of the same filter of ``w``,
  so that a step of 1 means the same relative change in every layer, whatever its scale;
* :func:`pca_directions` takes the two main directions in which the weights moved during
  training, and :func:`project_onto` gives each checkpoint's coordinates in that plane;
* :func:`loss_grid` evaluates the loss (and accuracy) at every grid point, in
  mini-batches of images, with a copy of the model so the original is not touched.

Weights and directions are lists of tensors in ``model.parameters()`` order.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._torch import one_thread

__all__ = [
    "LossGrid",
    "filter_normalized_direction",
    "flatten",
    "loss_grid",
    "parameters_of",
    "pca_directions",
    "project_onto",
]


def parameters_of(source: nn.Module | Mapping[str, torch.Tensor], model: nn.Module | None = None) -> list[torch.Tensor]:
    """Return the weights as a list of detached tensors in ``model.parameters()`` order.

    Parameters
    ----------
    source : Module or state_dict
        A network, or a ``state_dict`` (then ``model`` gives the parameter names).
    model : Module, optional
        Required when ``source`` is a state_dict.
    """
    if isinstance(source, nn.Module):
        return [p.detach().clone() for p in source.parameters()]
    if model is None:
        raise TypeError("model is required when source is a state_dict (it gives the parameters' names and order)")
    return [source[name].detach().clone().float() for name, _ in model.named_parameters()]


def flatten(tensors: Sequence[torch.Tensor]) -> np.ndarray:
    """Concatenate tensors into one float64 vector."""
    return np.concatenate([t.detach().cpu().numpy().ravel() for t in tensors]).astype(np.float64)


def filter_normalized_direction(weights: Sequence[torch.Tensor], *, seed: int, ignore_1d: bool = True) -> list[torch.Tensor]:
    """Draw a Gaussian direction and scale each filter to the norm of the weights' filter.

    For a weight tensor of shape ``(out, ...)`` a *filter* is a slice ``[i]`` (a conv
    kernel ``(in, kh, kw)`` or a dense layer's row of input weights). Each filter ``d_i``
    of the random direction becomes ``d_i / ||d_i|| * ||w_i||`` (Li et al., 2018, Sec. 4).

    Parameters
    ----------
    weights : sequence of Tensor
        The trained weights (:func:`parameters_of`).
    seed : int
        Seed of the Gaussian draw.
    ignore_1d : bool
        Set the direction to zero on 1-D parameters (biases, normalization scales), as
        Li et al. do; with False they are normalized as one filter each.

    Returns
    -------
    list of Tensor
        Same shapes as ``weights``.

    Notes
    -----
    The loss-landscape page (G1) writes this normalization out in a few lines of torch,
    so that the reader sees it; ``tests/inspect/test_landscape.py`` checks that its directions
    equal this function's.
    """
    generator = torch.Generator().manual_seed(seed)
    direction = []
    for w in weights:
        d = torch.randn(w.shape, generator=generator, dtype=w.dtype)
        if w.dim() <= 1:
            direction.append(torch.zeros_like(w) if ignore_1d else d * (w.norm() / d.norm()))
            continue
        d_norm = d.flatten(1).norm(dim=1).view(-1, *([1] * (w.dim() - 1)))
        w_norm = w.flatten(1).norm(dim=1).view(-1, *([1] * (w.dim() - 1)))
        direction.append(d / d_norm * w_norm)
    return direction


def pca_directions(checkpoints: Sequence[Sequence[torch.Tensor]], final: Sequence[torch.Tensor], n: int = 2):
    """Principal directions of the moves ``checkpoint - final`` along a training run.

    Parameters
    ----------
    checkpoints : sequence of weight lists
        The weights at several moments of training (:func:`parameters_of` of each state).
    final : sequence of Tensor
        The weights at the centre of the plot (usually the last checkpoint).
    n : int
        Number of directions.

    Returns
    -------
    directions : list of n weight lists
        Unit-norm, orthogonal directions, shaped like ``final``.
    explained : ndarray of shape (n,)
        Share of the moves' variance (about ``final``) each direction explains.
    """
    if len(checkpoints) < n + 1:
        raise ValueError(f"checkpoints must hold at least n + 1 = {n + 1} weight lists; got {len(checkpoints)}")
    centre = flatten(final)
    moves = np.stack([flatten(c) - centre for c in checkpoints])
    _, s, vt = np.linalg.svd(moves, full_matrices=False)
    explained = s[:n] ** 2 / np.sum(s**2)
    return [_unflatten(vt[i], final) for i in range(n)], explained


def _unflatten(vector: np.ndarray, like: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    out, start = [], 0
    for t in like:
        out.append(torch.as_tensor(vector[start : start + t.numel()], dtype=t.dtype).view_as(t))
        start += t.numel()
    return out


def project_onto(points: Sequence[Sequence[torch.Tensor]], origin: Sequence[torch.Tensor], directions) -> np.ndarray:
    """Coordinates ``(a, b, ...)`` of each weight list in the plane through ``origin``.

    Least squares (exact when the point lies in the plane): ``p - origin ~ sum_k c_k d_k``.

    Returns
    -------
    ndarray of shape (len(points), len(directions))
    """
    basis = np.stack([flatten(d) for d in directions], axis=1)
    centre = flatten(origin)
    moves = np.stack([flatten(p) - centre for p in points], axis=1)
    coords, *_ = np.linalg.lstsq(basis, moves, rcond=None)
    return coords.T


@dataclass
class LossGrid:
    """Loss and accuracy on a grid ``w + a d1 + b d2``.

    Attributes
    ----------
    alphas, betas : ndarray
        Grid coordinates along ``d1`` (columns) and ``d2`` (rows).
    loss, accuracy : ndarray of shape (len(betas), len(alphas))
        ``loss[j, i]`` is the mean cross-entropy at ``(alphas[i], betas[j])``.
    """

    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray


@torch.no_grad()
def loss_grid(
    model: nn.Module,
    directions: Sequence[Sequence[torch.Tensor]],
    X: torch.Tensor,
    y: torch.Tensor,
    alphas: np.ndarray,
    betas: np.ndarray,
    *,
    origin: Sequence[torch.Tensor] | None = None,
    batch_size: int = 500,
) -> LossGrid:
    """Evaluate the cross-entropy of ``model`` at ``origin + a d1 + b d2`` for every grid point.

    Parameters
    ----------
    model : Module
        The network; it is copied, never modified.
    directions : two weight lists
        ``d1`` and ``d2``, shaped like ``model.parameters()``.
    X, y : Tensor
        Images and labels the loss is measured on.
    alphas, betas : 1-D arrays
        Coordinates along ``d1`` and ``d2``.
    origin : weight list, optional
        Centre of the plane (default: the model's weights).
    batch_size : int
        Images per forward pass (keeps memory bounded on large evaluation sets).

    Returns
    -------
    LossGrid
    """
    if len(directions) != 2:
        raise ValueError(f"directions must hold two weight lists (d1, d2); got {len(directions)}")
    net = copy.deepcopy(model).eval()
    params = list(net.parameters())
    origin = parameters_of(model) if origin is None else list(origin)
    for name, ws in (("d1", directions[0]), ("d2", directions[1]), ("origin", origin)):
        shapes = [tuple(w.shape) for w in ws]
        if shapes != [tuple(p.shape) for p in params]:
            raise ValueError(f"{name} must match the model's parameter shapes {[tuple(p.shape) for p in params]}; got {shapes}")
    alphas, betas = np.asarray(alphas, dtype=float), np.asarray(betas, dtype=float)
    loss = np.empty((len(betas), len(alphas)))
    accuracy = np.empty_like(loss)
    with one_thread():
        for j, b in enumerate(betas):
            for i, a in enumerate(alphas):
                for p, w, d1, d2 in zip(params, origin, directions[0], directions[1]):
                    p.copy_(w + a * d1 + b * d2)
                total, correct = 0.0, 0
                for start in range(0, len(y), batch_size):
                    logits = net(X[start : start + batch_size])
                    yb = y[start : start + batch_size]
                    total += F.cross_entropy(logits, yb, reduction="sum").item()
                    correct += (logits.argmax(1) == yb).sum().item()
                loss[j, i], accuracy[j, i] = total / len(y), correct / len(y)
    return LossGrid(alphas, betas, loss, accuracy)
