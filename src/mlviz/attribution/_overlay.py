"""Heatmap over image, as a pure function returning an RGB array."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

__all__ = ["overlay"]


def overlay(image: np.ndarray, heatmap: np.ndarray, *, alpha: float = 0.5, cmap: str = "jet") -> np.ndarray:
    """Blend a colour-mapped heatmap over an image.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, 3)
        Grey levels or RGB in [0, 1].
    heatmap : ndarray of shape (H, W)
        Values in [0, 1] (e.g. a CAM from :class:`~mlviz.attribution.GradCAM`).
    alpha : float
        Weight of the heatmap: 0 returns the image, 1 the coloured heatmap.
    cmap : str
        A matplotlib colormap name.

    Returns
    -------
    ndarray of shape (H, W, 3), float in [0, 1]
        Show it with ``ax.imshow``.
    """
    image = np.asarray(image, dtype=float)
    heatmap = np.asarray(heatmap, dtype=float)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must have shape (H, W) or (H, W, 3); got {image.shape}")
    if heatmap.shape != image.shape[:2]:
        raise ValueError(f"heatmap must have the image's shape {image.shape[:2]}; got {heatmap.shape}")
    for name, arr in (("image", image), ("heatmap", heatmap)):
        if arr.size and (arr.min() < -1e-9 or arr.max() > 1 + 1e-9):
            raise ValueError(f"{name} values must lie in [0, 1]; got [{arr.min():.3g}, {arr.max():.3g}]")
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be in [0, 1]; got {alpha!r}")
    colored = mpl.colormaps[cmap](heatmap)[..., :3]
    return (1 - alpha) * image + alpha * colored
