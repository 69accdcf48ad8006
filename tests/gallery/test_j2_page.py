"""Page J2 (interactions: Friedman's H, SHAP interaction values), recomputed and challenged.

The page runs once, in quick mode, for the whole module. The helper's H is checked
against independent computations: scikit-learn's brute-force ``partial_dependence``
at the rows' values, a model whose H is known in closed form (a pure product: the
sample formula written out with numpy) and additive models (H = 0), and its bootstrap
replicates against H recomputed on the resampled rows themselves. SHAP interaction
values are checked to add up to the SHAP values and to the prediction. Each claim of
the page is then fed the opposite case (a model without interactions, a wrong pair,
values unrelated to the truth) and must fail; words chosen from the numbers must
change with them. Tolerances come from the arithmetic (``rounding_tolerance``).
"""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from sklearn.ensemble import GradientBoostingRegressor  # noqa: E402
from sklearn.inspection import partial_dependence  # noqa: E402

from mlviz.explain.interactions import (  # noqa: E402
    OTHER_PAIR_COLOR,
    TRUE_PAIR_COLOR,
    h_statistic,
    h_statistics,
    pair_recovery,
    plot_interaction_dependence,
    plot_interaction_heatmap,
    plot_pair_scores,
    prediction_matrix,
)
from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import PAGE_MARKS, rerun_cell, run_quick  # noqa: E402

pytestmark = PAGE_MARKS

PAGE = "10_effects_decisions/plot_02_interactions.py"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run the page once, in quick mode, for all the tests of this module."""
    yield run_quick(PAGE, tmp_path_factory.mktemp("j2"))
    plt.close("all")


def rerun(text, namespace, **replaced):
    return rerun_cell(PAGE, namespace, text, **replaced)


class Product:
    """f(x) = x[:, 0] * x[:, 1]: an interaction and nothing else."""

    def predict(self, X):
        x = np.asarray(X, dtype=float)
        return x[:, 0] * x[:, 1]


def additive_model(X, y):
    """Gradient-boosted stumps: each tree uses one feature, so the model adds them up."""
    return GradientBoostingRegressor(n_estimators=50, max_depth=1, random_state=0).fit(
        X, y
    )


def tolerance(predictions, n_terms):
    """What rounding explains in sums of ``n_terms`` predictions of this size."""
    return rounding_tolerance(
        "float64", 4 * n_terms * np.abs(predictions).max(), n_terms
    )


# -- the helper against independent computations -------------------------------------


def test_prediction_matrix_means_are_sklearns_brute_partial_dependence(page):
    model, rows = page["model"], page["rows"].iloc[:12]
    for features in (["x3"], ["x1", "x2"]):
        ours = prediction_matrix(model, rows, features).mean(axis=1)
        custom = {f: rows[f].to_numpy() for f in features}
        result = partial_dependence(
            model, rows, features, custom_values=custom, method="brute", kind="average"
        )
        # for two features scikit-learn takes every combination of the grids' values;
        # row i's partial dependence sits where each grid holds row i's value
        where = tuple(
            np.array([np.flatnonzero(g == v)[0] for v in rows[f].to_numpy()])
            for g, f in zip(result["grid_values"], features)
        )
        theirs = result["average"][0][where]
        assert np.max(np.abs(ours - theirs)) <= tolerance(ours, len(rows))


def test_h_of_a_pure_product_is_the_sample_formula():
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(40, 3))  # a third, unused column
    a, b = X[:, 0], X[:, 1]
    # written out: PD_12 = a b - mean(ab); PD_1 = (a - mean a) mean b; PD_2 likewise
    joint = a * b - np.mean(a * b)
    pure = joint - (a - a.mean()) * b.mean() - (b - b.mean()) * a.mean()
    assert np.allclose(
        pure, (a - a.mean()) * (b - b.mean()) - np.mean((a - a.mean()) * (b - b.mean()))
    )
    expected = np.sqrt(np.sum(pure**2) / np.sum(joint**2))
    tol = tolerance(joint, len(X))
    assert abs(h_statistic(Product(), X, [0, 1]) - expected) <= tol
    assert (
        abs(
            h_statistic(Product(), X, [0, 1], normalize=False)
            - np.sqrt(np.mean(pure**2))
        )
        <= tol
    )
    # the unused column interacts with nothing
    assert h_statistic(Product(), X, [0, 2], normalize=False) <= tol
    # and on many rows the population value: H² = (1/144) / (7/144) for uniform features
    many = np.random.default_rng(2).uniform(size=(600, 2))
    h = h_statistic(Product(), many, [0, 1])
    assert abs(h - 1 / np.sqrt(7)) < 0.05  # sampling spread at n = 600 is about 0.01


def test_h_is_zero_for_additive_models(page):
    X, y = page["X_train"].iloc[:300], page["y_train"][:300]
    model = additive_model(X, y)
    rows = page["rows"].iloc[:30]
    stats = h_statistics(model, rows)
    assert np.all(stats.h_abs <= tolerance(model.predict(rows), len(rows)))
    # the generating function on the page's rows: only x1 × x2 interacts; a pair of
    # two features it ignores has a constant joint partial dependence (H undefined)
    truth = page["truth_stats"]
    i12 = truth.index(("x1", "x2"))
    others = np.delete(np.arange(len(truth.pairs)), i12)
    assert np.all(
        truth.h_abs[others]
        <= tolerance(page["Friedman1"]().predict(page["rows"]), truth.n_rows)
    )
    ignored = {"x6", "x7", "x8", "x9", "x10"}
    assert all(
        np.isnan(truth.h[q]) == (set(truth.pairs[q]) <= ignored)
        for q in range(len(truth.pairs))
    )


def test_bootstrap_replicates_are_h_on_the_resampled_rows():
    X = np.random.default_rng(3).uniform(size=(25, 3))
    stats = h_statistics(Product(), X, n_boot=3, random_state=7)
    draws = np.random.default_rng(7).integers(0, 25, (3, 25))
    for b, d in enumerate(draws):
        for q, pair in enumerate(stats.pairs):
            cols = [int(c) for c in pair]
            assert (
                abs(
                    stats.boot_h_abs[b, q]
                    - h_statistic(Product(), X[d], cols, normalize=False)
                )
                <= 1e-12
            )
    assert stats.pairs == [("0", "1"), ("0", "2"), ("1", "2")]


def test_pair_recovery_against_a_direct_count():
    rng = np.random.default_rng(4)
    scores, boot = rng.uniform(size=6), rng.uniform(size=(50, 6))
    r = pair_recovery(scores, boot, 2)
    assert r.rank == 1 + sum(scores[j] > scores[2] for j in range(6) if j != 2)
    others = [j for j in range(6) if j != 2]
    assert r.runner_up == max(others, key=lambda j: scores[j])
    margins = [row[2] - max(row[j] for j in others) for row in boot]
    assert r.share_first == np.mean([m > 0 for m in margins])
    assert np.allclose(
        r.interval,
        np.percentile(margins, [2.5, 97.5], method="inverted_cdf"),
        rtol=1e-12,
        atol=0,
    )


def test_errors_name_the_argument(page):
    with pytest.raises(ValueError, match="features must name columns"):
        prediction_matrix(page["model"], page["rows"], ["x11"])
    with pytest.raises(ValueError, match="pair must name two features"):
        h_statistic(page["model"], page["rows"], ["x1"])
    with pytest.raises(ValueError, match="n_boot"):
        h_statistics(page["model"], page["rows"], n_boot=-1)
    with pytest.raises(ValueError, match="true_index"):
        pair_recovery([1.0, 2.0], [[1.0, 2.0]], 5)


# -- the page's numbers ---------------------------------------------------------------


def test_the_written_out_h_is_the_helpers(page):
    stats, truth = page["stats"]["Friedman"], page["truth_stats"]
    i12 = stats.index(("x1", "x2"))
    for pure, s in ((page["pure"]["model"], stats), (page["pure"]["truth"], truth)):
        assert abs(np.sqrt(np.mean(pure**2)) - s.h_abs[i12]) <= tolerance(
            pure, len(pure)
        )
    # the page's last H printed is the truth's
    assert abs(page["h"] - truth.h[i12]) <= 1e-9


def test_pairs_are_listed_as_the_upper_triangle(page):
    for case, s in page["stats"].items():
        columns = list(page["cases"][case][1].columns)
        i, j = np.triu_indices(len(columns), k=1)
        assert s.pairs == [(columns[a], columns[b]) for a, b in zip(i, j)]


def test_shap_interaction_values_add_up(page):
    import shap

    for case, (model, rows, *_) in page["cases"].items():
        values = page["interactions"][case]
        explainer = shap.TreeExplainer(model)
        shap_values = explainer.shap_values(rows)
        scale = np.abs(values).sum(axis=2).max()
        tol = rounding_tolerance(
            "float64", scale * model.n_estimators, model.n_estimators * values.shape[1]
        )
        assert (
            np.max(np.abs(values.sum(axis=2) - shap_values)) <= tol
        )  # each row of the matrix
        total = values.sum(axis=(1, 2)) + explainer.expected_value
        assert np.max(np.abs(total - model.predict(rows))) <= tol + rounding_tolerance(
            "float64", np.abs(model.predict(rows)).max(), model.n_estimators
        )
        assert np.allclose(
            values, values.transpose(0, 2, 1), rtol=0, atol=tol
        )  # symmetric


def test_shap_recovery_recomputed(page):
    for case, (model, rows, pair, _) in page["cases"].items():
        mean_abs = np.abs(page["interactions"][case]).mean(axis=0)
        columns = list(rows.columns)
        a, b = columns.index(pair[0]), columns.index(pair[1])
        off = mean_abs.copy()
        np.fill_diagonal(off, -np.inf)
        off[a, b] = off[b, a] = -np.inf
        r = page["recovered"][case, "SHAP"]
        assert abs(r.margin - (mean_abs[a, b] - off.max())) <= 1e-9 * mean_abs.max()


def test_the_figures(page):
    bars, heatmaps, friedman, insurance = page["_figures"]
    assert len(bars.axes) == 4
    for ax in bars.axes:
        greens = [
            p
            for p in ax.patches
            if to_hex(p.get_facecolor()) == TRUE_PAIR_COLOR.lower()
        ]
        assert len(greens) == 1  # the known pair, drawn even when not among the top six
        assert all(
            to_hex(p.get_facecolor())
            in (TRUE_PAIR_COLOR.lower(), OTHER_PAIR_COLOR.lower())
            for p in ax.patches
        )
    for ax in bars.axes[1::2]:  # unnormalized H: the known pair's bar is the top one
        assert to_hex(ax.patches[-1].get_facecolor()) == TRUE_PAIR_COLOR.lower()
    image = heatmaps.axes[0].images[0].get_array()
    assert image.shape == (10, 10) and np.all(np.ma.getmaskarray(image).diagonal())
    assert len(friedman.axes[0].collections) == 1  # continuous partner: one scatter
    assert [len(c.get_offsets()) for c in insurance.axes[0].collections] == [
        int((page["ins_rows"]["smoker"] == v).sum()) for v in (0, 1)
    ]


# -- the drawing helpers --------------------------------------------------------------


def test_plot_pair_scores_adds_the_known_pair_below_the_top():
    ax = plot_pair_scores(
        [0.9, 0.1, 0.5, np.nan], ["a", "b", "c", "d"], true_pair="b", top=2
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c", "a"]  # bottom up
    assert to_hex(ax.patches[0].get_facecolor()) == TRUE_PAIR_COLOR.lower()
    with pytest.raises(ValueError, match="true_pair"):
        plot_pair_scores([1.0], ["a"], true_pair="z")
    plt.close("all")


def test_plot_interaction_dependence_colours_a_binary_partner_by_group():
    ax = plot_interaction_dependence(
        [1, 2, 3], [0.1, -0.2, 0.3], [0, 1, 1], partner_name="smoker"
    )
    assert [len(c.get_offsets()) for c in ax.collections] == [1, 2]
    assert ax.get_legend() is not None
    ax = plot_interaction_dependence([1, 2, 3], [0.1, -0.2, 0.3], [0.2, 0.5, 0.9])
    assert len(ax.collections) == 1 and ax.collections[0].colorbar is not None
    with pytest.raises(ValueError, match="one entry per row"):
        plot_interaction_dependence([1, 2], [0.1], [0, 1])
    with pytest.raises(ValueError, match="square"):
        plot_interaction_heatmap(np.ones((2, 3)), ["a", "b"])
    plt.close("all")


# -- each claim fed the opposite case --------------------------------------------------


class Swapped:
    """Friedman's function with x8 and x9 in the places of x1 and x2."""

    def predict(self, X):
        x = np.asarray(X, dtype=float)
        return page_truth(x[:, [7, 8, 2, 3, 4]])


def page_truth(x):
    x1, x2, x3, x4, x5 = x.T
    return 10 * np.sin(np.pi * x1 * x2) + 20 * (x3 - 0.5) ** 2 + 10 * x4 + 5 * x5


def fast_insurance(page):
    """The insurance table with a linear model: the cell reruns in a second."""
    from sklearn.linear_model import LinearRegression

    fitted = page["insurance"]
    return SimpleNamespace(
        model=LinearRegression().fit(fitted.X_train, fitted.y_train),
        X_test=fitted.X_test,
    )


EVERY_PAIR = "## Every pair, with its sampling spread"


def test_h_claim_fails_for_a_model_without_interactions(page):
    stumps = additive_model(page["X_train"], page["y_train"])
    with pytest.raises(ClaimError, match="on Friedman, the unnormalized H ranks"):
        rerun(EVERY_PAIR, page, model=stumps, insurance=fast_insurance(page))


def test_h_claim_fails_when_another_pair_interacts(page):
    with pytest.raises(ClaimError, match="on Friedman, the unnormalized H ranks"):
        rerun(EVERY_PAIR, page, model=Swapped(), insurance=fast_insurance(page))


def test_h_claim_fails_on_insurance_without_the_interaction(page):
    with pytest.raises(ClaimError, match="on insurance, the unnormalized H ranks"):
        rerun(EVERY_PAIR, page, insurance=fast_insurance(page))


def test_normalized_h_words_follow_the_numbers(page):
    """The generating function: normalized H puts x1 × x2 first, beyond any spread."""
    _, said = rerun(EVERY_PAIR, page, model=page["Friedman1"]())
    assert (
        "normalized H puts it first" in said[0]
        and "beyond the bootstrap spread" in said[0]
    )
    assert said[0].endswith("ranks first in 100% of the resamples).")
    # the page's own run: the words match its numbers
    own = next(
        t for t in page["_findings"] if t.startswith("**Friedman**: the unnormalized")
    )
    r = page["recovered"]["Friedman", "H"]
    assert ("within the bootstrap spread" in own) == (
        r.interval[0] <= 0 <= r.interval[1]
    )
    assert (f"only {r.rank} of 45" in own) == (r.rank > 1)


def test_model_against_truth_words(page):
    stats = {**page["stats"], "Friedman": page["truth_stats"]}
    _, said = rerun(
        "## The model's interaction against the true one", page, stats=stats
    )
    assert "as strong as the true one" in said[-1]
    shifted = page["truth_stats"]
    weaker = type(shifted)(
        shifted.pairs,
        shifted.h,
        shifted.h_abs * 2,
        shifted.boot_h,
        shifted.boot_h_abs * 2,
        shifted.n_rows,
    )
    _, said = rerun(
        "## The model's interaction against the true one",
        page,
        stats={**page["stats"], "Friedman": weaker},
    )
    assert "stronger than the true one" in said[-1]


def test_shap_claim_fails_for_a_model_without_interactions(page):
    stumps = additive_model(page["X_train"], page["y_train"])
    cases = {"Friedman": (stumps, page["rows"], ("x1", "x2"), "")}
    with pytest.raises(
        ClaimError, match="on Friedman, the mean .SHAP interaction. is largest"
    ):
        rerun("## SHAP interaction values", page, cases=cases, stats=page["stats"])


def test_recovery_claim_fails_for_values_unrelated_to_the_truth(page):
    shuffled = page["interactions"]["Friedman"][
        np.random.default_rng(0).permutation(len(page["rows"]))
    ]
    with pytest.raises(ClaimError, match="reproduce most of the true interaction"):
        rerun(
            "## Dependence plots coloured by the partner",
            page,
            interactions={"Friedman": shuffled},
        )


def test_corner_words_follow_the_numbers(page):
    flipped = -page["interactions"][
        "Friedman"
    ]  # the pair pushes up where it pulled down
    truth = {**page["pure"], "truth": -page["pure"]["truth"]}
    _, said = rerun(
        "## Dependence plots coloured by the partner",
        page,
        interactions={"Friedman": flipped},
        pure=truth,
    )
    corner = [t for t in said if t.startswith(("SHAP:", "truth:"))]
    assert len(corner) == 2 and all(
        t.endswith("not shown at this sample size.") for t in corner
    )


def test_bmi_claim_fails_without_the_interaction(page):
    reversed_sign = {
        "insurance": -page["interactions"]["insurance"]
    }  # obese smokers pay less
    with pytest.raises(ClaimError, match="crossing BMI 30 adds more"):
        rerun("## Smoker × BMI on insurance", page, interactions=reversed_sign)
