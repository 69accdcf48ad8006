"""The gallery's matplotlib look, shipped as a style file inside the package.

``src/mlviz/gallery.mplstyle`` is the one place where fonts, sizes and colours are set.
Every page applies it with one visible line, so that a page copied out of the gallery
draws the same figures::

    import matplotlib.pyplot as plt
    plt.style.use("mlviz.gallery")
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

__all__ = ["GALLERY_STYLE", "gallery_rc", "use_gallery_style"]

#: The name :func:`matplotlib.pyplot.style.use` knows the gallery's style by.
GALLERY_STYLE = "mlviz.gallery"


def gallery_rc() -> dict:
    """Return the rcParams the gallery's style sets (read from the shipped file)."""
    from importlib.resources import files

    path = files("mlviz") / "gallery.mplstyle"
    return dict(mpl.rc_params_from_file(str(path), use_default_template=False))


def use_gallery_style() -> None:
    """Apply the gallery's style; the same as ``plt.style.use("mlviz.gallery")``."""
    plt.style.use(GALLERY_STYLE)
