"""What a page says about its own run: findings computed from the numbers, claims checked.

A gallery page should draw its conclusions from the numbers it computed, never from a
sentence written for one run. Two functions keep that promise and stay out of the way
in copied code:

* :func:`say` shows a finding written as an f-string (Markdown allowed): a formatted box
  on the site, rich output in Jupyter, plain text in a terminal. Choose its words from
  the numbers (``"rises" if late > early else "falls"``).
* :func:`claim` checks a statement that the page's fixed prose makes about this run
  ("two components keep most of the variance"). When a rebuild with other data or
  library versions breaks it, the page fails loudly instead of publishing a false
  sentence.
"""

from __future__ import annotations

import base64
import os
import re
import sys

import markdown as _markdown

__all__ = ["ClaimError", "Finding", "claim", "render_findings", "rounding_tolerance", "say"]

#: How a finding travels through the gallery build's captured output (one line each).
_SENTINEL = "<<mlviz-finding:{}>>"
_SENTINEL_RE = re.compile(r"<<mlviz-finding:([A-Za-z0-9+/=]*)>>")


class ClaimError(AssertionError):
    """A statement the page makes about its run does not hold for this run."""


class Finding:
    """A piece of Markdown that renders as HTML (site, Jupyter) and as text (terminal).

    Parameters
    ----------
    text : str
        Markdown source (emphasis, lists, tables).
    """

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"text must be a str of Markdown; got {type(text).__name__}")
        self.text = text

    def _repr_html_(self) -> str:
        body = _markdown.markdown(self.text, extensions=["tables"])
        return f'<div class="mlviz-finding">{body}</div>'

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def say(text: str) -> None:
    """Show a finding computed by the page, wherever the page runs.

    Works anywhere in a cell (not only as its last line). In the gallery build the text
    becomes a formatted box on the page; in Jupyter it is displayed as Markdown; from a
    terminal it is printed.

    Parameters
    ----------
    text : str
        Markdown, usually an f-string of the page's numbers.

    Examples
    --------
    >>> say(f"Two components keep **{0.958:.1%}** of the variance.")
    Two components keep **95.8%** of the variance.
    """
    finding = Finding(text)
    if os.environ.get("MLVIZ_GALLERY_BUILD") == "1":
        print(_SENTINEL.format(base64.b64encode(text.encode()).decode()))
    elif "ipykernel" in sys.modules:
        from IPython.display import display

        display(finding)
    else:
        print(finding.text)


def claim(condition, statement: str, *, evidence: str = "") -> None:
    """Check a statement that the page's prose makes about this run; raise if it fails.

    Parameters
    ----------
    condition : bool
        The statement, computed from this run's numbers.
    statement : str
        The sentence (or its gist) as the page states it.
    evidence : str, optional
        The numbers behind it, shown when the check fails.

    Raises
    ------
    ClaimError
        If ``condition`` is false: the page would publish a false sentence.

    Examples
    --------
    >>> kept = 0.958
    >>> claim(kept > 0.9, "two components keep most of the variance", evidence=f"{kept:.1%}")
    """
    if not isinstance(statement, str) or not statement:
        raise TypeError(f"statement must be the sentence the page states; got {statement!r}")
    if not bool(condition):
        detail = f" ({evidence})" if evidence else ""
        raise ClaimError(
            f"The page says {statement!r}, but this run does not bear it out{detail}. "
            "Rewrite the sentence, or choose its words from the numbers."
        )


def rounding_tolerance(dtype, scale, n_terms: int = 1) -> float:
    """The largest difference rounding alone explains between two ways of computing a sum.

    Two computations of the same quantity that add the same terms in another order
    (another processor's vector width, another thread count, a float64 sum against a
    float32 one) differ by rounding. Higham and Mary's probabilistic bound (SIAM J. Sci.
    Comput. 41, 2019) says a sum of ``n`` terms in a type with unit roundoff
    ``u = eps / 2`` is off by at most ``lam * sqrt(n) * u * sum(|terms|)``, with
    probability at least ``1 - 2 n exp(-lam**2 / 2)``. With ``lam = 10`` (a failure
    chance below ``n * 4e-22``) and two computations, the tolerance is
    ``10 * sqrt(n) * eps * sum(|terms|)``: a few hundred epsilons times the size of the
    terms for a 1,000-term sum. A comparison of a quantity computed twice should use it
    instead of a bare ``1e-6``, which one processor may meet and another may not.

    Parameters
    ----------
    dtype : numpy dtype or str
        The *least* precise type in either computation (``"float32"`` when one side is
        a float32 network output).
    scale : float
        The sum of the absolute values of the terms (or a bound on it).
    n_terms : int, default 1
        How many terms are added (1 for a single rounded value).

    Returns
    -------
    float

    Examples
    --------
    >>> f"{rounding_tolerance('float32', scale=50.0, n_terms=1280):.2e}"  # a logit
    '2.13e-03'
    """
    import math

    import numpy as np

    if int(n_terms) < 1:
        raise ValueError(f"n_terms must be a positive count of summed terms; got {n_terms!r}")
    scale = float(scale)
    if not np.isfinite(scale) or scale < 0:
        raise ValueError(f"scale must be a finite sum of absolute values (>= 0); got {scale!r}")
    eps = float(np.finfo(np.dtype(dtype)).eps)
    return 10.0 * math.sqrt(int(n_terms)) * eps * scale


def render_findings(output: str) -> list[str | Finding]:
    """Split a page's captured output into plain text and the findings :func:`say` sent.

    Used by the gallery build to turn the findings back into formatted boxes.

    Returns
    -------
    list
        In order: ``str`` for plain output, :class:`Finding` for each finding. Blank
        plain text between findings is dropped.
    """
    parts: list[str | Finding] = []
    position = 0
    for match in _SENTINEL_RE.finditer(output):
        before = output[position : match.start()]
        if before.strip():
            parts.append(before.strip("\n"))
        parts.append(Finding(base64.b64decode(match.group(1)).decode()))
        position = match.end()
    rest = output[position:]
    if rest.strip():
        parts.append(rest.strip("\n"))
    return parts
