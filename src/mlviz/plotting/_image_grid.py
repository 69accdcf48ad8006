"""A grid of images, one per Axes, with titles and no ticks."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_image_grid"]


def plot_image_grid(
    images,
    *,
    titles=None,
    ncols=None,
    axes=None,
    panel_size=2.4,
    fontsize=9,
    suptitle=None,
):
    """Draw images in a grid, row by row, one image per Axes, without ticks.

    Parameters
    ----------
    images : sequence of arrays of shape (H, W, 3) or (H, W)
        RGB images with values in [0, 1] (or greyscale); sizes may differ.
    titles : sequence of str, optional
        One title per image.
    ncols : int, optional
        Images per row; default: all in one row. Ignored when ``axes`` is given.
    axes : array of matplotlib Axes, optional
        Where to draw, filled in row-major order; a new figure is made when absent.
        Axes left over are hidden.
    panel_size : float, default=2.4
        Width in inches of one image's Axes in a new figure (the height adds room
        for a title).
    fontsize : float, default=9
        Size of the titles.
    suptitle : str, optional
        Title of the whole figure.

    Returns
    -------
    axes : ndarray of matplotlib Axes, shape (rows, ncols)
        The grid; ``axes.flat[i].get_images()[0]`` is image ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> axes = plot_image_grid(np.zeros((4, 8, 8, 3)), ncols=2, titles=list("abcd"))
    >>> axes.shape
    (2, 2)
    """
    images = list(images)
    if not images:
        raise ValueError("images must hold at least one image; got none")
    for i, image in enumerate(images):
        shape = np.shape(image)
        if len(shape) not in (2, 3) or (len(shape) == 3 and shape[-1] not in (3, 4)):
            raise ValueError(
                f"images[{i}] must have shape (H, W), (H, W, 3) or (H, W, 4); "
                f"got {shape}"
            )
    if titles is not None:
        titles = list(titles)
        if len(titles) != len(images):
            raise ValueError(
                f"titles must have one entry per image: {len(titles)} titles for "
                f"{len(images)} images"
            )
    if axes is None:
        ncols = len(images) if ncols is None else ncols
        if not isinstance(ncols, (int, np.integer)) or ncols < 1:
            raise ValueError(f"ncols must be a positive integer; got {ncols!r}")
        nrows = math.ceil(len(images) / ncols)
        height = panel_size + (0.45 if titles is not None else 0.1)
        _, axes = plt.subplots(
            nrows, ncols, figsize=(ncols * panel_size, nrows * height), squeeze=False
        )
    axes = np.asarray(axes, dtype=object)
    axes = axes.reshape(1, -1) if axes.ndim < 2 else axes
    if axes.size < len(images):
        raise ValueError(
            f"axes must hold one Axes per image: {axes.size} Axes for "
            f"{len(images)} images"
        )
    for i, ax in enumerate(axes.flat):
        if i >= len(images):
            ax.set_visible(False)
            continue
        ax.imshow(images[i])
        if titles is not None:
            ax.set_title(titles[i], fontsize=fontsize)
        ax.set_xticks([]), ax.set_yticks([])
    if suptitle is not None:
        axes.flat[0].figure.suptitle(suptitle)
    return axes
