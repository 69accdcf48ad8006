"""Choosing and summarizing Lighthouse runs (Lighthouse itself is not run here)."""

from __future__ import annotations

import pytest

from mlviz.bench.lighthouse import audit_site, median_run, summarize


def run(performance, lcp):
    return {"performance": performance, "accessibility": 1.0, "largest-contentful-paint": lcp}


def test_the_median_run_is_kept_whole_with_every_score_beside_it():
    chosen = median_run([run(0.75, 4000), run(0.98, 1500), run(0.93, 2100)])
    assert chosen["performance"] == 0.93 and chosen["largest-contentful-paint"] == 2100
    assert chosen["performance_runs"] == [0.75, 0.98, 0.93]


def test_failed_runs_are_left_out_and_an_all_failed_page_reports_its_error():
    chosen = median_run([{"error": "chrome crashed"}, run(0.91, 1800)])
    assert chosen["performance"] == 0.91 and chosen["performance_runs"] == [0.91]
    assert median_run([{"error": "a"}, {"error": "b"}]) == {"error": "b"}


def test_summary_lists_the_pages_below_each_budget():
    summary = summarize({"a/": run(0.95, 1), "b/": run(0.85, 1), "c/": {"error": "x"}})
    assert summary["performance"]["below_budget"] == ["b/"]
    assert summary["performance"]["min"] == 0.85 and summary["errors"] == ["c/"]


@pytest.mark.parametrize("runs", [0, -1, 1.5])
def test_a_wrong_number_of_runs_is_refused(tmp_path, runs):
    with pytest.raises(ValueError, match="runs must be a positive integer"):
        audit_site(tmp_path, [], lighthouse=tmp_path / "lighthouse", runs=runs)
