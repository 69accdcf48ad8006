"""A page's captured output: findings become boxes, warning text fails the build."""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError


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
