"""The package's one recorder of layer outputs (and of the gradients flowing into them)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .._torch import one_thread

__all__ = ["ActivationsAndGradients"]


class ActivationsAndGradients:
    """Run a model while keeping the outputs of some layers and, optionally, their gradients.

    One forward hook per target layer stores the layer's output (detached); with
    ``gradients=True`` a tensor hook on that output also stores the gradient that reaches
    it during ``backward``. Call :meth:`release` (or use the object as a context manager)
    to remove the hooks, so that the model is left exactly as it was.

    This is the one hook recorder of :mod:`mlviz`: the class activation maps, the
    training history (:func:`mlviz.models.train`), the attention capture of
    :mod:`mlviz.attention` and the training pages use it.

    Parameters
    ----------
    model : torch.nn.Module
        The network.
    target_layers : sequence of torch.nn.Module or str
        Sub-modules of ``model`` whose outputs are recorded, given as modules
        (``model.relu2``) or as qualified names (``"relu2"``, ``"blocks.0.attn.attend"``).
    gradients : bool
        Also record the gradient of each output (False: forward hooks only; use it when
        the gradients are not needed, e.g. under ``torch.no_grad()`` or while a loss is
        back-propagated for another purpose).

    Attributes
    ----------
    names : list of str
        The qualified names of the target layers, in the order they were given.
    activations : list of Tensor
        One detached output per target layer that ran in the last forward pass, in the
        order of ``names``.
    gradients : list of Tensor
        The gradients of the last ``backward`` with respect to those outputs, in the same
        order.

    Notes
    -----
    A layer keeps only its latest output: a module called twice in one forward pass
    (shared weights) is recorded once, with the second output. A forward pass forgets
    the layer's previous gradient.

    Examples
    --------
    >>> from mlviz.models import MnistCNN
    >>> net = MnistCNN()
    >>> with ActivationsAndGradients(net, ["relu1", net.relu2]) as recorder:
    ...     net_output = recorder(torch.zeros(2, 1, 28, 28))
    ...     net_output[:, 3].sum().backward()
    >>> recorder.names
    ['relu1', 'relu2']
    >>> [tuple(a.shape) for a in recorder.activations]
    [(2, 16, 28, 28), (2, 32, 14, 14)]
    >>> [tuple(g.shape) for g in recorder.gradients]
    [(2, 16, 28, 28), (2, 32, 14, 14)]
    """

    def __init__(self, model: nn.Module, target_layers: Sequence[nn.Module | str], *, gradients: bool = True):
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
        if isinstance(target_layers, (str, nn.Module)):
            raise TypeError(
                f"target_layers must be a list of sub-modules or names; got one {type(target_layers).__name__}"
            )
        target_layers = list(target_layers)
        if not target_layers or not all(isinstance(m, (nn.Module, str)) for m in target_layers):
            raise ValueError(
                f"target_layers must be a non-empty list of sub-modules of model (or their names); got {target_layers!r}"
            )
        named = dict(model.named_modules())
        name_of = {id(m): name for name, m in named.items()}
        self.names: list[str] = []
        modules = []
        for layer in target_layers:
            if isinstance(layer, str):
                if layer not in named:
                    raise ValueError(f"target_layers must name sub-modules of model; {layer!r} is not one")
                self.names.append(layer)
                modules.append(named[layer])
            elif id(layer) in name_of:
                self.names.append(name_of[id(layer)])
                modules.append(layer)
            else:
                raise ValueError(f"target_layers must be sub-modules of model; {layer!r} is not")
        self.model = model
        self.record_gradients = bool(gradients)
        self._activations: dict[str, torch.Tensor] = {}
        self._gradients: dict[str, torch.Tensor] = {}
        self.handles = [m.register_forward_hook(self._hook(name)) for name, m in zip(self.names, modules)]

    def _hook(self, name: str):
        def save(module, inputs, output):
            self._activations[name] = output.detach()
            self._gradients.pop(name, None)
            if self.record_gradients and output.requires_grad:
                output.register_hook(lambda grad: self._gradients.__setitem__(name, grad.detach()))

        return save

    @property
    def activations(self) -> list[torch.Tensor]:
        """The recorded outputs, in the order of :attr:`names`."""
        return [self._activations[name] for name in self.names if name in self._activations]

    @property
    def gradients(self) -> list[torch.Tensor]:
        """The recorded gradients of the outputs, in the order of :attr:`names`."""
        return [self._gradients[name] for name in self.names if name in self._gradients]

    def reset(self) -> None:
        """Forget what was recorded (the hooks stay)."""
        self._activations, self._gradients = {}, {}

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Run ``model(x)`` on one thread, forgetting what the previous call recorded."""
        self.reset()
        with one_thread():
            return self.model(x)

    def release(self) -> None:
        """Remove every hook this object registered (safe to call twice); the records stay."""
        for handle in self.handles:
            handle.remove()
        self.handles = []

    def __enter__(self) -> ActivationsAndGradients:
        return self

    def __exit__(self, *exc) -> None:
        self.release()
