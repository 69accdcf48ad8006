"""Two-dimensional toy data for GANs, and a measure of how many of its modes a generator covers.

The usual test bed for GAN training (Metz et al., 2017, *Unrolled GANs*): a ring of
Gaussians. Being 2-D, real and generated samples can be drawn directly, and mode
collapse (the generator covering only some of the Gaussians) can be counted.
"""

from __future__ import annotations

import numpy as np

__all__ = ["mode_coverage", "ring_centers", "ring_of_gaussians"]


def ring_centers(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """Return the ``(modes, 2)`` centres of Gaussians evenly spaced on a circle, the first at angle 0."""
    if not isinstance(modes, (int, np.integer)) or modes < 1:
        raise ValueError(f"modes must be a positive int; got {modes!r}")
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.column_stack([np.cos(angles), np.sin(angles)])


def ring_of_gaussians(n: int, *, modes: int = 8, radius: float = 2.0, std: float = 0.05, seed: int) -> np.ndarray:
    """Draw ``n`` points from an equal mixture of isotropic Gaussians on a ring.

    Parameters
    ----------
    n : int
        Number of points.
    modes, radius : int, float
        Number of Gaussians and radius of the ring (see :func:`ring_centers`).
    std : float
        Standard deviation of every Gaussian.
    seed : int
        Seed of the draw.

    Returns
    -------
    ndarray of shape (n, 2), float32
    """
    if std <= 0:
        raise ValueError(f"std must be positive; got {std!r}")
    rng = np.random.default_rng(seed)
    centers = ring_centers(modes, radius)
    which = rng.integers(0, modes, size=n)
    return (centers[which] + rng.normal(scale=std, size=(n, 2))).astype(np.float32)


def mode_coverage(samples: np.ndarray, centers: np.ndarray, *, std: float, k: float = 3.0, min_share: float = 0.01):
    """Count the samples near each mode: which modes the generator covers, and how well.

    A sample belongs to a mode when it lies within ``k * std`` of its centre (a
    "high-quality" sample). A mode is *covered* when at least ``min_share`` of all
    samples belong to it.

    Returns
    -------
    dict with
        ``counts`` (ndarray (modes,)): samples per mode;
        ``covered`` (int): number of covered modes;
        ``high_quality`` (float): share of samples that belong to some mode.
    """
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"samples must have shape (n, 2); got {samples.shape}")
    distances = np.linalg.norm(samples[:, None, :] - np.asarray(centers)[None], axis=2)
    nearest = distances.argmin(1)
    close = distances[np.arange(len(samples)), nearest] <= k * std
    counts = np.bincount(nearest[close], minlength=len(centers))
    return {
        "counts": counts,
        "covered": int((counts >= min_share * len(samples)).sum()),
        "high_quality": float(close.mean()),
    }
