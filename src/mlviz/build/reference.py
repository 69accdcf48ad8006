"""Links between the pages' code and the ``mlviz`` API reference, both ways.

The reference (``docs/reference/``) is rendered by mkdocstrings from the numpydoc
docstrings; every documented object gets an anchor named by its path
(``mlviz.datasets.load_iris``). After the build has written every page:

* each ``mlviz`` name a page imports links, wherever it appears in the page's code, to
  its entry (the import resolves what the name is: ``from mlviz.models import train``);
* each entry lists the pages that use it ("Used on"), as sphinx-gallery's
  backreferences do;
* Sphinx roles left in docstrings (``:func:`train```, which Markdown shows as text)
  become links to their entries, or plain code when they name nothing documented.

Computed from the pages' syntax trees and the rendered anchors; nothing is fetched.
"""

from __future__ import annotations

import ast
import html as html_lib
import os
import re
from collections import defaultdict
from pathlib import Path

__all__ = ["link_reference", "page_names", "reference_ids"]

_ID = re.compile(r'id="(mlviz(?:\.[A-Za-z_]\w*)*)"')
_ROLE = re.compile(r":(?:func|mod|class|data|meth|attr|obj|exc):<code>(~?)([^<]+)</code>")
_HEADING = re.compile(r'(<h([1-6]) id="(mlviz(?:\.[A-Za-z_]\w*)*)"[^>]*>.*?</h\2>)', re.S)
_CODE_BLOCK = re.compile(r'(<div class="highlight">.*?</div>)', re.S)  # code, not its output


def page_names(source: Path | str) -> dict[str, str]:
    """The ``mlviz`` names a page's code binds: ``{name in the code: full path}``.

    ``from mlviz.models import train as fit`` gives ``{"fit": "mlviz.models.train"}``;
    ``import mlviz.datasets`` gives ``{"mlviz.datasets": "mlviz.datasets"}``.
    """
    code = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
    names: dict[str, str] = {}
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "mlviz" and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "mlviz" and alias.name != "mlviz":
                    names[alias.asname or alias.name] = alias.name
    return names


def reference_ids(site: Path) -> dict[str, str]:
    """Every documented object's anchor: ``{path: "reference/<page>/#<path>"}``.

    A module's own path points at its page (or its heading, when the page holds several
    modules).
    """
    ids: dict[str, str] = {}
    for page in sorted((Path(site) / "reference").glob("*/index.html")):
        url = page.parent.relative_to(site).as_posix() + "/"
        text = page.read_text(encoding="utf-8")
        for found in _ID.findall(text):
            ids.setdefault(found, f"{url}#{found}")
        module = "mlviz." + page.parent.name
        ids.setdefault(module, url)
    return ids


def _resolve(target: str, context: str, ids: dict[str, str]) -> str | None:
    """The documented path a docstring's role names, seen from module ``context``."""
    candidates = [target, f"{context}.{target}", f"mlviz.{target}"]
    parts = context.split(".")
    candidates += [".".join(parts[:k] + [target]) for k in range(len(parts) - 1, 0, -1)]
    for candidate in candidates:
        if candidate in ids:
            return candidate
    endings = [i for i in ids if i.endswith("." + target)]
    return endings[0] if len(endings) == 1 else None


def _entry(full: str, ids: dict[str, str]) -> str | None:
    """The entry a name links to: its own, else its module's (a name the module makes
    at run time, such as ``mlviz.config.QUICK``, is documented in the module's text)."""
    while full and full not in ids:
        full = full.rpartition(".")[0]
    return full or None


def _relative(url: str, from_url: str) -> str:
    path, _, anchor = url.partition("#")
    rel = os.path.relpath(path or ".", from_url or ".").replace(os.sep, "/")
    rel = "" if rel == "." else rel + "/"
    return rel + (f"#{anchor}" if anchor else "")


def _link_roles(text: str, url: str, context: str, ids: dict[str, str]) -> str:
    def replace(match):
        short, target = match.group(1) == "~", match.group(2)
        shown = target.rsplit(".", 1)[-1] if short else target
        found = _resolve(target.lstrip("."), context, ids)
        code = f"<code>{shown}</code>"
        return f'<a class="autorefs" href="{_relative(ids[found], url)}">{code}</a>' if found else code

    return _ROLE.sub(replace, text)


def _link_code(text: str, url: str, names: dict[str, str], ids: dict[str, str]) -> tuple[str, set[str]]:
    """Link each bound ``mlviz`` name inside the page's Python code blocks."""
    used: set[str] = set()
    targets = {name: _entry(full, ids) for name, full in names.items()}
    # the module of each "from mlviz.x import name" links to its page too
    targets.update({m: _entry(m, ids) for m in {full.rpartition(".")[0] for full in names.values()} if "." in m})
    targets = {name: full for name, full in targets.items() if full}
    if not targets:
        return text, used

    def token(match):
        name = html_lib.unescape(match.group(2))
        full = targets.get(name)
        if full is None:
            return match.group(0)
        used.add(full)
        return f'<a class="mlviz-ref" href="{_relative(ids[full], url)}" title="{full}">{match.group(0)}</a>'

    def block(match):
        return re.sub(r'<span class="(n|nn|nc|nf)">([^<]+)</span>', token, match.group(1))

    return _CODE_BLOCK.sub(block, text), used


def link_reference(site: Path, sources: dict[str, Path], titles: dict[str, str]) -> dict[str, list[str]]:
    """Rewrite the built site: code names link to the reference, entries list their pages.

    Parameters
    ----------
    site : Path
        The built site.
    sources : dict
        Page URL (``"gallery/03_performance/plot_02_roc_curves/"``) -> its script.
    titles : dict
        Page URL -> the page's title, for the "Used on" lists.

    Returns
    -------
    dict
        Documented path -> the URLs of the pages that use it.
    """
    site = Path(site)
    ids = reference_ids(site)
    used_on: dict[str, list[str]] = defaultdict(list)
    for url, source in sorted(sources.items()):
        page = site / url / "index.html"
        if not page.is_file():
            continue
        text, used = _link_code(page.read_text(encoding="utf-8"), url, page_names(source), ids)
        page.write_text(text, encoding="utf-8")
        for full in sorted(used):
            used_on[full].append(url)
    for page in sorted((site / "reference").glob("*/index.html")):
        url = page.parent.relative_to(site).as_posix() + "/"
        text = page.read_text(encoding="utf-8")
        context = "mlviz." + page.parent.name

        def heading(match):
            pages = used_on.get(match.group(3), [])
            if not pages:
                return match.group(1)
            links = ", ".join(f'<a href="{_relative(p, url)}">{html_lib.escape(titles.get(p, p))}</a>' for p in pages)
            return f'{match.group(1)}<p class="mlviz-used-on">Used on: {links}</p>'

        text = _link_roles(_HEADING.sub(heading, text), url, context, ids)
        page.write_text(text, encoding="utf-8")
    return dict(used_on)
