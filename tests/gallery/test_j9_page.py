"""Page J9 (method face-off on Friedman's function) and :mod:`mlviz.explain.faceoff`.

The true terms are recomputed without the module's closed forms: the generating
function against ``make_friedman1`` itself, every expectation as a midpoint sum over a
grid of the unit square (with the grid refined to bound the sum's error), the Shapley
values from their definition with ``scipy.integrate.quad``, the permutation truth as
the mean squared change over pairs of grid points. The summaries are checked against
numpy and ``scipy.stats``, the drawing helpers by their artists. The page runs once in
quick mode: its scores, curve errors and interaction scores are recomputed (PD by
brute force, H from written-out partial dependences, SHAP values again), its table
cells from its per-draw numbers; then each claim is fed the opposite case (an
additive model, a model that overstates the interaction, a "copy" unrelated to x4)
and must fail (those tests are marked slow: they run the page). Tolerances come
from the arithmetic (``rounding_tolerance``, the midpoint rule's refinement, a
sampling standard error).
"""

from __future__ import annotations

from types import FunctionType

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import integrate, stats  # noqa: E402
from sklearn.datasets import make_friedman1  # noqa: E402
from sklearn.ensemble import GradientBoostingRegressor  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from mlviz.explain.ale import ale_bin_edges  # noqa: E402
from mlviz.explain.faceoff import (  # noqa: E402
    FEATURES,
    count_true,
    friedman1,
    friedman1_truth,
    main_effect,
    mean_and_se,
    paired_difference,
    plot_credit_split,
    plot_effect_curves,
    plot_pair_finding,
    plot_scores_against_truth,
    pure_interaction,
    summary_table,
    true_curves,
    true_shap_values,
)
from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import finding, rerun_cell, run_quick  # noqa: E402

PAGE = "10_effects_decisions/plot_09_method_faceoff.py"


# -- the truth, without the module's closed forms ------------------------------------


def sine(a, b):
    return 10 * np.sin(np.pi * a * b)


def grid_terms(m):
    """Expectations of the sine term as midpoint sums on an m x m grid."""
    u = (np.arange(m) + 0.5) / m
    F = sine(u[:, None], u[None, :])
    g1 = F.mean(axis=1)  # E[sine | x1 = u], by the midpoint rule over x2
    c = F.mean()
    f12 = F - g1[:, None] - F.mean(axis=0)[None, :] + c
    return {
        "main variance": np.mean((g1 - c) ** 2),
        "interaction variance": np.mean(f12**2),
        "interaction mean abs": np.mean(np.abs(f12)),
        "mean |SHAP| x1": np.mean(np.abs((g1 - c)[:, None] + f12 / 2)),
        "mean": c,
    }


@pytest.fixture(scope="module")
def grid():
    """The grid sums at 1000 and 2000 points a side; the change bounds the error."""
    coarse, fine = grid_terms(1000), grid_terms(2000)
    # the midpoint rule's error falls as h² (h^2 |f''| for kinked |.| too): halving h
    # divides it by four, so the fine sum is off by about a third of the change
    return {k: (fine[k], abs(fine[k] - coarse[k])) for k in fine}


@pytest.fixture(scope="module")
def truth():
    return friedman1_truth()


def test_friedman1_is_make_friedman1_without_noise():
    X, y = make_friedman1(n_samples=300, noise=0.0, random_state=3)
    tol = rounding_tolerance("float64", 4 * np.abs(y).max(), 4)
    assert np.max(np.abs(friedman1(X) - y)) <= tol
    with pytest.raises(ValueError, match="x1..x5 first"):
        friedman1(np.zeros((3, 4)))


def test_variances_and_interaction_against_grid_sums(truth, grid):
    t = truth.table
    pairs = [
        (t.loc["x1", "main variance"], "main variance"),
        (truth.interaction_variance, "interaction variance"),
        (truth.interaction_mean_abs, "interaction mean abs"),
        (t.loc["x1", "mean |SHAP|"], "mean |SHAP| x1"),
    ]
    for ours, key in pairs:
        value, change = grid[key]
        assert abs(ours - value) <= change + rounding_tolerance("float64", value, 4e6)
    # the other terms: 20 (x3 - .5)², 10 x4, 5 x5 integrated by quad
    v3 = integrate.quad(lambda u: (20 * (u - 0.5) ** 2 - 20 / 12) ** 2, 0, 1)
    a3 = integrate.quad(
        lambda u: abs(20 * (u - 0.5) ** 2 - 20 / 12), 0, 1, points=[0.5]
    )
    assert abs(t.loc["x3", "main variance"] - v3[0]) <= 10 * v3[1] + 1e-12
    assert abs(t.loc["x3", "mean |SHAP|"] - a3[0]) <= 1e-5  # panels=50: below 1e-5
    assert t.loc["x4", "main variance"] == pytest.approx(100 / 12, rel=1e-12)
    assert t.loc["x5", "main variance"] == pytest.approx(25 / 12, rel=1e-12)
    assert (t.loc["x6":"x10"] == 0).all().all()
    # Var f and E f: the sine's plus the additive terms'
    total = 2 * t.loc["x1", "main variance"] + truth.interaction_variance
    total += t.loc["x3":"x5", "main variance"].sum()
    assert truth.variance == pytest.approx(total, rel=1e-12)
    mean, change = grid["mean"]
    assert abs(truth.mean - (mean + 20 / 12 + 5 + 2.5)) <= change + 1e-12


def test_main_effects_and_pure_interaction_by_quadrature(truth):
    Ef = integrate.dblquad(lambda b, a: sine(a, b), 0, 1, 0, 1)[0]
    for a in (0.0, 0.13, 0.5, 0.91, 1.0):
        given = integrate.quad(lambda b: sine(a, b), 0, 1)[0]
        assert abs(main_effect("x1", a) - (given - Ef)) <= 1e-9
        assert abs(main_effect("x2", a) - (given - Ef)) <= 1e-9
        assert main_effect("x4", a) == pytest.approx(10 * a - 5, abs=1e-12)
        assert main_effect("x3", a) == pytest.approx(20 * (a - 0.5) ** 2 - 20 / 12)
        assert main_effect("x8", a) == 0
        for b in (0.07, 0.6, 1.0):
            other = integrate.quad(lambda u: sine(u, b), 0, 1)[0]
            expected = sine(a, b) - given - other + Ef
            assert abs(pure_interaction(a, b) - expected) <= 1e-9
    with pytest.raises(ValueError, match="feature must be one of"):
        main_effect("x11", [0.5])


def test_true_shap_values_follow_the_shapley_definition(truth):
    """Two players x1, x2 with value v(S) = E[f | x_S]: phi_1 = (v1 - v0 + f - v2) / 2."""
    rows = np.random.default_rng(5).uniform(size=(6, 10))
    phi = true_shap_values(rows)
    v0 = integrate.dblquad(lambda b, a: sine(a, b), 0, 1, 0, 1)[0]
    for row, p in zip(rows, phi):
        a, b = row[:2]
        v1 = integrate.quad(lambda u: sine(a, u), 0, 1)[0]
        v2 = integrate.quad(lambda u: sine(u, b), 0, 1)[0]
        assert abs(p[0] - ((v1 - v0) + (sine(a, b) - v2)) / 2) <= 1e-9
        assert abs(p[1] - ((v2 - v0) + (sine(a, b) - v1)) / 2) <= 1e-9
        assert np.all(p[5:] == 0)
    # efficiency: each row adds up to f(x) - E f
    gap = phi.sum(axis=1) - (friedman1(rows) - truth.mean)
    assert np.max(np.abs(gap)) <= rounding_tolerance("float64", 200.0, 20)


def test_permutation_truth_is_the_mean_squared_change():
    """Twice the total variance = E[(f(x) - f(x with x_j redrawn))²], summed directly
    over all pairs of grid values of x_j (and a grid of x2 for x1)."""
    t = friedman1_truth().table
    estimates = []
    for m in (100, 200):
        u = (np.arange(m) + 0.5) / m
        F = sine(u[:, None], u[None, :])  # [x1, x2]
        estimates.append(np.mean((F[:, None, :] - F[None, :, :]) ** 2))
    assert abs(t.loc["x1", "permutation"] - estimates[1]) <= abs(np.diff(estimates)[0])
    u = (np.arange(2000) + 0.5) / 2000
    g3 = 20 * (u - 0.5) ** 2
    direct = np.mean((g3[:, None] - g3[None, :]) ** 2)
    assert t.loc["x3", "permutation"] == pytest.approx(direct, rel=1e-5)
    assert t.loc["x4", "permutation"] == pytest.approx(2 * 100 / 12, rel=1e-12)


# -- summaries and drawing helpers --------------------------------------------------


def test_summaries_against_numpy_and_scipy():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "method": ["a"] * 5 + ["b"] * 5 + ["c"] * 5,
            "seed": list(range(5)) * 3,
            "error": np.r_[rng.normal(1, 0.1, 10), [np.nan] * 5],
            "found": [True, True, False, True, True] * 2 + [np.nan] * 5,
        }
    )
    a = frame["error"][:5]
    assert mean_and_se(frame, "error")["a"] == f"{a.mean():.3f} ± {stats.sem(a):.3f}"
    assert mean_and_se(frame, "error")["c"] == "—"
    assert mean_and_se(frame, "error", percent=True)["a"].endswith("%")
    assert count_true(frame, "found").to_dict() == {
        "a": "4 of 5",
        "b": "4 of 5",
        "c": "—",
    }
    d, se = paired_difference(frame, "error", "a", "b")
    result = stats.ttest_rel(frame["error"][:5], frame["error"][5:10])
    assert d / se == pytest.approx(result.statistic, rel=1e-12)
    with pytest.raises(ValueError, match="no column 'nope'"):
        mean_and_se(frame, "nope")
    with pytest.raises(ValueError, match="at least 2"):
        paired_difference(frame, "error", "a", "c")
    with pytest.raises(ValueError, match="method == 'z'"):
        paired_difference(frame, "error", "a", "z")
    with pytest.raises(TypeError, match="per_draw must be a DataFrame"):
        count_true([1, 2], "found")
    table = summary_table(frame, {"found?": "found", "err": "error"}, counts=["found"])
    assert table.loc["found?"].to_dict() == count_true(frame, "found").to_dict()
    assert table.loc["err"].to_dict() == mean_and_se(frame, "error").to_dict()
    with pytest.raises(ValueError, match="no column 'nope'"):
        summary_table(frame, {"x": "nope"})


def test_true_curves_are_centred_and_add_up():
    """Centred on the rows; SHAP's add up to f less its mean over the rows, PD's and
    ALE's are the main effects; unused columns and a copy get nothing."""
    rng = np.random.default_rng(8)
    X = pd.DataFrame(rng.uniform(size=(50, 10)), columns=FEATURES)
    X["x4 copy"] = X["x4"] + rng.normal(0, 0.05, 50)
    curves = true_curves(X)
    tol = rounding_tolerance("float64", 20.0, 50)
    for method in ("SHAP", "PD", "ALE"):
        assert curves[method].shape == X.shape
        assert np.abs(curves[method].mean()).max() <= tol
        assert (curves[method][["x6", "x10", "x4 copy"]] == 0).all().all()
    assert curves["PD"].equals(curves["ALE"])
    assert np.abs(curves["PD"]["x4"] - 10 * (X["x4"] - X["x4"].mean())).max() <= tol
    f = friedman1(X.to_numpy())
    assert np.abs(curves["SHAP"].sum(axis=1) - (f - f.mean())).max() <= 11 * tol
    with pytest.raises(ValueError, match="first columns are x1..x5"):
        true_curves(X.to_numpy())


def test_drawing_helpers_draw_what_they_are_given():
    scores = pd.DataFrame(
        {"m1": [1.0, 0.5, 0.0], "m2": [0.9, 0.4, 0.1]}, index=list("pqr")
    )
    truth = pd.DataFrame(
        {"m1": [1.0, 0.5, 0.0], "m2": [1.0, 0.52, 0.0]}, index=list("pqr")
    )
    ax = plot_scores_against_truth(
        scores, truth, labels={"p": ["p"], "q, r": ["q", "r"]}
    )
    assert len(ax.containers) == 2 and ax.lines[-1].get_label() == "truth"
    assert sorted(t.get_text() for t in ax.texts) == ["p", "q, r"]  # truths coincide
    with pytest.raises(ValueError, match="rows and columns of scores"):
        plot_scores_against_truth(scores, scores[["m1"]])
    ax = plot_pair_finding({"H": [0.7, 0.8, 0.6]}, {"H": [0.1, 0.2, 0.15]})
    assert [len(c.get_offsets()) for c in ax.collections] == [3, 3]
    with pytest.raises(ValueError, match="one value per draw"):
        plot_pair_finding({"H": [0.7]}, {"H": [0.1, 0.2]})
    total, share = pd.Series({"a": 1.0, "b": 0.7}), pd.Series({"a": 0.2, "b": 0.1})
    ax = plot_credit_split(total, share, name="x4", reference=total)
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([0.8, 0.63, 0.2, 0.07])
    assert "x4 copy" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="share must lie between 0 and 1"):
        plot_credit_split(total, share + 1)
    x = np.array([0.5, 0.1, 0.9])
    curves = {"SHAP": [1.0, 2.0, 3.0], "PD": [0.4, 0.0, 0.8]}
    ax = plot_effect_curves(x, curves, truth=[0.5, 0.1, 0.9])
    assert [line.get_label() for line in ax.lines] == ["PD", "true main effect"]
    assert list(ax.lines[0].get_xdata()) == [0.1, 0.5, 0.9]  # in the order of x
    assert list(ax.lines[0].get_ydata()) == [0.0, 0.4, 0.8]
    assert [len(c.get_offsets()) for c in ax.collections] == [3]  # SHAP, per row
    with pytest.raises(ValueError, match="one value per row of x"):
        plot_effect_curves(x, {"PD": [1.0, 2.0]})
    plt.close("all")


# -- the page's numbers ---------------------------------------------------------------


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run the page once, in quick mode, for all the tests of this module."""
    yield run_quick(PAGE, tmp_path_factory.mktemp("j9"))
    plt.close("all")


CLAIMS = "What the table bears out"


@pytest.mark.slow
def test_pd_curves_and_scores_recomputed(page):
    """The last draw: PD by brute force at ALE's edges, SHAP values again."""
    import shap

    model, X, curves, scores = (
        page["model"],
        page["X_test"],
        page["curves"],
        page["scores"],
    )
    for c in ("x1", "x3", "x7"):
        edges = ale_bin_edges(X[c], page["bins"])
        mean = np.array([model.predict(X.assign(**{c: v})).mean() for v in edges])
        at_rows = np.interp(X[c], edges, mean)
        ours = curves["PD"][c].to_numpy()
        tol = rounding_tolerance("float64", 4 * len(X) * np.abs(mean).max(), len(X))
        assert np.max(np.abs(ours - (at_rows - at_rows.mean()))) <= tol
        assert scores.loc[c, "PD"] == pytest.approx(np.std(ours), rel=1e-12)
    phi = shap.TreeExplainer(model).shap_values(X)
    assert np.allclose(
        scores["SHAP"], np.abs(phi - phi.mean(axis=0)).mean(axis=0), rtol=1e-12
    )


@pytest.mark.slow
def test_permutation_importance_within_its_sampling_noise(page):
    """Our own permutations of x4 and x7 (20 each): the page's mean of 5 agrees within
    four standard errors of the difference."""
    model, X, y = page["model"], page["X_test"], page["y_test"]
    base = np.mean((y - model.predict(X)) ** 2)
    rng = np.random.default_rng(11)
    for c in ("x4", "x7"):
        rises = [
            np.mean(
                (y - model.predict(X.assign(**{c: rng.permutation(X[c].to_numpy())})))
                ** 2
            )
            - base
            for _ in range(20)
        ]
        se = np.std(rises, ddof=1) * np.sqrt(1 / 5 + 1 / 20)
        assert (
            abs(page["scores"].loc[c, "permutation"] - np.mean(rises)) <= 4 * se + 1e-12
        )


@pytest.mark.slow
def test_errors_recomputed_from_scores_and_a_truth_of_our_own(page, grid):
    t, ps = page["t"], page["per_seed"]
    for (seed, method), row in (
        ps.dropna(subset=["importance error"]).set_index(["seed", "method"]).iterrows()
    ):
        s = page["all_scores"].query("seed == @seed")[method]
        s_true = t[page["target"][method]]
        expected = np.sqrt(np.sum((s - s_true) ** 2) / np.sum(s_true**2))
        assert row["importance error"] == pytest.approx(expected, rel=1e-12)
        top_five = set(s.sort_values(ascending=False).index[:5])
        assert bool(row["relevant first"]) == (
            top_five == set(page["relevant"])
            and s.nlargest(6).iloc[4] > s.nlargest(6).iloc[5]
        )
    # the last draw's curve errors, with the true curves on a grid of our own
    X, curves, last = page["X_test"], page["curves"], ps["seed"].max()
    u = (np.arange(4000) + 0.5) / 4000
    g = lambda v: sine(np.asarray(v)[:, None], u[None, :]).mean(axis=1)  # noqa: E731
    c0 = grid["mean"][0]
    main = {c: np.zeros(len(X)) for c in FEATURES}
    main["x1"], main["x2"] = g(X["x1"]) - c0, g(X["x2"]) - c0
    main["x3"] = 20 * (X["x3"] - 0.5) ** 2 - 20 / 12
    main["x4"], main["x5"] = 10 * X["x4"] - 5, 5 * X["x5"] - 2.5
    main = pd.DataFrame(main, index=X.index)
    f12 = sine(X["x1"], X["x2"]) - main["x1"] - main["x2"] - c0
    phi = main.copy()
    phi["x1"] += f12 / 2
    phi["x2"] += f12 / 2
    errors = ps[ps["seed"] == last].dropna(subset=["curve error"])
    errors = errors.set_index("method")["curve error"]
    for method, true in (("PD", main), ("ALE", main), ("SHAP", phi)):
        gap = curves[method] - (true - true.mean())
        # our midpoint sums are off by about h² |f''| / 24 < 1e-6 (h = 1/4000, |f''| <
        # 10 pi²), which moves a root mean square by no more than that
        assert errors[method] == pytest.approx(
            np.sqrt(np.mean(gap.to_numpy() ** 2)), abs=1e-6
        )


@pytest.mark.slow
def test_pair_scores_recomputed(page, grid):
    """H of (x1, x2) from partial dependences written out; SHAP interaction values again."""
    import shap

    model, rows = page["model"], page["X_test"].iloc[: page["n_pair_rows"]]
    n = len(rows)

    def centred_pd(features):
        stacked = pd.concat([rows] * n, ignore_index=True)
        stacked[features] = np.repeat(rows[features].to_numpy(), n, axis=0)
        values = model.predict(stacked).reshape(n, n).mean(axis=1)
        return values - values.mean()

    pure = centred_pd(["x1", "x2"]) - centred_pd(["x1"]) - centred_pd(["x2"])
    ps = page["per_seed"]
    last = ps[(ps["seed"] == ps["seed"].max())].set_index("method")
    true_h = np.sqrt(grid["interaction variance"][0])
    assert last.loc["H", "interaction error"] == pytest.approx(
        (np.sqrt(np.mean(pure**2)) - true_h) / true_h, abs=1e-6
    )
    inter = shap.TreeExplainer(model).shap_interaction_values(rows)
    true_abs = grid["interaction mean abs"][0]
    assert last.loc["SHAP interaction", "interaction error"] == pytest.approx(
        (np.mean(np.abs(2 * inter[:, 0, 1])) - true_abs) / true_abs, abs=1e-6
    )


@pytest.mark.slow
def test_table_cells_and_figure(page):
    table, ps = page["face_off_table"], page["per_seed"]
    v = ps[ps["method"] == "ALE"]["importance error"].dropna()
    assert (
        table.loc["importance error", "ALE"]
        == f"{v.mean():.3f} ± {v.std() / np.sqrt(len(v)):.3f}"
    )
    n = len(page["seeds"])
    assert table.loc["x1 × x2 highest of 45 pairs", "H"] == f"{n} of {n}"
    assert table.loc["curve error (RMS, units of y)", "permutation"] == "—"
    (fig,) = page["_figures"]
    a, b, c, d = fig.axes
    assert len(a.containers) == 4  # one error-bar set per one-feature method
    assert [len(col.get_offsets()) for col in c.collections] == [n] * 4
    assert len(d.patches) == 8 and len(b.lines) == 3


# -- each claim fed the opposite case --------------------------------------------------


@pytest.mark.slow
def test_found_claim_fails_for_an_additive_model(page):
    stumps = GradientBoostingRegressor(n_estimators=30, max_depth=1, random_state=0)
    X, y = page["X_test"], page["y_test"]
    stumps.fit(X, y)
    records = []  # the page's function, writing to a list of our own
    f = page["pair_errors"]
    FunctionType(f.__code__, {**f.__globals__, "records": records})(
        0, stumps, X.iloc[:20]
    )
    shap_row = next(r for r in records if r["method"] == "SHAP interaction")
    assert not shap_row["x1 × x2 first"]  # all interaction values are zero: no winner
    ps = page["per_seed"].copy()
    ps.loc[ps["method"] == "SHAP interaction", "x1 × x2 first"] = 0.0
    with pytest.raises(ClaimError, match="in every draw, each one-feature method"):
        rerun_cell(PAGE, page, CLAIMS, per_seed=ps)


@pytest.mark.slow
def test_interaction_claim_fails_when_the_model_overstates_it(page):
    ps = page["per_seed"].copy()
    ps["interaction error"] = ps["interaction error"].abs()
    with pytest.raises(ClaimError, match="below its truth"):
        rerun_cell(PAGE, page, CLAIMS, per_seed=ps)


@pytest.fixture(scope="module")
def unrelated_copy(page):
    """The copy cell again, with an `x4 copy` drawn independently of x4."""
    n, trees = page["n"], page["trees"]

    def fit_draw(seed, copy=False):
        X, y = make_friedman1(n_samples=n, noise=1.0, random_state=seed)
        X = pd.DataFrame(X, columns=FEATURES)
        X["x4 copy"] = np.random.default_rng(seed + 100).uniform(size=n)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed)
        model = GradientBoostingRegressor(
            n_estimators=trees, max_depth=4, random_state=0
        )
        return model.fit(X_train, y_train), X_test, y_test

    records = [r for r in page["records"] if "pair total / truth" not in r]
    ns, _ = rerun_cell(PAGE, page, "## A near-copy", fit_draw=fit_draw, records=records)
    return ns["per_seed"]


@pytest.mark.slow
def test_copy_claims_fail_for_a_column_unrelated_to_x4(page, unrelated_copy):
    with pytest.raises(ClaimError, match="permutation importance loses part"):
        rerun_cell(PAGE, page, CLAIMS, per_seed=unrelated_copy)
    # the page's own losses, but the unrelated column's credit
    ps = page["per_seed"].copy()
    ps["copy over unused"] = unrelated_copy["copy over unused"].to_numpy()
    with pytest.raises(ClaimError, match="more credit than an unused feature"):
        rerun_cell(PAGE, page, CLAIMS, per_seed=ps)


@pytest.mark.slow
def test_words_follow_the_numbers(page):
    _, said = rerun_cell(PAGE, page, CLAIMS)  # the cell says what the page said
    assert said == [finding(page, "Lowest importance"), finding(page, "With the copy")]
    ps = page["per_seed"].copy()
    one = ps["method"].isin(["permutation", "SHAP", "PD", "ALE"])
    ps.loc[one, "importance error"] = 0.1 + 0.001 * ps.loc[one, "seed"] * np.where(
        ps.loc[one, "method"] == "ALE", -1, 1
    )
    ps.loc[ps["method"] == "ALE", "importance error"] -= 0.05  # ALE best, clearly
    _, said = rerun_cell(PAGE, page, CLAIMS, per_seed=ps)
    assert said[0].startswith("Lowest importance error: **ALE**")
    assert "(within 2 SE)" not in said[0].split(". Curve")[0]
    # equal on average, opposite signs in alternate draws: no difference beyond noise
    k = ps.loc[one, "method"].map({"permutation": 1, "SHAP": 2, "PD": 3, "ALE": 4})
    ps.loc[one, "importance error"] = 0.1 + 0.01 * k * (-1.0) ** ps.loc[one, "seed"]
    _, said = rerun_cell(PAGE, page, CLAIMS, per_seed=ps)
    assert "(beyond 2 SE)" not in said[0].split(". Curve")[0]
