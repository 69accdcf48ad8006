"""The on-disk model cache: the key of a trained model, and writing and reading an entry.

A trained model lives in ``cache_dir("models")/<key>/``. The key (:func:`cache_key`) is
a SHA-256 of everything the result depends on: the configuration, the registered hashes
of the MNIST files, the torch version, the device type and :data:`HISTORY_VERSION`. So a
build trains each model once, a rebuild trains nothing, and a changed hyperparameter
trains anew.

An entry holds plain data only: ``model.pt`` (a ``state_dict``) and ``checkpoints.pt``
(lists and dicts of tensors), both read with ``weights_only=True``; ``history.npz`` and
``history.json`` (arrays and JSON, see :meth:`History.save`); ``info.json``; and an empty
``done`` marker. Nothing in it is a pickled object of this package, so where a class is
defined (a module path) never decides whether an entry can be read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import torch
from torch import nn

from ..datasets import REGISTRY
from ._config import TrainConfig
from ._fit import default_device
from ._history import History
from ._nets import build_model

__all__ = ["HISTORY_VERSION", "cache_key"]

#: Bumped whenever what is recorded (or how) changes, so that old cache entries are not read.
HISTORY_VERSION = 1

_MNIST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def cache_key(config: TrainConfig, device: str | torch.device | None = None) -> str:
    """Return the SHA-256 hex digest identifying a trained model.

    It covers the whole configuration (architecture, its arguments, every
    hyperparameter, subsets and split parameters), the registered SHA-256 of the MNIST
    files, the torch version, the device type (a GPU gives other rounding than a CPU) and
    :data:`HISTORY_VERSION`.
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig; got {type(config).__name__}")
    device = torch.device(device) if device is not None else default_device()
    config_dict = config.to_dict()
    if not config_dict["checkpoints"]:  # keys of models trained before the option existed stay valid
        del config_dict["checkpoints"]  # (flip_labels: to_dict leaves it out while it is 0)
    payload = {
        "config": config_dict,
        "data": {name: REGISTRY[name] for name in _MNIST_FILES},
        "torch": torch.__version__,
        "device": device.type,
        "history_version": HISTORY_VERSION,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _store(folder: Path, model, history, config, seconds, device, checkpoints=None) -> Path:
    """Write into a temporary sibling folder, then rename it: readers never see half a model."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name[:12]}-", dir=folder.parent))
    try:
        torch.save(model.state_dict(), tmp / "model.pt")
        if checkpoints is not None:
            torch.save(checkpoints, tmp / "checkpoints.pt")
        history.save(tmp / "history.npz")
        info = {"config": config.to_dict(), "train_seconds": seconds, "device": device.type, "torch": torch.__version__}
        (tmp / "info.json").write_text(json.dumps(info, indent=2))
        (tmp / "done").touch()
        os.replace(tmp, folder)
    except OSError:
        # Another build stored the same model first (the target exists and is not empty).
        shutil.rmtree(tmp, ignore_errors=True)
        if not (folder / "done").exists():
            raise
    return folder


def _load(folder: Path, config: TrainConfig) -> tuple[nn.Module, History, dict, dict | None]:
    """Read an entry written by :func:`_store`.

    Returns the model (on the CPU, in eval mode), its :class:`History`, the contents of
    ``info.json`` and the checkpoints (None when ``config.checkpoints`` is 0).
    """
    model = build_model(config.arch, **config.arch_kwargs)
    model.load_state_dict(torch.load(folder / "model.pt", map_location="cpu", weights_only=True))
    info = json.loads((folder / "info.json").read_text())
    history = History.load(folder / "history.npz")
    checkpoints = None
    if config.checkpoints:
        checkpoints = torch.load(folder / "checkpoints.pt", map_location="cpu", weights_only=True)
    return model.eval(), history, info, checkpoints
