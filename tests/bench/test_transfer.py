"""The per-page transfer measurement: a 3x phone takes the larger srcset candidate."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_a_3x_phone_downloads_the_1200_px_copy_and_a_desktop_the_800_px_one(tmp_path):
    from mlviz.bench.transfer import page_transfer

    site = tmp_path / "site"
    (site / "p").mkdir(parents=True)
    (site / "p" / "a.w800.webp").write_bytes(b"8" * 20_000)
    (site / "p" / "a.w1200.webp").write_bytes(b"1" * 50_000)
    (site / "p" / "index.html").write_text(
        '<!doctype html><html><body><img src="a.w1200.webp" width="1200" height="600" alt="a" '
        'srcset="a.w800.webp 800w, a.w1200.webp 1200w" sizes="(max-width: 1220px) 100vw, 800px"></body></html>'
    )
    (site / "index.html").write_text("<!doctype html><html><body><p>home</p></body></html>")
    result = page_transfer(site, ["p/", ""])
    page = result["p/"]
    assert 19_000 <= page["desktop"] < 25_000 and 49_000 <= page["phone"] < 55_000, page
    assert result[""]["desktop"] == result[""]["phone"] < 1_000
