"""Export a trained network to a JSON file that a web page can run without a server.

The gallery's interactive pages (catalog section H) compute in the reader's browser.
:func:`export_cnn` writes a network made of a chain of standard layers (convolution,
ReLU/sigmoid/tanh, max pooling, flatten, dense) as a list of layer specifications with
their float32 weights, base64-encoded little-endian bytes; ``docs/assets/drawpad/cnn.js``
reads the same format. :func:`load_cnn_export` reads it back into NumPy arrays.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from torch import nn

__all__ = ["FORMAT", "decode_array", "encode_array", "export_cnn", "load_cnn_export", "site_output_dir"]

#: Name and version of the file format (``cnn.js`` refuses any other).
FORMAT = "mlviz-cnn/1"

_ACTIVATIONS = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh"}
_DTYPES = {"float32": "<f4", "uint8": "u1"}


def encode_array(array, dtype: str = "float32") -> dict:
    """Return ``array`` as ``{"shape", "dtype", "data"}`` with base64 little-endian bytes.

    Parameters
    ----------
    array : array-like
        The values (a tensor is converted with ``.detach().cpu().numpy()``).
    dtype : {"float32", "uint8"}
        Storage type. float32 keeps a network's weights exactly.
    """
    if dtype not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)}; got {dtype!r}")
    if hasattr(array, "detach"):
        array = array.detach().cpu().numpy()
    array = np.ascontiguousarray(np.asarray(array), dtype=_DTYPES[dtype])
    return {"shape": list(array.shape), "dtype": dtype, "data": base64.b64encode(array.tobytes()).decode("ascii")}


def decode_array(spec: dict) -> np.ndarray:
    """Undo :func:`encode_array`: return the array described by ``spec``."""
    dtype = spec.get("dtype")
    if dtype not in _DTYPES:
        raise ValueError(f"spec['dtype'] must be one of {sorted(_DTYPES)}; got {dtype!r}")
    flat = np.frombuffer(base64.b64decode(spec["data"]), dtype=_DTYPES[dtype])
    return flat.reshape(spec["shape"]).astype(np.dtype(dtype))  # native byte order


def _pair(value) -> int:
    """A square kernel/stride/padding as one int (the browser code handles square ones only)."""
    if isinstance(value, tuple):
        if len(set(value)) != 1:
            raise ValueError(f"only square kernels, strides and paddings are supported; got {value!r}")
        value = value[0]
    return int(value)


def _layer_spec(name: str, module: nn.Module) -> dict:
    if isinstance(module, nn.Conv2d):
        if module.groups != 1 or _pair(module.dilation) != 1 or module.padding_mode != "zeros":
            raise ValueError(f"layer {name!r}: only plain convolutions (groups=1, dilation=1, zero padding) are supported")
        return {
            "name": name,
            "type": "conv2d",
            "in_channels": module.in_channels,
            "out_channels": module.out_channels,
            "kernel_size": _pair(module.kernel_size),
            "stride": _pair(module.stride),
            "padding": _pair(module.padding),
            "weight": encode_array(module.weight),
            "bias": encode_array(module.bias),
        }
    if isinstance(module, nn.Linear):
        return {
            "name": name,
            "type": "linear",
            "in_features": module.in_features,
            "out_features": module.out_features,
            "weight": encode_array(module.weight),
            "bias": encode_array(module.bias),
        }
    if isinstance(module, nn.MaxPool2d):
        stride = module.stride if module.stride is not None else module.kernel_size
        if _pair(module.padding) != 0 or _pair(module.dilation) != 1 or module.ceil_mode:
            raise ValueError(f"layer {name!r}: only max pooling without padding, dilation or ceil_mode is supported")
        return {"name": name, "type": "maxpool2d", "kernel_size": _pair(module.kernel_size), "stride": _pair(stride)}
    if isinstance(module, nn.Flatten):
        return {"name": name, "type": "flatten"}
    for cls, kind in _ACTIVATIONS.items():
        if type(module) is cls:
            return {"name": name, "type": kind}
    raise TypeError(
        f"layer {name!r} is a {type(module).__name__}; export_cnn supports Conv2d, Linear, MaxPool2d, "
        f"Flatten, ReLU, Sigmoid and Tanh applied in the order of model.named_children()"
    )


def export_cnn(
    model: nn.Module,
    path,
    *,
    input_shape=(1, 28, 28),
    mean: float | None = None,
    std: float | None = None,
    class_names=None,
    examples=None,
    example_labels=None,
    metadata: dict | None = None,
) -> Path:
    """Write ``model``'s layers and weights to a JSON file a browser can run.

    The model's forward pass must be its children applied in order (true of
    :class:`~mlviz.models.MnistCNN` and :class:`~mlviz.models.MLP`).

    Parameters
    ----------
    model : torch.nn.Module
        The trained network.
    path : str or Path
        Output file (its folder is created).
    input_shape : tuple of int
        Shape of one input, ``(channels, height, width)``.
    mean, std : float, optional
        Normalization applied to grey levels in [0, 1] before the first layer
        (defaults: :data:`mlviz.models.MNIST_MEAN` and ``MNIST_STD``).
    class_names : sequence of str, optional
        One name per output; defaults to ``"0"``, ``"1"``, ...
    examples : uint8 array of shape (n, height, width), optional
        Input images stored with the network (e.g. test digits for demo buttons).
    example_labels : sequence of int, optional
        Their true classes.
    metadata : dict, optional
        Anything JSON-serializable to store under ``"metadata"``.

    Returns
    -------
    Path
        The written file.
    """
    from mlviz.models import MNIST_MEAN, MNIST_STD

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    layers = [_layer_spec(name, module) for name, module in model.named_children()]
    if not layers:
        raise ValueError("model has no child modules to export")
    n_out = next((spec["out_features"] for spec in reversed(layers) if spec["type"] == "linear"), None)
    if class_names is None:
        class_names = [str(i) for i in range(n_out or 0)]
    elif n_out is not None and len(class_names) != n_out:
        raise ValueError(f"class_names must have {n_out} entries (one per output); got {len(class_names)}")
    payload = {
        "format": FORMAT,
        "input_shape": [int(s) for s in input_shape],
        "mean": float(MNIST_MEAN if mean is None else mean),
        "std": float(MNIST_STD if std is None else std),
        "class_names": [str(c) for c in class_names],
        "layers": layers,
        "examples": [],
        "metadata": metadata or {},
    }
    if examples is not None:
        examples = np.asarray(examples)
        if examples.dtype != np.uint8 or examples.ndim != 3:
            raise ValueError(f"examples must be uint8 images of shape (n, height, width); got {examples.dtype} {examples.shape}")
        labels = [None] * len(examples) if example_labels is None else [int(v) for v in example_labels]
        if len(labels) != len(examples):
            raise ValueError(f"example_labels must have {len(examples)} entries; got {len(labels)}")
        payload["examples"] = [{"label": lab, "pixels": encode_array(img, "uint8")} for img, lab in zip(examples, labels)]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
    return path


def load_cnn_export(path) -> dict:
    """Read a file written by :func:`export_cnn`.

    Returns
    -------
    dict
        The file's content with every encoded array decoded: ``"state_dict"`` maps
        ``"<layer>.weight"``/``"<layer>.bias"`` to float32 arrays (the keys of the
        model's ``state_dict()``), ``"examples"`` is a uint8 array ``(n, h, w)`` and
        ``"example_labels"`` a list; ``"layers"`` keeps the specifications.
    """
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    if payload.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT!r} file; its format is {payload.get('format')!r}")
    state = {}
    for spec in payload["layers"]:
        for key in ("weight", "bias"):
            if key in spec:
                state[f"{spec['name']}.{key}"] = decode_array(spec[key])
    examples = [decode_array(e["pixels"]) for e in payload["examples"]]
    payload["state_dict"] = state
    payload["example_labels"] = [e["label"] for e in payload["examples"]]
    payload["examples"] = np.stack(examples) if examples else np.zeros((0, *payload["input_shape"][1:]), np.uint8)
    return payload


def site_output_dir(section: str) -> Path:
    """The folder of a gallery section's generated pages, whose files MkDocs publishes.

    mkdocs-gallery runs an example with the example's own folder as working directory,
    and copies nothing else; a file written to ``docs/gallery/<section>/`` is copied to
    ``site/gallery/<section>/``, next to the pages. The project root is found by
    looking upwards from the working directory for ``mkdocs.yml``; outside a checkout
    (a downloaded script), the working directory is used.

    Parameters
    ----------
    section : str
        The section's folder name, e.g. ``"08_interactive"``.
    """
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file() and (folder / "gallery").is_dir():
            out = folder / "docs" / "gallery" / section
            out.mkdir(parents=True, exist_ok=True)
            return out
    return here
