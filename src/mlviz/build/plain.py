"""A page without its prose checks: the script a reader pastes into their own work.

A page keeps its sentences true with :func:`mlviz.report.say` (numbers computed by the
run) and :func:`mlviz.report.claim` (a sentence that fails the build when the run does
not bear it out). A reader who copies the technique wants neither, so every page also
downloads as ``<page>_plain.py``: the same code with those calls and their import
removed, everything else (comments, cells, blank lines) as written.
"""

from __future__ import annotations

import ast

__all__ = ["REPORT_CALLS", "plain_script"]

#: The calls that exist for the site's prose, not for the technique.
REPORT_CALLS = frozenset({"say", "claim"})


def _is_report_call(node: ast.stmt) -> bool:
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    func = node.value.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in REPORT_CALLS


def plain_script(code: str) -> str:
    """``code`` without its ``say(...)``/``claim(...)`` statements and ``mlviz.report`` import.

    A block left empty gets a ``pass``; an import of other names from ``mlviz.report``
    keeps them.

    Examples
    --------
    >>> print(plain_script("from mlviz.report import claim, say\\nx = 1\\nsay(f'x is {x}')\\n"), end="")
    x = 1
    """
    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    replace: dict[int, str | None] = {}  # first line (0-based) -> new text; None: drop
    drop: set[int] = set()

    def remove(node: ast.stmt, text: str | None = None) -> None:
        replace[node.lineno - 1] = text
        drop.update(range(node.lineno, node.end_lineno))

    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
                continue
            removed = [s for s in body if _is_report_call(s)]
            for statement in removed:
                remove(statement)
            if removed and len(removed) == len(body) and not isinstance(node, ast.Module):
                indent = " " * body[0].col_offset
                replace[body[0].lineno - 1] = f"{indent}pass\n"
        if isinstance(node, ast.ImportFrom) and node.module == "mlviz.report":
            kept = [a for a in node.names if a.name not in REPORT_CALLS]
            indent = " " * node.col_offset
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
            remove(node, f"{indent}from mlviz.report import {names}\n" if kept else None)
    out = []
    for k, line in enumerate(lines):
        if k in drop:
            continue
        if k in replace:
            if replace[k] is not None:
                out.append(replace[k])
            continue
        out.append(line)
    text = "".join(out)
    # Two statements removed in a row leave blank lines piling up: keep at most two.
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text
