"""Concepts drawn on photographs: the picture of a deep feature factorization (page I8).

Deep feature factorization (Collins et al., 2018) gives, for each photo, one map per
concept at the layer's resolution (7x7 for a late layer). :func:`concept_overlay`
paints each pixel of the photo in the colour of its dominant concept, as
pytorch-grad-cam's ``show_factorization_on_image`` does: the maps are upsampled
bilinearly to the photo (:func:`upsample_bilinear`, torch's ``F.interpolate`` with
``align_corners=False`` written in numpy, so that drawing needs no torch), and the
opacity follows the dominant concept's strength. Like
``pytorch_grad_cam.utils.image.show_cam_on_image`` it is a pure function returning an
array; the factorization itself stays on the page.
"""

from __future__ import annotations

import numpy as np

__all__ = ["concept_overlay", "upsample_bilinear"]


def _source_positions(n_in: int, n_out: int):
    """Left neighbour, right neighbour and the right one's weight, per output index."""
    # align_corners=False: output pixel centres map onto input pixel centres
    x = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    x = np.clip(x, 0, None)  # torch clamps negative positions to the first pixel
    left = np.minimum(np.floor(x).astype(int), n_in - 1)
    right = np.minimum(left + 1, n_in - 1)
    return left, right, x - left


def upsample_bilinear(maps, size) -> np.ndarray:
    """Upsample maps bilinearly, as ``torch.nn.functional.interpolate`` does.

    The same arithmetic as ``F.interpolate(x, size, mode="bilinear",
    align_corners=False)`` (pixel centres aligned, borders held), in float64.

    Parameters
    ----------
    maps : array-like of shape (..., h, w)
        Any number of leading axes (concepts, photos).
    size : int or (int, int)
        The output's height and width (an int: a square).

    Returns
    -------
    ndarray of shape (..., H, W), float64

    Examples
    --------
    >>> upsample_bilinear(np.array([[0.0, 1.0]]), (1, 4))
    array([[0.  , 0.25, 0.75, 1.  ]])
    """
    maps = np.asarray(maps, dtype=float)
    if maps.ndim < 2:
        raise ValueError(f"maps must have shape (..., h, w); got {maps.shape}")
    height, width = (size, size) if np.ndim(size) == 0 else size
    if min(int(height), int(width)) < 1:
        raise ValueError(f"size must be positive; got {size!r}")
    top, bottom, wy = _source_positions(maps.shape[-2], int(height))
    left, right, wx = _source_positions(maps.shape[-1], int(width))
    rows = maps[..., top, :] * (1 - wy)[:, None] + maps[..., bottom, :] * wy[:, None]
    return rows[..., left] * (1 - wx) + rows[..., right] * wx


def concept_overlay(image, heatmaps, colours, *, alpha: float = 0.7) -> np.ndarray:
    """Paint each pixel of a photo in the colour of its dominant concept.

    The concept maps are upsampled to the photo (:func:`upsample_bilinear`); each
    pixel takes the colour of the concept with the largest value there, blended over
    the photo with opacity ``alpha * sqrt(strength)``, where the strength is that value
    divided by the largest value of any concept anywhere in this photo (the square root
    keeps weaker regions visible).

    Parameters
    ----------
    image : ndarray of shape (H, W, 3)
        The photo, RGB in [0, 1].
    heatmaps : array-like of shape (k, h, w)
        Non-negative maps of the ``k`` concepts in this photo (one photo's slice of
        :func:`mlviz.inspect.cnn.deep_feature_factorization`'s heatmaps).
    colours : array-like of shape (k, 3)
        One RGB colour in [0, 1] per concept.
    alpha : float, default 0.7
        Opacity of the strongest concept; must lie in [0, 1].

    Returns
    -------
    ndarray of shape (H, W, 3), float64 in [0, 1]

    Examples
    --------
    >>> maps = np.zeros((2, 2, 2))
    >>> maps[0, :, 0] = maps[1, :, 1] = 1.0  # concept 0 left, concept 1 right
    >>> out = concept_overlay(np.ones((4, 4, 3)), maps, [(1, 0, 0), (0, 0, 1)], alpha=1)
    >>> out[0, 0], out[0, 3]
    (array([1., 0., 0.]), array([0., 0., 1.]))
    """
    image = np.asarray(image, dtype=float)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be an RGB array of shape (H, W, 3); got {image.shape}")
    heatmaps = np.asarray(heatmaps, dtype=float)
    if heatmaps.ndim != 3:
        raise ValueError(f"heatmaps must have shape (k, h, w), one map per concept; got {heatmaps.shape}")
    if heatmaps.min() < 0:
        raise ValueError(f"heatmaps must be non-negative (NMF's W); their minimum is {heatmaps.min():.3g}")
    colours = np.asarray(colours, dtype=float)
    if colours.shape != (len(heatmaps), 3):
        raise ValueError(
            f"colours must hold one RGB colour per concept, shape ({len(heatmaps)}, 3); got {colours.shape}"
        )
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must lie in [0, 1]; got {alpha!r}")
    up = upsample_bilinear(heatmaps, image.shape[:2])  # (k, H, W)
    strength = up.max(axis=0) / max(up.max(), 1e-12)
    opacity = alpha * np.sqrt(strength)[..., None]
    return (1 - opacity) * image + opacity * colours[up.argmax(axis=0)]
