"""MNIST as normalized float tensors, the form every network in the gallery reads."""

from __future__ import annotations

import numpy as np
import torch

from ..config import SEED
from ..datasets import load_mnist_split

__all__ = ["MNIST_MEAN", "MNIST_STD", "from_tensor", "mnist_tensors", "to_tensor"]

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
