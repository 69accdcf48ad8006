"""Maps drawn on photographs: the panels of the pretrained-network pages (section I).

Two functions keep the pages' drawing loops short without hiding the technique, which
computes the maps: :func:`photo_grid` makes a figure of panels whose heights follow
the photos' own proportions, and :func:`plot_photo_map` draws one map on (or beside)
one photo with the colour rules of the gallery.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._colors import DIVERGING

__all__ = ["photo_grid", "plot_photo_map"]

#: How :func:`plot_photo_map` can draw a map.
STYLES = ("overlay", "magnitude", "signed")


def photo_grid(aspects, ncols: int, *, width: float = 11.0, title: str | None = None):
    """Make a figure with one row of ``ncols`` panels per photo.

    Each row is as tall as its photo drawn ``width / ncols`` wide with its original
    proportions (height / width, :func:`mlviz.models.photo_aspect`), plus an inch for
    the titles, and each Axes keeps its row's aspect, which :func:`plot_photo_map`
    draws with.

    Parameters
    ----------
    aspects : sequence of float
        One height / width ratio per row.
    ncols : int
        Panels per row.
    width : float, default 11.0
        Figure width in inches.
    title : str, optional
        The figure's title (``fig.suptitle``).

    Returns
    -------
    fig : matplotlib Figure
    axes : ndarray of Axes, shape (len(aspects), ncols)
        Always two-dimensional, also for a single row.

    Examples
    --------
    >>> fig, axes = photo_grid([0.67, 0.67], 3)
    >>> axes.shape, fig.get_size_inches().round(2).tolist(), float(axes[1, 0].get_aspect())
    ((2, 3), [11.0, 5.91], 0.67)
    >>> plt.close(fig)
    """
    aspects = [float(a) for a in aspects]
    if not aspects or min(aspects) <= 0:
        raise ValueError(f"aspects must be one positive height / width per row; got {aspects!r}")
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive int; got {ncols!r}")
    if not width > 0:
        raise ValueError(f"width must be positive (inches); got {width!r}")
    height = 1.0 + width / ncols * sum(aspects)
    fig, axes = plt.subplots(len(aspects), int(ncols), figsize=(width, height), squeeze=False)
    for row, aspect in zip(axes, aspects):
        for ax in row:
            ax.set_aspect(aspect)
    if title is not None:
        fig.suptitle(title)
    return fig, axes


def plot_photo_map(
    image,
    heatmap=None,
    *,
    ax=None,
    style: str = "overlay",
    aspect: float | None = None,
    title: str | None = None,
    percentile: float = 99.0,
):
    """Draw a map on or beside a photo, without ticks.

    Parameters
    ----------
    image : ndarray of shape (H, W, 3)
        The photo, RGB in [0, 1] (:func:`mlviz.models.to_display`).
    heatmap : ndarray of shape (H, W), optional
        The map at the photo's resolution; None draws the photo alone.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when absent.
    style : {"overlay", "magnitude", "signed"}, default "overlay"
        ``"overlay"``: a non-negative map (a CAM) scaled by its own maximum and blended
        over the photo (:func:`mlviz.attribution.overlay`, ``jet``). ``"magnitude"``:
        a non-negative map alone (a saliency map), ``hot`` from 0 to the map's
        ``percentile``. ``"signed"``: a signed map alone (integrated gradients),
        :data:`~mlviz.plotting.DIVERGING` with limits at plus and minus the
        ``percentile`` of its absolute values, white at zero.
    aspect : float, optional
        Height / width to draw the square input with (:func:`mlviz.models.photo_aspect`
        restores the photo's proportions). Default: the aspect of ``ax`` when it has
        one (as the Axes of :func:`photo_grid` do), else 1.
    title : str, optional
        The panel's title.
    percentile : float, default 99.0
        Where the colour scale of ``"magnitude"`` and ``"signed"`` saturates, so that a
        few extreme pixels do not wash out the rest.

    Returns
    -------
    ax : matplotlib Axes
        The drawn image is ``ax.images[-1]``.

    Examples
    --------
    >>> photo = np.full((8, 8, 3), 0.5)
    >>> ax = plot_photo_map(photo, np.eye(8), style="signed")
    >>> ax.images[-1].get_clim()
    (-1.0, 1.0)
    >>> plt.close(ax.figure)
    """
    from mlviz.attribution import overlay  # imports torch: only when a map is drawn

    image = np.asarray(image, dtype=float)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be an RGB array of shape (H, W, 3); got shape {image.shape}")
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}; got {style!r}")
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100]; got {percentile!r}")
    if ax is None:
        _, ax = plt.subplots()
    if aspect is None:
        aspect = ax.get_aspect()
        aspect = 1.0 if aspect == "auto" else float(aspect)
    if heatmap is None:
        ax.imshow(image, aspect=aspect)
    else:
        m = np.asarray(heatmap, dtype=float)
        if m.shape != image.shape[:2]:
            raise ValueError(f"heatmap must have the image's shape {image.shape[:2]}; got {m.shape}")
        if style != "signed" and m.min() < 0:
            raise ValueError(f"a {style!r} heatmap must be non-negative; got a minimum of {m.min():.3g} (use style='signed')")
        if style == "overlay":
            ax.imshow(overlay(image, m / max(m.max(), np.finfo(float).tiny)), aspect=aspect)
        elif style == "magnitude":
            ax.imshow(m, cmap="hot", vmin=0, vmax=np.percentile(m, percentile), aspect=aspect)
        else:
            limit = np.percentile(np.abs(m), percentile)
            ax.imshow(m, cmap=DIVERGING, vmin=-limit, vmax=limit, aspect=aspect)
    if title is not None:
        ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax
