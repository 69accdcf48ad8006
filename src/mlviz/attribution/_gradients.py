"""Gradient attributions on the input pixels: saliency, SmoothGrad, integrated gradients."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ._targets import resolve_targets, target_scores
from .._torch import one_thread

__all__ = ["IntegratedGradientsResult", "input_gradients", "integrated_gradients", "saliency", "smoothgrad"]


def _check_input(x):
    if not isinstance(x, torch.Tensor) or x.ndim != 4:
        raise ValueError(f"x must be a 4-D tensor (N, C, H, W); got {getattr(x, 'shape', type(x))}")


def input_gradients(model: nn.Module, x: torch.Tensor, targets=None) -> np.ndarray:
    """Return d(score)/d(input), shape ``(N, C, H, W)``, one explained score per image.

    Parameters
    ----------
    model : torch.nn.Module
    x : Tensor of shape (N, C, H, W)
    targets : None, callable or list
        None explains each image's predicted class (see
        :class:`~mlviz.attribution.ClassifierOutputTarget`).
    """
    _check_input(x)
    model.eval()
    with one_thread():
        x = x.detach().clone().requires_grad_(True)
        output = model(x)
        targets = resolve_targets(targets, output.detach())
        (grad,) = torch.autograd.grad(target_scores(targets, output).sum(), x)
    return grad.numpy()


def saliency(model: nn.Module, x: torch.Tensor, targets=None) -> np.ndarray:
    """Vanilla saliency (Simonyan et al., 2014): ``max_c |d score / d x_c|``, shape ``(N, H, W)``."""
    return np.abs(input_gradients(model, x, targets)).max(axis=1)


def smoothgrad(
    model: nn.Module, x: torch.Tensor, targets=None, *, n_samples: int = 25, noise_level: float = 0.15,
    seed: int = 0, absolute: bool = True,
) -> np.ndarray:
    """SmoothGrad (Smilkov et al., 2017): gradients averaged over noisy copies of the input.

    Parameters
    ----------
    n_samples : int
        Noisy copies per image.
    noise_level : float
        Standard deviation of the Gaussian noise as a share of each image's value range.
    seed : int
        Seed of the noise.
    absolute : bool
        Average ``|gradient|`` (the usual choice for display) instead of the gradient.

    Returns
    -------
    ndarray of shape (N, H, W)
        The channel-wise maximum of the averaged (absolute) gradient.
    """
    _check_input(x)
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1; got {n_samples!r}")
    if targets is None:
        with torch.no_grad(), one_thread():
            targets = model.eval()(x).argmax(1).tolist()
    targets = resolve_targets(targets, torch.empty(len(x), 1))
    rng = torch.Generator().manual_seed(seed)
    span = (x.amax(dim=(1, 2, 3), keepdim=True) - x.amin(dim=(1, 2, 3), keepdim=True))
    total = np.zeros(x.shape, dtype=np.float64)
    for _ in range(n_samples):
        noisy = x + torch.randn(x.shape, generator=rng) * noise_level * span
        g = input_gradients(model, noisy, targets)
        total += np.abs(g) if absolute else g
    mean = total / n_samples
    return np.abs(mean).max(axis=1) if absolute else mean.max(axis=1)


@dataclass(frozen=True)
class IntegratedGradientsResult:
    """Integrated-gradients attributions and the numbers of the completeness check.

    Attributes
    ----------
    attributions : ndarray of shape (N, C, H, W)
    score : ndarray of shape (N,)
        The explained score at the input, ``f(x)``.
    baseline_score : ndarray of shape (N,)
        The same score at the baseline, ``f(x')``.
    """

    attributions: np.ndarray
    score: np.ndarray
    baseline_score: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """Sum of the attributions of each image."""
        return self.attributions.reshape(len(self.attributions), -1).sum(axis=1)

    @property
    def relative_error(self) -> np.ndarray:
        """``|sum(attributions) - (f(x) - f(x'))| / |f(x) - f(x')|`` per image (completeness)."""
        delta = self.score - self.baseline_score
        return np.abs(self.total - delta) / np.maximum(np.abs(delta), 1e-12)


def integrated_gradients(
    model: nn.Module, x: torch.Tensor, targets=None, *, baseline: torch.Tensor | None = None, n_steps: int = 64,
) -> IntegratedGradientsResult:
    """Integrated gradients (Sundararajan et al., 2017) with the trapezoidal rule.

    ``IG_i(x) = (x_i - x'_i) * integral_0^1 d f(x' + a (x - x')) / d x_i da``. By
    completeness, the attributions of an image sum to ``f(x) - f(x')``; the result
    carries both sides so that the check can be printed.

    Parameters
    ----------
    model : torch.nn.Module
    x : Tensor of shape (N, C, H, W)
    targets : None, callable or list
        None explains each image's predicted class.
    baseline : Tensor, optional
        Broadcastable to ``x``; defaults to zeros (in the model's input space).
    n_steps : int
        Number of intervals on the straight path (gradients are taken at
        ``n_steps + 1`` points).
    """
    _check_input(x)
    if n_steps < 1:
        raise ValueError(f"n_steps must be >= 1; got {n_steps!r}")
    baseline = torch.zeros_like(x) if baseline is None else torch.broadcast_to(baseline, x.shape).to(x.dtype)
    model.eval()
    with torch.no_grad(), one_thread():
        if targets is None:
            targets = model(x).argmax(1).tolist()
        targets = resolve_targets(targets, torch.empty(len(x), 1))
        score = target_scores(targets, model(x)).numpy()
        baseline_score = target_scores(targets, model(baseline)).numpy()
    alphas = np.linspace(0.0, 1.0, n_steps + 1)
    weights = np.full(n_steps + 1, 1.0 / n_steps)
    weights[[0, -1]] /= 2
    total = np.zeros(x.shape, dtype=np.float64)
    for a, w in zip(alphas, weights):
        total += w * input_gradients(model, baseline + float(a) * (x - baseline), targets)
    attributions = (x - baseline).numpy().astype(np.float64) * total
    return IntegratedGradientsResult(attributions, score.astype(np.float64), baseline_score.astype(np.float64))
