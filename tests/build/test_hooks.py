"""The MkDocs hooks: offline plotly and the build-mode stamp."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from mlviz.build import hooks

# The shape of the tag plotly writes (its real host is a CDN; any plotly/mathjax script on
# another host is rewritten).
CDN = '<script charset="utf-8" src="https://cdn.example.org/plotly-3.0.1.min.js" integrity="x" crossorigin="anonymous"></script>'


def page(url="gallery/a/plot_x/", src="gallery/a/plot_x.md"):
    return SimpleNamespace(url=url, file=SimpleNamespace(src_uri=src))


DRAW = '<script>                window.PLOTLYENV=window.PLOTLYENV || {};if (document.getElementById("f1")) {Plotly.newPlot("f1", [], {})};</script>'


def test_plotly_is_served_by_the_site_and_drawn_lazily():
    html = (
        f"<html><head></head><body><div>{CDN}<div id='f1' class='plotly-graph-div'></div>{DRAW}</div>"
        f"{CDN}<div class='plotly-graph-div'></div><script>other()</script></body></html>"
    )
    out = hooks.on_post_page(html, page(), config={})
    assert "cdn.example.org" not in out
    # the drawing script is inert text until the loader runs it
    placeholder = (
        '<script type="text/plain" class="mlviz-lazy" data-library="../../../assets/javascripts/plotly.min.js" '
        'data-figure="f1">                window.PLOTLYENV'
    )
    assert placeholder in out
    assert '<script>                window.PLOTLYENV' not in out and "<script>other()</script>" in out
    loader = '<script src="../../../javascripts/lazy-figures.js" defer></script>'
    assert out.count(loader) == 1 and out.index(loader) > out.index("mlviz-lazy")


def test_a_figure_s_data_leaves_the_page_for_a_file_of_its_own(tmp_path):
    html = f"<html><body><div id='f1' class='plotly-graph-div'></div>{DRAW}</body></html>"
    out = hooks.on_post_page(html, page(), config={"site_dir": str(tmp_path)})
    files = list((tmp_path / "gallery/a/plot_x").glob("figure-*.js"))
    assert len(files) == 1, "one script file per figure, in the page's folder"
    code = files[0].read_text()
    assert code.startswith("                window.PLOTLYENV") and 'Plotly.newPlot("f1"' in code
    assert "Plotly.newPlot" not in out, "the figure's data is no longer in the page"
    assert f'data-figure="f1" data-src="{files[0].name}"></script>' in out
    # named by content: the same figure gives the same file
    hooks.on_post_page(html, page(), config={"site_dir": str(tmp_path)})
    assert len(list((tmp_path / "gallery/a/plot_x").glob("figure-*.js"))) == 1


def test_material_s_bundle_is_deferred_and_other_scripts_are_left_alone():
    html = (
        '<html><body><p>text</p><script src="../assets/javascripts/bundle.a5f9d56c.min.js"></script>'
        '<script src="../x.js"></script><script>inline()</script></body></html>'
    )
    out = hooks.on_post_page(html, page(), config={})
    assert '<script src="../assets/javascripts/bundle.a5f9d56c.min.js" defer></script>' in out
    assert '<script src="../x.js"></script>' in out and "<script>inline()</script>" in out


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="https://scripts.example.org/x.js"></script>',
        '<link rel="stylesheet" href="https://fonts.example.org/css?family=Roboto">',
        '<img src="//example.org/a.png">',
    ],
)
def test_any_other_external_resource_fails_the_build(tag):
    with pytest.raises(PluginError, match="gallery/a/plot_x.md loads from another host"):
        hooks.on_post_page(f"<html><head>{tag}</head></html>", page(), {})


def test_links_to_other_sites_are_fine():
    html = '<html><head><link rel="canonical" href="https://example.org/x/"></head><a href="https://scikit-learn.org">sk</a></html>'
    assert hooks.on_post_page(html, page(), {}) == html


def test_build_mode_depends_on_quick(monkeypatch):
    monkeypatch.setenv("MLVIZ_QUICK", "0")
    full = hooks.build_mode()
    monkeypatch.setenv("MLVIZ_QUICK", "1")
    assert hooks.build_mode() != full and "quick=1" in hooks.build_mode()


def test_build_mode_ignores_code_that_runs_after_the_examples(tmp_path, monkeypatch):
    package = tmp_path / "mlviz"
    for name in ("bench/lighthouse.py", "build/hooks.py", "build/dark.py", "models/a.py"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("x = 1\n")
    monkeypatch.setattr(hooks, "_PACKAGE", package)
    before = hooks.build_mode()
    (package / "bench/lighthouse.py").write_text("x = 2\n")
    (package / "build/hooks.py").write_text("x = 2\n")
    assert hooks.build_mode() == before, "post-processing and the benchmark do not rerun the examples"
    assert hooks.package_digest() != hooks.package_digest(exclude=hooks.AFTER_EXAMPLES), "the wheel still changes"
    (package / "build/dark.py").write_text("x = 2\n")  # runs inside the examples (figure variants)
    assert hooks.build_mode() != before


def test_generated_gallery_is_wiped_when_the_mode_changes(tmp_path, monkeypatch):
    gallery = tmp_path / "docs" / "gallery"
    plugin = SimpleNamespace(config={"gallery_dirs": ["docs/gallery"]})
    config = {"plugins": {"gallery": plugin}, "config_file_path": str(tmp_path / "mkdocs.yml")}
    monkeypatch.setenv("MLVIZ_QUICK", "1")
    hooks.on_config(config)
    (gallery / "page.md").write_text("quick output")
    hooks.on_config(config)
    assert (gallery / "page.md").exists(), "same mode: generated pages are kept"
    monkeypatch.setenv("MLVIZ_QUICK", "0")
    hooks.on_config(config)
    assert not (gallery / "page.md").exists(), "quick output must not survive into a full build"


def _output_block(text: str) -> str:
    return f"Out:\n{{: .mkd-glr-script-out }}\n\n```{{.shell .mkd-glr-script-out-disp }}\n{text}\n```\n"


def test_findings_in_cell_output_become_boxes_between_the_plain_output(monkeypatch, capsys):
    from mlviz.report import say
    from mlviz.build.hooks import format_outputs

    monkeypatch.setenv("MLVIZ_GALLERY_BUILD", "1")
    print("first")
    say("Two components keep **95.8%**.")
    out = capsys.readouterr().out.rstrip("\n")
    page = format_outputs("before\n\n" + _output_block(out) + "\nafter", "plot_x.py")
    assert page.count("Out:") == 1 and "first" in page and "mlviz-finding" not in page.split("Out:")[0]
    assert '<div class="mlviz-finding"><p>Two components keep <strong>95.8%</strong>.</p></div>' in page
    assert "<<mlviz-finding" not in page and page.endswith("after")


def test_warning_text_in_a_page_fails_the_build():
    from mlviz.build.hooks import format_outputs

    block = _output_block("/work/x/plot_e1.py:12: UserWarning: The figure layout has changed to tight\n  plt.show()")
    with pytest.raises(PluginError, match="plot_e1.py prints a warning; fix its cause: UserWarning: The figure layout"):
        format_outputs(block, "plot_e1.py")


def test_a_figure_drawn_before_the_gallery_style_is_refused():
    import matplotlib.pyplot as plt

    from mlviz.build.gallery_conf import UnstyledFigureError, check_styled_figures

    plt.close("all")
    with plt.style.context("default"):
        plt.figure().suptitle("too early")
    with pytest.raises(UnstyledFigureError, match="figure 1 'too early' was drawn before plt.style.use"):
        check_styled_figures()
    plt.close("all")
    with plt.style.context("mlviz.gallery"):
        plt.figure()
    check_styled_figures()
    plt.close("all")


def test_images_get_their_size_and_all_but_the_first_load_lazily(tmp_path):
    from PIL import Image

    from mlviz.build.hooks import size_images

    (tmp_path / "images").mkdir()
    Image.new("RGB", (120, 80)).save(tmp_path / "images" / "a.png")
    html = (
        '<p><img alt="first" src="../images/a.png#only-light"><img alt="first, dark" src="../images/a.png#only-dark">'
        '</p><img alt="second" src="../images/a.png"><img src="https://example.org/x.png">'
    )
    out = size_images(html, tmp_path / "page")  # addresses relative to a page folder
    tags = out.split("<img")[1:]
    assert all('width="120" height="80"' in t for t in tags[:3])
    assert "loading" not in tags[0], "the first figure loads at once"
    assert 'loading="lazy"' in tags[1], "its dark twin, hidden in the light palette, only when shown"
    assert 'loading="lazy"' in tags[2]
    assert "width=" not in tags[3], "remote images are left alone"


def test_figures_get_webp_copies_for_each_screen_offered_in_srcset(tmp_path, monkeypatch):
    from PIL import Image

    from mlviz.build.hooks import size_images

    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path / "cache"))
    docs, site = tmp_path / "docs", tmp_path / "site"
    (docs / "images").mkdir(parents=True)
    Image.new("RGB", (1600, 600), "white").save(docs / "images" / "wide.png")
    Image.new("RGB", (1000, 400), "white").save(docs / "images" / "mid.png")
    Image.new("RGB", (500, 300), "white").save(docs / "images" / "small.png")
    html = (
        '<img alt="wide" src="../images/wide.png#only-light" srcset="../images/wide.png">'
        '<img alt="mid" src="../images/mid.png">'
        '<img alt="small" src="../images/small.png" srcset="../images/small.png">'
    )
    out = size_images(html, docs / "page", site_page_dir=site / "page")
    wide, mid, small = out.split("<img")[1:]
    assert (
        'srcset="../images/wide.w800.webp 800w, ../images/wide.w1200.webp 1200w, ../images/wide.w1600.webp 1600w"'
        in wide
    )
    assert "sizes=" in wide and wide.count("srcset=") == 1
    assert 'src="../images/wide.png#only-light"' in wide, "src (and the palette switch) unchanged: the PNG"
    assert 'srcset="../images/mid.w800.webp 800w, ../images/mid.w1000.webp 1000w"' in mid
    assert 'srcset="../images/small.w500.webp 500w" sizes="(max-width: 500px) 100vw, 500px"' in small
    for name, size in [("wide.w800", (800, 300)), ("wide.w1200", (1200, 450)), ("wide.w1600", (1600, 600)), ("small.w500", (500, 300))]:
        with Image.open(site / "images" / f"{name}.webp") as copy:
            assert copy.format == "WEBP" and copy.size == size


def test_small_local_stylesheets_are_inlined_and_large_or_foreign_ones_stay_linked(tmp_path):
    from mlviz.build.hooks import inline_small_stylesheets

    (tmp_path / "stylesheets").mkdir()
    (tmp_path / "stylesheets" / "extra.css").write_text(".a { color: red; }")
    html = (
        '<link rel="stylesheet" href="../../stylesheets/extra.css">'
        '<link rel="stylesheet" href="../../assets/stylesheets/main.css">'
        '<link rel="stylesheet" href="https://example.org/x.css">'
    )
    out = inline_small_stylesheets(html, "gallery/a/", [tmp_path])
    assert "<style>/* stylesheets/extra.css */\n.a { color: red; }</style>" in out
    assert 'href="../../assets/stylesheets/main.css"' in out and 'href="https://example.org/x.css"' in out


def test_lightbox_loads_without_blocking_and_starts_after_parsing():
    from mlviz.build.hooks import defer_lightbox

    out = defer_lightbox(
        '<link href="a/glightbox.min.css" rel="stylesheet"><script src="a/glightbox.min.js"></script>'
        '<script id="init-glightbox">const lightbox = GLightbox({});</script>'
    )
    assert '<script src="a/glightbox.min.js" defer>' in out
    assert 'media="print" onload="this.media=\'all\'"' in out
    assert 'document.addEventListener("DOMContentLoaded", function () {const lightbox = GLightbox({});});' in out


def test_code_blocks_are_reachable_by_keyboard_and_the_search_dialog_has_a_name():
    html = (
        '<div class="md-search" data-md-component="search" role="dialog"></div>'
        "<pre><span></span><code>a = 1</code></pre>"
        '<pre class="x"><code class="language-py">b</code></pre>'
        '<pre><code tabindex="-1">c</code></pre><p><code>inline</code></p>'
    )
    out = hooks.on_post_page(html, page(), config={})
    assert 'role="dialog" aria-label="Search the gallery">' in out
    assert "<pre><span></span><code tabindex=\"0\">a = 1" in out
    assert '<pre class="x"><code tabindex="0" class="language-py">b' in out
    assert '<code tabindex="-1">c' in out, "a tabindex already there is kept"
    assert "<p><code>inline</code>" in out, "inline code does not scroll: left alone"


def test_title_first_moves_the_download_note_below_the_title():
    from mlviz.build.hooks import title_first

    page = (
        "<!-- generated -->\n\n!!! note\n\n    Click [here](#download_links)\n"
        "    to download the full example code\n\n\n# The title\n\nOpening sentence.\n"
    )
    moved = title_first(page)
    assert moved.index("# The title") < moved.index("!!! note") < moved.index("Opening sentence.")
    assert moved.count("download the full example code") == 1
    assert title_first("# No note\n\ntext\n") == "# No note\n\ntext\n"


def test_on_page_content_keeps_the_note_and_catalog_line_out_of_search(monkeypatch):
    from mlviz.build import hooks

    monkeypatch.setattr(hooks, "_example_source", lambda page, config: Path("plot_x.py"))
    html = (
        '<!-- c --><html><head></head><body><h1 id="t">T</h1>\n<div class="admonition note">\n'
        '<p class="admonition-title">Note</p>\n<p>Click <a href="#download_links">here</a></p></div>\n'
        "<p><strong>Catalog A1</strong> · x</p>\n<p>Opening.</p></body></html>"
    )
    out = hooks.on_page_content(html, page=None, config={}, files=None)
    assert out.startswith('<h1 id="t">') and out.endswith("<p>Opening.</p>")
    assert '<div class="admonition note" data-search-exclude>' in out
    assert "<p data-search-exclude><strong>Catalog A1" in out
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(out)
    parser.close()
    first = parser.data[0]
    assert "".join(first.title) == "T" and "".join(first.text).strip() == "<p>Opening.</p>"
