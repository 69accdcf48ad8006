"""TrainConfig: validation of its fields, and the presets of the shared networks."""

from __future__ import annotations

import pytest

from mlviz.models import (
    MNIST_CNN_CONFIG,
    MNIST_CNN_QUICK_CONFIG,
    MNIST_VIT_CONFIG,
    MNIST_VIT_QUICK_CONFIG,
    TrainConfig,
    mnist_cnn_config,
    mnist_vit_config,
)

from .conftest import TINY


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"arch": "resnet"}, "arch must be one of"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of"),
        ({"epochs": 0}, "epochs must be a positive int; got 0"),
        ({"lr": -1.0}, "lr must be positive"),
        ({"n_train": 0}, "n_train must be None or a positive int"),
    ],
)
def test_config_errors_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kwargs)


def test_checkpoints_must_be_non_negative():
    with pytest.raises(ValueError, match="checkpoints must be a non-negative int.*-1"):
        TINY.replace(checkpoints=-1)


def test_the_build_mode_picks_the_preset(monkeypatch):
    monkeypatch.setenv("MLVIZ_QUICK", "1")
    assert mnist_cnn_config() == MNIST_CNN_QUICK_CONFIG and mnist_vit_config() == MNIST_VIT_QUICK_CONFIG
    monkeypatch.setenv("MLVIZ_QUICK", "0")
    assert mnist_cnn_config() == MNIST_CNN_CONFIG and mnist_vit_config() == MNIST_VIT_CONFIG
    assert MNIST_CNN_QUICK_CONFIG != MNIST_CNN_CONFIG and MNIST_VIT_QUICK_CONFIG != MNIST_VIT_CONFIG
