"""
# Prototypes and criticisms (MMD-critic) of MNIST digits

**Catalog K4** · **Question:** data · **Family:** any · **Phase:** after training · **Data:** MNIST

A class is more than its average: a few real examples that together look like the
class (*prototypes*) summarize it, and the examples the prototypes describe worst
(*criticisms*) show what the summary leaves out. MMD-critic (Kim, Khanna and Koyejo,
NeurIPS 2016) picks both with one kernel: prototypes make the maximum mean discrepancy
(MMD) between them and the class small, criticisms are where the *witness function* of
that discrepancy is largest. This page runs it on held-out MNIST digits, per digit, on
the pixels; the gallery's CNN then serves as an independent judge of how typical the
chosen digits are.
"""

# %%
# ## Held-out digits, and the CNN as an outside judge
#
# The test part of the gallery's MNIST split (never seen in training). The selection
# uses the pixels only; the shared CNN's *margin* (true-class logit minus the largest
# other logit) is computed for every digit, to ask later whether criticisms are digits
# the network also finds unusual.
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import from_tensor, load_mnist_cnn, mnist_tensors

X, y = mnist_tensors("test", n=600 if QUICK else None)
y = y.numpy()
pixels = from_tensor(X).reshape(len(X), -1)  # grey levels in [0, 1], 784 per digit
model = load_mnist_cnn().model.eval()
with torch.no_grad():
    logits = model(X).numpy()
true_logit = logits[np.arange(len(y)), y]
logits[np.arange(len(y)), y] = -np.inf
margin = true_logit - logits.max(1)
print(f"{len(y)} digits, {np.bincount(y).min()}-{np.bincount(y).max()} per class")

# %%
# ## The kernel and the MMD
#
# An RBF kernel `k(x, x') = exp(-||x - x'||² / (2σ²))` on the pixels, with σ set per
# digit by the *median heuristic*: the median distance between two digits of the
# class. For the class `X = {x_1..x_n}` and prototypes `S`,
#
# `MMD²(X, S) = mean_ij k(x_i, x_j) − 2 mean_{i,s} k(x_i, x_s) + mean_{s,t} k(x_s, x_t)`,
#
# zero when the prototypes' kernel mean equals the class's. Greedy selection adds, one at
# a time, the digit that lowers MMD² the most, i.e. maximizes
# `J(S) = 2/(n|S|) Σ_{s∈S, j} k(x_s, x_j) − 1/|S|² Σ_{s,t∈S} k(x_s, x_t)`
# (`MMD² = mean(K) − J`). Written out, with `mmd2` from the helper module:
from mlviz.inspect.prototypes import median_bandwidth, mmd2, rbf_kernel

n_shown, n_curve, n_critic = 4, 10, 2  # prototypes drawn, on the curve; criticisms


def greedy_prototypes(K, m):
    chosen = []
    for _ in range(m):
        rest = [c for c in range(len(K)) if c not in chosen]
        scores = [mmd2(K, chosen + [c]) for c in rest]
        chosen.append(rest[int(np.argmin(scores))])
    return chosen


members = {d: np.flatnonzero(y == d) for d in range(10)}
kernels = {
    d: rbf_kernel(pixels[i], bandwidth=median_bandwidth(pixels[i]))
    for d, i in members.items()
}
prototypes = {d: greedy_prototypes(K, n_curve) for d, K in kernels.items()}
greedy_path = np.array(
    [
        [mmd2(K, prototypes[d][:m]) for m in range(1, n_curve + 1)]
        for d, K in kernels.items()
    ]
)

# %%
# ## Random digits as the yardstick
#
# Is the greedy choice better than any handful of digits? The same MMD² for `m` digits
# drawn at random from each class, over many draws; each draw's curve is averaged over
# the ten classes, as the greedy curve is.
n_draws = 60 if QUICK else 300
rng = np.random.default_rng(SEED)
random_path = np.zeros((n_draws, n_curve))
for r in range(n_draws):
    for d, K in kernels.items():
        order = rng.permutation(len(K))[:n_curve]
        random_path[r] += [mmd2(K, order[:m]) / 10 for m in range(1, n_curve + 1)]
greedy_mean = greedy_path.mean(0)
low, mid, high = np.percentile(random_path, [2.5, 50, 97.5], axis=0)

# %%
# ## Criticisms: where the witness function is largest
#
# The witness function compares the class's and the prototypes' kernel means at a digit:
# `witness(x) = mean_j k(x, x_j) − mean_{s∈S} k(x, x_s)`. Positive: the class is denser
# there than the prototypes (they miss it); negative: the prototypes over-represent it.
# Criticisms maximize `Σ_{c∈C} |witness(x_c)| + log det K[C, C]`, greedily, among the
# non-prototypes (Kim et al.'s regularized version; the log-determinant keeps two
# near-identical digits from both being chosen). The `n_shown` prototypes of the grid
# are the ones criticized.
from mlviz.inspect.prototypes import select_criticisms

witness, criticisms = {}, {}
for d, K in kernels.items():
    shown = prototypes[d][:n_shown]
    witness[d] = K.mean(1) - K[:, shown].mean(1)
    criticisms[d] = select_criticisms(K, shown, n_critic, regularizer="logdet")

# %%
# ## Draw the prototypes and criticisms
#
# One column per digit: the first four rows are the prototypes in the order chosen
# (blue frames), the last two the criticisms (red frames), each titled with its witness.
import matplotlib.pyplot as plt

from mlviz.plotting import plot_image_grid

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz
images, titles, frames = [], [], []
for row in range(n_shown + n_critic):
    for d in range(10):
        local = prototypes[d][row] if row < n_shown else criticisms[d][row - n_shown]
        images.append(
            np.repeat(1 - pixels[members[d][local]].reshape(28, 28, 1), 3, axis=2)
        )
        titles.append(f"{d}" if row < n_shown else f"w {witness[d][local]:+.3f}")
        frames.append("C0" if row < n_shown else "C3")
axes = plot_image_grid(images, titles=titles, ncols=10, panel_size=1.1, fontsize=8)
for ax, colour in zip(axes.flat, frames):
    for spine in ax.spines.values():
        spine.set(color=colour, linewidth=2.5, visible=True)
axes[0, 0].figure.suptitle("Prototypes (blue, rows 1-4) and criticisms (red, rows 5-6)")
plt.show()

# %%
# ## MMD² as prototypes are added
#
# The greedy curve against the median and 95% band of random digits.
fig, ax = plt.subplots(figsize=(7, 4.5))
m = np.arange(1, n_curve + 1)
ax.fill_between(
    m, low, high, color="C7", alpha=0.35, label=f"random digits, 95% of {n_draws} draws"
)
ax.plot(m, mid, color="C7", ls="--", label="random digits, median")
ax.plot(m, greedy_mean, "o-", color="C0", label="greedy prototypes")
ax.set(
    xlabel="prototypes per digit",
    ylabel="MMD² to the class (mean of 10 digits)",
    yscale="log",
)
ax.legend()
plt.show()

from mlviz.report import claim, rounding_tolerance, say

steps = np.diff(greedy_mean)
tol = rounding_tolerance(
    "float64", scale=4.0, n_terms=max(len(K) ** 2 for K in kernels.values())
)
rises = int((np.diff(greedy_path, axis=1) > tol).sum())
say(
    f"With {n_shown} prototypes the class-averaged MMD² is "
    f"**{greedy_mean[n_shown - 1]:.4f}**; "
    f"{n_shown} random digits give {mid[n_shown - 1]:.4f} (95% of draws in "
    f"{low[n_shown - 1]:.4f}-{high[n_shown - 1]:.4f}). {n_curve} prototypes reach "
    f"{greedy_mean[-1]:.4f} ({n_curve} random digits: {mid[-1]:.4f}). Greedy "
    f"selection is not guaranteed to be monotone: {rises} of the {steps.size * 10} "
    "single-class steps raised MMD²."
)
claim(
    (steps < -tol).all(),
    "averaged over the ten digits, every added prototype lowers MMD²",
    evidence=f"largest step {steps.max():.2e}, tolerance {tol:.1e}",
)
claim(
    (greedy_mean < low).all(),
    "at every size the greedy prototypes beat 97.5% of random draws",
    evidence=f"greedy {np.round(greedy_mean, 4)}, random 2.5% {np.round(low, 4)}",
)

# %%
# ## Are criticisms unusual digits? An independent check
#
# The CNN never entered the selection, so its margin can judge it. For each digit we
# take its percentile of margin within its class (0: the least confident of the class);
# the mean over the criticisms is compared with the same mean for two non-prototype
# digits drawn at random per class, many times. The sign of the witness says which
# kind of criticism was chosen.
import pandas as pd

rank = np.empty(len(y))
for d, i in members.items():
    rank[i] = (margin[i][None, :] < margin[i][:, None]).mean(1)
critic_rank = np.mean([rank[members[d][c]] for d in range(10) for c in criticisms[d]])
draws = np.zeros(2000 if QUICK else 10000)
for d, i in members.items():
    pool = np.setdiff1d(np.arange(len(i)), prototypes[d][:n_shown])
    picks = np.array([rng.choice(pool, n_critic, replace=False) for _ in draws])
    draws += rank[i][picks].mean(1) / 10
r_low, r_high = np.percentile(draws, [2.5, 97.5])
negative = sum((witness[d][criticisms[d]] < 0).sum() for d in range(10))
verdict = (
    "less typical than random digits"
    if critic_rank < r_low
    else "more typical than random digits"
    if critic_rank > r_high
    else "no less typical than random digits"
)
say(
    f"Criticisms sit at the **{critic_rank:.0%}** margin percentile of their class on "
    f"average; random digits at {r_low:.0%}-{r_high:.0%} (95% of draws): by the CNN's "
    f"judgement they are **{verdict}**. **{negative} of the {10 * n_critic}** "
    "criticisms have a negative witness (places the prototypes over-represent), the "
    "others a positive one (variants the prototypes miss)."
)
pd.DataFrame(
    {
        "digit": np.repeat(np.arange(10), n_critic),
        "witness": [witness[d][c] for d in range(10) for c in criticisms[d]],
        "margin percentile": [
            rank[members[d][c]] for d in range(10) for c in criticisms[d]
        ],
    }
).round(3)

# %%
# ## How to read this figure
#
# * **Prototypes** (blue) are the digits a reader would show to describe each class:
#   the first is the most central, later ones add the common variants (slant, stroke
#   width, an open or closed loop). The curve shows how much better they do than random
#   digits; the band is the spread of random choices.
# * **Criticisms** (red) are the digits where the kernel densities of the class and of
#   the four prototypes differ most. With few prototypes, many such places are next to a
#   prototype (negative witness), which the prototypes over-represent; a positive
#   witness marks a variant the prototypes miss (the count is above).
# * "Unusual" is a separate question: the table gives each criticism's margin
#   percentile under the CNN, and the verdict above compares their mean with random
#   digits.
#
# ## Pitfalls
#
# * **Criticisms are not outliers.** Kim et al. define them by the witness function,
#   which is small for isolated digits (both kernel means vanish there); an outlier
#   detector answers another question, as the CNN check shows.
# * **The kernel decides everything.** The bandwidth (here the median heuristic) and
#   the space (pixels here, not the CNN's features) set what "similar" means; another
#   bandwidth gives other prototypes and, above all, other criticisms.
# * **Without the diversity term**, the largest |witness| values can cluster around one
#   prototype, and the criticisms of a class then look alike.
# * **Per class or on the whole set**: run on all digits at once, the number of
#   prototypes per class follows the class's spread, and a class may get none.
