import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.container import ErrorbarContainer
import pytest

from mlviz.plotting import plot_bars


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_bars_sorted_by_magnitude_with_labels():
    ax = plot_bars([0.1, -0.5, 0.3], ["a", "b", "c"])
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == ["a", "c", "b"], "largest magnitude at the top (drawn last)"
    widths = [p.get_width() for p in ax.patches]
    assert widths == pytest.approx([0.1, 0.3, -0.5])
    assert [t.get_text() for t in ax.texts] == ["0.100", "0.300", "-0.500"]
    assert ax.patches[-1].get_facecolor() != ax.patches[0].get_facecolor(), "negatives in another colour"
    lo, hi = ax.get_xlim()
    assert lo < -0.5 and hi > 0.3, "room for the value labels"


def test_top_and_errors_and_existing_axes():
    fig, ax = plt.subplots()
    out = plot_bars(np.arange(10.0), [f"f{i}" for i in range(10)], errors=np.full(10, 0.5), top=3, ax=ax, xlabel="imp")
    assert out is ax and len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["f7", "f8", "f9"]
    assert ax.get_xlabel() == "imp"
    errorbars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    segments = errorbars[0].lines[2][0].get_segments()
    assert [seg[1][0] - seg[0][0] for seg in segments] == pytest.approx([1.0, 1.0, 1.0]), "+/- 0.5 each"


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        ({"values": [1, 2], "names": ["a"]}, "one entry per value: 1 names for 2 values"),
        ({"values": [[1, 2]], "names": ["a", "b"]}, "one-dimensional"),
        ({"values": [1, 2], "names": ["a", "b"], "errors": [1]}, "errors must have the shape"),
        ({"values": [1, 2], "names": ["a", "b"], "top": 0}, "top must be a positive integer; got 0"),
    ],
)
def test_bad_arguments(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        plot_bars(**kwargs)


def test_signed_bars_use_the_gallery_sign_colours_and_unsigned_ones_a_neutral_colour():
    from matplotlib.colors import to_rgba

    from mlviz.plotting import MAGNITUDE, NEGATIVE, POSITIVE

    ax = plot_bars([0.5, -0.2], ["up", "down"])
    colours = {t.get_text(): p.get_facecolor() for t, p in zip(ax.get_yticklabels(), ax.patches)}
    assert colours == {"up": to_rgba(POSITIVE), "down": to_rgba(NEGATIVE)}
    ax = plot_bars([0.5, 0.2], ["a", "b"])
    assert all(p.get_facecolor() == to_rgba(MAGNITUDE) for p in ax.patches)


def test_signed_argument_overrides_the_guess_from_the_signs():
    from matplotlib.colors import to_rgba

    from mlviz.plotting import MAGNITUDE, POSITIVE

    ax = plot_bars([0.5, 0.2], ["a", "b"], signed=True)
    assert all(p.get_facecolor() == to_rgba(POSITIVE) for p in ax.patches), "positive effects are red"
    ax = plot_bars([0.5, -0.01], ["a", "b"], signed=False)
    assert all(p.get_facecolor() == to_rgba(MAGNITUDE) for p in ax.patches), "an importance stays purple"
    ax = plot_bars([0.5, -0.01], ["a", "b"], signed=True, color="k")
    assert all(p.get_facecolor() == to_rgba("k") for p in ax.patches), "color wins"
    with pytest.raises(TypeError, match="signed must be True, False or None; got 'yes'"):
        plot_bars([1.0], ["a"], signed="yes")
