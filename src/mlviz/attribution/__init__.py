"""Attribution maps for image classifiers, in the style of pytorch-grad-cam.

* :class:`ActivationsAndGradients`: the package's one hook recorder. Forward hooks on
  named layers keep their outputs and (optionally) the gradients flowing back into
  them; :meth:`~ActivationsAndGradients.release` removes the hooks. The CAMs, the
  training history of :mod:`mlviz.models` and :mod:`mlviz.attention` use it.
* :class:`BaseCAM` and its variants :class:`GradCAM`, :class:`GradCAMPlusPlus`,
  :class:`EigenCAM`: class activation maps. A variant only overrides
  :meth:`BaseCAM.get_cam_weights`.
* :func:`saliency`, :func:`smoothgrad`, :func:`integrated_gradients`: gradient
  attributions on the input pixels.
* :class:`ClassifierOutputTarget`, :class:`ClassifierOutputSoftmaxTarget`: what to
  explain, as tiny callables on the model's output.
* :func:`overlay`: draw a heatmap over an image, returning an RGB array (no Axes).
* :func:`occlusion`, :func:`deletion_insertion`: how faithful a map is, by hiding
  what it points at (occlusion sensitivity; deletion and insertion curves).

Everything here computes arrays; nothing draws on an Axes.
"""

from ._cam import BaseCAM, EigenCAM, GradCAM, GradCAMPlusPlus
from ._faithfulness import (
    DeletionInsertionResult,
    OcclusionResult,
    blurred_copy,
    deletion_insertion,
    occlusion,
)
from ._gradients import IntegratedGradientsResult, input_gradients, integrated_gradients, saliency, smoothgrad
from ._hooks import ActivationsAndGradients
from ._maps import AttributionMaps as AttributionMaps, attribution_maps as attribution_maps  # five maps, one batch
from ._overlay import overlay
from ._targets import ClassifierOutputSoftmaxTarget, ClassifierOutputTarget

__all__ = [
    "ActivationsAndGradients",
    "BaseCAM",
    "ClassifierOutputSoftmaxTarget",
    "ClassifierOutputTarget",
    "DeletionInsertionResult",
    "EigenCAM",
    "GradCAM",
    "GradCAMPlusPlus",
    "IntegratedGradientsResult",
    "OcclusionResult",
    "blurred_copy",
    "deletion_insertion",
    "input_gradients",
    "integrated_gradients",
    "occlusion",
    "overlay",
    "saliency",
    "smoothgrad",
]
