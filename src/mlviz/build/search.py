"""What search indexes: a page's opening sentence as its preview, its libraries as tags."""

from __future__ import annotations

import re
from pathlib import Path

from mlviz.build.provenance import _imported_libraries


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


def _exclude(opening: str) -> str:
    """Add ``data-search-exclude`` to the first tag of ``opening``."""
    tag_end = opening.index(">")
    return opening[:tag_end] + " data-search-exclude" + opening[tag_end:]


def keep_out_of_search(html: str) -> str:
    """Mark an example page's download note and catalog line ``data-search-exclude``, and
    start the page at its title.

    Anything before the title (the ``<html><head>`` wrapper glightbox's parser adds to
    the fragment, even blank text) makes search index an empty "preface" as the page's
    own entry; starting at the title makes the opening paragraph the page's preview.
    """
    for pattern in _NOT_SEARCHED:
        html = pattern.sub(lambda m: _exclude(m.group(0)), html, count=1)
    return _FRAGMENT.sub("", html).strip()
