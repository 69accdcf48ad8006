import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from mlviz.inspect.trees import decision_path_steps, samples_reaching
from mlviz.plotting import plot_decision_path


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def path():
    X, y = load_iris(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    steps = decision_path_steps(tree, X[120])
    return steps, X, y, samples_reaching(tree, X, [s.node for s in steps])


def test_one_panel_per_step_with_threshold_value_and_histogram(path):
    steps, X, y, reaches = path
    axes = plot_decision_path(steps, X, y, reaches, class_names=[0, 1, 2], bins=10)
    assert len(axes) == len(steps)
    for ax, step, col in zip(axes, steps, reaches.T):
        xs = sorted(line.get_xdata()[0] for line in ax.lines if len(line.get_xdata()) == 2)
        assert xs == pytest.approx(sorted([step.threshold, step.value]))
        dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
        assert dashed[0].get_xdata()[0] == pytest.approx(step.threshold)
        assert len(ax.containers) == 3, "one stacked histogram layer per class"
        heights = sum(p.get_height() for c in ax.containers for p in c.patches)
        assert heights == pytest.approx(col.sum()), "the stacked bars count the rows at the node"
        assert f"node {step.node}" in ax.get_title()
        assert ax.get_xlabel() == step.feature_name
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["0", "1", "2"]


def test_existing_axes_are_used(path):
    steps, X, y, reaches = path
    fig, axes = plt.subplots(1, 4)
    out = plot_decision_path(steps, X, y, reaches, axes=axes)
    assert all(a is b for a, b in zip(out, axes[: len(steps)]))


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        ({"steps": []}, "steps is empty"),
        ({"reaches": np.ones((3, 1), bool)}, "reaches must have shape"),
        ({"bins": 0}, "bins must be a positive integer; got 0"),
        ({"axes": [None]}, "axes must hold at least"),
    ],
)
def test_bad_arguments(path, kwargs, msg):
    steps, X, y, reaches = path
    args = {"steps": steps, "X": X, "y": y, "reaches": reaches} | kwargs
    if "axes" in kwargs and len(steps) < 2:
        pytest.skip("path too short")
    with pytest.raises(ValueError, match=msg):
        plot_decision_path(args.pop("steps"), args.pop("X"), args.pop("y"), args.pop("reaches"), **args)


@pytest.mark.parametrize("as_mapping", [True, False])
def test_each_class_is_drawn_in_its_given_colour(path, as_mapping):
    steps, X, y, reaches = path
    palette = {0: "#4c72b0", 1: "#dd8452", 2: "#55a868"}
    order = [2, 0, 1]
    colors = palette if as_mapping else [palette[c] for c in order]
    axes = plot_decision_path(steps, X, y, reaches, class_names=order, colors=colors)
    for ax in axes:
        drawn = [matplotlib.colors.to_hex(c.patches[0].get_facecolor()) for c in ax.containers]
        assert drawn == [palette[c] for c in order], "one colour per class, in legend order"


@pytest.mark.parametrize(
    ("colors", "error", "msg"),
    [
        ({0: "red", 1: "blue"}, ValueError, r"no colour for the classes \[2\]"),
        (["red", "blue"], ValueError, r"one colour per class \(3\); got 2"),
        ("red", TypeError, "must be a mapping or a sequence"),
    ],
)
def test_bad_colors(path, colors, error, msg):
    steps, X, y, reaches = path
    with pytest.raises(error, match=msg):
        plot_decision_path(steps, X, y, reaches, class_names=[0, 1, 2], colors=colors)


def test_paint_by_class_colours_pure_nodes_fully_and_mixed_ones_paler():
    from matplotlib.colors import to_rgba
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier, plot_tree

    from mlviz.plotting import SPECIES_COLORS, paint_by_class

    X, y = load_iris(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    fig, ax = plt.subplots()
    nodes = plot_tree(tree, filled=True, ax=ax)
    colors = list(SPECIES_COLORS.values())
    paint_by_class(nodes, tree, colors)
    boxes = [n.get_bbox_patch().get_facecolor() for n in nodes if n.get_bbox_patch() is not None]
    setosa_leaf = 1  # the root's left child holds only setosa
    assert boxes[setosa_leaf] == pytest.approx(to_rgba(colors[0]))
    assert boxes[0] != pytest.approx(to_rgba(colors[0])), "the mixed root is paler"
    with pytest.raises(ValueError, match="one colour per class \\(3\\); got 2"):
        paint_by_class(nodes, tree, colors[:2])
    plt.close(fig)
