"""The built site: every mlviz name in a page's code links to its API entry, and back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlviz.build.reference import page_names

from ..conftest import EXAMPLES

pytestmark = pytest.mark.slow


def _target(site: Path, page_url: str, href: str) -> tuple[Path, str]:
    path, _, anchor = href.partition("#")
    folder = (site / page_url / path).resolve()
    return folder / "index.html", anchor


def test_every_mlviz_name_in_a_pages_code_links_to_an_existing_reference_entry(quick_site):
    site, _ = quick_site
    checked = 0
    for source in EXAMPLES:
        url = f"gallery/{source.parent.name}/{source.stem}/"
        html = (site / url / "index.html").read_text()
        for name in page_names(source):
            pattern = rf'<a class="mlviz-ref" href="([^"]+)" title="[^"]+"><span class="n\w?">{re.escape(name)}</span></a>'
            hrefs = set(re.findall(pattern, html))
            assert hrefs, f"{source.name}: {name} is not linked to the API reference"
            for href in hrefs:
                target, anchor = _target(site, url, href)
                assert target.is_file(), f"{source.name}: {name} links to {href}, which is not in the site"
                assert not anchor or f'id="{anchor}"' in target.read_text(), f"{source.name}: no entry {anchor}"
                checked += 1
    assert checked > 200


def test_reference_entries_list_the_pages_that_use_them(quick_site):
    site, _ = quick_site
    datasets = (site / "reference" / "datasets" / "index.html").read_text()
    entry = datasets[datasets.index('id="mlviz.datasets.load_iris"') :]
    used_on = entry[: entry.index("</p>")]
    assert "Used on:" in used_on and "../../gallery/01_data_embeddings/plot_01_pca/" in used_on
    # Sphinx roles in docstrings are links or plain code, never raw text.
    for page in (site / "reference").glob("*/index.html"):
        assert not re.search(r":(func|mod|class|data|meth|attr):<code>", page.read_text()), page.parent.name
