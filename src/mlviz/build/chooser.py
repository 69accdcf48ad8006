"""The visualization chooser and the home page's section grid (a MkDocs hook).

Both are generated from the gallery itself, so that a new example or a new section
appears without anyone editing a list:

* ``<!-- mlviz:chooser -->`` in a hand-written page becomes one card per example, built
  from the tag line each example declares once in its docstring
  (:func:`mlviz.build.metadata.parse_example`), plus the filter controls that
  ``docs/javascripts/chooser.js`` drives.
* ``<!-- mlviz:sections -->`` becomes one card per gallery section folder
  (``gallery/NN_name/``), titled from its ``README.md``, showing the thumbnail of its
  first example and its number of pages.

``mkdocs.yml`` names this file under ``hooks:``.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from mkdocs.utils import get_relative_url

from mlviz.build.metadata import FAMILIES, PHASES, QUESTIONS, ExampleMeta, parse_example

__all__ = [
    "CHOOSER_MARKER",
    "SECTIONS_MARKER",
    "Section",
    "chooser_html",
    "collect_examples",
    "collect_sections",
    "on_page_markdown",
    "sections_html",
    "thumbnail_path",
]

CHOOSER_MARKER = "<!-- mlviz:chooser -->"
SECTIONS_MARKER = "<!-- mlviz:sections -->"
CHOOSER_JS = "javascripts/chooser.js"
_SEP = "|"  # separates several values in one data-* attribute (values contain spaces)
_SECTION_TITLE = re.compile(r"^#\s+(?:(?P<letter>[A-Z])\.\s+)?(?P<title>.+?)\s*$")

#: Family filter: "any model" shows everything; a concrete family also shows the
#: model-agnostic pages (family "any"), which apply to it too.
_FAMILY_LABELS = {
    "tree": "tree",
    "linear": "linear",
    "kernel": "kernel",
    "neural network": "neural network",
    "any": "model-agnostic only",
}


@dataclass(frozen=True)
class Section:
    """One gallery section folder: ``gallery/<folder>/`` with its README and examples."""

    folder: str
    letter: str
    title: str
    summary: str
    examples: tuple[Path, ...]


def collect_examples(gallery_dir: str | Path) -> list[ExampleMeta]:
    """Parse every ``plot_*.py`` of every section of ``gallery_dir``, in file-name order."""
    return [parse_example(p) for p in sorted(Path(gallery_dir).glob("*/plot_*.py"))]


def collect_sections(gallery_dir: str | Path) -> list[Section]:
    """Every section folder of ``gallery_dir`` (a folder holding a ``README.md``), in name order."""
    sections = []
    for folder in sorted(p for p in Path(gallery_dir).iterdir() if (p / "README.md").is_file()):
        lines = (folder / "README.md").read_text(encoding="utf-8").splitlines()
        heading = next((ln for ln in lines if ln.startswith("#")), f"# {folder.name}")
        match = _SECTION_TITLE.match(heading)
        prose = []
        for line in lines[lines.index(heading) + 1 if heading in lines else 0 :]:
            if not line.strip():
                if prose:
                    break
                continue
            prose.append(line.strip())
        sections.append(
            Section(
                folder=folder.name,
                letter=match["letter"] or "",
                title=match["title"],
                summary=re.sub(r"[*`]", "", " ".join(prose)),  # shown as plain text: drop Markdown emphasis
                examples=tuple(sorted(folder.glob("plot_*.py"))),
            )
        )
    return sections


def thumbnail_path(section_folder: str, stem: str) -> str:
    """Where mkdocs-gallery writes an example's thumbnail, relative to ``docs/``."""
    return f"gallery/{section_folder}/images/thumb/mkd_glr_{stem}_thumb.png"


def section_anchor(section: Section) -> str:
    """The id of the section's heading in the generated gallery index (``gallery/``)."""
    from markdown.extensions.toc import slugify

    heading = f"{section.letter}. {section.title}" if section.letter else section.title
    return slugify(heading, "-")


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _image(thumb: str | None, page_url: str) -> str:
    if thumb is None:
        return '<span class="mlviz-card__noimg" aria-hidden="true"></span>'
    return f'<img class="mlviz-card__img" src="{escape(get_relative_url(thumb, page_url))}" alt="">'


def _example_card(meta: ExampleMeta, page_url: str, thumbs: Container[str]) -> str:
    path = Path(meta.path)
    folder, stem = path.parent.name, path.stem
    thumb = thumbnail_path(folder, stem)
    href = get_relative_url(f"gallery/{folder}/{stem}/", page_url)
    tags = " · ".join((", ".join(meta.questions), ", ".join(meta.families), ", ".join(meta.phases)))
    return (
        f'<a class="mlviz-card" href="{escape(href)}" data-id="{escape(meta.id)}"'
        f' data-questions="{escape(_SEP.join(meta.questions))}"'
        f' data-families="{escape(_SEP.join(meta.families))}"'
        f' data-phases="{escape(_SEP.join(meta.phases))}">'
        + _image(thumb if thumb in thumbs else None, page_url)
        + '<span class="mlviz-card__body">'
        f'<span class="mlviz-card__id">{escape(meta.id)}</span>'
        f'<span class="mlviz-card__title">{escape(meta.title)}</span>'
        f'<span class="mlviz-card__tags">{escape(tags)}</span>'
        "</span></a>"
    )


def _option(kind: str, name: str, value: str, label: str, count: int, checked: bool = False) -> str:
    ident = f"mlviz-{name}-{_slug(value) or 'all'}"
    return (
        f'<label for="{ident}"><input type="{kind}" id="{ident}" name="{name}" value="{escape(value)}"'
        + (" checked" if checked else "")
        + f'> {escape(label)} <span class="mlviz-chooser__n">{count}</span></label>'
    )


def chooser_html(examples: Sequence[ExampleMeta], page_url: str, thumbs: Container[str] = ()) -> str:
    """The chooser's HTML: filter controls, a live count and one card per example.

    Parameters
    ----------
    examples : sequence of ExampleMeta
        The gallery's examples (see :func:`collect_examples`); each gives one card.
    page_url : str
        The URL of the page the HTML goes into (e.g. ``"chooser/"``): links and images
        are written relative to it, so the site works under any sub-path and offline.
    thumbs : container of str
        The thumbnail paths (relative to ``docs/``, see :func:`thumbnail_path`) that
        exist in this build. An example without one gets a card without an image.

    Returns
    -------
    str
        One raw-HTML block (no blank line inside, so Markdown leaves it alone).
    """
    if not examples:
        raise ValueError("examples: expected at least one ExampleMeta; got an empty sequence")

    def count(attr: str, value: str) -> int:
        return sum(value in getattr(m, attr) for m in examples)

    questions = "".join(_option("checkbox", "question", q, q, count("questions", q)) for q in QUESTIONS)
    families = _option("radio", "family", "", "any model", len(examples), checked=True) + "".join(
        _option(
            "radio",
            "family",
            f,
            _FAMILY_LABELS[f],
            sum(f in m.families or (f != "any" and "any" in m.families) for m in examples),
        )
        for f in FAMILIES
    )
    phases = "".join(_option("checkbox", "phase", p, p, count("phases", p)) for p in PHASES)
    cards = "\n".join(_example_card(m, page_url, thumbs) for m in examples)
    script = get_relative_url(CHOOSER_JS, page_url)
    total = len(examples)
    return "\n".join(
        [
            '<div class="mlviz-chooser" id="mlviz-chooser">',
            '<form class="mlviz-chooser__filters" aria-controls="mlviz-chooser-cards">',
            f'<fieldset><legend>What do you want to see?</legend>{questions}</fieldset>',
            f'<fieldset><legend>Which model do you have?</legend>{families}</fieldset>',
            f'<fieldset><legend>When in its life?</legend>{phases}</fieldset>',
            '<p class="mlviz-chooser__status"><span aria-live="polite">'
            f'<strong class="mlviz-chooser__count">{total}</strong> of {total} pages match.</span> '
            '<button type="reset" class="md-button">Clear filters</button></p>',
            "</form>",
            f'<div class="mlviz-grid" id="mlviz-chooser-cards">\n{cards}\n</div>',
            '<p class="mlviz-chooser__empty" hidden>No page matches all of these filters: '
            "untick one of them.</p>",
            "</div>",
            f'<script src="{escape(script)}"></script>',
        ]
    )


def sections_html(sections: Sequence[Section], page_url: str, thumbs: Container[str] = ()) -> str:
    """The home page's grid: one card per section, linking to it in the gallery index.

    A card shows the thumbnail of the section's first example that has one in this
    build (none if no example has one), the section's title from its README, its
    one-paragraph summary and its number of pages.
    """
    cards = []
    for section in sections:
        thumb = next(
            (t for t in (thumbnail_path(section.folder, p.stem) for p in section.examples) if t in thumbs), None
        )
        href = get_relative_url("gallery/", page_url) + "#" + section_anchor(section)
        n = len(section.examples)
        cards.append(
            f'<a class="mlviz-card mlviz-card--section" href="{escape(href)}" data-section="{escape(section.folder)}">'
            + _image(thumb, page_url)
            + '<span class="mlviz-card__body">'
            + (f'<span class="mlviz-card__id">{escape(section.letter)}</span>' if section.letter else "")
            + f'<span class="mlviz-card__title">{escape(section.title)}</span>'
            f'<span class="mlviz-card__summary">{escape(section.summary)}</span>'
            f'<span class="mlviz-card__tags">{n} page{"s" if n != 1 else ""}</span>'
            "</span></a>"
        )
    return '<div class="mlviz-grid mlviz-grid--sections">\n' + "\n".join(cards) + "\n</div>"


# -- the hook ----------------------------------------------------------------------------
def _gallery_source(config) -> Path:
    plugin = config["plugins"].get("gallery")
    dirs = plugin.config["examples_dirs"] if plugin is not None else "gallery"
    first = dirs if isinstance(dirs, str) else dirs[0]
    return Path(config["config_file_path"]).parent / first


def on_page_markdown(markdown, page, config, files, **kwargs):
    if CHOOSER_MARKER not in markdown and SECTIONS_MARKER not in markdown:
        return markdown
    gallery = _gallery_source(config)
    thumbs = {f.src_uri for f in files if "/images/thumb/" in f.src_uri}
    if CHOOSER_MARKER in markdown:
        markdown = markdown.replace(CHOOSER_MARKER, chooser_html(collect_examples(gallery), page.url, thumbs))
    if SECTIONS_MARKER in markdown:
        markdown = markdown.replace(SECTIONS_MARKER, sections_html(collect_sections(gallery), page.url, thumbs))
    return markdown
