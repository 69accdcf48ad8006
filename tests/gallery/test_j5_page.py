"""Page J5 (global surrogate) and :mod:`mlviz.explain.surrogate`, checked independently.

The helper's rule list is checked on a table whose rules are known, its rules against
the stumps they come from, and its drawing against the tree it walks. The page's
fidelities are recomputed from counts (agreement with ``accuracy_score`` of refitted
trees, Wilson intervals from the closed formula, R² from its sums of squares, paired
intervals from the discordant counts, Welch and Mann-Whitney from their definitions);
its rule list is evaluated row by row as an if-elif chain; its figures are read back;
and each claim's condition is fed the numbers of the opposite case, so that it can fail.
"""

from __future__ import annotations

import ast
import math
import os

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import norm, t as student  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor  # noqa: E402

from mlviz.datasets import MIRROR_ENV  # noqa: E402
from mlviz.explain.surrogate import Rule, RuleList, fit_rule_list, plot_tree_splits  # noqa: E402
from mlviz.report import rounding_tolerance  # noqa: E402

from .conftest import finding, page_path, run_quick  # noqa: E402

PAGE = "10_effects_decisions/plot_05_global_surrogate.py"
Z = norm.ppf(0.975)


# --- independent formulas ---------------------------------------------------------------


def wilson_by_hand(k, n, z=Z):
    """Wilson's score interval, from its closed form."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def paired_by_counts(a, b, z=1.96):
    """Mean of a - b (booleans) and its normal interval, from the discordant counts."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    n, gain, loss = len(a), np.count_nonzero(a & ~b), np.count_nonzero(~a & b)
    mean = (gain - loss) / n
    variance = (gain + loss - n * mean**2) / (n - 1)  # values are 1, -1 or 0
    half = z * math.sqrt(variance / n)
    return mean, mean - half, mean + half


def welch_by_hand(a, b):
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = student.ppf(0.975, df) * math.sqrt(va + vb)
    return a.mean() - b.mean() - half, a.mean() - b.mean() + half


def mann_whitney_less(x, y):
    """U of x (pairs where x is larger, ties half) and its one-sided normal p-value
    for 'x tends to be smaller', with the tie and continuity corrections."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    u = np.sum(x[:, None] > y[None, :]) + 0.5 * np.sum(x[:, None] == y[None, :])
    n1, n2 = len(x), len(y)
    n = n1 + n2
    _, ties = np.unique(np.concatenate([x, y]), return_counts=True)
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - np.sum(ties**3 - ties) / (n * (n - 1))))
    return u, norm.cdf((u - n1 * n2 / 2 + 0.5) / sigma)


def if_elif(rules, default, row):
    """The rule list evaluated as a reader would, one row and one rule at a time."""
    for i, (feature, op, threshold, decision) in enumerate(rules):
        value = np.float32(row[feature])  # the trees compare in float32
        if (value <= threshold) if op == "<=" else (value > threshold):
            return i, decision
    return len(rules), default


# --- the criteria behind the page's words ---------------------------------------------------


def beyond_noise(low):
    return low > 0


def most(share_low):
    return share_low > 0.5


def hides_a_group(worst_high, overall_low):
    return worst_high < overall_low


# --- the helper -----------------------------------------------------------------------------


def test_rule_list_on_a_table_whose_rules_are_known():
    X = pd.DataFrame({"a": np.arange(1.0, 11.0), "b": np.zeros(10)})
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1, 0, 0])
    rules = fit_rule_list(X, y, max_rules=4, min_share=0.1)
    # the best stump cuts at 3.5 (weighted Gini 2/7 against 3/8 at 8.5); its pure side
    # becomes rule 1; of the rest, a <= 8.5 is pure on both sides and "<=" wins the tie;
    # the two rows left are all 0, so no third question splits them
    assert rules == RuleList((Rule("a", "<=", 3.5, 0), Rule("a", "<=", 8.5, 1)), 0)
    np.testing.assert_array_equal(rules.predict(X), y)
    np.testing.assert_array_equal(rules.first_rule(X), [0] * 3 + [1] * 5 + [2] * 2)
    frame = rules.to_frame()
    assert frame["rule"].tolist() == ["if a <= 3.5", "if a <= 8.5", "else"]
    assert frame["then"].tolist() == [0, 1, 0]
    # max_rules stops it; the default is then the majority of the rows left
    one = fit_rule_list(X, y, max_rules=1, min_share=0.1)
    assert one.rules == (Rule("a", "<=", 3.5, 0),) and one.default == 1


def test_a_rule_covers_what_its_stump_sends_to_that_side():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=500).round(3), "z": rng.normal(size=500)})
    y = X["x"] + 0.3 * rng.normal(size=500) > 0.1
    stump = DecisionTreeClassifier(max_depth=1).fit(X, y)
    left = stump.apply(X) == stump.tree_.children_left[0]
    cut = float(stump.tree_.threshold[0])
    np.testing.assert_array_equal(Rule("x", "<=", cut, False).covers(X), left)
    np.testing.assert_array_equal(Rule("x", ">", cut, True).covers(X), ~left)
    rules = fit_rule_list(X, y, max_rules=1)
    assert (rules.rules[0].feature, rules.rules[0].threshold) == ("x", cut)


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((np.zeros((3, 1)), [0, 1, 0]), {}, TypeError, "X must be a pandas DataFrame"),
        (
            (pd.DataFrame({"a": [1.0, 2.0]}), [0, 1, 0]),
            {},
            ValueError,
            "one label per row",
        ),
        (
            (pd.DataFrame({"a": [1.0, 2.0]}), [0, 1]),
            {"max_rules": 0},
            ValueError,
            "max_rules",
        ),
        (
            (pd.DataFrame({"a": [1.0, 2.0]}), [0, 1]),
            {"min_share": 0.5},
            ValueError,
            "min_share",
        ),
    ],
)
def test_rule_list_errors_name_the_argument(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        fit_rule_list(*args, **kwargs)
    with pytest.raises(ValueError, match="op must be one of"):
        Rule("a", "<", 1.0, True)


def test_tree_splits_are_drawn_where_the_tree_splits():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.uniform(0, 1, size=(400, 3)), columns=["x", "y", "z"])
    labels = (X["x"] > 0.6) & (X["y"] > 0.3) | (X["z"] > 0.9)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, labels)
    t = tree.tree_
    fig, (ax, other) = plt.subplots(1, 2, sharey=True)
    for panel in (ax, other):
        panel.scatter(X["x"], X["y"])
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    plot_tree_splits(tree, "x", "y", ax=ax, color="C0")
    assert (ax.get_xlim(), ax.get_ylim()) == (xlim, ylim)
    assert other.get_ylim() == ylim  # the lines are not data of the shared axis
    inner = np.flatnonzero(t.children_left >= 0)
    on = {
        name: {t.threshold[n] for n in inner if t.feature[n] == i}
        for i, name in enumerate("xyz")
    }
    assert on["z"] and on["x"] and on["y"]  # the check below meets all three kinds
    vertical = [ln for ln in ax.lines if ln.get_xdata()[0] == ln.get_xdata()[1]]
    horizontal = [ln for ln in ax.lines if ln.get_ydata()[0] == ln.get_ydata()[1]]
    assert len(ax.lines) == sum(t.feature[n] in (0, 1) for n in inner)
    assert {ln.get_xdata()[0] for ln in vertical} == on["x"]
    assert {ln.get_ydata()[0] for ln in horizontal} == on["y"]
    # the root's line spans the whole Axes when the root asks about x
    if t.feature[0] == 0:
        root = next(ln for ln in vertical if ln.get_xdata()[0] == t.threshold[0])
        assert tuple(root.get_ydata()) == ylim
    assert all(ln.get_color() == "C0" for ln in ax.lines)
    with pytest.raises(ValueError, match="x must be one of feature_names"):
        plot_tree_splits(tree, "w", "y", ax=ax)
    with pytest.raises(TypeError, match="fitted scikit-learn tree"):
        plot_tree_splits(DecisionTreeClassifier(), "x", "y")
    array_tree = DecisionTreeClassifier(max_depth=1).fit(X.to_numpy(), labels)
    with pytest.raises(ValueError, match="feature_names is needed"):
        plot_tree_splits(array_tree, "x", "y", ax=ax)
    assert plot_tree_splits(array_tree, "x", "y", ax=ax, feature_names="xyz") is ax
    plt.close("all")


# --- the page -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run the page once, in quick mode, for all the tests of this module."""
    yield run_quick(PAGE, tmp_path_factory.mktemp("j5"))
    plt.close("all")


def test_page_imports_no_torch():
    tree = ast.parse(page_path(PAGE).read_text())
    imported = [
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    ]
    imported += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [m for m in imported if m.split(".")[0] == "torch"]


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)"
)
class TestPage:
    def test_the_labels_are_the_forests_decisions(self, page):
        forest, X_test, X_train = page["forest"], page["X_test"], page["X_train"]
        p = forest.predict_proba(X_test)[:, 1]
        np.testing.assert_array_equal(page["bb_test"], p > 0.5)  # "above one half"
        np.testing.assert_array_equal(page["bb_train"], forest.predict(X_train))
        assert finding(page, "The forest").startswith(
            f"The forest ({forest.n_estimators} trees)"
        )

    def test_fidelity_table_recomputed(self, page):
        X_train, X_test = page["X_train"], page["X_test"]
        bb_train, bb_test, y_test = page["bb_train"], page["bb_test"], page["y_test"]
        p_train, p_test = page["p_train"], page["p_test"]
        table, n = page["by_depth"], len(X_test)
        assert list(table.index) == list(range(1, 9))
        for depth in table.index:
            tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(
                X_train, bb_train
            )
            said = tree.predict(X_test)
            np.testing.assert_array_equal(said, page["said"][depth])
            row = table.loc[depth]
            assert row["leaves"] == tree.get_n_leaves()
            for name, truth in (("agreement", bb_test), ("accuracy", page["y_test"])):
                assert row[name] == pytest.approx(
                    accuracy_score(truth, said), abs=1e-15
                )
                low, high = wilson_by_hand(np.count_nonzero(said == truth), n)
                assert (row[f"{name} low"], row[f"{name} high"]) == pytest.approx(
                    (low, high), abs=1e-12
                )
            # R² from its sums of squares, on a refitted regressor
            fitted = DecisionTreeRegressor(max_depth=depth, random_state=0).fit(
                X_train, p_train
            )
            residual = np.sum((p_test - fitted.predict(X_test)) ** 2)
            total = np.sum((p_test - p_test.mean()) ** 2)
            # two float64 sums of n terms each, then a ratio
            tol = 2 * rounding_tolerance("float64", residual + total, n) / total
            assert row["R²"] == pytest.approx(1 - residual / total, abs=tol)
            assert row["R² low"] <= row["R²"] <= row["R² high"]
        assert y_test.dtype == bool

    def test_r2_interval_against_an_own_bootstrap(self, page):
        p_test, depth = page["p_test"], 2
        fitted = DecisionTreeRegressor(max_depth=depth, random_state=0)
        said = fitted.fit(page["X_train"], page["p_train"]).predict(page["X_test"])
        rng = np.random.default_rng(7)
        draws = []
        for _ in range(1000):
            rows = rng.integers(0, len(p_test), len(p_test))
            truth = p_test[rows]
            draws.append(
                1
                - np.sum((truth - said[rows]) ** 2)
                / np.sum((truth - truth.mean()) ** 2)
            )
        low, high = np.percentile(draws, [2.5, 97.5])
        row, width = page["by_depth"].loc[depth], high - low
        assert row["R² low"] == pytest.approx(low, abs=0.3 * width)
        assert row["R² high"] == pytest.approx(high, abs=0.3 * width)

    def test_paired_differences_from_discordant_counts(self, page):
        said, bb, y, shown = (
            page["said"],
            page["bb_test"],
            page["y_test"],
            page["shown"],
        )
        deepest = page["deepest"]
        cases = {
            "second_level": (said[shown] == bb, said[1] == bb),
            "deeper": (said[deepest] == bb, said[shown] == bb),
            "model_not_data": (said[shown] == bb, said[shown] == y),
            "inherits": (said[shown] == y, bb == y),
            "versus_tree": (page["said_rules"] == bb, said[shown] == bb),
        }
        for name, (a, b) in cases.items():
            assert tuple(page[name]) == pytest.approx(
                paired_by_counts(a, b), abs=1e-12
            ), name
        text = finding(page, "A stump (depth 1)")
        inherits = page["inherits"]
        assert ("is below the forest's own" in text) == (inherits.high < 0)
        assert ("cannot be told from the forest's own" in text) == (
            inherits.low <= 0 <= inherits.high
        )
        for d in (1, shown, deepest):
            k = np.count_nonzero(said[d] != bb)
            assert tuple(page["miss"][d])[1:] == pytest.approx(
                wilson_by_hand(k, len(bb)), abs=1e-12
            )

    def test_copied_errors_counted(self, page):
        said, bb, y = page["said"][page["shown"]], page["bb_test"], page["y_test"]
        wrong = said != y
        both = np.count_nonzero(wrong & (bb != y))
        assert page["copied"].estimate == pytest.approx(both / np.count_nonzero(wrong))
        assert (page["copied"].low, page["copied"].high) == pytest.approx(
            wilson_by_hand(both, np.count_nonzero(wrong)), abs=1e-12
        )

    def test_claims_of_fidelity_fail_for_a_tree_of_the_data(self, page):
        """The opposite case: a depth-2 tree fitted to the TRUE admissions explains the
        data, not the forest; the page's criteria must say no for it."""
        X_train, X_test, bb, y = (
            page["X_train"],
            page["X_test"],
            page["bb_test"],
            page["y_test"],
        )
        assert beyond_noise(page["model_not_data"].low) and most(page["copied"].low)
        data_tree = DecisionTreeClassifier(max_depth=page["shown"], random_state=0)
        said = data_tree.fit(X_train, page["y_train"]).predict(X_test)
        assert not beyond_noise(paired_by_counts(said == bb, said == y)[1])
        wrong = said != y
        k = np.count_nonzero(wrong & (bb != y))
        assert not most(wilson_by_hand(k, np.count_nonzero(wrong))[0])
        # and a level that adds nothing is not 'beyond the noise'
        assert beyond_noise(page["second_level"].low)
        assert not beyond_noise(paired_by_counts(said == bb, said == bb)[1])

    def test_same_decision_split_by_welch(self, page):
        surrogate, p_test = page["surrogate"], page["p_test"]
        t, leaf = surrogate.tree_, surrogate.apply(page["X_test"])
        twins = [
            n
            for n in range(t.node_count)
            if t.children_left[n] >= 0
            and t.children_left[t.children_left[n]] < 0
            and t.children_left[t.children_right[n]] < 0
            and np.argmax(t.value[t.children_left[n], 0])
            == np.argmax(t.value[t.children_right[n], 0])
        ]
        texts = [s for s in page["_findings"] if s.startswith("Both answers to")]
        assert len(texts) == len(twins)
        for node, text in zip(twins, texts):
            a, b = (
                p_test[leaf == t.children_left[node]],
                p_test[leaf == t.children_right[node]],
            )
            low, high = welch_by_hand(a, b)
            assert f"difference {low:+.2f} to {high:+.2f}" in text
            assert ("treats the two groups differently" in text) == (
                low > 0 or high < 0
            )
        # the opposite case: two halves of one leaf's applicants differ by noise only
        a = p_test[leaf == t.children_left[twins[0]]] if twins else p_test
        low, high = welch_by_hand(a[::2], a[1::2])
        assert low <= 0 <= high

    def test_where_the_stump_and_the_tree_disagree(self, page):
        said, bb, p_test, shown = (
            page["said"],
            page["bb_test"],
            page["p_test"],
            page["shown"],
        )
        gpa = page["X_test"]["gpa"].to_numpy()
        wrong_1 = said[1] != bb
        false_admits = said[1] & ~bb
        k = np.count_nonzero(false_admits)
        assert tuple(page["share_false"])[1:] == pytest.approx(
            wilson_by_hand(k, wrong_1.sum()), abs=1e-12
        )
        u, p = mann_whitney_less(gpa[false_admits], gpa[said[1] & bb])
        assert page["lower_gpa"].statistic == u
        assert page["lower_gpa"].pvalue == pytest.approx(p, rel=1e-6)
        distance = np.abs(p_test - 0.5)
        wrong_2 = said[shown] != bb
        u, p = mann_whitney_less(distance[wrong_2], distance[~wrong_2])
        assert page["closer"].statistic == u and page["closer"].pvalue == pytest.approx(
            p, rel=1e-6
        )
        # the opposite cases: a surrogate that admits nobody disagrees only on the
        # forest's admits; rows far from the boundary are not 'closer to one half'
        nobody = np.zeros_like(bb)
        k_none = np.count_nonzero((nobody & ~bb)[nobody != bb])
        assert not most(wilson_by_hand(k_none, np.count_nonzero(nobody != bb))[0])
        far = distance >= np.quantile(distance, 0.9)
        assert mann_whitney_less(distance[far], distance[~far])[1] > 0.05
        # the stump's story in the prose is the stump's root
        stump = page["trees"][1].tree_
        assert f"*admit when {page['root']} > {stump.threshold[0]:g}*" in finding(
            page, "The stump says"
        )

    def test_rule_list_by_hand(self, page):
        rule_list, X_test, X_train = page["rule_list"], page["X_test"], page["X_train"]
        bb_test, bb_train = page["bb_test"], page["bb_train"]
        rules = [(r.feature, r.op, r.threshold, r.decision) for r in rule_list.rules]
        by_hand = [
            if_elif(rules, rule_list.default, row) for _, row in X_test.iterrows()
        ]
        first = np.array([i for i, _ in by_hand])
        decided = np.array([d for _, d in by_hand])
        np.testing.assert_array_equal(page["first"], first)
        np.testing.assert_array_equal(page["said_rules"], decided)
        # each rule is the purer side of the best stump on the rows no rule covered yet,
        # and covers at least 1% of the training applicants
        uncovered = np.ones(len(X_train), bool)
        for feature, op, threshold, decision in rules:
            stump = DecisionTreeClassifier(
                max_depth=1,
                min_samples_leaf=math.ceil(0.01 * len(X_train)),
                random_state=0,
            )
            stump.fit(X_train[uncovered], bb_train[uncovered])
            assert (
                X_train.columns[stump.tree_.feature[0]],
                stump.tree_.threshold[0],
            ) == (feature, threshold)
            values = X_train[feature].to_numpy(np.float32)
            side = values <= threshold if op == "<=" else values > threshold
            other = ~side
            purity = lambda rows: max(bb_train[rows].mean(), 1 - bb_train[rows].mean())
            assert purity(uncovered & side) >= purity(uncovered & other)
            assert decision == (bb_train[uncovered & side].mean() > 0.5)
            assert np.count_nonzero(uncovered & side) >= 0.01 * len(X_train)
            uncovered &= ~side
        assert rule_list.default == (bb_train[uncovered].mean() > 0.5)
        # the table: counts and agreement per rule, from a groupby
        table = page["table"]
        grouped = pd.DataFrame({"rule": first, "agree": decided == bb_test}).groupby(
            "rule"
        )["agree"]
        np.testing.assert_array_equal(
            table["test applicants"], grouped.size().reindex(table.index, fill_value=0)
        )
        np.testing.assert_allclose(
            table["agreement"], grouped.mean().reindex(table.index), rtol=0, atol=1e-15
        )
        for i, row in table.iterrows():
            k = np.count_nonzero((decided == bb_test)[first == i])
            assert (row["low"], row["high"]) == pytest.approx(
                wilson_by_hand(k, row["test applicants"]), abs=1e-12
            )
        decisions = [r[3] for r in rules] + [rule_list.default]
        assert table["then"].tolist() == [
            "admitted" if d else "not admitted" for d in decisions
        ]
        # the prose's comparison with the depth-2 tree
        text = finding(page, f"The {len(rules)} rules")
        differ = np.count_nonzero(decided != page["said"][page["shown"]])
        assert ("on every one" in text) == (differ == 0)

    def test_worst_rule_criterion_goes_both_ways(self, page):
        worst, overall = page["worst"], page["list_agree"]
        assert worst["agreement"] == page["table"]["agreement"].min()
        assert hides_a_group(worst["high"], overall.low)
        # the opposite: the best rule does not hide a group, nor do rules as faithful as
        # the list itself
        best = page["table"].loc[page["table"]["agreement"].idxmax()]
        assert not hides_a_group(best["high"], overall.low)
        assert not hides_a_group(overall.high, overall.low)

    def test_figures_read_back(self, page):
        fidelity, tree_figure, scatter = page["_figures"]
        table = page["by_depth"]
        ax = fidelity.axes[0]
        lines = {ln.get_label(): ln for ln in ax.lines}
        np.testing.assert_array_equal(
            lines["agreement with the forest"].get_ydata(), table["agreement"]
        )
        np.testing.assert_array_equal(
            lines["accuracy (truth)"].get_ydata(), table["accuracy"]
        )
        forest_line = lines["forest's accuracy"].get_ydata()
        assert forest_line[0] == pytest.approx(
            np.mean(page["bb_test"] == page["y_test"])
        )
        # the tree: one box per node
        boxes = [t for t in tree_figure.axes[0].texts if t.get_bbox_patch() is not None]
        assert len(boxes) == page["surrogate"].tree_.node_count
        # the scatter: one red ring per disagreement, one line per split on gmat or gpa
        said, bb = page["said"], page["bb_test"]
        for panel, depth in zip(scatter.axes, (1, page["shown"])):
            rings = panel.collections[2]
            assert len(rings.get_offsets()) == np.count_nonzero(said[depth] != bb)
            assert (
                panel.get_title()
                == f"depth {depth}: {np.count_nonzero(said[depth] != bb)} disagreements"
            )
            t = page["trees"][depth].tree_
            names = list(page["X_test"].columns)
            inner = [n for n in range(t.node_count) if t.children_left[n] >= 0]
            shown = [n for n in inner if names[t.feature[n]] in ("gmat", "gpa")]
            assert len(panel.lines) == len(shown)
        stump = page["trees"][1].tree_
        (line,) = scatter.axes[0].lines
        assert tuple(line.get_xdata()) == (stump.threshold[0],) * 2
        assert tuple(line.get_ydata()) == scatter.axes[0].get_ylim()
