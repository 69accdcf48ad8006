"""
# Convolution filters and feature maps, layer by layer

**Catalog F1** · **Question:** internals, structure · **Family:** neural network · **Phase:** after training · **Data:** MNIST

A convolution layer is a bank of small filters slid over the image; each produces a
*feature map* that is bright where the image locally resembles the filter. Looking at
the learned filters of the first layer (they act directly on pixels) and at the maps
every layer produces for one digit is the most direct way to see what a CNN computes:
edge and stroke detectors first, then sparser, more abstract maps at lower resolution.
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

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

w1 = model.conv1.weight.detach()[:, 0].numpy()
lim = np.abs(w1).max()
fig, axes = plt.subplots(2, 8, figsize=(9, 2.6))
for k, ax in enumerate(axes.flat):
    ax.imshow(w1[k], cmap="RdBu_r", vmin=-lim, vmax=lim)
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
    print(
        f"{name:>6}: {a.shape[0]} maps of {a.shape[1]}x{a.shape[2]}, {np.mean(a == 0):.0%} zeros"
    )

# %%
# ## The sixteen maps of the first block
#
# Each panel is one filter's response to the digit after the ReLU (zero is white).
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
# After pooling the resolution halves; `conv2` combines the 16 maps into 32 new ones.
# They are sparser: each responds to a part of the digit (a loop, an end, a crossing).
fig, axes = plt.subplots(4, 8, figsize=(9, 5))
for k, ax in enumerate(axes.flat):
    ax.imshow(maps["relu2"][k], cmap="magma_r")
    ax.set_title(f"relu2[{k}]", fontsize=8)
    ax.set_xticks([]), ax.set_yticks([])
plt.show()

from mlviz.report import say

silent = {
    name: int((a.reshape(len(a), -1).max(1) == 0).sum())
    for name, a in maps.items()
    if name.startswith("relu")
}
say(
    f"For this digit (a {y[0].item()}), **{np.mean(maps['relu1'] > 0):.0%}** of the relu1 values and "
    f"**{np.mean(maps['relu2'] > 0):.0%}** of the relu2 values are positive; "
    + ", ".join(f"{n} of the {len(maps[k])} {k} maps" for k, n in silent.items())
    + " are zero everywhere (the filter finds nothing of its pattern in this digit)."
)

# %%
# ## How to read this figure
#
# * A filter is a tiny template; its map is bright where the image matches it. Maps of
#   edge filters light up along one side of the strokes, maps of "ink" filters along
#   the whole stroke.
# * Deeper maps are coarser (14x14 vs 28x28) and sparser: each position summarizes a
#   larger patch of the input (receptive field 3x3 for conv1, 8x8 for conv2 here).
#
# ## Pitfalls
#
# * **Only the first layer's filters are images.** `conv2`'s kernels act on 16 feature
#   maps, not on pixels; drawing them as pictures says little (see F5 for what they
#   respond to).
# * **One digit is an anecdote.** A map that is empty here may be essential for another
#   digit; F2 averages over a class.
# * **Colour scales are per panel** for the maps: compare shapes, not intensities.
