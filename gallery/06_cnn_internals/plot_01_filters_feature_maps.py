"""
# Convolution filters and feature maps, layer by layer

**Catalog F1** · **Question:** internals, structure · **Family:** neural network · **Phase:** after training · **Data:** MNIST

A convolution layer is a bank of small filters slid over the image; each produces a
*feature map* that is bright where the image locally resembles the filter. Looking at
the learned filters of the first layer (they act directly on pixels) and at the maps
every layer produces for one digit is the most direct way to see what a CNN computes:
edge, stroke and background detectors first, then more abstract maps at lower
resolution.
"""

# %%
# ## The network and one digit
#
# The gallery's shared CNN (`conv1` 16 filters 3x3 → pool → `conv2` 32 filters 3x3 →
# pool → dense) and one digit from the test part of the gallery's split of MNIST's
# official 10,000-image test set.
import numpy as np
import torch

from mlviz.models import from_tensor, load_mnist_cnn, mnist_tensors

model = load_mnist_cnn().model
X, y = mnist_tensors("test", n=200)
x = X[:1]
image = from_tensor(x)[0]
print("digit:", y[0].item())

# %%
# ## The first layer's filters
#
# `conv1.weight` has shape (16, 1, 3, 3): sixteen 3x3 kernels on the grey level. Red
# weights add the pixel under them, blue subtract it, so a filter with red on one side
# and blue on the other is an edge detector of that orientation.
import matplotlib.pyplot as plt

from mlviz.plotting import DIVERGING

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

w1 = model.conv1.weight.detach()[:, 0].numpy()
lim = np.abs(w1).max()
fig, axes = plt.subplots(2, 8, figsize=(9, 2.6))
for k, ax in enumerate(axes.flat):
    ax.imshow(w1[k], cmap=DIVERGING, vmin=-lim, vmax=lim)
    ax.set_title(f"filter {k}", fontsize=8)
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("conv1 filters (3x3, shared colour scale: red > 0 > blue)")
plt.show()

# %%
# ## Feature maps: record every layer's output with forward hooks
#
# `ActivationsAndGradients` (from `mlviz.attribution`) registers a forward hook on each
# layer and keeps its output; `release()` removes the hooks afterwards.
from mlviz.attribution import ActivationsAndGradients

layers = {
    "relu1": model.relu1,
    "pool1": model.pool1,
    "relu2": model.relu2,
    "pool2": model.pool2,
}
with torch.no_grad(), ActivationsAndGradients(model, list(layers.values())) as recorder:
    recorder(x)
maps = {name: a[0].numpy() for name, a in zip(layers, recorder.activations)}
for name, a in maps.items():
    shape = f"{a.shape[0]} maps of {a.shape[1]}x{a.shape[2]}"
    print(f"{name:>6}: {shape}, {np.mean(a == 0):.0%} zeros")

# %%
# ## The sixteen maps of the first block
#
# Each panel is one filter's response to the digit after the ReLU (zero is the palest
# colour; each panel has its own scale).
fig, axes = plt.subplots(2, 9, figsize=(10, 2.8))
axes[0, 0].imshow(image, cmap="gray_r")
axes[0, 0].set_title("input", fontsize=8)
axes[1, 0].axis("off")
for k in range(16):
    ax = axes.flat[k + 1 + (k >= 8)]
    ax.imshow(maps["relu1"][k], cmap="magma_r")
    ax.set_title(f"relu1[{k}]", fontsize=8)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
plt.show()

# %%
# ## The second block: 32 maps at 14x14
#
# After pooling the resolution halves; `conv2` combines the 16 maps into 32 new ones,
# each responding to some parts of the digit's strokes and not to others.
fig, axes = plt.subplots(4, 8, figsize=(9, 5))
for k, ax in enumerate(axes.flat):
    ax.imshow(maps["relu2"][k], cmap="magma_r")
    ax.set_title(f"relu2[{k}]", fontsize=8)
    ax.set_xticks([]), ax.set_yticks([])
plt.show()

from mlviz.report import claim, say

# Which maps are silent for this digit, and are they silent for every digit?
names = ["relu1", "relu2"]
with torch.no_grad(), ActivationsAndGradients(model, [model.relu1, model.relu2]) as rec:
    rec(X)  # all 200 test digits
peak = {n: a.amax(dim=(0, 2, 3)).numpy() for n, a in zip(names, rec.activations)}
silent = {n: np.flatnonzero(maps[n].max(axis=(1, 2)) == 0) for n in names}
dead = {n: np.flatnonzero(peak[n] == 0) for n in names}
ink = image > 0.3
background = [k for k, m in enumerate(maps["relu1"]) if np.mean(m[~ink] > 0) > 0.5]
claim(len(background) > 0, "some first-layer filters detect the background")
# Why: the input is standardized, so the empty background is negative, not zero
b1 = model.conv1.bias.detach().numpy()
w_sum = w1.sum(axis=(1, 2))
bg_level = x.min().item()  # the standardized grey level of a white pixel
claim(
    (w_sum[background] * bg_level > 0).all(),
    "the background filters have weights summing below zero, on a negative background",
    evidence=f"weight sums {w_sum[background]}, background {bg_level:.2f}",
)
positive = {n: np.mean(maps[n] > 0) for n in names}


def silent_words(n):
    found = f"{n} maps zero everywhere: {len(silent[n])} of {len(maps[n])}"
    if not len(silent[n]):
        return found + "."
    return (
        f"{found} ({', '.join(f'{n}[{k}]' for k in silent[n])}), and "
        f"{len(dead[n])} of them zero on all {len(X)} test digits"
        + (
            (": a **dead channel**" if len(dead[n]) == 1 else ": **dead channels**")
            + " (zero for every digit), not a pattern this digit lacks."
            if len(dead[n])
            else ": they fire on other digits."
        )
    )


say(
    f"For this digit (a {y[0].item()}), **{positive['relu1']:.0%}** of the relu1 "
    f"values and **{positive['relu2']:.0%}** of the relu2 values are positive: the "
    "second block is "
    + ("sparser" if positive["relu2"] < positive["relu1"] else "not sparser")
    + " here. "
    + " ".join(silent_words(n) for n in names)
    + f" {len(background)} relu1 maps ("
    + ", ".join(f"relu1[{k}]" for k in background)
    + ") are positive on most of the empty background: filters that fire where "
    f"there is no stroke. Their weights sum to {w_sum[background].max():.2f} or "
    f"less and the standardized background is {bg_level:.2f}, so the weights alone "
    "make them positive there, whatever the sign of their bias "
    f"({np.sum(b1[background] > 0)} of the {len(background)} biases are positive)."
)

# %%
# ## How to read this figure
#
# * A filter is a tiny template; its map is strong where the image matches it. Maps of
#   edge filters light up along one side of the strokes, maps of "ink" filters along
#   the whole stroke, and a filter whose weights sum below zero lights up the
#   background: the input is standardized, so an empty pixel is negative (above).
# * Deeper maps are coarser (14x14 vs 28x28): each position summarizes a larger patch
#   of the input (receptive field 3x3 for conv1, 8x8 for conv2 here).
#
# ## Pitfalls
#
# * **Only the first layer's filters are images.** `conv2`'s kernels act on 16 feature
#   maps, not on pixels; drawing them as pictures says little (see F5 for what they
#   respond to).
# * **One digit is an anecdote.** A map that is empty here may be essential for another
#   digit; F2 averages over a class.
# * **Colour scales are per panel** for the maps: compare shapes, not intensities.
