"""The numbers the explanation pages D1-D10 state, checked on the pages' own output.

Each test runs the page (quick mode, figures discarded), takes the values it computed
and formatted into its findings, and checks them against an independent computation:
least squares with numpy, impurity decreases read from the trees' arrays, permutations
and partial dependence written out by hand, Shapley values by enumerating coalitions,
LIME's local model evaluated from its own table, integrated gradients with another
quadrature. The claims a page makes are checked by the page itself when it runs
(:func:`mlviz.report.claim`); running it here makes a broken claim fail the tests.
"""

from __future__ import annotations

import itertools
import math

import matplotlib

matplotlib.use("agg")
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import log_loss, r2_score

import mlviz.config
import mlviz.models
import mlviz.plotting
from mlviz.datasets import load_insurance, load_mba
from mlviz.report import rounding_tolerance

from .conftest import PAGE_MARKS

pytestmark = PAGE_MARKS



def logit_rounding(model, x):
    """What rounding alone explains in the CNN's float32 logits (and softmax
    probabilities, which move by at most half as much) for the images ``x``: the last
    layer's sum of |terms|, over its inputs and its bias."""
    with torch.no_grad():
        h = model.embed(x).double()
        terms = h.abs() @ model.fc2.weight.double().abs().T + model.fc2.bias.double().abs()
    return rounding_tolerance("float32", terms.max().item(), n_terms=model.fc2.in_features + 1)


def shuffled_drop(score, model, X, column, *, n, seed):
    """Mean and std of score(unshuffled) - score(column shuffled), over n shuffles."""
    rng = np.random.default_rng(seed)
    base = score(model, X)
    drops = []
    for _ in range(n):
        Xs = X.copy()
        Xs[column] = rng.permutation(Xs[column].to_numpy())
        drops.append(base - score(model, Xs))
    return np.mean(drops), np.std(drops)


def test_d1_coefficients_are_least_squares_on_the_raw_table(run_page):
    ns = run_page("plot_01_linear_coefficients.py")
    df = load_insurance()
    design = np.column_stack(
        [
            np.ones(len(df)),
            df["age"],
            df["bmi"],
            df["children"],
            df["sex"] == "male",
            df["smoker"] == "yes",
            *(df["region"] == r for r in ("northwest", "southeast", "southwest")),
        ]
    ).astype(float)
    beta, *_ = np.linalg.lstsq(design, df["charges"].to_numpy(), rcond=None)
    names = ["age", "bmi", "children", "sex_male", "smoker", "region_northwest", "region_southeast", "region_southwest"]
    assert list(ns["X"].columns) == names
    np.testing.assert_allclose(ns["raw"].coef_, beta[1:], rtol=1e-8)
    assert ns["raw"].intercept_ == pytest.approx(beta[0])
    # a standardized coefficient is the raw one times the population standard deviation
    for col in ("age", "bmi", "children"):
        assert ns["coef_scaled"][col] == pytest.approx(beta[1 + names.index(col)] * df[col].std(ddof=0))
    assert ns["rank_raw"][0] == ns["rank_scaled"][0] == "smoker"
    # the drawn bars are the coefficients, red for positive ones
    bars = {t.get_text(): p for t, p in zip(ns["ax_raw"].get_yticklabels(), ns["ax_raw"].patches)}
    assert bars["smoker"].get_width() == pytest.approx(beta[1 + names.index("smoker")])
    assert matplotlib.colors.to_hex(bars["smoker"].get_facecolor()) == mlviz.plotting.POSITIVE.lower()


def test_d2_mdi_from_the_trees_and_the_denied_share(run_page):
    ns = run_page("plot_02_random_forest_mdi.py")
    forest, X_train, X_test = ns["forest"], ns["X_train"], ns["X_test"]
    # MDI by definition: per tree, the weighted impurity decrease of each split, summed
    # per feature and normalized; then averaged over the trees
    per_tree, summed = [], []
    for est in forest.estimators_:
        t = est.tree_
        w, imp = t.weighted_n_node_samples, t.impurity
        decrease, size = np.zeros(X_train.shape[1]), 0.0
        for node in np.flatnonzero(t.children_left >= 0):
            left, right = t.children_left[node], t.children_right[node]
            terms = (w[node] * imp[node], -w[left] * imp[left], -w[right] * imp[right])
            decrease[t.feature[node]] += sum(terms)
            size += sum(abs(term) for term in terms)
        per_tree.append(decrease / decrease.sum())
        summed.append(size / decrease.sum())  # the sum of |terms|, in shares
    # float64 sums over a tree's nodes (three terms each), then over the trees
    n_terms = 3 * max(est.tree_.node_count for est in forest.estimators_) + len(forest.estimators_)
    rounding = rounding_tolerance("float64", max(summed), n_terms=n_terms)
    np.testing.assert_allclose(ns["importances"], np.mean(per_tree, axis=0), rtol=0, atol=rounding)
    assert ns["importances"].sum() == pytest.approx(1.0)
    # the share of denied test applicants, from the raw table (empty admission = Deny)
    raw = load_mba()
    denied = raw.loc[X_test.index, "admission"].isna().mean()
    assert ns["always"] == pytest.approx(denied)
    assert ns["majority"] == "Deny" and 0.8 < denied < 0.9  # not "three quarters"
    # admission rates by gender in the training rows of the raw table
    rows = raw.loc[X_train.index]
    rates = (rows["admission"] == "Admit").groupby(rows["gender"]).mean()
    assert ns["by_gender"][0.0] == pytest.approx(rates["Female"])
    assert ns["by_gender"][1.0] == pytest.approx(rates["Male"])
    assert ns["names"][0] in ("gmat", "gpa") and ns["names"][1] in ("gmat", "gpa")


def test_d3_the_id_ranks_high_by_mdi_and_costs_nothing_when_shuffled(run_page):
    ns = run_page("plot_03_mdi_pitfall.py")
    forest, X_test, y_test = ns["forest"], ns["X_test"], ns["y_test"]
    mdi = ns["mdi"]
    assert ns["rank_mdi"] == 1 + sorted(mdi, reverse=True).index(mdi[ns["id_col"]])

    def neg_log_loss(model, X):
        return -log_loss(y_test, model.predict_proba(X), labels=model.classes_)

    perm = ns["perm"]
    for column in ("sample_id", "gmat"):
        j = X_test.columns.get_loc(column)
        mean, std = shuffled_drop(neg_log_loss, forest, X_test, column, n=8, seed=1)
        page_mean, page_std = perm.importances_mean[j], perm.importances_std[j]
        standard_error = math.sqrt(std**2 / 8 + page_std**2 / len(perm.importances[j]))
        assert abs(mean - page_mean) < 4 * standard_error + 1e-3, column
    assert abs(perm.importances_mean[ns["id_col"]]) <= 2 * perm.importances_std[ns["id_col"]]


def test_d4_shuffling_smoker_makes_the_model_worse_than_the_mean(run_page):
    ns = run_page("plot_04_permutation_importance.py")
    model, X_test, y_test = ns["model"], ns["X_test"], ns["y_test"]

    def r2(m, X):
        return r2_score(y_test, m.predict(X))

    test = ns["test"]
    for column in ("smoker", "bmi", "sex_male"):
        j = X_test.columns.get_loc(column)
        mean, std = shuffled_drop(r2, model, X_test, column, n=20, seed=1)
        standard_error = math.sqrt(std**2 / 20 + test.importances_std[j] ** 2 / len(test.importances[j]))
        assert abs(mean - test.importances_mean[j]) < 4 * standard_error + 1e-3, column
    smoker = X_test.columns.get_loc("smoker")
    assert test.importances_mean[smoker] > model.score(X_test, y_test)  # R² below zero
    assert ns["X_test"].columns[ns["top"]] == "smoker"


def test_d5_two_feature_partial_dependence_by_brute_force(run_page):
    ns = run_page("plot_05_partial_dependence_ice.py")
    model, X_train = ns["model"], ns["X_train"]
    average, bmi_values, smoker_values = ns["average"], ns["bmi_values"], ns["smoker_values"]
    for i in (0, len(bmi_values) // 2, len(bmi_values) - 1):
        for k, s in enumerate(smoker_values):
            X = X_train.assign(bmi=bmi_values[i], smoker=s)
            assert average[i, k] == pytest.approx(model.predict(X).mean())
    assert ns["jump_smoker"] > 5 * ns["jump_non"]


def test_d6_base_value_is_the_mean_training_prediction(run_page):
    ns = run_page("plot_06_shap_tree.py")
    model, X_train, X_test = ns["model"], ns["X_train"], ns["X_test"]
    # float64 sums of one term per tree (and, for the mean, one per training person)
    n_trees = model.n_estimators + 1
    train = model.predict(X_train)
    rounding = rounding_tolerance("float64", np.abs(train).mean(), n_terms=len(train) + n_trees)
    assert ns["base"] == pytest.approx(train.mean(), rel=0, abs=rounding)
    values = ns["explanation"].values
    summed = (abs(ns["base"]) + np.abs(values).sum(axis=1)).max()
    np.testing.assert_allclose(
        ns["base"] + values.sum(axis=1),
        model.predict(X_test),
        rtol=0,
        atol=rounding_tolerance("float64", summed, n_terms=n_trees),
    )
    # the last figure's bars are the mean absolute SHAP values, in the unsigned colour
    bars = ns["ax"].patches
    assert sorted(p.get_width() for p in bars) == pytest.approx(sorted(np.abs(values).mean(axis=0)))
    assert {matplotlib.colors.to_hex(p.get_facecolor()) for p in bars} == {mlviz.plotting.MAGNITUDE.lower()}
    assert ns["high"].mean() > ns["low"].mean()


def test_d7_interventional_tree_shap_is_the_shapley_value_of_the_background_game(run_page):
    ns = run_page("plot_07_shap_explainer_families.py")
    model, background, rows = ns["model"], ns["background"].to_numpy(), ns["rows"].to_numpy()
    values = ns["values"]["Tree SHAP (interventional)"]
    m = rows.shape[1]
    for r in (0, 1):
        x = rows[r]

        def v(coalition, x=x):
            data = background.copy()
            data[:, list(coalition)] = x[list(coalition)]
            return model.predict(pd.DataFrame(data, columns=ns["rows"].columns)).mean()

        cache = {s: v(s) for size in range(m + 1) for s in itertools.combinations(range(m), size)}
        phi = np.zeros(m)
        for i in range(m):
            for s, value in cache.items():
                if i in s:
                    continue
                with_i = tuple(sorted((*s, i)))
                weight = math.factorial(len(s)) * math.factorial(m - len(s) - 1) / math.factorial(m)
                phi[i] += weight * (cache[with_i] - value)
        # shap's interventional algorithm adds up each tree's path (max_depth + 1 terms)
        # in float32; the terms are as large as the base value plus the |SHAP values|
        summed = abs(cache[()]) + np.abs(phi).sum()
        rounding = rounding_tolerance("float32", summed, n_terms=model.max_depth + 1)
        np.testing.assert_allclose(values[r], phi, rtol=0, atol=rounding)


def test_d8_lime_tables_add_up_to_their_local_prediction(run_page):
    ns = run_page("plot_08_lime_tabular.py")
    forest, X_test = ns["forest"], ns["X_test"]
    for name, position in ns["cases"].items():
        table = ns["tables"][name]
        # the explained row satisfies every one of its conditions: the local model's
        # output is the intercept plus all the weights
        assert table.attrs["local_prediction"] == pytest.approx(table.attrs["intercept"] + table["weight"].sum())
        assert table.attrs["model_probability"] == pytest.approx(forest.predict_proba(X_test.iloc[[position]])[0, 1])
        assert 0 <= table.attrs["score"] <= 1


def test_d9_masking_the_top_superpixels_and_the_inkless_ones(run_page):
    ns = run_page("plot_09_lime_image.py")
    model = ns["model"]
    mean, std = mlviz.models.MNIST_MEAN, mlviz.models.MNIST_STD
    for img, exp, top, (before, after), inkless in zip(
        ns["images"], ns["explanations"], ns["top5"], ns["drops"], ns["inkless"]
    ):
        label = exp.top_labels[0]
        masked = img.copy()
        masked[np.isin(exp.segments, top)] = 0.0
        x = torch.from_numpy(((np.stack([img, masked]) - mean) / std).astype(np.float32))[:, None]
        with torch.no_grad():
            logits = model(x)
        p = torch.softmax(logits, dim=1)[:, label].numpy()
        assert (before, after) == pytest.approx(tuple(p), abs=logit_rounding(model, x))
        assert inkless == sum(not (img[exp.segments == s] > 0).any() for s in top)
    assert max(ns["n_default"]) <= 2


def test_d10_integrated_gradients_against_a_finer_midpoint_rule(run_page):
    ns = run_page("plot_10_integrated_gradients.py")
    model, x, black, result = ns["model"], ns["x"], ns["black"], ns["result"]
    n = 512
    alphas = (torch.arange(n) + 0.5) / n
    reference = []
    for j in range(len(x)):
        target = int(ns["y"][ns["picked"][j]])
        path = (black + alphas[:, None, None, None] * (x[j : j + 1] - black)).requires_grad_(True)
        (grads,) = torch.autograd.grad(model(path)[:, target].sum(), path)
        reference.append(((x[j] - black[0]) * grads.mean(0)).detach().numpy())
    reference = np.stack(reference)
    scale = np.abs(reference).max()
    assert np.abs(result.attributions - reference).max() < 0.05 * scale
    with torch.no_grad():
        logits, base = model(x), model(black)
    targets = [int(ns["y"][p]) for p in ns["picked"]]
    delta = np.array([(logits[j, t] - base[0, t]).item() for j, t in enumerate(targets)])
    # a difference of two logits, each within the rounding of its own computation
    rounding = logit_rounding(model, x) + logit_rounding(model, black)
    np.testing.assert_allclose(ns["delta"], delta, rtol=0, atol=rounding)
    np.testing.assert_allclose(reference.reshape(len(x), -1).sum(axis=1), delta, rtol=0.01)
    # the helper computes what the page writes out by hand (first digit, same steps):
    # float32 gradients of a sum as long as fc1's, averaged over the m + 1 path points
    path_grads = ns["grads"].abs().mean(0)[0].numpy()
    scale = (np.abs((x[0] - black[0]).numpy()[0]) * path_grads).max()
    rounding = rounding_tolerance("float32", scale, n_terms=model.fc1.in_features + ns["m"] + 1)
    np.testing.assert_allclose(result.attributions[0, 0], ns["ig_by_hand"], rtol=0, atol=rounding)
