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


_CHAIN = re.compile(r'((?:<span class="n">\w+</span><span class="o">\.</span>)+)(<span class="n">(\w+)</span>)')


def _link_library(code: str, external: dict[str, str]) -> str:
    """Link other libraries' names in a code block: ``roc_curve`` and ``shap.TreeExplainer``."""
    bound = {name: address for name, address in external.items() if "." not in name}

    def chain(match):
        dotted = ".".join(re.findall(r'<span class="n">(\w+)</span>', match.group(1))) + "." + match.group(3)
        address = external.get(dotted)
        if address is None:
            return match.group(0)
        return f'{match.group(1)}<a class="library-ref" href="{address}" title="{dotted}">{match.group(2)}</a>'

    code = _CHAIN.sub(chain, code)

    def token(match):
        address = bound.get(match.group(1))
        if address is None or match.start() and code[match.start() - 30 : match.start()].endswith('<span class="o">.</span>'):
            return match.group(0)
        return f'<a class="library-ref" href="{address}" title="{match.group(1)}">{match.group(0)}</a>'

    return re.sub(r'(?<!">)<span class="n">(\w+)</span>', lambda m: token(m) if m.group(1) in bound else m.group(0), code)


def _link_code(
    text: str, url: str, names: dict[str, str], ids: dict[str, str], external: dict[str, str] | None = None
) -> tuple[str, set[str]]:
    """Link each bound ``mlviz`` name (and, with ``external``, other libraries' names)
    inside the page's Python code blocks."""
    used: set[str] = set()
    if not names and not external:
        return text, used
    targets = {name: _entry(full, ids) for name, full in names.items()}
    # the module of each "from mlviz.x import name" links to its page too
    targets.update({m: _entry(m, ids) for m in {full.rpartition(".")[0] for full in names.values()} if "." in m})
    targets = {name: full for name, full in targets.items() if full}

    def token(match):
        name = html_lib.unescape(match.group(2))
        full = targets.get(name)
        if full is None:
            return match.group(0)
        used.add(full)
        return f'<a class="mlviz-ref" href="{_relative(ids[full], url)}" title="{full}">{match.group(0)}</a>'

    def block(match):
        code = re.sub(r'<span class="(n|nn|nc|nf)">([^<]+)</span>', token, match.group(1))
        return _link_library(code, external) if external else code

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
        external = {name: external_address(full) for name, full in library_names(source).items()}
        text, used = _link_code(page.read_text(encoding="utf-8"), url, page_names(source), ids, external)
        page.write_text(text, encoding="utf-8")
        for full in sorted(used):
            used_on[full].append(url)
    index = site / "reference" / "by-function" / "index.html"
    if index.is_file():  # its mlviz names link to their entries

        def name(match):
            entry = _entry(match.group(1), ids)
            if not entry:
                return match.group(0)
            return f'<a class="autorefs" href="{_relative(ids[entry], "reference/by-function/")}">{match.group(0)}</a>'

        index.write_text(re.sub(r"<code>(mlviz(?:\.\w+)+)</code>", name, index.read_text(encoding="utf-8")))
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


#: Where another library documents a name, by the name's full path. Only libraries whose
#: documentation puts every public object at an address built from its path.
EXTERNAL_DOCS = {
    "sklearn": "https://scikit-learn.org/stable/modules/generated/{}.html",
    "scipy": "https://docs.scipy.org/doc/scipy/reference/generated/{}.html",
    "shap": "https://shap.readthedocs.io/en/latest/generated/{}.html",
    "lime": "https://lime-ml.readthedocs.io/en/latest/lime.html#{}",
    "plotly": "https://plotly.com/python-api-reference/generated/{}.html",
    "torch": "https://docs.pytorch.org/docs/stable/generated/{}.html",
}

#: Parts of those libraries documented elsewhere than the pattern says.
_EXTERNAL_EXCEPTIONS = ("torch.utils.", "torch.Tensor", "torch.optim.lr_scheduler.", "torch.distributions.")


def external_address(full: str) -> str | None:
    """The documentation address of ``full`` (e.g. ``sklearn.metrics.roc_curve``), or None.

    Modules are left out (their pages follow no common pattern), and so are private names.
    """
    import importlib.util

    if any(part.startswith("_") for part in full.split(".")) or full.startswith(_EXTERNAL_EXCEPTIONS):
        return None
    pattern = EXTERNAL_DOCS.get(full.split(".")[0])
    if pattern is None:
        return None
    try:
        if importlib.util.find_spec(full) is not None:
            return None  # a module
    except (ImportError, ValueError):
        pass
    return pattern.format(full) if callable(_resolve_object(full)) else None


def _resolve_object(full: str):
    """The object ``full`` names (importing its module), or None."""
    import importlib

    module, _, rest = full.partition(".")
    try:
        obj = importlib.import_module(module)
    except ImportError:
        return None
    for part in rest.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:
                obj = importlib.import_module(f"{obj.__name__}.{part}")
            except (ImportError, AttributeError):
                return None
    return obj


def library_names(source: Path | str) -> dict[str, str]:
    """Names a page imports from the libraries in :data:`EXTERNAL_DOCS`: ``{name: full}``."""
    code = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
    names: dict[str, str] = {}
    modules: dict[str, str] = {}  # a name bound to a module -> the module
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full.split(".")[0] not in EXTERNAL_DOCS:
                    continue
                if external_address(full):
                    names[alias.asname or alias.name] = full
                elif _is_module(full):
                    modules[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in EXTERNAL_DOCS:
                    bound = alias.asname or alias.name.split(".")[0]
                    modules[bound] = alias.name if alias.asname else bound
    # "shap.TreeExplainer", "nn.Conv2d", "shap.plots.waterfall": chains on those modules
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain, base = [node.attr], node.value
            while isinstance(base, ast.Attribute):
                chain.insert(0, base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                full = ".".join([modules[base.id], *chain])
                if external_address(full):
                    names[".".join([base.id, *chain])] = full
    return names


def _is_module(full: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(full) is not None
    except (ImportError, ValueError):
        return False


def by_function_markdown(sources: dict[str, Path], titles: dict[str, str]) -> str:
    """The "by function" index: every name the pages import, and the pages that use it.

    ``sources`` and ``titles`` are keyed by the page's Markdown path in ``docs/``
    (``gallery/03_performance/plot_02_roc_curves.md``); links are relative to
    ``reference/by-function.md``.
    """
    uses: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for md, source in sorted(sources.items()):
        for full in sorted(set(page_names(source).values()) | set(library_names(source).values())):
            library = "mlviz" if full.startswith("mlviz") else full.split(".")[0]
            uses[library][full].append(md)
    order = ["mlviz"] + sorted(k for k in uses if k != "mlviz")
    out = [
        "# Pages by function",
        "",
        "Every function and class the pages import, and the pages that call it (computed "
        "from the pages' code). `mlviz` names link to this site's reference; the others to "
        "their library's documentation.",
        "",
    ]
    for library in (k for k in order if k in uses):
        out += [f"## {library}", ""]
        modules: dict[str, list[str]] = defaultdict(list)
        for full in uses[library]:
            modules[full.rpartition(".")[0]].append(full)
        for module in sorted(modules):
            out += [f"### {module}", ""]
            for full in sorted(modules[module], key=str.lower):
                shown = full if library == "mlviz" else f"[`{full}`]({external_address(full)})"
                links = " · ".join(f"[{titles.get(md, md)}](../{md})" for md in uses[library][full])
                out.append(f"- {f'`{shown}`' if library == 'mlviz' else shown}: {links}")
            out.append("")
    return "\n".join(out)
