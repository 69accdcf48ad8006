"""Every figure drawn twice: for the light theme and for the dark one.

The site switches between Material's light and dark palettes. A figure drawn for a white
page is a glaring white rectangle on the dark one, and its black labels cannot be put on
a dark background as they are. So the build saves each matplotlib figure a second time,
recoloured for the dark theme by :func:`to_dark`: backgrounds take the page's dark grey,
text, axes and grid lines a light grey, while the data keep their colours (a class or an
attribution sign has the same colour in both themes). Pictures (``imshow``) are left
alone. The page shows the variant that matches the reader's palette (Material's
``#only-light`` / ``#only-dark`` image suffixes), and switches with it.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.text import Text

__all__ = [
    "DARK_BACKGROUND",
    "DARK_FOREGROUND",
    "dark_path",
    "dark_variant_markdown",
    "plain_images",
    "save_dark",
    "snapshot",
    "to_dark",
]

#: Material's slate background (``--md-default-bg-color`` of the dark palette).
DARK_BACKGROUND = "#1e2129"
#: Text, spines, ticks and neutral lines in the dark variant.
DARK_FOREGROUND = "#d5d8e0"
_GRID = (1.0, 1.0, 1.0, 0.16)


def _luminance(color) -> float:
    r, g, b, _ = to_rgba(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _is_grey(color) -> bool:
    r, g, b, a = to_rgba(color)
    return a > 0 and max(r, g, b) - min(r, g, b) < 0.08


def _light_background(color) -> bool:
    """White or near-white paint (a figure or axes background, a label's box)."""
    return to_rgba(color)[3] > 0 and _luminance(color) > 0.85


def _ink(color) -> bool:
    """Black or dark-grey ink: text, spines, reference lines drawn 'in black'.

    Mid greys are left alone: they are data colours too (digit 7, *Deny*).
    """
    return _is_grey(color) and _luminance(color) < 0.42


def to_dark(figure: Figure) -> Figure:
    """Recolour ``figure`` in place for a dark page; return it.

    Backgrounds that are white become :data:`DARK_BACKGROUND`; black and dark-grey text,
    spines, ticks and neutral lines become :data:`DARK_FOREGROUND`; grid lines a faint
    white. Coloured data (lines, markers, bars, images) keep their colours. A label
    on a white box keeps its dark text and its box turns dark with light text.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    """
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure; got {type(figure).__name__}")
    if _light_background(figure.get_facecolor()):
        figure.patch.set_facecolor(DARK_BACKGROUND)
    for ax in figure.get_axes():
        if _light_background(ax.get_facecolor()):
            ax.set_facecolor(DARK_BACKGROUND)
        for spine in ax.spines.values():
            if _ink(spine.get_edgecolor()):
                spine.set_edgecolor(DARK_FOREGROUND)
        ax.tick_params(which="both", colors=DARK_FOREGROUND)
        for axis in (getattr(ax, name, None) for name in ("xaxis", "yaxis", "zaxis")):
            pane = getattr(axis, "pane", None)  # the three walls of a 3-D plot
            if pane is not None and _light_background(pane.get_facecolor()):
                axis.set_pane_color((1.0, 1.0, 1.0, 0.04))
                pane.set_edgecolor(_GRID)
            if pane is not None:
                axis.line.set_color(DARK_FOREGROUND)
                axis._axinfo["grid"]["color"] = _GRID
        for line in ax.get_xgridlines() + ax.get_ygridlines():
            line.set_color(_GRID)
        legend = ax.get_legend()
        if legend is not None:
            frame = legend.get_frame()
            if _light_background(frame.get_facecolor()):
                frame.set_facecolor(DARK_BACKGROUND)
            if _ink(frame.get_edgecolor()):
                frame.set_edgecolor(DARK_FOREGROUND)
    for legend in figure.legends:
        frame = legend.get_frame()
        if _light_background(frame.get_facecolor()):
            frame.set_facecolor(DARK_BACKGROUND)
    for text in figure.findobj(Text):
        box = text.get_bbox_patch()
        if box is not None and _light_background(box.get_facecolor()):
            box.set_facecolor(DARK_BACKGROUND)
            if _ink(box.get_edgecolor()):
                box.set_edgecolor(DARK_FOREGROUND)
        if _ink(text.get_color()):
            text.set_color(DARK_FOREGROUND)
        arrow = getattr(text, "arrow_patch", None)  # an annotation's arrow is not a child artist
        if arrow is not None and _ink(arrow.get_edgecolor()):
            arrow.set_color(DARK_FOREGROUND)
    for line in figure.findobj(Line2D):
        if line in _gridlines(figure):
            continue
        if _ink(line.get_color()):
            line.set_color(DARK_FOREGROUND)
        if _ink(line.get_markeredgecolor()):
            line.set_markeredgecolor(DARK_FOREGROUND)
    for patch in figure.findobj(FancyArrowPatch):
        if _ink(patch.get_edgecolor()):
            patch.set_edgecolor(DARK_FOREGROUND)
        if _ink(patch.get_facecolor()):
            patch.set_facecolor(DARK_FOREGROUND)
    for patch in figure.findobj(Rectangle):
        # white edges separating bars or cells read as gaps on white: keep them gaps
        # (an unfilled outline, such as a box drawn over a photo, keeps its colour)
        if patch.get_fill() and patch.get_linewidth() and _light_background(patch.get_edgecolor()):
            patch.set_edgecolor(DARK_BACKGROUND)
    return figure


def _gridlines(figure: Figure) -> set:
    return {line for ax in figure.get_axes() for line in ax.get_xgridlines() + ax.get_ygridlines()}


def snapshot(figure: Figure) -> bytes | None:
    """The figure, pickled, to draw its dark variant after the light one was saved.

    Returns None for a figure that cannot be pickled (it then has no dark variant).
    """
    try:
        return pickle.dumps(figure)
    except Exception:  # an unpicklable artist: the page keeps its light figure only
        return None


def save_dark(snap: bytes, path: Path, *, on_saved=None) -> Path:
    """Draw a snapshot from :func:`snapshot` in the dark theme and save it to ``path``.

    ``on_saved(figure)``, when given, is called with the drawn figure before it is
    closed (its layout is that of the light figure).
    """
    figure = pickle.loads(snap)
    try:
        to_dark(figure).savefig(path, facecolor=figure.get_facecolor())
        if on_saved is not None:
            on_saved(figure)
    finally:
        plt.close(figure)
    return path


# An image as mkdocs-gallery 0.10.4 writes it: ![alt](path){: .mkd-glr-...-img srcset="..."}
# (the alt text may hold brackets of its own, escaped or paired, as in "_blocks[-1]")
_IMAGE = re.compile(
    r'!\[(?P<alt>(?:\\.|\[[^\]]*\]|[^\]\\])*)\]\((?P<path>[^)\s#]+\.png)\)'
    r'\{: (?P<cls>\.mkd-glr-[a-z]+-img) srcset="(?P<srcset>[^"]*)"\}'
)


_IMAGE_LIST = re.compile(r'<ul class="mkd-glr-horizontal">\s*(.*?)\s*</ul>', re.S)
_RAW_IMAGE = re.compile(r'<img alt="(?P<alt>[^"]*)" src="\.\./(?P<path>[^"]+)" srcset="(?P<srcset>[^"]*)",? class="[^"]*" />')


def _escape(alt: str) -> str:
    return alt.replace("[", "\\[").replace("]", "\\]")


def plain_images(markdown: str) -> str:
    """One Markdown image per figure, where mkdocs-gallery 0.10.4 writes raw HTML.

    For a cell that draws several figures it writes ``<img>`` tags straight inside a
    ``<ul>`` (invalid HTML, and no dark variant); each becomes a Markdown image like
    those of single figures.
    """

    def _images(match):
        images = [
            f'![{_escape(m["alt"])}](./{m["path"]}){{: .mkd-glr-single-img srcset="{m["srcset"]}"}}'
            for m in _RAW_IMAGE.finditer(match.group(1))
        ]
        return "\n\n".join(images) if images else match.group(0)

    return _IMAGE_LIST.sub(_images, markdown)


def dark_path(path: str) -> str:
    """``images/mkd_glr_x_001.png`` -> ``images/mkd_glr_x_001_dark.png``."""
    return re.sub(r"\.png$", "_dark.png", path)


def dark_variant_markdown(markdown: str, has_dark) -> str:
    """Show each image whose dark variant exists in its theme only.

    Parameters
    ----------
    markdown : str
        Image Markdown written by mkdocs-gallery's scraper.
    has_dark : callable
        ``has_dark(path) -> bool`` for an image path as written in the Markdown.
    """

    def _both(match):
        alt, path, cls, srcset = match["alt"], match["path"], match["cls"], match["srcset"]
        if not has_dark(path):
            return match.group(0)
        light = f'![{alt}]({path}#only-light){{: {cls} srcset="{srcset}"}}'
        dark = f'![{alt}]({dark_path(path)}#only-dark){{: {cls} srcset="{dark_path(srcset)}"}}'
        return light + dark

    return _IMAGE.sub(_both, markdown)
