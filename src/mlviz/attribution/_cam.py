"""Class activation maps: one base class, one override point per variant."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._hooks import ActivationsAndGradients
from ._targets import resolve_targets, target_scores
from .._torch import one_thread

__all__ = ["BaseCAM", "EigenCAM", "GradCAM", "GradCAMPlusPlus"]


class BaseCAM:
    """Weight a layer's feature maps, sum them and keep the positive part.

    ``cam = ReLU(sum_k w_k A_k)`` where ``A_k`` is the k-th feature map of a target layer
    and the weights ``w_k`` come from :meth:`get_cam_weights`, the one method a variant
    overrides (:class:`EigenCAM`, which needs no gradient, overrides
    :meth:`get_cam_image` instead and sets ``uses_gradients = False``). The maps of
    several target layers are upsampled to the input size and averaged.

    Parameters
    ----------
    model : torch.nn.Module
        A classifier taking ``(N, C, H, W)`` images.
    target_layers : sequence of torch.nn.Module
        Layers whose outputs ``(N, K, h, w)`` are weighted (usually the last
        convolution block).

    Notes
    -----
    The object holds hooks on ``model``: call :meth:`release` or use ``with``.
    """

    #: False for a variant that weights the maps without gradients (no backward pass).
    uses_gradients = True

    def __init__(self, model: nn.Module, target_layers: Sequence[nn.Module]):
        self.model = model.eval()
        self.target_layers = list(target_layers)
        self.recorder = ActivationsAndGradients(model, self.target_layers, gradients=self.uses_gradients)

    def get_cam_weights(self, activations: np.ndarray, grads: np.ndarray) -> np.ndarray:
        """Return the weights ``(N, K)`` of the ``K`` feature maps (override this).

        Parameters
        ----------
        activations, grads : ndarray of shape (N, K, h, w)
            The target layer's output and the gradient of the explained score with
            respect to it.
        """
        raise NotImplementedError

    def get_cam_image(self, activations: np.ndarray, grads: np.ndarray) -> np.ndarray:
        """Return ``ReLU(sum_k w_k A_k)``, shape ``(N, h, w)``, at the layer's resolution."""
        weights = self.get_cam_weights(activations, grads)
        cam = np.einsum("nk,nkhw->nhw", weights, activations)
        return np.maximum(cam, 0.0)

    def layer_cams(self, input_tensor: torch.Tensor, targets=None) -> list[np.ndarray]:
        """Return one raw map ``(N, h, w)`` per target layer (no upsampling, no scaling).

        Parameters
        ----------
        input_tensor : Tensor of shape (N, C, H, W)
        targets : None, callable or list
            None explains the predicted class of each image; a callable (e.g.
            ``ClassifierOutputTarget(3)``) is used for every image; a list gives one
            target (callable or class index) per image. A variant with
            ``uses_gradients = False`` explains no class and takes None only.
        """
        if not isinstance(input_tensor, torch.Tensor) or input_tensor.ndim != 4:
            raise ValueError(f"input_tensor must be a 4-D tensor (N, C, H, W); got {getattr(input_tensor, 'shape', type(input_tensor))}")
        if not self.uses_gradients:
            if targets is not None:
                raise ValueError(f"{type(self).__name__} explains no class: targets must be None; got {targets!r}")
            with torch.no_grad():
                self.recorder(input_tensor)
            self.targets_ = None
            return [self.get_cam_image(a.cpu().numpy().astype(np.float64), None) for a in self.recorder.activations]
        with one_thread():
            x = input_tensor.detach().clone().requires_grad_(True)
            output = self.recorder(x)
            self.targets_ = resolve_targets(targets, output.detach())
            self.model.zero_grad()
            target_scores(self.targets_, output).sum().backward()
        return [
            self.get_cam_image(a.cpu().numpy().astype(np.float64), g.cpu().numpy().astype(np.float64))
            for a, g in zip(self.recorder.activations, self.recorder.gradients)
        ]

    def __call__(self, input_tensor: torch.Tensor, targets=None) -> np.ndarray:
        """Return the maps upsampled to the input size, each scaled to [0, 1]: ``(N, H, W)``."""
        size = tuple(input_tensor.shape[-2:])
        cams = [
            F.interpolate(torch.from_numpy(c)[:, None], size=size, mode="bilinear", align_corners=False)[:, 0].numpy()
            for c in self.layer_cams(input_tensor, targets)
        ]
        return scale_01(np.mean(cams, axis=0))

    def release(self) -> None:
        """Remove the hooks from the model."""
        self.recorder.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def scale_01(maps: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Scale each map of ``maps`` ``(N, ...)`` to [0, 1] by its own min and max."""
    flat = maps.reshape(len(maps), -1)
    lo, hi = flat.min(axis=1, keepdims=True), flat.max(axis=1, keepdims=True)
    return ((flat - lo) / np.maximum(hi - lo, eps)).reshape(maps.shape)


class GradCAM(BaseCAM):
    """Grad-CAM (Selvaraju et al., 2017): weight each map by its average gradient."""

    def get_cam_weights(self, activations, grads):
        return grads.mean(axis=(2, 3))


class GradCAMPlusPlus(BaseCAM):
    """Grad-CAM++ (Chattopadhyay et al., 2018): positive gradients, weighted per pixel.

    Each pixel's positive gradient gets a coefficient ``alpha`` derived from second and
    third powers of the gradient, so that several small regions of evidence count as
    much as one large one.
    """

    def get_cam_weights(self, activations, grads):
        g2, g3 = grads**2, grads**3
        sum_a = activations.sum(axis=(2, 3), keepdims=True)
        alpha = g2 / (2 * g2 + sum_a * g3 + 1e-7)
        alpha = np.where(grads != 0, alpha, 0.0)
        return (np.maximum(grads, 0) * alpha).sum(axis=(2, 3))


class EigenCAM(BaseCAM):
    """Eigen-CAM (Muhammad and Yeasin, 2020): the activations projected on their first singular direction.

    The ``h * w`` positions of a layer's output are ``h * w`` vectors of ``K``
    activations. The map is their projection ``A v`` on the first right singular vector
    ``v`` of that ``(h*w, K)`` matrix, kept where positive. No class and no gradient
    enter it (``targets`` must be None).

    Parameters
    ----------
    model, target_layers
        As for :class:`BaseCAM`.
    center : bool, default False
        False follows the paper's equations (the SVD of the layer's output as it is,
        ``O = U S V^T``, map ``O V_1``). Its first direction is then pulled towards
        the positions' mean feature vector (on the last block of an image network,
        nearly equal to it), so the map says how strongly each position carries the
        features the whole image shares. True subtracts each map's mean
        over the positions first (what pytorch-grad-cam's ``EigenCAM`` does): ``v`` is
        then the first principal component, the main *contrast* between positions, and
        the projections sum to zero, so the final ReLU keeps one side of it.

    Notes
    -----
    A singular vector's sign is arbitrary, and which sign a LAPACK build returns can
    change with the library and the processor (pytorch-grad-cam issue #315). This class
    fixes it: the projection's largest absolute value is made positive, so the map's
    hottest cell is the position that lies furthest along ``v``.

    Examples
    --------
    >>> from mlviz.models import MnistCNN
    >>> net = MnistCNN()
    >>> with EigenCAM(net, [net.relu2]) as cam:
    ...     maps = cam(torch.zeros(2, 1, 28, 28))
    >>> maps.shape
    (2, 28, 28)
    """

    uses_gradients = False

    def __init__(self, model: nn.Module, target_layers: Sequence[nn.Module], *, center: bool = False):
        if not isinstance(center, (bool, np.bool_)):
            raise TypeError(f"center must be True or False; got {center!r}")
        super().__init__(model, target_layers)
        self.center = bool(center)

    def get_cam_image(self, activations: np.ndarray, grads=None) -> np.ndarray:
        """Return the positive part of each image's projection, shape ``(N, h, w)``."""
        n, k, h, w = activations.shape
        positions = activations.reshape(n, k, h * w).transpose(0, 2, 1)  # (N, h*w, K)
        if self.center:
            positions = positions - positions.mean(axis=1, keepdims=True)
        cams = np.empty((n, h * w))
        for i, p in enumerate(positions):
            _, _, vt = np.linalg.svd(p, full_matrices=False)
            projection = p @ vt[0]
            cams[i] = projection * np.sign(projection[np.argmax(np.abs(projection))])
        return np.maximum(cams, 0.0).reshape(n, h, w)
