"""What a reader's browser downloads per page, on a desktop and on a 3x phone.

Lighthouse's phone emulation uses a 1.75x screen, so it never sees what a 390-px phone
with a 3x screen (1,170 device pixels across) picks from a figure's ``srcset``. Here
Chromium loads every page twice, as a 1280-px desktop at 1x and as a 390x844 phone at
3x with touch, scrolls to the bottom so that lazy figures load, and counts the bytes
that came over the wire (the site served as a static host serves it, text gzipped).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEVICES", "page_transfer"]

#: The two readers: Playwright context options.
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True},
}


def _pages(site: Path) -> list[str]:
    return sorted(
        str(p.parent.relative_to(site)).replace("\\", "/") + "/" if p.parent != site else ""
        for p in site.rglob("index.html")
        if not p.parent.name.startswith(("assets", "search", "downloads"))
    )


def page_transfer(site: Path, pages: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Bytes transferred per page and device: ``{page: {"desktop": n, "phone": n}}``.

    Parameters
    ----------
    site : Path
        The built site.
    pages : list of str, optional
        Page addresses relative to the site (``"gallery/01_data_embeddings/plot_01_pca/"``);
        default every page.
    """
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, CHROMIUM_ARGS, serve

    pages = _pages(site) if pages is None else pages
    server, url = serve(site)
    result: dict[str, dict[str, int]] = {page: {} for page in pages}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for device, options in DEVICES.items():
                for page_url in pages:
                    context = browser.new_context(**options)  # a fresh cache per page
                    page = context.new_page()
                    sizes: list[int] = []

                    def count(request, sizes=sizes):
                        # "requestfinished": the whole body has arrived, so its size is known.
                        size = request.sizes()["responseBodySize"]
                        sizes.append(max(size, 0))  # -1: not known (a response from memory)

                    page.on("requestfinished", count)
                    page.goto(url + page_url, wait_until="networkidle")
                    height = page.evaluate("document.body.scrollHeight")
                    for y in range(0, height, 700):  # lazy figures load as they near the view
                        page.evaluate(f"window.scrollTo(0, {y})")
                        page.wait_for_timeout(60)
                    page.wait_for_load_state("networkidle")
                    result[page_url][device] = int(sum(sizes))
                    context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return result
