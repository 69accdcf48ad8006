"""Figures sized for every screen: pixel sizes, lazy loading, WebP copies in srcset."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from mlviz.config import cache_dir


_IMG = re.compile(r"<img\b[^>]*>")


_SRC = re.compile(r'\bsrc="([^"#?]+\.(?:png|jpe?g|gif))(?:[#?][^"]*)?"')


#: Figures wider than this get a narrower copy for phones and ordinary screens.
NARROW_WIDTH = 800


#: The widths of a figure's WebP copies (those below its own width, plus its own): 800
#: for a desktop column and 1.75x phones, 1200 for 3x phones (390 CSS px = 1170 device
#: px), full width for wide high-density screens.
COPY_WIDTHS = (NARROW_WIDTH, 1200)


#: ``sizes`` of a figure: the whole viewport on phones and tablets (Material's sidebars
#: go away below 76.25em), at most ~800 px in the desktop layout's content column.
_SIZES = "(max-width: 76.25em) 100vw, 800px"


_SRCSET = re.compile(r'\s+srcset="[^"]*"')


#: WebP quality of the narrow copies: text and lines look the same as in the PNG at
#: reading size, and a figure of photographs weighs 100 kB instead of 480 kB.
NARROW_QUALITY = 90


def narrow_copy(source: Path, target: Path, width: int = NARROW_WIDTH) -> None:
    """Write ``source`` scaled down to ``width`` pixels (Lanczos) as a WebP ``target``.

    The copies are cached by the source's content (``cache_dir("figure-copies")``): a
    rebuild with unchanged figures only copies files.
    """
    from PIL import Image

    data = source.read_bytes()
    key = f"{hashlib.sha256(data).hexdigest()[:20]}-{width}-q{NARROW_QUALITY}.webp"
    cached = cache_dir("figure-copies") / key
    if not cached.is_file():
        with Image.open(source) as image:
            height = round(image.height * width / image.width)
            small = image.convert("RGB")
            if (width, height) != small.size:
                small = small.resize((width, height), Image.Resampling.LANCZOS)
            partial = cached.with_suffix(".tmp")
            small.save(partial, format="WEBP", quality=NARROW_QUALITY, method=4)
            partial.replace(cached)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)


def size_images(html: str, page_dir: Path, *, eager: int = 1, site_page_dir: Path | None = None) -> str:
    """Give each local image its pixel size, a narrow copy, and lazy loading below the top.

    The size lets the browser reserve the space before the image arrives (no layout
    shift); ``loading="lazy"`` fetches figures further down only when the reader gets
    near them. With ``site_page_dir`` (the page's folder in the built site), a PNG also
    gets WebP copies next to it, at each of :data:`COPY_WIDTHS` below its own width and
    at its own (``x.w800.webp``, ``x.w1200.webp``, ``x.w1600.webp``), offered in a
    ``srcset``: a desktop column takes the 800-px copy, a 3x phone the 1200-px one, a
    wide high-density screen the full-width one; the lightbox links the PNG itself.

    Parameters
    ----------
    html : str
        The page.
    page_dir : Path
        The folder the page's relative image addresses start from.
    eager : int
        How many images at the top of the page load at once.
    site_page_dir : Path, optional
        Where the narrow copies go; without it no copies are made.
    """
    from PIL import Image

    count = 0

    def _size(match):
        nonlocal count
        tag = match.group(0)
        source = _SRC.search(tag)
        if source is None or "://" in source.group(1):
            return tag
        address = source.group(1)
        path = Path(os.path.normpath(page_dir / address))
        extra = []
        width = None
        if path.is_file():
            with Image.open(path) as image:
                width, height = image.size
            if " width=" not in tag:
                extra.append(f'width="{width}" height="{height}"')
        if site_page_dir is not None and width and address.endswith(".png"):
            copies = []
            for w in sorted({w for w in COPY_WIDTHS if w < width} | {width}):
                copy = address[: -len(".png")] + f".w{w}.webp"
                narrow_copy(path, Path(os.path.normpath(site_page_dir / copy)), width=w)
                copies.append(f"{copy} {w}w")
            tag = _SRCSET.sub("", tag)
            sizes = _SIZES if width > NARROW_WIDTH else f"(max-width: {width}px) 100vw, {width}px"
            extra.append(f'srcset="{", ".join(copies)}" sizes="{sizes}"')
        dark_twin = "#only-dark" in tag  # hidden in the light palette: fetched when shown
        if not dark_twin:
            count += 1
        if (count > eager or dark_twin) and "loading=" not in tag:
            extra.append('loading="lazy"')
        if "decoding=" not in tag:
            extra.append('decoding="async"')
        return tag[:4] + " " + " ".join(extra) + tag[4:] if extra else tag

    return _IMG.sub(_size, html)
