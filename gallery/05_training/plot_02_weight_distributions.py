"""
# Weight and bias distributions per layer over epochs

**Catalog E2** · **Question:** training, internals · **Family:** neural network · **Phase:** during training · **Data:** MNIST

TensorBoard's "histograms" tab shows, for every layer, how the distribution of its
weights changes from epoch to epoch. It answers questions the loss curve cannot: does
every layer learn, or do some stay at their initialization? Do weights grow without
bound (a sign that regularization is missing), or collapse towards zero? Are biases
drifting? This page draws the same picture for the gallery's CNN from the histograms
recorded during its (cached) training.
"""

# %%
# ## Load the recorded history
#
# `mlviz.models.train` stored, after every epoch, a histogram of each layer's weights
# and biases in fixed bins (the same bins for all epochs of a layer, so that they can be
# compared). Epoch 0 is the initialization. The network was trained on the gallery's
# split of MNIST's official 10,000-image test set.
from mlviz.models import load_mnist_cnn

cnn = load_mnist_cnn()
h = cnn.history
print("layers:", h.layers, "| histogram shape (epochs+1, bins):", h.weight_hist["conv1"].shape)

# %%
# ## Draw the distributions
#
# One column per layer. Top row: weights; bottom row: biases. Each row of a panel is
# one epoch's histogram (epoch 0, the initialization, at the top), coloured by the
# share of the layer's values in each bin: TensorBoard's "offset" histogram view,
# seen from above. Biases are few (16 to 64 per layer), so their rows are coarse.
import matplotlib.pyplot as plt
import numpy as np
plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

fig, axes = plt.subplots(2, len(h.layers), figsize=(12, 5.5), constrained_layout=True)
epoch_edges = np.arange(len(h.epoch) + 2) - 0.5
for col, layer in enumerate(h.layers):
    for row, (hist, edges, what) in enumerate(((h.weight_hist, h.weight_edges, "weights"), (h.bias_hist, h.bias_edges, "biases"))):
        ax = axes[row, col]
        share = hist[layer] / hist[layer].sum(axis=1, keepdims=True)
        mesh = ax.pcolormesh(edges[layer], epoch_edges, share, cmap="magma_r", vmin=0)
        ax.invert_yaxis()
        ax.set_title(f"{layer} {what} (n={hist[layer][0].sum():,})", fontsize=10)
        ax.tick_params(labelsize=8)
        if col == 0:
            ax.set_ylabel("epoch")
        fig.colorbar(mesh, ax=ax, pad=0.02).ax.tick_params(labelsize=7)
fig.suptitle("Weight and bias distributions of the MNIST CNN, epoch by epoch (colour: share of values per bin)")
plt.show()

# %%
# ## Spread of the weights over epochs
#
# The standard deviation of each layer's weights, relative to its value at
# initialization, summarizes how far each layer has moved.
from mlviz.report import md

fig, ax = plt.subplots(figsize=(8, 3.8))
epochs = np.arange(len(h.epoch) + 1)
for layer in h.layers:
    ax.plot(epochs, h.weight_std[layer] / h.weight_std[layer][0], "-o", ms=4, label=layer)
ax.set_xlabel("epoch (0 = initialization)")
ax.set_ylabel("weight std / std at init")
ax.legend()
ax.grid(alpha=0.3)
plt.show()
growth = {layer: h.weight_std[layer][-1] / h.weight_std[layer][0] for layer in h.layers}
most, least = max(growth, key=growth.get), min(growth, key=growth.get)
md(
    f"After {len(h.epoch)} epochs the spread of **{most}**'s weights grew most (×{growth[most]:.2f}), "
    f"**{least}**'s least (×{growth[least]:.2f}). "
    f"The output layer's biases moved from a standard deviation of {h.bias_std['fc2'][0]:.3f} to {h.bias_std['fc2'][-1]:.3f}."
)

# %%
# ## How to read this figure
#
# * PyTorch initializes each layer's weights uniformly in ±1/√fan_in: the flat band in
#   the top row (epoch 0). Training spreads them into bell-like shapes with longer tails.
# * A layer whose rows all look alike is not learning (vanishing gradients, frozen
#   layer, a learning rate too small for it).
# * Steadily widening distributions mean growing weights; weight decay would hold
#   them back.
#
# ## Pitfalls
#
# * **Histograms lose identity**: two very different weight matrices can have the same
#   histogram. Use them to spot trends, not to compare individual weights.
# * **Bins are fixed per layer** (spanning all epochs), and the y-axis is a share of
#   values: the layers have very different numbers of weights (144 in `conv1`,
#   100,352 in `fc1`).
# * **Few epochs, small network**: with 6 epochs the changes are modest; longer
#   training shows the tails growing further.
