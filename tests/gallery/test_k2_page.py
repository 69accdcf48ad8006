"""Page K2 (TracIn proponents, opponents and self-influence) and its helpers.

The page runs once, in quick mode. Its influence and self-influence (last-layer
gradients from ``torch.func``) are recomputed by Captum's ``TracInCP`` (gradients from
its own per-sample hooks) and by the closed form of a linear layer's gradient,
``(softmax - onehot) ⊗ [h, 1]``, whose dot products factor as ``(δ·δ')(h·h' + 1)``; the
headline numbers (the opponents' flipped share, the recall of the flips) are recounted
from Captum's scores. ``mlviz.inspect.influence.tracin`` over all layers is checked
against Captum on a small network. Each claim is then fed the opposite case and must
fail; the verdict on self-influence against the loss must follow the numbers. The
``flip_labels`` option of ``TrainConfig`` is checked for its draw, its determinism and
that it leaves the cache keys of every model trained without it unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import warnings

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

torch = pytest.importorskip("torch")
captum_tracincp = pytest.importorskip("captum.influence").TracInCP

import torch.nn.functional as F  # noqa: E402

from mlviz._torch import one_thread  # noqa: E402
from mlviz.inspect.influence import (  # noqa: E402
    detection_curve,
    paired_bootstrap_recall,
    per_example_grads,
    plot_detection_curves,
    random_recall_interval,
    recall_at,
    self_influence,
    tracin,
)
from mlviz.models import (  # noqa: E402
    MNIST_CNN_CONFIG,
    MNIST_CNN_QUICK_CONFIG,
    MNIST_VIT_CONFIG,
    TrainConfig,
    _cache,
    cache_key,
    mnist_tensors,
    train,
)
from mlviz.models._data import flip_labels  # noqa: E402
from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import needs_data, needs_mirror, rerun_cell, run_quick  # noqa: E402

PAGE = "11_robustness_mechanisms/plot_02_influential_examples.py"
WHO = "## Who the strongest proponents and opponents are"
SELF = "## Self-influence: finding the flipped labels"
@pytest.fixture(scope="module")
def page(tmp_path_factory):
    yield run_quick(PAGE, tmp_path_factory.mktemp("k2"))
    plt.close("all")


_CAPTUM_WARNING = pytest.mark.filterwarnings(
    "ignore:Input Tensor 0 did not already require gradients"
)


def _captum(model, states, lr, train_data, layers, batch_size=500):
    """Captum's TracInCP over the given checkpoints, with a constant learning rate."""
    names = [f"ckpt{i}" for i in range(len(states))]
    by_name = dict(zip(names, states))

    def load(net, name):
        net.load_state_dict(by_name[name])
        return lr

    dataset = torch.utils.data.TensorDataset(*train_data)
    return captum_tracincp(
        model,
        dataset,
        checkpoints=names,
        checkpoints_load_func=load,
        layers=layers,
        loss_fn=torch.nn.CrossEntropyLoss(reduction="sum"),
        batch_size=batch_size,
        sample_wise_grads_per_batch=True,
    )


@pytest.fixture(scope="module")
def captum_scores(page):
    """Captum's influence of every training digit on the first 60 test digits, and
    its self-influence of every training digit (last layer, the page's checkpoints)."""
    import copy

    model = copy.deepcopy(page["model"]).eval()  # Captum freezes the other layers
    states, lr = page["run"].checkpoints[1:], page["config"].lr
    with one_thread(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Input Tensor 0 did not already require")
        tracer = _captum(model, states, lr, (page["X"], page["y"]), ["fc2"])
        scores = tracer.influence((page["X_test"][:60], page["predicted"][:60]))
        self_inf = tracer.self_influence()
    return scores.double().numpy().T, self_inf.double().numpy()


def _tolerance(self_a, self_b, n_terms):
    """What float32 rounding explains in sum_k lr g_k(a)·g_k(b), pair by pair.

    The sum of the terms' sizes, sum_k lr |g_k(a)|·|g_k(b)|, is at most
    sqrt(self_a * self_b) (Cauchy-Schwarz), self-influences being sum_k lr |g_k|²."""
    unit = rounding_tolerance("float32", 1.0, n_terms)
    return unit * np.sqrt(np.outer(self_a, self_b))


def _self_on_test(page, n):
    """Self-influence of the first n test digits at their predicted labels."""
    model = page["model"]
    total = np.zeros(n)
    for state in page["run"].checkpoints[1:]:
        model.load_state_dict(state)
        with torch.no_grad():
            h = model.embed(page["X_test"][:n])
        g = per_example_grads(model.fc2, h, page["predicted"][:n]).double()
        total += page["config"].lr * (g * g).sum(1).numpy()
    model.load_state_dict(page["run"].checkpoints[-1])
    return total


# -- the page's numbers, computed another way -------------------------------------------


def _n_terms(page):
    """Terms in each score: fc2's 650 weights and biases at each checkpoint."""
    return 650 * len(page["per_checkpoint"])


@needs_data
def test_influence_and_self_influence_match_captum(page, captum_scores):
    influence, self_inf = captum_scores
    assert len(page["per_checkpoint"]) == page["config"].epochs
    tol = _tolerance(page["self_influence"], _self_on_test(page, 60), _n_terms(page))
    assert np.all(np.abs(page["influence"][:, :60] - influence) <= tol)
    # a sum of squares: the sum of the terms' sizes is the self-influence itself
    tol = rounding_tolerance("float32", 1.0, _n_terms(page)) * self_inf
    assert np.all(np.abs(page["self_influence"] - self_inf) <= tol)


@needs_data
def test_headline_recall_recounted_from_captum(page, captum_scores):
    _, self_inf = captum_scores
    is_flipped, share = page["is_flipped"], page["share"]
    k = round(share * len(is_flipped))
    found = is_flipped[np.argsort(-self_inf)[:k]].sum()
    # digits within rounding of the k-th largest score could swap across the cut
    kth = np.sort(self_inf)[::-1][k - 1]
    near = np.abs(self_inf - kth) <= rounding_tolerance("float32", kth, _n_terms(page))
    assert abs(found - page["r_tracin"] * is_flipped.sum()) <= near.sum() - 1
    assert page["r_tracin"] == pytest.approx(
        found / is_flipped.sum(), abs=(near.sum() - 1) / is_flipped.sum()
    )


@needs_data
def test_opponents_share_recounted_from_captum(page, captum_scores):
    influence, _ = captum_scores
    is_flipped, top = page["is_flipped"], page["top"]
    theirs = np.argsort(influence, axis=0)[:top]  # the ten weakest, per test digit
    mine = np.argpartition(page["influence"][:, :60], top, axis=0)[:top]
    tol = _tolerance(page["self_influence"], _self_on_test(page, 60), _n_terms(page))
    ordered = np.sort(influence, axis=0)
    # a test digit whose 10th and 11th weakest scores are within rounding may swap them
    ties = (ordered[top] - ordered[top - 1] <= tol.max(0)).sum()
    changed = sum(set(mine[:, j]) != set(theirs[:, j]) for j in range(60))
    assert changed <= ties
    assert is_flipped[mine].mean() == pytest.approx(
        is_flipped[theirs].mean(), abs=ties / (top * 60)
    )
    # the page's table row is the same count over all its test digits
    picks = np.argpartition(page["influence"], top, axis=0)[:top]
    share = page["shares"].loc["opponents", "flipped share"]
    assert share == pytest.approx(is_flipped[picks].mean(), abs=1e-12)


@needs_data
def test_closed_form_of_the_last_layer(page):
    """<g, g'> for g = δ ⊗ [h, 1] is (δ·δ')(h·h' + 1): float64, from the checkpoints."""
    model, X, y = page["model"], page["X"][:200], page["y"][:200]
    X_test, predicted = page["X_test"][:30], page["predicted"][:30]
    lr = page["config"].lr
    expected, diagonal = np.zeros((200, 30)), np.zeros(200)
    for state in page["run"].checkpoints[1:]:
        model.load_state_dict(state)
        W, b = model.fc2.weight.double(), model.fc2.bias.double()
        with torch.no_grad():
            h, ht = model.embed(X).double(), model.embed(X_test).double()
            d = F.softmax(F.linear(h, W, b), 1) - F.one_hot(y, 10)
            dt = F.softmax(F.linear(ht, W, b), 1) - F.one_hot(predicted, 10)
        expected += lr * ((d @ dt.T) * (h @ ht.T + 1)).numpy()
        diagonal += lr * ((d * d).sum(1) * ((h * h).sum(1) + 1)).numpy()
    model.load_state_dict(page["run"].checkpoints[-1])
    tol = _tolerance(diagonal, _self_on_test(page, 30), _n_terms(page))
    assert np.all(np.abs(page["influence"][:200, :30] - expected) <= tol)
    tol = rounding_tolerance("float32", 1.0, _n_terms(page)) * diagonal
    assert np.all(np.abs(page["self_influence"][:200] - diagonal) <= tol)


@needs_data
def test_module_tracin_matches_the_page(page):
    """The helper's TracIn (the whole network run, fc2 differentiated) gives the page's."""
    run, X, y = page["run"], page["X"][:100], page["y"][:100]
    test = (page["X_test"][:20], page["predicted"][:20])
    lr, states = page["config"].lr, run.checkpoints[1:]
    with one_thread():
        scores = tracin(page["model"], states, (X, y), test, lr=lr, params="fc2")
    tol = _tolerance(
        page["self_influence"][:100], _self_on_test(page, 20), _n_terms(page)
    )
    assert np.all(np.abs(scores - page["influence"][:100, :20]) <= tol)
    with one_thread():
        self_inf = self_influence(page["model"], states, (X, y), lr=lr, params="fc2")
    tol = rounding_tolerance("float32", 1.0, _n_terms(page)) * self_inf
    assert np.all(np.abs(self_inf - page["self_influence"][:100]) <= tol)


@needs_data
def test_bootstrap_and_random_band_of_the_page(page):
    low, high = random_recall_interval(
        len(page["is_flipped"]), int(page["is_flipped"].sum()), page["share"]
    )
    assert page["random_high"] == high and low < page["share"] < high
    a, b = page["tracin_recall"], page["loss_recall"]
    assert len(a) == len(b) == 1000
    assert (page["gap_low"], page["gap_high"]) == tuple(
        np.percentile(a - b, [2.5, 97.5])
    )


@needs_data
def test_page_figures(page):
    grid, curves, ranking = page["_figures"]
    shown = [ax for ax in grid.axes if ax.get_visible() and ax.get_images()]
    assert len(shown) == 18
    framed = sum(ax.spines["left"].get_visible() for ax in shown)
    assert framed == sum(page["marked"])
    ax = curves.axes[0]
    assert len(ax.lines) == 4 and len(ax.collections) == 1
    assert ax.get_xlim() == (0, 0.5)
    tops = [a for a in ranking.axes if a.get_visible() and a.get_images()]
    assert len(tops) == 16
    assert sum(a.spines["left"].get_visible() for a in tops) == (
        page["is_flipped"][page["ranked"]].sum()
    )


# -- each claim fed the opposite case -------------------------------------------------


@needs_data
def test_opponent_claim_fails_without_enrichment(page):
    size = np.abs(np.random.default_rng(1).normal(size=page["influence"].shape))
    same = page["labels"][:, None] == page["predicted_np"][None, :]
    # opponents keep another label than the prediction, but none is a flipped digit
    scores = np.where(same | page["is_flipped"][:, None], size, -size)
    with pytest.raises(ClaimError, match="strongest opponents"):
        rerun_cell(PAGE, page, WHO, influence=scores)


@needs_data
def test_same_label_scores_are_never_negative(page):
    """(δ·δ')(h·h' + 1) >= 0 when both labels agree: what the 'no opponent' claim rests on."""
    same = page["labels"][:, None] == page["predicted_np"][None, :]
    assert (page["influence"][same] >= 0).all() and (page["cosine"][same] >= 0).all()
    with pytest.raises(ClaimError, match="no opponent carries"):
        rerun_cell(PAGE, page, WHO, influence=-page["influence"])


@needs_data
def test_cosine_claim_fails_when_normalizing_changes_nothing(page):
    with pytest.raises(ClaimError, match="with the cosine"):
        rerun_cell(PAGE, page, WHO, cosine=page["influence"])


@needs_data
def test_self_influence_claims_fail_on_the_opposite_case(page):
    rng = np.random.default_rng(2)
    random_scores = rng.normal(size=len(page["y"]))
    with pytest.raises(ClaimError, match="random inspection"):
        rerun_cell(PAGE, page, SELF, self_influence=random_scores)
    with pytest.raises(ClaimError, match="not memorized"):
        rerun_cell(PAGE, page, SELF, fits_flip=0.9)


@needs_data
def test_verdict_follows_the_numbers(page):
    is_flipped = page["is_flipped"].astype(float)
    ns, said = rerun_cell(PAGE, page, SELF, self_influence=is_flipped)  # perfect
    assert ns["gap_low"] > 0 and ns["verdict"] == "finds more flips than the loss"
    assert "**100%**" in said[0]
    ns, said = rerun_cell(
        PAGE, page, SELF, final_loss=is_flipped, self_influence=page["final_loss"]
    )
    assert ns["gap_high"] < 0 and ns["verdict"] == "finds fewer flips than the loss"
    ns, _ = rerun_cell(PAGE, page, SELF, final_loss=page["self_influence"])
    assert ns["verdict"].startswith("does no detectably")


# -- the helpers -------------------------------------------------------------------------


def _small_cnn_states():
    from mlviz.models import build_model

    torch.manual_seed(0)
    net = build_model("mnist_cnn", channels=(2, 3), hidden=5).eval()
    states = []
    for _ in range(2):
        with torch.no_grad():
            for p in net.parameters():
                p.add_(0.1 * torch.randn_like(p))
        states.append({k: v.clone() for k, v in net.state_dict().items()})
    return net, states


@_CAPTUM_WARNING
def test_tracin_over_all_layers_matches_captum():
    with one_thread():
        _tracin_over_all_layers_matches_captum()


def _tracin_over_all_layers_matches_captum():
    net, states = _small_cnn_states()
    gen = torch.Generator().manual_seed(0)
    X, y = torch.randn(24, 1, 28, 28, generator=gen), torch.randint(0, 10, (24,))
    X_test, y_test = X[:5] + 0.1, y[:5]
    mine = tracin(net, states, (X, y), (X_test, y_test), lr=0.3, batch_size=7)
    mine_self = self_influence(net, states, (X, y), lr=0.3, per_checkpoint=True)
    tracer = _captum(net, states, 0.3, (X, y), None, batch_size=8)
    theirs = tracer.influence((X_test, y_test)).double().numpy().T
    n_terms = 2 * sum(p.numel() for p in net.parameters())
    theirs_self = tracer.self_influence().double().numpy()
    test_self = self_influence(net, states, (X_test, y_test), lr=0.3)
    tol = _tolerance(theirs_self, test_self, n_terms)
    assert np.all(np.abs(mine - theirs) <= tol)
    tol = rounding_tolerance("float32", 1.0, n_terms) * theirs_self
    assert np.all(np.abs(mine_self.sum(0) - theirs_self) <= tol)
    assert mine_self.shape == (2, 24)
    # the cosine version: each checkpoint's term is at most lr in size
    cos = tracin(net, states, (X, y), (X_test, y_test), lr=0.3, normalize=True)
    assert np.abs(cos).max() <= 2 * 0.3 * (1 + rounding_tolerance("float64", 1, 1e5))


def test_per_example_grads_is_the_gradient_of_each_loss():
    layer = torch.nn.Linear(4, 3)
    x, t = torch.randn(6, 4), torch.tensor([0, 1, 2, 0, 1, 2])
    rows = per_example_grads(layer, x, t, batch_size=4)
    for i in range(6):
        layer.zero_grad()
        F.cross_entropy(layer(x[i : i + 1]), t[i : i + 1]).backward()
        expected = torch.cat([layer.weight.grad.ravel(), layer.bias.grad])
        assert torch.allclose(rows[i], expected, atol=1e-6)
    assert per_example_grads(layer, x, t, params="bias").shape == (6, 3)


def test_detection_helpers_against_brute_force():
    scores = np.array([0.9, 0.1, 0.8, 0.3, 0.7, 0.2])
    target = np.array([True, False, False, True, True, False])
    share, recall = detection_curve(scores, target)
    assert list(share * 6) == list(range(7))
    assert np.allclose(recall, np.array([0, 1, 1, 2, 3, 3, 3]) / 3)
    assert recall_at(scores, target, 0.5) == pytest.approx(2 / 3)
    # the random band from the hypergeometric probabilities written out
    n, m, k = 6, 3, 3
    pmf = [
        math.comb(m, j) * math.comb(n - m, k - j) / math.comb(n, k) for j in range(4)
    ]
    cdf = np.cumsum(pmf)
    low, high = random_recall_interval(n, m, 0.5, level=0.9)
    assert low == np.argmax(cdf >= 0.05) / m and high == np.argmax(cdf >= 0.95) / m
    a, b = paired_bootstrap_recall(scores, scores, target, 0.5, n_boot=50)
    assert np.array_equal(a, b)
    a, _ = paired_bootstrap_recall(scores, -scores, target, 0.5, n_boot=3, seed=4)
    rows = np.random.default_rng(4).integers(0, 6, size=(3, 6))
    for r, row in enumerate(rows):
        top = row[np.argsort(-scores[row], kind="stable")[:3]]
        assert a[r] == pytest.approx(target[top].sum() / target[row].sum())
    ax = plot_detection_curves({"s": scores}, target)
    assert len(ax.lines) == 3 and len(ax.collections) == 1
    plt.close("all")


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="params must name"):
        per_example_grads(
            torch.nn.Linear(2, 2), torch.ones(1, 2), torch.zeros(1).long(), params="fc9"
        )
    with pytest.raises(ValueError, match="lr must be"):
        self_influence(
            torch.nn.Linear(2, 2),
            [{}, {}],
            (torch.ones(1, 2), torch.zeros(1).long()),
            lr=[1.0],
        )
    with pytest.raises(ValueError, match="is_target must be a boolean"):
        detection_curve([1.0, 2.0], [0, 1])
    with pytest.raises(ValueError, match="flip_labels must be a share"):
        MNIST_CNN_CONFIG.replace(flip_labels=1.0)
    with pytest.raises(ValueError, match="share must be in"):
        flip_labels(torch.arange(5), -0.1)


# -- the flip_labels option of TrainConfig ---------------------------------------------------


def test_flip_labels_draws_other_classes_deterministically():
    y = torch.arange(1000) % 10
    noisy, flipped = flip_labels(y, 0.1, seed=3)
    assert len(flipped) == 100 and (np.diff(flipped) > 0).all()
    assert (noisy[flipped] != y[flipped]).all()
    keep = np.setdiff1d(np.arange(1000), flipped)
    assert torch.equal(noisy[keep], y[keep])
    again, same = flip_labels(y, 0.1, seed=3)
    assert torch.equal(again, noisy) and np.array_equal(same, flipped)
    assert not np.array_equal(flip_labels(y, 0.1, seed=4)[1], flipped)
    # every other class is drawn: the shifts cover 1..9
    shifts = ((noisy - y) % 10)[flipped]
    assert set(shifts.tolist()) == set(range(1, 10))


@pytest.mark.parametrize(
    "config", [MNIST_CNN_CONFIG, MNIST_CNN_QUICK_CONFIG, MNIST_VIT_CONFIG]
)
def test_default_key_is_unchanged_by_the_flip_labels_option(config):
    """The key as computed before the option existed: the config without it."""
    as_before = dataclasses.asdict(config)
    del as_before["flip_labels"], as_before["checkpoints"]
    payload = {
        "config": as_before,
        "data": {name: _cache.REGISTRY[name] for name in _cache._MNIST_FILES},
        "torch": torch.__version__,
        "device": "cpu",
        "history_version": _cache.HISTORY_VERSION,
    }
    expected = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    assert cache_key(config, "cpu") == expected
    assert cache_key(config.replace(flip_labels=0), "cpu") == expected
    assert cache_key(config.replace(flip_labels=0.1), "cpu") != expected
    # what info.json stores reads back as the same configuration
    assert "flip_labels" not in config.to_dict()
    noisy = config.replace(flip_labels=0.1)
    assert (
        TrainConfig(**noisy.to_dict()) == noisy
        and TrainConfig(**config.to_dict()) == config
    )


@needs_mirror
def test_training_data_returns_the_labels_trained_on(tmp_path, monkeypatch):
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path))
    tiny = TrainConfig(
        arch_kwargs={"channels": (4, 8), "hidden": 16}, epochs=1, n_train=200,
        n_val=64, probe_size=16, n_bins=8,
    )  # fmt: skip
    clean = train(tiny, device="cpu")
    noisy = train(tiny.replace(flip_labels=0.25), device="cpu")
    X, y, flipped = noisy.training_data()
    X0, y0 = mnist_tensors("train", n=200)
    assert torch.equal(X, X0) and len(flipped) == 50
    assert (y[flipped] != y0[flipped]).sum() == 50 and (y != y0).sum() == 50
    assert clean.training_data()[2].size == 0
    assert not torch.equal(clean.model.fc2.weight, noisy.model.fc2.weight)
    again = train(tiny.replace(flip_labels=0.25), device="cpu")
    assert again.from_cache and np.array_equal(again.training_data()[2], flipped)
