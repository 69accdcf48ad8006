"""The visualization chooser and the home page's section grid (mlviz.build.chooser)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlviz.build import chooser
from mlviz.build.metadata import FAMILIES, PHASES, QUESTIONS, ExampleMeta

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "gallery"


class Elements(HTMLParser):
    """Every start tag as (tag, attrs), plus the text inside each element with a class."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag=None, cls=None, **attrs):
        return [
            a
            for t, a in self.tags
            if (tag is None or t == tag)
            and (cls is None or cls in a.get("class", "").split())
            and all(a.get(k) == v for k, v in attrs.items())
        ]


def meta(id="B1", title="A tree", questions=("structure",), families=("tree",), phases=("after training",),
         path="gallery/02_model_structure/plot_01_tree.py"):
    return ExampleMeta(id=id, title=title, questions=questions, families=families, phases=phases,
                       data=("Iris",), path=path)


@pytest.fixture(scope="module")
def examples():
    return chooser.collect_examples(GALLERY)


def test_every_example_of_the_gallery_has_exactly_one_card_with_its_tags(examples):
    files = sorted(GALLERY.glob("*/plot_*.py"))
    assert len(examples) == len(files) > 0
    html = Elements(chooser.chooser_html(examples, "chooser/"))
    cards = html.find("a", cls="mlviz-card")
    assert len(cards) == len(files)
    for m in examples:
        path = Path(m.path)
        (card,) = [c for c in cards if c["href"] == f"../gallery/{path.parent.name}/{path.stem}/"]
        assert card["data-id"] == m.id
        assert card["data-questions"].split("|") == list(m.questions)
        assert card["data-families"].split("|") == list(m.families)
        assert card["data-phases"].split("|") == list(m.phases)
    assert len({c["data-id"] for c in cards}) == len(cards), "catalog ids must be unique"


def test_links_script_and_thumbnails_are_relative_to_the_page():
    examples = [meta(), meta(id="B2", path="gallery/02_model_structure/plot_02_other.py")]
    thumb = "gallery/02_model_structure/images/thumb/mkd_glr_plot_01_tree_thumb.png"
    html = Elements(chooser.chooser_html(examples, "chooser/", thumbs={thumb}))
    assert html.find("script", src="../javascripts/chooser.js")
    assert [i["src"] for i in html.find("img")] == [f"../{thumb}"]  # only the example with a thumbnail
    assert len(html.find("span", cls="mlviz-card__noimg")) == 1
    # under a sub-page URL the same paths climb one level more
    deeper = Elements(chooser.chooser_html(examples, "teach/chooser/", thumbs={thumb}))
    assert deeper.find("a", href="../../gallery/02_model_structure/plot_01_tree/")


def test_controls_offer_every_allowed_value_with_its_page_count():
    examples = [
        meta(id="D1", questions=("importance",), families=("linear",)),
        meta(id="D3", questions=("importance", "comparison"), families=("any",)),
        meta(id="F1", questions=("internals",), families=("neural network",), phases=("at inference",)),
    ]
    out = chooser.chooser_html(examples, "chooser/")
    html = Elements(out)
    assert [i["value"] for i in html.find("input", name="question")] == list(QUESTIONS)
    assert [i["value"] for i in html.find("input", name="phase")] == list(PHASES)
    assert [i["value"] for i in html.find("input", name="family")] == ["", *FAMILIES]
    assert "checked" in html.find("input", name="family", value="")[0]
    assert "> importance <span class=\"mlviz-chooser__n\">2</span>" in out
    # a concrete family counts the model-agnostic pages too; "any" counts only those
    assert "> neural network <span class=\"mlviz-chooser__n\">2</span>" in out
    assert "> linear <span class=\"mlviz-chooser__n\">2</span>" in out
    assert "> model-agnostic only <span class=\"mlviz-chooser__n\">1</span>" in out
    assert '<strong class="mlviz-chooser__count">3</strong> of 3' in out


def test_titles_are_escaped_and_the_block_has_no_blank_line():
    out = chooser.chooser_html([meta(title='Trees <b>& "friends"')], "chooser/")
    assert "Trees &lt;b&gt;&amp; &quot;friends&quot;" in out
    assert "\n\n" not in out  # a blank line would end Markdown's raw-HTML block


def test_no_examples_is_an_error():
    with pytest.raises(ValueError, match="examples: expected at least one ExampleMeta"):
        chooser.chooser_html([], "chooser/")


def test_home_grid_has_one_card_per_section_folder():
    sections = chooser.collect_sections(GALLERY)
    folders = sorted(p.name for p in GALLERY.iterdir() if (p / "README.md").is_file())
    assert [s.folder for s in sections] == folders
    html = Elements(chooser.sections_html(sections, ""))
    cards = html.find("a", cls="mlviz-card--section")
    assert [c["data-section"] for c in cards] == folders
    for section, card in zip(sections, cards):
        assert card["href"] == "gallery/#" + chooser.section_anchor(section)
        assert len(section.examples) == len(list((GALLERY / section.folder).glob("plot_*.py")))


def test_section_card_reads_the_readme_and_uses_the_first_available_thumbnail(tmp_path):
    folder = tmp_path / "05_training"
    folder.mkdir()
    (folder / "README.md").write_text("# E. Training dynamics\n\nLoss curves *and* more:\nwatch a `model` learn.\n\nMore.\n")
    for name in ("plot_01_a.py", "plot_02_b.py", "plot_03_c.py"):
        (folder / name).write_text('"""x"""\n')
    (tmp_path / "not_a_section").mkdir()
    (section,) = chooser.collect_sections(tmp_path)
    assert (section.letter, section.title) == ("E", "Training dynamics")
    assert section.summary == "Loss curves and more: watch a model learn."
    assert chooser.section_anchor(section) == "e-training-dynamics"
    thumbs = {"gallery/05_training/images/thumb/mkd_glr_plot_02_b_thumb.png"}
    out = chooser.sections_html([section], "", thumbs)
    assert Elements(out).find("img", src="gallery/05_training/images/thumb/mkd_glr_plot_02_b_thumb.png")
    assert "3 pages" in out
    assert "mlviz-card__noimg" in chooser.sections_html([section], "")


def test_section_anchor_matches_the_generated_gallery_heading():
    """The home page links to the section's heading in the gallery index that mkdocs-gallery writes."""
    from markdown import Markdown

    for section in chooser.collect_sections(GALLERY):
        heading = (GALLERY / section.folder / "README.md").read_text(encoding="utf-8").splitlines()[0]
        md = Markdown(extensions=["toc"])
        assert f'id="{chooser.section_anchor(section)}"' in md.convert(heading)


def test_hook_replaces_only_the_markers(tmp_path):
    config = {"plugins": {}, "config_file_path": str(ROOT / "mkdocs.yml")}
    files = [SimpleNamespace(src_uri="gallery/01_data_embeddings/images/thumb/mkd_glr_plot_01_pca_thumb.png")]
    page = SimpleNamespace(url="chooser/")
    assert chooser.on_page_markdown("# Plain page", page=page, config=config, files=files) == "# Plain page"
    out = chooser.on_page_markdown(f"# C\n\n{chooser.CHOOSER_MARKER}\n", page=page, config=config, files=files)
    assert chooser.CHOOSER_MARKER not in out and 'id="mlviz-chooser"' in out
    assert 'src="../gallery/01_data_embeddings/images/thumb/mkd_glr_plot_01_pca_thumb.png"' in out
    home = chooser.on_page_markdown(chooser.SECTIONS_MARKER, page=SimpleNamespace(url=""), config=config, files=files)
    assert home.count("mlviz-card--section") == len(chooser.collect_sections(GALLERY))
