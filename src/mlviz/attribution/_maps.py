"""Five gradient attribution maps of one image from one batch of forward passes.

:func:`attribution_maps` computes saliency, gradient x input, SmoothGrad, integrated
gradients and Grad-CAM of one class for one image. Every one of them needs the
gradient of the same logit with respect to some input, so the photo, its noisy copies
and the points of the integration path go through the network together, in batches;
a forward hook on the Grad-CAM layer keeps its output for the photo. The pages that
*judge* maps (faithfulness, sanity checks) call it once per image and network; the
pages that *teach* the maps write each of them out.

Each map equals the package's one-method helper (:func:`saliency`,
:func:`input_gradients`, :func:`smoothgrad`, :class:`GradCAM`) up to rounding;
integrated gradients can space the points of the path unevenly (``path_power``).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._torch import one_thread

__all__ = ["MAP_NAMES", "AttributionMaps", "attribution_maps"]

#: The keys of :attr:`AttributionMaps.maps`, in this order.
MAP_NAMES = ("saliency", "gradient x input", "SmoothGrad", "integrated gradients", "Grad-CAM")


@dataclass(frozen=True)
class AttributionMaps:
    """Five maps of one image for one class, and the numbers of IG's completeness check.

    Attributes
    ----------
    maps : dict of str to ndarray of shape (H, W)
        ``"saliency"``: ``max_c |g_c|``; ``"gradient x input"``: ``sum_c g_c x_c``
        (signed); ``"SmoothGrad"``: ``max_c mean_k |g_c(x + noise_k)|``;
        ``"integrated gradients"``: ``sum_c (x_c - x'_c) * mean over the path of g_c``
        (signed); ``"Grad-CAM"``: ``ReLU(sum_k w_k A_k)`` with ``w_k`` the mean gradient
        of the feature map ``A_k``, upsampled bilinearly to (H, W), not rescaled.
        ``g`` is the gradient of the target's logit; all float64.
    ig_total : float
        The sum of the integrated-gradients attributions.
    ig_rise : float
        ``f(x) - f(baseline)``, the logit's rise along the path.
    """

    maps: dict
    ig_total: float
    ig_rise: float

    @property
    def completeness_gap(self) -> float:
        """``|ig_total - ig_rise| / |ig_rise|``: 0 for a converged path integral."""
        return abs(self.ig_total - self.ig_rise) / max(abs(self.ig_rise), 1e-12)


def _count(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int; got {value!r} ({type(value).__name__})")
    if value < low:
        raise ValueError(f"{name} must be >= {low}; got {value!r}")
    return int(value)


def attribution_maps(
    model: nn.Module,
    x: torch.Tensor,
    target: int,
    *,
    layer: nn.Module,
    baseline: float = 0.0,
    n_noisy: int = 8,
    noise_level: float = 0.15,
    n_steps: int = 32,
    path_power: float = 1.0,
    seed: int = 0,
    batch_size: int = 8,
) -> AttributionMaps:
    """Saliency, gradient x input, SmoothGrad, integrated gradients and Grad-CAM of one image.

    Parameters
    ----------
    model : torch.nn.Module
        A classifier in evaluation mode returning ``(N, n_classes)`` logits; the
        images of a batch must not interact (no batch statistics).
    x : Tensor of shape (1, C, H, W)
        The image, in the model's input space.
    target : int
        The class whose logit is explained.
    layer : torch.nn.Module
        The layer whose output ``(1, K, h, w)`` Grad-CAM weights (usually the last
        convolution block).
    baseline : float
        The start of the integration path, a constant in the model's input space
        (-1.0 is black for inputs in [-1, 1]).
    n_noisy : int
        Noisy copies for SmoothGrad: Gaussian noise of ``noise_level`` times the
        image's value range, drawn from ``torch.Generator().manual_seed(seed)`` as
        :func:`smoothgrad` draws it.
    noise_level : float
        Standard deviation of SmoothGrad's noise as a share of the value range.
    n_steps : int
        Intervals of the integration path (gradients at ``n_steps + 1`` points).
    path_power : float
        The points of the path are ``a = t ** path_power`` for evenly spaced ``t``, and
        the trapezoidal rule runs in ``t`` (``da = p t^(p-1) dt``). 1 spaces them evenly
        (as :func:`integrated_gradients`); 3 puts most of them near the baseline, where
        a logit that starts from a black image rises fastest.
    seed : int
        Seed of SmoothGrad's noise.
    batch_size : int
        Images per forward and backward pass.

    Returns
    -------
    AttributionMaps

    Examples
    --------
    >>> net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2)).eval()
    >>> result = attribution_maps(net, torch.rand(1, 3, 8, 8), 1, layer=net[1], n_steps=4)
    >>> sorted(result.maps) == sorted(MAP_NAMES), result.maps["Grad-CAM"].shape
    (True, (8, 8))
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    if not isinstance(layer, nn.Module):
        raise TypeError(f"layer must be a torch.nn.Module of model; got {type(layer).__name__}")
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[0] != 1:
        raise ValueError(f"x must be one image of shape (1, C, H, W); got {getattr(x, 'shape', type(x))}")
    target = _count("target", target, 0)
    n_noisy, n_steps = _count("n_noisy", n_noisy, 1), _count("n_steps", n_steps, 1)
    batch_size = _count("batch_size", batch_size, 1)
    if not (isinstance(path_power, numbers.Real) and path_power >= 1):
        raise ValueError(f"path_power must be a number >= 1; got {path_power!r}")
    if not (isinstance(baseline, numbers.Real) and np.isfinite(baseline)):
        raise TypeError(f"baseline must be a finite number (a constant image); got {baseline!r}")
    x = x.detach()
    rng = torch.Generator().manual_seed(seed)
    span = x.amax(dim=(1, 2, 3), keepdim=True) - x.amin(dim=(1, 2, 3), keepdim=True)  # as smoothgrad
    noisy = [x + torch.randn(x.shape, generator=rng) * noise_level * span for _ in range(n_noisy)]
    start = torch.full_like(x, float(baseline))
    t = torch.linspace(0, 1, n_steps + 1, dtype=torch.float64)
    weights = path_power * t ** (path_power - 1) / n_steps
    weights[[0, -1]] /= 2
    path = [start + a * (x - start) for a in (t**path_power).to(x.dtype)]

    kept = {}

    def keep_first(module, inputs, output):  # returns None: the output is unchanged
        kept.setdefault("A", output)

    handle = layer.register_forward_hook(keep_first)
    grads, logits = [], []
    try:
        with one_thread():
            for k, chunk in enumerate(torch.split(torch.cat([x, *noisy, *path]), batch_size)):
                chunk = chunk.clone().requires_grad_(True)
                out = model(chunk)[:, target]
                wrt = [chunk, kept["A"]] if k == 0 else [chunk]
                g = torch.autograd.grad(out.sum(), wrt)
                grads.append(g[0].double())
                logits.append(out.detach().double())
                if k == 0:
                    A, dA = kept["A"][0].detach().double(), g[1][0].double()
    finally:
        handle.remove()
    g, logits = torch.cat(grads), torch.cat(logits)
    on_path = slice(1 + n_noisy, None)
    ig = ((x - start)[0].double() * (weights[:, None, None, None] * g[on_path]).sum(0)).sum(0)
    cam = torch.relu((dA.mean(dim=(1, 2))[:, None, None] * A).sum(0))
    cam = F.interpolate(cam[None, None], size=tuple(x.shape[-2:]), mode="bilinear", align_corners=False)
    maps = {
        "saliency": g[0].abs().amax(0).numpy(),
        "gradient x input": (g[0] * x[0].double()).sum(0).numpy(),
        "SmoothGrad": g[1 : 1 + n_noisy].abs().mean(0).amax(0).numpy(),
        "integrated gradients": ig.numpy(),
        "Grad-CAM": cam[0, 0].numpy(),
    }
    rise = (logits[-1] - logits[1 + n_noisy]).item()
    return AttributionMaps(maps, ig.sum().item(), rise)
