"""The benchmark's web server sends text compressed, as a static host does."""

from __future__ import annotations

import gzip
import urllib.request

import pytest

from mlviz.bench.browser import serve


@pytest.fixture
def site(tmp_path):
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text("<p>" + "text " * 2000 + "</p>")
    (tmp_path / "style.css").write_text("p { color: red; }\n" * 500)
    (tmp_path / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    server, url = serve(tmp_path, compress=True)
    yield tmp_path, url
    server.shutdown()
    server.server_close()


def get(url, *, gzip_ok=True):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request) as response:
        return response.headers, response.read()


def test_html_and_css_come_compressed_and_decompress_to_the_file(site):
    root, url = site
    for path, expected in [("page/", root / "page/index.html"), ("style.css", root / "style.css")]:
        headers, body = get(url + path)
        assert headers["Content-Encoding"] == "gzip" and int(headers["Content-Length"]) == len(body)
        assert gzip.decompress(body) == expected.read_bytes()
        assert len(body) < expected.stat().st_size / 5


def test_images_and_clients_without_gzip_get_the_file_as_it_is(site):
    root, url = site
    headers, body = get(url + "figure.png")
    assert headers["Content-Encoding"] is None and body == (root / "figure.png").read_bytes()
    headers, body = get(url + "style.css", gzip_ok=False)
    assert headers["Content-Encoding"] is None and body == (root / "style.css").read_bytes()


def test_missing_files_and_folders_without_a_slash_behave_as_before(site):
    _, url = site
    with pytest.raises(urllib.error.HTTPError) as error:
        get(url + "nothing.css")
    assert error.value.code == 404
    _, body = get(url + "page")  # redirected to page/, then served compressed
    assert gzip.decompress(body).startswith(b"<p>text")
