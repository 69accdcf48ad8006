"""Serving a built site on the loopback interface and driving Debian's Chromium.

Shared by the browser tests and the benchmark. Playwright's own browser download does
not work offline, so Playwright drives the system Chromium (``/usr/bin/chromium``).
"""

from __future__ import annotations

import http.server
import os
import threading
from functools import partial
from pathlib import Path

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "QuietHandler", "serve"]

#: The browser binary (Debian's package ``chromium``); ``$MLVIZ_CHROMIUM`` overrides it.
CHROMIUM = os.environ.get("MLVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # needed when running as root
    "--disable-gpu",
    "--disable-background-networking",  # otherwise Chromium keeps trying to reach the internet
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not log every request."""

    def log_message(self, *args):
        pass


def serve(folder: str | Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``folder`` on 127.0.0.1 in a background thread; return (server, base URL).

    Call ``server.shutdown()`` and ``server.server_close()`` when done.
    """
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"
