"""Every example declares its catalog metadata once, in a tag line the build can parse."""

from pathlib import Path

import pytest

from mlviz.build.metadata import parse_example, parse_tag_line

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("gallery/*/plot_*.py"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_has_valid_metadata(example):
    meta = parse_example(example)
    assert meta.title and meta.questions and meta.families and meta.phases and meta.data
    section_letter = "ABCDEFGHIJK"[int(example.parent.name[:2]) - 1]
    assert meta.section == section_letter, f"{example.name} is {meta.id} but lives in section {section_letter}"


def test_catalog_ids_are_unique():
    ids = [parse_example(p).id for p in EXAMPLES]
    assert len(ids) == len(set(ids))


def test_tag_line_parsing_and_errors():
    meta = parse_tag_line("**Catalog C2** · **Question:** performance, comparison · **Family:** any · **Phase:** after training · **Data:** MBA")
    assert meta == {"id": "C2", "questions": ("performance", "comparison"), "families": ("any",), "phases": ("after training",), "data": ("MBA",)}
    with pytest.raises(ValueError, match=r"Family \['forest'\] not allowed"):
        parse_tag_line("**Catalog C2** · **Question:** performance · **Family:** forest · **Phase:** after training · **Data:** MBA")
    with pytest.raises(ValueError, match=r"missing \['Phase'\]"):
        parse_tag_line("**Catalog C2** · **Question:** performance · **Family:** any · **Data:** MBA")
    with pytest.raises(ValueError, match="starting with"):
        parse_tag_line("Catalog C2")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_ends_with_how_to_read_and_pitfalls(example):
    """Each page is a lesson: it ends with how to read its figures, then the pitfalls."""
    lines = example.read_text(encoding="utf-8").splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith("# ## ")]
    titles = [lines[i][5:] for i in headings]
    assert any(t.startswith("How to read") for t in titles), f"{example.name}: no 'How to read' section"
    assert titles[-1].startswith("Pitfalls"), f"{example.name}: the last section is {titles[-1]!r}, not Pitfalls"
    assert titles.index(next(t for t in titles if t.startswith("How to read"))) < len(titles) - 1
