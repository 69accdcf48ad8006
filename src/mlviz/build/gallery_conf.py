"""mkdocs-gallery settings that cannot be written in YAML (callables).

``mkdocs.yml`` names this file as the gallery's ``conf_script``; mkdocs-gallery reads
its module-level ``conf`` dict.
"""

import os
import sys
from pathlib import Path

from mlviz.build.wheel import notebook_first_cell

#: Crops of each figure's main panel, the sources of the gallery's thumbnails (kept in
#: the project's own cache folder, not published).
THUMBNAIL_SOURCES = Path(".cache", "thumbnail-sources").resolve()

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


def _set_torch_threads(gallery_conf, fname):
    """Run every example's torch code on the build's thread count.

    Pages do not set threads (a reader's machine should run at full speed); the build
    does: one thread by default, because on the small shared build machine two
    busy-waiting OpenMP threads were slower than one. ``MLVIZ_TORCH_THREADS`` overrides
    it (the rounding check runs the pages on two).
    """
    if "torch" not in sys.modules and not _needs_torch(fname):
        return
    import torch

    from mlviz._torch import build_threads

    threads = build_threads()
    if not _said_kernels:
        # said once in the build log: which kernels computed the pages' numbers
        print(
            f"mlviz: torch runs the examples on {torch.backends.cpu.get_cpu_capability()} "
            f"kernels, {threads} thread(s)",
            file=sys.stderr,
        )
        _said_kernels.append(True)
    torch.set_num_threads(threads)


_said_kernels: list = []


def _needs_torch(fname) -> bool:
    try:
        return "torch" in Path(fname).read_text()
    except OSError:
        return True


class UnstyledFigureError(RuntimeError):
    """A page drew a figure before applying the gallery's style."""


def check_styled_figures() -> None:
    """Refuse figures created before ``plt.style.use("mlviz.gallery")``.

    A figure takes its resolution from the style when it is created, so a figure whose
    ``dpi`` is not the style's was drawn before the page set the gallery's look: copied
    out of the gallery, that page would draw it differently.
    """
    import matplotlib.pyplot as plt

    from mlviz.plotting import gallery_rc

    dpi = gallery_rc()["figure.dpi"]
    for number in plt.get_fignums():
        figure = plt.figure(number)
        if figure.dpi != dpi:
            title = figure._suptitle.get_text() if figure._suptitle else ""
            raise UnstyledFigureError(
                f"figure {number} {title!r} was drawn before plt.style.use('mlviz.gallery'): "
                "apply the style right after importing matplotlib.pyplot, before any figure"
            )


def _matplotlib_scraper(block, script, **kwargs):
    """mkdocs-gallery's matplotlib scraper, plus a dark-theme variant of every figure.

    Checks first that every figure has the gallery's style.
    """
    from pathlib import Path

    import matplotlib.pyplot as plt
    from mkdocs_gallery.scrapers import matplotlib_scraper

    from mlviz.build.dark import dark_path, dark_variant_markdown, plain_images, save_dark, snapshot
    from mlviz.build.thumbnails import crop_main_panel, main_panel_box

    check_styled_figures()
    snapshots = [snapshot(plt.figure(number)) for number in plt.get_fignums()]
    used = len(script.run_vars.image_path_iterator.paths)
    markdown = plain_images(matplotlib_scraper(block, script, **kwargs))
    saved = set()
    for snap, path in zip(snapshots, script.run_vars.image_path_iterator.paths[used:]):
        if snap is None:
            continue

        def _thumbnail_source(figure, light=Path(path)):
            crop_main_panel(light, main_panel_box(figure), THUMBNAIL_SOURCES / light.name)

        saved.add(save_dark(snap, Path(dark_path(str(path))), on_saved=_thumbnail_source).name)
    return dark_variant_markdown(markdown, lambda path: Path(dark_path(path)).name in saved)


def _use_panel_crops_as_thumbnails():
    """Make mkdocs-gallery 0.10.4 build each thumbnail from the figure's main-panel crop."""
    from mkdocs_gallery.gen_data_model import GalleryScript

    original = GalleryScript.get_thumbnail_source

    def get_thumbnail_source(self, file_conf):
        image = Path(original(self, file_conf))
        crop = THUMBNAIL_SOURCES / image.name
        return crop if crop.is_file() else image

    GalleryScript.get_thumbnail_source = get_thumbnail_source


_use_panel_crops_as_thumbnails()


conf = {
    "reset_modules": (_reset_matplotlib, _set_torch_threads),
    "image_scrapers": (_matplotlib_scraper,),
    # A downloaded notebook installs the helper package first, so that it runs top to
    # bottom in a fresh kernel.
    "first_notebook_cell": notebook_first_cell(),
}
