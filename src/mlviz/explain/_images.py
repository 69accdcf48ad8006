"""Plumbing for LIME and SHAP on photographs (gallery page I6).

The techniques stay on the page; this module holds what a reader need not see:

* :func:`superpixel_means`: the image LIME shows the network when a superpixel is
  "off" (each superpixel painted its mean colour), computed exactly as
  ``lime.lime_image`` computes it, bit for bit, so that a hand-made perturbation and
  the package's are the same image.
* :class:`CachedClassifier`: a memo in front of an image classifier, so that an image
  already evaluated (by hand) is not evaluated again (by a package), and a count of
  how many images each caller really needed. Page I6's test uses it to answer the
  ``lime`` package from the page's own evaluations only.
* :func:`plot_superpixel_weights`: one weight per superpixel, painted over the photo
  with the gallery's diverging colours, the largest positive and negative outlined.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["CachedClassifier", "plot_superpixel_weights", "superpixel_means"]


def _check_image_and_segments(image, segments):
    image = np.asarray(image)
    segments = np.asarray(segments)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must have shape (H, W, 3); got {image.shape}")
    if segments.shape != image.shape[:2]:
        raise ValueError(
            f"segments must have the image's shape {image.shape[:2]}; "
            f"got {segments.shape}"
        )
    if not np.issubdtype(segments.dtype, np.integer) or segments.min() < 0:
        raise ValueError(
            "segments must hold non-negative integer labels (0 to n_segments - 1); "
            f"got dtype {segments.dtype}, smallest {segments.min()}"
        )
    return image, segments


def superpixel_means(image, segments) -> np.ndarray:
    """Return ``image`` with every superpixel painted its mean colour.

    This is what ``lime.lime_image.LimeImageExplainer`` substitutes for a superpixel
    that a perturbation switches off (its ``hide_color=None`` default). The means are
    taken channel by channel in the image's own dtype, as LIME takes them, so that the
    result is bit-identical to LIME's (a mean over axis 0 sums in another order and
    can differ in the last bit).

    Parameters
    ----------
    image : ndarray of shape (H, W, 3)
        The photo, e.g. float32 in [0, 1].
    segments : ndarray of int, shape (H, W)
        Superpixel labels, e.g. from ``skimage.segmentation.slic``.

    Returns
    -------
    ndarray of shape (H, W, 3), the dtype of ``image``

    Examples
    --------
    >>> image = np.zeros((2, 2, 3), np.float32)
    >>> image[0, 0] = 1.0
    >>> superpixel_means(image, np.array([[0, 0], [1, 1]]))[0, 1]
    array([0.5, 0.5, 0.5], dtype=float32)
    """
    image, segments = _check_image_and_segments(image, segments)
    filled = image.copy()
    for label in np.unique(segments):
        inside = segments == label
        filled[inside] = tuple(np.mean(image[inside][:, c]) for c in range(3))
    return filled


class CachedClassifier:
    """A memo in front of a classifier of images: each distinct image is evaluated once.

    Images are recognized by a hash of their bytes (as float32), so "the same image"
    means the same pixels to the last bit.

    Parameters
    ----------
    classify : callable
        Maps an array of images ``(N, H, W, C)`` to an array ``(N, ...)`` of outputs
        (e.g. class probabilities).

    Attributes
    ----------
    hits : int
        Images answered from the memo.
    misses : int
        Images passed on to ``classify``.

    Examples
    --------
    >>> cached = CachedClassifier(lambda images: images.mean(axis=(1, 2, 3))[:, None])
    >>> images = np.zeros((2, 4, 4, 3))
    >>> _ = cached(images); _ = cached(images)
    >>> cached.hits, cached.misses
    (3, 1)
    """

    def __init__(self, classify):
        if not callable(classify):
            raise TypeError(
                "classify must be a function of an (N, H, W, C) array of images; "
                f"got {type(classify).__name__}"
            )
        self.classify = classify
        self.hits = 0
        self.misses = 0
        self._memo = {}

    @staticmethod
    def _key(image) -> str:
        return hashlib.blake2b(
            np.ascontiguousarray(image, dtype=np.float32).tobytes(), digest_size=16
        ).hexdigest()

    def __call__(self, images) -> np.ndarray:
        images = np.asarray(images)
        if images.ndim != 4:
            raise ValueError(f"images must have shape (N, H, W, C); got {images.shape}")
        keys = [self._key(image) for image in images]
        new = {}  # key -> index of its first occurrence among the unknown images
        for i, key in enumerate(keys):
            if key not in self._memo and key not in new:
                new[key] = i
        if new:
            outputs = np.asarray(self.classify(images[list(new.values())]))
            if len(outputs) != len(new):
                raise ValueError(
                    f"classify must return one output per image ({len(new)}); "
                    f"got {len(outputs)}"
                )
            self._memo.update(zip(new, outputs))
        self.misses += len(new)
        self.hits += len(keys) - len(new)
        return np.stack([self._memo[key] for key in keys])

    def __len__(self) -> int:
        return len(self._memo)


def plot_superpixel_weights(
    image,
    segments,
    weights,
    *,
    top=5,
    limit=None,
    alpha=0.7,
    aspect=None,
    ax=None,
):
    """Paint one signed weight per superpixel over a photo; outline the largest.

    The photo is drawn in grey, the weights over it with the gallery's
    :data:`~mlviz.plotting.DIVERGING` colours (red raises the explained output, blue
    lowers it, white is zero) and limits symmetric around zero. The ``top``
    superpixels with the largest positive weights are outlined in
    :data:`~mlviz.plotting.POSITIVE`, the ``top`` most negative in
    :data:`~mlviz.plotting.NEGATIVE`, each over a white halo.

    Parameters
    ----------
    image : ndarray of shape (H, W, 3)
        The photo, in [0, 1].
    segments : ndarray of int, shape (H, W)
        Superpixel labels 0 to ``n - 1``.
    weights : array-like of shape (n,)
        One weight per superpixel label.
    top : int, default 5
        How many superpixels of each sign to outline (0: none). Only superpixels whose
        weight has that sign are outlined.
    limit : float, optional
        The colour scale runs from ``-limit`` to ``limit``; default: the largest
        absolute weight.
    alpha : float, default 0.7
        Opacity of the painted weights.
    aspect : float, optional
        Passed to ``imshow`` (e.g. :func:`mlviz.models.photo_aspect` to draw a
        stretched photo with its original proportions).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.

    Returns
    -------
    matplotlib Axes
        ``ax.images[-1]`` is the painted weights (for a colourbar); the outlines are
        ``ax.collections``.
    """
    import matplotlib.pyplot as plt

    from ..plotting import DIVERGING, NEGATIVE, POSITIVE

    image, segments = _check_image_and_segments(image, segments)
    weights = np.asarray(weights, dtype=float)
    n = int(segments.max()) + 1
    if weights.shape != (n,):
        raise ValueError(
            f"weights must have one value per superpixel label, shape ({n},); "
            f"got {weights.shape}"
        )
    if not isinstance(top, (int, np.integer)) or top < 0:
        raise ValueError(f"top must be a non-negative integer; got {top!r}")
    if limit is None:
        limit = float(np.abs(weights).max()) or 1.0
    if not limit > 0:
        raise ValueError(f"limit must be positive; got {limit!r}")
    if ax is None:
        _, ax = plt.subplots()
    ax.imshow(image.mean(axis=2), cmap="gray", vmin=0, vmax=1, aspect=aspect)
    ax.imshow(
        weights[segments],
        cmap=DIVERGING,
        vmin=-limit,
        vmax=limit,
        alpha=alpha,
        aspect=aspect,
    )
    limits = ax.get_xlim(), ax.get_ylim()
    order = np.argsort(weights)
    chosen = [
        (order[::-1][:top][weights[order[::-1][:top]] > 0], POSITIVE),
        (order[:top][weights[order[:top]] < 0], NEGATIVE),
    ]
    for labels, color in chosen:
        for label in labels:
            inside = (segments == label).astype(float)
            ax.contour(inside, levels=[0.5], colors="white", linewidths=4.0)
            ax.contour(inside, levels=[0.5], colors=color, linewidths=2.2)
    ax.set_xlim(limits[0]), ax.set_ylim(limits[1])  # contours would shrink them
    ax.set_xticks([]), ax.set_yticks([])
    return ax
