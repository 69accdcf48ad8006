"""The interpretive sentences of pages E-H, fed the evidence of the opposite case.

A page chooses its words from its numbers ("still falling", "a plateau", "mode
collapse", "did not change a single bit"). A condition that lets every case through
would publish the same words whatever the run showed. Each test here runs a page once
(quick mode), then runs one of its cells again on the same namespace with some numbers
replaced by those of another outcome, and checks that the words change with them, or
that the page's claim fails. Numbers the pages print are checked against independent
computations in ``test_e_pages.py`` ... ``test_h_pages.py``.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlviz.report import ClaimError  # noqa: E402

from .conftest import PAGE_MARKS, page_path, run_quick  # noqa: E402

pytestmark = PAGE_MARKS


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """``pages(name)``: the namespace of the page run once in quick mode (cached)."""
    runs = {}

    def get(name):
        if name not in runs:
            folder = tmp_path_factory.mktemp(name.replace("/", "_").removesuffix(".py"))
            with pytest.MonkeyPatch.context() as mp:
                mp.chdir(folder)
                runs[name] = run_quick(name, folder)
        return runs[name]

    yield get
    plt.close("all")


def cell(name, heading):
    """The source of the page's cell whose heading (``# ## ...``) contains ``heading``."""
    cells = re.split(r"^# %%.*$", page_path(name).read_text(), flags=re.M)
    found = [c for c in cells if re.search(rf"^# #+ .*{re.escape(heading)}", c, flags=re.M)]
    assert len(found) == 1, f"{name} has {len(found)} cells headed {heading!r}"
    return found[0]


def rerun(name, heading, namespace, **replaced):
    """Run one cell of a page again on a copy of its namespace with some names replaced.

    Returns the namespace after the cell and the findings the cell said (``say``).
    Figures are closed; a failing ``claim`` raises :class:`~mlviz.report.ClaimError`.
    """
    said = []
    ns = {**namespace, **replaced, "say": said.append}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("mlviz.report.say", said.append)  # for a cell that imports say again
        mp.setattr(plt, "show", lambda *args, **kwargs: plt.close("all"))
        mp.setenv("MLVIZ_QUICK", "1")
        exec(compile(cell(name, heading), str(page_path(name)), "exec"), ns)
    return ns, said


# ---------------------------------------------------------------------------------- E1

E1 = "05_training/plot_01_training_dynamics.py"


def validation_run(means, n=1000, spread=0.27, seed=0):
    """Per-image losses whose epoch means are ``means``, with per-image noise ``spread``.

    The real full run's per-image losses change by about 0.27 (standard deviation)
    between epochs, which puts the paired standard error of a change near 0.009.
    """
    rng = np.random.default_rng(seed)
    base = rng.exponential(0.15, n)
    per_image = np.array([base + rng.normal(0, spread / np.sqrt(2), n) for _ in means])
    per_image += np.asarray(means)[:, None] - per_image.mean(axis=1, keepdims=True)
    epochs = np.arange(1, len(means) + 1)
    history = SimpleNamespace(
        epoch=epochs,
        val_loss=per_image.mean(axis=1),
        val_acc=np.full(len(means), 0.95),
        train_loss=np.geomspace(1.0, 1e-3, len(means)),
    )
    val_se = per_image.std(axis=1, ddof=1) / np.sqrt(n)
    return {"per_image": per_image, "h": history, "val_se": val_se}


def test_e1_a_plateau_is_not_still_falling(pages):
    """The issue's full run: flat since epoch 8, the last epoch lowest by 0.0002."""
    ns = pages(E1)
    means = [0.46, 0.34, 0.30, 0.22, 0.30, 0.19, 0.17, 0.148, 0.153, 0.142, 0.145, 0.1418]
    _, said = rerun(E1, "Where would early stopping stop?", ns, **validation_run(means))
    assert "lowest after epoch **12**" in said[-1]  # the last epoch is the minimum ...
    assert "**plateau**" in said[-1] and "still learning" not in said[-1]  # ... of noise
    assert "never halts" in said[-1]


def test_e1_a_fall_beyond_the_noise_is_still_learning(pages):
    ns = pages(E1)
    run = validation_run([0.40, 0.30, 0.24, 0.20, 0.17, 0.15])
    _, said = rerun(E1, "Where would early stopping stop?", ns, **run)
    assert "**still learning**" in said[-1] and "plateau" not in said[-1]


def test_e1_a_rise_beyond_the_noise_is_memorizing(pages):
    ns = pages(E1)
    run = validation_run([0.40, 0.25, 0.20, 0.23, 0.26, 0.30])
    _, said = rerun(E1, "Where would early stopping stop?", ns, **run)
    assert "**memorizes**" in said[-1] and "halts after epoch 6 and restores epoch 3" in said[-1]


def test_e1_quick_run_verdict_follows_its_own_paired_noise(pages):
    ns = pages(E1)
    per_image, window = ns["per_image"], ns["window"]
    d = per_image[-1] - per_image[-1 - window]
    se = d.std(ddof=1) / np.sqrt(len(d))
    expected = "falling" if d.mean() < -2 * se else "rising" if d.mean() > 2 * se else "flat"
    assert ns["trend"] == expected


# ---------------------------------------------------------------------------------- E2

E2 = "05_training/plot_02_weight_distributions.py"


def test_e2_shape_verdict_follows_the_weights(pages):
    ns = pages(E2)
    rng = np.random.default_rng(0)
    weights = {layer: list(w) for layer, w in ns["weights"].items()}
    size = {layer: w[-1].size for layer, w in weights.items()}
    weights["fc1"][-1] = rng.normal(0, 0.05, size["fc1"]).astype(np.float32)  # a bell
    weights["conv2"][-1] = rng.uniform(-0.1, 0.1, size["conv2"]).astype(np.float32)  # flat
    new, said = rerun(E2, "Spread of the weights over epochs", ns, weights=weights)
    assert "fc1" in new["bell"] and "conv2" in new["flat"]
    text = said[-1]
    assert re.search(r"Closer to a bell shape now: [^.]*fc1", text)
    assert re.search(r"Still closer to the uniform start: [^.]*conv2", text)


# ---------------------------------------------------------------------------------- E3

E3 = "05_training/plot_03_gradients.py"


def test_e3_a_layer_that_moved_is_not_called_frozen(pages):
    ns = pages(E3)
    sigmoid = ns["sigmoid"]
    first = ns["layers"][0]
    start = dict(sigmoid.checkpoints[0])
    end = dict(sigmoid.checkpoints[-1])
    end[f"{first}.weight"] = start[f"{first}.weight"] * 1.01  # a 1 % move
    moved_run = SimpleNamespace(
        checkpoints=[start, end],
        checkpoint_steps=sigmoid.checkpoint_steps,
        history=sigmoid.history,
        config=sigmoid.config,
    )
    _, said = rerun(E3, "During training", ns, sigmoid=moved_run)
    assert "did not change a single bit" not in said[-1]
    assert "moved by **1.0e-02**" in said[-1]


def test_e3_frozen_means_within_float32_rounding(pages):
    ns = pages(E3)
    sigmoid, first = ns["sigmoid"], ns["layers"][0]
    w0, w1 = (sigmoid.checkpoints[i][f"{first}.weight"].double() for i in (0, -1))
    relative = ((w1 - w0).norm() / w0.norm()).item()
    assert ns["frozen"] == (relative <= ns["rounding"])


def test_e3_accuracy_verdicts(pages):
    ns = pages(E3)

    def runs(sigmoid_acc, relu_acc):
        accuracies = {"sigmoid": sigmoid_acc, "relu": relu_acc}
        return {
            key: (SimpleNamespace(history=SimpleNamespace(val_acc=[a])), "", "")
            for key, a in accuracies.items()
        }

    cases = {
        (0.60, 0.90): "learns, but more slowly",
        (0.95, 0.90): "learns faster",
        (0.89, 0.90): "about as good",
        (ns["constant"], 0.90): "accuracy shows nothing learned yet",
    }
    for (s_acc, r_acc), words in cases.items():
        _, said = rerun(E3, "Did the sigmoid network learn?", ns, runs=runs(s_acc, r_acc))
        assert words in said[-1], (s_acc, r_acc, said[-1])


# ---------------------------------------------------------------------------------- E4

E4 = "05_training/plot_04_activations.py"


def test_e4_accuracy_gap_is_judged_against_its_paired_noise(pages):
    ns = pages(E4)
    gap = ns["gap"]
    se = gap.std(ddof=1) / np.sqrt(len(gap))
    words = ns["_findings"][-1]
    if gap.mean() > 2 * se:
        assert "does worse" in words
    elif gap.mean() < -2 * se:
        assert "does better" in words
    else:
        assert "at no cost this validation set can measure" in words
    # the per-image correctness reproduces the recorded accuracies (a count)
    for lr, run in ns["runs"].items():
        assert round(ns["correct"][lr].sum()) == round(run.history.val_acc[-1] * len(gap))


# ---------------------------------------------------------------------------------- F1, F4, F5, F7, F8

F1 = "06_cnn_internals/plot_01_filters_feature_maps.py"


def test_f1_background_filters_are_explained_by_their_weights_not_a_bias(pages):
    """The background filters light up because their weights sum below zero on a
    negative (standardized) background; with the weights' signs flipped the claim fails."""
    ns = pages(F1)
    heading = "The second block: 32 maps at 14x14"
    ns_after, said = rerun(F1, heading, ns)
    assert (ns_after["w_sum"][ns_after["background"]] < 0).all()
    assert ns_after["bg_level"] < 0
    n_positive_bias = int((ns_after["b1"][ns_after["background"]] > 0).sum())
    assert f"({n_positive_bias} of the {len(ns_after['background'])} biases are positive)" in said[-1]
    with pytest.raises(ClaimError):
        rerun(F1, heading, ns, w1=-ns["w1"])  # same maps, weights summing above zero


F4 = "06_cnn_internals/plot_04_saliency_smoothgrad.py"
F5 = "06_cnn_internals/plot_05_activation_maximization.py"
F8 = "06_cnn_internals/plot_08_shap_gradient.py"


def test_f4_claim_fails_when_more_noise_makes_rougher_maps(pages):
    ns = pages(F4)
    sal, smooth = ns["sal"], ns["smooth"]
    swapped = {"sal": smooth[0.25], "smooth": {0.1: smooth[0.1], 0.25: sal}}
    with pytest.raises(ClaimError):
        rerun(F4, "Saliency against SmoothGrad", ns, **swapped)
    rerun(F4, "Saliency against SmoothGrad", ns)  # the page's own maps pass


def test_f5_blank_means_what_the_eye_sees(pages):
    ns = pages(F5)
    from_blank, BLANK = ns["from_blank"], ns["BLANK"]
    from mlviz.models import MNIST_MEAN, MNIST_STD

    blank = np.zeros((1, 1, 28, 28), dtype=np.float32)  # the L2 penalty's target
    assert from_blank(blank)[0] == 0
    # the relu2[1]: a pixel spread of 0.008 of black-to-white around the blank grey
    rng = np.random.default_rng(0)
    faint = (0.008 * rng.standard_normal((1, 1, 28, 28)) / MNIST_STD).astype(np.float32)
    assert from_blank(faint)[0] < BLANK
    digit = ns["X_test"][:1].numpy()
    assert from_blank(digit)[0] > 5 * BLANK
    assert from_blank(blank + 0.5 / MNIST_STD)[0] > BLANK  # uniform, but darker than blank
    # the page's blank channels are those whose image is within BLANK of the blank grey
    grey = ns["units"][:, 0] * MNIST_STD + MNIST_MEAN
    rms = np.sqrt(((np.clip(grey, 0, 1) - MNIST_MEAN) ** 2).mean(axis=(1, 2)))
    assert ns["stuck"] == [c for c, r in zip(ns["channels"], rms) if r < BLANK]


def test_f5_a_blank_channel_is_found_whatever_its_mean(pages):
    """An exact-zero test missed a blank channel whose mean was 2e-4; this one does not."""
    ns = pages(F5)

    def rerun_with(units):
        # the page removed its forward hook at the end of the cell; the cell needs it
        live = ns["live"]
        hook = ns["model"].relu2.register_forward_hook(lambda m, i, out: live.update(out=out))
        return rerun(F5, "Did every channel move?", ns, units=units, hook=hook)[0]

    units = ns["units"].copy()
    patterned = [c for c in ns["channels"] if c not in ns["stuck"]]
    c = patterned[0]
    units[c] = 0.0  # the blank grey, whatever the channel's mean on it
    assert c in rerun_with(units)["stuck"]
    units = ns["units"].copy()
    for c in ns["stuck"]:
        units[c] = ns["X_test"][c].numpy()  # real digits: a pattern everywhere
    assert rerun_with(units)["stuck"] == []


def test_f8_claim_fails_when_the_strokes_are_blue(pages):
    ns = pages(F8)
    with pytest.raises(ClaimError):
        rerun(F8, "Draw: every class for each digit", ns, sv=-ns["sv"])


# ---------------------------------------------------------------------------------- G1, G3

G1 = "07_advanced_deep_learning/plot_01_loss_landscape.py"
G3 = "07_advanced_deep_learning/plot_03_gan_2d.py"


def test_g1_the_dip_is_judged_against_its_paired_noise(pages):
    ns = pages(G1)
    low, middle = ns["low"], ns["middle"]
    if low == middle:
        pytest.skip("the grid's lowest point is the trained weights in this run")
    dip = ns["dip"]
    real = dip.mean() > 2 * dip.std(ddof=1) / np.sqrt(len(dip))
    text = [f for f in ns["_findings"] if "lowest loss on the grid" in f][0]
    assert ("A real dip" in text) == real
    assert ("within the noise" in text) == (not real)


def gan_evidence(ns, covered, d_final):
    """Coverage evidence: ``covered`` lists the modes covered at each of the four snapshots."""
    n_modes, steps = len(ns["centers"]), ns["snapshot_steps"]
    covered_modes = dict(zip(steps, map(set, covered)))
    coverage = {
        step: {
            "covered": len(modes),
            "counts": np.array([250 if m in modes else 0 for m in range(n_modes)]),
            "high_quality": 0.9,
        }
        for step, modes in covered_modes.items()
    }
    d_at_modes = {step: np.full(n_modes, 0.5) for step in steps}
    d_at_modes[steps[-1]] = np.asarray(d_final, dtype=float)
    return {
        "coverage": coverage,
        "covered_modes": covered_modes,
        "d_at_modes": d_at_modes,
        "missed": {step: 0 for step in steps},
    }


ALL = set(range(8))


def test_g3_coverage_that_falls_is_a_collapse(pages):
    """The issue's full run: 8 of 8 modes at step 1000, 7 at step 3000, D = 0.9 there."""
    ns = pages(G3)
    d = [0.5] * 8
    d[3] = 0.9
    evidence = gan_evidence(ns, [set(), {0, 1, 2, 3}, ALL, ALL - {3}], d)
    _, said = rerun(G3, "The losses", ns, **evidence)
    assert "**Mode collapse**" in said[-1] and "unfinished fit" not in said[-1]
    assert "still calls the dropped data real" in said[-1]
    assert "8 → 7" in said[-1]


def test_g3_a_dropped_mode_the_discriminator_forgot_too(pages):
    ns = pages(G3)
    evidence = gan_evidence(ns, [set(), {0, 1, 2, 3}, ALL, ALL - {3}], [0.5] * 8)
    _, said = rerun(G3, "The losses", ns, **evidence)
    assert "**Mode collapse**" in said[-1] and "no longer calls all of it real" in said[-1]


def test_g3_coverage_still_rising_is_an_unfinished_fit(pages):
    ns = pages(G3)
    d = [0.5] * 8
    d[5] = 0.9
    evidence = gan_evidence(ns, [set(), {0, 1, 2}, {0, 1, 2, 3, 4}, ALL - {5}], d)
    _, said = rerun(G3, "The losses", ns, **evidence)
    assert "unfinished fit" in said[-1] and "Mode collapse" not in said[-1]


def test_g3_coverage_that_stalls_is_not_called_unfinished(pages):
    ns = pages(G3)
    d = [0.5] * 8
    d[5] = 0.9
    evidence = gan_evidence(ns, [set(), ALL - {5}, ALL - {5}, ALL - {5}], d)
    _, said = rerun(G3, "The losses", ns, **evidence)
    assert "has stopped rising" in said[-1] and "unfinished fit" not in said[-1]


def test_g3_full_coverage_is_no_collapse(pages):
    ns = pages(G3)
    evidence = gan_evidence(ns, [set(), {0, 1, 2, 3}, ALL, ALL], [0.45] * 8)
    _, said = rerun(G3, "The losses", ns, **evidence)
    assert "No mode collapse" in said[-1] and "not finished" not in said[-1]


# ---------------------------------------------------------------------------------- G2

G2 = "07_advanced_deep_learning/plot_02_vit_attention.py"


def test_g2_a_head_on_its_patch_only_where_there_is_ink_is_not_called_positional(pages):
    """'Carries position' needs the head to keep its favourite patch where that patch is
    empty. Fed the opposite case (the patch holds ink exactly where the head picks it),
    the same 'same top patch' share is no evidence of position, and the words change."""
    from .conftest import rerun_cell

    ns = pages(G2)
    layer, head = (v - 1 for v in ns["fixed"])
    tops = ns["attentions"][layer][:, head, 0, 1:].argmax(axis=1)
    favourite = np.bincount(tops).argmax()
    assert favourite == ns["favourite"]
    picked = tops == favourite
    if picked.all():
        pytest.skip("the head picks its favourite patch on every digit of this run")
    images = ns["images"].copy()  # the cell finds the ink patches from the images
    side = 28 // ns["grid"]
    r, c = divmod(int(favourite), ns["grid"])
    patch = images[:, r * side : (r + 1) * side, c * side : (c + 1) * side]
    patch[...] = picked[:, None, None]  # ink there exactly when the head looks there
    after, said = rerun_cell(G2, ns, "Position or content?", images=images)
    assert after["n_empty"] == (~picked).sum() and after["kept"] == 0
    assert not after["by_position"]
    text = next(t for t in said if "same top patch" in t)
    assert "carries position" not in text and "too rarely" in text
    # the page's own run: the words follow its binomial test
    own = next(t for t in ns["_findings"] if "same top patch" in t)
    assert ("carries position" in own) == ns["by_position"]


# ---------------------------------------------------------------------------------- H3

H3 = "08_interactive/plot_03_playground.py"


def test_h3_a_test_loss_that_rises_again_is_overfitting(pages):
    ns = pages(H3)
    history = {key: list(values) for key, values in ns["history"].items()}
    n = len(history["test"])
    end = history["test"][-1]
    history["test"] = list(np.linspace(end - 0.2, end - 0.2, n // 2)) + list(
        np.linspace(end - 0.2, end, n - n // 2)
    )
    _, said = rerun(H3, "The loss curves", ns, history=history)
    assert "rose again after its minimum" in said[-1]


def test_h3_verdict_follows_the_standard_errors(pages):
    ns = pages(H3)
    se = ns["se"]
    rising = ns["history"]["test"][-1] - min(ns["history"]["test"]) > 2 * se["test"]
    gap = ns["history"]["test"][-1] - ns["history"]["train"][-1]
    words = ns["_findings"][-1]
    if rising:
        assert "rose again" in words
    elif gap > 2 * np.hypot(se["train"], se["test"]):
        assert "does better on the points it trained on" in words
    else:
        assert "no sign that the network has overfitted" in words
