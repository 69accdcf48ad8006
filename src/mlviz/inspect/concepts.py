"""Testing with concept activation vectors (TCAV; Kim et al., ICML 2018).

A *concept* is a set of example images (stripes, dots, ...). At a layer ``l`` of a
network, a linear classifier separates the concept's activations from those of a set
of random images; the unit normal of its boundary, pointing towards the concept, is the
concept activation vector (CAV) ``v``. For an image ``x`` of class ``k``, the
*directional derivative* ``S = grad_h logit_k(h) . v`` at ``h = f_l(x)`` says whether
moving the layer's activation towards the concept raises the class's logit; the TCAV
score is the share of the class's images with ``S > 0``. Because a CAV against one
random set can score anything, Kim et al. repeat it against many random sets and test
the concept's scores against those of random-versus-random CAVs (a two-sided t-test).

This module holds the pieces a page needs: generated textures and random images,
activations and gradients at named layers (forward hooks, cached on disk), CAV fitting
with scikit-learn, scores, the test, and a drawing helper.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..config import cache_dir, written_atomically

__all__ = [
    "CAV",
    "RANDOM_PHOTOS",
    "TEXTURES",
    "activations_and_gradients",
    "bundled_image",
    "directional_derivatives",
    "fit_cav",
    "pink_noise_images",
    "plot_tcav_scores",
    "random_crops",
    "tcav_score",
    "tcav_ttest",
    "texture_images",
]

#: The textures :func:`texture_images` draws.
TEXTURES = ("stripes", "dots", "zigzags")
#: Images shipped inside scikit-image's wheel (no download) that show no cat: the
#: material for random sets (grey ones are repeated in three channels).
RANDOM_PHOTOS = (
    "astronaut",
    "brick",
    "camera",
    "cell",
    "clock",
    "coffee",
    "coins",
    "grass",
    "gravel",
    "hubble_deep_field",
    "immunohistochemistry",
    "moon",
    "page",
    "retina",
    "rocket",
    "text",
)
_BUNDLED = RANDOM_PHOTOS + ("chelsea",)


# -- images --------------------------------------------------------------------------


def bundled_image(name: str) -> np.ndarray:
    """Return one of scikit-image's bundled images as RGB floats in [0, 1].

    Parameters
    ----------
    name : str
        ``"chelsea"`` (the cat) or one of :data:`RANDOM_PHOTOS`.

    Returns
    -------
    ndarray of shape (H, W, 3), float32
        At the image's own size; a grey image is repeated in the three channels.
    """
    if name not in _BUNDLED:
        raise ValueError(
            f"name must be 'chelsea' or one of {RANDOM_PHOTOS}; got {name!r}"
        )
    import skimage.data

    image = np.asarray(getattr(skimage.data, name)())
    image = image.astype(np.float32) / (255.0 if image.dtype == np.uint8 else 1.0)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return np.ascontiguousarray(image[..., :3])


def _colour_pairs(rng, n):
    """Two colours per image: random hues and saturations, one dark and one light."""
    from matplotlib.colors import hsv_to_rgb

    hsv = np.stack(
        [
            rng.uniform(0, 1, (n, 2)),
            rng.uniform(0, 0.8, (n, 2)),
            np.c_[rng.uniform(0.05, 0.45, n), rng.uniform(0.55, 0.95, n)],
        ],
        axis=-1,
    )
    rgb = hsv_to_rgb(hsv)  # (n, 2, 3)
    swap = rng.uniform(size=n) < 0.5
    rgb[swap] = rgb[swap, ::-1]
    return rgb


def texture_images(kind: str, n: int, *, size: int = 224, seed: int = 0) -> np.ndarray:
    """Generate ``n`` images of a texture in two random colours.

    Each image has its own orientation, scale, phase and colours (a dark and a light
    one, random hue and saturation), so that what the images share is the pattern.
    Edges are anti-aliased (drawn at twice the size, then averaged).

    Parameters
    ----------
    kind : {"stripes", "dots", "zigzags"}
        Parallel bands; a rotated lattice of discs; bands that zigzag.
    n : int
        Number of images.
    size : int, default=224
        Side of the square images in pixels.
    seed : int, default=0

    Returns
    -------
    ndarray of shape (n, size, size, 3), float32 in [0, 1]
    """
    if kind not in TEXTURES:
        raise ValueError(f"kind must be one of {TEXTURES}; got {kind!r}")
    if int(n) < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")
    rng = np.random.default_rng(seed)
    grid = (np.arange(2 * size) + 0.5) / 2  # pixel coordinates, supersampled twice
    y, x = np.meshgrid(grid, grid, indexing="ij")
    colours = _colour_pairs(rng, n)
    out = np.empty((n, size, size, 3), dtype=np.float32)
    for i in range(n):
        angle = rng.uniform(0, np.pi)
        period = np.exp(rng.uniform(np.log(10), np.log(40)))  # pixels
        u = x * np.cos(angle) + y * np.sin(angle)
        v = -x * np.sin(angle) + y * np.cos(angle)
        phase = rng.uniform(0, 1, 2)
        if kind == "stripes":
            mask = (u / period + phase[0]) % 1 < rng.uniform(0.3, 0.6)
        elif kind == "zigzags":
            wavelength = period * rng.uniform(1.0, 2.0)
            tri = 2 * np.abs((v / wavelength + phase[1]) % 1 - 0.5)  # in [0, 1]
            shift = period * rng.uniform(0.6, 1.5) * tri
            mask = ((u + shift) / period + phase[0]) % 1 < rng.uniform(0.3, 0.6)
        else:  # dots on a rotated lattice
            du = (u / period + phase[0]) % 1 - 0.5
            dv = (v / period + phase[1]) % 1 - 0.5
            mask = np.hypot(du, dv) < rng.uniform(0.2, 0.35)
        mask = mask.reshape(size, 2, size, 2).mean(axis=(1, 3))[..., None]
        out[i] = (1 - mask) * colours[i, 0] + mask * colours[i, 1]
    return np.clip(out, 0.0, 1.0)


def pink_noise_images(
    n: int, *, size: int = 224, exponent: float = 1.0, seed: int = 0
) -> np.ndarray:
    """Colour noise with a natural image's spectrum: amplitude ``1 / f**exponent``.

    Photographs have amplitude spectra falling roughly as ``1 / f`` (Field, 1987);
    this noise has that spectrum, random phases and no objects. A luminance field and
    three weaker colour fields are mixed so that the channels are correlated, as in
    photos; each image gets a random mean colour and contrast.

    Parameters
    ----------
    n : int
    size : int, default=224
    exponent : float, default=1.0
        ``1`` for natural-image statistics; ``0`` is white noise.
    seed : int, default=0

    Returns
    -------
    ndarray of shape (n, size, size, 3), float32 in [0, 1]
    """
    if int(n) < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")
    rng = np.random.default_rng(seed)
    f = np.hypot(
        *np.meshgrid(np.fft.fftfreq(size), np.fft.rfftfreq(size), indexing="ij")
    )
    amplitude = 1.0 / np.maximum(f, 1.0 / size) ** exponent
    amplitude[0, 0] = 0.0
    phases = rng.uniform(0, 2 * np.pi, (n, 4) + f.shape)
    fields = np.fft.irfft2(amplitude * np.exp(1j * phases), s=(size, size))
    fields /= fields.std(axis=(2, 3), keepdims=True)
    luminance, chroma = fields[:, :1], fields[:, 1:]
    mixed = (luminance + 0.35 * chroma).transpose(0, 2, 3, 1)
    mean = rng.uniform(0.3, 0.7, (n, 1, 1, 3))
    contrast = rng.uniform(0.1, 0.25, (n, 1, 1, 1))
    return np.clip(mean + contrast * mixed, 0.0, 1.0).astype(np.float32)


def random_crops(
    images, n: int, *, size: int = 224, scale=(0.3, 1.0), flip=True, seed: int = 0
) -> np.ndarray:
    """Square crops at random places and sizes, resized to ``size`` (anti-aliased).

    Parameters
    ----------
    images : sequence of arrays of shape (H, W, 3) in [0, 1]
        Each crop comes from one of them, chosen uniformly.
    n : int
    size : int, default=224
    scale : (float, float), default=(0.3, 1.0)
        The crop's side as a share of the image's shorter side, drawn uniformly.
    flip : bool, default=True
        Mirror half of the crops left to right.
    seed : int, default=0

    Returns
    -------
    ndarray of shape (n, size, size, 3), float32 in [0, 1]
    """
    images = [np.asarray(im, dtype=np.float32) for im in images]
    if not images or any(im.ndim != 3 or im.shape[2] != 3 for im in images):
        raise ValueError("images must be a non-empty sequence of (H, W, 3) arrays")
    low, high = scale
    if not 0 < low <= high <= 1:
        raise ValueError(
            f"scale must be (low, high) with 0 < low <= high <= 1; got {scale}"
        )
    rng = np.random.default_rng(seed)
    out = np.empty((int(n), size, size, 3), dtype=np.float32)
    for i in range(int(n)):
        image = images[rng.integers(len(images))]
        h, w = image.shape[:2]
        side = max(1, round(rng.uniform(low, high) * min(h, w)))
        top, left = rng.integers(h - side + 1), rng.integers(w - side + 1)
        crop = torch.from_numpy(image[top : top + side, left : left + side])
        crop = crop.permute(2, 0, 1)[None]
        resized = torch.nn.functional.interpolate(
            crop,
            size=(size, size),
            mode="bilinear",
            antialias=True,
            align_corners=False,
        )[0].permute(1, 2, 0)
        out[i] = resized.numpy()[:, ::-1] if flip and rng.uniform() < 0.5 else resized
    return np.clip(out, 0.0, 1.0)


# -- activations and gradients ---------------------------------------------------------


class _Recorder:
    """Forward hooks keeping named modules' outputs; ``release()`` removes them."""

    def __init__(self, model, layers):
        self.outputs = {}
        self._handles = [
            model.get_submodule(name).register_forward_hook(self._hook(name))
            for name in layers
        ]

    def _hook(self, name):
        def keep(module, inputs, output):
            self.outputs[name] = output

        return keep

    def release(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []


def _run(model, layers, x, target, with_gradients, batch_size):
    recorder = _Recorder(model, layers)
    acts = {name: [] for name in layers}
    grads = {name: [] for name in layers}
    try:
        for start in range(0, len(x), batch_size):
            batch = x[start : start + batch_size]
            if with_gradients:
                batch = batch.clone().requires_grad_(True)
                logits = model(batch)
                outputs = [recorder.outputs[name] for name in layers]
                found = torch.autograd.grad(logits[:, target].sum(), outputs)
                for name, g in zip(layers, found):
                    grads[name].append(g.flatten(1).numpy())
            else:
                with torch.no_grad():
                    model(batch)
            for name in layers:
                acts[name].append(recorder.outputs[name].detach().flatten(1).numpy())
    finally:
        recorder.release()
    acts = {name: np.concatenate(a) for name, a in acts.items()}
    grads = (
        {name: np.concatenate(g) for name, g in grads.items()}
        if with_gradients
        else None
    )
    return acts, grads


def _cache_key(model, layers, sets, target, gradients_for):
    digest = hashlib.sha256()
    payload = {
        "layers": list(layers),
        "target": int(target),
        "gradients_for": sorted(gradients_for),
        "sets": sorted(sets),
        "torch": torch.__version__,
    }
    digest.update(json.dumps(payload, sort_keys=True).encode())
    for value in model.state_dict().values():
        digest.update(value.detach().cpu().contiguous().numpy().tobytes())
    for name in sorted(sets):
        digest.update(name.encode())
        digest.update(sets[name].detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def activations_and_gradients(
    model,
    layers,
    sets,
    *,
    target: int,
    gradients_for=(),
    batch_size: int = 5,
    cache=True,
):
    """Activations of image sets at named layers, and gradients of a class's logit.

    Forward hooks on ``model.get_submodule(name)`` keep each layer's output (flattened
    per image). For the sets in ``gradients_for`` the gradient of ``logits[:, target]``
    with respect to each layer's output is computed too (one backward pass per batch;
    images do not interact in an evaluation-mode network, so each row is that image's
    own gradient). Results are cached in ``mlviz.config.cache_dir("tcav")`` under the
    SHA-256 of the images, the layers, the target, the network's weights and the torch
    version (written to a temporary file, then renamed).

    Parameters
    ----------
    model : torch.nn.Module
        In evaluation mode, returning ``(N, classes)`` logits.
    layers : sequence of str
        Names as in ``model.named_modules()``, e.g. ``"_blocks.10"``.
    sets : dict of str to Tensor
        Named inputs of shape ``(N, C, H, W)``, already in the network's input range.
    target : int
        The class whose logit is differentiated.
    gradients_for : sequence of str
        Keys of ``sets`` that need gradients.
    batch_size : int, default=5
        Images per pass (a backward pass keeps its batch's intermediate tensors).
    cache : bool, default=True

    Returns
    -------
    activations : dict ``{layer: {set: ndarray (N, D)}}``
    gradients : dict ``{layer: {set: ndarray (N, D)}}``
        For the sets in ``gradients_for`` only.
    """
    layers = list(layers)
    names = dict(model.named_modules())
    unknown = [name for name in layers if name not in names]
    if not layers or unknown:
        raise ValueError(
            "layers must name modules of model (e.g. '_blocks.10'); got "
            f"{unknown or layers}"
        )
    missing = [name for name in gradients_for if name not in sets]
    if missing:
        raise ValueError(
            f"gradients_for must be keys of sets {sorted(sets)}; got {missing}"
        )
    path = None
    if cache:
        key = _cache_key(model, layers, sets, target, gradients_for)
        path = cache_dir("tcav") / f"{key}.npz"
        if path.is_file():
            return _load(path, layers, sets, gradients_for)
    acts = {layer: {} for layer in layers}
    grads = {layer: {} for layer in layers}
    for name, x in sets.items():
        a, g = _run(model, layers, x, target, name in gradients_for, batch_size)
        for layer in layers:
            acts[layer][name] = a[layer]
            if g is not None:
                grads[layer][name] = g[layer]
    if path is not None:
        _store(path, acts, grads)
    return acts, grads


def _store(path: Path, acts, grads):
    arrays = {}
    for kind, values in (("act", acts), ("grad", grads)):
        for layer, by_set in values.items():
            arrays.update({f"{kind}|{layer}|{name}": a for name, a in by_set.items()})
    with written_atomically(path) as file:
        np.savez(file, **arrays)


def _load(path, layers, sets, gradients_for):
    with np.load(path) as stored:
        acts = {
            layer: {name: stored[f"act|{layer}|{name}"] for name in sets}
            for layer in layers
        }
        grads = {
            layer: {name: stored[f"grad|{layer}|{name}"] for name in gradients_for}
            for layer in layers
        }
    return acts, grads


# -- CAVs, scores and the test ---------------------------------------------------------


@dataclass(frozen=True)
class CAV:
    """A concept activation vector.

    Attributes
    ----------
    vector : ndarray of shape (D,)
        Unit normal of the linear boundary, pointing towards the concept.
    accuracy : float
        Accuracy of the classifier on the held-out part of both sets.
    n_test : int
        Number of held-out images the accuracy counts.
    """

    vector: np.ndarray
    accuracy: float
    n_test: int


def fit_cav(concept, random, *, test_size=1 / 3, C=1.0, random_state=0) -> CAV:
    """Fit a concept activation vector: concept activations against random ones.

    A logistic regression (scikit-learn, L2 penalty ``C``, intercept not penalized) is
    fitted on a stratified ``1 - test_size`` share of both sets and scored on the
    rest (the split of Kim et al.'s and Captum's code, which fit linear classifiers by
    stochastic gradient descent instead); the CAV is its weight vector, normalized. With far fewer images ``n`` than features ``D``, the optimal weights
    are a combination of the training rows, so the fit runs on the rows' coordinates
    in an orthonormal basis of their span (from their Gram matrix) and is mapped
    back: the same solution, at the cost of an ``n``-feature problem.

    Parameters
    ----------
    concept, random : arrays of shape (n, D) and (m, D)
        Flattened activations at one layer.
    test_size : float, default=1/3
    C : float, default=1.0
        Inverse strength of the L2 penalty.
    random_state : int, default=0
        Seed of the split.

    Returns
    -------
    CAV
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits

    concept, random = np.asarray(concept), np.asarray(random)
    if concept.ndim != 2 or random.ndim != 2 or concept.shape[1] != random.shape[1]:
        raise ValueError(
            "concept and random must be 2-D (n, D) with the same D; got shapes "
            f"{concept.shape} and {random.shape}"
        )
    if min(len(concept), len(random)) < 3:
        raise ValueError(
            f"concept and random need at least 3 rows each; got {len(concept)} and "
            f"{len(random)}"
        )
    X = np.concatenate([concept, random]).astype(np.float64)
    y = np.r_[np.ones(len(concept)), np.zeros(len(random))]
    train, test = train_test_split(
        np.arange(len(y)), test_size=test_size, stratify=y, random_state=random_state
    )
    # A problem this small gains nothing from threads, and on a busy machine the
    # threads of scikit-learn's loss and of BLAS wait for each other (seconds per fit).
    with threadpool_limits(1):
        # orthonormal rows spanning the training rows, from their Gram matrix (n x n)
        values, vectors = np.linalg.eigh(X[train] @ X[train].T)
        keep = values > values.max() * 1e-12
        basis = (vectors[:, keep].T @ X[train]) / np.sqrt(values[keep])[:, None]
        model = LogisticRegression(C=C, max_iter=10_000, tol=1e-8)
        model.fit(X[train] @ basis.T, y[train])
    w = basis.T @ model.coef_[0]
    predicted = X[test] @ w + model.intercept_[0] > 0
    accuracy = float(np.mean(predicted == (y[test] == 1)))
    return CAV(vector=w / np.linalg.norm(w), accuracy=accuracy, n_test=len(test))


def directional_derivatives(gradients, cav) -> np.ndarray:
    """``S_i = grad_i . v``: the logit's change as image ``i`` moves along the CAV.

    Parameters
    ----------
    gradients : array of shape (n, D)
        Gradients of the class logit with respect to the layer's (flattened) output.
    cav : CAV or array of shape (D,)

    Returns
    -------
    ndarray of shape (n,)
    """
    v = np.asarray(cav.vector if isinstance(cav, CAV) else cav, dtype=np.float64)
    gradients = np.asarray(gradients, dtype=np.float64)
    if gradients.ndim != 2 or gradients.shape[1] != v.shape[0]:
        raise ValueError(
            f"gradients must have shape (n, {v.shape[0]}); got {gradients.shape}"
        )
    return gradients @ v


def tcav_score(gradients, cav) -> float:
    """The TCAV score: the share of images whose directional derivative is positive.

    Parameters
    ----------
    gradients : array of shape (n, D)
        Gradients of the class logit at the layer, one row per image of the class.
    cav : CAV or array of shape (D,)

    Returns
    -------
    float
        In [0, 1], a multiple of ``1 / n``.
    """
    return float(np.mean(directional_derivatives(gradients, cav) > 0))


def tcav_ttest(concept_scores, random_scores, *, n_tests: int = 1) -> dict:
    """Kim et al.'s test: a concept's TCAV scores against random-versus-random scores.

    A two-sided Student t-test of the two samples (equal variances, as
    ``scipy.stats.ttest_ind`` in the authors' code): ``t = (mean_a - mean_b) /
    sqrt(s2 (1/n_a + 1/n_b))`` with the pooled variance ``s2`` and ``n_a + n_b - 2``
    degrees of freedom; then its Bonferroni correction for ``n_tests`` tests made
    together (the p-value times ``n_tests``, at most 1). Two samples without any
    spread give ``p = 1`` when equal and ``p = 0`` when not.

    Parameters
    ----------
    concept_scores : array of shape (runs,)
        TCAV scores of the concept's CAVs, one per random set.
    random_scores : array of shape (runs,)
        TCAV scores of random-versus-random CAVs.
    n_tests : int, default=1

    Returns
    -------
    dict
        ``mean``, ``random mean``, ``t``, ``p`` and ``p (Bonferroni)``.
    """
    from scipy.stats import t as student

    a = np.asarray(concept_scores, dtype=np.float64)
    b = np.asarray(random_scores, dtype=np.float64)
    if a.ndim != 1 or b.ndim != 1 or min(len(a), len(b)) < 2:
        raise ValueError(
            "concept_scores and random_scores must be 1-D with at least 2 runs; got "
            f"shapes {a.shape} and {b.shape}"
        )
    if int(n_tests) < 1:
        raise ValueError(f"n_tests must be a positive integer; got {n_tests!r}")
    df = len(a) + len(b) - 2
    pooled = (((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum()) / df
    difference = a.mean() - b.mean()
    if pooled == 0:  # no spread at all: equal or not
        t = 0.0 if difference == 0 else np.copysign(np.inf, difference)
    else:
        t = difference / np.sqrt(pooled * (1 / len(a) + 1 / len(b)))
    p = float(2 * student.sf(abs(t), df))
    return {
        "mean": a.mean(),
        "random mean": b.mean(),
        "t": float(t),
        "p": p,
        "p (Bonferroni)": min(1.0, p * int(n_tests)),
    }


# -- drawing ---------------------------------------------------------------------------


def plot_tcav_scores(
    scores, random_scores, p_values, *, alpha=0.05, ax=None, title=None
):
    """Draw each concept's TCAV scores over runs next to the random-versus-random ones.

    One column per concept: a dot per run, a bar at the mean with one standard
    deviation as an error bar, and the p-value under the concept's name. A concept
    whose p-value is below ``alpha`` is drawn in the gallery's sign colours, red
    (:data:`mlviz.plotting.POSITIVE`) when its mean is above the random mean (the
    concept raises the class logit) and blue when below; other concepts are grey.
    The random scores form the last column and a grey band (mean plus or minus one
    standard deviation) behind all columns.

    Parameters
    ----------
    scores : dict of str to array of shape (runs,)
        TCAV scores per concept.
    random_scores : array of shape (runs,)
    p_values : dict of str to float
        The p-value of each concept (e.g. Bonferroni-corrected).
    alpha : float, default=0.05
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
        Its ``containers`` hold one bar container per column, in order.
    """
    import matplotlib.pyplot as plt

    from ..plotting._colors import NEGATIVE, POSITIVE

    missing = [name for name in scores if name not in p_values]
    if missing:
        raise ValueError(f"p_values must have an entry per concept; missing {missing}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.8))
    random_scores = np.asarray(random_scores, dtype=float)
    m, s = random_scores.mean(), random_scores.std(ddof=1)
    ax.axhspan(m - s, m + s, color="C7", alpha=0.2, lw=0)
    ax.axhline(m, color="C7", lw=1, ls="--")
    columns = {**scores, "random": random_scores}
    labels = []
    for j, (name, values) in enumerate(columns.items()):
        values = np.asarray(values, dtype=float)
        colour = "C7"
        if name != "random" and p_values[name] < alpha:
            colour = POSITIVE if values.mean() > m else NEGATIVE
        ax.bar(j, values.mean(), width=0.6, color=colour, alpha=0.3)
        ax.errorbar(j, values.mean(), yerr=values.std(ddof=1), color=colour, capsize=4)
        jitter = np.linspace(-0.18, 0.18, len(values))
        ax.plot(j + jitter, values, "o", ms=3.5, color=colour)
        p = p_values.get(name)
        labels.append(name if p is None else f"{name}\np = {p:.2g}")
    ax.set_xticks(range(len(columns)), labels)
    ax.set(ylim=(-0.03, 1.08), ylabel="TCAV score")
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    if title:
        ax.set_title(title)
    return ax
