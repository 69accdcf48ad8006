"""The networks the deep-learning pages share: a small MNIST CNN and configurable MLPs.

Every activation is its own module (``relu1``, ``act2``, ...) so that forward hooks can
be attached to it by name, and every layer with weights has a stable name (``conv1``,
``fc1``, ...) that the training history uses as its key.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["ARCHITECTURES", "MLP", "MnistCNN", "build_model", "count_parameters"]

_ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "leaky_relu": nn.LeakyReLU}
_INITS = ("default", "kaiming", "xavier", "normal")


class MnistCNN(nn.Module):
    """Two convolution blocks and two dense layers for 28x28 grey-level digits.

    ``conv1 -> relu1 -> pool1 -> conv2 -> relu2 -> pool2 -> flatten -> fc1 -> relu3 -> fc2``.
    Both convolutions are 3x3 with padding 1 (the size is kept) and each pooling halves
    it, so ``conv2``'s feature maps are 14x14 and the dense part reads 7x7 maps.

    Parameters
    ----------
    channels : tuple of two int
        Output channels of ``conv1`` and ``conv2``.
    hidden : int
        Width of ``fc1``, the penultimate layer (the image's embedding).
    n_classes : int
        Number of outputs (logits) of ``fc2``.

    Examples
    --------
    >>> net = MnistCNN()
    >>> net(torch.zeros(5, 1, 28, 28)).shape
    torch.Size([5, 10])
    """

    def __init__(self, channels: tuple[int, int] = (16, 32), hidden: int = 64, n_classes: int = 10):
        super().__init__()
        channels = tuple(int(c) for c in channels)
        if len(channels) != 2 or min(channels) < 1:
            raise ValueError(f"channels must be two positive ints; got {channels!r}")
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, kernel_size=3, padding=1)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(c2 * 7 * 7, hidden)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(hidden, n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Return the output of ``relu2`` (before pooling): shape ``(N, channels[1], 14, 14)``."""
        x = self.pool1(self.relu1(self.conv1(x)))
        return self.relu2(self.conv2(x))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Return the penultimate representation (``relu3`` after ``fc1``): ``(N, hidden)``."""
        return self.relu3(self.fc1(self.flatten(self.pool2(self.features(x)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the logits, shape ``(N, n_classes)``, for images of shape ``(N, 1, 28, 28)``."""
        return self.fc2(self.embed(x))


class MLP(nn.Module):
    """A fully connected network on flattened images, with a chosen activation and init.

    Layers are named ``fc1, act1, fc2, act2, ..., out``; the input is flattened first,
    so it takes the same ``(N, 1, 28, 28)`` tensors as :class:`MnistCNN`.

    Parameters
    ----------
    in_features : int
        Size of the flattened input (784 for MNIST).
    hidden : sequence of int
        Width of each hidden layer; its length is the network's depth.
    n_classes : int
        Number of logits.
    activation : {"relu", "sigmoid", "tanh", "leaky_relu"}
        Activation after each hidden layer.
    init : {"default", "kaiming", "xavier", "normal"}
        Weight initialization of every dense layer. ``"default"`` keeps PyTorch's
        (Kaiming-uniform with a=sqrt(5)); ``"kaiming"`` is He-normal for ReLU;
        ``"xavier"`` is Glorot-normal; ``"normal"`` draws N(0, 1) (a deliberately bad
        choice). Biases start at zero except with ``"default"``.

    Examples
    --------
    >>> net = MLP(hidden=(32, 32), activation="sigmoid")
    >>> [name for name, _ in net.named_children()]
    ['flatten', 'fc1', 'act1', 'fc2', 'act2', 'out']
    """

    def __init__(
        self,
        in_features: int = 784,
        hidden: tuple[int, ...] = (128, 64),
        n_classes: int = 10,
        activation: str = "relu",
        init: str = "default",
    ):
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}; got {activation!r}")
        if init not in _INITS:
            raise ValueError(f"init must be one of {list(_INITS)}; got {init!r}")
        hidden = tuple(int(h) for h in hidden)
        if not hidden or min(hidden) < 1:
            raise ValueError(f"hidden must be a non-empty sequence of positive ints; got {hidden!r}")
        self.flatten = nn.Flatten()
        width = in_features
        for i, h in enumerate(hidden, start=1):
            self.add_module(f"fc{i}", nn.Linear(width, h))
            self.add_module(f"act{i}", _ACTIVATIONS[activation]())
            width = h
        self.out = nn.Linear(width, n_classes)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                _initialize(module, init, activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the logits for inputs of shape ``(N, ...)`` flattening to ``in_features``."""
        for module in self.children():
            x = module(x)
        return x


def _initialize(layer: nn.Linear, init: str, activation: str) -> None:
    if init == "default":
        return
    if init == "kaiming":
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu" if activation == "relu" else "leaky_relu")
    elif init == "xavier":
        gain = nn.init.calculate_gain(activation, 0.01)  # the 0.01 is leaky_relu's slope
        nn.init.xavier_normal_(layer.weight, gain=gain)
    elif init == "normal":
        nn.init.normal_(layer.weight, 0.0, 1.0)
    nn.init.zeros_(layer.bias)


from ._vit import TinyViT  # noqa: E402  (after the classes it sits beside in the registry)

#: Architecture name (as used in :class:`~mlviz.models.TrainConfig`) -> class.
ARCHITECTURES = {"mnist_cnn": MnistCNN, "mlp": MLP, "vit": TinyViT}


def build_model(arch: str, **kwargs) -> nn.Module:
    """Instantiate the architecture registered as ``arch`` with ``kwargs``.

    Raises
    ------
    ValueError
        If ``arch`` is not a key of :data:`ARCHITECTURES`.
    """
    if arch not in ARCHITECTURES:
        raise ValueError(f"arch must be one of {sorted(ARCHITECTURES)}; got {arch!r}")
    return ARCHITECTURES[arch](**kwargs)


def count_parameters(module: nn.Module) -> int:
    """Return the number of trainable parameters of ``module`` (its own and its children's)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)

