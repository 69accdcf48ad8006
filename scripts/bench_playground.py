"""Measure how fast the neural-network playground trains and redraws in headless Chromium.

Serves the built site (``site/``, from ``make docs``) on the loopback interface, opens
the playground with a network of 2 hidden layers of 8 neurons, presses play for a few
seconds and prints the training epochs ("steps": one click of *Step*) and the frames
drawn per second. The target from the catalog is at least 30 steps drawn per second on a
laptop-class machine.

Usage::

    python scripts/bench_playground.py [--site site] [--seconds 5] [--query "?layers=8,8"]
"""

from __future__ import annotations

import argparse
import http.server
import os
import threading
from functools import partial
from pathlib import Path

CHROMIUM = os.environ.get("MLVIZ_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path(__file__).resolve().parents[1] / "site")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--query", default="?data=circles&layers=8,8&act=tanh")
    parser.add_argument("--speeds", default="1,5", help="epochs per frame to try, comma-separated")
    args = parser.parse_args()
    if not (args.site / "playground" / "index.html").is_file():
        raise SystemExit(f"{args.site}/playground/index.html not found: run `make docs` first")

    from playwright.sync_api import sync_playwright

    server, url = serve(args.site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + "playground/" + args.query, wait_until="networkidle")
            page.wait_for_function("window.nnPlayground !== undefined")
            print(f"playground{args.query}, {args.seconds:g} s per run, headless Chromium (--disable-gpu)")
            for speed in (int(s) for s in args.speeds.split(",")):
                r = measure(page, args.seconds, speed)
                print(
                    f"  {speed:>2} epoch(s) per frame: {r['steps_per_s']:6.1f} steps/s, "
                    f"{r['frames_per_s']:5.1f} frames/s ({r['epoch']} epochs in {r['seconds']:.1f} s)"
                )
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
