import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from mlviz.build.dark import (  # noqa: E402
    DARK_BACKGROUND,
    DARK_FOREGROUND,
    dark_variant_markdown,
    save_dark,
    snapshot,
    to_dark,
)


@pytest.fixture
def figure():
    with plt.style.context("mlviz.gallery"):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1], color="#C44E52", label="data")
        ax.axhline(0.5, color="0.3")
        ax.annotate("peak", xy=(1, 1), xytext=(0.5, 0.8), arrowprops={"color": "0.2"})
        ax.text(0.1, 0.9, "boxed", bbox={"fc": "white"})
        ax.add_patch(plt.Rectangle((0.2, 0.2), 0.3, 0.3, fill=False, ec="w", lw=2))
        ax.bar([0.7], [0.4], width=0.1, edgecolor="white", linewidth=1)
        ax.set_title("title")
        ax.legend()
        yield fig
    plt.close(fig)


def test_to_dark_recolours_background_and_ink_but_not_data(figure):
    to_dark(figure)
    ax = figure.axes[0]
    assert to_rgba(figure.get_facecolor()) == to_rgba(DARK_BACKGROUND)
    assert to_rgba(ax.get_facecolor()) == to_rgba(DARK_BACKGROUND)
    assert to_rgba(ax.title.get_color()) == to_rgba(DARK_FOREGROUND)
    data, reference = ax.get_lines()[:2]
    assert to_rgba(data.get_color()) == to_rgba("#C44E52"), "data keep their colour"
    assert to_rgba(reference.get_color()) == to_rgba(DARK_FOREGROUND)
    annotation = next(t for t in ax.texts if t.get_text() == "peak")
    assert to_rgba(annotation.arrow_patch.get_edgecolor()) == to_rgba(DARK_FOREGROUND)
    outline, bar = (p for p in ax.patches if p.get_linewidth() > 0)
    assert to_rgba(outline.get_edgecolor()) == to_rgba("w"), "an outline over a picture keeps its colour"
    assert to_rgba(bar.get_edgecolor()) == to_rgba(DARK_BACKGROUND), "gaps between bars stay gaps"
    boxed = next(t for t in ax.texts if t.get_text() == "boxed")
    assert to_rgba(boxed.get_bbox_patch().get_facecolor()) == to_rgba(DARK_BACKGROUND)


def test_to_dark_needs_a_figure():
    with pytest.raises(TypeError, match="figure must be a matplotlib Figure; got Axes"):
        to_dark(plt.subplots()[1])
    plt.close("all")


def test_snapshot_draws_the_dark_variant_and_leaves_the_figure(figure, tmp_path):
    path = save_dark(snapshot(figure), tmp_path / "x_dark.png")
    assert path.stat().st_size > 1000
    assert to_rgba(figure.get_facecolor()) != to_rgba(DARK_BACKGROUND), "the light figure is untouched"


def test_markdown_shows_each_variant_in_its_theme():
    md = '![a title](./images/mkd_glr_x_001.png){: .mkd-glr-single-img srcset="../images/mkd_glr_x_001.png"}'
    out = dark_variant_markdown(md, lambda path: True)
    assert '(./images/mkd_glr_x_001.png#only-light){: .mkd-glr-single-img srcset="../images/mkd_glr_x_001.png"}' in out
    assert '(./images/mkd_glr_x_001_dark.png#only-dark){: .mkd-glr-single-img srcset="../images/mkd_glr_x_001_dark.png"}' in out
    assert dark_variant_markdown(md, lambda path: False) == md


def test_raw_image_lists_become_one_markdown_image_per_figure():
    from mlviz.build.dark import plain_images

    raw = (
        '<ul class="mkd-glr-horizontal">\n<img alt="A, B" src="../images/mkd_glr_x_001.png" '
        'srcset="../images/mkd_glr_x_001.png", class="sphx-glr-single-img" /><img alt="C" '
        'src="../images/mkd_glr_x_002.png" srcset="../images/mkd_glr_x_002.png", class="sphx-glr-single-img" />\n</ul>'
    )
    out = plain_images(raw)
    assert "<ul" not in out and "<img" not in out
    assert '![A, B](./images/mkd_glr_x_001.png){: .mkd-glr-single-img srcset="../images/mkd_glr_x_001.png"}' in out
    assert '![C](./images/mkd_glr_x_002.png){: .mkd-glr-single-img srcset="../images/mkd_glr_x_002.png"}' in out


def test_alt_texts_with_brackets_keep_their_figures_and_get_dark_variants():
    from mlviz.build.dark import plain_images

    raw = (
        '<ul class="mkd-glr-horizontal">\n<img alt="layer _blocks[-1], 7x7" src="../images/mkd_glr_x_001.png" '
        'srcset="../images/mkd_glr_x_001.png", class="sphx-glr-single-img" />\n</ul>'
    )
    out = dark_variant_markdown(plain_images(raw), lambda path: True)
    assert r"![layer _blocks\[-1\], 7x7](./images/mkd_glr_x_001.png#only-light)" in out
    assert "mkd_glr_x_001_dark.png#only-dark" in out
    single = '![A [b] c](./images/mkd_glr_y_001.png){: .mkd-glr-single-img srcset="../images/mkd_glr_y_001.png"}'
    assert "mkd_glr_y_001_dark.png#only-dark" in dark_variant_markdown(single, lambda path: True)
