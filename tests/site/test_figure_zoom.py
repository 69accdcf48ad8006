"""The lightbox zooms into a figure's full-resolution PNG (javascripts/figure-zoom.js).

On a 3x phone (390 x 844 CSS px, touch) a double tap shows the figure at its PNG's natural
size (one PNG pixel per CSS pixel, several screens wide), a pinch zooms around the
fingers and a drag pans; on a desktop, double click, wheel and drag do the same. The
lightbox opened in the dark palette shows, and zooms, the dark variant.
"""

from __future__ import annotations

import time

import pytest

slow = pytest.mark.slow  # the browser tests; the HTML rewrite's test is fast

#: C1: two confusion matrices side by side, 4-5 px text when fitted to a phone.
PAGE = "gallery/03_performance/plot_01_confusion_matrix/"
PHONE = {"width": 390, "height": 844}

# The lightbox's picture, its drawn box (transforms included) and its PNG's size.
_IMAGE = """() => {
    const img = document.querySelector('.glightbox-container .gslide.current .gslide-image img');
    if (!img) return null;
    const r = img.getBoundingClientRect();
    return {src: img.getAttribute('src'), x: r.left, y: r.top, width: r.width, height: r.height,
            naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight};
}"""


def image(page) -> dict:
    return page.evaluate(_IMAGE)


def open_first_figure(page, site_url, *, tap: bool) -> dict:
    page.goto(site_url + PAGE, wait_until="networkidle")
    link = page.locator("a.glightbox:visible").first
    link.scroll_into_view_if_needed()
    link.tap() if tap else link.click()
    page.locator(".glightbox-container .gslide.current .gslide-image img").wait_for(
        state="visible", timeout=5000
    )
    page.wait_for_function(
        "() => document.querySelector('.gslide.current .gslide-image img').naturalWidth > 0"
    )
    page.wait_for_timeout(600)  # glightbox's opening animation
    return image(page)


def double_tap(page, x: float, y: float, zoomed) -> None:
    """Two taps at (x, y); again if this busy machine let 300 ms pass between them."""
    for _ in range(5):
        start = time.monotonic()
        page.touchscreen.tap(x, y)
        page.touchscreen.tap(x, y)
        gap = time.monotonic() - start
        page.wait_for_timeout(100)
        if zoomed(image(page)):
            return
        assert gap > 0.25, (
            f"a double tap ({gap * 1000:.0f} ms) did not zoom: {image(page)}"
        )
        page.wait_for_timeout(400)  # let the two taps count as single ones, then retry
    pytest.fail("no double tap came fast enough on this machine")


@pytest.fixture(params=["light", "dark"])
def phone(request, browser):
    """A 3x phone with a touch screen, in the light or the dark palette."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        color_scheme=request.param,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, request.param, errors
    context.close()


@slow
def test_double_tap_shows_the_palettes_png_at_full_resolution(phone, site_url):
    page, scheme, errors = phone
    fitted = open_first_figure(page, site_url, tap=True)
    assert fitted["src"].endswith(
        "_dark.png#only-dark" if scheme == "dark" else "_001.png#only-light"
    )
    # the lightbox's gallery is the palette's figures only (no hidden twin to swipe to)
    slides = page.locator(".glightbox-container .gslide").count()
    assert slides == page.locator(f'a.glightbox[href$="#only-{scheme}"]').count() >= 2
    assert fitted["width"] <= PHONE["width"] + 1, (
        "the lightbox opens the figure fitted to the screen"
    )
    assert fitted["naturalWidth"] > 3 * PHONE["width"], (
        "the PNG has more pixels than the phone's width shows"
    )

    x, y = fitted["x"] + 0.25 * fitted["width"], fitted["y"] + 0.5 * fitted["height"]
    double_tap(page, x, y, lambda box: box["width"] > fitted["width"] * 1.5)
    zoomed = image(page)
    # one PNG pixel per CSS pixel (3 screen pixels on this phone): the PNG's full resolution
    assert zoomed["width"] == pytest.approx(zoomed["naturalWidth"], abs=1)
    assert zoomed["height"] == pytest.approx(zoomed["naturalHeight"], abs=1)
    assert zoomed["width"] > 3 * PHONE["width"], (
        "the zoomed figure is several screens wide"
    )
    # the tapped point of the figure stays under the finger (no edge comes into view)
    assert (x - zoomed["x"]) / zoomed["width"] == pytest.approx(0.25, abs=0.01)
    assert zoomed["x"] <= 0 and zoomed["x"] + zoomed["width"] >= PHONE["width"]

    double_tap(page, x, y, lambda box: box["width"] < fitted["width"] + 1)
    assert image(page)["width"] == pytest.approx(fitted["width"], abs=1)
    assert page.locator(".glightbox-container").count() == 1, "the lightbox stays open"
    assert errors == []


def _touch(cdp, kind: str, points: list[tuple[float, float]]) -> None:
    cdp.send(
        "Input.dispatchTouchEvent",
        {
            "type": kind,
            "touchPoints": [
                {"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)
            ],
        },
    )


@slow
def test_pinch_zooms_around_the_fingers_and_a_drag_pans(phone, site_url):
    page, _, errors = phone
    fitted = open_first_figure(page, site_url, tap=True)
    cdp = page.context.new_cdp_session(page)
    cx, cy = PHONE["width"] / 2, fitted["y"] + fitted["height"] / 2
    # the first finger lands, then the second; they move apart from 40 to 200 px
    _touch(cdp, "touchStart", [(cx - 20, cy)])
    _touch(cdp, "touchStart", [(cx - 20, cy), (cx + 20, cy)])
    for step in range(1, 9):
        half = 20 + 10 * step
        _touch(cdp, "touchMove", [(cx - half, cy), (cx + half, cy)])
    _touch(cdp, "touchEnd", [])
    pinched = image(page)
    assert pinched["width"] == pytest.approx(5 * fitted["width"], rel=0.02), (
        "zoomed as far as the fingers spread"
    )
    assert pinched["width"] > pinched["naturalWidth"], (
        "a pinch can go past the PNG's natural size"
    )
    assert (cx - pinched["x"]) / pinched["width"] == pytest.approx(0.5, abs=0.01), (
        "around the fingers' midpoint"
    )

    # one finger drags the zoomed figure 100 px to the right
    _touch(cdp, "touchStart", [(cx, cy)])
    for step in range(1, 6):
        _touch(cdp, "touchMove", [(cx + 20 * step, cy)])
    _touch(cdp, "touchEnd", [])
    panned = image(page)
    assert panned["x"] == pytest.approx(pinched["x"] + 100, abs=1)
    assert panned["width"] == pytest.approx(pinched["width"], abs=1)
    # ... and cannot drag it off the screen: its left edge stops at the screen's
    for _ in range(3):
        _touch(cdp, "touchStart", [(10, cy)])
        _touch(cdp, "touchMove", [(200, cy)])
        _touch(cdp, "touchMove", [(380, cy)])
        _touch(cdp, "touchEnd", [])
    assert image(page)["x"] == pytest.approx(0, abs=1)
    assert page.locator(".glightbox-container .gslide.current").count() == 1, (
        "neither a swipe nor a close"
    )
    # the close button stays above the zoomed figure and answers a tap
    page.locator(".glightbox-container .gclose").tap()
    page.locator(".glightbox-container").wait_for(state="detached", timeout=5000)
    assert errors == []


@slow
def test_a_swipe_on_a_figure_that_is_not_zoomed_still_turns_the_lightbox_page(
    phone, site_url
):
    page, scheme, errors = phone
    fitted = open_first_figure(page, site_url, tap=True)
    cdp = page.context.new_cdp_session(page)
    y = fitted["y"] + fitted["height"] / 2
    _touch(cdp, "touchStart", [(300, y)])
    for x in (260, 200, 140, 80):
        _touch(cdp, "touchMove", [(x, y)])
    _touch(cdp, "touchEnd", [])
    page.wait_for_function(
        "s => (document.querySelector('.gslide.current img') || {}).src.includes(s)",
        arg="_002_dark.png" if scheme == "dark" else "_002.png",
        timeout=5000,
    )
    assert errors == []


@slow
def test_desktop_double_click_wheel_drag_and_keys(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        fitted = open_first_figure(page, site_url, tap=False)
        x, y = fitted["x"] + 0.5 * fitted["width"], fitted["y"] + 0.5 * fitted["height"]
        page.mouse.click(
            x, y
        )  # glightbox's own click zoom is replaced: a click does nothing
        page.wait_for_timeout(300)
        assert image(page)["width"] == pytest.approx(fitted["width"], abs=1)

        page.mouse.dblclick(x, y)
        zoomed = image(page)
        assert (
            zoomed["width"] >= zoomed["naturalWidth"] - 1
            and zoomed["width"] > 1.5 * fitted["width"]
        )
        page.mouse.wheel(0, -300)  # wheel up: closer
        closer = image(page)
        assert closer["width"] > zoomed["width"]
        assert (x - closer["x"]) / closer["width"] == pytest.approx(
            (x - zoomed["x"]) / zoomed["width"], abs=0.01
        )

        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 60, y + 40, steps=4)
        page.mouse.up()
        dragged = image(page)
        assert dragged["x"] == pytest.approx(closer["x"] + 60, abs=1)
        assert dragged["y"] == pytest.approx(closer["y"] + 40, abs=1)
        assert page.locator(".glightbox-container").count() == 1, (
            "a drag does not close the lightbox"
        )

        page.keyboard.press("0")
        assert image(page)["width"] == pytest.approx(fitted["width"], abs=1)
        page.keyboard.press("+")
        assert image(page)["width"] == pytest.approx(1.5 * fitted["width"], rel=0.01)
    finally:
        context.close()


@slow
def test_the_zoom_script_is_served_by_the_site(site_url):
    import urllib.request

    html = urllib.request.urlopen(site_url + PAGE).read().decode()
    assert '<script src="../../../javascripts/figure-zoom.js" defer></script>' in html
    script = (
        urllib.request.urlopen(site_url + "javascripts/figure-zoom.js").read().decode()
    )
    assert "naturalWidth" in script and "http" not in script, (
        "the script fetches nothing"
    )


def test_the_page_loads_the_zoom_and_each_palette_has_its_own_lightbox_gallery():
    from mlviz.build.pagehtml import defer_lightbox

    html = (
        '<script src="../../assets/javascripts/glightbox.min.js"></script>'
        '<a class="glightbox" data-type="image" href="../images/a.png#only-light">'
        '<img src="../images/a.png#only-light"></a>'
        '<a class="glightbox" data-type="image" href="../images/a_dark.png#only-dark">'
        '<img src="../images/a_dark.png#only-dark"></a>'
        '<a class="glightbox" href="../images/photo.png"><img src="../images/photo.png"></a>'
        '<a class="glightbox" data-gallery="mine" href="b.png#only-dark"></a>'
    )
    out = defer_lightbox(html)
    assert (
        '<script src="../../assets/javascripts/glightbox.min.js" defer></script>'
        '<script src="../../javascripts/figure-zoom.js" defer></script>'
    ) in out
    assert out.count("figure-zoom.js") == 1
    assert '<a class="glightbox" data-gallery="only-light" data-type="image"' in out
    assert '<a class="glightbox" data-gallery="only-dark" data-type="image"' in out
    # a figure without palette variants, and a gallery set by hand, are left alone
    assert '<a class="glightbox" href="../images/photo.png">' in out
    assert '<a class="glightbox" data-gallery="mine" href="b.png#only-dark">' in out
    # a page without the lightbox gets no zoom script
    assert "figure-zoom" not in defer_lightbox("<p>text</p>")
