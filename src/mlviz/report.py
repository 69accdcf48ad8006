"""Numbers formatted into the page's prose.

A gallery page should draw its conclusions from the numbers it computed, not from a
sentence written for one run. End a cell with ``md(f"... {value:.1%} ...")``: the build
renders it as formatted text on the page, and a plain ``python plot_x.py`` run prints it.
"""

from __future__ import annotations

import markdown as _markdown

__all__ = ["Markdown", "md"]


class Markdown:
    """A piece of Markdown that renders as HTML in the gallery and as text elsewhere.

    Parameters
    ----------
    text : str
        Markdown source (tables, emphasis, lists).
    """

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"text must be a str of Markdown; got {type(text).__name__}")
        self.text = text

    def _repr_html_(self) -> str:
        body = _markdown.markdown(self.text, extensions=["tables"])
        return f'<div class="mlviz-finding">{body}</div>'

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def md(text: str) -> Markdown:
    """Return ``text`` as :class:`Markdown`; print it too when run as a plain script.

    In the gallery build, the last expression of a cell is rendered on the page, so the
    reader sees formatted text. Run from a terminal, the text is printed instead.
    """
    import sys

    obj = Markdown(text)
    if not _in_gallery_build() and "ipykernel" not in sys.modules:
        print(obj.text)
    return obj


def _in_gallery_build() -> bool:
    import os

    return os.environ.get("MLVIZ_GALLERY_BUILD") == "1"
