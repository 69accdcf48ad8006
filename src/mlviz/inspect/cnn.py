"""What a CNN responds to: activation maximization and deep feature factorization."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from .._torch import one_thread

__all__ = ["activation_maximization", "deep_feature_factorization", "total_variation"]


def total_variation(x: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between neighbouring pixels of ``x`` ``(N, C, H, W)``."""
    return (x[..., 1:, :] - x[..., :-1, :]).abs().mean() + (x[..., :, 1:] - x[..., :, :-1]).abs().mean()


def activation_maximization(
    model: nn.Module,
    objective: Callable[[torch.Tensor], torch.Tensor],
    *,
    n_images: int = 1,
    shape: tuple[int, ...] = (1, 28, 28),
    n_steps: int = 200,
    lr: float = 0.05,
    l2: float = 1e-2,
    tv: float = 0.3,
    jitter: int = 1,
    bounds: tuple[float, float] | None = None,
    seed: int = 0,
    init: torch.Tensor | np.ndarray | None = None,
) -> np.ndarray:
    """Synthesize inputs that maximize ``objective`` by gradient ascent, with regularizers.

    Each step shifts the image by a random offset of up to ``jitter`` pixels (so that
    the result does not rely on pixel-exact patterns), then maximizes
    ``objective(model(x)) - l2 * mean(x^2) - tv * total_variation(x)``; pixels are kept
    within ``bounds``. Without ``l2``, ``tv`` and ``jitter`` the result is usually an
    image that excites the unit as well but resembles no real input.

    Gradient ascent needs a start where the objective has a gradient: a ReLU unit that
    is off (zero) everywhere on the start image gets none, and only the penalties act.
    Pass ``init`` (e.g. an average image) to start elsewhere.

    Parameters
    ----------
    model : torch.nn.Module
        The network (run in eval mode; its weights are not changed).
    objective : callable
        Takes the images ``(N, C, H, W)`` and returns one score per image ``(N,)``, e.g.
        ``lambda x: model(x)[:, 3]`` or the mean of a channel recorded by a hook.
    n_images : int
        Images optimized in parallel (from different random starts).
    shape : tuple
        Shape of one image.
    n_steps, lr : int, float
        Steps and learning rate of Adam.
    l2, tv : float
        Weights of the L2 and total-variation penalties.
    jitter : int
        Largest random shift in pixels (0 disables it).
    bounds : (float, float), optional
        Clamp pixel values to this range after each step.
    seed : int
        Seed of the random start and the jitter.
    init : Tensor or ndarray of shape (n_images, *shape), optional
        Start images (in the model's input space). Default: Gaussian noise with
        standard deviation 0.1.

    Returns
    -------
    ndarray of shape (n_images, *shape)
    """
    if n_steps < 1:
        raise ValueError(f"n_steps must be >= 1; got {n_steps!r}")
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    gen = torch.Generator().manual_seed(seed)
    if init is None:
        x = 0.1 * torch.randn((n_images, *shape), generator=gen)
    else:
        x = torch.as_tensor(init, dtype=torch.float32).detach().clone()
        if tuple(x.shape) != (n_images, *shape):
            raise ValueError(f"init must have shape {(n_images, *shape)} (n_images, *shape); got {tuple(x.shape)}")
    x.requires_grad_(True)
    optimizer = torch.optim.Adam([x], lr=lr)
    try:
        with one_thread():
            for _ in range(n_steps):
                optimizer.zero_grad()
                shifted = x
                if jitter:
                    dy, dx = torch.randint(-jitter, jitter + 1, (2,), generator=gen).tolist()
                    shifted = torch.roll(x, shifts=(dy, dx), dims=(-2, -1))
                score = objective(shifted)
                loss = -score.sum() + n_images * (l2 * (x**2).mean() + tv * total_variation(x))
                loss.backward()
                optimizer.step()
                if bounds is not None:
                    with torch.no_grad():
                        x.clamp_(*bounds)
    finally:
        for p in model.parameters():
            p.requires_grad_(True)
    return x.detach().numpy()


def deep_feature_factorization(
    activations,
    n_components: int,
    *,
    seed: int = 0,
    max_iter: int = 400,
    init: str = "nndsvda",
    tol: float = 1e-4,
):
    """Factorize a layer's activations into ``n_components`` concepts with NMF.

    The activations ``(N, K, h, w)`` of a ReLU layer are non-negative; reshaped to a
    matrix ``V`` of ``N*h*w`` positions (all images together, image by image, row by
    row) by ``K`` channels, NMF writes each position as a non-negative mix of
    ``n_components`` channel patterns, ``V ~ W H`` (Collins et al., 2018, "Deep feature
    factorization for concept discovery"). Because the images are factorized together,
    one concept has one channel pattern in every image: it can be compared across them.

    NMF has no unique solution: the scale of a concept is shared between ``W`` and
    ``H`` (``W[:, j] * s``, ``H[j] / s``), their order is arbitrary, and another start
    may end in another local optimum.

    Parameters
    ----------
    activations : array-like of shape (N, K, h, w)
        Non-negative, finite activations (a numpy array or a tensor).
    n_components : int
        Number of concepts, from 1 to ``min(N*h*w, K)``.
    seed : int, default=0
        Seed of the initialization (used by the random initializations).
    max_iter : int, default=400
        Largest number of iterations of scikit-learn's coordinate-descent solver.
    init : {"nndsvda", "nndsvd", "nndsvdar", "random"}, default="nndsvda"
        Initialization, passed to :class:`sklearn.decomposition.NMF`.
    tol : float, default=1e-4
        Tolerance of the stopping condition, passed to :class:`~sklearn.decomposition.NMF`.

    Returns
    -------
    heatmaps : ndarray of shape (N, n_components, h, w)
        How much of each concept is present at each position (the rows of ``W``).
    concepts : ndarray of shape (n_components, K)
        Each concept as a pattern over channels (``H``).

    Raises
    ------
    TypeError
        If ``n_components`` or ``max_iter`` is not an int.
    ValueError
        If ``activations`` is not 4-dimensional, negative or not finite, or if
        ``n_components``, ``max_iter`` or ``init`` are out of range.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> heatmaps, concepts = deep_feature_factorization(rng.random((2, 8, 5, 5)), 3)
    >>> heatmaps.shape, concepts.shape
    ((2, 3, 5, 5), (3, 8))
    """
    from sklearn.decomposition import NMF

    if isinstance(activations, torch.Tensor):
        activations = activations.detach().cpu().numpy()
    A = np.asarray(activations, dtype=np.float64)
    if A.ndim != 4:
        raise ValueError(f"activations must have shape (N, K, h, w); got {A.shape}")
    if not np.isfinite(A).all():
        raise ValueError(f"activations must be finite; {int((~np.isfinite(A)).sum())} values are not")
    if A.min() < 0:
        raise ValueError(f"activations must be non-negative (e.g. after a ReLU); their minimum is {A.min():.3g}")
    n, k, h, w = A.shape
    largest = min(n * h * w, k)
    if isinstance(n_components, bool) or not isinstance(n_components, (int, np.integer)):
        raise TypeError(f"n_components must be an int from 1 to {largest}; got {n_components!r}")
    if not 1 <= n_components <= largest:
        raise ValueError(
            f"n_components must be from 1 to min(positions, channels) = {largest}; got {n_components!r}"
        )
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)):
        raise TypeError(f"max_iter must be an int >= 1; got {max_iter!r}")
    if max_iter < 1:
        raise ValueError(f"max_iter must be an int >= 1; got {max_iter!r}")
    inits = ("nndsvda", "nndsvd", "nndsvdar", "random")
    if init not in inits:
        raise ValueError(f"init must be one of {inits}; got {init!r}")
    V = A.transpose(0, 2, 3, 1).reshape(-1, k)
    nmf = NMF(n_components=int(n_components), init=init, random_state=seed, max_iter=int(max_iter), tol=tol)
    W = nmf.fit_transform(V)
    heatmaps = W.reshape(n, h, w, n_components).transpose(0, 3, 1, 2)
    return heatmaps, nmf.components_
