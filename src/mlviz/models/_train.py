"""Seeded, cached training: :func:`train`, its result :class:`TrainedModel`, and the shared networks.

:func:`train` trains a network described by a :class:`~mlviz.models.TrainConfig` on the
gallery's MNIST split (``_fit``), or reads it from ``cache_dir("models")`` when an entry
with its :func:`~mlviz.models.cache_key` exists, and stores what it trained there.
:func:`load_mnist_cnn` and :func:`load_mnist_vit` return the gallery's shared CNN and
vision transformer of this build.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..config import cache_dir
from ._cache import _load, _store, cache_key
from ._config import TrainConfig, mnist_cnn_config, mnist_vit_config
from ._fit import _fit, _training_data, default_device
from ._history import History

__all__ = ["TrainedModel", "load_mnist_cnn", "load_mnist_vit", "train"]


@dataclass
class TrainedModel:
    """A trained network with its history.

    Attributes
    ----------
    model : torch.nn.Module
        The network, in eval mode, on the CPU.
    history : History
        What was recorded during training.
    config : TrainConfig
        The configuration it was trained with.
    key : str
        The cache key (a SHA-256 hex digest).
    path : Path or None
        The cache folder (``None`` when trained with ``cache=False``).
    from_cache : bool
        True when read from the cache, False when trained by this call.
    train_seconds : float
        Wall-clock training time (of the run that filled the cache).
    device : str
        Device type it was trained on (``"cpu"`` or ``"cuda"``).
    checkpoints : list of dict or None
        With ``config.checkpoints > 0``: the ``state_dict`` (CPU tensors) at
        initialization and ``config.checkpoints`` times per epoch, the last one being
        the final weights; else None.
    checkpoint_steps : ndarray of int or None
        Optimizer steps taken before each checkpoint (0 for the initialization).
    """

    model: nn.Module
    history: History
    config: TrainConfig
    key: str
    path: Path | None
    from_cache: bool
    train_seconds: float
    device: str
    checkpoints: list | None = None
    checkpoint_steps: np.ndarray | None = None

    @property
    def epoch_checkpoints(self) -> list | None:
        """The checkpoints at initialization and at the end of every epoch (``epochs + 1``).

        These are the states in which the pages replay the training epoch by epoch: load
        one with ``model.load_state_dict(state)`` and record what the network does. None
        when the model was trained without ``config.checkpoints``.
        """
        if self.checkpoints is None:
            return None
        steps = self.history.steps_per_epoch
        return [
            state
            for state, step in zip(self.checkpoints, self.checkpoint_steps)
            if step % steps == 0
        ]

    def training_data(self) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
        """Return the training images and labels exactly as the network was trained on them.

        Returns
        -------
        X : Tensor of shape (n, 1, 28, 28), float32
            The normalized training images (see :func:`mlviz.models.mnist_tensors`).
        y : Tensor of shape (n,), int64
            Their labels, after ``config.flip_labels`` replaced a share of them.
        flipped : ndarray of int
            The positions of the flipped labels (empty when ``config.flip_labels`` is 0);
            the true labels are ``mnist_tensors("train", ...)``'s.
        """
        return _training_data(self.config)


def train(
    config: TrainConfig, *, cache: bool = True, device: str | torch.device | None = None
) -> TrainedModel:
    """Train the network described by ``config``, or read it from the cache.

    Parameters
    ----------
    config : TrainConfig
        What to train.
    cache : bool
        Read from and write to ``cache_dir("models")``. With False, always train and
        store nothing.
    device : str or torch.device, optional
        Where to train; default :func:`default_device`.

    Returns
    -------
    TrainedModel
        ``.model`` is on the CPU in eval mode; ``.from_cache`` tells whether training
        was skipped.
    """
    device = torch.device(device) if device is not None else default_device()
    key = cache_key(config, device)
    if not cache:
        return _train(config, device, key, None)
    folder = cache_dir("models") / key
    # Two build workers may want the same model at once: the second waits for the first
    # and reads what it stored, instead of training it again.
    with _exclusive(cache_dir("locks") / f"model-{key}.lock"):  # beside the cache, not in it
        if (folder / "done").exists():
            model, history, info, checkpoints = _load(folder, config)
            seconds, trained_on = info["train_seconds"], info["device"]
            return TrainedModel(model, history, config, key, folder, True, seconds, trained_on, *_unpack(checkpoints))
        return _train(config, device, key, folder)


@contextlib.contextmanager
def _exclusive(lock: Path):
    """Hold an exclusive lock on ``lock`` (a file) across processes; a no-op without fcntl."""
    try:
        import fcntl
    except ImportError:  # Windows: no build workers there
        yield
        return
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _train(config: TrainConfig, device, key: str, folder: Path | None) -> TrainedModel:
    start = time.perf_counter()
    model, history, checkpoints = _fit(config, device)
    seconds = time.perf_counter() - start
    model = model.cpu().eval()
    if folder is not None:
        folder = _store(folder, model, history, config, seconds, device, checkpoints)
    return TrainedModel(model, history, config, key, folder, False, seconds, device.type, *_unpack(checkpoints))


def _unpack(checkpoints):
    if checkpoints is None:
        return None, None
    return checkpoints["states"], np.asarray(checkpoints["steps"], dtype=np.int64)


def load_mnist_cnn() -> TrainedModel:
    """Return the gallery's shared MNIST CNN, trained once per configuration and cached.

    Examples
    --------
    >>> cnn = load_mnist_cnn()            # doctest: +SKIP
    >>> cnn.model, cnn.history.val_acc    # doctest: +SKIP
    """
    return train(mnist_cnn_config())


def load_mnist_vit() -> TrainedModel:
    """Return the gallery's small MNIST vision transformer, trained once per configuration and cached."""
    return train(mnist_vit_config())
