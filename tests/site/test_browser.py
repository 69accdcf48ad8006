"""The built site in headless Chromium: pages load offline and the basics work."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from ..conftest import EXAMPLES, serve

pytestmark = pytest.mark.slow


def page_urls():
    yield ""
    yield "gallery/"
    for example in EXAMPLES:
        yield f"gallery/{example.parent.name}/{example.stem}/"


@pytest.mark.parametrize("path", list(page_urls()))
def test_page_loads_offline_without_errors(probe, site_url, path):
    response = probe.page.goto(site_url + path, wait_until="networkidle")
    assert response.ok, f"{path}: HTTP {response.status}"
    assert probe.errors == [], f"{path}: console errors {probe.errors}"
    assert probe.failed == [], f"{path}: failed requests {probe.failed}"
    local = urlparse(site_url).netloc
    foreign = [u for u in probe.requests if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != local]
    assert foreign == [], f"{path}: requests to other hosts {foreign}"


def test_plotly_figure_becomes_interactive(probe, site_url):
    probe.page.goto(site_url + "gallery/01_data_embeddings/plot_01_pca/", wait_until="networkidle")
    plot = probe.page.locator(".plotly-graph-div").first
    assert not probe.page.evaluate("'Plotly' in window"), "plotly.js loads only when a figure nears the view"
    plot.scroll_into_view_if_needed()
    plot.locator(".nsewdrag").first.wait_for(timeout=15000)  # plotly.js is fetched, then the figure drawn
    box = plot.locator(".nsewdrag").first.bounding_box()
    assert box, "the plot area was not drawn"
    # sweep the pointer across the plot until a hover label appears
    for fx in (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65):
        for fy in (0.5, 0.4, 0.6, 0.3, 0.7):
            probe.page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
            probe.page.wait_for_timeout(60)
            if probe.page.locator(".hoverlayer .hovertext").count():
                assert "digit" in probe.page.locator(".hoverlayer").text_content()
                return
    pytest.fail("no hover tooltip appeared over the plotly figure")


def test_dark_mode_toggle_switches_scheme(probe, site_url):
    probe.page.goto(site_url, wait_until="networkidle")
    body = probe.page.locator("body")
    before = body.get_attribute("data-md-color-scheme")
    probe.page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    after = body.get_attribute("data-md-color-scheme")
    assert {before, after} == {"default", "slate"}


def test_code_blocks_have_copy_buttons(probe, site_url):
    probe.page.goto(site_url + "gallery/02_model_structure/plot_01_decision_tree_iris/", wait_until="networkidle")
    blocks = probe.page.locator(".md-typeset .highlight pre").count()
    assert blocks > 3
    # mkdocs-material 9.8 puts one copy button (data-md-type="copy") in each code block
    assert probe.page.locator('.highlight pre button[data-md-type="copy"]').count() == blocks


# The top hit must be a page that teaches the technique (B1 and B2 both draw a decision
# tree; which of the two ranks first depends on their opening paragraphs).
@pytest.mark.parametrize(("query", "title"), [("decision tree", "Decision tree on "), ("Grad-CAM", "Grad-CAM")])
def test_search_finds_a_technique(probe, site_url, query, title):
    probe.page.goto(site_url, wait_until="networkidle")
    probe.page.keyboard.press("s")  # Material's shortcut to open search
    probe.page.keyboard.type(query)
    # Results update as each key is typed ("Grad" first matches "Gradient ..."): wait for
    # the search of the whole query to settle, then the top hit must be the page.
    probe.page.wait_for_function(
        "t => { const r = document.querySelector('.md-search-result__item'); return r && r.innerText.includes(t); }",
        arg=title,
        timeout=10000,
    )
    assert title in probe.page.locator(".md-search-result__item").first.inner_text()


def test_downloaded_script_runs_as_a_plain_script(site_url, tmp_path):
    import os
    import subprocess
    import sys
    import urllib.request

    url = site_url + "gallery/02_model_structure/plot_01_decision_tree_iris.py"
    script = tmp_path / "plot_01_decision_tree_iris.py"
    script.write_bytes(urllib.request.urlopen(url).read())
    notebook = urllib.request.urlopen(url.replace(".py", ".ipynb")).read()
    assert b'"cells"' in notebook
    env = dict(os.environ, MPLBACKEND="agg", MLVIZ_QUICK="1")
    env.pop("MLVIZ_GALLERY_BUILD", None)
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "training flowers" in result.stdout and "It ends in leaf" in result.stdout


@pytest.fixture(scope="module")
def sub_path_url(quick_site, tmp_path_factory):
    """The site served under a sub-path, as on GitHub Pages (https://user.github.io/repo/)."""
    import os

    site, _ = quick_site
    root = tmp_path_factory.mktemp("pages")
    os.symlink(site, root / "ml-gallery")
    server, url = serve(root)
    yield url + "ml-gallery/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["", "gallery/01_data_embeddings/plot_01_pca/"])
def test_site_works_under_a_sub_path(probe, sub_path_url, path):
    response = probe.page.goto(sub_path_url + path, wait_until="networkidle")
    assert response.ok
    assert probe.failed == [] and probe.errors == []
    assert all(urlparse(u).path.startswith("/ml-gallery/") for u in probe.requests if u.startswith("http"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_follow_the_palette(browser, site_url, scheme):
    """Each matplotlib figure shows its light variant in the light theme, its dark one in dark."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(site_url + "gallery/01_data_embeddings/plot_01_pca/", wait_until="networkidle")
    shown, hidden = ("#only-light", "#only-dark") if scheme == "light" else ("#only-dark", "#only-light")
    assert page.locator(f'img.mkd-glr-single-img[src$="{shown}"]').count() == 2
    assert all(img.is_visible() for img in page.locator(f'img[src$="{shown}"]').all())
    assert not any(img.is_visible() for img in page.locator(f'img[src$="{hidden}"]').all())
    dark = page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    assert dark == (scheme == "dark")
    context.close()


def test_a_figure_opens_full_size_on_a_phone(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site_url + "gallery/01_data_embeddings/plot_01_pca/", wait_until="networkidle")
    figure = page.locator('a.glightbox img[src$="#only-light"]').first
    figure.scroll_into_view_if_needed()
    inline_width = figure.bounding_box()["width"]
    figure.click()
    opened = page.locator(".glightbox-container .gslide.current img")
    opened.wait_for(state="visible", timeout=5000)
    assert "mkd_glr_plot_01_pca_001.png" in opened.get_attribute("src")
    assert opened.evaluate("img => img.naturalWidth") > 2 * inline_width, "the lightbox holds the full-size figure"
    context.close()


@pytest.mark.parametrize("path", list(page_urls()))
def test_nothing_sticks_out_of_a_phone_screen(browser, site_url, path):
    """At 390 px the page does not scroll sideways: wide content scrolls in its own box."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(site_url + path, wait_until="load")
        overflow = page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const wide = [];
                for (const el of document.querySelectorAll('.md-content *')) {
                    const box = el.getBoundingClientRect();
                    if (box.width === 0 || box.right <= width + 1) continue;
                    // inside a box that scrolls sideways (code, tables) is fine
                    let p = el.parentElement, scrolls = false;
                    while (p && p !== document.body) {
                        const s = getComputedStyle(p);
                        if (['auto', 'scroll', 'hidden'].includes(s.overflowX) && p.getBoundingClientRect().right <= width + 1) {
                            scrolls = true; break;
                        }
                        p = p.parentElement;
                    }
                    if (!scrolls) wide.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(box.right));
                }
                return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
            }"""
        )
    finally:
        context.close()
    assert overflow["scroll"] <= overflow["width"] + 1 and not overflow["wide"], f"{path or 'home'}: {overflow}"
