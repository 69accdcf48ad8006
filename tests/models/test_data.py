"""MNIST as normalized tensors."""

from __future__ import annotations

import pytest
import torch

from mlviz.models import mnist_tensors


def test_mnist_tensors_are_normalized():
    X, y = mnist_tensors("test", n=100)
    assert X.shape == (100, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert -0.5 < X.min().item() < -0.4  # the background, (0 - 0.1307) / 0.3081
    with pytest.raises(ValueError, match="split must be one of"):
        mnist_tensors("training")
