"""The chooser, the home page's section grid and the folded answers, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlviz.build.chooser import collect_sections
from mlviz.build.metadata import parse_example

pytestmark = pytest.mark.slow

GALLERY = Path(__file__).resolve().parents[2] / "gallery"
EXAMPLES = [parse_example(p) for p in sorted(GALLERY.glob("*/plot_*.py"))]


def visible_ids(page) -> list[str]:
    return page.locator(".mlviz-card:visible").evaluate_all("cards => cards.map(c => c.dataset.id)")


def option(page, name, value):
    return page.locator(f'#mlviz-chooser input[name="{name}"][value="{value}"]')


def shown_count(page) -> int:
    return int(page.locator(".mlviz-chooser__count").inner_text())


def test_ticking_importance_leaves_only_importance_pages(probe, site_url):
    page = probe.page
    page.goto(site_url + "chooser/", wait_until="networkidle")
    assert sorted(visible_ids(page)) == sorted(m.id for m in EXAMPLES)
    assert shown_count(page) == len(EXAMPLES)

    option(page, "question", "importance").check()
    expected = sorted(m.id for m in EXAMPLES if "importance" in m.questions)
    assert expected, "the gallery has no importance page to filter for"
    assert sorted(visible_ids(page)) == expected
    assert shown_count(page) == len(expected)

    page.get_by_role("button", name="Clear filters").click()
    page.wait_for_function(f"document.querySelectorAll('.mlviz-card:not([hidden])').length === {len(EXAMPLES)}")
    assert shown_count(page) == len(EXAMPLES)
    assert probe.errors == [], probe.errors


def test_a_model_family_also_shows_the_model_agnostic_pages(probe, site_url):
    page = probe.page
    page.goto(site_url + "chooser/", wait_until="networkidle")
    option(page, "family", "neural network").check()
    expected = sorted(m.id for m in EXAMPLES if {"neural network", "any"} & set(m.families))
    assert sorted(visible_ids(page)) == expected
    option(page, "family", "any").check()
    assert sorted(visible_ids(page)) == sorted(m.id for m in EXAMPLES if "any" in m.families)
    assert shown_count(page) == len(visible_ids(page))


def test_chooser_cards_lead_to_their_pages(probe, site_url):
    page = probe.page
    page.goto(site_url + "chooser/", wait_until="networkidle")
    first = EXAMPLES[0]
    page.locator(f'.mlviz-card[data-id="{first.id}"]').click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text().rstrip("¶ \n") == first.title


def test_home_page_shows_one_card_per_section(probe, site_url):
    page = probe.page
    page.goto(site_url, wait_until="networkidle")
    sections = collect_sections(GALLERY)
    cards = page.locator(".mlviz-card--section")
    assert cards.count() == len(sections)
    assert cards.evaluate_all("cs => cs.map(c => c.dataset.section)") == [s.folder for s in sections]
    # each card leads to its section's heading in the gallery index
    for section, href in zip(sections, cards.evaluate_all("cs => cs.map(c => c.href)")):
        page.goto(href, wait_until="load")
        anchor = href.split("#", 1)[1]
        assert section.title in page.locator(f"[id='{anchor}']").inner_text()
    assert probe.errors == [], probe.errors


def test_predict_the_plot_answer_is_folded_until_clicked(probe, site_url):
    page = probe.page
    page.goto(site_url + "gallery/02_model_structure/plot_01_decision_tree_iris/", wait_until="networkidle")
    assert "Predict the plot" in page.locator(".admonition.question").first.inner_text()
    answer = page.locator("details.success").first
    assert answer.get_attribute("open") is None
    assert not answer.get_by_text("Setosa, completely").is_visible()
    answer.locator("summary").click()
    assert answer.get_by_text("Setosa, completely").is_visible()


def test_the_address_keeps_the_filters_through_a_reload_a_link_and_the_back_button(probe, site_url):
    page = probe.page
    page.goto(site_url + "chooser/", wait_until="networkidle")
    option(page, "question", "importance").check()
    option(page, "family", "tree").check()
    expected = sorted(
        m.id for m in EXAMPLES if "importance" in m.questions and {"tree", "any"} & set(m.families)
    )
    assert expected and sorted(visible_ids(page)) == expected
    assert "question=importance" in page.url and "family=tree" in page.url

    page.reload(wait_until="networkidle")  # a reload restores the view
    assert sorted(visible_ids(page)) == expected
    assert option(page, "question", "importance").is_checked() and option(page, "family", "tree").is_checked()

    shared = probe.page.context.new_page()  # so does the link, opened elsewhere
    shared.goto(page.url, wait_until="networkidle")
    assert sorted(visible_ids(shared)) == expected
    shared.close()

    page.go_back()  # one step back: only the question was ticked
    page.wait_for_function("!location.search.includes('family=')")
    only_question = sorted(m.id for m in EXAMPLES if "importance" in m.questions)
    assert sorted(visible_ids(page)) == only_question and not option(page, "family", "tree").is_checked()
    page.get_by_role("button", name="Clear filters").click()
    page.wait_for_function("location.search === ''")
    assert shown_count(page) == len(EXAMPLES)
    assert probe.errors == [], probe.errors
