"""The per-page transfer measurement: a 3x phone takes the larger srcset candidate."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_a_3x_phone_downloads_the_1200_px_copy_and_a_desktop_the_800_px_one(tmp_path):
    from mlviz.bench.transfer import page_transfer

    import numpy as np
    from PIL import Image

    site = tmp_path / "site"
    (site / "p").mkdir(parents=True)
    noise = np.random.default_rng(0).integers(0, 256, (600, 1200, 3), dtype=np.uint8)
    # Real WebP files (a browser may drop a body it cannot decode before it is counted);
    # noise does not compress, so the two copies differ clearly in size.
    Image.fromarray(noise[:400, :800]).save(site / "p" / "a.w800.webp", quality=80)
    Image.fromarray(noise).save(site / "p" / "a.w1200.webp", quality=80)
    small = (site / "p" / "a.w800.webp").stat().st_size
    large = (site / "p" / "a.w1200.webp").stat().st_size
    (site / "p" / "index.html").write_text(
        '<!doctype html><html><body><img src="a.w1200.webp" width="1200" height="600" alt="a" '
        'srcset="a.w800.webp 800w, a.w1200.webp 1200w" sizes="(max-width: 1220px) 100vw, 800px"></body></html>'
    )
    (site / "index.html").write_text("<!doctype html><html><body><p>home</p></body></html>")
    result = page_transfer(site, ["p/", ""])
    page = result["p/"]
    # The page's own HTML adds well under 1 kB to the image.
    assert small <= page["desktop"] < small + 1_000, (page, small, large)
    assert large <= page["phone"] < large + 1_000, (page, small, large)
    assert result[""]["desktop"] == result[""]["phone"] < 1_000
