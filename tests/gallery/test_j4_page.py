"""Page J4 (glass-box models: an EBM and a spline GAM against the black box) and its helper.

The first tests check :func:`mlviz.explain.gam.gam_terms` on its own: its terms add up to
the pipeline's prediction, its posterior standard deviation matches the hat-matrix
formula of ordinary least squares when there is no penalty, and it names bad arguments;
and what :func:`~mlviz.explain.gam.plot_shape_functions` draws.
The page tests run J4 once in quick mode and recompute its numbers another way
(interpret's own ``eval_terms`` and ``explain_local``, scikit-learn's
``partial_dependence``, models rebuilt from single bags), then run its cells again with
the numbers of the opposite case, so that each claim is shown to be able to fail.
"""

from __future__ import annotations

import copy
import os

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.inspection import partial_dependence  # noqa: E402
from sklearn.linear_model import LinearRegression, Ridge  # noqa: E402
from sklearn.metrics import r2_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import SplineTransformer  # noqa: E402

from mlviz.datasets import MIRROR_ENV  # noqa: E402
from mlviz.explain.gam import gam_terms, plot_shape_functions  # noqa: E402
from mlviz.inspect.performance import Interval  # noqa: E402
from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import page_path, rerun_cell, run_quick  # noqa: E402

PAGE = "10_effects_decisions/plot_04_glass_box.py"
needs_data = pytest.mark.skipif(
    not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)"
)


# ------------------------------------------------------------------------ the helper


def toy(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "x": rng.uniform(0, 1, n),
            "z": rng.uniform(-1, 1, n),
            "flag": rng.integers(0, 2, n).astype(float),
        }
    )
    y = np.sin(3 * X["x"]) + X["z"] ** 2 + 0.5 * X["flag"] + rng.normal(0, 0.1, n)
    return X, y.to_numpy()


def spline_gam(linear, *, drop_z=False):
    return make_pipeline(
        ColumnTransformer(
            [
                ("x", SplineTransformer(n_knots=5), ["x"]),
                ("z", "drop" if drop_z else SplineTransformer(n_knots=4), ["z"]),
            ],
            remainder="passthrough",
        ),
        linear,
    )


@pytest.mark.parametrize("linear", [Ridge(alpha=0.3), LinearRegression()])
def test_gam_terms_add_up_to_the_prediction_and_are_centred(linear):
    X, y = toy()
    gam = spline_gam(linear).fit(X, y)
    new = toy(30, seed=1)[0]
    parts = gam_terms(gam, new, X_train=X, y_train=y)
    assert list(parts.terms.columns) == ["x", "z", "flag"]
    total = parts.intercept + parts.terms.sum(axis=1).to_numpy()
    scale = abs(parts.intercept) + parts.terms.abs().to_numpy().sum(axis=1)
    tol = rounding_tolerance("float64", scale=scale.max(), n_terms=20)
    np.testing.assert_allclose(total, gam.predict(new), rtol=0, atol=tol)
    on_train = gam_terms(gam, X, X_train=X).terms
    np.testing.assert_allclose(on_train.mean(), 0, rtol=0, atol=tol)
    assert parts.intercept == pytest.approx(gam.predict(X).mean(), abs=tol)
    # a term depends on its own column only
    moved = gam_terms(gam, new.assign(z=0.0, flag=1.0), X_train=X).terms
    np.testing.assert_allclose(moved["x"], parts.terms["x"], rtol=0, atol=tol)


def test_gam_std_without_penalty_is_the_least_squares_hat_matrix():
    """OLS: var(fitted_i) = s^2 h_ii, and a term's variance is that less the intercept's
    s^2 / n (the centred basis is orthogonal to the constant)."""
    X, y = toy()
    only_x = make_pipeline(
        ColumnTransformer([("x", SplineTransformer(n_knots=5), ["x"])]),
        LinearRegression(),
    ).fit(X, y)
    design = np.column_stack([np.ones(len(X)), only_x[0].transform(X)])
    hat = design @ np.linalg.pinv(design.T @ design) @ design.T
    residual = y - only_x.predict(X)
    s2 = residual @ residual / (len(y) - np.linalg.matrix_rank(design))
    expected = np.sqrt(s2 * (np.diag(hat) - 1 / len(X)))
    got = gam_terms(only_x, X, X_train=X, y_train=y).std["x"].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-8)
    # with more terms, every term gets a positive, finite sd
    gam = spline_gam(LinearRegression()).fit(X, y)
    std = gam_terms(gam, X, X_train=X, y_train=y).std.to_numpy()
    assert np.all(np.isfinite(std)) and np.all(std > 0)


def test_gam_std_with_a_penalty_from_the_augmented_least_squares_problem():
    """Ridge is least squares on [B; sqrt(alpha) I] and [y; 0]; its posterior covariance is
    s^2 (A'A)^-1, with s^2 on n - edf degrees of freedom and edf the trace of the hat
    matrix, here found column by column from scikit-learn's own Ridge (it is linear in y)."""
    X, y = toy()
    alpha = 0.5
    gam = make_pipeline(
        ColumnTransformer([("x", SplineTransformer(n_knots=5), ["x"])]),
        Ridge(alpha=alpha),
    ).fit(X, y)
    basis = gam[0].transform(X)
    n, p = basis.shape
    edf = sum(
        Ridge(alpha=alpha).fit(basis, e).predict(basis)[i]
        for i, e in enumerate(np.eye(n))
    )
    residual = y - gam.predict(X)
    s2 = residual @ residual / (n - edf)
    centred_basis = basis - basis.mean(axis=0)
    A = np.vstack([centred_basis, np.sqrt(alpha) * np.eye(p)])
    coef, *_ = np.linalg.lstsq(A, np.r_[y - y.mean(), np.zeros(p)], rcond=None)
    np.testing.assert_allclose(coef, gam[-1].coef_, rtol=1e-8, atol=1e-10)
    covariance = s2 * np.linalg.inv(A.T @ A)
    expected = np.sqrt(
        np.einsum("ij,jk,ik->i", centred_basis, covariance, centred_basis)
    )
    got = gam_terms(gam, X, X_train=X, y_train=y).std["x"].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-8)
    assert gam_terms(gam, X, X_train=X).std is None


def test_gam_terms_names_bad_arguments():
    X, y = toy()
    gam = spline_gam(Ridge()).fit(X, y)
    with pytest.raises(TypeError, match="gam must be a fitted two-step Pipeline"):
        gam_terms(Ridge().fit(X, y), X, X_train=X)
    with pytest.raises(
        TypeError, match="first step must be a fitted ColumnTransformer"
    ):
        gam_terms(make_pipeline(SplineTransformer(), Ridge()).fit(X, y), X, X_train=X)
    with pytest.raises(TypeError, match="X must be a DataFrame"):
        gam_terms(gam, X.to_numpy(), X_train=X)
    with pytest.raises(
        ValueError, match=r"y_train must have one value per row of X_train \(80\)"
    ):
        gam_terms(gam, X, X_train=X, y_train=y[:5])
    assert (
        "z"
        not in gam_terms(spline_gam(Ridge(), drop_z=True).fit(X, y), X, X_train=X).terms
    )


def test_plot_shape_functions_draws_each_model_per_feature_with_its_band():
    grid = np.linspace(0, 1, 5)
    curves = {
        "x": pd.DataFrame({"A": grid, "B": -grid}, index=grid),
        "flag": pd.DataFrame({"A": [0.0, 1.0], "B": [1.0, 0.0]}, index=[0.0, 1.0]),
    }
    bands = {"x": {"A": np.full(5, 0.1)}}
    axes = plot_shape_functions(curves, bands, colors={"B": "C3"}, dashed=["B"])
    assert [ax.get_xlabel() for ax in axes] == ["x", "flag"]
    lines = axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["A", "B"]
    assert lines[1].get_linestyle() == "--" and lines[1].get_color() == "C3"
    assert len(axes[0].collections) == 1 and not axes[1].collections  # one band only
    assert axes[1].get_lines()[0].get_marker() == "o"  # few grid values: markers
    with pytest.raises(TypeError, match="curves must be a non-empty dict"):
        plot_shape_functions({})
    with pytest.raises(ValueError, match=r"one Axes per feature \(2\); got 1"):
        plot_shape_functions(curves, axes=[axes[0]])
    plt.close("all")


# ------------------------------------------------------------------------------ the page


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    folder = tmp_path_factory.mktemp("j4")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        namespace = run_quick(PAGE, folder)
    yield namespace
    plt.close("all")


def rerun(namespace, opening, **replaced):
    return rerun_cell(PAGE, namespace, opening, **replaced)


PAIR = "The strongest pair should be BMI"
AGE = "One reading the three models should share"
DOUBLE = "The interaction as one number per model"
ACCURACY = "What the pair terms buy"


def test_page_imports_neither_torch_nor_interpret_s_server():
    from mlviz.build.extras import page_modules

    modules = page_modules(page_path(PAGE))
    assert "interpret" in modules
    assert not {"torch", "dash", "flask"} & modules


def bag_models(ebm):
    """One EBM per bag: the fitted model with its term scores replaced by that bag's."""
    models = []
    for b in range(len(ebm.bagged_scores_[0])):
        model = copy.deepcopy(ebm)
        model.term_scores_ = [scores[b] for scores in ebm.bagged_scores_]
        models.append(model)
    return models


@needs_data
def test_ebm_terms_add_up_to_its_prediction(ns):
    ebm, X_test = ns["ebm"], ns["X_test"]
    terms = ebm.eval_terms(X_test)
    scale = np.abs(terms).sum(axis=1).max() + abs(ebm.intercept_)
    tol = rounding_tolerance("float64", scale=scale, n_terms=terms.shape[1] + 1)
    np.testing.assert_allclose(
        ebm.intercept_ + terms.sum(axis=1), ebm.predict(X_test), rtol=0, atol=tol
    )
    local = ebm.explain_local(X_test.iloc[:5])
    for i in range(5):
        data = local.data(i)
        total = np.sum(data["scores"]) + np.sum(data["extra"]["scores"])
        assert total == pytest.approx(ebm.predict(X_test.iloc[[i]])[0], abs=tol)


@needs_data
def test_gam_terms_on_the_page_add_up_to_its_prediction(ns):
    gam, X_train, X_test = ns["gam"], ns["X_train"], ns["X_test"]
    parts = gam_terms(gam, X_test, X_train=X_train)
    scale = abs(parts.intercept) + parts.terms.abs().to_numpy().sum(axis=1).max()
    tol = rounding_tolerance("float64", scale=scale, n_terms=30)
    np.testing.assert_allclose(
        parts.intercept + parts.terms.sum(axis=1), gam.predict(X_test), rtol=0, atol=tol
    )


@needs_data
def test_lookup_on_the_page_is_what_interpret_evaluates(ns):
    ebm, grid, lookup = ns["ebm"], ns["grid"], ns["ebm_lookup"]
    terms = ebm.eval_terms(grid)
    for feature in ["age", "bmi", "children", "smoker"]:
        score, _ = lookup(feature, [grid[feature].to_numpy()])
        np.testing.assert_array_equal(score, terms[:, ebm.term_names_.index(feature)])
    j = ebm.term_names_.index("bmi & smoker")
    for s in (0, 1):
        pair, _ = lookup(
            "bmi & smoker", [grid["bmi"].to_numpy(), np.full(len(grid), s)]
        )
        np.testing.assert_array_equal(pair, ebm.eval_terms(grid.assign(smoker=s))[:, j])


@needs_data
def test_bag_spread_and_importances_from_models_rebuilt_per_bag(ns):
    ebm, grid, curves, bands = ns["ebm"], ns["grid"], ns["curves"], ns["bands"]
    bags = bag_models(ebm)
    per_bag = np.array([model.term_importances() for model in bags])  # bags x terms
    table = ns["importance"].set_index("term").loc[ebm.term_names_]
    np.testing.assert_allclose(table["lowest bag"], per_bag.min(axis=0), rtol=1e-12)
    np.testing.assert_allclose(table["highest bag"], per_bag.max(axis=0), rtol=1e-12)
    np.testing.assert_allclose(
        table["importance (USD)"], ebm.term_importances(), rtol=0
    )
    for feature in curves:
        j = ebm.term_names_.index(feature)
        bag_curves = np.array([model.eval_terms(grid)[:, j] for model in bags])
        np.testing.assert_allclose(
            bands[feature]["EBM"] / 2, bag_curves.std(axis=0), rtol=1e-9
        )


def centred(values):
    return values - np.mean(values)


@needs_data
def test_centred_curves_recomputed_with_sklearn_partial_dependence(ns):
    black_box, ebm, gam = ns["black_box"], ns["ebm"], ns["gam"]
    X_train, grid, curves = ns["X_train"], ns["grid"], ns["curves"]
    in_pairs = {
        ebm.feature_names_in_[f] for t in ebm.term_features_ if len(t) > 1 for f in t
    }
    alone = [feature for feature in curves if feature not in in_pairs]
    assert "age" in alone  # an EBM curve equals the EBM's own PD only outside any pair
    for feature, frame in curves.items():
        x = grid[feature].to_numpy()
        values = np.unique(x)
        models = {"black box PD": black_box, "GAM": gam}
        if feature in alone:
            models["EBM"] = ebm
        for name, model in models.items():
            result = partial_dependence(
                model,
                X_train,
                [feature],
                method="brute",
                custom_values={feature: values},
            )
            pd_on_grid = result["average"][0][np.searchsorted(values, x)]
            tol = rounding_tolerance(
                "float64",
                scale=len(X_train) * np.abs(pd_on_grid).max(),
                n_terms=len(X_train),
            )
            np.testing.assert_allclose(
                frame[name].to_numpy(),
                centred(pd_on_grid),
                rtol=0,
                atol=tol,
                err_msg=name,
            )


@needs_data
def test_double_difference_recomputed(ns):
    black_box, ebm, X_train = ns["black_box"], ns["ebm"], ns["X_train"]
    grid, extra = ns["grid"], ns["extra"]
    bmi = grid["bmi"].to_numpy()
    above = bmi > 30
    values = np.unique(bmi)
    result = partial_dependence(
        black_box, X_train, ["bmi", "smoker"], method="brute",
        custom_values={"bmi": values, "smoker": np.array([0.0, 1.0])},
    )  # fmt: skip
    surface = result["average"][0][np.searchsorted(values, bmi)]  # grid x smoker
    gap = surface[:, 1] - surface[:, 0]
    expected = gap[above].mean() - gap[~above].mean()
    tol = rounding_tolerance(
        "float64", scale=len(X_train) * np.abs(surface).max(), n_terms=len(X_train)
    )
    assert extra["black box PD"] == pytest.approx(expected, abs=4 * tol)
    j = ebm.term_names_.index("bmi & smoker")
    pair = {s: ebm.eval_terms(grid.assign(smoker=s))[:, j] for s in (0, 1)}
    gap = pair[1] - pair[0]  # the main terms cancel: the pair term alone
    assert extra["EBM"] == pytest.approx(
        gap[above].mean() - gap[~above].mean(), rel=1e-12
    )
    assert abs(extra["GAM"]) <= rounding_tolerance(
        "float64", scale=np.abs(ns["surfaces"][1]["GAM"]).sum(), n_terms=len(bmi)
    )


@needs_data
def test_accuracy_recomputed_and_mains_only_matches_interpret_remove_terms(ns):
    ebm, gam, black_box = ns["ebm"], ns["gam"], ns["black_box"]
    X_test, y_test, versus = ns["X_test"], ns["y_test"], ns["versus"]
    mains = copy.deepcopy(ebm).remove_terms([t for t in ebm.term_names_ if " & " in t])
    np.testing.assert_allclose(
        ns["predictions"]["EBM, main terms only"], mains.predict(X_test), rtol=1e-12
    )
    r2_bb = r2_score(y_test, black_box.predict(X_test))
    for name, model in {"EBM": ebm, "GAM": gam, "EBM, main terms only": mains}.items():
        difference = r2_score(y_test, model.predict(X_test)) - r2_bb
        assert versus[name].estimate == pytest.approx(difference, abs=1e-12)
        assert versus[name].low <= versus[name].estimate <= versus[name].high
    table = ns["accuracy"]
    assert table.loc["GAM", "verdict"] == f"gives up {-versus['GAM'].estimate:.3f}"


@needs_data
@pytest.mark.parametrize(
    ("interval", "words"),
    [
        (Interval(-0.05, -0.08, -0.02), "gives up 0.050"),
        (Interval(0.01, 0.002, 0.02), "more accurate"),
        (Interval(0.0, -0.005, 0.006), "gives up nothing that matters"),
        (Interval(0.0, -0.03, 0.03), "cannot tell"),
    ],
)
def test_verdict_words_follow_the_interval(ns, interval, words):
    assert ns["verdict"](interval) == words


# --------------------------------------------------------------- claims, opposite case


@needs_data
def test_pair_claim_fails_when_another_pair_leads_or_the_bags_overlap(ns):
    rerun(ns, PAIR)  # the page's own numbers pass
    importance = ns["importance"].copy()
    row = importance["term"] == "bmi & children"
    importance.loc[row, ["importance (USD)", "lowest bag", "highest bag"]] = 1e6
    importance = importance.sort_values("importance (USD)", ascending=False)
    with pytest.raises(ClaimError, match="strongest pair is BMI × smoker"):
        rerun(ns, PAIR, importance=importance)
    importance = ns["importance"].copy()
    top = importance["term"] == "bmi & smoker"
    runner_up = importance[importance["term"].str.contains(" & ") & ~top].iloc[0]
    importance.loc[top, "lowest bag"] = runner_up["highest bag"] - 1  # bags overlap
    with pytest.raises(ClaimError, match="strongest pair is BMI × smoker"):
        rerun(ns, PAIR, importance=importance)


@needs_data
def test_age_claim_fails_for_a_falling_curve_or_a_wide_band(ns):
    rerun(ns, AGE)
    curves = dict(ns["curves"])
    age = curves["age"]
    curves["age"] = pd.DataFrame(
        age.to_numpy()[::-1], index=age.index, columns=age.columns
    )
    with pytest.raises(ClaimError, match="rise with age"):
        rerun(ns, AGE, curves=curves)
    rise = (age.iloc[-1] - age.iloc[0])["EBM"]
    bands = dict(ns["bands"])
    bands["age"] = {
        **bands["age"],
        "EBM": np.full(len(age), rise),
    }  # sd = rise / 2 each end
    with pytest.raises(ClaimError, match="rise with age"):
        rerun(ns, AGE, bands=bands)


@needs_data
def test_interaction_claim_fails_for_parallel_curves_or_a_wide_bag_spread(ns):
    rerun(ns, DOUBLE)
    surfaces = ns["surfaces"]
    parallel = {
        0: surfaces[0],
        1: surfaces[0] + 5000.0,
    }  # smoking shifts, never steepens
    with pytest.raises(ClaimError, match="pair term makes crossing BMI 30"):
        rerun(ns, DOUBLE, surfaces=parallel)
    wide = {s: sd + ns["extra"]["EBM"] for s, sd in ns["pair_sd"].items()}
    with pytest.raises(ClaimError, match="pair term makes crossing BMI 30"):
        rerun(ns, DOUBLE, pair_sd=wide)


@needs_data
def test_accuracy_claims_fail_for_the_opposite_intervals(ns):
    rerun(ns, ACCURACY)
    versus = ns["versus"]
    tie = {**versus, "GAM": Interval(-0.01, -0.03, 0.01)}
    with pytest.raises(ClaimError, match="GAM gives up accuracy"):
        rerun(ns, ACCURACY, versus=tie)
    loses = {**versus, "EBM": Interval(-0.03, -0.05, -0.01)}
    with pytest.raises(ClaimError, match="EBM gives up nothing that matters"):
        rerun(ns, ACCURACY, versus=loses)
    wide = {**versus, "EBM": Interval(0.0, -0.02, 0.02)}  # contains 0, but too wide
    with pytest.raises(ClaimError, match="EBM gives up nothing that matters"):
        rerun(ns, ACCURACY, versus=wide)
    no_pairs = {**ns["predictions"], "EBM, main terms only": ns["predictions"]["EBM"]}
    with pytest.raises(ClaimError, match="pair terms are what close the gap"):
        rerun(ns, ACCURACY, predictions=no_pairs)
