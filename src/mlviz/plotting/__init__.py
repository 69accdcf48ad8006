"""Drawing helpers. Each takes ``ax=None``, never shows or saves, and returns the Axes."""

from ._bars import plot_bars
from ._heatmap import plot_heatmap as plot_heatmap  # re-exported (explicit alias; add to __all__ when merging)
from ._style import GALLERY_RC, use_gallery_style

__all__ = ["GALLERY_RC", "plot_bars", "use_gallery_style"]
