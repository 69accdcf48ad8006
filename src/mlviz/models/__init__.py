"""The networks the deep-learning pages share, trained once and cached.

* :class:`MnistCNN`, :class:`MLP` and :class:`TinyViT`: the architectures (named submodules, activations
  as separate modules so hooks can be attached).
* :class:`TrainConfig` and :func:`train`: seeded training on the gallery's MNIST split
  that records a :class:`History` (loss/accuracy curves, per-layer weight, bias,
  gradient and activation statistics) and caches the result in
  ``mlviz.config.cache_dir("models")``.
* :func:`load_mnist_cnn`, :func:`load_mnist_vit`: the shared CNN and vision transformer
  of this build (quick or full).
* :func:`mnist_tensors`, :func:`to_tensor`, :func:`from_tensor`: MNIST as normalized
  ``(N, 1, 28, 28)`` float tensors and back.
"""

from ._cache import HISTORY_VERSION, cache_key
from ._config import (
    MNIST_CNN_CONFIG,
    MNIST_CNN_QUICK_CONFIG,
    MNIST_VIT_CONFIG,
    MNIST_VIT_QUICK_CONFIG,
    TrainConfig,
    mnist_cnn_config,
    mnist_vit_config,
)
from ._data import MNIST_MEAN, MNIST_STD, from_tensor, mnist_tensors, to_tensor
from ._evaluate import evaluate, predict_proba
from ._fit import default_device
from ._history import History
from ._nets import ARCHITECTURES, MLP, MnistCNN, build_model, count_parameters
from ._train import TrainedModel, load_mnist_cnn, load_mnist_vit, train
from ._vit import TinyViT

__all__ = [
    "ARCHITECTURES",
    "HISTORY_VERSION",
    "MLP",
    "MNIST_CNN_CONFIG",
    "MNIST_CNN_QUICK_CONFIG",
    "MNIST_MEAN",
    "MNIST_STD",
    "MNIST_VIT_CONFIG",
    "MNIST_VIT_QUICK_CONFIG",
    "History",
    "MnistCNN",
    "TinyViT",
    "TrainConfig",
    "TrainedModel",
    "build_model",
    "cache_key",
    "count_parameters",
    "default_device",
    "evaluate",
    "from_tensor",
    "load_mnist_cnn",
    "load_mnist_vit",
    "mnist_cnn_config",
    "mnist_tensors",
    "mnist_vit_config",
    "predict_proba",
    "to_tensor",
    "train",
]
