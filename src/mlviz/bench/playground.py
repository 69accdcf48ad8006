"""Measure how fast the neural-network playground trains and redraws in headless Chromium.

Serves the built site (``site/``, from ``make docs``) on the loopback interface, opens
the playground with a network of 2 hidden layers of 8 neurons, presses play for a few
seconds and prints the training epochs ("steps": one click of *Step*) and the frames
drawn per second. The target from the catalog is at least 30 steps drawn per second on a
laptop-class machine.

``make bench`` runs it on the benchmark's build; on its own::

    python -m mlviz.bench.playground [--site site] [--seconds 5] [--query "?layers=8,8"]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .browser import CHROMIUM, CHROMIUM_ARGS, serve

DEFAULT_QUERY = "?data=circles&layers=8,8&act=tanh"


def measure(page, seconds: float, speed: int) -> dict:
    """Play for ``seconds`` at ``speed`` epochs per frame; return rates per second."""
    page.locator("select[name=speed]").select_option(str(speed))
    page.locator(".nnpg-reset").click()
    before = page.evaluate("({...nnPlayground.stats, t: performance.now()})")
    page.locator(".nnpg-play").click()
    page.wait_for_timeout(seconds * 1000)
    after = page.evaluate("({...nnPlayground.stats, t: performance.now(), epoch: nnPlayground.session.epoch})")
    page.locator(".nnpg-play").click()
    elapsed = (after["t"] - before["t"]) / 1000
    return {
        "speed": speed,
        "seconds": elapsed,
        "steps_per_s": (after["epochs"] - before["epochs"]) / elapsed,
        "frames_per_s": (after["frames"] - before["frames"]) / elapsed,
        "epoch": after["epoch"],
    }


def playground_rates(site: Path, *, seconds: float = 5.0, query: str = DEFAULT_QUERY, speeds=(1, 5)) -> list[dict]:
    """Open the built playground in headless Chromium and measure its training/drawing rates."""
    if not (Path(site) / "playground" / "index.html").is_file():
        raise FileNotFoundError(f"{site}/playground/index.html not found: build the site first")
    from playwright.sync_api import sync_playwright

    server, url = serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + "playground/" + query, wait_until="networkidle")
            page.wait_for_function("window.nnPlayground !== undefined")
            rates = [measure(page, seconds, speed) for speed in speeds]
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path(__file__).resolve().parents[3] / "site")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--query", default=DEFAULT_QUERY)
    parser.add_argument("--speeds", default="1,5", help="epochs per frame to try, comma-separated")
    args = parser.parse_args()
    speeds = [int(s) for s in args.speeds.split(",")]
    print(f"playground{args.query}, {args.seconds:g} s per run, headless Chromium (--disable-gpu)")
    for r in playground_rates(args.site, seconds=args.seconds, query=args.query, speeds=speeds):
        print(
            f"  {r['speed']:>2} epoch(s) per frame: {r['steps_per_s']:6.1f} steps/s, "
            f"{r['frames_per_s']:5.1f} frames/s ({r['epoch']} epochs in {r['seconds']:.1f} s)"
        )


if __name__ == "__main__":
    main()
