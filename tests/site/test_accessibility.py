"""Every page of the built site in both palettes, checked with axe-core (WCAG 2.x A/AA).

No serious or critical violation is allowed: contrast, names of controls and links,
links told apart by more than colour, keyboard access to scrolling regions, ...
"""

from __future__ import annotations

import pytest

from .test_browser import page_urls

pytestmark = pytest.mark.slow

BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe():
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    return axe_module.Axe()


def _describe(violation) -> str:
    node = violation["nodes"][0]
    summary = " ".join(node.get("failureSummary", "").split())[:240]
    return f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements), e.g. {node['target']}: {summary}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", list(page_urls()))
def test_page_has_no_serious_accessibility_violation(browser, site_url, axe, path, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(site_url + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        result = axe.run(page)
    finally:
        context.close()
    blocking = [v for v in result.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{path or 'home'} ({scheme}): " + "; ".join(_describe(v) for v in blocking)
