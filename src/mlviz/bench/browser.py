"""Serving a built site on the loopback interface and driving Debian's Chromium.

Shared by the browser tests and the benchmark. Playwright's own browser download does
not work offline, so Playwright drives the system Chromium (``/usr/bin/chromium``).
"""

from __future__ import annotations

import gzip
import http.server
import io
import os
import threading
from functools import lru_cache, partial
from pathlib import Path

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "COMPRESSED_TYPES", "HostingHandler", "QuietHandler", "serve"]

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


#: Content types a static host (GitHub Pages, Netlify, nginx's ``gzip_types``) compresses.
COMPRESSED_TYPES = (
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "text/plain",
)


@lru_cache(maxsize=256)
def _gzipped(path: str, mtime_ns: int) -> bytes:  # mtime in the key: a rebuilt file is re-read
    return gzip.compress(Path(path).read_bytes(), compresslevel=6)


class HostingHandler(QuietHandler):
    """Serve files as a static host does: text compressed with gzip when the client asks.

    Page weight and load times measured behind :class:`QuietHandler` count every HTML,
    CSS, JavaScript and JSON byte uncompressed, several times what a reader downloads
    from the published site. Binary files (PNG, fonts, wheels) are sent as they are.
    """

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants_gzip and path.is_file() and ctype.split(";")[0] in COMPRESSED_TYPES):
            return super().send_head()
        body = _gzipped(str(path), path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


def serve(folder: str | Path, *, compress: bool = False) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``folder`` on 127.0.0.1 in a background thread; return (server, base URL).

    With ``compress=True`` text files are sent gzip-compressed to clients that accept it,
    as a static host sends them (:class:`HostingHandler`); the benchmark measures that way.
    Call ``server.shutdown()`` and ``server.server_close()`` when done.
    """
    handler = HostingHandler if compress else QuietHandler
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"
