"""Attention weights of a vision transformer: capture them with hooks, combine them by rollout.

* :class:`AttentionCapture` records, during a forward pass, the output of every
  attention softmax (modules named ``...attend`` in :class:`mlviz.models.TinyViT`): one
  array ``(N, heads, tokens, tokens)`` per layer. It is the package's hook recorder,
  :class:`mlviz.attribution.ActivationsAndGradients`, on those modules.
* :func:`attention_rollout` (Abnar and Zuidema, 2020) multiplies the layers' attention,
  each averaged over heads and mixed with the identity for the residual connection, into
  one map of how much each output token draws on each input token.
* :func:`patch_map` turns one row of attention over patch tokens into a 2-D grid the
  size of the patch grid, ready to upsample over the image.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from torch import nn

from ..attribution import ActivationsAndGradients

__all__ = ["AttentionCapture", "attention_rollout", "patch_map"]


class AttentionCapture(ActivationsAndGradients):
    """Forward hooks that keep the attention weights of every layer.

    The package's recorder (:class:`mlviz.attribution.ActivationsAndGradients`, without
    gradients) on every module whose name ends with ``suffix``; :attr:`attentions` gives
    its records as NumPy arrays.

    Parameters
    ----------
    model : torch.nn.Module
        The network.
    suffix : str
        Modules whose qualified name ends with this string are hooked (``"attend"``: the
        softmax of each :class:`mlviz.models.TinyViT` block). Their output must be the
        attention weights, shape ``(N, heads, tokens, tokens)``.

    Attributes
    ----------
    names : list of str
        The hooked modules, in forward (registration) order.
    attentions : list of ndarray
        After a forward pass: one ``(N, heads, T, T)`` float array per hooked module.

    Examples
    --------
    >>> import torch
    >>> from mlviz.models import TinyViT
    >>> net = TinyViT(dim=16, depth=2, heads=2)
    >>> with AttentionCapture(net) as capture:
    ...     _ = net(torch.zeros(1, 1, 28, 28))
    >>> [a.shape for a in capture.attentions]
    [(1, 2, 17, 17), (1, 2, 17, 17)]
    """

    def __init__(self, model: nn.Module, suffix: str = "attend"):
        names = [name for name, _ in model.named_modules() if name.endswith(suffix)]
        if not names:
            raise ValueError(f"no module of {type(model).__name__} has a name ending with suffix={suffix!r}")
        super().__init__(model, names, gradients=False)

    @property
    def attentions(self) -> list[np.ndarray]:
        """The weights captured by the last forward pass, one array per layer."""
        return [a.cpu().numpy() for a in self.activations]


def attention_rollout(attentions: Sequence[np.ndarray] | np.ndarray, *, residual: bool = True) -> np.ndarray:
    """Combine the attention of all layers into one token-to-token map (attention rollout).

    For each layer the heads are averaged, ``A = mean_h(A_h)``; with ``residual`` the
    skip connection is accounted for as ``0.5 * A + 0.5 * I`` and the rows are
    renormalized; the layers are then multiplied, last layer on the left:
    ``R = A_L ... A_2 A_1``. Row ``i`` of ``R`` tells how much output token ``i`` (for a
    ViT, row 0 is the class token) draws on each input token. Every row of ``R`` sums to 1.

    Parameters
    ----------
    attentions : sequence of arrays ``(heads, T, T)`` or ``(N, heads, T, T)``
        One per layer, in forward order (as :attr:`AttentionCapture.attentions`), each row
        summing to 1. A single array ``(L, heads, T, T)`` is read as L layers.
    residual : bool
        Mix in the identity for the residual connections (as Abnar and Zuidema do).

    Returns
    -------
    ndarray of shape ``(T, T)`` or ``(N, T, T)``

    Raises
    ------
    ValueError
        If no layer is given, if the layers' shapes differ or are not ``(..., heads, T, T)``
        with square matrices, or if a row does not sum to 1.

    Examples
    --------
    >>> eye = np.eye(3)[None]                     # one head that attends to itself
    >>> np.allclose(attention_rollout([eye, eye]), np.eye(3))
    True
    """
    layers = [np.asarray(a, dtype=np.float64) for a in attentions]
    if not layers:
        raise ValueError("attentions must hold at least one layer; got none")
    shape = layers[0].shape
    if len(shape) not in (3, 4) or shape[-1] != shape[-2]:
        raise ValueError(f"each layer's attention must have shape (heads, T, T) or (N, heads, T, T); got {shape}")
    for i, a in enumerate(layers):
        if a.shape != shape:
            raise ValueError(f"all layers must have the same shape; layer 0 has {shape}, layer {i} has {a.shape}")
        if not np.allclose(a.sum(-1), 1.0, atol=1e-4):
            raise ValueError(f"attention rows must sum to 1 (softmax outputs); layer {i} has rows summing to "
                             f"{a.sum(-1).min():.4g}..{a.sum(-1).max():.4g}")
    eye = np.eye(shape[-1])
    rollout = None
    for a in layers:
        a = a.mean(axis=-3)
        if residual:
            a = 0.5 * a + 0.5 * eye
            a = a / a.sum(-1, keepdims=True)
        rollout = a if rollout is None else a @ rollout
    return rollout


def patch_map(row: np.ndarray, grid: int, *, skip: int = 1) -> np.ndarray:
    """Reshape one attention row over ``skip`` special tokens + ``grid*grid`` patches into a grid.

    Parameters
    ----------
    row : array of shape ``(skip + grid*grid,)``
        E.g. row 0 of a rollout: what the class token draws on.
    grid : int
        Patches per side.
    skip : int
        Leading special tokens to drop (the class token).

    Returns
    -------
    ndarray of shape ``(grid, grid)``
        The patches' weights in row-major order, renormalized to sum to 1.
    """
    row = np.asarray(row, dtype=np.float64)
    if row.shape != (skip + grid * grid,):
        raise ValueError(f"row must have shape ({skip + grid * grid},) for grid={grid}, skip={skip}; got {row.shape}")
    patches = row[skip:].reshape(grid, grid)
    return patches / patches.sum()
