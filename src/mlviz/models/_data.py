"""MNIST as normalized float tensors, the form every network in the gallery reads."""

from __future__ import annotations

import numpy as np
import torch

from ..config import SEED
from ..datasets import load_mnist_split

__all__ = ["MNIST_MEAN", "MNIST_STD", "flip_labels", "from_tensor", "mnist_tensors", "to_tensor"]

#: Mean of MNIST's grey levels scaled to [0, 1] (the usual constant, computed on
#: MNIST's 60,000 training images).
MNIST_MEAN = 0.1307
#: Standard deviation of MNIST's grey levels scaled to [0, 1] (the usual constant).
MNIST_STD = 0.3081

_SPLITS = ("train", "val", "test")


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """Turn uint8 images ``(N, 28, 28)`` into normalized float32 tensors ``(N, 1, 28, 28)``.

    Grey levels are scaled to [0, 1], then standardized with :data:`MNIST_MEAN` and
    :data:`MNIST_STD`.

    Raises
    ------
    ValueError
        If ``images`` is not a 3-D array of shape ``(N, height, width)``.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, height, width); got shape {images.shape}")
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return (x - MNIST_MEAN) / MNIST_STD


def from_tensor(x: torch.Tensor) -> np.ndarray:
    """Undo :func:`to_tensor`: return grey levels in [0, 1] of shape ``(N, 28, 28)``."""
    arr = x.detach().cpu().numpy() * MNIST_STD + MNIST_MEAN
    return np.clip(arr.reshape(arr.shape[0], *arr.shape[-2:]), 0.0, 1.0)


def mnist_tensors(
    split: str, *, n: int | None = None, val_size: float = 0.2, test_size: float = 0.2, seed: int = SEED
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return one part of the gallery's MNIST split as tensors.

    The images are MNIST's official 10,000-image test split, divided by
    :func:`mlviz.datasets.load_mnist_split` into train/validation/test parts (6,000 /
    2,000 / 2,000 with the defaults).

    Parameters
    ----------
    split : {"train", "val", "test"}
        Which part.
    n : int, optional
        Keep only ``n`` images, drawn without replacement with ``seed`` (in their
        original order). ``None`` keeps the whole part.
    val_size, test_size, seed
        Passed to :func:`~mlviz.datasets.load_mnist_split`.

    Returns
    -------
    X : Tensor of shape (n, 1, 28, 28), float32
        Normalized images (see :func:`to_tensor`).
    y : Tensor of shape (n,), int64
        Digits 0-9.
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}; got {split!r}")
    data = load_mnist_split(val_size=val_size, test_size=test_size, seed=seed)
    images, labels = getattr(data, f"X_{split}"), getattr(data, f"y_{split}")
    if n is not None:
        if not 0 < n <= len(labels):
            raise ValueError(f"n must be in [1, {len(labels)}] for the {split!r} part; got {n!r}")
        keep = np.sort(np.random.default_rng(seed).permutation(len(labels))[:n])
        images, labels = images[keep], labels[keep]
    return to_tensor(images), torch.from_numpy(labels.astype(np.int64))


def flip_labels(
    y: torch.Tensor, share: float, *, seed: int = SEED, n_classes: int = 10
) -> tuple[torch.Tensor, np.ndarray]:
    """Replace a share of the labels by another class, drawn at random: label noise.

    ``round(share * len(y))`` positions are drawn without replacement; each gets one of
    the ``n_classes - 1`` other classes, uniformly. The draw depends on ``seed`` only
    (its own generator, so seeding it touches no other random stream).

    Parameters
    ----------
    y : Tensor of shape (n,), int64
        The true labels, in ``0 .. n_classes - 1``.
    share : float
        Share of the labels to flip, in [0, 1).
    seed : int
        Seeds the choice of positions and of the new classes.
    n_classes : int
        Number of classes.

    Returns
    -------
    y_flipped : Tensor of shape (n,), int64
        A copy of ``y`` with the flipped labels.
    flipped : ndarray of int, sorted
        The positions whose label was changed (``y_flipped[flipped] != y[flipped]``).

    Examples
    --------
    >>> y_noisy, flipped = flip_labels(torch.arange(10), 0.2, seed=0)
    >>> len(flipped), bool((y_noisy[flipped] != torch.arange(10)[flipped]).all())
    (2, True)
    """
    if not 0 <= share < 1:
        raise ValueError(f"share must be in [0, 1); got {share!r}")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2 to flip a label; got {n_classes!r}")
    y = torch.as_tensor(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D tensor of labels; got shape {tuple(y.shape)}")
    rng = np.random.default_rng([seed, 0xF11B])  # not default_rng(seed): the subsets use that
    flipped = np.sort(rng.choice(len(y), size=round(share * len(y)), replace=False))
    shift = torch.from_numpy(rng.integers(1, n_classes, size=len(flipped)))
    y_flipped = y.clone()
    index = torch.from_numpy(flipped)
    y_flipped[index] = (y[index] + shift) % n_classes
    return y_flipped, flipped
