"""The photo patch a unit sees: how large it is, and where it lies in the photo.

A position of a convolutional layer's output depends on a square of the input; the
*effective* square, where most of the input gradient lies, is much smaller than the
theoretical receptive field (Luo et al., "Understanding the Effective Receptive Field
in Deep Convolutional Neural Networks", NeurIPS 2016). :func:`effective_patch_side`
measures it; :func:`peak_crop` cuts that square out of a photo around one position, so
that a unit's strongest response can be shown next to its feature visualization (as in
the "dataset examples" of Olah et al., "Feature Visualization", Distill 2017).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

__all__ = ["effective_patch_side", "peak_crop"]


def effective_patch_side(
    forward: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    *,
    mass: float = 0.9,
    step: int = 4,
) -> int:
    """Side of the centred input square holding ``mass`` of a central position's gradient.

    The gradient of ``sum_c |A[0, c, h, h]|`` (the central position ``h`` of the first
    input's activations, all channels) with respect to the input is taken; its absolute
    value, summed over the input's channels, is the weight of each input pixel. The
    side grows from ``2 * step`` in steps of ``2 * step`` until the centred square holds
    ``mass`` of the total weight.

    Parameters
    ----------
    forward : callable
        ``(N, C_in, H, W)`` input -> ``(N, C, h, w)`` activations, differentiable.
    x : Tensor of shape (N, C_in, H, W), square (``H == W``)
        The input; only ``x[:1]`` is used.
    mass : float, default=0.9
        Share of the gradient's absolute sum the square must hold, in (0, 1].
    step : int, default=4
        Half-side increment in pixels.

    Returns
    -------
    int
        The side in pixels, at most ``H``.
    """
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[-1] != x.shape[-2]:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"x must be a square (N, C, H, H) tensor; got {shape}")
    if not 0 < mass <= 1:
        raise ValueError(f"mass must be in (0, 1]; got {mass!r}")
    if not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"step must be a positive integer; got {step!r}")
    x = x[:1].detach().clone().requires_grad_(True)
    A = forward(x)
    if A.ndim != 4:
        raise ValueError(
            f"forward must return (N, C, h, w); got shape {tuple(A.shape)}"
        )
    h = A.shape[-1] // 2
    (g,) = torch.autograd.grad(A[0, :, h, h].abs().sum(), x)
    g = g.abs().sum(1)[0].double().numpy()
    c = x.shape[-1] // 2
    for half in range(step, c + 1, step):
        if g[c - half : c + half, c - half : c + half].sum() >= mass * g.sum():
            return 2 * half
    return x.shape[-1]


def peak_crop(image, row: int, col: int, *, stride: int, side: int):
    """The ``side`` square of ``image`` centred on position ``(row, col)`` of a map.

    Position ``(row, col)`` of an activation map with ``stride`` input pixels per
    position covers the input pixels ``row * stride`` to ``(row + 1) * stride - 1``
    (and likewise for columns); the crop is centred on that cell and moved inside the
    image where it would leave it.

    Parameters
    ----------
    image : ndarray of shape (H, W, ...)
    row, col : int
        The position in the activation map.
    stride : int
        Input pixels per position.
    side : int
        Side of the crop in pixels, at most ``min(H, W)``.

    Returns
    -------
    crop : ndarray of shape (side, side, ...)
    corner : tuple of int
        ``(top, left)``: where the crop starts in the image. The cell of the position
        starts at ``(row * stride - top, col * stride - left)`` in the crop.
    """
    image = np.asarray(image)
    h, w = image.shape[:2]
    if not 0 < side <= min(h, w):
        raise ValueError(f"side must be between 1 and {min(h, w)}; got {side!r}")
    if stride < 1:
        raise ValueError(f"stride must be >= 1; got {stride!r}")
    if not (0 <= row * stride < h and 0 <= col * stride < w):
        raise ValueError(
            f"position ({row}, {col}) at stride {stride} lies outside the {h}x{w} image"
        )
    top = int(np.clip(row * stride + stride / 2 - side / 2, 0, h - side))
    left = int(np.clip(col * stride + stride / 2 - side / 2, 0, w - side))
    return image[top : top + side, left : left + side], (top, left)
