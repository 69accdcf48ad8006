"""MkDocs hooks for the gallery site (named under ``hooks:`` in ``mkdocs.yml``).

* **Build mode**: mkdocs-gallery skips examples whose source did not change (MD5).
  A page built in quick mode, or with an older helper package, must not survive into a
  full build, so the generated gallery is wiped when the mode or the package changes.
* **Offline plotly**: plotly figures link plotly.js from a CDN; every page is rewritten
  to load the copy that the site serves itself, and the build fails if any page still
  loads a script or stylesheet from another host. Pages with an interactive shap plot
  load shap's JavaScript bundle, copied from the shap package into the site.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from mlviz.config import is_quick

log = logging.getLogger("mkdocs.hooks.mlviz")

PLOTLY_JS = "assets/javascripts/plotly.min.js"
#: shap's bundle for interactive force plots (the pages' inline scripts expect window.SHAP).
SHAP_JS = "assets/javascripts/shap-bundle.js"
_STAMP = ".mlviz-build-mode"
_PACKAGE = Path(__file__).resolve().parents[1]

_CDN_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*(?:plot\.ly|plotly|mathjax)[^"]*"[^>]*>\s*</script>', re.I)
# Anything the browser would fetch from another host when the page loads.
_EXTERNAL = re.compile(
    r'<script\b[^>]*\bsrc="(?:https?:)?//[^"]+"[^>]*>'
    r'|<link\b(?=[^>]*\brel="(?:stylesheet|preload|preconnect|icon|modulepreload)")[^>]*\bhref="(?:https?:)?//[^"]+"[^>]*>'
    r'|<(?:img|iframe)\b[^>]*\bsrc="(?:https?:)?//[^"]+"[^>]*>',
    re.I,
)


def build_mode() -> str:
    """A string that changes when quick mode or the helper package's code changes."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return f"quick={int(is_quick())} package={digest.hexdigest()[:16]}"


def _gallery_dirs(config) -> list[Path]:
    plugin = config["plugins"].get("gallery")
    dirs = plugin.config["gallery_dirs"] if plugin is not None else []
    if isinstance(dirs, str):
        dirs = [dirs]
    root = Path(config["config_file_path"]).parent
    return [root / d for d in dirs]


def on_config(config, **kwargs):
    mode = build_mode()
    for folder in _gallery_dirs(config):
        stamp = folder / _STAMP
        if folder.exists() and (not stamp.exists() or stamp.read_text() != mode):
            log.info("mlviz: build mode changed (%s); regenerating %s", mode, folder)
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        stamp.write_text(mode)
    return config


def on_post_page(output, page, config, **kwargs):
    if "plotly-graph-div" in output:
        local = get_relative_url(PLOTLY_JS, page.url)
        tag = f'<script charset="utf-8" src="{local}"></script>'
        first = [True]

        def _swap(match):
            if first[0]:
                first[0] = False
                return tag
            return ""

        output = _CDN_SCRIPT.sub(_swap, output)
        if first[0]:  # the figure carried no script tag of its own: load plotly.js once
            output = output.replace("</head>", f"{tag}</head>", 1)
    if "SHAP.ReactDom.render" in output:  # an interactive shap plot: load the site's copy of shap's JS first
        local = get_relative_url(SHAP_JS, page.url)
        output = output.replace("</head>", f'<script charset="utf-8" src="{local}"></script></head>', 1)
    external = [m.group(0) for m in _EXTERNAL.finditer(output)]
    if external:
        raise PluginError(
            f"{page.file.src_uri} loads from another host, but the site must work offline: "
            + "; ".join(external[:3])
        )
    return output


def on_post_build(config, **kwargs):
    import plotly

    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not source.is_file():
        raise PluginError(f"plotly.js not found at {source}; reinstall plotly")
    target = Path(config["site_dir"]) / PLOTLY_JS
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)

    import shap

    source = Path(shap.__file__).parent / "plots" / "resources" / "bundle.js"
    if not source.is_file():
        raise PluginError(f"shap's JavaScript bundle not found at {source}; reinstall shap")
    shutil.copyfile(source, Path(config["site_dir"]) / SHAP_JS)
