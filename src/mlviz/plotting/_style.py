"""The gallery's matplotlib look: one place where fonts, sizes and colours are set."""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["GALLERY_RC", "use_gallery_style"]

#: rcParams applied to every example (the build applies them before each page).
GALLERY_RC = {
    "figure.figsize": (7.0, 4.5),
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "axes.prop_cycle": mpl.cycler(
        color=["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD"]
    ),
}


def use_gallery_style() -> None:
    """Apply :data:`GALLERY_RC` to matplotlib's global settings.

    The documentation build calls this before every example; a reader running an
    example on its own gets matplotlib's defaults unless they call it too.
    """
    mpl.rcParams.update(GALLERY_RC)
