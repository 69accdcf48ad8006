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

:mod:`mlviz.models.toy`, :mod:`mlviz.models.grokking` and :mod:`mlviz.models.induction`
(imported by name) train and cache the toy models of superposition (page K5), the
modular-addition network that groks (page K6) and the tiny attention-only transformer
with induction heads (page K7).
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
from .imagenet import (
    CLASS_NAMES_SHA256,
    IMAGE_SIZE,
    IMAGENET_MODEL_NAME,
    PHOTOS,
    WEIGHTS_SHA256,
    WeightsHashError,
    WeightsNotFoundError,
    imagenet_class_names,
    load_efficientnet_lite0,
    load_photo,
    packaged_weights,
    photo_aspect,
    photo_tensors,
    to_display,
    to_model_input,
    verify_imagenet_weights,
)

__all__ = [
    "ARCHITECTURES",
    "CLASS_NAMES_SHA256",
    "HISTORY_VERSION",
    "IMAGENET_MODEL_NAME",
    "IMAGE_SIZE",
    "MLP",
    "MNIST_CNN_CONFIG",
    "MNIST_CNN_QUICK_CONFIG",
    "MNIST_MEAN",
    "MNIST_STD",
    "MNIST_VIT_CONFIG",
    "MNIST_VIT_QUICK_CONFIG",
    "History",
    "MnistCNN",
    "PHOTOS",
    "TinyViT",
    "TrainConfig",
    "TrainedModel",
    "WEIGHTS_SHA256",
    "WeightsHashError",
    "WeightsNotFoundError",
    "build_model",
    "cache_key",
    "count_parameters",
    "default_device",
    "evaluate",
    "from_tensor",
    "imagenet_class_names",
    "load_efficientnet_lite0",
    "load_mnist_cnn",
    "load_mnist_vit",
    "load_photo",
    "mnist_cnn_config",
    "mnist_tensors",
    "mnist_vit_config",
    "packaged_weights",
    "photo_aspect",
    "photo_tensors",
    "predict_proba",
    "to_display",
    "to_model_input",
    "to_tensor",
    "train",
    "verify_imagenet_weights",
]
