"""mkdocs-gallery settings that cannot be written in YAML (callables).

``mkdocs.yml`` names this file as the gallery's ``conf_script``; mkdocs-gallery reads
its module-level ``conf`` dict.
"""

import os

os.environ["MLVIZ_GALLERY_BUILD"] = "1"
# Examples must never open windows or block on plt.show() during the build.
os.environ.setdefault("MPLBACKEND", "agg")


def _reset_matplotlib_with_gallery_style(gallery_conf, fname):
    """Reset matplotlib between examples, then apply the gallery's style."""
    import matplotlib.pyplot as plt

    from mlviz.plotting import use_gallery_style

    plt.close("all")
    plt.rcdefaults()
    use_gallery_style()


conf = {
    "reset_modules": (_reset_matplotlib_with_gallery_style,),
}
