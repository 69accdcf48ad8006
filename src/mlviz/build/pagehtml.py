"""A built page's HTML made fast and offline: scripts deferred, plotly and shap figures
loaded when they near the view from the site's own copies, small stylesheets inlined,
accessibility fixes made in the HTML."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from mkdocs.utils import get_relative_url


PLOTLY_JS = "assets/javascripts/plotly.min.js"


#: shap's bundle for interactive force plots (the pages' inline scripts expect window.SHAP).
SHAP_JS = "assets/javascripts/shap-bundle.js"


_CDN_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*(?:plot\.ly|plotly|mathjax)[^"]*"[^>]*>\s*</script>', re.I)


# Anything the browser would fetch from another host when the page loads.
_EXTERNAL = re.compile(
    r'<script\b[^>]*\bsrc="(?:https?:)?//[^"]+"[^>]*>'
    r'|<link\b(?=[^>]*\brel="(?:stylesheet|preload|preconnect|icon|modulepreload)")[^>]*\bhref="(?:https?:)?//[^"]+"[^>]*>'
    r'|<(?:img|iframe)\b[^>]*\bsrc="(?:https?:)?//[^"]+"[^>]*>',
    re.I,
)


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


#: Zoom into a figure in the lightbox, up to the PNG's full resolution (pinch, double tap,
#: wheel, drag), loaded after glightbox on every page that has it.
FIGURE_ZOOM = "javascripts/figure-zoom.js"


_GLIGHTBOX_JS = re.compile(
    r'<script src="([^"]*)assets/javascripts/glightbox\.min\.js"( defer)?></script>'
)


# A lightbox link to a figure's light or dark variant (dark.py's image suffixes).
_PALETTE_LINK = re.compile(
    r'<a class="glightbox"(?![^>]*\bdata-gallery=)'
    r'([^>]*\bhref="[^"]*#(only-light|only-dark)")'
)


def defer_lightbox(html: str) -> str:
    """Load glightbox without blocking the first paint; start it once the page is parsed.

    Also the lightbox's zoom: ``javascripts/figure-zoom.js`` (deferred, after glightbox)
    zooms the opened figure up to its PNG's full resolution; and each palette's figures
    make a lightbox gallery of their own (``data-gallery="only-light"`` or
    ``"only-dark"``), so that the lightbox opened on a figure, and the figures a swipe
    brings, are the ones of the reader's palette and never the other's (hidden) ones.
    """
    html = re.sub(r'(<script src="[^"]*glightbox\.min\.js")>', r"\1 defer>", html)
    html = _GLIGHTBOX_JS.sub(
        lambda m: (
            m.group(0) + f'<script src="{m.group(1)}{FIGURE_ZOOM}" defer></script>'
        ),
        html,
        count=1,
    )
    html = _PALETTE_LINK.sub(r'<a class="glightbox" data-gallery="\2"\1', html)
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
