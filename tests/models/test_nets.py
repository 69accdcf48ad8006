"""The architectures: output shapes, named submodules and argument errors."""

from __future__ import annotations

import pytest
import torch

from mlviz.models import MLP, MnistCNN, build_model, count_parameters


def test_networks_and_helpers():
    cnn = MnistCNN()
    x = torch.zeros(3, 1, 28, 28)
    assert cnn(x).shape == (3, 10) and cnn.embed(x).shape == (3, 64) and cnn.features(x).shape == (3, 32, 14, 14)
    assert count_parameters(cnn) == sum(p.numel() for p in cnn.parameters())
    mlp = MLP(hidden=(5, 5, 5), activation="sigmoid", init="xavier")
    assert [n for n, _ in mlp.named_children()] == ["flatten", "fc1", "act1", "fc2", "act2", "fc3", "act3", "out"]
    assert isinstance(mlp.act2, torch.nn.Sigmoid) and torch.all(mlp.fc1.bias == 0)


def test_build_model_errors():
    with pytest.raises(ValueError, match="arch must be one of"):
        build_model("vgg")
    with pytest.raises(ValueError, match="activation must be one of"):
        MLP(activation="gelu")
