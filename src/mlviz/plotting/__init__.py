"""Drawing helpers and the gallery's look.

Each drawing helper takes ``ax=None``, never shows or saves, and returns the Axes. The
style file (``plt.style.use("mlviz.gallery")``) sets fonts and sizes; the colour
constants give every class and every attribution sign one colour across the gallery.
"""

from ._bars import plot_bars
from ._colors import (
    ADMISSION_COLORS,
    DIGIT_CMAP,
    DIGIT_COLORS,
    DIVERGING,
    MAGNITUDE,
    NEGATIVE,
    POSITIVE,
    SPECIES_COLORS,
    sign_colors,
)
from ._concepts import concept_overlay as concept_overlay  # deep feature factorization
from ._cv import plot_cv_splits as plot_cv_splits  # cross-validation splits (page J8)
from ._embedding import plot_embedding
from ._force import ForceDisplay, force_segments
from ._heatmap import plot_heatmap
from ._image_grid import plot_image_grid as plot_image_grid  # a grid of images
from ._photos import photo_grid as photo_grid, plot_photo_map as plot_photo_map  # maps on photos
from ._surfaces import (  # decision surfaces measured (page J7)
    changes_on_thresholds as changes_on_thresholds,
    plot_interval_dots as plot_interval_dots,
    surface_shape as surface_shape,
)
from ._style import GALLERY_STYLE, gallery_rc, use_gallery_style
from ._trees import paint_by_class, plot_decision_path

__all__ = [
    "ADMISSION_COLORS",
    "DIGIT_CMAP",
    "DIGIT_COLORS",
    "DIVERGING",
    "ForceDisplay",
    "GALLERY_STYLE",
    "MAGNITUDE",
    "NEGATIVE",
    "POSITIVE",
    "SPECIES_COLORS",
    "force_segments",
    "gallery_rc",
    "paint_by_class",
    "plot_bars",
    "plot_decision_path",
    "plot_embedding",
    "plot_heatmap",
    "sign_colors",
    "use_gallery_style",
]
