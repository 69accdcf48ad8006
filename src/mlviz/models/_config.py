"""What to train: :class:`TrainConfig` and the configurations of the shared networks.

A :class:`TrainConfig` holds everything that determines a trained model (and hence its
cache key, see :mod:`mlviz.models._cache`). The presets ``MNIST_CNN_*`` and
``MNIST_VIT_*`` describe the gallery's shared CNN and vision transformer;
:func:`mnist_cnn_config` and :func:`mnist_vit_config` pick the one of this build (full,
or quick under ``MLVIZ_QUICK=1``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import SEED, is_quick
from ._nets import ARCHITECTURES

__all__ = [
    "MNIST_CNN_CONFIG",
    "MNIST_CNN_QUICK_CONFIG",
    "MNIST_VIT_CONFIG",
    "MNIST_VIT_QUICK_CONFIG",
    "TrainConfig",
    "mnist_cnn_config",
    "mnist_vit_config",
]

_OPTIMIZERS = ("adam", "sgd")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a trained model (and hence its cache key).

    Parameters
    ----------
    arch : str
        A key of :data:`mlviz.models.ARCHITECTURES` (``"mnist_cnn"`` or ``"mlp"``).
    arch_kwargs : mapping
        Keyword arguments of the architecture (e.g. ``{"hidden": (64,) * 8, "activation": "sigmoid"}``).
    epochs : int
        Passes over the training images.
    lr : float
        Learning rate.
    batch_size : int
        Mini-batch size.
    optimizer : {"adam", "sgd"}
        Optimizer; ``momentum`` applies to SGD only.
    momentum, weight_decay : float
        Optimizer settings.
    seed : int
        Seeds the initialization, the shuffling and the choice of subsets.
    n_train, n_val : int, optional
        Use only that many training / validation images (``None``: the whole part).
    val_size, test_size : float
        Parameters of :func:`mlviz.datasets.load_mnist_split`.
    n_bins : int
        Number of (fixed) bins of the recorded histograms.
    probe_size : int
        Number of validation images on which activations and probe gradients are recorded.
    checkpoints : int
        Copies of the weights (``state_dict``) kept per epoch, evenly spaced in its
        steps, plus one at initialization; they come back as
        :attr:`TrainedModel.checkpoints` (for weight-space trajectories). 0 (default)
        keeps none and leaves the cache key as it was before this option existed.
    flip_labels : float
        Share of the training labels deliberately replaced, before training, by another
        class drawn at random (seeded by ``seed``; see :func:`mlviz.models.flip_labels`).
        Validation and test labels stay true. The flipped indices come back from
        :meth:`TrainedModel.training_data`. 0.0 (default) flips none and leaves the
        cache key as it was before this option existed.
    """

    arch: str = "mnist_cnn"
    arch_kwargs: Mapping[str, Any] = field(default_factory=dict)
    epochs: int = 5
    lr: float = 1e-3
    batch_size: int = 64
    optimizer: str = "adam"
    momentum: float = 0.0
    weight_decay: float = 0.0
    seed: int = SEED
    n_train: int | None = None
    n_val: int | None = None
    val_size: float = 0.2
    test_size: float = 0.2
    n_bins: int = 40
    probe_size: int = 256
    checkpoints: int = 0
    flip_labels: float = 0.0

    def __post_init__(self):
        if self.arch not in ARCHITECTURES:
            raise ValueError(f"arch must be one of {sorted(ARCHITECTURES)}; got {self.arch!r}")
        if self.optimizer not in _OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {_OPTIMIZERS}; got {self.optimizer!r}")
        for name in ("epochs", "batch_size", "n_bins", "probe_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}")
        for name in ("n_train", "n_val"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be None or a positive int; got {value!r}")
        if not isinstance(self.checkpoints, int) or self.checkpoints < 0:
            raise ValueError(f"checkpoints must be a non-negative int (copies per epoch); got {self.checkpoints!r}")
        if isinstance(self.flip_labels, bool) or not isinstance(self.flip_labels, (int, float)):
            raise ValueError(f"flip_labels must be a share in [0, 1); got {self.flip_labels!r}")
        if not 0 <= self.flip_labels < 1:
            raise ValueError(f"flip_labels must be a share in [0, 1); got {self.flip_labels!r}")
        object.__setattr__(self, "flip_labels", float(self.flip_labels))
        if not self.lr > 0:
            raise ValueError(f"lr must be positive; got {self.lr!r}")
        # Normalize the kwargs (tuples become lists) so that equal configs give equal keys.
        object.__setattr__(self, "arch_kwargs", json.loads(json.dumps(dict(self.arch_kwargs), sort_keys=True)))

    def to_dict(self) -> dict:
        """Return the configuration as a JSON-compatible dict.

        ``flip_labels`` is left out while it is 0, so that the dict (and the cache key
        and ``info.json`` made from it) of a configuration that does not use the option
        is the one it was before the option existed.
        """
        config = dataclasses.asdict(self)
        if not config["flip_labels"]:
            del config["flip_labels"]
        return config

    def replace(self, **changes) -> TrainConfig:
        """Return a copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)


#: The shared MNIST CNN of the full build: 6,000 training images, six epochs of Adam
#: (about 98 % on the 2,000 test images; the pages measure and state it).
MNIST_CNN_CONFIG = TrainConfig(
    arch="mnist_cnn", arch_kwargs={"channels": (16, 32), "hidden": 64}, epochs=6, lr=2e-3, batch_size=32
)
#: Its quick-mode variant: a subset and two epochs.
MNIST_CNN_QUICK_CONFIG = MNIST_CNN_CONFIG.replace(epochs=2, n_train=1500, n_val=500)


def mnist_cnn_config() -> TrainConfig:
    """Return the shared CNN's configuration for this build (full, or quick under ``MLVIZ_QUICK=1``)."""
    return MNIST_CNN_QUICK_CONFIG if is_quick() else MNIST_CNN_CONFIG


#: The gallery's small vision transformer: 7x7 patches (16 tokens + a class token),
#: width 64, three blocks of four heads, eight epochs of Adam on the 6,000 training images.
MNIST_VIT_CONFIG = TrainConfig(
    arch="vit", arch_kwargs={"patch": 7, "dim": 64, "depth": 3, "heads": 4}, epochs=8, lr=3e-3, batch_size=64
)
#: Its quick-mode variant: a subset and three epochs.
MNIST_VIT_QUICK_CONFIG = MNIST_VIT_CONFIG.replace(epochs=3, n_train=2000, n_val=500)


def mnist_vit_config() -> TrainConfig:
    """Return the shared vision transformer's configuration (full, or quick under ``MLVIZ_QUICK=1``)."""
    return MNIST_VIT_QUICK_CONFIG if is_quick() else MNIST_VIT_CONFIG
