"""Page K3 (TCAV) and :mod:`mlviz.inspect.concepts`, checked independently.

The page's headline TCAV scores are recomputed with Captum's ``captum.concept.TCAV``
(its own hooks, activations, layer gradients and sign counts) around a plain
scikit-learn logistic regression on all the features; the directional derivative
``grad . v`` is recomputed by finite differences of the logit in float64, moving the
layer's output along the CAV with a hook; the t-tests and their Bonferroni correction
from the textbook formula. Each claim is then fed the opposite case and must fail. The
helpers are checked on small inputs: the noise's spectrum, the Gram-matrix fit against
a direct fit, the cache read back equal, errors naming their argument.
"""

from __future__ import annotations

import copy

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import page_path, rerun_cell, run_quick  # noqa: E402

torch = pytest.importorskip("torch")
pytest.importorskip("efficientnet_lite_pytorch")

from mlviz.inspect.concepts import (  # noqa: E402
    CAV,
    activations_and_gradients,
    directional_derivatives,
    fit_cav,
    pink_noise_images,
    plot_tcav_scores,
    random_crops,
    tcav_score,
    tcav_ttest,
    texture_images,
)

PAGE = "11_robustness_mechanisms/plot_03_concepts_tcav.py"
ACCURACY_CELL = "one-sided binomial test"
ACTIVATION_CELL = "Activations and gradients at three depths"
ALIKE_CELL = "Why one layer gives all-or-nothing scores"
FIGURE_CELL = "One panel per layer"


@pytest.fixture(scope="module", autouse=True)
def build_threads():
    """Torch on the build's thread count, as the pages run (conftest restores it)."""
    from mlviz._torch import build_threads

    torch.set_num_threads(build_threads())


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    yield run_quick(PAGE, tmp_path_factory.mktemp("k3"))
    plt.close("all")


def _score(ns, layer_name, concept, against):
    runs = ns["runs"]
    row = runs[
        (runs.layer == layer_name)
        & (runs.concept == concept)
        & (runs.against == against)
    ]
    assert len(row) == 1
    return float(row["score"].iloc[0])


# -- the headline against Captum -----------------------------------------------------


@pytest.mark.slow
def test_tcav_scores_match_captum(ns, tmp_path):
    """Captum's TCAV, with a logistic regression fitted directly on all features (no
    Gram-matrix shortcut) on the same split, gives the page's scores for a concept
    pair and a random pair at block 4."""
    pytest.importorskip("captum.concept")  # the test extra's reference library
    from captum.concept import TCAV, Classifier, Concept
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits
    from torch.utils.data import DataLoader

    inputs, net = ns["inputs"], ns["net"]
    concepts = {
        name: Concept(i, name, DataLoader(inputs[name], batch_size=4))
        for i, name in enumerate(["stripes", "random 0", "random 1"])
    }

    class DirectLogistic(Classifier):
        def __init__(self):
            self.lm = None

        def train_and_eval(self, dataloader, **kwargs):
            X, labels = zip(*dataloader)
            X, labels = torch.cat(X).double().numpy(), torch.cat(labels).numpy()
            positive = labels == labels[0]  # the first concept of the set, as the page
            train, test = train_test_split(
                np.arange(len(labels)),
                test_size=1 / 3,
                stratify=positive.astype(float),
                random_state=0,
            )
            self.lm = LogisticRegression(max_iter=10_000, tol=1e-10)
            with threadpool_limits(1):  # a small fit: threads only wait for each other
                self.lm.fit(X[train], labels[train])
            return {"accs": self.lm.score(X[test], labels[test])}

        def weights(self):
            w = torch.tensor(self.lm.coef_[0])
            return torch.stack([-w, w])

        def classes(self):
            return self.lm.classes_

    tcav = TCAV(
        net,
        ["_blocks.4"],
        classifier=DirectLogistic(),
        save_path=str(tmp_path / "cav"),
    )
    sets = [
        [concepts["stripes"], concepts["random 1"]],
        [concepts["random 0"], concepts["random 1"]],
    ]
    scores = tcav.interpret(inputs["tabby"], sets, target=ns["target"])
    got = {
        key: float(value["_blocks.4"]["sign_count"][0]) for key, value in scores.items()
    }
    n = len(inputs["tabby"])  # Captum averages in float32: compare crop counts
    assert round(got["0-2"] * n) == round(
        _score(ns, "block 4", "stripes", "random 1") * n
    )
    assert round(got["1-2"] * n) == round(
        _score(ns, "block 4", "random", "random 1") * n
    )


# -- the directional derivative written another way ---------------------------------


def _tail(net, h, start):
    """EfficientNet-Lite0 from block ``start`` on, written out: blocks (evaluation mode,
    no squeeze-and-excitation in the Lite models), head, average pooling, classifier."""
    x = h
    for block in net._blocks[start:]:
        x = block(x)
    x = net._swish(net._bn1(net._conv_head(x)))
    return net._fc(net._avg_pooling(x).flatten(1))


@pytest.mark.slow
def test_directional_derivative_by_finite_differences(ns):
    """S = grad . v is d logit / d eps of the network's rest with the layer's output
    moved by eps v: central differences in float64 (to 0.1%, and closer as the step
    shrinks), and the page's float32 gradients give the same S to rounding."""
    layer, target, n_class = "_blocks.10", ns["target"], ns["n_class"]
    acts, grads = ns["acts"], ns["grads"]
    cav = fit_cav(acts[layer]["stripes"], acts[layer]["random 1"], random_state=0)
    S32 = grads[layer]["tabby"] @ cav.vector  # the page's formula
    net = copy.deepcopy(ns["net"]).double()
    shape = (n_class, 112, 14, 14)
    h = torch.from_numpy(acts[layer]["tabby"].astype(np.float64)).reshape(shape)
    with torch.no_grad():  # the written-out rest reproduces the page's logits
        logits = _tail(net, h, 11).numpy()
    scale = np.abs(logits).max()
    assert np.allclose(logits, acts["_fc"]["tabby"], rtol=0, atol=1e-3 * scale)
    v = torch.from_numpy(cav.vector).reshape(shape[1:])
    h64 = h.clone().requires_grad_(True)
    g64 = torch.autograd.grad(_tail(net, h64, 11)[:, target].sum(), h64)[0]
    S64 = g64.flatten(1).numpy() @ cav.vector
    errors = {}
    with torch.no_grad():
        for step in (1e-3, 1e-6):
            up = _tail(net, h + step * v, 11)[:, target].numpy()
            down = _tail(net, h - step * v, 11)[:, target].numpy()
            finite = (up - down) / (2 * step)
            errors[step] = np.abs(finite - S64)
    assert np.all(errors[1e-6] <= 1e-3 * np.abs(S64)), (finite, S64)
    assert errors[1e-6].max() <= errors[1e-3].max()
    terms = np.abs(g64.flatten(1).numpy() * cav.vector).sum(1).max()
    tol = rounding_tolerance("float32", terms, v.numel())
    assert np.all(np.abs(S32 - S64) <= tol)
    assert np.all(np.abs(S64) > tol)  # so every sign is beyond rounding
    page = _score(ns, "block 10", "stripes", "random 1")
    assert round(np.mean(finite > 0) * n_class) == round(page * n_class)


# -- the test and its correction ------------------------------------------------


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Precision loss occurred")  # scipy, on tied scores
def test_t_tests_match_scipy(ns):
    runs, tests = ns["runs"], ns["tests"]
    n_tests = 9
    for (layer_name, concept), row in tests.iterrows():
        a = runs[(runs.layer == layer_name) & (runs.concept == concept)]["score"]
        b = runs[(runs.layer == layer_name) & (runs.concept == "random")]["score"]
        reference = stats.ttest_ind(a.to_numpy(float), b.to_numpy(float))
        assert row["t"] == pytest.approx(reference.statistic, rel=1e-9)
        assert row["p"] == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-300)
        corrected = min(1.0, n_tests * reference.pvalue)
        assert row["p (Bonferroni)"] == pytest.approx(corrected, rel=1e-9)
        assert row["passes"] == (corrected < 0.05)
    # one concept run per random set 1..n_runs; one random run per random set
    n_runs = ns["n_runs"]
    counts = runs.groupby(["layer", "concept"]).size()
    assert set(counts.drop("random", level=1)) == {n_runs}
    assert set(counts.xs("random", level=1)) == {n_runs + 1}


@pytest.mark.slow
def test_figure_colours_what_passes(ns):
    fig = ns["fig"]
    tests = ns["tests"]
    for ax, layer_name in zip(fig.axes, ns["layers"].values()):
        bars = [c.patches[0] for c in ax.containers if hasattr(c, "patches")]
        assert len(bars) == 4  # three concepts and the random column
        grey = matplotlib.colors.to_rgb("C7")
        for bar, concept in zip(bars, ns["TEXTURES"]):
            coloured = bar.get_facecolor()[:3] != pytest.approx(grey)
            assert coloured == bool(tests.loc[(layer_name, concept), "passes"])


# -- each claim fed the opposite case --------------------------------------------------


@pytest.mark.slow
def test_accuracy_claim_fails_when_concepts_are_not_separable(ns):
    runs = ns["runs"].copy()
    concept = runs.concept != "random"
    runs.loc[concept, "right"] = runs.loc[concept, "held out"] // 2  # a coin
    with pytest.raises(ClaimError, match="beats chance"):
        rerun_cell(PAGE, ns, ACCURACY_CELL, runs=runs)
    runs = ns["runs"].copy()
    runs["right"] = runs["held out"]  # random CAVs separate their sets too
    with pytest.raises(ClaimError, match="no random CAV"):
        rerun_cell(PAGE, ns, ACCURACY_CELL, runs=runs)


@pytest.mark.slow
def test_top_class_claim_fails_when_the_network_says_tabby(ns, monkeypatch):
    acts, grads = ns["acts"], ns["grads"]
    fake = {layer: dict(by_set) for layer, by_set in acts.items()}
    logits = fake["_fc"]["tabby"].copy()
    logits[:, ns["target"]] = logits.max(1) + 1.0
    fake["_fc"]["tabby"] = logits
    import mlviz.inspect.concepts as concepts

    # the cell imports the helper again: replace it where the import finds it
    monkeypatch.setattr(
        concepts, "activations_and_gradients", lambda *args, **kwargs: (fake, grads)
    )
    with pytest.raises(ClaimError, match="prefers another cat class"):
        rerun_cell(PAGE, ns, ACTIVATION_CELL)


@pytest.mark.slow
def test_alike_claim_fails_when_gradients_and_extremes_disagree(ns):
    grads = {layer: dict(by_set) for layer, by_set in ns["grads"].items()}
    alike = grads["_blocks.4"]["tabby"]
    grads["_blocks.4"]["tabby"] = np.repeat(alike[:1], len(alike), axis=0)  # cosine 1
    with pytest.raises(ClaimError, match="most alike"):
        rerun_cell(PAGE, ns, ALIKE_CELL, grads=grads)


@pytest.mark.slow
def test_verdict_follows_the_numbers(ns):
    tests = ns["tests"].copy()
    tests["passes"] = False
    tests["p"] = 0.5
    tests["p (Bonferroni)"] = 1.0
    _, said = rerun_cell(PAGE, ns, FIGURE_CELL, tests=tests)
    assert said[0].startswith("Pass the corrected test: **none**")
    tests["passes"] = True
    tests["mean"], tests["random mean"] = 0.1, 0.5
    _, said = rerun_cell(PAGE, ns, FIGURE_CELL, tests=tests)
    assert "stripes at block 4 (the logit rises for fewer crops" in said[0]


def test_page_metadata():
    from mlviz.build.metadata import parse_example

    meta = parse_example(page_path("plot_03_concepts_tcav.py"))
    assert meta.id == "K3" and meta.questions == ("internals",)
    assert page_path("plot_03_concepts_tcav.py").read_text().count("\n") <= 350


# -- the helpers -----------------------------------------------------------------


def test_textures_and_noise():
    for kind in ("stripes", "dots", "zigzags"):
        images = texture_images(kind, 3, size=32, seed=1)
        assert images.shape == (3, 32, 32, 3) and images.dtype == np.float32
        assert 0 <= images.min() and images.max() <= 1
        assert np.array_equal(images, texture_images(kind, 3, size=32, seed=1))
        assert images.std(axis=(1, 2)).min() > 0.05  # a pattern, not a flat colour
    noise = pink_noise_images(6, size=128, seed=0, exponent=1.0)
    assert noise.shape == (6, 128, 128, 3) and 0 <= noise.min() and noise.max() <= 1
    # the amplitude spectrum falls as 1/f: a log-log slope near -1 (before clipping
    # and mixing bend it a little)
    grey = noise.mean(-1) - noise.mean(axis=(1, 2, 3))[:, None, None]
    amplitude = np.abs(np.fft.fft2(grey)).mean(0)
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(128), np.fft.fftfreq(128), indexing="ij"))
    band = (f > 0.02) & (f < 0.3)
    slope = np.polyfit(np.log(f[band]), np.log(amplitude[band]), 1)[0]
    assert -1.3 < slope < -0.7
    white = pink_noise_images(6, size=128, seed=0, exponent=0.0).mean(-1)
    amplitude = np.abs(np.fft.fft2(white - white.mean())).mean(0)
    assert abs(np.polyfit(np.log(f[band]), np.log(amplitude[band]), 1)[0]) < 0.2


def test_random_crops_are_crops():
    image = np.random.default_rng(0).uniform(size=(40, 60, 3)).astype(np.float32)
    whole = random_crops([image[:, :40]], 4, size=40, scale=(1.0, 1.0), flip=False)
    assert np.allclose(whole, image[:, :40], atol=1e-6)  # same size: no resampling
    flipped = random_crops([image[:, :40]], 8, size=40, scale=(1.0, 1.0), seed=3)
    mirrored = [np.allclose(c, image[:, :40][:, ::-1], atol=1e-6) for c in flipped]
    kept = [np.allclose(c, image[:, :40], atol=1e-6) for c in flipped]
    assert all(m or k for m, k in zip(mirrored, kept)) and any(mirrored) and any(kept)


def test_fit_cav_is_the_direct_logistic_regression():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(0)
    d = 500
    shift = np.zeros(d)
    shift[:5] = 1.0
    concept = (
        rng.normal(size=(15, d)) + shift + 3.0
    )  # a large common mean, as activations
    random = rng.normal(size=(15, d)) + 3.0
    cav = fit_cav(concept, random, random_state=0)
    X, y = np.r_[concept, random], np.r_[np.ones(15), np.zeros(15)]
    train, test = train_test_split(
        np.arange(30), test_size=1 / 3, stratify=y, random_state=0
    )
    direct = LogisticRegression(max_iter=10_000, tol=1e-12).fit(X[train], y[train])
    w = direct.coef_[0] / np.linalg.norm(direct.coef_[0])
    assert w @ cav.vector > 1 - 1e-6
    assert cav.accuracy == direct.score(X[test], y[test]) and cav.n_test == len(test)
    assert cav.vector[:5].sum() > 0  # points towards the concept
    grads = rng.normal(size=(7, d))
    S = directional_derivatives(grads, cav)
    assert np.allclose(S, [g @ cav.vector for g in grads])
    assert tcav_score(grads, cav) == np.mean(S > 0)


def test_activations_gradients_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path))
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(144, 5),
    ).eval()
    sets = {"a": torch.randn(5, 3, 8, 8), "b": torch.randn(3, 3, 8, 8)}
    acts, grads = activations_and_gradients(
        model, ["0", "1"], sets, target=2, gradients_for=["a"], batch_size=2
    )
    assert acts["0"]["a"].shape == (5, 144) and acts["1"]["b"].shape == (3, 144)
    assert set(grads["0"]) == {"a"}
    assert not any(m._forward_hooks for m in model.modules())  # hooks released
    with torch.no_grad():
        direct = model[0](sets["b"]).flatten(1).numpy()
    tol = rounding_tolerance("float32", np.abs(direct).max() + 1, n_terms=28)
    assert np.abs(acts["0"]["b"] - direct).max() <= tol
    # the gradient of logit 2 at the ReLU's output: the last layer's weights, per image
    assert np.allclose(
        grads["1"]["a"], np.repeat(model[3].weight[2:3].detach().numpy(), 5, 0)
    )
    stored = list((tmp_path / "tcav").glob("*.npz"))
    assert len(stored) == 1 and not list((tmp_path / "tcav").glob("*.tmp"))
    again, grads_again = activations_and_gradients(
        model, ["0", "1"], sets, target=2, gradients_for=["a"]
    )
    assert np.array_equal(again["0"]["a"], acts["0"]["a"])
    assert np.array_equal(grads_again["1"]["a"], grads["1"]["a"])
    other = {**sets, "b": sets["b"] + 1}  # other images: another key
    activations_and_gradients(model, ["0"], other, target=2)
    assert len(list((tmp_path / "tcav").glob("*.npz"))) == 2


def test_ttest_edge_cases_and_plot():
    same = tcav_ttest([1.0, 1.0, 1.0], [1.0, 1.0], n_tests=3)
    assert same["p"] == 1.0 and same["p (Bonferroni)"] == 1.0
    apart = tcav_ttest([1.0, 1.0], [0.0, 0.0], n_tests=3)
    assert apart["p"] == 0.0 and apart["t"] == np.inf
    result = tcav_ttest([0.9, 0.8, 0.95], [0.4, 0.6, 0.5, 0.45], n_tests=2)
    reference = stats.ttest_ind([0.9, 0.8, 0.95], [0.4, 0.6, 0.5, 0.45])
    assert result["t"] == pytest.approx(reference.statistic, rel=1e-12)
    assert result["p (Bonferroni)"] == pytest.approx(2 * reference.pvalue, rel=1e-9)
    ax = plot_tcav_scores(
        {"up": np.array([0.9, 0.95]), "flat": np.array([0.5, 0.4])},
        np.array([0.4, 0.6, 0.5]),
        {"up": 0.01, "flat": 0.9},
    )
    bars = [c.patches[0] for c in ax.containers if hasattr(c, "patches")]
    assert len(bars) == 3
    assert matplotlib.colors.to_hex(bars[0].get_facecolor()[:3]) == "#c44e52"  # raises
    assert [t.get_text() for t in ax.get_xticklabels()][2] == "random"
    plt.close("all")


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="kind"):
        texture_images("checks", 2)
    with pytest.raises(ValueError, match="n must"):
        pink_noise_images(0)
    with pytest.raises(ValueError, match="scale"):
        random_crops([np.zeros((4, 4, 3))], 1, scale=(0.0, 1.0))
    with pytest.raises(ValueError, match="concept and random"):
        fit_cav(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="gradients"):
        directional_derivatives(np.zeros((2, 3)), CAV(np.ones(4), 1.0, 2))
    with pytest.raises(ValueError, match="n_tests"):
        tcav_ttest([0.1, 0.2], [0.3, 0.4], n_tests=0)
    with pytest.raises(ValueError, match="p_values"):
        plot_tcav_scores({"a": [0.1, 0.2]}, [0.5, 0.6], {})
    model = torch.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="layers"):
        activations_and_gradients(model, ["nope"], {"a": torch.zeros(1, 2)}, target=0)
    with pytest.raises(ValueError, match="gradients_for"):
        activations_and_gradients(
            model, [""], {"a": torch.zeros(1, 2)}, target=0, gradients_for=["b"]
        )
