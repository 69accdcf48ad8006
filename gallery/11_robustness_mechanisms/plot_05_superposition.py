"""
# Superposition in a toy model: more features than dimensions

**Catalog K5** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** synthetic

A network may represent more features than it has neurons by giving them directions
that are not orthogonal, and pay for it with interference: reading one feature picks up
a little of the others. Elhage et al. ("Toy Models of Superposition", 2022) showed when
this happens with the smallest possible model: five features squeezed into two hidden
dimensions and read back through a ReLU. When features are dense the model keeps the two
most important and drops the rest; when they are sparse (rarely active together) it packs
all five into the plane. This page trains that model at five sparsities, draws each
feature's direction in the hidden plane, counts the features kept, measures their
interference, and then lets a sparse autoencoder, which never sees the true features,
look for them in the hidden activations.
"""

# %%
# ## Train one toy model per sparsity
#
# Feature `i` is uniform on [0, 1] and present with probability `1 - S`; its importance
# is `0.9**i`. The model is `h = W x` (two dimensions), `x' = ReLU(W^T h + b)`, trained
# with Adam on freshly generated batches to minimise `sum_i I_i (x_i - x'_i)^2`. For
# each sparsity three models start from other seeds and the one with the lowest final
# loss is kept (the paper does the same: some starts end in worse local minima). The
# same call then trains the sparse autoencoder of the last cell. Training is seeded and
# deterministic; it takes some seconds, so the result is cached on disk, keyed by the
# configuration and the torch version.
import numpy as np
import torch

from mlviz.config import QUICK
from mlviz.models.toy import toy_superposition

sparsities = [0.0, 0.7, 0.9, 0.97, 0.99]
toy = toy_superposition(
    sparsities, n_features=5, n_hidden=2, steps=1000 if QUICK else 2000
)
W, b, importance = toy["W"], toy["b"], toy["importance"]  # W: (sparsity, feature, 2)
print(f"torch {torch.__version__}; W has shape {W.shape}")

# %%
# ## The loss, written out
#
# The model fits in three lines of numpy; evaluated on fresh samples it gives each
# kept model's loss, and what the model loses against reading nothing at all
# (`x' = 0`).
from mlviz.report import say

rng = np.random.default_rng(0)
n_eval = 5_000 if QUICK else 50_000
eval_loss, zero_loss = [], []
for S, W_s, b_s in zip(sparsities, W, b):
    x = rng.uniform(size=(n_eval, 5)) * (rng.uniform(size=(n_eval, 5)) >= S)
    x_hat = np.maximum(x @ W_s @ W_s.T + b_s, 0)
    eval_loss.append(np.mean(((x - x_hat) ** 2 * importance).sum(1)))
    zero_loss.append(np.mean((x**2 * importance).sum(1)))
say(
    "Loss on fresh samples, by sparsity: "
    + ", ".join(
        f"S={S}: {e:.4f} (reading nothing: {z:.4f})"
        for S, e, z in zip(sparsities, eval_loss, zero_loss)
    )
    + "."
)

# %%
# ## Feature geometry
#
# Each panel is the hidden plane of one model: an arrow per feature, its column
# `W_i`, brighter for more important features. A feature whose arrow is near zero is
# not represented; the dotted circle has radius 1.
import matplotlib.pyplot as plt

from mlviz.models.toy import plot_feature_geometry

plt.style.use("mlviz.gallery")
fig, axes = plt.subplots(1, len(sparsities), figsize=(13, 3.2))
for ax, S, W_s in zip(axes, sparsities, W):
    plot_feature_geometry(W_s, importance, ax=ax, title=f"S = {S}  (1−S = {1 - S:.2f})")
fig.suptitle("Columns of W in the 2-D hidden space (brighter = more important)")
plt.show()

# %%
# ## How many features, and how much interference
#
# A feature counts as represented when `||W_i|| > 0.5` (the norms are near 0 or near 1,
# so any cut in between gives the same count). Its interference is
# `sum_{j != i} (W_i/||W_i|| · W_j)^2`: the squared length of the other features that
# leak into its direction, zero when the represented features are orthogonal.
import pandas as pd

from mlviz.models.toy import features_represented, interference
from mlviz.report import claim

kept = np.array([features_represented(W_s) for W_s in W])
leak = np.array([interference(W_s) for W_s in W])
count = kept.sum(1)
mean_leak = np.array([lk[k].mean() for lk, k in zip(leak, kept)])
norms = np.linalg.norm(W, axis=2)
m = W.shape[2]
claim(
    ((norms < 0.25) | (norms > 0.75)).all(),
    "the norms are near 0 or near 1, so any cut in between gives the same count",
    evidence=f"norms {np.sort(norms.ravel()).round(2)}",
)
claim(
    count[0] <= m and count[-1] > m,
    "dense features: at most as many represented as dimensions; very sparse: more",
    evidence=f"counts {count} for S={sparsities}, m={m}",
)
claim(
    kept[0, : count[0]].all(),
    "at S=0 the model keeps the most important features",
    evidence=f"kept at S=0: {np.flatnonzero(kept[0])}",
)
claim(
    mean_leak[-1] > mean_leak[0],
    "packing more features than dimensions costs interference",
    evidence=f"mean interference {mean_leak.round(3)}",
)
angles = np.sort(np.degrees(np.arctan2(W[-1][:, 1], W[-1][:, 0])) % 360)
gaps = np.diff(np.r_[angles, angles[0] + 360])
say(
    "Represented features by sparsity: "
    f"{', '.join(f'S={S}: {c}' for S, c in zip(sparsities, count))} "
    f"(hidden dimensions: {m}). Mean interference of the represented features grows "
    "from "
    f"{mean_leak[0]:.3f} at S=0 to {mean_leak[-1]:.2f} at S={sparsities[-1]}, where "
    "the angles "
    f"between neighbouring features are {', '.join(f'{g:.0f}°' for g in gaps)} (a "
    "regular "
    "pentagon has 72°)."
)
pd.DataFrame(
    {
        "features represented": count,
        "mean interference": mean_leak,
        "smallest kept norm": [n[k].min() for n, k in zip(norms, kept)],
    },
    index=pd.Index(sparsities, name="sparsity S"),
).round(3)

# %%
# ## Count against sparsity
#
# The same counts as a curve, with the number of hidden dimensions as a line: above it,
# the model stores features in superposition.
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.plot(range(len(sparsities)), count, "o-", color="C0", label="features represented")
ax.axhline(m, ls="--", color="C3", label=f"hidden dimensions m = {m}")
ax.set_xticks(range(len(sparsities)), [str(s) for s in sparsities])
ax.set(
    xlabel="sparsity S (probability a feature is zero)",
    ylabel="features",
    ylim=(0, 5.5),
)
ax.legend(loc="lower right")
plt.show()

# %%
# ## Can a sparse autoencoder find the features again?
#
# The autoencoder sees only the 2-D activations `h` of the model trained at
# S = 0.99: it encodes them into a dictionary of 10 ReLU units with an L1 penalty on the
# codes and decodes them with unit-norm directions. For each true feature we take the
# best cosine between its direction `W_i` and any decoder direction. In two dimensions
# even random directions come close to any feature, so the same score is computed for
# 2,000 random dictionaries of 10 unit vectors.
from mlviz.models.toy import max_cosine

decoder = toy["decoder"]
best, which = max_cosine(W[-1], decoder)
angle = rng.uniform(0, 2 * np.pi, size=(2000, len(decoder)))
random_scores = np.array(
    [max_cosine(W[-1], np.c_[np.cos(a), np.sin(a)])[0].mean() for a in angle]
)
beats = (random_scores >= best.mean()).mean()
recovered = beats < 0.01 and len(set(which)) == len(best)
verdict = (
    "each feature has its own unit, and fewer than 1% of random dictionaries score as "
    "well: "
    "the autoencoder has found the features"
    if recovered
    else "but random dictionaries score as well often enough: in two dimensions "
    "this score cannot tell the autoencoder's directions from chance"
)
say(
    f"Mean max cosine between the true features and the decoder: **{best.mean():.3f}** "
    f"(worst feature {best.min():.3f}); random dictionaries of the same size score "
    f"{np.median(random_scores):.3f} in the median and {beats:.1%} of them reach "
    f"{best.mean():.3f}; {verdict}."
)
fig, ax = plt.subplots(figsize=(4.2, 4.2))
plot_feature_geometry(
    W[-1], importance, ax=ax, title="true features and decoder (S = 0.99)"
)
for dx, dy in decoder:
    ax.plot([0, 1.3 * dx], [0, 1.3 * dy], ls="--", lw=1, color="C3")
plt.show()

# %%
# ## How to read this figure
#
# * **Arrows are features**, as the hidden layer stores them: direction and length of
#   `W_i`. A short arrow is a dropped feature; two arrows in opposite directions are an
#   antipodal pair; five equally spaced arrows are a pentagon.
# * **Dense features (S = 0)**: two orthogonal arrows, the two most important features.
#   The others are dropped: any interference would cost more than they are worth.
# * **Sparse features**: more arrows than dimensions. Features are rarely active
#   together, so the interference, which the ReLU and a negative bias mostly filter
#   out, is paid only rarely.
# * **The dashed lines** are the sparse autoencoder's decoder directions: a unit on a
#   feature arrow points where that feature does. Whether that is better than chance is
#   what the random baseline above decides, not the eye.
#
# ## Pitfalls
#
# * **A neuron is not a feature.** In superposition each hidden dimension mixes
#   several features, so reading neurons one by one (or a probe per dimension) gives
#   polysemantic answers; that is the problem sparse autoencoders try to solve.
# * **The toy has a known answer; real networks do not.** Here the true features are
#   known and recovery can be scored; in a real network the dictionary's units must be
#   judged without ground truth, and a good reconstruction does not prove that the
#   units are the network's features.
# * **Local minima.** Single starts can end with a feature missing or a worse
#   arrangement; compare several seeds (this page keeps the lowest loss of three).
# * **Cosine scores are generous in low dimensions.** In two dimensions any handful of
#   random directions lies close to every feature; compare with a random baseline.
