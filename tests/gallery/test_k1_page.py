"""What page K1 (FGSM and PGD) computes and states, checked independently.

The attacks against their published update rules, written here once more in NumPy
with gradients taken one image at a time (FGSM: Goodfellow et al., 2015, ``x + eps *
sign(grad)``; PGD: Madry et al., 2018, random start in the L-inf ball, signed steps,
projection onto the ball and the valid range); FGSM's loss increase against its
first-order prediction ``eps * ||grad||_1``; the accuracy table's intervals and paired
p-values from their textbook formulas; and each claim's condition fed the opposite case.
"""

from __future__ import annotations


import matplotlib

matplotlib.use("agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlviz.report import rounding_tolerance  # noqa: E402

from .conftest import PAGE_MARKS, page_path, run_quick  # noqa: E402
from .test_c_interpretations import binomial_p, wilson_interval  # noqa: E402

torch = pytest.importorskip("torch")
pytest.importorskip("efficientnet_lite_pytorch")

pytestmark = PAGE_MARKS


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    return run_quick("plot_01_adversarial_examples.py", tmp_path_factory.mktemp("k1"))


def _gradient_one_by_one(model, x, y):
    """d loss / d x for each image on its own (batch of one, mean reduction)."""
    grads = []
    for xi, yi in zip(x, y):
        xi = xi[None].clone().requires_grad_(True)
        torch.nn.functional.cross_entropy(model(xi), yi[None]).backward()
        grads.append(xi.grad[0].numpy().astype(np.float64))
    return np.stack(grads)


def _sign_agrees(page, expected, grad, step, low, high):
    """Pixels where page and reference differ must be ones where the gradient's sign is
    a matter of rounding (|grad| below float32 rounding of its own scale)."""
    tol = rounding_tolerance("float32", np.abs(grad).max(), n_terms=1000)
    differs = np.abs(page - expected) > rounding_tolerance(
        "float32", max(abs(low), abs(high)) + step
    )
    assert np.all(np.abs(grad[differs]) <= tol), (
        f"{differs.sum()} pixels differ where the gradient's sign is clear"
    )


def test_fgsm_is_the_published_rule(ns):
    model, X, y, low, high = (
        ns["model"],
        ns["X"][:20],
        ns["y"][:20],
        ns["low"],
        ns["high"],
    )
    eps = 0.1 / ns["MNIST_STD"]
    grad = _gradient_one_by_one(model, X, y)
    expected = np.clip(X.numpy() + eps * np.sign(grad), low, high)
    page = ns["fgsm"](model, X, y, eps, low, high).numpy()
    _sign_agrees(page, expected, grad, eps, low, high)
    # the page's eps is in grey levels: the input's units are grey levels / MNIST_STD
    change = ns["from_tensor"](torch.from_numpy(page)) - ns["from_tensor"](X)
    assert np.abs(change).max() <= 0.1 + rounding_tolerance("float32", 1.0)


def test_pgd_is_madrys_rule(ns):
    model, X, y, low, high = (
        ns["model"],
        ns["X"][:10],
        ns["y"][:10],
        ns["low"],
        ns["high"],
    )
    eps, steps = 0.1 / ns["MNIST_STD"], 3
    alpha = 2.5 * eps / steps
    x0 = X.numpy().astype(np.float64)
    start = (
        torch.rand(X.shape, generator=torch.Generator().manual_seed(0)) * 2 - 1
    ).numpy() * eps
    x = np.clip(x0 + start, low, high)
    for _ in range(steps):
        grad = _gradient_one_by_one(model, torch.from_numpy(x.astype(np.float32)), y)
        x = np.clip(np.clip(x + alpha * np.sign(grad), x0 - eps, x0 + eps), low, high)
    page = ns["pgd"](model, X, y, eps, low, high, steps=steps, seed=0).numpy()
    # a sign flipped by rounding in one step moves the rest of the path: compare pixels
    mismatch = np.abs(page - x) > rounding_tolerance(
        "float32", abs(low) + abs(high) + eps, n_terms=4 * steps
    )
    assert mismatch.mean() < 1e-3, (
        f"{mismatch.sum()} of {mismatch.size} pixels off Madry's rule"
    )
    tol = rounding_tolerance("float32", abs(low) + abs(high) + eps)
    assert np.abs(page - x0).max() <= eps + tol  # inside the L-inf ball
    assert page.min() >= low - tol and page.max() <= high + tol  # and the valid range


def test_fgsm_loss_rises_as_first_order_predicts(ns):
    """loss(x + eps sign g) - loss(x) = eps ||g||_1 + o(eps), in float64 without clamping.

    The digits are jittered first: on a clean digit, blank background makes ties in the
    max-pools and zeros at the ReLUs, where the network has one-sided derivatives only and
    the rise overshoots the prediction by about 10% however small eps is."""
    import copy

    model = copy.deepcopy(ns["model"]).double()
    X, y = ns["X"][:8].double(), ns["y"][:8]
    generator = torch.Generator().manual_seed(0)
    X = X + 1e-3 * torch.randn(X.shape, generator=generator, dtype=torch.float64)

    def loss(x):
        return (
            torch.nn.functional.cross_entropy(model(x), y, reduction="none")
            .detach()
            .numpy()
        )

    grad = _gradient_one_by_one(model, X, y)
    predicted_per_eps = np.abs(grad).reshape(len(y), -1).sum(1)
    errors = {}
    for eps in (1e-4, 1e-7):
        rise = loss(ns["fgsm"](model, X, y, eps, -np.inf, np.inf)) - loss(X)
        errors[eps] = np.abs(rise / (eps * predicted_per_eps) - 1)
    assert np.all(errors[1e-7] < 1e-3)  # the first-order prediction, to 0.1%
    assert np.median(errors[1e-7]) < np.median(
        errors[1e-4]
    )  # and closer as eps shrinks


def test_accuracy_table_and_paired_tests(ns):
    table, X, y, clean = ns["accuracy"], ns["X"], ns["y"], ns["clean"]
    with torch.no_grad():
        assert np.array_equal(clean, (ns["model"](X).argmax(1) == y).numpy())
    n = len(y)
    for _, row in table.iterrows():
        low, high = wilson_interval(round(row["accuracy"] * n), n)
        assert row["low"] == pytest.approx(low, abs=1e-12) and row[
            "high"
        ] == pytest.approx(high, abs=1e-12)
    x_fgsm, x_pgd = ns["attacked"][0.3]
    with torch.no_grad():
        f = (ns["model"](x_fgsm).argmax(1) == y).numpy()
        p = (ns["model"](x_pgd).argmax(1) == y).numpy()
    only_f, only_p = int((f & ~p).sum()), int((~f & p).sum())
    row = table[(table.eps == 0.3) & (table.attack == "PGD")].iloc[0]
    assert row["p vs row above"] == pytest.approx(
        binomial_p(only_f, only_f + only_p), rel=1e-9
    )
    assert row["lost vs row above"] == only_f
    # accuracy falls with eps for both attacks, and PGD ends at or below FGSM
    acc = table.pivot(index="eps", columns="attack", values="accuracy")
    assert acc["FGSM"].is_monotonic_decreasing and acc["PGD"].is_monotonic_decreasing
    assert acc.loc[0.3, "PGD"] <= acc.loc[0.3, "FGSM"]


def test_claims_fail_on_the_opposite_case(ns):
    mcnemar, clean = ns["mcnemar"], ns["clean"]
    # equally strong attacks: the paired test finds nothing
    assert mcnemar(clean, clean) == 1.0
    flipped = clean.copy()
    flipped[np.flatnonzero(clean)[:2]] = False  # two digits: within the noise
    assert mcnemar(clean, flipped) >= 0.05
    # PGD stronger needs both a paired p below 0.05 and a lower accuracy: swapping the
    # two attacks keeps the p-value but reverses the direction
    acc = ns["acc"]
    assert ns["pgd_p"][0.3] == pytest.approx(
        mcnemar(
            *[
                (ns["model"](x).argmax(1) == ns["y"]).numpy()
                for x in ns["attacked"][0.3]
            ]
        )
    )
    assert not (acc.loc[0.3, "FGSM"] < acc.loc[0.3, "PGD"])
    # the photo: the clean map against itself would be "moved less than noise"
    r_noise = ns["r_noise"]
    assert ns["r_attack"] < min(r_noise) and not (1.0 < min(r_noise))
    # the flip claim fails on the clean probabilities
    before, k = ns["before"], ns["k"]
    assert int(before.argmax()) == k


def test_photo_attack_and_maps(ns):
    photo, photo_adv, eps = ns["photo"], ns["photo_adv"], ns["eps_photo"]
    # 2 grey levels of 255 are 4/255 in the network's [-1, 1] input
    tol = rounding_tolerance("float32", 2.0)
    assert (photo_adv - photo).abs().max().item() <= 2 * eps + tol
    grey = ns["to_display"](photo_adv) - ns["to_display"](photo)
    assert np.abs(grey).max() <= eps + tol
    from scipy.stats import pearsonr

    maps = ns["maps"]
    assert ns["r_attack"] == pytest.approx(
        pearsonr(maps[0].ravel(), maps[1].ravel())[0], abs=1e-9
    )
    assert ns["maps_table"].iloc[1, 0] == ns["r_attack"]
    probs = torch.nn.functional.softmax(ns["net"](photo_adv), 1)[0].detach().numpy()
    assert probs.argmax() == ns["k_new"] != ns["k"]


def test_page_metadata():
    from mlviz.build.metadata import parse_example

    meta = parse_example(page_path("plot_01_adversarial_examples.py"))
    assert meta.id == "K1" and "MNIST" in meta.data
    lines = page_path("plot_01_adversarial_examples.py").read_text().count("\n")
    assert lines <= 350
