"""Forward hooks that record a layer's activations and the gradients into them."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .._torch import one_thread

__all__ = ["ActivationsAndGradients"]


class ActivationsAndGradients:
    """Run a model while keeping the outputs of some layers and their gradients.

    One forward hook per target layer stores the layer's output; a tensor hook on that
    output stores the gradient that reaches it during ``backward``. Call
    :meth:`release` (or use the object as a context manager) to remove the hooks, so
    that the model is left exactly as it was.

    Parameters
    ----------
    model : torch.nn.Module
        The network.
    target_layers : sequence of torch.nn.Module
        Sub-modules of ``model`` whose outputs are recorded, in forward order.

    Attributes
    ----------
    activations : list of Tensor
        One detached output per target layer, from the last call.
    gradients : list of Tensor
        The gradients of the last ``backward`` with respect to those outputs, in the same
        order as ``activations``.

    Examples
    --------
    >>> with ActivationsAndGradients(net, [net.relu2]) as recorder:  # doctest: +SKIP
    ...     net_output = recorder(x)
    ...     net_output[:, 3].sum().backward()
    ...     recorder.activations[0].shape, recorder.gradients[0].shape
    """

    def __init__(self, model: nn.Module, target_layers: Sequence[nn.Module]):
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
        target_layers = list(target_layers)
        if not target_layers or not all(isinstance(m, nn.Module) for m in target_layers):
            raise ValueError(f"target_layers must be a non-empty list of sub-modules of model; got {target_layers!r}")
        owned = {id(m) for m in model.modules()}
        stray = [m for m in target_layers if id(m) not in owned]
        if stray:
            raise ValueError(f"target_layers must be sub-modules of model; {stray!r} is not")
        self.model = model
        self.activations: list[torch.Tensor] = []
        self.gradients: list[torch.Tensor] = []
        self.handles = [layer.register_forward_hook(self._save) for layer in target_layers]

    def _save(self, module, inputs, output):
        self.activations.append(output.detach())
        if output.requires_grad:
            # Gradients arrive in reverse order of the forward pass: prepend them.
            output.register_hook(lambda grad: self.gradients.insert(0, grad.detach()))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Run ``model(x)`` on one thread, forgetting what the previous call recorded."""
        self.activations, self.gradients = [], []
        with one_thread():
            return self.model(x)

    def release(self) -> None:
        """Remove every hook this object registered (safe to call twice)."""
        for handle in self.handles:
            handle.remove()
        self.handles = []

    def __enter__(self) -> ActivationsAndGradients:
        return self

    def __exit__(self, *exc) -> None:
        self.release()
