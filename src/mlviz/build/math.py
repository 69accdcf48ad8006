"""Formulas typeset at build time: LaTeX in a page becomes MathML, served with the page.

A page writes ``$a = t^2$`` (inline) or ``$$...$$`` (a display formula) in its prose;
``pymdownx.arithmatex`` (generic mode) wraps the LaTeX in ``<span class="arithmatex">``
or ``<div class="arithmatex">``, and :func:`typeset` replaces it with MathML, which
browsers render natively. No script, no web font and no other host: formulas work
offline, print, and take the text colour of either palette.
"""

from __future__ import annotations

import html as _html
import re

__all__ = ["FormulaError", "typeset"]

_INLINE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)
_UNKNOWN = re.compile(r">(\\[A-Za-z]+)<")
_BLOCK = re.compile(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', re.S)


class FormulaError(ValueError):
    """A formula's LaTeX could not be converted."""


def _mathml(latex: str, display: str, where: str) -> str:
    from latex2mathml.converter import convert

    source = _html.unescape(latex).strip()
    try:
        mathml = convert(source, display=display)
    except Exception as error:  # latex2mathml raises several types for bad input
        raise FormulaError(
            f"{where}: cannot typeset the formula {source!r} ({type(error).__name__}); fix its LaTeX"
        ) from error
    unknown = _UNKNOWN.search(mathml)
    if unknown:  # latex2mathml keeps a command it does not know as text
        raise FormulaError(
            f"{where}: cannot typeset the formula {source!r} (unknown command {unknown.group(1)}); fix its LaTeX"
        )
    # the LaTeX stays as the formula's text alternative (screen readers, copy and paste)
    return mathml.replace("<math ", f'<math alttext="{_html.escape(source)}" ', 1)


def typeset(html: str, where: str = "page") -> str:
    """Replace arithmatex's LaTeX spans and blocks in ``html`` with MathML.

    Parameters
    ----------
    html : str
        A page's HTML.
    where : str
        The page's name, for the error message.

    Raises
    ------
    FormulaError
        If a formula's LaTeX cannot be converted (naming the page and the formula).

    Examples
    --------
    >>> typeset('<p><span class="arithmatex">\\\\(a = t^2\\\\)</span></p>')[:29]
    '<p><math alttext="a = t^2" xm'
    """
    # a wide formula scrolls sideways: focusable, so that a keyboard can scroll it too
    # (axe's scrollable-region-focusable)
    html = _BLOCK.sub(
        lambda m: f'<div class="mlviz-math" tabindex="0" role="group" aria-label="formula">'
        f"{_mathml(m.group(1), 'block', where)}</div>",
        html,
    )
    return _INLINE.sub(lambda m: _mathml(m.group(1), "inline", where), html)
