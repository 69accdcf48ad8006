"""The metadata every gallery example declares once, in the tag line of its docstring.

The line right after the title reads, for example::

    **Catalog B1** · **Question:** structure · **Family:** tree · **Phase:** after training · **Data:** Iris

Readers see it as the page's tags; the build parses it (for the visualization chooser,
cross-links and counts), so there is no second, hand-kept list of pages.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FAMILIES", "PHASES", "QUESTIONS", "ExampleMeta", "parse_example", "parse_tag_line"]

#: What the reader wants to know.
QUESTIONS = ("structure", "performance", "comparison", "importance", "one prediction", "training", "internals", "data")
#: Which models the technique applies to ("any" = model-agnostic).
FAMILIES = ("tree", "linear", "kernel", "neural network", "any")
#: When in a model's life the technique is used.
PHASES = ("before training", "during training", "after training", "at inference")

_ALLOWED = {"Question": QUESTIONS, "Family": FAMILIES, "Phase": PHASES}
_TAG = re.compile(r"^\*\*Catalog (?P<id>[A-K]\d+)\*\*(?P<rest>.*)$")
_FIELD = re.compile(r"^\*\*(?P<key>[A-Za-z]+):\*\*\s*(?P<value>.+)$")


@dataclass(frozen=True)
class ExampleMeta:
    """Parsed metadata of one example."""

    id: str
    title: str
    questions: tuple[str, ...]
    families: tuple[str, ...]
    phases: tuple[str, ...]
    data: tuple[str, ...] = field(default=())
    path: str = ""

    @property
    def section(self) -> str:
        """The catalog section letter, e.g. ``"B"``."""
        return self.id[0]


def parse_tag_line(line: str, *, where: str = "the tag line") -> dict:
    """Parse one tag line into ``{"id", "questions", "families", "phases", "data"}``.

    Raises
    ------
    ValueError
        Naming ``where``, the offending field and the allowed values.
    """
    match = _TAG.match(line.strip())
    if not match:
        raise ValueError(f"{where}: expected a line starting with '**Catalog X1**'; got {line.strip()[:80]!r}")
    fields: dict[str, tuple[str, ...]] = {}
    for part in filter(None, (p.strip() for p in match["rest"].split("·"))):
        m = _FIELD.match(part)
        if not m:
            raise ValueError(f"{where}: cannot read {part!r}; write fields as '**Key:** value, value'")
        key = m["key"]
        values = tuple(v.strip() for v in m["value"].split(",") if v.strip())
        if key in _ALLOWED:
            unknown = [v for v in values if v not in _ALLOWED[key]]
            if unknown:
                raise ValueError(f"{where}: {key} {unknown} not allowed; choose from {list(_ALLOWED[key])}")
        fields[key] = values
    missing = [k for k in ("Question", "Family", "Phase", "Data") if k not in fields]
    if missing:
        raise ValueError(f"{where}: missing {missing}; the tag line needs Question, Family, Phase and Data")
    return {
        "id": match["id"],
        "questions": fields["Question"],
        "families": fields["Family"],
        "phases": fields["Phase"],
        "data": fields["Data"],
    }


def parse_example(path: str | Path) -> ExampleMeta:
    """Read the title and tag line from an example script's docstring."""
    path = Path(path)
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    if not docstring:
        raise ValueError(f"{path}: an example must open with a docstring (title, tag line, motivation)")
    lines = [ln for ln in docstring.splitlines() if ln.strip()]
    title = lines[0].lstrip("#").strip()
    if len(lines) < 2:
        raise ValueError(f"{path}: the docstring needs a tag line after the title")
    return ExampleMeta(title=title, path=path.as_posix(), **parse_tag_line(lines[1], where=str(path)))
