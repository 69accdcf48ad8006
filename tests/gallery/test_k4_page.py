"""Page K4 (MMD-critic prototypes and criticisms), recomputed and challenged.

The page runs once, in quick mode. Its greedy prototypes (written out with ``mmd2``)
are checked against the helper's incremental formula; ``mmd2`` against the feature-space
formula of a linear kernel and against kernels from scikit-learn; the first greedy
prototype against an exhaustive search; the witness against its definition; the
log-determinant criticisms against a greedy search that evaluates ``slogdet`` directly.
Each claim is then fed the opposite case and must fail; the verdict on the criticisms
must change with the numbers.
"""

from __future__ import annotations


import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.spatial.distance import pdist  # noqa: E402
from sklearn.metrics.pairwise import rbf_kernel as sk_rbf  # noqa: E402

from mlviz.inspect.prototypes import (  # noqa: E402
    median_bandwidth,
    mmd2,
    rbf_kernel,
    select_criticisms,
    select_prototypes,
    witness,
)
from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import needs_data, rerun_cell, run_quick  # noqa: E402

PAGE = "11_robustness_mechanisms/plot_04_prototypes_criticisms.py"
@pytest.fixture(scope="module")
def page(tmp_path_factory):
    yield run_quick(PAGE, tmp_path_factory.mktemp("k4"))
    plt.close("all")


def _brute_mmd2(X, S, sigma):
    """MMD^2 from the features, kernels by scikit-learn (gamma = 1 / (2 sigma^2))."""
    g = 1.0 / (2 * sigma**2)
    return (
        sk_rbf(X, X, gamma=g).mean()
        - 2 * sk_rbf(X, X[S], gamma=g).mean()
        + sk_rbf(X[S], X[S], gamma=g).mean()
    )


def test_kernel_bandwidth_and_mmd2_against_references():
    X = np.random.default_rng(0).normal(size=(30, 5))
    sigma = median_bandwidth(X)
    assert sigma == pytest.approx(np.median(pdist(X)), rel=1e-12)
    K = rbf_kernel(X, bandwidth=sigma)
    np.testing.assert_allclose(
        K,
        sk_rbf(X, gamma=1 / (2 * sigma**2)),
        atol=rounding_tolerance("float64", 50, 5),
    )
    assert mmd2(K, [3, 7]) == pytest.approx(
        _brute_mmd2(X, [3, 7], sigma), abs=rounding_tolerance("float64", 4, 900)
    )
    # A linear kernel's MMD^2 is the squared distance between the two means.
    L, S = X @ X.T, [1, 4, 9]
    expected = np.sum((X.mean(0) - X[S].mean(0)) ** 2)
    assert mmd2(L, S) == pytest.approx(
        expected, abs=rounding_tolerance("float64", np.abs(L).sum() * 4, 900)
    )


def test_greedy_prototypes_exhaustive_on_a_tiny_set():
    X = np.random.default_rng(1).normal(size=(9, 3))
    sigma = median_bandwidth(X)
    K = rbf_kernel(X, bandwidth=sigma)
    P, path = select_prototypes(K, 3)
    singles = [_brute_mmd2(X, [i], sigma) for i in range(9)]
    assert P[0] == int(np.argmin(singles))
    pairs = {j: _brute_mmd2(X, [P[0], j], sigma) for j in range(9) if j != P[0]}
    assert P[1] == min(pairs, key=pairs.get)
    tol = rounding_tolerance("float64", 4, 81)
    np.testing.assert_allclose(
        path, [_brute_mmd2(X, P[:k], sigma) for k in (1, 2, 3)], atol=tol
    )


def test_witness_and_criticisms_against_their_definitions():
    X = np.random.default_rng(2).normal(size=(25, 4))
    sigma = median_bandwidth(X)
    K = rbf_kernel(X, bandwidth=sigma)
    P, _ = select_prototypes(K, 3)
    g = 1.0 / (2 * sigma**2)
    expected = sk_rbf(X, X, gamma=g).mean(1) - sk_rbf(X, X[P], gamma=g).mean(1)
    w = witness(K, K[:, P])
    np.testing.assert_allclose(w, expected, atol=rounding_tolerance("float64", 2, 25))
    order = [i for i in np.argsort(-np.abs(w)) if i not in P]
    assert list(select_criticisms(K, P, 3, regularizer=None)) == order[:3]
    # Greedy on sum |witness| + log det K[C, C], each candidate's objective by slogdet.
    chosen = []
    for _ in range(3):
        objective = {
            c: np.abs(w[chosen + [c]]).sum()
            + np.linalg.slogdet(K[np.ix_(chosen + [c], chosen + [c])])[1]
            for c in range(25)
            if c not in chosen and c not in P
        }
        chosen.append(max(objective, key=objective.get))
    assert list(select_criticisms(K, P, 3, regularizer="logdet")) == chosen


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="bandwidth"):
        rbf_kernel(np.zeros((3, 2)), bandwidth=0)
    with pytest.raises(ValueError, match="m must be"):
        select_prototypes(np.eye(3), 4)
    with pytest.raises(ValueError, match="regularizer"):
        select_criticisms(np.eye(3), [0], 1, regularizer="l2")


@needs_data
def test_page_prototypes_match_the_helper(page):
    for d, K in page["kernels"].items():
        P, path = select_prototypes(K, page["n_curve"])
        assert list(P) == list(page["prototypes"][d])
        tol = rounding_tolerance("float64", 4, len(K) ** 2)
        np.testing.assert_allclose(page["greedy_path"][d], path, atol=tol)
        i = page["members"][d]
        expected = _brute_mmd2(
            page["pixels"][i].astype(np.float64),
            P[:4],
            median_bandwidth(page["pixels"][i]),
        )
        assert page["greedy_path"][d][3] == pytest.approx(expected, abs=tol)
        shown = page["prototypes"][d][: page["n_shown"]]
        np.testing.assert_allclose(
            page["witness"][d],
            witness(K, K[:, shown]),
            atol=rounding_tolerance("float64", 2, len(K)),
        )
        assert not set(page["criticisms"][d]) & set(shown)


@needs_data
def test_page_figures(page):
    grid, curve = page["_figures"]
    images = [ax for ax in grid.axes if ax.get_visible() and ax.get_images()]
    assert len(images) == 10 * (page["n_shown"] + page["n_critic"])
    assert len(curve.axes[0].lines) == 2 and len(curve.axes[0].collections) == 1


@needs_data
def test_claims_fail_on_the_opposite_case(page):
    text = "## MMD² as prototypes are added"
    with pytest.raises(ClaimError, match="lowers"):
        rerun_cell(PAGE, page, text, greedy_mean=page["greedy_mean"][::-1].copy())
    with pytest.raises(ClaimError, match="97.5%"):
        rerun_cell(
            PAGE,
            page,
            text,
            greedy_mean=page["mid"] * np.linspace(1.0, 0.9, page["n_curve"]),
        )


@needs_data
def test_verdict_follows_the_criticisms(page):
    assert ("no less typical" in page["verdict"]) == (
        page["r_low"] <= page["critic_rank"] <= page["r_high"]
    )
    text = "## Are criticisms unusual digits?"
    margin, members = page["margin"], page["members"]
    worst = {d: np.argsort(margin[i])[: page["n_critic"]] for d, i in members.items()}
    best = {d: np.argsort(margin[i])[-page["n_critic"] :] for d, i in members.items()}
    ns, said = rerun_cell(PAGE, page, text, criticisms=worst)
    assert (
        ns["verdict"] == "less typical than random digits"
        and ns["critic_rank"] < ns["r_low"]
    )
    ns, said = rerun_cell(PAGE, page, text, criticisms=best)
    assert ns["verdict"] == "more typical than random digits"
