"""Build the gallery (quick mode) in a copy of the project; failures must stop the build."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from ..conftest import EXAMPLES, ROOT, copy_project, mkdocs_build

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_page_has_output(quick_site, example):
    site, _ = quick_site
    page = site / "gallery" / example.parent.name / example.stem / "index.html"
    assert page.is_file(), f"no page for {example.relative_to(ROOT)}"
    html = page.read_text()
    assert re.search(r'<img [^>]*src="[^"]*images/mkd_glr_' + example.stem, html) or "plotly-graph-div" in html, (
        f"{example.name}: the page shows no figure"
    )
    assert "Total running time of the script" in html
    for kind in (".py", ".ipynb"):
        assert (page.parent.parent / f"{example.stem}{kind}").is_file(), f"{example.stem}{kind} download missing"
    assert not re.search(r'<script[^>]*src="(https?:)?//', html), "a script loads from another host"
    # provenance: catalog id, seed, versions and the one command that rebuilds this page
    assert "Provenance: catalog" in html and "built in quick mode" in html
    assert f"make docs EXAMPLES={example.stem}" in html and "numpy" in html and "matplotlib" in html


def test_provenance_lists_dataset_hashes(quick_site):
    site, _ = quick_site
    html = (site / "gallery/04_explanations/plot_02_random_forest_mdi/index.html").read_text()
    assert "MBA.csv" in html and "1a1a01c84a36f976485f35b25621569253ad3b1d68ee5fd09d61aaae68d1f659" in html
    assert "Synthetic data" in html and "license: as published by its author" in html


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_provenance_names_each_dataset_source_and_license(quick_site, example):
    from mlviz.build.metadata import parse_example

    site, _ = quick_site
    html = (site / "gallery" / example.parent.name / example.stem / "index.html").read_text()
    box = html[html.index("Provenance: catalog") :]
    for name in parse_example(example).data:
        if name in {"MNIST", "MBA", "insurance", "Iris"}:
            assert f"{name}: " in box and "license: " in box, f"{example.stem}: no source and license for {name}"
        elif "scikit-image" in name:
            assert f"{name}: " in box and "license: CC0" in box, f"{example.stem}: no source and license for {name}"
        else:
            assert f"{name}: made by the page" in box, f"{example.stem}: {name} is not described"
    if "MBA" in parse_example(example).data:
        assert "Synthetic data" in box, f"{example.stem} uses the synthetic MBA table without saying so"
    if "insurance" in parse_example(example).data:
        assert "Simulated data" in box, f"{example.stem} uses the simulated insurance table without saying so"


def test_all_examples_ran(quick_site):
    _, log = quick_site
    n = len(EXAMPLES)
    assert f"successfully executed {n} out of {n} file" in log


def test_the_site_publishes_no_build_leftovers(quick_site):
    """mkdocs-gallery's checksums, pickled code objects and raw timing grids stay in docs/."""
    site, _ = quick_site
    leftovers = [
        p.relative_to(site)
        for pattern in ("*.md5", "*codeobj.pickle", "*.pickle", "mg_execution_times*")
        for p in site.rglob(pattern)
    ]
    assert not leftovers, f"build leftovers published: {leftovers[:5]}"
    assert "mg_execution_times" not in (site / "search" / "search_index.json").read_text()
    # ... while the build still has them, so that unchanged examples are skipped
    assert list((site.parent / "docs" / "gallery").rglob("*.py.md5"))


def test_search_previews_open_with_the_page_s_first_sentence(quick_site):
    """Each example's own search entry is its opening paragraph, not the download note."""
    import json

    from mlviz.build.metadata import parse_example

    site, _ = quick_site
    entries = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    assert not [e["location"] for e in entries if "download the full example code" in e["text"]]
    by_location = {e["location"]: e for e in entries}
    for example in EXAMPLES:
        entry = by_location[f"gallery/{example.parent.name}/{example.stem}/"]
        meta = parse_example(example)
        assert entry["title"] == meta.title
        opening = re.sub(r"<[^>]+>", "", entry["text"])
        assert opening and "Catalog " not in opening[:80], f"{example.stem}: preview {opening[:80]!r}"
        # the page's libraries are its tags, which search ranks above words in the text
        if "import shap" in example.read_text():
            assert "shap" in entry["tags"], example.stem


def test_plotly_js_is_served_by_the_site(quick_site):
    site, _ = quick_site
    assert (site / "assets" / "javascripts" / "plotly.min.js").stat().st_size > 1_000_000


def test_a_failing_example_fails_the_build_naming_it(tmp_path):
    project = copy_project(tmp_path)
    (project / "gallery" / "02_model_structure" / "plot_99_broken.py").write_text(
        '"""\n# A broken page\n\n**Catalog B99** · **Question:** structure · **Family:** any · **Phase:** after training · **Data:** Iris\n\nIt raises.\n"""\n\nraise ValueError("boom from the test")\n'
    )
    for attempt in ("first build", "second build"):  # a failed example is not skipped next time
        result = mkdocs_build(project, tmp_path / "site", MLVIZ_EXAMPLES="plot_99_broken")
        log = result.stdout + result.stderr
        assert result.returncode != 0, f"{attempt} succeeded"
        assert "plot_99_broken.py" in log and "ValueError: boom from the test" in log and "Traceback" in log


def test_a_claim_that_stops_holding_fails_the_build(tmp_path):
    """A sentence of a page's prose, checked with claim(), that the run contradicts."""
    project = copy_project(tmp_path)
    (project / "gallery" / "02_model_structure" / "plot_98_claim.py").write_text(
        '"""\n# A page with a false claim\n\n**Catalog B98** · **Question:** structure · **Family:** any · **Phase:** after training · **Data:** Iris\n\nIt claims.\n"""\n\n'
        "# %%\n# The four features of Iris are measured in millimetres.\n"
        "from mlviz.datasets import load_iris\nfrom mlviz.report import claim\n\n"
        "X, _ = load_iris()\n"
        'claim(all("(mm)" in c for c in X.columns), "the features are measured in millimetres", evidence=", ".join(X.columns))\n'
    )
    result = mkdocs_build(project, tmp_path / "site", MLVIZ_EXAMPLES="plot_98_claim")
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "plot_98_claim.py" in log and "ClaimError: The page says 'the features are measured in millimetres'" in log
    assert "sepal length (cm)" in log, "the evidence is shown"


def test_a_failed_make_docs_keeps_the_previous_site(tmp_path):
    project = copy_project(tmp_path)
    os.symlink(ROOT / ".venv", project / ".venv")
    (project / "gallery" / "02_model_structure" / "plot_99_broken.py").write_text(
        '"""\n# A broken page\n\n**Catalog B99** · **Question:** structure · **Family:** any · **Phase:** after training · **Data:** Iris\n\nIt raises.\n"""\n\nraise RuntimeError("broken")\n'
    )
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("previous complete build")
    result = subprocess.run(
        ["make", "docs", "EXAMPLES=plot_99_broken", "QUICK=1"], cwd=project, capture_output=True, text=True, timeout=600
    )
    assert result.returncode != 0
    assert (project / "site" / "index.html").read_text() == "previous complete build"
    assert not (project / "site.tmp").exists(), "no half-built site is left behind"


def test_a_corrupted_dataset_stops_the_build_with_the_loader_message(tmp_path):
    project = copy_project(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "MBA.csv").write_text("application_id,gender\n1,Female\n")
    result = mkdocs_build(project, tmp_path / "site", MLVIZ_EXAMPLES="plot_02_random_forest_mdi", MLVIZ_DATA_DIR=str(data))
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "DatasetHashError" in log and "'MBA.csv'" in log and "expected SHA-256" in log


def _numbers(page_md: str) -> str:
    """The page's printed output and computed findings, without run times."""
    text = re.sub(r"Total running time of the script:.*", "", page_md)
    text = re.sub(r"\d+ minutes\s+[\d.]+ seconds", "", text)
    return "\n".join(line for line in text.splitlines() if "codeobj" not in line)


def test_two_quick_builds_print_the_same_numbers(tmp_path):
    """Determinism: the same sources give the same printed numbers and findings."""
    names = ["plot_02_random_forest_mdi", "plot_07_regression_diagnostics"]
    outputs = []
    for run in ("a", "b"):
        project = copy_project(tmp_path / run)
        result = mkdocs_build(project, tmp_path / run / "site", MLVIZ_EXAMPLES="|".join(names))
        assert result.returncode == 0, result.stderr[-3000:]
        pages = sorted(p for name in names for p in (project / "docs" / "gallery").glob(f"*/{name}.md"))
        assert len(pages) == 2 and all("Total running time" in p.read_text() for p in pages)
        outputs.append([_numbers(p.read_text()) for p in pages])
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_page_ends_with_related_pages_that_exist(quick_site, example):
    site, _ = quick_site
    page = site / "gallery" / example.parent.name / example.stem / "index.html"
    html = page.read_text()
    start = html.index('id="related-pages"')
    section = html[start : html.index("Provenance: catalog", start)]
    links = re.findall(r'<a href="([^"#]+)"', section)
    assert len(links) == 3, f"{example.stem}: {links}"
    for link in links:
        target = (page.parent / link).resolve()
        target = target / "index.html" if target.is_dir() else target
        assert target.is_file() and target != page, f"{example.stem}: related link {link} leads nowhere"
