"""The seeded training loop: one run of a :class:`~mlviz.models.TrainConfig`, without any cache.

``_fit`` trains the network on the gallery's MNIST split under deterministic settings
(``_deterministic``), records a :class:`~mlviz.models.History` on the way and keeps the
optional weight checkpoints. :func:`default_device` is where training runs by default.
Nothing here knows of the cache: :func:`mlviz.models.train` decides between reading an
entry (:mod:`mlviz.models._cache`) and calling ``_fit``.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._torch import one_thread
from ._config import TrainConfig
from ._data import flip_labels, mnist_tensors
from ._evaluate import evaluate
from ._history import History, _Recorder
from ._nets import build_model

__all__ = ["default_device"]


def default_device() -> torch.device:
    """Return CUDA when a GPU is available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@contextmanager
def _deterministic(seed: int):
    """Seed everything and ask for deterministic kernels; restore the global settings after."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    previous = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
        torch.backends.cudnn.benchmark,
        torch.backends.cudnn.deterministic,
    )
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    try:
        with one_thread():
            yield
    finally:
        torch.use_deterministic_algorithms(previous[0], warn_only=previous[1])
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = previous[2:]


def _make_optimizer(config: TrainConfig, params):
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)


def _state_copy(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


def _training_data(config: TrainConfig) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """The training images and labels as ``config`` trains on them, and the flipped positions."""
    split = {"val_size": config.val_size, "test_size": config.test_size}
    X_train, y_train = mnist_tensors("train", n=config.n_train, seed=config.seed, **split)
    if not config.flip_labels:
        return X_train, y_train, np.zeros(0, dtype=np.int64)
    y_train, flipped = flip_labels(y_train, config.flip_labels, seed=config.seed)
    return X_train, y_train, flipped


def _fit(config: TrainConfig, device: torch.device) -> tuple[nn.Module, History, dict | None]:
    split = {"val_size": config.val_size, "test_size": config.test_size}
    X_train, y_train, _ = _training_data(config)
    X_val, y_val = mnist_tensors("val", n=config.n_val, seed=config.seed, **split)
    X_train, y_train, X_val, y_val = (t.to(device) for t in (X_train, y_train, X_val, y_val))
    probe = (X_val[: config.probe_size], y_val[: config.probe_size])

    with _deterministic(config.seed):
        model = build_model(config.arch, **config.arch_kwargs).to(device)
        recorder = _Recorder(model, probe, config.seed)
        recorder.snapshot()
        optimizer = _make_optimizer(config, model.parameters())
        shuffler = torch.Generator().manual_seed(config.seed)
        n = len(y_train)
        steps_per_epoch = -(-n // config.batch_size)
        # Checkpoint after these steps of each epoch (1-based), evenly spaced, the last one ending it.
        marks = {round(steps_per_epoch * j / config.checkpoints) for j in range(1, config.checkpoints + 1)}
        checkpoints = {"steps": [0], "states": [_state_copy(model)]} if config.checkpoints else None
        step = 0
        curves = {k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc")}
        for _ in range(config.epochs):
            model.train()
            order = torch.randperm(n, generator=shuffler).to(device)
            total_loss, correct = 0.0, 0
            for i, start in enumerate(range(0, n, config.batch_size), start=1):
                idx = order[start : start + config.batch_size]
                xb, yb = X_train[idx], y_train[idx]
                optimizer.zero_grad(set_to_none=True)
                logits = model(xb)
                loss = F.cross_entropy(logits, yb)
                loss.backward()
                recorder.record_step(loss)
                optimizer.step()
                step += 1
                if checkpoints is not None and i in marks:
                    checkpoints["steps"].append(step)
                    checkpoints["states"].append(_state_copy(model))
                total_loss += loss.item() * len(yb)
                correct += (logits.argmax(1) == yb).sum().item()
            curves["train_loss"].append(total_loss / n)
            curves["train_acc"].append(correct / n)
            val = evaluate(model, X_val, y_val)
            curves["val_loss"].append(val["loss"])
            curves["val_acc"].append(val["accuracy"])
            recorder.snapshot()
    history = recorder.history(
        epoch=np.arange(1, config.epochs + 1),
        steps_per_epoch=-(-n // config.batch_size),
        n_bins=config.n_bins,
        **{k: np.asarray(v, dtype=np.float64) for k, v in curves.items()},
    )
    return model, history, checkpoints
