"""A griffe extension: Sphinx's ``#:`` comments document constants in the API reference.

The package documents its constants the way Sphinx's autodoc reads them, with ``#:``
comment lines right above the assignment. Griffe (behind mkdocstrings) reads only a
string literal after the assignment, so without this the reference would leave out
``mlviz.config.SEED``, the colour constants and the like.
"""

from __future__ import annotations

import griffe

__all__ = ["SphinxComments"]


class SphinxComments(griffe.Extension):
    """Give a module-level or class-level attribute its ``#:`` comment as docstring."""

    def on_attribute_instance(self, *, node, attr, agent, **kwargs) -> None:
        if attr.docstring is not None or not attr.lineno or attr.parent is None:
            return
        lines = attr.parent.module.lines if attr.parent.module else []
        comment: list[str] = []
        k = attr.lineno - 2  # the line above the assignment (lines are 1-based)
        while k >= 0 and lines[k].strip().startswith("#:"):
            comment.insert(0, lines[k].strip()[2:].strip())
            k -= 1
        if comment:
            attr.docstring = griffe.Docstring(" ".join(comment), lineno=k + 2, parent=attr)
