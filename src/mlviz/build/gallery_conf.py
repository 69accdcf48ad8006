"""mkdocs-gallery settings that cannot be written in YAML (callables).

``mkdocs.yml`` names this file as the gallery's ``conf_script``; mkdocs-gallery reads
its module-level ``conf`` dict.
"""

import os

from mlviz.build.wheel import notebook_first_cell

os.environ["MLVIZ_GALLERY_BUILD"] = "1"
# Examples must never open windows or block on plt.show() during the build.
os.environ.setdefault("MPLBACKEND", "agg")


def _reset_matplotlib(gallery_conf, fname):
    """Close every figure and restore matplotlib's defaults between examples.

    The build applies no style of its own: each page sets the gallery's look with
    ``plt.style.use("mlviz.gallery")``, so that a copied page draws the same figures.
    """
    import matplotlib.pyplot as plt

    plt.close("all")
    plt.rcdefaults()


conf = {
    "reset_modules": (_reset_matplotlib,),
    # A downloaded notebook installs the helper package first, so that it runs top to
    # bottom in a fresh kernel.
    "first_notebook_cell": notebook_first_cell(),
}
