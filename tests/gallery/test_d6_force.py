"""D6's force plots: legible in both palettes and on a phone, and the sentence names drawn bars.

* ``ForceDisplay`` (the static force plot) is checked against shap's own waterfall (same
  rows, same numbers) and against the force plot's geometry written out another way;
  its labels must not overlap, must be large enough on a phone and must turn light on
  the dark palette.
* shap's interactive force plot is drawn in Chromium with the site's stylesheet: its
  neutral text must contrast with the page in both palettes and its tick labels must
  not run into each other at a phone's width. Without the stylesheet both checks fail.
* The page's sentence about the waterfall names only features with a bar of their own;
  the sentence written the old way (any negative feature) fails the same check.
"""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import shap  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from mlviz.build.dark import DARK_BACKGROUND, DARK_FOREGROUND, to_dark  # noqa: E402
from mlviz.datasets import MIRROR_ENV  # noqa: E402
from mlviz.plotting import ForceDisplay, force_segments  # noqa: E402
from mlviz.plotting._force import _spread  # noqa: E402

from ..conftest import ROOT  # noqa: E402
from .conftest import run_quick  # noqa: E402

#: The width of a phone's text column (390 px screen less Material's margins), CSS px.
PHONE_COLUMN = 358


def explanation_row(seed, n=8, base=3.0):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=n) * np.geomspace(10, 0.1, n)
    return shap.Explanation(
        values=values,
        base_values=base,
        data=rng.integers(0, 5, n).astype(float),
        feature_names=[f"feature_{i}" for i in range(n)],
    )


def waterfall_rows(row, max_display):
    """The rows shap's waterfall draws: {name or "N other features"} and its value texts."""
    shap.plots.waterfall(row, max_display=max_display, show=False)
    ax = plt.gcf().axes[0]
    names = {t.get_text().split("=")[-1].strip() for t in ax.get_yticklabels()}
    numbers = sorted(float(t.get_text().replace("\u2212", "-")) for t in ax.texts)
    plt.close("all")
    return names, numbers


# -- the layout ------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "max_display"), [(0, 5), (1, 3), (2, 8), (3, 20)])
def test_segments_are_the_waterfalls_rows(seed, max_display):
    row = explanation_row(seed)
    segments = force_segments(
        row.values, row.base_values, names=row.feature_names, max_display=max_display
    )
    names, numbers = waterfall_rows(row, max_display)
    assert set(segments.feature) == names
    assert sorted(np.round(segments.contribution, 2)) == pytest.approx(
        numbers, abs=0.006
    )


@pytest.mark.parametrize("seed", range(5))
def test_segments_lay_the_contributions_end_to_end(seed):
    row = explanation_row(seed)
    v, base = row.values, row.base_values
    s = force_segments(v, base, max_display=5)
    prediction = base + v.sum()
    # contiguous, left to right, as wide as their contributions
    assert np.allclose(s.start.to_numpy()[1:], s.end.to_numpy()[:-1])
    assert np.allclose(s.end - s.start, s.contribution.abs())
    # red from f(x) - (raising total) up to f(x), blue from f(x) up: the base value is
    # where the two totals balance
    raising = s[s.contribution > 0].contribution.sum()
    lowering = -s[s.contribution <= 0].contribution.sum()
    meet = s[s.contribution > 0].end.max() if raising else s.start.min()
    assert meet == pytest.approx(prediction)
    assert s.start.min() == pytest.approx(prediction - raising)
    # the base value: where the two totals balance
    assert prediction - raising + lowering == pytest.approx(base)
    assert s.end.max() - s.start.min() == pytest.approx(raising + lowering)
    # the largest contributions meet at f(x)
    red = s[s.contribution > 0].contribution.to_numpy()
    blue = s[s.contribution <= 0].contribution.to_numpy()
    assert np.all(np.diff(red) >= 0) and np.all(np.diff(blue) >= 0)


def test_folded_segment_sums_the_smallest():
    values = np.array([5.0, -4.0, 0.3, -0.2, 0.1])
    s = force_segments(values, 0.0, names=list("abcde"), max_display=3)
    # from the smallest to the largest raising one, then the lowering one
    assert list(s.feature) == ["3 other features", "a", "b"]
    assert s.set_index("feature").loc[
        "3 other features", "contribution"
    ] == pytest.approx(0.2)
    assert s.set_index("feature").loc["3 other features", "n_features"] == 3
    assert len(force_segments(values, 0.0, max_display=5)) == 5  # nothing to fold


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": np.ones((2, 3))}, "values must be one row"),
        ({"values": [1.0, np.nan]}, "values must be finite"),
        ({"names": ["a"]}, "names must have one entry per value"),
        ({"data": [1.0]}, "data must have one entry per value"),
        ({"max_display": 0}, "max_display must be a positive integer"),
        ({"base_value": [1.0, 2.0]}, "base_value must be one number"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    args = {"values": [1.0, -2.0], "base_value": 0.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        force_segments(args.pop("values"), args.pop("base_value"), **args)


def test_from_explanation_wants_one_row():
    rows = shap.Explanation(values=np.ones((3, 2)), base_values=np.zeros(3))
    with pytest.raises(ValueError, match=r"one row of a shap.Explanation .*\(3, 2\)"):
        ForceDisplay.from_explanation(rows)


@pytest.mark.parametrize("seed", range(4))
def test_spread_keeps_order_and_room(seed):
    rng = np.random.default_rng(seed)
    centers = np.sort(rng.uniform(0, 10, 6))
    widths = rng.uniform(0.5, 1.5, 6)
    lefts = _spread(centers, widths, 0.0, 10.0)
    assert np.all(lefts[1:] >= lefts[:-1] + widths[:-1] - 1e-9), "in order, no overlap"
    assert lefts[0] >= -1e-9 and lefts[-1] + widths[-1] <= 10 + 1e-9
    # where nothing collides, each interval is centred on its centre
    alone = _spread(np.array([1.0, 5.0, 9.0]), np.array([1.0, 1.0, 1.0]), 0.0, 10.0)
    assert np.allclose(alone + 0.5, [1.0, 5.0, 9.0])


# -- the drawing -----------------------------------------------------------------------


def text_boxes(figure, texts):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()  # the page's figures are closed
    figure.draw(renderer)
    # the text's own box (an Annotation's extent also spans its leader line)
    return [matplotlib.text.Text.get_window_extent(t, renderer) for t in texts]


def overlaps(boxes):
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]


def contrast(a, b):
    def lum(c):
        c = np.array(to_rgb(c))
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def all_texts(figure):
    return [
        t
        for t in figure.findobj(matplotlib.text.Text)
        if t.get_text().strip() and t.get_visible()
    ]


@pytest.mark.parametrize("seed", range(3))
def test_labels_never_overlap(seed):
    plt.style.use("mlviz.gallery")
    display = ForceDisplay.from_explanation(explanation_row(seed, n=12), max_display=9)
    figure = display.figure_
    figure.canvas.draw()
    assert len(display.bars_) == len(display.labels_) == len(display.segments) == 9
    boxes = text_boxes(figure, all_texts(figure))
    assert overlaps(boxes) == []
    plt.close(figure)


def test_each_label_names_its_segment_and_its_sign_colour():
    plt.style.use("mlviz.gallery")
    display = ForceDisplay.from_explanation(
        explanation_row(0), max_display=5, colors=("red", "blue")
    )
    for bar, label, (_, seg) in zip(
        display.bars_, display.labels_, display.segments.iterrows()
    ):
        assert label.get_text().startswith(seg.feature)
        xs = bar.get_xy()[:, 0]
        assert seg.start - 1e-9 <= np.median(xs) <= seg.end + 1e-9
        assert to_rgb(bar.get_facecolor()) == to_rgb(
            "red" if seg.contribution > 0 else "blue"
        )
        assert label.arrow_patch.get_edgecolor()[:3] == pytest.approx(
            to_rgb(bar.get_facecolor())
        )
    plt.close("all")


# -- the page --------------------------------------------------------------------------

needs_data = pytest.mark.skipif(
    not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)"
)


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    return run_quick(
        "04_explanations/plot_06_shap_tree.py", tmp_path_factory.mktemp("d6")
    )


def shown_rows(ns):
    waterfall = ns["_figures"][0].axes[0]
    return {
        t.get_text().split("=")[-1].strip()
        for t in waterfall.get_yticklabels()
        if t.get_text()
    }


def named_with_a_colour(sentence, columns):
    """Features the sentence names before it turns to the folded row ("The other ...")."""
    return {c for c in columns if f"*{c}*" in sentence.split("The other")[0]}


@pytest.mark.slow
@needs_data
def test_sentence_names_only_drawn_bars(ns):
    columns = list(ns["X_test"].columns)
    shown = shown_rows(ns)
    finding = next(text for text in ns["_findings"] if text.startswith("Base value"))
    assert named_with_a_colour(finding, columns) <= shown
    force_rows = {
        label.get_text().split("\n")[0].split(" = ")[0] for label in ns["force"].labels_
    }
    assert named_with_a_colour(finding, columns) <= force_rows
    assert force_rows == shown, "the force plot draws the waterfall's bars"
    row = ns["row"]
    # a negative feature is named as a bar only if it is drawn
    for j in np.flatnonzero(row.values < 0):
        if columns[j] not in shown:
            assert f"*{columns[j]}*" not in finding.split("The other")[0]
    # the opposite case: the sentence as it was (every negative feature "pushing down
    # (blue)") names a feature that neither figure draws
    negatives = [columns[j] for j in np.flatnonzero(row.values < 0)]
    old = (
        "Pushing down (blue): "
        + ", ".join(f"*{c}*" for c in negatives)
        + ". The other ..."
    )
    if any(c not in shown for c in negatives):
        assert not named_with_a_colour(old, columns) <= shown


@pytest.mark.slow
@needs_data
def test_the_folded_row_claim_can_fail(ns):
    folded, shown = ns["folded"], shown_rows(ns)
    assert not folded or f"{len(folded)} other features" in shown
    # a waterfall with one more row folds one feature fewer: the page's criterion, fed
    # that figure, fails
    names, _numbers = waterfall_rows(ns["row"], max_display=len(shown) + 1)
    assert folded and f"{len(folded)} other features" not in names


@pytest.mark.slow
@needs_data
def test_force_plot_numbers_are_the_waterfalls(ns):
    force = ns["force"]
    assert force.prediction == pytest.approx(
        ns["predictions"][ns["person"]], abs=1e-6 * force.prediction
    )
    _names, numbers = waterfall_rows(ns["row"], max_display=5)
    assert sorted(np.round(force.segments.contribution, 2)) == pytest.approx(
        numbers, abs=0.006
    )


def smallest_css_px(figure, column, folder):
    """Height of the figure's smallest text, in CSS px, once shown in a column that
    wide: at its own width where it fits, shrunk to the column where it does not."""
    figure.savefig(folder / "figure.png")
    width_px = plt.imread(folder / "figure.png").shape[1]
    smallest_pt = min(t.get_fontsize() for t in all_texts(figure))
    return smallest_pt * figure.dpi / 72 * min(1.0, column / width_px)


@pytest.mark.slow
@needs_data
def test_force_plot_is_legible_on_a_phone_and_in_both_palettes(ns, tmp_path):
    figure = ns["force"].figure_
    texts = all_texts(figure)
    assert smallest_css_px(figure, PHONE_COLUMN, tmp_path) >= 8
    assert all(contrast(t.get_color(), "white") >= 4.5 for t in texts)
    assert overlaps(text_boxes(figure, texts)) == []
    dark = to_dark(pickle.loads(pickle.dumps(figure)))
    for text in all_texts(dark):
        assert contrast(text.get_color(), DARK_BACKGROUND) >= 4.5, text.get_text()
    # the opposite case: shap's static force plot, as the page drew it before, is
    # shrunk on a phone to half that size
    shap.plots.force(
        ns["row"],
        matplotlib=True,
        show=False,
        text_rotation=15,
        contribution_threshold=0.03,
    )
    plt.gcf().set_size_inches(14, 3.2)
    assert smallest_css_px(plt.gcf(), PHONE_COLUMN, tmp_path) < 5
    plt.close("all")


# -- shap's interactive force plot with the site's stylesheet --------------------------

STYLESHEET = ROOT / "docs" / "stylesheets" / "extra.css"
BUNDLE = Path(shap.__file__).parent / "plots" / "resources" / "bundle.js"
PALETTES = {
    "light": ("rgba(0, 0, 0, 0.87)", "#ffffff"),
    "dark": (DARK_FOREGROUND, DARK_BACKGROUND),
}


def test_shap_bundle_still_writes_what_the_stylesheet_targets():
    """The stylesheet recolours shap's SVG by its classes and attributes; a shap upgrade
    that renames them would silently undo it."""
    bundle = BUNDLE.read_text(encoding="utf-8")
    for needle in (
        '"force-bar-axis"',
        'attr("fill","#000")',
        'attr("stroke","#fff")',
        ".tick text {\\n",
    ):
        assert needle in bundle, needle
    css = STYLESHEET.read_text(encoding="utf-8")
    assert "svg:has(.force-bar-axis)" in css and "@container (max-width: 640px)" in css


def force_page(width, palette, *, stylesheet=True):
    color, background = PALETTES[palette]
    plot = shap.plots.force(  # D6's person, in round numbers
        13216.0,
        shap_values=np.array([22141.0, 5483.0, 1047.0, 242.0, -24.0, 150.0]),
        features=np.array([1, 34.96, 43, 0, 0, 2.0]),
        feature_names=[
            "smoker",
            "bmi",
            "age",
            "region_southwest",
            "sex_male",
            "children",
        ],
    )
    css = STYLESHEET.read_text(encoding="utf-8") if stylesheet else ""
    return (
        f"<html><head><style>{css}</style><style>body {{ margin: 0; background: {background}; }} "
        f".md-typeset {{ --md-default-bg-color: {background}; color: {color}; width: {width}px; }}</style>"
        f"<script>{BUNDLE.read_text(encoding='utf-8')}</script></head>"
        f'<body><div class="md-typeset">{plot.html()}</div></body></html>'
    )


MEASURE = """() => {
  const svg = document.querySelector('svg');
  const seen = el => getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().width > 0;
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const ticks = [...svg.querySelectorAll('.tick text')].filter(seen);
  const neutral = [...svg.querySelectorAll('.tick text, text[fill="#000"]')].filter(seen).filter(t => t.textContent);
  return {
    ticks: ticks.map(box),
    value: box([...svg.querySelectorAll('text[fill="#000"]')].find(t => /\\d/.test(t.textContent))),
    neutral: neutral.map(t => [getComputedStyle(t).fill, parseFloat(getComputedStyle(t).opacity)]),
  };
}"""


def _rgba(css):
    """``rgb(r, g, b)`` or ``rgba(r, g, b, a)`` as (rgb in 0-1, alpha)."""
    numbers = [float(x) for x in re.findall(r"[\d.]+", css)]
    return np.array(numbers[:3]) / 255, numbers[3] if len(numbers) > 3 else 1.0


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def measure(browser, width, palette, *, stylesheet=True):
    page = browser.new_page(viewport={"width": width + 32, "height": 400})
    try:
        page.set_content(force_page(width, palette, stylesheet=stylesheet))
        page.wait_for_selector("svg .force-bar-axis .tick", state="attached")
        page.wait_for_timeout(400)  # shap redraws once after 50 ms
        found = page.evaluate(MEASURE)
    finally:
        page.close()
    background = np.array(to_rgb(PALETTES[palette][1]))
    shown = []  # each text's colour as seen: blended with the page by its alphas
    for fill, opacity in found["neutral"]:
        rgb, alpha = _rgba(fill)
        shown.append(alpha * opacity * rgb + (1 - alpha * opacity) * background)
    lowest = min(contrast(tuple(c), tuple(background)) for c in shown)
    ticks = found["ticks"]
    collisions = [
        (i, j)
        for i in range(len(ticks))
        for j in range(i + 1, len(ticks))
        if _overlap(ticks[i], ticks[j])
    ]
    covered = [i for i, tick in enumerate(ticks) if _overlap(tick, found["value"])]
    return lowest, collisions, covered


@pytest.mark.slow
@pytest.mark.parametrize("palette", ["light", "dark"])
@pytest.mark.parametrize("width", [PHONE_COLUMN, 660, 748])
def test_interactive_force_plot_readable(browser, width, palette):
    lowest, collisions, covered = measure(browser, width, palette)
    assert lowest >= 4.5, f"neutral text at contrast {lowest:.1f}"
    assert collisions == [], "tick labels run into each other"
    if width < 640:  # one tick label left: the base value, clear of the prediction
        assert covered == []


@pytest.mark.slow
def test_interactive_force_plot_without_the_stylesheet_fails_both(browser):
    lowest, _, _ = measure(browser, 748, "dark", stylesheet=False)
    assert lowest < 3, "shap's black text on the dark page"
    _, collisions, covered = measure(browser, PHONE_COLUMN, "light", stylesheet=False)
    assert collisions and covered, "shap's ten tick labels in a phone's column"
