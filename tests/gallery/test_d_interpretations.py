"""The interpretive sentences of pages D1-D10, checked against evidence the page does not compute.

Each sentence a page words from its numbers ("most of the gap is the background's",
"LIME's samples spread over the whole table", "the top superpixels matter more than
random ones") is recomputed here by another route (brute-force Shapley values, LIME's
own samples, the model evaluated where the page interpolated), and each criterion is
fed the numbers of the opposite case to show that it can fail.
"""

from __future__ import annotations

import itertools
import math

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mlviz.report import rounding_tolerance  # noqa: E402

from .conftest import PAGE_MARKS, run_quick  # noqa: E402

pytestmark = PAGE_MARKS


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run a page once per module in quick mode (:func:`run_quick`); return its namespace."""
    cache = {}

    def run(name):
        if name not in cache:
            cache[name] = run_quick(name, tmp_path_factory.mktemp(name.split("/")[-1].split(".")[0]))
        return cache[name]

    yield run
    plt.close("all")


def no_markdown_tables(ns):
    """Tables are DataFrames on these pages, not Markdown built inside a finding."""
    assert not any("|---" in text for text in ns["_findings"])


# -- D1 ---------------------------------------------------------------------------------


def test_d1_the_linear_model_misses_the_smoker_bmi_interaction():
    """The pitfall "this linear model misses the smoker × BMI interaction": a product
    column explains much of what the straight-line fit leaves; a product of two unrelated
    columns does not."""
    from mlviz.datasets import load_insurance, prepare_insurance

    X, y = prepare_insurance(load_insurance())

    def r2(*columns):
        design = np.column_stack([np.ones(len(X)), X.to_numpy(), *columns])
        residual = y.to_numpy() - design @ np.linalg.lstsq(design, y.to_numpy(), rcond=None)[0]
        return 1 - residual.var() / y.var(ddof=0)

    plain = r2()
    with_interaction = r2(X["smoker"] * X["bmi"])
    assert with_interaction - plain > 0.05
    # the opposite case: a product the simulation did not build in adds next to nothing
    assert r2(X["sex_male"] * X["children"]) - plain < 0.005


# -- D2 ---------------------------------------------------------------------------------


def chi_squared_p(rows, outcome):
    """p-value of Pearson's chi-squared test of independence, written out."""
    from scipy.stats import chi2

    observed = pd.crosstab(rows, outcome).to_numpy(dtype=float)
    expected = observed.sum(1, keepdims=True) * observed.sum(0, keepdims=True) / observed.sum()
    statistic = ((observed - expected) ** 2 / expected).sum()
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    return chi2.sf(statistic, dof)


def test_d2_association_beyond_chance_and_the_recall_sentence(page):
    ns = page("04_explanations/plot_02_random_forest_mdi.py")
    X_train, admitted = ns["X_train"], ns["admitted"]
    race = X_train.columns[ns["race"]]
    group = X_train[race].idxmax(axis=1)
    assert (X_train[race].sum(axis=1) == 1).all()  # one race column per applicant
    # a chi-squared p-value at p ~ 1e-15 is itself a rounded float: compare relatively
    for p_page, rows in ((ns["p_gender"], X_train["gender_male"]), (ns["p_race"], group)):
        assert p_page == pytest.approx(chi_squared_p(rows, admitted), rel=1e-6)
    # the opposite case: with the admissions shuffled, no association is left
    shuffled = pd.Series(np.random.default_rng(0).permutation(admitted.to_numpy()), index=admitted.index)
    assert chi_squared_p(X_train["gender_male"], shuffled) > 0.001
    assert chi_squared_p(group, shuffled) > 0.001
    # "answers something other than Deny for x% of the applicants who were denied"
    pred, y_test = ns["pred"], ns["y_test"]
    denied = y_test == "Deny"
    deny_recall = ns["recall"][list(ns["forest"].classes_).index("Deny")]
    assert 1 - deny_recall == pytest.approx((pred[denied.to_numpy()] != "Deny").mean())


# -- D4 ---------------------------------------------------------------------------------


def test_d4_span_of_the_measurable_drops_and_the_region_columns(page):
    ns = page("04_explanations/plot_04_permutation_importance.py")
    no_markdown_tables(ns)
    test = ns["test"]
    drops = test.importances  # features x repeats
    measurable = drops.mean(axis=1) - 2 * drops.std(axis=1) > 0
    assert list(measurable) == list(ns["measurable"])
    largest, smallest = drops.mean(axis=1).max(), drops.mean(axis=1)[measurable].min()
    assert ns["span"] == pytest.approx(largest / smallest)
    assert largest / smallest >= 100
    # the opposite case: the three large effects alone span less than two orders
    columns = list(ns["X_test"].columns)
    three = [columns.index(c) for c in ("bmi", "age", "children")]
    assert drops[three].mean(axis=1).max() / drops[three].mean(axis=1).min() < 100
    # "shuffling region_southeast alone puts some people in two regions at once"
    X = ns["X_test"].copy()
    regions = [c for c in columns if c.startswith("region_")]
    assert (X[regions].sum(axis=1) <= 1).all()
    X["region_southeast"] = np.random.default_rng(0).permutation(X["region_southeast"].to_numpy())
    assert (X[regions].sum(axis=1) > 1).any()


# -- D5 ---------------------------------------------------------------------------------


def test_d5_quoted_rises_are_predictions_not_interpolations(page):
    ns = page("04_explanations/plot_05_partial_dependence_ice.py")
    model, people, lo, hi = ns["model"], ns["people"], ns["lo"], ns["hi"]
    exact = np.array([model.predict(people.iloc[[i]].assign(bmi=[v])) for i in range(len(people)) for v in (lo, hi)])
    exact = exact.reshape(len(people), 2)
    np.testing.assert_allclose(ns["rise"], exact[:, 1] - exact[:, 0], rtol=1e-12)
    smokes = ns["smokes"]
    assert ns["rise"][smokes].min() > ns["rise"][~smokes].max()
    # the pitfall "a straight line between grid points can miss a step": reading the ICE
    # lines between their grid points misquotes some rise by more than 1,000 USD
    interpolated = np.array([np.interp(hi, ns["bmi_grid"], c) - np.interp(lo, ns["bmi_grid"], c) for c in ns["lines"]])
    assert np.abs(interpolated - ns["rise"]).max() > 1000
    # the two-feature partial dependence at the quartiles, by its definition
    X_train = ns["X_train"]
    for smoker, jump in ((1, ns["jump_smoker"]), (0, ns["jump_non"])):
        at = [model.predict(X_train.assign(bmi=v, smoker=smoker)).mean() for v in (lo, hi)]
        assert jump == pytest.approx(at[1] - at[0])


def test_d5_a_flat_partial_dependence_can_hide_opposite_effects():
    """Goldstein et al.'s point, which the page now states: y = x1 * x2 with x2 = ±1 has
    a flat partial dependence on x1, and ICE lines that rise and fall."""
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.inspection import partial_dependence

    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(-1, 1, 2000), rng.choice([-1.0, 1.0], 2000)])
    model = GradientBoostingRegressor(random_state=0).fit(X, X[:, 0] * X[:, 1])
    result = partial_dependence(model, X[:200], [0], kind="both", grid_resolution=20)
    average, lines = result["average"][0], result["individual"][0]
    slopes = lines[:, -1] - lines[:, 0]
    assert np.ptp(average) < 0.1 * np.abs(slopes).mean()  # flat on average ...
    assert (slopes > 1).any() and (slopes < -1).any()  # ... not ignored by anyone


# -- D6 ---------------------------------------------------------------------------------


def test_d6_the_sentence_names_only_what_the_waterfall_draws(page):
    ns = page("04_explanations/plot_06_shap_tree.py")
    waterfall = ns["_figures"][0].axes[0]
    labels = [t.get_text() for t in waterfall.get_yticklabels() if t.get_text()]
    drawn_labels = {text.split("=")[-1].strip() for text in labels if "other features" not in text}
    columns = ns["X_test"].columns
    assert drawn_labels == {columns[j] for j in ns["drawn"]}
    assert any(text == f"{len(ns['folded'])} other features" for text in labels)
    finding = next(text for text in ns["_findings"] if text.startswith("Base value"))
    blue_part = finding.split("The other")[0]
    # every feature named before "The other ..." is one the waterfall draws
    named = {c for c in columns if f"*{c}*" in blue_part}
    assert named <= drawn_labels
    for j in ns["folded_down"]:
        assert columns[j] not in drawn_labels and f"*{columns[j]}*" in finding.split("The other")[1]
    # the force plot labels only the features above 3 % of all |SHAP values|
    row = ns["row"].values
    labelled = [c for c, v in zip(columns, row) if abs(v) >= 0.03 * np.abs(row).sum()]
    texts = " ".join(t.get_text() for t in ns["_figures"][1].axes[0].texts)
    assert all(c in texts for c in labelled)
    assert all(columns[j] not in texts for j in ns["folded_down"])


def test_d6_the_smoker_split_criterion(page):
    ns = page("04_explanations/plot_06_shap_tree.py")
    X_test, values = ns["X_test"], ns["explanation"].values
    smoker = values[:, X_test.columns.get_loc("smoker")]
    smokes = X_test["smoker"].to_numpy() == 1

    def splits(mask):
        a, b = smoker[smokes & mask], smoker[smokes & ~mask]
        return a.mean() - b.mean() > 2 * max(a.std(), b.std())

    assert splits(X_test["bmi"].to_numpy() > 30)
    # the opposite case: split by sex, which the model barely uses, the row does not
    assert not splits(X_test["sex_male"].to_numpy() == 1)


# -- D7 ---------------------------------------------------------------------------------


def test_d7_the_gap_is_mostly_the_background(page):
    ns = page("04_explanations/plot_07_shap_explainer_families.py")
    no_markdown_tables(ns)
    import shap

    model, rows, X_train = ns["model"], ns["rows"], ns["X_train"]
    path = ns["values"]["Tree SHAP (path-dependent)"]
    gaps = ns["gaps"]
    # the first background is the one of the comparison, and its gap the one printed
    assert ns["samples"][gaps.index[0]].equals(ns["background"])
    assert gaps["largest difference (USD)"].iloc[0] == pytest.approx(ns["path"].max_abs_difference)
    for name, data in ns["samples"].items():
        assert gaps.loc[name, "base value (USD)"] == pytest.approx(model.predict(data).mean())
    # the whole training set, by brute force: Shapley values of the game "features not
    # in the coalition come from a training person", averaged over all of them
    full = ns["by_background"][gaps.index[-1]]
    x = rows.to_numpy()[0]
    data = X_train.to_numpy()
    m = len(x)
    value = {}
    for size in range(m + 1):
        for s in itertools.combinations(range(m), size):
            mixed = data.copy()
            mixed[:, list(s)] = x[list(s)]
            value[s] = model.predict(pd.DataFrame(mixed, columns=X_train.columns)).mean()
    phi = np.zeros(m)
    for i in range(m):
        for s, v in value.items():
            if i not in s:
                weight = math.factorial(len(s)) * math.factorial(m - len(s) - 1) / math.factorial(m)
                phi[i] += weight * (value[tuple(sorted((*s, i)))] - v)
    summed = abs(value[()]) + np.abs(phi).sum()
    np.testing.assert_allclose(full[0], phi, rtol=0, atol=rounding_tolerance("float32", summed, model.max_depth + 1))
    # with it the gap to path-dependent shrinks below half, and below every small draw's
    remaining = np.abs(full - path).max()
    assert remaining < gaps["largest difference (USD)"].iloc[:-1].min()
    assert remaining < gaps["largest difference (USD)"].iloc[0] / 2
    # the opposite case: a small background drawn again does not close the gap
    assert gaps["largest difference (USD)"].iloc[1:-1].max() > 2 * remaining
    # the pitfall: a table passed as data is cut to 100 rows
    assert shap.TreeExplainer(model, X_train, feature_perturbation="interventional").data.shape[0] == 100


# -- D8 ---------------------------------------------------------------------------------


def test_d8_lime_samples_spread_over_the_table_and_the_kernel_barely_localizes(page):
    ns = page("04_explanations/plot_08_lime_tabular.py")
    from lime.lime_tabular import LimeTabularExplainer

    X_train, X_test, forest = ns["X_train"], ns["X_test"], ns["forest"]
    names = list(X_train.columns)
    row = X_test.iloc[ns["cases"]["denied"]].to_numpy(dtype=float)
    distances, samples = [], []

    def kernel(d, kernel_width):
        distances.append(np.asarray(d).copy())
        return np.sqrt(np.exp(-(d**2) / kernel_width**2))

    def predict(data):
        samples.append(np.asarray(data).copy())
        return forest.predict_proba(pd.DataFrame(data, columns=names))

    explainer = LimeTabularExplainer(
        X_train.to_numpy(dtype=float),
        feature_names=names,
        class_names=["not admitted", "admitted"],
        categorical_features=[names.index(c) for c in ns["indicators"]],
        mode="classification",
        discretize_continuous=True,
        random_state=1,
        kernel=kernel,
    )
    n = ns["num_samples"]
    explainer.explain_instance(row, predict, labels=(1,), num_features=8, num_samples=n)
    squared, sampled = distances[0] ** 2, samples[0]
    # a distance is the square root of the number of features out of the applicant's bin
    np.testing.assert_allclose(squared, np.round(squared), atol=1e-9)
    assert squared.max() <= len(names)
    # the page's simulated count of differing features has LIME's mean
    width = ns["width"]
    simulated = -2 * width**2 * np.log(ns["kernel"]["denied"])
    standard_error = math.sqrt(squared.var() / n + simulated.var() / n)
    assert abs(simulated.mean() - squared.mean()) < 5 * standard_error
    # the samples are not near copies: GMAT is spread as in the training data and lies
    # in the applicant's quartile only as often as a training applicant's does
    gmat = names.index("gmat")
    assert 0.8 < sampled[1:, gmat].std() / X_train["gmat"].std() < 1.2
    bins = ns["codes"].discretize(sampled[1:])[:, gmat]
    own = ns["codes"].discretize(row)[gmat]
    share_train = (ns["training_bins"][:, gmat] == own).mean()
    assert abs((bins == own).mean() - share_train) < 5 * math.sqrt(share_train * (1 - share_train) / n)
    assert (bins == own).mean() < 0.5
    # the lowest possible weight, and the median weights the page prints
    assert np.exp(-len(names) / (2 * width**2)) == pytest.approx(np.exp(-1 / 1.125))
    weights = np.sqrt(np.exp(-squared / width**2))
    assert np.median(weights) > 0.5


def test_d8_repeats_and_the_forest_at_the_applicant(page):
    ns = page("04_explanations/plot_08_lime_tabular.py")
    forest, X_test = ns["forest"], ns["X_test"]
    for name, (rule, w, sd, effect) in ns["gender"].items():
        position = ns["cases"][name]
        row = X_test.iloc[[position]]
        flipped = row.assign(gender_male=1 - row["gender_male"])
        expected = forest.predict_proba(row)[0, 1] - forest.predict_proba(flipped)[0, 1]
        assert effect == pytest.approx(expected)
        table = ns["repeats"][name]
        assert table.loc[rule, "weight"] == w and table.loc[rule, "std over seeds"] == sd
        assert rule == f"gender_male={int(row['gender_male'].iloc[0])}"
    # the repeat criterion can fail: a weight that changes sign from seed to seed
    flips = pd.Series([0.1, -0.1] * 4)
    assert not abs(flips.mean()) > 2 * flips.std()
    for table in ns["repeats"].values():
        assert (table["repeats"] == (table["mean over seeds"].abs() > 2 * table["std over seeds"])).all()
        assert ((table["seeds that pick it"] >= 1) & (table["seeds that pick it"] <= len(ns["seeds"]))).all()
    # the claim "less than half LIME's weight" fails where the forest agrees with LIME
    agreeing = {name: (rule, w, sd, w) for name, (rule, w, sd, _) in ns["gender"].items()}
    assert not any(abs(w - e) > 2 * sd and abs(e) < abs(w) / 2 for _, w, sd, e in agreeing.values())


# -- D9 ---------------------------------------------------------------------------------


def test_d9_top_superpixels_against_random_inked_ones(page):
    ns = page("04_explanations/plot_09_lime_image.py")
    images, explanations, top5 = ns["images"], ns["explanations"], ns["top5"]
    for j, (img, exp, top, ink, (_, after)) in enumerate(zip(images, explanations, top5, ns["ink"], ns["drops"])):
        assert ink[0] == pytest.approx(img[np.isin(exp.segments, top)].sum() / img.sum())
        assert len(ink) == 201
        # the second control removes at least as much ink as the top five (float32 sums
        # of up to 784 pixels, added in two orders)
        slack = rounding_tolerance("float32", 1.0, n_terms=img.size)
        assert min(ink[101:]) >= ink[0] - slack
        for kind in ("count", "ink"):
            controls = ns["controls"][kind][j]
            assert len(controls) == 100
            assert ns["as_low"][kind][j] == pytest.approx(np.mean(controls <= after))
            # the criterion can fail: a draw from the middle of the controls is no
            # better than random
            assert np.mean(controls <= np.median(controls)) > 0.05
    assert ns["beyond"] == [y for y, share in zip((2, 4, 7), ns["as_low"]["ink"]) if share <= 0.05]


def d9_rerun(ns, **replaced):
    from .conftest import rerun_cell

    return rerun_cell("04_explanations/plot_09_lime_image.py", ns, "def medians", **replaced)


def test_d9_a_model_that_only_counts_ink_is_not_credited_to_lime(page):
    """"The check cannot tell LIME's choice from blacking out that much of the digit":
    against a model whose probability is the share of ink left, the count-matched
    control (which removes less ink) would single out LIME's top five; the ink-matched
    one does not, for any digit."""
    ns = page("04_explanations/plot_09_lime_image.py")

    def ink_left(rgb):
        grey = np.asarray(rgb)[..., 0]
        share = grey.reshape(len(grey), -1).sum(1) / grey[0].sum()  # [0] is the digit
        return np.repeat(share[:, None], 10, axis=1)

    out, said = d9_rerun(ns, classifier_fn=ink_left)
    assert out["beyond"] == [] and out["others"] == [2, 4, 7]
    assert all(share == 1.0 for share in out["as_low"]["ink"])
    assert all(share <= 0.05 for share in out["as_low"]["count"])
    assert "this check cannot tell" in said[-1]


def test_d9_a_model_that_reads_only_the_top_superpixels_is_credited(page):
    """The opposite case: a model whose probability is the share of the top five's ink
    left, and nothing else, is singled out even against the ink-matched control,
    wherever random draws rarely take all of the top five."""
    ns = page("04_explanations/plot_09_lime_image.py")
    masks = {
        im.tobytes(): np.isin(exp.segments, top) for im, exp, top in zip(ns["images"], ns["explanations"], ns["top5"])
    }

    def top_left(rgb):
        grey = np.asarray(rgb)[..., 0]
        mask = masks[grey[0].astype(ns["images"][0].dtype).tobytes()]
        share = grey[:, mask].sum(1) / grey[0][mask].sum()
        return np.repeat(share[:, None], 10, axis=1)

    out, said = d9_rerun(ns, classifier_fn=top_left)
    for share, controls in zip(out["as_low"]["ink"], out["controls"]["ink"]):
        # as low only where a random draw took every top superpixel (probability 0)
        assert share == pytest.approx(np.mean(controls == 0))
    assert out["beyond"] == [y for y, share in zip((2, 4, 7), out["as_low"]["ink"]) if share <= 0.05]


def test_d9_the_top_five_holding_less_ink_fails_the_claim(page):
    """"But they remove less ink" is a claim: with LIME's choice replaced by the inked
    superpixels holding the least ink, it fails."""
    from mlviz.report import ClaimError

    ns = page("04_explanations/plot_09_lime_image.py")
    least = []
    for img, exp, top in zip(ns["images"], ns["explanations"], ns["top5"]):
        inked = [s for s in np.unique(exp.segments) if img[exp.segments == s].max() > 0]
        least.append(sorted(inked, key=lambda s: img[exp.segments == s].sum())[: len(top)])
    with pytest.raises(ClaimError):
        d9_rerun(ns, top5=least)


# -- D10 --------------------------------------------------------------------------------


def test_d10_the_probability_pitfall(page):
    """"From about one chance in ten to near certainty ... the probability makes most of
    its rise on a shorter stretch of the path than the logit": on the page's digits."""
    import torch

    ns = page("04_explanations/plot_10_integrated_gradients.py")
    model, x, black = ns["model"], ns["x"], ns["black"]
    alphas = torch.linspace(0, 1, 201)
    for j, position in enumerate(ns["picked"]):
        target = int(ns["y"][position])
        with torch.no_grad():
            out = model(black + alphas[:, None, None, None] * (x[j : j + 1] - black))
        p, logit = torch.softmax(out, 1)[:, target].numpy(), out[:, target].numpy()
        assert p[0] < 0.2 and p[-1] > 0.9

        def stretch(curve):
            share = (curve - curve[0]) / (curve[-1] - curve[0])
            return alphas[np.argmax(share >= 0.9)].item() - alphas[np.argmax(share >= 0.1)].item()

        assert stretch(p) < stretch(logit)


def test_d10_the_map_has_the_digits_shape_whatever_the_network(page):
    """"Every map has the digit's shape whatever the network computes": attributions are
    exactly zero off the ink, for the trained network and for a copy with random
    weights, and the random copy's map still covers the stroke."""
    import copy

    import torch

    from mlviz.attribution import integrated_gradients

    ns = page("04_explanations/plot_10_integrated_gradients.py")
    x, black, images = ns["x"], ns["black"], ns["images"]
    random_net = copy.deepcopy(ns["model"])
    torch.manual_seed(0)
    for module in random_net.modules():
        if hasattr(module, "reset_parameters") and module is not random_net:
            module.reset_parameters()
    random_result = integrated_gradients(random_net, x, baseline=black, n_steps=16)
    for result in (ns["result"], random_result):
        attributions = result.attributions[:, 0]
        off_ink = images == 0
        assert (attributions[off_ink] == 0).all()
        # nonzero on most of the stroke: the outline survives randomization
        on_ink = images > 0.5
        assert np.mean(attributions[on_ink] != 0) > 0.9
