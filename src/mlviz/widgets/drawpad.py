"""The drawing pad of catalog page H1: MNIST-style preprocessing and the page's widget.

* :func:`preprocess_drawing` turns a free-hand drawing into a 28x28 MNIST-like image.
  It is the reference for ``docs/assets/drawpad/preprocess.js``, which does the same
  arithmetic in the reader's browser (the browser tests compare the two).
* :class:`DrawingPad` is the object a gallery cell ends with: its ``_repr_html_`` is the
  pad (canvas, probability bars, activation maps) and the ``<script>`` that runs it.
"""

from __future__ import annotations

import html
import math

import numpy as np

__all__ = ["DrawingPad", "preprocess_drawing"]


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """Matrix ``(n_out, n_in)`` that resamples a line of pixels by area averaging."""
    scale = n_in / n_out
    weights = np.zeros((n_out, n_in))
    for i in range(n_out):
        lo, hi = i * scale, (i + 1) * scale
        for s in range(math.floor(lo), min(n_in, math.ceil(hi))):
            weights[i, s] = (min(hi, s + 1) - max(lo, s)) / scale
    return weights


def preprocess_drawing(ink, *, box: int = 20, size: int = 28, threshold: float = 0.1, return_steps: bool = False):
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
        raise ValueError(f"ink must be a 2-D array (height, width); got shape {ink.shape}")
    if not 0 < box <= size:
        raise ValueError(f"box must be in [1, size={size}]; got {box!r}")
    rows = np.flatnonzero((ink > threshold).any(axis=1))
    cols = np.flatnonzero((ink > threshold).any(axis=0))
    if rows.size == 0:
        raise ValueError(f"ink has no pixel above threshold={threshold}: nothing was drawn")
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = box / max(h, w)
    new_h, new_w = max(1, math.floor(h * scale + 0.5)), max(1, math.floor(w * scale + 0.5))
    scaled = _area_weights(h, new_h) @ crop @ _area_weights(w, new_w).T
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


class DrawingPad:
    """The drawing pad widget: shown on a gallery page as the last expression of a cell.

    The HTML holds the canvas, the probability bars and one panel per layer; the
    script ``drawpad.js`` fetches the exported network (see
    :func:`mlviz.widgets.export.export_cnn`), runs it on every stroke and fills them in.
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

    def __init__(self, model_url: str, assets_url: str, *, layers=(("relu1", "conv1 + ReLU"),)):
        for name, value in (("model_url", model_url), ("assets_url", assets_url)):
            if not isinstance(value, str) or not value:
                raise TypeError(f"{name} must be a non-empty str (a URL relative to the page); got {value!r}")
        if "//" in model_url or "//" in assets_url:
            raise ValueError("model_url and assets_url must be relative URLs: the page may load nothing from another host")
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
        # One block without blank lines: Markdown passes it through as raw HTML.
        return (
            f'<link rel="stylesheet" href="{esc(self.assets_url)}drawpad.css">'
            f'<div class="mlviz-drawpad" data-model="{esc(self.model_url)}">'
            '<div class="dp-left">'
            '<canvas class="dp-canvas" width="280" height="280" aria-label="Drawing pad: draw a digit"></canvas>'
            '<div class="dp-controls"><button type="button" class="dp-clear">Clear</button>'
            '<span class="dp-hint">Draw one digit, large, in the box.</span></div>'
            '<div class="dp-examples"><span>Or load a test digit:</span></div>'
            '<div class="dp-seen"><canvas class="dp-input" width="28" height="28"></canvas>'
            "<span>What the network sees: your drawing cropped, scaled to 20 px, centred by "
            "its centre of mass in 28 × 28, as in MNIST.</span></div>"
            "</div>"
            '<div class="dp-right">'
            '<p class="dp-prediction">Prediction: <strong class="dp-digit">–</strong> '
            '<span class="dp-confidence">Loading the network…</span></p>'
            '<div class="dp-bars" role="list" aria-label="Class probabilities"></div>'
            f"{layers}"
            "</div>"
            "</div>"
            '<noscript><p>The drawing pad needs JavaScript.</p></noscript>'
            f'<script type="module" src="{esc(self.assets_url)}drawpad.js"></script>'
        )

    def __repr__(self) -> str:
        return (
            f"DrawingPad(model_url={self.model_url!r}, assets_url={self.assets_url!r}): "
            "an interactive widget, shown on the built gallery page"
        )
