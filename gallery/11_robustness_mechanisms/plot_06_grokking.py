"""
# Grokking: a network that generalizes long after it memorizes

**Catalog K6** · **Question:** training, internals · **Family:** neural network · **Phase:** during training · **Data:** synthetic

Train a small network on `(a + b) mod p` with a fraction of all pairs, and it can fit
them within a few dozen steps while getting almost every held-out pair wrong; keep
training with strong weight decay and, many steps later, the test accuracy may jump to
100%. Power et al. (2022) called this grokking; Nanda et al. (2023) opened such a
network (a one-layer transformer) and found that it computes with a few waves
`cos(2π k a / p)`: its embedding is sparse in the Fourier basis of `Z_p`. This page
trains a one-hidden-layer MLP, draws its train and test curves with the step at which
each reaches 99%, the weight norm over training, and the Fourier spectrum of its
embedding at memorization and at the end, and tests whether the network actually relies
on those few frequencies.
"""

# %%
# ## Train the network
#
# Each operand is looked up in one learned embedding `E` (`p` rows of 64 numbers, shared
# by `a` and `b`); the two rows are concatenated, go through 128 ReLU units and out to
# `p` logits, one per answer. Training is full-batch AdamW (learning rate 0.01, betas
# 0.9 and 0.98) with weight decay 1.0 on a fixed random 30% of the `p²` pairs (50% in
# quick mode, with a smaller modulus); the rest are the test set. Every 10 steps the
# losses, accuracies, the norm of all weights and a copy of `E` are logged. Training is
# seeded and deterministic on the CPU and cached, keyed by the configuration.
import numpy as np

from mlviz.config import QUICK
from mlviz.models.grokking import train_modular_addition

p, train_fraction, steps = (59, 0.5, 1000) if QUICK else (97, 0.3, 2000)
run = train_modular_addition(
    p,
    train_fraction=train_fraction,
    d_embed=64,
    d_hidden=128,
    steps=steps,
    lr=1e-2,
    weight_decay=1.0,
    log_every=10,
    seed=0,
)
history = run.history
n_train, n_test = len(run.train_index), len(run.test_index)
print(f"p = {p}: {n_train} training pairs, {n_test} test pairs, {steps} steps")
history.iloc[:: len(history) // 10].round(4)

# %%
# ## When does it memorize, and when does it generalize?
#
# The **memorization step** is the first logged step at which the training accuracy
# reaches 99%; the **generalization step** the first at which the test accuracy does.
# Whether the network "gets most test pairs wrong" at a step is read from the 95%
# Wilson interval of its test accuracy (all of it below 50%).
from scipy.stats import binomtest

from mlviz.models.grokking import first_step_at
from mlviz.report import claim, say


def most_wrong(accuracy, n):
    """Whether the 95% Wilson interval of an accuracy on n pairs lies below 50%."""
    right = round(accuracy * n)
    return binomtest(right, n).proportion_ci(method="wilson").high < 0.5


memorized = first_step_at(history, "train_acc", 0.99)
generalized = first_step_at(history, "test_acc", 0.99)
at = history.set_index("step")
half = first_step_at(history, "test_acc", 0.5)
claim(
    generalized is not None and (at.test_acc.loc[generalized:] >= 0.99).all(),
    "it generalizes and stays generalized to the last step",
    evidence=f"generalization step {generalized}, last {at.test_acc.iloc[-1]:.3f}",
)
claim(
    most_wrong(at.test_acc[memorized], n_test),
    "at the memorization step it gets most test pairs wrong",
    evidence=f"test accuracy {at.test_acc[memorized]:.3f} on {n_test} pairs",
)
claim(
    at.test_loss[memorized] > np.log(p),
    "its test loss is then worse than a uniform guess's",
    evidence=f"{at.test_loss[memorized]:.2f} against log p = {np.log(p):.2f}",
)
claim(
    (at.train_acc.loc[memorized:] >= 0.99).all() and half - memorized > 10,
    "after memorizing it keeps its training accuracy through a plateau of many steps",
    evidence=f"memorized {memorized}, test accuracy 50% at {half}",
)
say(
    f"The network reaches 99% training accuracy at step **{memorized}**, when it "
    f"gets {at.test_acc[memorized]:.1%} of the test pairs right (chance: {1 / p:.1%}). "
    f"Its test accuracy reaches 50% only at step {half} and 99% at step "
    f"**{generalized}**, {generalized - memorized} steps "
    f"({generalized / memorized:.0f} times as many) after it memorized."
)

# %%
# ## The weight norm
#
# Weight decay shrinks every weight by 1% (learning rate × decay) at each step; the
# loss gradient pushes back only where the fit needs large weights. The norm of all
# parameters together is logged with the curves.
peak = int(history.step[history.weight_norm.idxmax()])
fall = 1 - at.weight_norm.iloc[-1] / at.weight_norm[peak]
claim(
    at.weight_norm[memorized] > at.weight_norm[0]
    and peak < generalized
    and most_wrong(at.test_acc[peak], n_test)
    and fall > 0,
    "the norm grows, peaks while most test pairs are still wrong, then falls",
    evidence=f"peak {peak}, test accuracy there {at.test_acc[peak]:.3f}, fall {fall}",
)
say(
    f"The weight norm grows from {at.weight_norm[0]:.1f} to "
    f"**{at.weight_norm[peak]:.1f}** at step {peak} (test accuracy "
    f"{at.test_acc[peak]:.1%}), then falls by **{fall:.0%}** to "
    f"{at.weight_norm.iloc[-1]:.1f} at the last step, while the test accuracy rises."
)

# %%
# ## Draw the curves
#
# Steps on a log scale, so that the few dozen steps of memorization and the hundreds
# of the plateau both show; the dashed lines mark the memorization (blue) and
# generalization (orange) steps.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")
shown = history[history.step > 0]
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
for split, colour in (("train", "C0"), ("test", "C1")):
    axes[0].plot(shown.step, shown[f"{split}_acc"], color=colour, label=split)
    axes[1].plot(shown.step, shown[f"{split}_loss"], color=colour, label=split)
axes[2].plot(shown.step, shown.weight_norm, color="C2")
titles = ("accuracy", "cross-entropy loss", "norm of all weights")
for ax, title in zip(axes, titles):
    ax.axvline(memorized, ls="--", color="C0", lw=1)
    ax.axvline(generalized, ls="--", color="C1", lw=1)
    ax.set(xscale="log", xlabel="training step", title=title)
axes[1].set_yscale("log")
axes[0].legend(loc="center left")
plt.show()

# %%
# ## The embedding in the Fourier basis of Z_p
#
# The Fourier basis of `Z_p` has a constant and, for each frequency `k = 1 .. (p-1)/2`,
# the waves `cos(2π k x / p)` and `sin(2π k x / p)`, scaled to unit length. Written in
# this basis, the embedding's norm splits over the frequencies. The **key frequencies**
# are those whose squared norm is above the mean over all frequencies; a spread
# spectrum puts about half there, a sparse one only its few large ones. Their share of
# the squared norm is compared with the same number of largest frequencies at the
# memorization step and in 500 random Gaussian matrices of the same shape.
from mlviz.models.grokking import fourier_basis, key_frequencies, top_share

basis, frequency = fourier_basis(p)  # rows: constant, cos 1, sin 1, cos 2, ...


def spectrum(E):
    """The norm of E's component at each frequency (0: the constant)."""
    return np.sqrt(np.bincount(frequency, weights=((basis @ E) ** 2).sum(1)))


norms = np.array([spectrum(E) for E in run.embeddings])
final, at_memorized = norms[-1], norms[list(history.step).index(memorized)]
key = key_frequencies(final)
k = len(key)
rng = np.random.default_rng(0)
shape = run.embeddings.shape[1:]
random_share = np.array(
    [top_share(spectrum(rng.normal(size=shape)), k) for _ in range(500)]
)
share_final, share_memorized = top_share(final, k), top_share(at_memorized, k)
claim(
    share_final > max(0.5, random_share.max(), share_memorized),
    "the final key frequencies carry most of the norm, more than random's",
    evidence=f"{share_final:.3f} vs random max {random_share.max():.3f}",
)
claim(
    share_final - share_memorized > share_memorized - np.median(random_share),
    "at memorization the spectrum is closer to a random matrix's than to the end's",
    evidence=f"final {share_final:.3f}, memorized {share_memorized:.3f}, random "
    f"median {np.median(random_share):.3f}",
)
say(
    f"At the last step **{k}** of the {(p - 1) // 2} frequencies are key "
    f"({', '.join(map(str, sorted(key)))}); they carry **{share_final:.0%}** of "
    f"the embedding's squared norm. At the memorization step the {k} largest carry "
    f"{share_memorized:.0%}, and in random matrices {np.median(random_share):.0%} "
    f"in the median ({random_share.max():.0%} at most of 500)."
)

# %%
# ## Draw the spectra
#
# One bar per frequency, at the memorization step and at the end, on the same scale;
# the final key frequencies in red.
fig, axes = plt.subplots(1, 2, figsize=(13, 3.6), sharey=True)
colours = np.where(np.isin(np.arange(1, len(final)), key), "C3", "C7")
for ax, spec, title in (
    (axes[0], at_memorized, f"memorization (step {memorized})"),
    (axes[1], final, f"last step ({steps})"),
):
    ax.bar(np.arange(1, len(spec)), spec[1:], color=colours)
    ax.set(xlabel="frequency k", title=f"embedding norm per frequency, {title}")
axes[0].set_ylabel("norm of E's component")
plt.show()

# %%
# ## The Fourier structure builds up during the plateau
#
# The share of the embedding's squared norm on the final key frequencies, logged over
# training, against the test accuracy. The grey band is the range of the `k` largest
# frequencies' share in the random matrices: a fixed set of `k` frequencies is above it
# only if the embedding favours them.
share = (norms[:, key] ** 2).sum(1) / (norms**2).sum(1)
above = history.step[share > random_share.max()]
leaves = int(above.iloc[0])
claim(
    leaves < generalized and most_wrong(at.test_acc[leaves], n_test),
    "the key frequencies stand out while most test pairs are still wrong",
    evidence=f"step {leaves}, test accuracy {at.test_acc[leaves]:.3f}",
)
say(
    f"The key frequencies' share leaves the random range at step **{leaves}**, when "
    f"the test accuracy is {at.test_acc[leaves]:.1%}, and reaches "
    f"{share[-1]:.0%} at the end."
)
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.axhspan(
    random_share.min(), random_share.max(), color="C7", alpha=0.3, label="random"
)
ax.plot(shown.step, share[1:], color="C3", lw=2, label="share on key frequencies")
ax.plot(shown.step, shown.test_acc, "--", color="C1", label="test accuracy")
ax.axvline(leaves, ls=":", color="C3", lw=1, label="leaves the random range")
ax.set(xscale="log", xlabel="training step", ylim=(0, 1.02))
ax.legend(loc="upper left")
plt.show()

# %%
# ## Does the network use those frequencies?
#
# Nanda et al.'s two ablations, on the logits over all `p²` pairs. Each logit, as a
# function of `(a, b)`, is split into its components along `cos(2π k (a+b) / p)` and
# `sin(2π k (a+b) / p)` for a set of frequencies and the rest. **Restricted**: keep
# only those components (and each logit's mean) and score the test pairs.
# **Excluded**: remove them and score the training pairs. Done with the key
# frequencies and, as a control, with as many other frequencies drawn at random.
import pandas as pd

from mlviz.models.grokking import restricted_excluded_loss

others = rng.choice(np.setdiff1d(np.arange(1, len(final)), key), k, replace=False)
ablation = {
    "key": restricted_excluded_loss(run, key),
    "others": restricted_excluded_loss(run, others),
}
kept, cut = ablation["key"], ablation["others"]
claim(
    kept["restricted_acc"] >= kept["full_acc"]
    and most_wrong(kept["excluded_acc"], n_train),
    "the key frequencies alone classify the test pairs; without them it fails",
    evidence=f"{kept}",
)
claim(
    most_wrong(cut["restricted_acc"], n_test)
    and cut["excluded_acc"] >= at.train_acc.iloc[-1],
    "as many other frequencies carry nothing the network needs",
    evidence=f"{cut}",
)
say(
    f"Keeping only the {k} key frequencies' (a+b)-components of the logits, the test "
    f"accuracy is **{kept['restricted_acc']:.1%}** (the network: "
    f"{kept['full_acc']:.1%}); removing them, the network gets "
    f"**{kept['excluded_acc']:.1%}** of its own training pairs right. With {k} other "
    f"frequencies: {cut['restricted_acc']:.1%} and {cut['excluded_acc']:.1%}."
)
pd.DataFrame(ablation).T.round(4)

# %%
# ## How to read this figure
#
# * **Accuracy and loss**: the training curve (blue) reaches 99% within a few dozen
#   steps while the test curve (orange) stays low and its loss climbs above a
#   uniform guess's (`log p`): the network has memorized. Many steps later (the
#   finding above counts them), with no change in the data or the learning rate,
#   the test curve passes 99%.
# * **Weight norm**: it grows while the network memorizes, peaks while most test
#   pairs are still wrong, and falls through the jump. Weight decay favours solutions
#   with smaller weights; this page does not train without it, so it shows the fall
#   alongside generalization, not that the fall causes it (Power et al. found weight
#   decay the most helpful of the interventions they tried).
# * **Spectra**: at memorization the norm is spread over all frequencies like a random
#   matrix's; at the end a few frequencies (red) carry most of it.
# * **Share over training**: the structure grows while most test pairs are still
#   wrong: progress that the test curve does not show (Nanda et al.'s point).
# * **Ablations**: the network's answers live in the key frequencies' `(a+b)` waves.
#   That is consistent with the trigonometric algorithm Nanda et al. found in a
#   transformer, but this page does not show that this MLP computes it step by step.
#
# ## Pitfalls
#
# * **A sudden jump in the test curve is not a sudden change inside.** Nanda et al.
#   (2023) found the Fourier circuit forming gradually during the plateau, and the
#   jump coming when the memorizing components are cleaned away; here the key
#   frequencies stand out while the test accuracy is still near zero. Track a measure
#   of the mechanism, not only the test accuracy, before calling a change abrupt.
# * **Grokking depends on the settings.** Training fraction, weight decay, learning
#   rate and width decide whether and when it happens; with more data the two phases
#   merge, with too little or without decay the jump may not come within any budget.
#   Liu et al. (2023, "Omnigrok") tie the delay to the weight norm: held at a
#   suitable, smaller norm from the start, the network generalizes with little delay. The generalization step is
#   a property of one run, not of the task.
# * **Sparse in the Fourier basis is measured, not seen.** A bar chart with a few
#   tall bars can come from chance in small matrices; compare the share with random
#   matrices and with the memorizing network, as above.
# * **Which frequencies are key means nothing in itself.** Multiplying every input by
#   a constant `c` (`x -> c x mod p`) turns the task into itself and frequency `k`
#   into `± c k mod p`: no frequency is better than another; only how many there are
#   and how much of the norm they carry count.
# * **The definition of the steps changes the gap.** "99% accuracy" is one choice; a
#   different level or log interval moves both steps (the log here is every 10 steps).
