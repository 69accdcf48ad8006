"""What training records: the :class:`History` and the recorder that fills it.

:class:`History` holds the loss/accuracy curves and the per-layer weight, bias, gradient
and activation statistics the training pages draw, and reads/writes itself as plain
arrays (``.npz``) plus JSON metadata. ``_Recorder`` collects those values from a model
while it trains; ``_histograms`` bins every snapshot of a layer in one set of bins.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..attribution import ActivationsAndGradients

__all__ = ["History"]

_ACTIVATION_TYPES = (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.LeakyReLU)
_PARAM_TYPES = (nn.Conv2d, nn.Linear)
_MAX_HIST_VALUES = 20_000  # activation values kept per layer and epoch for the histograms


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
