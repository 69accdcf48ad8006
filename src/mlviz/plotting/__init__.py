"""Drawing helpers. Each takes ``ax=None``, never shows or saves, and returns the Axes."""

from ._bars import plot_bars
from ._embedding import plot_embedding
from ._heatmap import plot_heatmap
from ._style import GALLERY_STYLE, gallery_rc, use_gallery_style
from ._trees import plot_decision_path

__all__ = ["GALLERY_STYLE", "gallery_rc", "plot_bars", "plot_decision_path", "plot_embedding", "plot_heatmap", "use_gallery_style"]
