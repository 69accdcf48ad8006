"""Feature visualization plumbing: image parametrizations, random transforms, the loop.

Olah, Mordvintsev and Schubert, "Feature Visualization", Distill 2017, synthesize an
input that maximizes a unit of a trained network by gradient ascent, and show that two
things turn high-frequency noise into readable pictures:

* **transformation robustness**: every step sees the image randomly shifted, scaled
  and rotated (:func:`random_transform`, :func:`affine_transform`);
* **a decorrelated parametrization**: optimize the image's Fourier coefficients,
  scaled by ``1/f``, and its colours in a decorrelated basis (:class:`FourierImage`),
  as the reference implementation ``lucid`` does; :class:`PixelImage` is the naive
  one-parameter-per-pixel alternative.

:func:`optimize_input` runs the loop on a batch, keeps snapshots along the way and,
when asked, caches the result on disk (the method needs hundreds of steps at 224
pixels, minutes per image on a CPU); :func:`truncated_forward` stops the
network at the layer of interest (the rest of the forward pass is wasted work);
:func:`high_frequency_share` measures how much of an image's spectral power lies at
high spatial frequencies. The gallery page I7 writes each of these out once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..config import written_atomically

__all__ = [
    "CACHE_VERSION",
    "IMAGENET_COLOUR_SQRT",
    "Ascent",
    "FourierImage",
    "PixelImage",
    "affine_transform",
    "high_frequency_share",
    "optimize_input",
    "random_transform",
    "spectrum_scale",
    "truncated_forward",
]

#: Square root of the colour correlation of ImageNet's pixels, as published by lucid
#: (``lucid/optvis/param/color.py``): column k is the RGB colour of decorrelated
#: channel k. Its first column is a grey axis (brightness), the other two colour
#: contrasts.
IMAGENET_COLOUR_SQRT = np.array(
    [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]]
)


#: Bumped whenever what :func:`optimize_input` computes or stores changes, so that old
#: cache entries are not read.
CACHE_VERSION = 1


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def spectrum_scale(size: int, decay: float = 1.0) -> torch.Tensor:
    """Return ``1 / max(f, 1/size) ** decay`` on the grid of ``torch.fft.rfft2``.

    ``f`` is the radial frequency ``sqrt(fy**2 + fx**2)`` in cycles per pixel of a
    ``size x size`` image; the constant term gets the weight of the lowest non-zero
    frequency instead of infinity.

    Parameters
    ----------
    size : int
        Side of the square image.
    decay : float, default=1.0
        Power of the decay; 0 gives equal weights (a white spectrum).

    Returns
    -------
    Tensor of shape (size, size // 2 + 1), float32
    """
    size = _check_positive_int("size", size)
    if not np.isfinite(decay) or decay < 0:
        raise ValueError(f"decay must be a finite number >= 0; got {decay!r}")
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    f = np.sqrt(fy**2 + fx**2)
    return torch.from_numpy(1.0 / np.maximum(f, 1.0 / size) ** decay).float()


class PixelImage(nn.Module):
    """The naive parametrization: one free number per pixel and colour, then a sigmoid.

    ``image = sigmoid(p)`` keeps every value in (0, 1) without clipping.

    Parameters
    ----------
    n : int
        Number of images.
    size : int
        Side of each square image in pixels.
    sd : float, default=0.01
        Standard deviation of the random start (a nearly uniform grey).
    seed : int, default=0
        Seed of the start.

    Examples
    --------
    >>> tuple(PixelImage(2, 16)().shape)
    (2, 3, 16, 16)
    """

    def __init__(self, n: int, size: int, *, sd: float = 0.01, seed: int = 0):
        super().__init__()
        n, size = _check_positive_int("n", n), _check_positive_int("size", size)
        if not sd >= 0:
            raise ValueError(f"sd must be >= 0; got {sd!r}")
        gen = torch.Generator().manual_seed(seed)
        self.pixels = nn.Parameter(sd * torch.randn((n, 3, size, size), generator=gen))

    def forward(self) -> torch.Tensor:
        """Return the images, ``(n, 3, size, size)`` in (0, 1)."""
        return torch.sigmoid(self.pixels)


class FourierImage(nn.Module):
    """Images parametrized by their 1/f-scaled spectrum in decorrelated colours.

    As in lucid's ``fft_image`` and ``to_valid_rgb``::

        c     = irfft2(scale * (a + i b), norm="ortho") / 4   # 3 channels, (size, size)
        image = sigmoid(M @ c)                                 # colour at every pixel

    with ``scale = 1 / max(f, 1/size) ** decay`` (:func:`spectrum_scale`) and ``M`` the
    colour matrix scaled so that its largest column norm is 1. An equal step on every
    Fourier coefficient changes low frequencies much more than high ones, so gradient
    ascent builds large structures first; ``M`` makes a step in the first channel a
    change of brightness and in the other two a change of hue.

    Parameters
    ----------
    n : int
        Number of images.
    size : int
        Side of each square image in pixels.
    decay : float, default=1.0
        Power of the 1/f scaling (0: no scaling).
    colour : array-like of shape (3, 3) or None, default=IMAGENET_COLOUR_SQRT
        Columns are the RGB colours of the three channels; ``None`` uses RGB itself.
    sd : float, default=0.01
        Standard deviation of the random start of the coefficients.
    seed : int, default=0
        Seed of the start.

    Attributes
    ----------
    spectrum : Parameter of shape (n, 3, size, size // 2 + 1, 2)
        Real and imaginary parts of the unscaled coefficients.
    scale : Tensor of shape (size, size // 2 + 1)
    colour : Tensor of shape (3, 3)
        The normalized matrix ``M``.
    """

    def __init__(
        self,
        n: int,
        size: int,
        *,
        decay: float = 1.0,
        colour=IMAGENET_COLOUR_SQRT,
        sd: float = 0.01,
        seed: int = 0,
    ):
        super().__init__()
        n, size = _check_positive_int("n", n), _check_positive_int("size", size)
        if not sd >= 0:
            raise ValueError(f"sd must be >= 0; got {sd!r}")
        matrix = np.eye(3) if colour is None else np.asarray(colour, dtype=np.float64)
        if matrix.shape != (3, 3) or not np.isfinite(matrix).all():
            raise ValueError(
                "colour must be a finite (3, 3) matrix or None; "
                f"got shape {matrix.shape}"
            )
        if np.linalg.matrix_rank(matrix) < 3:
            raise ValueError("colour must be invertible; got a singular matrix")
        self.size = size
        gen = torch.Generator().manual_seed(seed)
        shape = (n, 3, size, size // 2 + 1, 2)
        self.spectrum = nn.Parameter(sd * torch.randn(shape, generator=gen))
        self.register_buffer("scale", spectrum_scale(size, decay))
        norm = np.linalg.norm(matrix, axis=0).max()
        self.register_buffer("colour", torch.from_numpy(matrix / norm).float())

    def channels(self) -> torch.Tensor:
        """Return the decorrelated channels, before the colour matrix: (n, 3, s, s)."""
        coefficients = torch.view_as_complex(self.spectrum) * self.scale
        return (
            torch.fft.irfft2(coefficients, s=(self.size, self.size), norm="ortho") / 4
        )

    def forward(self) -> torch.Tensor:
        """Return the images, ``(n, 3, size, size)`` in (0, 1)."""
        return torch.sigmoid(
            torch.einsum("ck,nkhw->nchw", self.colour, self.channels())
        )


def affine_transform(
    x: torch.Tensor, scale, angle, shift, *, fill: float = 0.5
) -> torch.Tensor:
    """Scale, rotate and shift each image about its centre; fill what is uncovered.

    For square images, the output pixel at offset ``p`` from the centre (in pixels,
    (row, column)) reads the input at offset ``R(angle)^T p / scale - shift``,
    bilinearly: the content is shifted by ``shift`` pixels, then enlarged by
    ``scale`` and turned by ``angle`` degrees (clockwise as displayed) about the
    centre. (Non-square images are handled in coordinates from -1 to 1 along each
    axis, so a rotation also stretches them.)

    Parameters
    ----------
    x : Tensor of shape (N, C, H, W)
    scale, angle : array-like of shape (N,)
        Zoom factors (> 0) and angles in degrees.
    shift : array-like of shape (N, 2)
        Shifts in pixels, (down, right).
    fill : float, default=0.5
        Value of the pixels that come from outside the input (mid-grey).

    Returns
    -------
    Tensor of shape (N, C, H, W)
    """
    if not isinstance(x, torch.Tensor) or x.ndim != 4:
        raise ValueError(
            f"x must be an (N, C, H, W) tensor; got {getattr(x, 'shape', x)!r}"
        )
    n, _, h, w = x.shape
    scale = torch.as_tensor(scale, dtype=x.dtype).reshape(-1)
    angle = torch.as_tensor(angle, dtype=x.dtype).reshape(-1)
    shift = torch.as_tensor(shift, dtype=x.dtype).reshape(-1, 2)
    for name, value in (("scale", scale), ("angle", angle), ("shift", shift)):
        if len(value) != n:
            raise ValueError(
                f"{name} must have one entry per image ({n}); got {len(value)}"
            )
    if not (scale > 0).all():
        raise ValueError(f"scale must be > 0; got {scale.tolist()}")
    theta = torch.deg2rad(angle)
    cos, sin = torch.cos(theta) / scale, torch.sin(theta) / scale
    # affine_grid maps output to input coordinates, each axis from -1 to 1
    ty, tx = -2 * shift[:, 0] / h, -2 * shift[:, 1] / w
    matrix = torch.stack(
        [torch.stack([cos, sin, tx], 1), torch.stack([-sin, cos, ty], 1)], 1
    )
    grid = F.affine_grid(matrix, list(x.shape), align_corners=False)
    moved = F.grid_sample(x - fill, grid, mode="bilinear", align_corners=False)
    return moved + fill


def random_transform(
    x: torch.Tensor,
    generator: torch.Generator,
    *,
    shift: float = 8,
    scale: tuple[float, float] = (0.9, 1.1),
    angle: float = 10,
    fill: float = 0.5,
) -> torch.Tensor:
    """Apply :func:`affine_transform` with parameters drawn independently per image.

    The draws, in this order: zoom uniform in ``scale``, angle uniform in
    ``[-angle, angle]`` degrees, shift uniform in ``[-shift, shift]`` pixels along
    each axis (down, right).

    Parameters
    ----------
    x : Tensor of shape (N, C, H, W)
    generator : torch.Generator
        Source of the draws (the transform is reproducible from its state).
    shift : float, default=8
    scale : (float, float), default=(0.9, 1.1)
    angle : float, default=10
    fill : float, default=0.5

    Returns
    -------
    Tensor of shape (N, C, H, W)
    """
    if not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator; got {type(generator).__name__}"
        )
    low, high = scale
    if not 0 < low <= high:
        raise ValueError(
            f"scale must be (low, high) with 0 < low <= high; got {scale!r}"
        )
    if shift < 0 or angle < 0:
        raise ValueError(
            f"shift and angle must be >= 0; got shift={shift!r}, angle={angle!r}"
        )
    n = len(x)
    zoom = low + (high - low) * torch.rand(n, generator=generator)
    turn = angle * (2 * torch.rand(n, generator=generator) - 1)
    move = shift * (2 * torch.rand((n, 2), generator=generator) - 1)
    return affine_transform(x, zoom, turn, move, fill=fill)


class _Stop(Exception):
    """Raised by the hook of :func:`truncated_forward` once the layer has run."""


def truncated_forward(
    model: nn.Module, layer: nn.Module, x: torch.Tensor
) -> torch.Tensor:
    """Run ``model(x)`` only until ``layer`` has run; return the layer's output.

    A forward hook keeps the output and interrupts the forward pass: the layers after
    it are never computed (for an early block, most of the network). Gradients flow
    from the returned tensor to ``x`` as usual.

    Parameters
    ----------
    model : torch.nn.Module
    layer : torch.nn.Module
        A submodule of ``model`` that runs once per forward pass.
    x : Tensor
        The model's input.

    Returns
    -------
    Tensor
        The output of ``layer``.
    """
    if not any(module is layer for module in model.modules()):
        raise ValueError("layer must be a submodule of model")
    kept = {}

    def stop(module, inputs, output):
        kept["out"] = output
        raise _Stop

    handle = layer.register_forward_hook(stop)
    try:
        model(x)
    except _Stop:
        pass
    finally:
        handle.remove()
    if "out" not in kept:
        raise RuntimeError("layer did not run during model(x)")
    return kept["out"]


@dataclass(frozen=True)
class Ascent:
    """What :func:`optimize_input` returns.

    Attributes
    ----------
    images : ndarray of shape (N, H, W, 3), float32 in [0, 1]
        The final images, untransformed.
    trace : ndarray of shape (n_steps, N)
        The score of each (transformed) image at each step, before the step's update.
    snapshots : dict of int to ndarray of shape (N, H, W, 3)
        The images after each requested number of steps.
    seconds : float
        How long the ascent took when it was computed (also when read from the cache).
    from_cache : bool
        Whether the result was read from the on-disk cache.
    """

    images: np.ndarray
    trace: np.ndarray
    snapshots: dict = field(default_factory=dict)
    seconds: float = 0.0
    from_cache: bool = False


def optimize_input(
    score: Callable[[torch.Tensor], torch.Tensor],
    images: nn.Module | Sequence[nn.Module],
    *,
    n_steps: int,
    lr: float = 0.05,
    transform: Callable | None | Sequence[Callable | None] = None,
    seed: int = 0,
    snapshots: Sequence[int] = (),
    cache: Mapping | None = None,
) -> Ascent:
    """Maximize ``score`` over the parameters of one or more image parametrizations.

    Each step renders every parametrization, applies its transform (``None``: none),
    concatenates them into one batch, and takes an Adam step that raises
    ``score(batch).sum()``: image ``i`` climbs its own score ``i`` (each score must
    depend on its own image only, as it does for a network in evaluation mode).

    Parameters
    ----------
    score : callable
        ``(N, 3, H, W)`` images in [0, 1] -> ``(N,)`` scores, e.g. a class logit.
    images : module or sequence of modules
        Parametrizations (:class:`PixelImage`, :class:`FourierImage`) whose
        ``forward()`` returns ``(n_i, 3, H, W)`` in [0, 1]; ``N = sum(n_i)``.
    n_steps : int
    lr : float, default=0.05
        Adam's learning rate.
    transform : callable, None or sequence of them, default=None
        ``transform(x, generator)``, e.g. :func:`random_transform`; one for all
        parametrizations or one per parametrization.
    seed : int, default=0
        Seed of the transforms' generator.
    snapshots : sequence of int, default=()
        Step counts (1 to ``n_steps``) after which to keep a copy of the images.
    cache : mapping or None, default=None
        A JSON-serializable description of ``score`` (the model, the hash of its
        weights, the objective and its targets), to keep the result on disk under
        ``cache_dir("featurevis")``. The key is a SHA-256 of this description, the
        class and the current parameter and buffer values of every parametrization,
        each transform's name and keyword arguments, ``n_steps``, ``lr``, ``seed``,
        ``snapshots``, the torch version, the device type and :data:`CACHE_VERSION`;
        an ascent is computed once per key and read back afterwards, parameters
        included. The description is the caller's promise: a changed ``score`` with
        an unchanged description reads a stale entry. ``None``: always compute.

    Returns
    -------
    Ascent
        ``images``, ``trace``, ``snapshots``, ``seconds``, ``from_cache``.
    """
    n_steps = _check_positive_int("n_steps", n_steps)
    if not lr > 0:
        raise ValueError(f"lr must be > 0; got {lr!r}")
    parts = [images] if isinstance(images, nn.Module) else list(images)
    if not parts or not all(isinstance(p, nn.Module) for p in parts):
        raise TypeError("images must be a parametrization module or a sequence of them")
    if transform is None or callable(transform):
        transforms = [transform] * len(parts)
    else:
        transforms = list(transform)
        if len(transforms) != len(parts):
            raise ValueError(
                f"transform must be one callable or one per parametrization "
                f"({len(parts)}); got {len(transforms)}"
            )
    keep = sorted({_check_positive_int("snapshots", k) for k in snapshots})
    if keep and keep[-1] > n_steps:
        raise ValueError(
            f"snapshots must be steps from 1 to n_steps={n_steps}; got {keep}"
        )
    path = None
    if cache is not None:
        key = _cache_key(cache, parts, transforms, n_steps, lr, seed, keep)
        from ..config import cache_dir

        path = cache_dir("featurevis") / f"{key}.npz"
        if path.exists():
            return _read_entry(path, parts)
    start = time.perf_counter()
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam([q for p in parts for q in p.parameters()], lr=lr)
    trace, kept = [], {}
    for step in range(1, n_steps + 1):
        optimizer.zero_grad()
        batch = torch.cat(
            [p() if t is None else t(p(), gen) for p, t in zip(parts, transforms)]
        )
        scores = score(batch)
        if scores.shape != (len(batch),):
            raise ValueError(
                f"score must return one value per image, shape ({len(batch)},); "
                f"got {tuple(scores.shape)}"
            )
        (-scores.sum()).backward()
        optimizer.step()
        trace.append(scores.detach().numpy().copy())
        if step in keep:
            kept[step] = _render(parts)
    result = Ascent(
        images=kept[n_steps] if n_steps in kept else _render(parts),
        trace=np.array(trace),
        snapshots=kept,
        seconds=time.perf_counter() - start,
    )
    if path is not None:
        _write_entry(path, result, parts, cache)
    return result


def _render(parts) -> np.ndarray:
    with torch.no_grad():
        return torch.cat([p() for p in parts]).permute(0, 2, 3, 1).numpy().copy()


def _describe_transform(transform) -> dict | None:
    """Name and keyword arguments of a transform, for the cache key."""
    if transform is None:
        return None
    func, keywords = transform, {}
    if isinstance(transform, functools.partial):
        if transform.args:
            raise TypeError(
                "a cached transform must be a function or a functools.partial with "
                f"keyword arguments only; got positional arguments {transform.args!r}"
            )
        func, keywords = transform.func, transform.keywords
    name = f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', '?')}"
    if "<" in name:  # a lambda or a closure: nothing names what it does
        raise TypeError(
            "a cached transform must be a module-level function (or a partial of one); "
            f"got {name}"
        )
    return {"function": name, "keywords": keywords}


def _cache_key(cache, parts, transforms, n_steps, lr, seed, keep) -> str:
    if not isinstance(cache, Mapping):
        raise TypeError(
            f"cache must be a mapping describing the score; got {type(cache).__name__}"
        )
    digest = hashlib.sha256()
    for part in parts:  # the start: class, parameters and buffers, bit for bit
        digest.update(f"{type(part).__module__}.{type(part).__qualname__}".encode())
        for name, tensor in part.state_dict().items():
            t = tensor.detach().cpu().contiguous()
            digest.update(f"{name}{t.dtype}{tuple(t.shape)}".encode())
            digest.update(t.numpy().tobytes())
    payload = {
        "score": cache,
        "parametrizations": digest.hexdigest(),
        "transforms": [_describe_transform(t) for t in transforms],
        "n_steps": n_steps,
        "lr": lr,
        "seed": seed,
        "snapshots": keep,
        "torch": torch.__version__,
        "device": next(parts[0].parameters()).device.type,
        "version": CACHE_VERSION,
    }
    try:
        text = json.dumps(payload, sort_keys=True)
    except TypeError as error:
        raise TypeError(f"cache must be JSON-serializable: {error}") from None
    return hashlib.sha256(text.encode()).hexdigest()


def _write_entry(path, result: Ascent, parts, cache) -> None:
    """Write into a temporary sibling file, then rename it: readers never see half."""
    arrays = {"images": result.images, "trace": result.trace}
    arrays.update({f"snapshot_{k}": v for k, v in result.snapshots.items()})
    for i, part in enumerate(parts):
        for name, value in part.named_parameters():
            arrays[f"param_{i}_{name}"] = value.detach().cpu().numpy()
    arrays["seconds"] = np.array(result.seconds)
    info = {"score": cache, "torch": torch.__version__, "seconds": result.seconds}
    arrays["info"] = np.array(json.dumps(info))
    with written_atomically(path) as file:
        np.savez(file, **arrays)


def _read_entry(path, parts) -> Ascent:
    with np.load(path, allow_pickle=False) as entry:
        with torch.no_grad():  # the parametrizations end where the cached ascent ended
            for i, part in enumerate(parts):
                for name, value in part.named_parameters():
                    value.copy_(torch.from_numpy(entry[f"param_{i}_{name}"]))
        snapshots = {
            int(name.removeprefix("snapshot_")): entry[name]
            for name in entry.files
            if name.startswith("snapshot_")
        }
        return Ascent(
            images=entry["images"],
            trace=entry["trace"],
            snapshots=dict(sorted(snapshots.items())),
            seconds=float(entry["seconds"]),
            from_cache=True,
        )


def high_frequency_share(images, cutoff: float = 0.25) -> np.ndarray:
    """Share of each image's spectral power at radial frequencies above ``cutoff``.

    Per colour channel, the mean is removed and the 2-D discrete Fourier transform
    taken; the power ``|F|^2`` above ``cutoff`` cycles per pixel (radially, up to
    about 0.71 in the corners), summed over the channels, is divided by the total.
    Natural photos keep little power there; pixel noise keeps most of it.

    Parameters
    ----------
    images : array-like of shape (H, W, 3) or (N, H, W, 3)
    cutoff : float, default=0.25
        In cycles per pixel, between 0 and 0.5 (the Nyquist frequency along an axis).

    Returns
    -------
    ndarray of shape (N,)
        NaN for a constant image (it has no power to share).
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 3:
        images = images[None]
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(
            f"images must have shape (H, W, 3) or (N, H, W, 3); got {images.shape}"
        )
    if not 0 < cutoff < 0.5:
        raise ValueError(
            f"cutoff must be between 0 and 0.5 cycles per pixel; got {cutoff!r}"
        )
    h, w = images.shape[1:3]
    centred = images - images.mean(axis=(1, 2), keepdims=True)
    power = (np.abs(np.fft.fft2(centred, axes=(1, 2))) ** 2).sum(axis=-1)
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(h), np.fft.fftfreq(w), indexing="ij"))
    total = power.sum(axis=(1, 2))
    flat = (np.ptp(images, axis=(1, 2)) == 0).all(axis=-1)  # every channel constant
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(flat, np.nan, power[:, f > cutoff].sum(axis=1) / total)
