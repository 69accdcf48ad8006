import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from mlviz.plotting import plot_image_grid


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _images(n, side=6):
    rng = np.random.default_rng(0)
    return rng.random((n, side, side, 3))


def test_images_fill_the_grid_row_by_row_with_their_titles():
    images = _images(5)
    axes = plot_image_grid(images, titles=list("abcde"), ncols=3, suptitle="all")
    assert axes.shape == (2, 3)
    for i, ax in enumerate(axes.flat[:5]):
        np.testing.assert_array_equal(ax.get_images()[0].get_array(), images[i])
        assert ax.get_title() == "abcde"[i]
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert axes[0, 1].get_images()[0].get_array()[0, 0, 0] == images[1][0, 0, 0]
    assert not axes[1, 2].get_visible(), "the leftover Axes is hidden"
    assert all(ax.get_visible() for ax in axes.flat[:5])
    assert axes[0, 0].figure._suptitle.get_text() == "all"


def test_default_is_one_row_of_any_sizes():
    images = [np.zeros((4, 4, 3)), np.ones((8, 2, 3)), np.zeros((5, 5))]
    axes = plot_image_grid(images)
    assert axes.shape == (1, 3)
    assert [ax.get_images()[0].get_array().shape for ax in axes.flat] == [
        (4, 4, 3),
        (8, 2, 3),
        (5, 5),
    ]
    assert all(ax.get_title() == "" for ax in axes.flat)


def test_draws_on_given_axes():
    fig, given = plt.subplots(2, 2)
    axes = plot_image_grid(_images(3), axes=given)
    assert axes.shape == (2, 2) and axes[1, 0] is given[1, 0]
    assert len(fig.axes) == 4 and not given[1, 1].get_visible()
    one = plot_image_grid(_images(1), axes=fig.add_subplot(3, 3, 9))
    assert one.shape == (1, 1) and len(one[0, 0].get_images()) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"images": []}, "at least one image"),
        ({"images": np.zeros((2, 4, 4, 5))}, r"images\[0\] must have shape"),
        ({"images": np.zeros((2, 4))}, r"images\[0\] must have shape"),
        ({"images": _images(2), "titles": ["a"]}, "1 titles for 2 images"),
        ({"images": _images(2), "ncols": 0}, "ncols must be a positive integer"),
        ({"images": _images(2), "ncols": 1.5}, "ncols must be a positive integer"),
    ],
)
def test_errors_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_image_grid(**kwargs)


def test_too_few_axes_is_an_error():
    _, given = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="2 Axes for 3 images"):
        plot_image_grid(_images(3), axes=given)
