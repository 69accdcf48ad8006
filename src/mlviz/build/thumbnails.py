"""Gallery thumbnails a reader can read: the main panel of a figure, not all of it.

A thumbnail is a few centimetres wide. mkdocs-gallery shrinks the whole first figure of
a page into it, so a figure of two or three panels becomes unreadable. The build keeps,
for every figure with two to four panels, a crop of its largest panel (with its title
and axis labels), and the gallery index uses that crop as the page's thumbnail. A figure
of one panel, or a grid of many small images, is used whole.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["MAX_PANELS", "crop_main_panel", "main_panel_box"]

#: Figures with more panels than this (image grids) are used whole.
MAX_PANELS = 4
_MARGIN = 8  # pixels kept around the panel, so that its title is not cut


def main_panel_box(figure: Figure) -> tuple[int, int, int, int] | None:
    """The pixel box of the figure's largest panel in its saved (tight) image.

    The figure must have been drawn (saved) with the current ``savefig`` settings. Returns
    None when the whole figure should be used (one panel, or more than
    :data:`MAX_PANELS`).
    """
    axes = [ax for ax in figure.get_axes() if ax.get_visible()]
    if not 2 <= len(axes) <= MAX_PANELS:
        return None
    renderer = figure.canvas.get_renderer()
    main = max(axes, key=lambda ax: ax.bbox.width * ax.bbox.height)
    box = main.get_tightbbox(renderer)
    tight = figure.get_tightbbox(renderer)
    pad = mpl.rcParams["savefig.pad_inches"]
    dpi = figure.dpi
    left = (box.x0 / dpi - tight.x0 + pad) * dpi - _MARGIN
    right = (box.x1 / dpi - tight.x0 + pad) * dpi + _MARGIN
    top = (tight.y1 + pad - box.y1 / dpi) * dpi - _MARGIN
    bottom = (tight.y1 + pad - box.y0 / dpi) * dpi + _MARGIN
    return max(0, int(left)), max(0, int(top)), int(right), int(bottom)


def crop_main_panel(image: Path, box: tuple[int, int, int, int] | None, destination: Path) -> Path:
    """Save the ``box`` of ``image`` (or all of it when ``box`` is None) to ``destination``."""
    with Image.open(image) as picture:
        if box is not None:
            width, height = picture.size
            picture = picture.crop((box[0], box[1], min(box[2], width), min(box[3], height)))
        destination.parent.mkdir(parents=True, exist_ok=True)
        picture.save(destination)
    return destination
