"""How faithful is an attribution map? Occlusion sensitivity and deletion/insertion curves.

* :func:`occlusion`: slide a patch of a constant value over the image and record how
  much the explained score drops at each position (Zeiler and Fergus, 2014).
* :func:`deletion_insertion`: remove pixels from the photo (deletion) or add them to a
  blurred copy (insertion) in the order a map ranks them, and record the class
  probability after each step (Petsiuk et al., RISE, 2018). The areas under the two
  curves score the map: a low deletion area and a high insertion area mean that the
  pixels the map ranks first are the ones the network needs.

Both compute arrays; nothing draws.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .._torch import one_thread

__all__ = [
    "DeletionInsertionResult",
    "OcclusionResult",
    "blurred_copy",
    "deletion_insertion",
    "occlusion",
]

_SCORES = ("probability", "logit")


# --------------------------------------------------------------------------- checks
def _check_model(model) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")


def _check_image(x) -> torch.Tensor:
    """Return one image as a (1, C, H, W) float tensor; accept (C, H, W) too."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"x must be a torch.Tensor of shape (1, C, H, W) or (C, H, W); got {type(x).__name__}"
        )
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[0] != 1:
        raise ValueError(
            f"x must be one image of shape (1, C, H, W) or (C, H, W); got {tuple(x.shape)}"
        )
    if not torch.is_floating_point(x):
        raise TypeError(f"x must be a floating-point tensor; got dtype {x.dtype}")
    if not torch.isfinite(x).all():
        raise ValueError("x must be finite; it holds NaN or infinite values")
    return x.detach()


def _check_int(name: str, value, *, low: int = 1, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int; got {value!r} ({type(value).__name__})"
        )
    if value < low or (high is not None and value > high):
        bound = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bound}; got {value!r}")
    return int(value)


def _check_score(score) -> str:
    if score not in _SCORES:
        raise ValueError(f"score must be one of {_SCORES}; got {score!r}")
    return score


def _fill(name: str, value, x: torch.Tensor) -> torch.Tensor:
    """A constant or an image broadcast to ``x`` (the value that replaces pixels)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite; got {value!r}")
        return torch.full_like(x, float(value))
    if isinstance(value, torch.Tensor):
        try:
            out = torch.broadcast_to(value.detach().to(x.dtype), x.shape)
        except RuntimeError:
            raise ValueError(
                f"{name} must be a number or a tensor broadcastable to x's shape {tuple(x.shape)}; "
                f"got shape {tuple(value.shape)}"
            ) from None
        if not torch.isfinite(out).all():
            raise ValueError(f"{name} must be finite; it holds NaN or infinite values")
        return out.clone()
    raise TypeError(
        f"{name} must be a number or a torch.Tensor; got {type(value).__name__}"
    )


def _scores(
    model: nn.Module, images: torch.Tensor, target: int, score: str, batch_size: int
) -> np.ndarray:
    """The explained score of ``target`` for each image, in batches, without gradients."""
    out = []
    with torch.no_grad(), one_thread():
        for chunk in torch.split(images, batch_size):
            logits = model(chunk)
            if not 0 <= target < logits.shape[1]:
                raise ValueError(
                    f"target must be a class index in [0, {logits.shape[1]}); got {target!r}"
                )
            values = (
                torch.softmax(logits.double(), dim=1)
                if score == "probability"
                else logits.double()
            )
            out.append(values[:, target])
    return torch.cat(out).numpy()


def _positions(size: int, patch: int, stride: int) -> list[int]:
    """Start of each patch along one axis: every ``stride`` pixels, the last one flush with the edge."""
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    return starts


# -------------------------------------------------------------------------- occlusion
@dataclass(frozen=True)
class OcclusionResult:
    """The drops of the explained score under a sliding patch, and the per-pixel map.

    Attributes
    ----------
    drops : ndarray of shape (n_rows, n_cols)
        ``score(x) - score(x with the patch at (rows[i], cols[j]))``: positive where the
        patch hid evidence for the target.
    map : ndarray of shape (H, W)
        For each pixel, the mean drop of the patches that cover it (0 for a pixel
        that no patch covers, which happens when ``stride > patch``).
    rows, cols : ndarray of int
        The top and left edges of the patches.
    score : float
        The explained score of the intact image.
    patch : int
        The side of the square patch, in pixels.
    """

    drops: np.ndarray
    map: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    score: float
    patch: int


def occlusion(
    model: nn.Module,
    x: torch.Tensor,
    target: int,
    *,
    patch: int,
    stride: int,
    baseline=0.0,
    score: str = "probability",
    batch_size: int = 8,
) -> OcclusionResult:
    """Occlusion sensitivity (Zeiler and Fergus, 2014) of one image.

    A square patch of ``baseline`` values (every channel) slides over the image in steps
    of ``stride``; at each position the explained score is recomputed. The last patch
    of each row and column sits flush with the image's edge, so that no border is
    skipped; with ``stride <= patch`` every pixel is covered.

    Parameters
    ----------
    model : torch.nn.Module
        A classifier returning ``(N, n_classes)`` logits; put it in evaluation mode.
    x : Tensor of shape (1, C, H, W) or (C, H, W)
        The image, in the model's input space.
    target : int
        The class whose score is explained.
    patch : int
        Side of the square patch, in pixels (at most the image's shorter side).
    stride : int
        Step between two patch positions, in pixels.
    baseline : float or Tensor
        What the patch holds: a constant in the model's input space (0.0 is mid-grey
        for inputs in [-1, 1]) or an image broadcastable to ``x`` (e.g. a blurred copy).
    score : {"probability", "logit"}
        The softmax probability of ``target`` or its logit.
    batch_size : int
        Occluded images per forward pass.

    Returns
    -------
    OcclusionResult

    Examples
    --------
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2)).eval()
    >>> result = occlusion(net, torch.ones(1, 1, 4, 4), 0, patch=2, stride=2)
    >>> result.drops.shape, result.map.shape
    ((2, 2), (4, 4))
    """
    _check_model(model)
    x = _check_image(x)
    target = _check_int("target", target, low=0)
    height, width = x.shape[-2:]
    patch = _check_int("patch", patch, high=min(height, width))
    stride = _check_int("stride", stride)
    score = _check_score(score)
    batch_size = _check_int("batch_size", batch_size)
    fill = _fill("baseline", baseline, x)
    rows, cols = _positions(height, patch, stride), _positions(width, patch, stride)
    model.eval()
    base_score = _scores(model, x, target, score, batch_size)[0]
    occluded_scores = []
    corners = [(r, c) for r in rows for c in cols]
    for start in range(0, len(corners), batch_size):
        batch = x.repeat(len(corners[start : start + batch_size]), 1, 1, 1)
        for k, (r, c) in enumerate(corners[start : start + batch_size]):
            batch[k, :, r : r + patch, c : c + patch] = fill[
                0, :, r : r + patch, c : c + patch
            ]
        occluded_scores.append(_scores(model, batch, target, score, batch_size))
    drops = (base_score - np.concatenate(occluded_scores)).reshape(len(rows), len(cols))
    total = np.zeros((height, width))
    count = np.zeros((height, width))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            total[r : r + patch, c : c + patch] += drops[i, j]
            count[r : r + patch, c : c + patch] += 1
    return OcclusionResult(
        drops,
        np.divide(total, count, out=np.zeros_like(total), where=count > 0),
        np.array(rows),
        np.array(cols),
        float(base_score),
        patch,
    )


# ------------------------------------------------------------------ deletion/insertion
def blurred_copy(x: torch.Tensor, sigma: float = 10.0) -> torch.Tensor:
    """A Gaussian blur of each channel of ``x`` (shape ``(N, C, H, W)`` or ``(C, H, W)``).

    The start of the insertion curve: shapes and edges gone, colours kept. The blur is
    ``scipy.ndimage.gaussian_filter`` with ``sigma`` pixels along both image axes
    (reflecting at the border).

    Parameters
    ----------
    x : Tensor
    sigma : float
        Standard deviation of the Gaussian, in pixels (> 0).
    """
    from scipy.ndimage import gaussian_filter

    if not isinstance(x, torch.Tensor) or x.ndim not in (3, 4):
        raise ValueError(
            f"x must be a tensor of shape (N, C, H, W) or (C, H, W); got {getattr(x, 'shape', type(x))}"
        )
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or not sigma > 0:
        raise ValueError(f"sigma must be a positive number of pixels; got {sigma!r}")
    axes = (0,) * (x.ndim - 2) + (float(sigma), float(sigma))
    return torch.from_numpy(gaussian_filter(x.detach().numpy(), sigma=axes)).to(x.dtype)


@dataclass(frozen=True)
class DeletionInsertionResult:
    """The deletion and insertion curves of one map, and their areas.

    Attributes
    ----------
    fractions : ndarray of shape (steps + 1,)
        Share of the pixels removed (deletion) or inserted (insertion), from 0 to 1.
    deletion : ndarray of shape (steps + 1,) or None
        The explained score after removing the first ``fractions[k]`` of the ranked
        pixels: starts at the photo's score, ends at the baseline's. None when only
        the insertion curve was asked for.
    insertion : ndarray of shape (steps + 1,) or None
        The score after putting the first ``fractions[k]`` of the ranked pixels back
        into the blurred start: starts at the blurred image's score, ends at the
        photo's. None when only the deletion curve was asked for.
    order : ndarray of shape (H * W,)
        The flat pixel indices, highest-ranked first.
    """

    fractions: np.ndarray
    deletion: np.ndarray | None
    insertion: np.ndarray | None
    order: np.ndarray

    def _area(self, name: str) -> float:
        curve = getattr(self, name)
        if curve is None:
            raise ValueError(
                f"this result has no {name} curve; call deletion_insertion with "
                f"curves='both' or {name!r}"
            )
        return float(np.trapezoid(curve, self.fractions))

    @property
    def deletion_auc(self) -> float:
        """Area under the deletion curve (trapezoidal rule): lower is better."""
        return self._area("deletion")

    @property
    def insertion_auc(self) -> float:
        """Area under the insertion curve (trapezoidal rule): higher is better."""
        return self._area("insertion")


def deletion_insertion(
    model: nn.Module,
    x: torch.Tensor,
    saliency_map,
    target: int,
    *,
    steps: int = 16,
    baseline=0.0,
    insertion_start: torch.Tensor | None = None,
    blur_sigma: float = 10.0,
    curves: str = "both",
    score: str = "probability",
    batch_size: int = 8,
) -> DeletionInsertionResult:
    """Deletion and insertion curves of an attribution map (Petsiuk et al., 2018).

    The pixels are ranked by the map, highest first (``np.argsort(-map, kind="stable")``:
    ties go in reading order). At step ``k`` of ``steps`` the first
    ``round(k / steps * H * W)`` ranked pixels are

    * replaced by ``baseline`` in every channel (deletion), or
    * copied from ``x`` into ``insertion_start`` (insertion),

    and the explained score is recorded. A faithful map makes the deletion curve fall
    fast (small area) and the insertion curve rise fast (large area).

    Parameters
    ----------
    model : torch.nn.Module
        A classifier returning ``(N, n_classes)`` logits.
    x : Tensor of shape (1, C, H, W) or (C, H, W)
        The image, in the model's input space.
    saliency_map : array-like of shape (H, W)
        Any map; only the order of its values matters. Rank signed maps as they are
        (positive evidence first) or pass their absolute value, as the question needs.
    target : int
        The class whose score is explained.
    steps : int
        Number of equal steps from 0 to all pixels.
    baseline : float or Tensor
        What deleted pixels become (0.0 is mid-grey for inputs in [-1, 1]).
    insertion_start : Tensor, optional
        The image insertion starts from; defaults to ``blurred_copy(x, blur_sigma)``.
    blur_sigma : float
        The blur of the default insertion start, in pixels.
    curves : {"both", "deletion", "insertion"}
        Which curves to compute (one curve costs half the forward passes).
    score : {"probability", "logit"}
        The softmax probability of ``target`` or its logit.
    batch_size : int
        Images per forward pass.

    Returns
    -------
    DeletionInsertionResult
        With ``deletion_auc`` and ``insertion_auc``.
    """
    _check_model(model)
    x = _check_image(x)
    target = _check_int("target", target, low=0)
    steps = _check_int("steps", steps)
    score = _check_score(score)
    batch_size = _check_int("batch_size", batch_size)
    height, width = x.shape[-2:]
    saliency_map = np.asarray(saliency_map)
    if saliency_map.shape != (height, width):
        raise ValueError(
            f"saliency_map must have the image's shape {(height, width)}; got {saliency_map.shape}"
        )
    if (
        not np.issubdtype(saliency_map.dtype, np.number)
        or not np.isfinite(saliency_map).all()
    ):
        raise ValueError(
            f"saliency_map must hold finite numbers; got dtype {saliency_map.dtype}"
        )
    if curves not in ("both", "deletion", "insertion"):
        raise ValueError(
            f"curves must be 'both', 'deletion' or 'insertion'; got {curves!r}"
        )
    deleted = _fill("baseline", baseline, x)
    if insertion_start is None:
        inserted = blurred_copy(x, blur_sigma)
    else:
        inserted = _fill("insertion_start", insertion_start, x)
    order = np.argsort(-saliency_map.ravel(), kind="stable")
    counts = np.rint(np.arange(steps + 1) / steps * height * width).astype(int)
    # one mask per step: True where the pixel has been removed (deletion) or inserted
    rank = np.empty(height * width, dtype=int)
    rank[order] = np.arange(height * width)
    masks = torch.from_numpy(rank[None, :] < counts[:, None]).reshape(
        steps + 1, 1, height, width
    )
    model.eval()
    deletion = insertion = None
    if curves in ("both", "deletion"):
        images = torch.where(masks, deleted, x)
        deletion = _scores(model, images, target, score, batch_size)
    if curves in ("both", "insertion"):
        images = torch.where(masks, x, inserted)
        insertion = _scores(model, images, target, score, batch_size)
    fractions = counts / (height * width)
    return DeletionInsertionResult(fractions, deletion, insertion, order)
