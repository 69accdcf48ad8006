"""Using a trained network: its loss and accuracy (:func:`evaluate`) and class probabilities (:func:`predict_proba`)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._torch import one_thread

__all__ = ["evaluate", "predict_proba"]


@torch.no_grad()
def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, batch_size: int = 1000) -> dict[str, float]:
    """Return the mean cross-entropy (``"loss"``) and the ``"accuracy"`` of ``model`` on ``(X, y)``."""
    with one_thread():
        return _evaluate(model, X, y, batch_size)


def _evaluate(model, X, y, batch_size):
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total, correct = 0.0, 0
    for start in range(0, len(y), batch_size):
        xb, yb = X[start : start + batch_size].to(device), y[start : start + batch_size].to(device)
        logits = model(xb)
        total += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
    model.train(was_training)
    return {"loss": total / len(y), "accuracy": correct / len(y)}


@torch.no_grad()
def predict_proba(model: nn.Module, X: torch.Tensor, *, batch_size: int = 1000) -> np.ndarray:
    """Return the softmax probabilities of ``model`` on ``X``: an array of shape ``(N, n_classes)``."""
    model.eval()
    device = next(model.parameters()).device
    with one_thread():
        out = [F.softmax(model(X[i : i + batch_size].to(device)), dim=1).cpu() for i in range(0, len(X), batch_size)]
    return torch.cat(out).numpy()
