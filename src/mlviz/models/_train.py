"""Seeded, cached training with a recorded history.

:func:`train` trains a network described by a :class:`TrainConfig` on the gallery's
MNIST split, records what the training pages draw (a :class:`History`), and keeps both
in ``cache_dir("models")/<key>/``. The key is a SHA-256 of everything the result depends
on: the configuration, the registered hashes of the MNIST files, the torch version and
the device type. So a build trains each model once, a rebuild trains nothing, and a
changed hyperparameter trains anew.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._torch import one_thread
from ..attribution import ActivationsAndGradients
from ..config import SEED, cache_dir, is_quick
from ..datasets import REGISTRY
from ._data import mnist_tensors
from ._nets import ARCHITECTURES, build_model

__all__ = [
    "HISTORY_VERSION",
    "MNIST_CNN_CONFIG",
    "MNIST_CNN_QUICK_CONFIG",
    "MNIST_VIT_CONFIG",
    "MNIST_VIT_QUICK_CONFIG",
    "History",
    "TrainConfig",
    "TrainedModel",
    "cache_key",
    "default_device",
    "evaluate",
    "load_mnist_cnn",
    "load_mnist_vit",
    "mnist_cnn_config",
    "mnist_vit_config",
    "predict_proba",
    "train",
]

#: Bumped whenever what is recorded (or how) changes, so that old cache entries are not read.
HISTORY_VERSION = 1

_MNIST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
_OPTIMIZERS = ("adam", "sgd")
_ACTIVATION_TYPES = (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.LeakyReLU)
_PARAM_TYPES = (nn.Conv2d, nn.Linear)
_MAX_HIST_VALUES = 20_000  # activation values kept per layer and epoch for the histograms


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a trained model (and hence its cache key).

    Parameters
    ----------
    arch : str
        A key of :data:`mlviz.models.ARCHITECTURES` (``"mnist_cnn"`` or ``"mlp"``).
    arch_kwargs : mapping
        Keyword arguments of the architecture (e.g. ``{"hidden": (64,) * 8, "activation": "sigmoid"}``).
    epochs : int
        Passes over the training images.
    lr : float
        Learning rate.
    batch_size : int
        Mini-batch size.
    optimizer : {"adam", "sgd"}
        Optimizer; ``momentum`` applies to SGD only.
    momentum, weight_decay : float
        Optimizer settings.
    seed : int
        Seeds the initialization, the shuffling and the choice of subsets.
    n_train, n_val : int, optional
        Use only that many training / validation images (``None``: the whole part).
    val_size, test_size : float
        Parameters of :func:`mlviz.datasets.load_mnist_split`.
    n_bins : int
        Number of (fixed) bins of the recorded histograms.
    probe_size : int
        Number of validation images on which activations and probe gradients are recorded.
    checkpoints : int
        Copies of the weights (``state_dict``) kept per epoch, evenly spaced in its
        steps, plus one at initialization; they come back as
        :attr:`TrainedModel.checkpoints` (for weight-space trajectories). 0 (default)
        keeps none and leaves the cache key as it was before this option existed.
    """

    arch: str = "mnist_cnn"
    arch_kwargs: Mapping[str, Any] = field(default_factory=dict)
    epochs: int = 5
    lr: float = 1e-3
    batch_size: int = 64
    optimizer: str = "adam"
    momentum: float = 0.0
    weight_decay: float = 0.0
    seed: int = SEED
    n_train: int | None = None
    n_val: int | None = None
    val_size: float = 0.2
    test_size: float = 0.2
    n_bins: int = 40
    probe_size: int = 256
    checkpoints: int = 0

    def __post_init__(self):
        if self.arch not in ARCHITECTURES:
            raise ValueError(f"arch must be one of {sorted(ARCHITECTURES)}; got {self.arch!r}")
        if self.optimizer not in _OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {_OPTIMIZERS}; got {self.optimizer!r}")
        for name in ("epochs", "batch_size", "n_bins", "probe_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}")
        for name in ("n_train", "n_val"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be None or a positive int; got {value!r}")
        if not isinstance(self.checkpoints, int) or self.checkpoints < 0:
            raise ValueError(f"checkpoints must be a non-negative int (copies per epoch); got {self.checkpoints!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive; got {self.lr!r}")
        # Normalize the kwargs (tuples become lists) so that equal configs give equal keys.
        object.__setattr__(self, "arch_kwargs", json.loads(json.dumps(dict(self.arch_kwargs), sort_keys=True)))

    def to_dict(self) -> dict:
        """Return the configuration as a JSON-compatible dict."""
        return dataclasses.asdict(self)

    def replace(self, **changes) -> TrainConfig:
        """Return a copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)


@dataclass
class History:
    """What happened during training, as NumPy arrays the pages draw.

    ``E`` is the number of epochs, ``S`` the number of optimizer steps, ``B`` the number
    of histogram bins. Per-layer quantities are dicts keyed by the module name
    (``"conv1"``, ``"fc2"``, ``"act3"``...). Arrays of length ``E + 1`` start with the
    state at initialization (index 0), then one entry after each epoch.

    Attributes
    ----------
    epoch : ndarray (E,)
        1, 2, ..., E.
    train_loss, train_acc : ndarray (E,)
        Mean cross-entropy and accuracy over the epoch's mini-batches (measured while
        the weights were changing, as most training loops report them).
    val_loss, val_acc : ndarray (E,)
        Cross-entropy and accuracy on the validation images after the epoch.
    step_loss : ndarray (S,)
        Loss of every mini-batch; ``steps_per_epoch`` steps make an epoch.
    layers : tuple of str
        Layers with weights (convolutions and dense layers), in forward order.
    weight_mean, weight_std, bias_mean, bias_std : dict of ndarray (E+1,)
    weight_hist, bias_hist : dict of ndarray (E+1, B)
        Counts of the layer's weights (biases) in the fixed bins ``weight_edges[layer]``
        (``bias_edges``, arrays of B+1 edges spanning all epochs).
    grad_norm, grad_abs_mean : dict of ndarray (S,)
        L2 norm and mean absolute value of each layer's weight gradient at every step.
    grad_hist : dict of ndarray (E+1, B)
        Histogram of each layer's weight gradient of the loss on the probe images
        (``probe_size`` validation images), in the bins ``grad_edges[layer]``.
    act_layers : tuple of str
        Activation modules (ReLU, sigmoid, ...), in forward order.
    act_mean, act_std : dict of ndarray (E+1,)
        Mean and standard deviation of the activation's outputs on the probe images.
    act_dead : dict of ndarray (E+1,)
        Share of units (channels of a convolution, neurons of a dense layer) whose
        output is <= 0 for every probe image: dead ReLU units.
    act_zero : dict of ndarray (E+1,)
        Share of output values <= 0.
    act_hist : dict of ndarray (E+1, B)
        Histogram of (up to 20,000 fixed, sampled) output values in ``act_edges[layer]``.
    """

    epoch: np.ndarray
    train_loss: np.ndarray
    train_acc: np.ndarray
    val_loss: np.ndarray
    val_acc: np.ndarray
    step_loss: np.ndarray
    steps_per_epoch: int
    layers: tuple[str, ...]
    weight_mean: dict[str, np.ndarray]
    weight_std: dict[str, np.ndarray]
    weight_hist: dict[str, np.ndarray]
    weight_edges: dict[str, np.ndarray]
    bias_mean: dict[str, np.ndarray]
    bias_std: dict[str, np.ndarray]
    bias_hist: dict[str, np.ndarray]
    bias_edges: dict[str, np.ndarray]
    grad_norm: dict[str, np.ndarray]
    grad_abs_mean: dict[str, np.ndarray]
    grad_hist: dict[str, np.ndarray]
    grad_edges: dict[str, np.ndarray]
    act_layers: tuple[str, ...]
    act_mean: dict[str, np.ndarray]
    act_std: dict[str, np.ndarray]
    act_dead: dict[str, np.ndarray]
    act_zero: dict[str, np.ndarray]
    act_hist: dict[str, np.ndarray]
    act_edges: dict[str, np.ndarray]

    _META = ("steps_per_epoch", "layers", "act_layers")

    @property
    def best_epoch(self) -> int:
        """The epoch with the lowest validation loss (where early stopping keeps the weights)."""
        return int(self.epoch[np.nanargmin(self.val_loss)])

    def save(self, path: str | Path) -> None:
        """Write the history to ``path`` (``.npz``) and its metadata next to it (``.json``)."""
        path = Path(path)
        arrays = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in self._META:
                continue
            if isinstance(value, dict):
                arrays.update({f"{f.name}/{k}": v for k, v in value.items()})
            else:
                arrays[f.name] = value
        np.savez(path, **arrays)
        meta = {k: getattr(self, k) for k in self._META}
        path.with_suffix(".json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, path: str | Path) -> History:
        """Read a history written by :meth:`save`."""
        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text())
        kwargs: dict[str, Any] = {
            "steps_per_epoch": int(meta["steps_per_epoch"]),
            "layers": tuple(meta["layers"]),
            "act_layers": tuple(meta["act_layers"]),
        }
        with np.load(path) as data:
            for f in dataclasses.fields(cls):
                if f.name in kwargs:
                    continue
                if f.type.startswith("dict"):
                    prefix = f"{f.name}/"
                    kwargs[f.name] = {k[len(prefix):]: data[k] for k in data.files if k.startswith(prefix)}
                else:
                    kwargs[f.name] = data[f.name]
        order = {name: i for i, name in enumerate(kwargs["layers"] + kwargs["act_layers"])}
        for name, value in kwargs.items():
            if isinstance(value, dict):  # npz does not keep the forward order
                kwargs[name] = dict(sorted(value.items(), key=lambda kv: order.get(kv[0], len(order))))
        return cls(**kwargs)


@dataclass
class TrainedModel:
    """A trained network with its history.

    Attributes
    ----------
    model : torch.nn.Module
        The network, in eval mode, on the CPU.
    history : History
        What was recorded during training.
    config : TrainConfig
        The configuration it was trained with.
    key : str
        The cache key (a SHA-256 hex digest).
    path : Path or None
        The cache folder (``None`` when trained with ``cache=False``).
    from_cache : bool
        True when read from the cache, False when trained by this call.
    train_seconds : float
        Wall-clock training time (of the run that filled the cache).
    device : str
        Device type it was trained on (``"cpu"`` or ``"cuda"``).
    checkpoints : list of dict or None
        With ``config.checkpoints > 0``: the ``state_dict`` (CPU tensors) at
        initialization and ``config.checkpoints`` times per epoch, the last one being
        the final weights; else None.
    checkpoint_steps : ndarray of int or None
        Optimizer steps taken before each checkpoint (0 for the initialization).
    """

    model: nn.Module
    history: History
    config: TrainConfig
    key: str
    path: Path | None
    from_cache: bool
    train_seconds: float
    device: str
    checkpoints: list | None = None
    checkpoint_steps: np.ndarray | None = None

    @property
    def epoch_checkpoints(self) -> list | None:
        """The checkpoints at initialization and at the end of every epoch (``epochs + 1``).

        These are the states in which the pages replay the training epoch by epoch: load
        one with ``model.load_state_dict(state)`` and record what the network does. None
        when the model was trained without ``config.checkpoints``.
        """
        if self.checkpoints is None:
            return None
        steps = self.history.steps_per_epoch
        return [state for state, step in zip(self.checkpoints, self.checkpoint_steps) if step % steps == 0]


def default_device() -> torch.device:
    """Return CUDA when a GPU is available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def cache_key(config: TrainConfig, device: str | torch.device | None = None) -> str:
    """Return the SHA-256 hex digest identifying a trained model.

    It covers the whole configuration (architecture, its arguments, every
    hyperparameter, subsets and split parameters), the registered SHA-256 of the MNIST
    files, the torch version, the device type (a GPU gives other rounding than a CPU) and
    :data:`HISTORY_VERSION`.
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig; got {type(config).__name__}")
    device = torch.device(device) if device is not None else default_device()
    config_dict = config.to_dict()
    if not config_dict["checkpoints"]:  # keys of models trained before the option existed stay valid
        del config_dict["checkpoints"]
    payload = {
        "config": config_dict,
        "data": {name: REGISTRY[name] for name in _MNIST_FILES},
        "torch": torch.__version__,
        "device": device.type,
        "history_version": HISTORY_VERSION,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def train(config: TrainConfig, *, cache: bool = True, device: str | torch.device | None = None) -> TrainedModel:
    """Train the network described by ``config``, or read it from the cache.

    Parameters
    ----------
    config : TrainConfig
        What to train.
    cache : bool
        Read from and write to ``cache_dir("models")``. With False, always train and
        store nothing.
    device : str or torch.device, optional
        Where to train; default :func:`default_device`.

    Returns
    -------
    TrainedModel
        ``.model`` is on the CPU in eval mode; ``.from_cache`` tells whether training
        was skipped.
    """
    device = torch.device(device) if device is not None else default_device()
    key = cache_key(config, device)
    folder = cache_dir("models") / key if cache else None
    if folder is not None and (folder / "done").exists():
        return _load(folder, config, key)
    start = time.perf_counter()
    model, history, checkpoints = _fit(config, device)
    seconds = time.perf_counter() - start
    model = model.cpu().eval()
    if folder is not None:
        folder = _store(folder, model, history, config, seconds, device, checkpoints)
    return TrainedModel(model, history, config, key, folder, False, seconds, device.type, *_unpack(checkpoints))


def _unpack(checkpoints):
    if checkpoints is None:
        return None, None
    return checkpoints["states"], np.asarray(checkpoints["steps"], dtype=np.int64)


# -- cache -----------------------------------------------------------------------------
def _store(folder: Path, model, history, config, seconds, device, checkpoints=None) -> Path:
    """Write into a temporary sibling folder, then rename it: readers never see half a model."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name[:12]}-", dir=folder.parent))
    try:
        torch.save(model.state_dict(), tmp / "model.pt")
        if checkpoints is not None:
            torch.save(checkpoints, tmp / "checkpoints.pt")
        history.save(tmp / "history.npz")
        info = {"config": config.to_dict(), "train_seconds": seconds, "device": device.type, "torch": torch.__version__}
        (tmp / "info.json").write_text(json.dumps(info, indent=2))
        (tmp / "done").touch()
        os.replace(tmp, folder)
    except OSError:
        # Another build stored the same model first (the target exists and is not empty).
        shutil.rmtree(tmp, ignore_errors=True)
        if not (folder / "done").exists():
            raise
    return folder


def _load(folder: Path, config: TrainConfig, key: str) -> TrainedModel:
    model = build_model(config.arch, **config.arch_kwargs)
    model.load_state_dict(torch.load(folder / "model.pt", map_location="cpu", weights_only=True))
    info = json.loads((folder / "info.json").read_text())
    history = History.load(folder / "history.npz")
    checkpoints = None
    if config.checkpoints:
        checkpoints = torch.load(folder / "checkpoints.pt", map_location="cpu", weights_only=True)
    return TrainedModel(
        model.eval(), history, config, key, folder, True, info["train_seconds"], info["device"], *_unpack(checkpoints)
    )


# -- training --------------------------------------------------------------------------
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


def _fit(config: TrainConfig, device: torch.device) -> tuple[nn.Module, History, dict | None]:
    split = {"val_size": config.val_size, "test_size": config.test_size}
    X_train, y_train = mnist_tensors("train", n=config.n_train, seed=config.seed, **split)
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


class _Recorder:
    """Collects weights, gradients and activations of one model while it trains.

    Activations are recorded by :class:`~mlviz.attribution.ActivationsAndGradients`,
    whose hooks exist only during the probe's forward pass of each :meth:`snapshot`.
    """

    def __init__(self, model: nn.Module, probe, seed: int):
        self.model = model
        self.probe = probe
        self.rng = np.random.default_rng(seed)
        self.layers = {name: m for name, m in model.named_modules() if isinstance(m, _PARAM_TYPES)}
        self.acts = {name: m for name, m in model.named_modules() if isinstance(m, _ACTIVATION_TYPES)}
        self.step_loss: list[float] = []
        self.grad_norm = {name: [] for name in self.layers}
        self.grad_abs_mean = {name: [] for name in self.layers}
        self.weights = {name: [] for name in self.layers}
        self.biases = {name: [] for name in self.layers if self.layers[name].bias is not None}
        self.grads = {name: [] for name in self.layers}
        self.act_values = {name: [] for name in self.acts}
        self.act_stats = {name: {"mean": [], "std": [], "dead": [], "zero": []} for name in self.acts}
        self._sample_index: dict[str, np.ndarray] = {}

    def record_step(self, loss: torch.Tensor) -> None:
        self.step_loss.append(loss.item())
        for name, layer in self.layers.items():
            g = layer.weight.grad
            self.grad_norm[name].append(g.norm().item())
            self.grad_abs_mean[name].append(g.abs().mean().item())

    def snapshot(self) -> None:
        """Record weights, probe gradients and probe activations at this moment."""
        model = self.model
        was_training = model.training
        model.eval()
        for name, layer in self.layers.items():
            self.weights[name].append(layer.weight.detach().cpu().numpy().ravel().copy())
            if name in self.biases:
                self.biases[name].append(layer.bias.detach().cpu().numpy().ravel().copy())
        # Gradient of the probe loss (no optimizer step): comparable from epoch to epoch.
        model.zero_grad(set_to_none=True)
        outputs: dict[str, torch.Tensor] = {}
        if self.acts:  # a vision transformer has no activation modules of these types
            with ActivationsAndGradients(model, list(self.acts), gradients=False) as recorder:
                logits = recorder(self.probe[0])
            outputs = dict(zip(recorder.names, recorder.activations))
        else:
            logits = model(self.probe[0])
        F.cross_entropy(logits, self.probe[1]).backward()
        for name, layer in self.layers.items():
            self.grads[name].append(layer.weight.grad.detach().cpu().numpy().ravel().copy())
        model.zero_grad(set_to_none=True)
        for name, out in outputs.items():
            units = out.transpose(0, 1).reshape(out.shape[1], -1)  # one row per channel / neuron
            stats = self.act_stats[name]
            stats["mean"].append(out.mean().item())
            stats["std"].append(out.std().item())
            stats["dead"].append((units.max(dim=1).values <= 0).float().mean().item())
            stats["zero"].append((out <= 0).float().mean().item())
            flat = out.reshape(-1)
            if name not in self._sample_index:
                size = min(_MAX_HIST_VALUES, flat.numel())
                self._sample_index[name] = np.sort(self.rng.choice(flat.numel(), size=size, replace=False))
            index = torch.from_numpy(self._sample_index[name]).to(flat.device)
            self.act_values[name].append(flat[index].cpu().numpy())
        model.train(was_training)

    def history(self, *, n_bins: int, **curves) -> History:
        weight_hist, weight_edges = _histograms(self.weights, n_bins)
        bias_hist, bias_edges = _histograms(self.biases, n_bins)
        grad_hist, grad_edges = _histograms(self.grads, n_bins)
        act_hist, act_edges = _histograms(self.act_values, n_bins)

        def per_epoch(snapshots, fn):
            return {name: np.array([fn(s) for s in values]) for name, values in snapshots.items()}

        return History(
            step_loss=np.asarray(self.step_loss),
            layers=tuple(self.layers),
            weight_mean=per_epoch(self.weights, np.mean),
            weight_std=per_epoch(self.weights, np.std),
            weight_hist=weight_hist,
            weight_edges=weight_edges,
            bias_mean=per_epoch(self.biases, np.mean),
            bias_std=per_epoch(self.biases, np.std),
            bias_hist=bias_hist,
            bias_edges=bias_edges,
            grad_norm={k: np.asarray(v) for k, v in self.grad_norm.items()},
            grad_abs_mean={k: np.asarray(v) for k, v in self.grad_abs_mean.items()},
            grad_hist=grad_hist,
            grad_edges=grad_edges,
            act_layers=tuple(self.acts),
            act_mean={k: np.asarray(v["mean"]) for k, v in self.act_stats.items()},
            act_std={k: np.asarray(v["std"]) for k, v in self.act_stats.items()},
            act_dead={k: np.asarray(v["dead"]) for k, v in self.act_stats.items()},
            act_zero={k: np.asarray(v["zero"]) for k, v in self.act_stats.items()},
            act_hist=act_hist,
            act_edges=act_edges,
            **curves,
        )


def _histograms(snapshots: dict[str, list[np.ndarray]], n_bins: int):
    """Histogram every snapshot of a layer in one set of bins spanning all of them."""
    hists, edges = {}, {}
    for name, values in snapshots.items():
        finite = [v[np.isfinite(v)] for v in values]
        nonempty = [v for v in finite if v.size]
        lo = min((v.min() for v in nonempty), default=-1.0)
        hi = max((v.max() for v in nonempty), default=1.0)
        if hi <= lo:  # all values equal (e.g. biases initialized to zero and never trained)
            lo, hi = lo - 0.5, hi + 0.5
        edges[name] = np.linspace(lo, hi, n_bins + 1)
        hists[name] = np.stack([np.histogram(v, bins=edges[name])[0] for v in finite]).astype(np.int64)
    return hists, edges


# -- using a trained model -------------------------------------------------------------
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


#: The shared MNIST CNN of the full build: 6,000 training images, six epochs of Adam
#: (about 98 % on the 2,000 test images; the pages measure and state it).
MNIST_CNN_CONFIG = TrainConfig(
    arch="mnist_cnn", arch_kwargs={"channels": (16, 32), "hidden": 64}, epochs=6, lr=2e-3, batch_size=32
)
#: Its quick-mode variant: a subset and two epochs.
MNIST_CNN_QUICK_CONFIG = MNIST_CNN_CONFIG.replace(epochs=2, n_train=1500, n_val=500)


def mnist_cnn_config() -> TrainConfig:
    """Return the shared CNN's configuration for this build (full, or quick under ``MLVIZ_QUICK=1``)."""
    return MNIST_CNN_QUICK_CONFIG if is_quick() else MNIST_CNN_CONFIG


def load_mnist_cnn() -> TrainedModel:
    """Return the gallery's shared MNIST CNN, trained once per configuration and cached.

    Examples
    --------
    >>> cnn = load_mnist_cnn()            # doctest: +SKIP
    >>> cnn.model, cnn.history.val_acc    # doctest: +SKIP
    """
    return train(mnist_cnn_config())


#: The gallery's small vision transformer: 7x7 patches (16 tokens + a class token),
#: width 64, three blocks of four heads, eight epochs of Adam on the 6,000 training images.
MNIST_VIT_CONFIG = TrainConfig(
    arch="vit", arch_kwargs={"patch": 7, "dim": 64, "depth": 3, "heads": 4}, epochs=8, lr=3e-3, batch_size=64
)
#: Its quick-mode variant: a subset and three epochs.
MNIST_VIT_QUICK_CONFIG = MNIST_VIT_CONFIG.replace(epochs=3, n_train=2000, n_val=500)


def mnist_vit_config() -> TrainConfig:
    """Return the shared vision transformer's configuration (full, or quick under ``MLVIZ_QUICK=1``)."""
    return MNIST_VIT_QUICK_CONFIG if is_quick() else MNIST_VIT_CONFIG


def load_mnist_vit() -> TrainedModel:
    """Return the gallery's small MNIST vision transformer, trained once per configuration and cached."""
    return train(mnist_vit_config())
