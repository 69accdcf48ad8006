"""The numbers page J7 (classifier comparison) states, recomputed another way.

The page runs once, in quick mode, for the whole module. Each test recomputes what the
page computed by another route: the surfaces by predicting on a grid built here; each
test score with scikit-learn's ``accuracy_score`` and the Wilson interval written out
(``test_c_interpretations``); the regions by ``scipy.sparse.csgraph`` on the grid's
neighbour graph, the strip width by a sweep over directions, the tree's steps from
``tree.apply`` (every leaf fills a rectangle of the grid); the paired intervals with
``scipy.stats.ttest_rel``. The criteria behind the page's claims are fed the numbers of
the opposite case, so that each can fail.
"""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.sparse import coo_matrix  # noqa: E402
from scipy.sparse.csgraph import connected_components  # noqa: E402
from scipy.stats import ttest_rel  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402

from mlviz.plotting import changes_on_thresholds, plot_interval_dots, surface_shape  # noqa: E402
from mlviz.report import rounding_tolerance  # noqa: E402

from .conftest import finding, run_quick  # noqa: E402
from .test_c_interpretations import wilson_interval  # noqa: E402

pytestmark = pytest.mark.slow

PAGE = "10_effects_decisions/plot_07_classifier_comparison.py"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run the page once, in quick mode, for all the tests of this module."""
    yield run_quick(PAGE, tmp_path_factory.mktemp("j7"))
    plt.close("all")


def grid_of(X, resolution, eps=0.5):
    """The grid DecisionBoundaryDisplay evaluates: its own linspace, built here."""
    lo, hi = X.min(axis=0) - eps, X.max(axis=0) + eps
    steps = np.arange(resolution) / (resolution - 1)
    xs, ys = lo[0] + steps * (hi[0] - lo[0]), lo[1] + steps * (hi[1] - lo[1])
    return np.meshgrid(xs, ys)


def regions_by_graph(labels):
    """Connected one-class regions: components of the graph of equal 4-neighbours."""
    n_rows, n_cols = labels.shape
    index = np.arange(labels.size).reshape(labels.shape)
    right = labels[:, :-1] == labels[:, 1:]
    down = labels[:-1, :] == labels[1:, :]
    rows = np.r_[index[:, :-1][right], index[:-1, :][down]]
    cols = np.r_[index[:, 1:][right], index[1:, :][down]]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(labels.size,) * 2)
    return connected_components(graph, directed=False)[0]


def boundary_midpoints(labels):
    """Midpoints between differing neighbours, with explicit loops over the grid."""
    points = []
    for i in range(labels.shape[0]):
        for j in range(labels.shape[1]):
            if j + 1 < labels.shape[1] and labels[i, j] != labels[i, j + 1]:
                points.append((j + 0.5, i))
            if i + 1 < labels.shape[0] and labels[i, j] != labels[i + 1, j]:
                points.append((j, i + 0.5))
    return np.array(points, float)


def width_by_sweep(points, n_angles=8000):
    """Narrowest extent of the points over many directions: an upper bound on the
    exact width, above it by at most the points' diameter times the angular step."""
    angles = np.linspace(0, np.pi, n_angles, endpoint=False)
    narrowest = np.inf
    for chunk in np.array_split(angles, 8):
        projected = points @ np.c_[np.cos(chunk), np.sin(chunk)].T
        narrowest = min(narrowest, np.ptp(projected, axis=0).min())
    diameter = np.hypot(*np.ptp(points, axis=0))
    return narrowest, diameter * np.pi / n_angles


# --- the page's numbers, recomputed --------------------------------------------------


def test_surfaces_are_the_models_predictions_on_the_grid(page):
    for (data_name, name), display in page["displays"].items():
        X = page["data"][data_name][0]
        gx, gy = grid_of(X, page["resolution"])
        for drawn, built in ((display.xx0, gx), (display.xx1, gy)):
            tol = rounding_tolerance("float64", 2 * np.abs(built).max(), 2)
            np.testing.assert_allclose(drawn, built, rtol=0, atol=tol)
        predicted = page["fitted"][data_name, name].predict(
            np.c_[display.xx0.ravel(), display.xx1.ravel()]
        )
        assert np.array_equal(display.response, predicted.reshape(gx.shape)), (
            data_name,
            name,
        )


def test_scores_and_titles_are_accuracy_with_its_wilson_interval(page):
    scores, splits = page["scores"], page["splits"]
    for (data_name, name), model in page["fitted"].items():
        _, X_test, _, y_test = splits[data_name]
        accuracy = accuracy_score(y_test, model.predict(X_test))
        low, high = wilson_interval(round(accuracy * len(y_test)), len(y_test))
        row = scores.loc[(data_name, name)]
        assert row["accuracy"] == pytest.approx(accuracy, abs=1e-12)
        assert (row["95% low"], row["95% high"]) == pytest.approx((low, high), abs=1e-9)
    # the surface figures: one per data set, the data panel, seven models and a legend
    figures = page["_figures"]
    assert len(figures) == 4
    for figure, data_name in zip(figures, page["data_names"]):
        axes = figure.axes
        assert len(axes) == 9 and axes[-1].get_legend() is not None
        for ax, name in zip(axes[1:8], page["classifiers"]):
            row = scores.loc[(data_name, name)]
            expected = f"{name}\n{row['accuracy']:.2f} [{row['95% low']:.2f}, {row['95% high']:.2f}]"
            assert ax.get_title() == expected


def test_the_best_panels_interval_holds_what_the_page_says(page):
    scores = page["scores"]
    counts = []
    for data_name in page["data_names"]:
        part = scores.loc[data_name]
        best = part["accuracy"].to_numpy().argmax()
        n = len(page["splits"][data_name][3])
        low = wilson_interval(round(part["accuracy"].iloc[best] * n), n)[0]
        counts.append(
            sum(a >= low for k, a in enumerate(part["accuracy"]) if k != best)
        )
    text = finding(page, "With 40 test points")
    for k, data_name in zip(counts, page["data_names"]):
        assert f"{k} of the other 6 on {data_name}" in text
    assert ("no split singles out" in text) == (min(counts) > 0)
    # the opposite case: 40 of 40 right, whose interval leaves out 30 of 40
    assert 30 / 40 < wilson_interval(40, 40)[0]


def test_regions_and_strip_widths_recomputed(page):
    shapes = page["shapes"]
    for key, display in page["displays"].items():
        labels = display.response
        assert shapes.loc[key, "regions"] == regions_by_graph(labels), key
        points = boundary_midpoints(labels)
        swept, slack = width_by_sweep(points)
        width = shapes.loc[key, "strip width"]
        tol = rounding_tolerance("float64", labels.shape[0], 4)
        assert width - tol <= swept <= width + slack + tol, (key, width, swept)


def test_a_straight_boundary_fits_in_one_cell_and_the_logistic_one_is_straight(page):
    # the bound behind the claim: every midpoint lies within half a cell of the line
    for data_name in page["data_names"]:
        display = page["displays"][data_name, "logistic regression"]
        model = page["fitted"][data_name, "logistic regression"]
        scaler, logistic = model[0], model[-1]
        w = logistic.coef_[0] / scaler.scale_
        b = logistic.intercept_[0] - w @ scaler.mean_
        x, y = display.xx0[0], display.xx1[:, 0]
        dx, dy = x[1] - x[0], y[1] - y[0]
        points = boundary_midpoints(display.response)
        # the line w.x + b = 0 in (column, row) units
        normal = np.array([w[0] * dx, w[1] * dy])
        offset = b + w[0] * x[0] + w[1] * y[0]
        distance = np.abs(points @ normal + offset) / np.linalg.norm(normal)
        tol = rounding_tolerance(
            "float64", np.abs(points).max() * np.abs(normal).sum(), 3
        )
        assert distance.max() <= 0.5 + tol, data_name


def test_trees_change_class_only_at_their_thresholds(page):
    for (data_name, name), display in page["displays"].items():
        if name not in ("decision tree", "random forest"):
            continue
        model = page["fitted"][data_name, name]
        grid = np.c_[display.xx0.ravel(), display.xx1.ravel()]
        trees = getattr(model, "estimators_", [model])
        for tree in trees:  # each leaf fills a rectangle of the grid
            leaves = tree.apply(grid).reshape(display.response.shape)
            for leaf in np.unique(leaves):
                rows, cols = np.nonzero(leaves == leaf)
                box = (np.ptp(rows) + 1) * (np.ptp(cols) + 1)
                assert box == len(rows), (data_name, name, leaf)
        assert page["shapes"].loc[(data_name, name), "on thresholds"]
        # the opposite case: the RBF SVM's curve, held against the same thresholds
        curve = page["displays"][data_name, "RBF SVM"]
        assert not changes_on_thresholds(model, curve)


def test_paired_intervals_match_ttest_rel_and_the_verdicts(page):
    accuracy, comparison = page["accuracy"], page["comparison"]
    names = list(page["classifiers"])
    n_draws = page["n_draws"]
    level = 1 - 0.05 / (len(names) - 1)
    for data_name, acc in accuracy.items():
        best = acc.mean(axis=0).argmax()
        for c, name in enumerate(names):
            row = comparison.loc[(data_name, name)]
            assert row["mean accuracy"] == pytest.approx(acc[:, c].mean(), abs=1e-12)
            if c == best:
                assert row["verdict"] == "best mean"
                continue
            if np.all(acc[:, c] == acc[:, best]):
                interval = (0.0, 0.0)
            else:
                interval = ttest_rel(acc[:, c], acc[:, best]).confidence_interval(level)
            assert (row["low"], row["high"]) == pytest.approx(tuple(interval), abs=1e-9)
            assert row["verdict"] == ("worse" if interval[1] < 0 else "tied with best")
    assert accuracy["moons"].shape == (n_draws, len(names))


def test_one_draw_refitted_gives_the_same_accuracies(page):
    ns = page
    seed = ns["SEED"] + 1
    X_train, X_test, y_train, y_test = ns["split"](
        *ns["make_data"]("circles", seed), seed
    )
    again = [
        clone(m).fit(X_train, y_train).score(X_test, y_test)
        for m in ns["classifiers"].values()
    ]
    np.testing.assert_array_equal(again, ns["accuracy"]["circles"][0])


def test_the_interval_figure_marks_the_worse_ones_hollow(page):
    figure = page["_figures"][-1]
    comparison = page["comparison"]
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]  # shared y axis
    assert labels == list(page["classifiers"])
    for ax, data_name in zip(figure.axes, page["data_names"]):
        assert ax.get_title() == data_name
        hollow = sum(
            np.size(line.get_xdata())
            for line in ax.get_lines()
            if line.get_marker() == "o" and line.get_markerfacecolor() == "none"
        )
        assert hollow == (comparison.loc[data_name, "verdict"] == "worse").sum()


# --- each claim's criterion, fed the opposite case ---------------------------------------


def test_strip_width_separates_a_half_plane_from_a_disc():
    rows, cols = np.mgrid[0:120, 0:120]
    half_plane = (0.37 * cols + rows > 70).astype(int)  # a slanted straight boundary
    disc = ((cols - 60) ** 2 + (rows - 60) ** 2 < 30**2).astype(int)
    assert surface_shape(half_plane)["strip width"] <= 1
    assert surface_shape(disc)["strip width"] > 50
    assert surface_shape(half_plane)["regions"] == 2
    assert surface_shape(np.zeros((5, 5), int)) == {"regions": 1, "strip width": 0.0}


def test_coin_criterion_goes_both_ways(page):
    from scipy.stats import t

    def no_better_than_coin(acc):
        half = t.ppf(0.975, len(acc) - 1) * np.std(acc, ddof=1) / np.sqrt(len(acc))
        return np.mean(acc) - half <= 0.5

    names = list(page["classifiers"])
    circles = page["accuracy"]["circles"]
    assert no_better_than_coin(circles[:, names.index("logistic regression")])
    assert not no_better_than_coin(circles[:, names.index("RBF SVM")])


def test_below_a_coin_comes_from_evenly_spaced_angles():
    """The page's reason for a below-chance line on the circles: with random angles
    (everything else as make_circles) the same split gives a coin's accuracy."""
    from sklearn.datasets import make_circles
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    from threadpoolctl import threadpool_limits

    even, random = [], []
    for seed in range(40):
        X, y = make_circles(100, noise=0.2, factor=0.5, random_state=seed)
        rng = np.random.default_rng(seed)
        angle = rng.uniform(0, 2 * np.pi, 100)
        radius = np.where(y == 0, 1.0, 0.5)  # make_circles: outer ring is class 0
        Xr = np.c_[radius * np.cos(angle), radius * np.sin(angle)] + rng.normal(
            0, 0.2, (100, 2)
        )
        for data, out in ((X, even), (Xr, random)):
            a, b, c, d = train_test_split(
                data, y, test_size=0.4, stratify=y, random_state=seed
            )
            with threadpool_limits(1):  # 60 tiny fits: threads only get in the way
                out.append(LogisticRegression().fit(a, c).score(b, d))
    even_test = ttest_rel(even, np.full(40, 0.5)).confidence_interval()
    random_mean, random_se = np.mean(random), np.std(random, ddof=1) / np.sqrt(40)
    assert even_test.high < 0.5
    assert abs(random_mean - 0.5) < 3 * random_se


def _tree_deficits(make_data, split, tree, seeds):
    """Logistic regression's test accuracy minus ``tree``'s, per draw, as drawn and
    turned so that the logistic boundary (fitted on the training part) is parallel to
    the first axis."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    line = make_pipeline(StandardScaler(), LogisticRegression())
    as_drawn, turned = [], []
    for seed in seeds:
        X_train, X_test, y_train, y_test = split(
            *make_data("linearly separable", seed), seed
        )
        with threadpool_limits(1):
            fitted = clone(line).fit(X_train, y_train)
        normal = fitted[-1].coef_[0] / fitted[0].scale_
        angle = -np.arctan2(normal[1], normal[0])
        turn = np.array(
            [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
        )
        for A, B, out in (
            (X_train, X_test, as_drawn),
            (X_train @ turn.T, X_test @ turn.T, turned),
        ):
            with threadpool_limits(1):
                lr = clone(line).fit(A, y_train).score(B, y_test)
            out.append(lr - clone(tree).fit(A, y_train).score(B, y_test))
    return np.array(as_drawn), np.array(turned)


def test_the_tree_does_not_lose_for_its_staircase(page):
    """The page's reading of the tree's loss on the linearly separable draws: turned so
    that the best line is axis-parallel (one split could draw it), the depth-5 tree is
    still behind beyond the noise, while a stump, which has one threshold to place, loses
    less there than the depth-5 tree: its variance, not its steps."""
    from sklearn.tree import DecisionTreeClassifier

    seeds = range(1, 61)
    deep = page["classifiers"]["decision tree"]
    as_drawn, turned = _tree_deficits(page["make_data"], page["split"], deep, seeds)
    stump = DecisionTreeClassifier(max_depth=1, random_state=0)
    _, stump_turned = _tree_deficits(page["make_data"], page["split"], stump, seeds)
    se = turned.std(ddof=1) / np.sqrt(len(turned))
    assert turned.mean() - 2 * se > 0  # turning does not close the gap
    assert ttest_rel(turned, stump_turned).confidence_interval().low > 0
    # the opposite case, as the staircase reading would have it: the gap gone once turned
    rng = np.random.default_rng(0)
    closed = rng.choice([-0.025, 0.0, 0.025], size=60)
    assert not closed.mean() - 2 * closed.std(ddof=1) / np.sqrt(60) > 0


def test_the_linearly_separable_clouds_overlap_in_most_draws(page):
    """Page: "in most draws, the figure's included, no line separates them": no (w, b) with
    y_i (w . x_i + b) >= 1 for every point (a linear program) exists for the figure's
    draw nor for most of the fresh ones."""
    from scipy.optimize import linprog

    def separated(X, y):
        sign = np.where(y == 1, 1.0, -1.0)[:, None]
        constraints = -sign * np.c_[X, np.ones(len(X))]  # -y (w . x + b) <= -1
        bounds = [(None, None)] * 3
        return (
            linprog(np.zeros(3), constraints, -np.ones(len(X)), bounds=bounds).status
            == 0
        )

    seed = page["SEED"]
    assert not separated(*page["make_data"]("linearly separable", seed))
    fresh = [separated(*page["make_data"]("linearly separable", seed + 1 + draw))
             for draw in range(25)]  # fmt: skip
    assert sum(fresh) < len(fresh) / 2
    # the opposite case: two clouds far apart are separated
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 0.1, (50, 2)), rng.normal(5, 0.1, (50, 2))]
    assert separated(X, np.repeat([0, 1], 50))


def test_verdict_wording_names_a_winner_only_beyond_the_noise(page):
    text = finding(page, "**moons**")
    comparison = page["comparison"]
    for data_name in page["data_names"]:
        tied = comparison.loc[data_name]["verdict"].eq("tied with best").any()
        assert (
            "it is the best here" in text.split(f"**{data_name}**")[1].split("**")[0]
        ) == (not tied)
    staircase = (
        comparison.loc[("linearly separable", "decision tree"), "verdict"] == "worse"
    )
    assert ("and not for its staircase" in text) == staircase
    # the opposite case: a clear winner by far more than its spread
    rng = np.random.default_rng(0)
    base = rng.uniform(0.7, 0.8, 25)
    winner, other = base + 0.1, base + rng.normal(0, 0.01, 25)
    assert ttest_rel(other, winner).confidence_interval(1 - 0.05 / 6).high < 0


# --- the helpers' errors -------------------------------------------------------------------


def test_helpers_reject_what_they_cannot_read():
    from sklearn.svm import SVC

    with pytest.raises(ValueError, match="2-D grid"):
        surface_shape(np.zeros(5))
    display = SimpleNamespace(
        xx0=np.zeros((3, 3)), xx1=np.zeros((3, 3)), response=np.zeros((3, 3))
    )
    with pytest.raises(TypeError, match="decision tree"):
        changes_on_thresholds(SVC(), display)
    with pytest.raises(ValueError, match="one entry per row"):
        plot_interval_dots([0, 1], [0], [1, 2], labels=["a", "b"])
    with pytest.raises(ValueError, match="low <= estimate <= high"):
        plot_interval_dots([0], [1], [2], labels=["a"])
    ax = plot_interval_dots([-2, 0], [-3, -1], [-1, 1], labels=["worse", "tied"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["worse", "tied"]
    plt.close(ax.figure)
