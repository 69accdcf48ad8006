"""The drawing pad of catalog page H1: MNIST-style preprocessing and the page's widget.

* :func:`preprocess_drawing` turns a free-hand drawing into a 28x28 MNIST-like image.
  It is the reference for ``docs/assets/drawpad/preprocess.js``, which does the same
  arithmetic in the reader's browser (the browser tests compare the two).
* :func:`render_strokes` draws pen strokes the way the pad's canvas records them;
  :func:`non_digit_strokes` and :func:`non_digit_drawings` make the drawings that are
  no digit (dots, dashes, scribbles, ...) on which the pad's out-of-distribution score
  is measured, and :func:`pen_redraw` redraws an MNIST digit along its centre line with
  the pad's pen; :func:`ood_test_sets` gathers all of them, with MNIST's test digits,
  into the sets the page measures the score on, and :func:`plot_distance_strip` draws
  the scores of each set.
* :func:`feature_profile` is the input of that score: the mean response of each feature
  map of some layers (``cnn.js``'s ``featureProfile`` computes the same in the browser).
* :class:`DrawingPad` is the object a gallery cell ends with: its ``_repr_html_`` is the
  pad (canvas, probability bars, activation maps) and the ``<script>`` that runs it.
"""

from __future__ import annotations

import html
import math

import numpy as np

__all__ = [
    "CANVAS",
    "NON_DIGIT_KINDS",
    "PEN_WIDTH",
    "HAND_DRAWN",
    "DrawingPad",
    "feature_profile",
    "non_digit_drawings",
    "non_digit_strokes",
    "ood_test_sets",
    "pen_redraw",
    "plot_distance_strip",
    "preprocess_drawing",
    "render_strokes",
    "thin",
]

#: Side of the pad's square canvas, in canvas pixels (``drawpad.js`` uses the same).
CANVAS = 280
#: Width of the pad's pen, in canvas pixels: about 2 pixels once a full-size drawing is
#: scaled to MNIST's 20-pixel box.
PEN_WIDTH = 22
#: The kinds of drawing that are no digit, in the order :func:`non_digit_strokes` knows them.
NON_DIGIT_KINDS = ("dot", "dash", "scribble", "speckles", "filled block", "cross")


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """Matrix ``(n_out, n_in)`` that resamples a line of pixels by area averaging."""
    scale = n_in / n_out
    weights = np.zeros((n_out, n_in))
    for i in range(n_out):
        lo, hi = i * scale, (i + 1) * scale
        for s in range(math.floor(lo), min(n_in, math.ceil(hi))):
            weights[i, s] = (min(hi, s + 1) - max(lo, s)) / scale
    return weights


def preprocess_drawing(
    ink,
    *,
    box: int = 20,
    size: int = 28,
    threshold: float = 0.1,
    return_steps: bool = False,
):
    """Turn a drawing into a ``size x size`` image prepared the way MNIST's digits were.

    MNIST's digits were cropped to their bounding box, scaled so the longer side is 20
    pixels (keeping the aspect ratio, with anti-aliasing), and pasted into a 28x28
    field so that their centre of mass sits at the centre. Ink is bright on black.

    Parameters
    ----------
    ink : array-like of shape (height, width)
        Amount of ink per pixel in [0, 1] (1 = full stroke), e.g. a canvas's alpha
        channel divided by 255.
    box : int
        Length of the longer side after scaling.
    size : int
        Side of the output image.
    threshold : float
        Pixels with more ink than this define the bounding box.
    return_steps : bool
        Also return the intermediate images.

    Returns
    -------
    image : ndarray of shape (size, size), float64 in [0, 1]
        The preprocessed drawing (grey levels, before MNIST's mean/std normalization).
    steps : dict, only if ``return_steps``
        ``"crop"`` (bounding box), ``"scaled"`` (longer side ``box``) and
        ``"offset"`` (row, column where the scaled image was pasted).

    Raises
    ------
    ValueError
        If ``ink`` is not 2-D, or no pixel exceeds ``threshold`` (nothing was drawn).
    """
    ink = np.asarray(ink, dtype=float)
    if ink.ndim != 2:
        raise ValueError(
            f"ink must be a 2-D array (height, width); got shape {ink.shape}"
        )
    if not 0 < box <= size:
        raise ValueError(f"box must be in [1, size={size}]; got {box!r}")
    rows = np.flatnonzero((ink > threshold).any(axis=1))
    cols = np.flatnonzero((ink > threshold).any(axis=0))
    if rows.size == 0:
        raise ValueError(
            f"ink has no pixel above threshold={threshold}: nothing was drawn"
        )
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = box / max(h, w)
    new_h, new_w = (
        max(1, math.floor(h * scale + 0.5)),
        max(1, math.floor(w * scale + 0.5)),
    )
    # einsum, not @: these small products gain nothing from BLAS threads, which can
    # cost more to wake than the product itself on a busy machine
    rows_scaled = np.einsum("ij,jk->ik", _area_weights(h, new_h), crop)
    scaled = np.einsum("ik,lk->il", rows_scaled, _area_weights(w, new_w))
    total = scaled.sum()
    com_row = (np.arange(new_h) @ scaled.sum(axis=1)) / total
    com_col = (np.arange(new_w) @ scaled.sum(axis=0)) / total
    # integer shift that puts the centre of mass on the centre of the field
    top, left = math.floor(size / 2 - com_row), math.floor(size / 2 - com_col)
    image = np.zeros((size, size))
    r0, c0 = max(0, top), max(0, left)
    r1, c1 = min(size, top + new_h), min(size, left + new_w)
    if r1 > r0 and c1 > c0:
        image[r0:r1, c0:c1] = scaled[r0 - top : r1 - top, c0 - left : c1 - left]
    image = np.clip(image, 0.0, 1.0)
    if return_steps:
        return image, {"crop": crop, "scaled": scaled, "offset": (top, left)}
    return image


_RING = [
    (140 + 89 * math.cos(a), 140 + 89 * math.sin(a))
    for a in np.linspace(0, 2 * math.pi, 60)
]

#: Four drawings that are no digit, made by hand for the pad's canvas: name -> strokes
#: for :func:`render_strokes` (points in canvas pixels).
HAND_DRAWN = {
    "a dot": [[(141, 141)]],
    "a smiley": [_RING, [(107, 107)], [(172, 107)], [(90, 180), (190, 180)]],
    "the letter A": [[(70, 240), (140, 40), (210, 240)], [(100, 160), (180, 160)]],
    "a plus sign": [[(140, 50), (140, 230)], [(50, 140), (230, 140)]],
}


def render_strokes(
    strokes, *, size: int = CANVAS, pen: float = PEN_WIDTH
) -> np.ndarray:
    """Draw pen strokes on a blank canvas, as the pad records them.

    The pad's canvas draws with round caps and joins; a stroke of one point (a tap) is a
    disc of the pen's width.

    Parameters
    ----------
    strokes : sequence of array-like of shape (k, 2)
        Each stroke's points ``(x, y)`` in canvas pixels, in drawing order.
    size : int
        Side of the square canvas.
    pen : float
        Width of the pen, in canvas pixels.

    Returns
    -------
    ndarray of shape (size, size), float64 in [0, 1]
        The ink of each pixel (anti-aliasing aside: 0 or 1).
    """
    from PIL import Image, ImageDraw

    canvas = Image.new("L", (size, size))
    draw = ImageDraw.Draw(canvas)
    for i, stroke in enumerate(strokes):
        points = np.asarray(stroke, dtype=float).reshape(-1, 2)
        if len(points) == 0:
            raise ValueError(
                f"strokes[{i}] has no point; expected an array of (x, y) points"
            )
        for x, y in points:  # round caps and joins
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=255)
        if len(points) > 1:
            draw.line([tuple(p) for p in points], fill=255, width=round(pen))
    return np.asarray(canvas, dtype=float) / 255.0


def non_digit_strokes(kind: str, rng, *, size: int = CANVAS) -> list[np.ndarray]:
    """Strokes of one random drawing that is no digit, for :func:`render_strokes`.

    ============ ========================================================================
    kind         what is drawn
    ============ ========================================================================
    dot          a tap (or a drag of at most 8 px) anywhere on the canvas
    dash         one straight stroke within 30 degrees of horizontal (a steeper one can
                 be a 1)
    scribble     one stroke through 6 to 13 random points
    speckles     8 to 39 taps scattered over the canvas
    filled block a rectangle coloured in with horizontal strokes
    cross        two diagonal strokes crossing, an X
    ============ ========================================================================

    Parameters
    ----------
    kind : str
        One of :data:`NON_DIGIT_KINDS`.
    rng : numpy.random.Generator
        The source of randomness (pass a seeded one).
    size : int
        Side of the canvas the points are meant for.

    Returns
    -------
    list of ndarray of shape (k, 2)
    """
    if kind not in NON_DIGIT_KINDS:
        raise ValueError(f"kind must be one of {NON_DIGIT_KINDS}; got {kind!r}")
    u = size / CANVAS  # the ranges below are for the pad's 280-pixel canvas
    margin = u * PEN_WIDTH
    if kind == "dot":
        start = rng.uniform(margin, size - margin, 2)
        angle = rng.uniform(0, 2 * np.pi)
        return [
            np.stack(
                [
                    start,
                    start
                    + u * rng.uniform(0, 8) * np.array([np.cos(angle), np.sin(angle)]),
                ]
            )
        ]
    if kind == "dash":
        angle = np.deg2rad(rng.uniform(-30, 30))
        half = u * rng.uniform(20, 110) * np.array([np.cos(angle), np.sin(angle)])
        centre = rng.uniform(0.4 * size, 0.6 * size, 2)
        return [np.stack([centre - half, centre + half])]
    if kind == "scribble":
        return [rng.uniform(2 * margin, size - 2 * margin, (rng.integers(6, 14), 2))]
    if kind == "speckles":
        return [
            p[None]
            for p in rng.uniform(margin, size - margin, (rng.integers(8, 40), 2))
        ]
    if kind == "filled block":
        (x0, y0), (x1, y1) = (
            rng.uniform(margin, 0.45 * size, 2),
            rng.uniform(0.55 * size, size - margin, 2),
        )
        return [
            np.array([[x0, y], [x1, y]]) for y in np.arange(y0, y1 + 1, 0.8 * margin)
        ]
    centre = rng.uniform(0.45 * size, 0.55 * size, 2)  # cross
    r = u * rng.uniform(50, 110)
    jitter = u * rng.uniform(-15, 15, (2, 2))
    return [
        np.stack([centre + (-r, -r) + jitter[0], centre + (r, r)]),
        np.stack([centre + (r, -r) + jitter[1], centre + (-r, r)]),
    ]


def non_digit_drawings(
    n: int, *, seed: int = 0, kinds=NON_DIGIT_KINDS
) -> dict[str, np.ndarray]:
    """Random drawings that are no digit, prepared as the pad prepares a drawing.

    Each is drawn by :func:`non_digit_strokes` on the pad's canvas with the pad's pen
    (:func:`render_strokes`), then turned into a 28x28 image by :func:`preprocess_drawing`.

    Parameters
    ----------
    n : int
        Drawings per kind.
    seed : int
        Seed of the random generator shared by all kinds (drawn in the order of ``kinds``).
    kinds : sequence of str
        Kinds from :data:`NON_DIGIT_KINDS`.

    Returns
    -------
    dict
        Kind -> array of shape ``(n, 28, 28)``, grey levels in [0, 1].
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int; got {n!r}")
    rng = np.random.default_rng(seed)
    return {
        kind: np.stack(
            [
                preprocess_drawing(render_strokes(non_digit_strokes(kind, rng)))
                for _ in range(n)
            ]
        )
        for kind in kinds
    }


def ood_test_sets(digits, *, n_kind: int, n_traced: int, seed: int = 0) -> dict:
    """The sets of drawings on which page H1 measures its out-of-distribution flag.

    Parameters
    ----------
    digits : array-like of shape (n, 28, 28)
        MNIST test digits, grey levels in [0, 1].
    n_kind : int
        Random drawings per kind of :data:`NON_DIGIT_KINDS` (:func:`non_digit_drawings`).
    n_traced : int
        How many of the first ``digits`` to trace with the pad's pen
        (:func:`pen_redraw`) and prepare again.
    seed : int
        Seed of the random drawings.

    Returns
    -------
    dict
        Name -> array of shape ``(n, 28, 28)`` in [0, 1], in this order:
        ``"test digits"`` (``digits`` themselves), ``"test digits, traced"``, one entry
        per kind of :data:`NON_DIGIT_KINDS`, and one per drawing of :data:`HAND_DRAWN`
        (one image each), all but the first prepared as the pad prepares a drawing.
    """
    digits = np.asarray(digits, dtype=float)
    if digits.ndim != 3 or digits.shape[0] < 1:
        raise ValueError(
            f"digits must have shape (n, height, width); got shape {digits.shape}"
        )
    if not isinstance(n_traced, (int, np.integer)) or not 1 <= n_traced <= len(digits):
        raise ValueError(
            f"n_traced must be an int from 1 to len(digits) ({len(digits)}); "
            f"got {n_traced!r}"
        )
    traced = [preprocess_drawing(pen_redraw(image)) for image in digits[:n_traced]]
    sets = {"test digits": digits, "test digits, traced": np.stack(traced)}
    sets |= non_digit_drawings(n_kind, seed=seed)
    hand = {name: render_strokes(strokes) for name, strokes in HAND_DRAWN.items()}
    return sets | {name: preprocess_drawing(ink)[None] for name, ink in hand.items()}


def plot_distance_strip(distances, threshold: float, *, label="threshold", ax=None):
    """Strip chart of the out-of-distribution distances: one row per set of drawings.

    Parameters
    ----------
    distances : dict of str to array-like
        Set name -> the distance of each of its drawings (e.g. the squared Mahalanobis
        distance), drawn on a log scale. Sets whose name contains ``"digits"`` are
        blue (``C0``), the others red (``C3``); a set of one drawing is one large dot.
    threshold : float
        Drawn as a dashed vertical line: the distance above which a drawing is flagged.
    label : str
        The threshold's entry in the legend.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure, with the legend below the axes.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if not isinstance(distances, dict) or not distances:
        raise TypeError(
            "distances must be a non-empty dict of set name -> array of distances; "
            f"got {type(distances).__name__}"
        )
    new = ax is None
    if new:
        _, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    for row, (name, d) in enumerate(distances.items()):
        d = np.atleast_1d(np.asarray(d, dtype=float))
        jitter = np.random.default_rng(row).uniform(-0.3, 0.3, len(d))
        ax.scatter(d, row + jitter, s=5 if len(d) > 1 else 40, alpha=0.5,
                   color="C0" if "digits" in name else "C3")  # fmt: skip
    ax.axvline(threshold, color="0.5", linestyle="--", label=label)
    ax.set(xscale="log", xlabel="distance", yticks=range(len(distances)))
    ax.set_yticklabels(list(distances))
    ax.invert_yaxis()
    if new:
        ax.figure.legend(loc="outside lower center", fontsize=9)
    else:
        ax.legend(fontsize=9)
    return ax


def feature_profile(model, images, layers=("relu1", "relu2")) -> np.ndarray:
    """The mean response of each feature map (or unit) of the named layers.

    The model's children are applied in order (as :func:`mlviz.widgets.export.export_cnn`
    assumes), and the output of each named layer is averaged over its positions.

    Parameters
    ----------
    model : torch.nn.Module
        A network whose forward pass is its children applied in order.
    images : array-like of shape (n, 28, 28)
        Grey levels in [0, 1], before MNIST's normalization.
    layers : sequence of str
        Names of children of ``model``, in the order of the profile.

    Returns
    -------
    ndarray of shape (n, total channels), float64
    """
    import torch

    from mlviz.models import MNIST_MEAN, MNIST_STD

    images = np.asarray(images, dtype=float)
    if images.ndim != 3:
        raise ValueError(
            f"images must have shape (n, height, width); got shape {images.shape}"
        )
    children = dict(model.named_children())
    missing = [name for name in layers if name not in children]
    if missing:
        raise ValueError(
            f"layers {missing} are not children of the model; it has {list(children)}"
        )
    x = torch.tensor((images - MNIST_MEAN) / MNIST_STD, dtype=torch.float32)[:, None]
    means = {}
    with torch.no_grad():
        for name, child in children.items():
            x = child(x)
            if name in layers:
                means[name] = x.flatten(2).mean(dim=2) if x.ndim > 2 else x
            if len(means) == len(layers):
                break
    return torch.cat([means[name] for name in layers], dim=1).double().numpy()


def thin(mask) -> np.ndarray:
    """Thin a binary image to lines one pixel wide (Zhang and Suen, CACM 27, 1984).

    Parameters
    ----------
    mask : array-like of bool, shape (height, width)

    Returns
    -------
    ndarray of bool, same shape
        The centre lines: a subset of ``mask`` that keeps its connectivity.
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"mask must be a 2-D array; got shape {mask.shape}")
    img = np.pad(mask, 1)
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            p = np.pad(img, 1).astype(int)
            # the 8 neighbours P2..P9, clockwise from north
            nb = np.stack(
                [
                    p[:-2, 1:-1],
                    p[:-2, 2:],
                    p[1:-1, 2:],
                    p[2:, 2:],
                    p[2:, 1:-1],
                    p[2:, :-2],
                    p[1:-1, :-2],
                    p[:-2, :-2],
                ]
            )
            count = nb.sum(axis=0)
            transitions = sum((nb[k] == 0) & (nb[(k + 1) % 8] == 1) for k in range(8))
            north, east, south, west = nb[0], nb[2], nb[4], nb[6]
            if step == 0:
                side = (north * east * south == 0) & (east * south * west == 0)
            else:
                side = (north * east * west == 0) & (north * south * west == 0)
            remove = img & (count >= 2) & (count <= 6) & (transitions == 1) & side
            if remove.any():
                img &= ~remove
                changed = True
    return img[1:-1, 1:-1]


def pen_redraw(
    image, *, level: float = 0.5, pen: float = PEN_WIDTH, size: int = CANVAS
) -> np.ndarray:
    """Redraw a digit image along its centre line with the pad's pen, on the pad's canvas.

    A digit drawn on the pad has strokes of one width and sharp edges; MNIST's have soft
    edges and the width of a real pen. This thins the digit (pixels brighter than
    ``level`` times its brightest) to its centre line and draws a disc of the pen's width
    on every centre pixel and a stroke to each of its neighbours, enlarged to a canvas of
    ``size`` pixels: what the pad would record if someone traced the digit.

    Parameters
    ----------
    image : array-like of shape (h, w)
        Grey levels (any scale; ink is bright).
    level : float
        Fraction of the brightest grey level above which a pixel is ink.
    pen : float
        Pen width, in canvas pixels.
    size : int
        Side of the canvas; the image is enlarged by ``size / w``.

    Returns
    -------
    ndarray of shape (size, size), float64 in [0, 1]
    """
    image = np.asarray(image, dtype=float)
    if image.ndim != 2 or image.max() <= 0:
        raise ValueError(
            f"image must be a 2-D array with some ink; got shape {image.shape}, maximum {image.max()}"
        )
    centre = thin(image > level * image.max())
    scale = size / image.shape[1]
    rows, cols = np.nonzero(centre)
    on = set(zip(rows.tolist(), cols.tolist()))
    strokes = []
    for r, c in on:
        here = scale * np.array([c + 0.5, r + 0.5])
        ends = [
            here + scale * np.array([dc, dr])
            for dr, dc in ((0, 1), (1, -1), (1, 0), (1, 1))
            if (r + dr, c + dc) in on
        ]
        strokes += [np.stack([here, end]) for end in ends] or [here[None]]
    return render_strokes(strokes, size=size, pen=pen)


class DrawingPad:
    """The drawing pad widget: shown on a gallery page as the last expression of a cell.

    The HTML holds the canvas, the readout (prediction, the out-of-distribution line,
    one bar per class with its probability and log-probability) and one panel per layer;
    the script ``drawpad.js`` fetches the exported network (see
    :func:`mlviz.widgets.export.export_cnn`; a ``metadata["distance"]`` entry adds the
    feature distance and its threshold), runs it on every stroke and fills them in.
    URLs are relative to the page.

    Parameters
    ----------
    model_url : str
        URL of the exported network (JSON).
    assets_url : str
        URL of the folder holding ``drawpad.js``, ``cnn.js``, ``preprocess.js`` and
        ``drawpad.css``.
    layers : sequence of (str, str)
        ``(layer name, caption)`` of the activations to show, in order.
    """

    def __init__(
        self, model_url: str, assets_url: str, *, layers=(("relu1", "conv1 + ReLU"),)
    ):
        for name, value in (("model_url", model_url), ("assets_url", assets_url)):
            if not isinstance(value, str) or not value:
                raise TypeError(
                    f"{name} must be a non-empty str (a URL relative to the page); got {value!r}"
                )
        if "//" in model_url or "//" in assets_url:
            raise ValueError(
                "model_url and assets_url must be relative URLs: the page may load nothing from another host"
            )
        self.model_url = model_url
        self.assets_url = assets_url.rstrip("/") + "/"
        self.layers = [(str(n), str(c)) for n, c in layers]

    def _repr_html_(self) -> str:
        esc = html.escape
        layers = "".join(
            f'<section class="dp-layer" data-layer="{esc(name)}"><h4>{esc(caption)}'
            f'<span class="dp-shape"></span></h4><div class="dp-maps"></div></section>'
            for name, caption in self.layers
        )
        # One block without blank lines: Markdown passes it through as raw HTML. The grid
        # puts the pad and its readout (prediction, distance, bars) side by side, or the
        # readout right under the pad in a narrow column, so both stay in one screen.
        return (
            f'<link rel="stylesheet" href="{esc(self.assets_url)}drawpad.css">'
            f'<div class="mlviz-drawpad" data-model="{esc(self.model_url)}"><div class="dp-grid">'
            '<div class="dp-pad">'
            '<canvas class="dp-canvas" width="280" height="280" aria-label="Drawing pad: draw a digit"></canvas>'
            '<div class="dp-controls"><button type="button" class="dp-clear">Clear</button>'
            '<span class="dp-hint">Draw one digit, large, in the box.</span></div>'
            "</div>"
            '<div class="dp-readout" aria-live="polite">'
            '<p class="dp-prediction">Prediction: <strong class="dp-digit">–</strong> '
            '<span class="dp-confidence">Loading the network…</span></p>'
            '<p class="dp-ood"></p>'
            '<div class="dp-bars" role="list" aria-label="Class probabilities and their logarithms"></div>'
            "</div>"
            '<div class="dp-more">'
            '<div class="dp-examples"><span>Or load a test digit:</span></div>'
            '<div class="dp-seen"><canvas class="dp-input" width="28" height="28"></canvas>'
            "<span>What the network sees: your drawing cropped, scaled to 20 px, centred by "
            "its centre of mass in 28 × 28, as in MNIST.</span></div>"
            "</div>"
            f'<div class="dp-layers">{layers}</div>'
            "</div></div>"
            "<noscript><p>The drawing pad needs JavaScript.</p></noscript>"
            f'<script type="module" src="{esc(self.assets_url)}drawpad.js"></script>'
        )

    def __repr__(self) -> str:
        return (
            f"DrawingPad(model_url={self.model_url!r}, assets_url={self.assets_url!r}): "
            "an interactive widget, shown on the built gallery page"
        )
