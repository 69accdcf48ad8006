"""
# Weight and bias distributions per layer over epochs

**Catalog E2** · **Question:** training, internals · **Family:** neural network · **Phase:** during training · **Data:** MNIST

TensorBoard's "histograms" tab shows, for every layer, how the distribution of its
weights changes from epoch to epoch. It answers questions the loss curve cannot: does
every layer learn, or do some stay at their initialization? Do weights grow without
bound (a sign that regularization is missing), or collapse towards zero? Are biases
drifting? This page records the weights of the gallery's CNN after every epoch of its
(cached) training and draws the same picture.
"""

# %%
# ## Train the CNN, keeping a copy of its weights
#
# `mlviz.models.train` trains the gallery's CNN once per build and caches it. With
# `checkpoints=3` it also keeps copies of the weights (the model's `state_dict`) at
# initialization and three times per epoch (the loss-landscape page uses the same run
# in the full build, so it is trained once for both). Here we only need
# `epoch_checkpoints`: the copy at initialization (epoch 0) and the one at the end of
# each epoch. The network is trained on the gallery's split of MNIST's official
# 10,000-image test set.
from mlviz.models import mnist_cnn_config, train

run = train(mnist_cnn_config().replace(checkpoints=3))
model, states = run.model, run.epoch_checkpoints
layers = ["conv1", "conv2", "fc1", "fc2"]  # the layers with weights, input to output
print(f"{len(states)} states (initialization + {len(states) - 1} epochs)")

# %%
# ## Record the weights and biases of every epoch
#
# In your own training loop you would do this at the end of each epoch; here we load
# each epoch's weights in turn. `clone()` matters: the optimizer (and
# `load_state_dict`) overwrite the parameters in place, so a plain reference would
# show the last epoch's values everywhere. Each layer's values are then counted in 40
# bins that span all its epochs, so that the epochs can be compared bin by bin.
import numpy as np

weights = {layer: [] for layer in layers}
biases = {layer: [] for layer in layers}
for state in states:
    model.load_state_dict(state)
    for layer in layers:
        module = model.get_submodule(layer)
        weights[layer].append(module.weight.detach().clone().numpy().ravel())
        biases[layer].append(module.bias.detach().clone().numpy())
# the loop ends on the last epoch's weights: the trained model, as it was


def histograms(values, n_bins=40):
    """Count each epoch's values in one set of bins spanning all epochs."""
    lo, hi = min(v.min() for v in values), max(v.max() for v in values)
    edges = np.linspace(lo, hi, n_bins + 1)
    return np.stack([np.histogram(v, bins=edges)[0] for v in values]), edges


weight_hist = {layer: histograms(weights[layer]) for layer in layers}
bias_hist = {layer: histograms(biases[layer]) for layer in layers}
print("histogram shape (epochs + 1, bins):", weight_hist["conv1"][0].shape)

# %%
# ## Draw the distributions
#
# One column per layer. Top row: weights; bottom row: biases. Each row of a panel is
# one epoch's histogram (epoch 0, the initialization, at the top), coloured by the
# share of the layer's values in each bin: TensorBoard's "offset" histogram view,
# seen from above. Biases are few (10 to 64 per layer), so their rows are coarse.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

fig, axes = plt.subplots(2, len(layers), figsize=(12, 5.5), constrained_layout=True)
epoch_edges = np.arange(len(states) + 1) - 0.5
for row, (hists, what) in enumerate(((weight_hist, "weights"), (bias_hist, "biases"))):
    for col, layer in enumerate(layers):
        counts, edges = hists[layer]
        ax = axes[row, col]
        share = counts / counts.sum(axis=1, keepdims=True)
        mesh = ax.pcolormesh(edges, epoch_edges, share, cmap="magma_r", vmin=0)
        ax.set_yticks(range(len(states)))
        ax.invert_yaxis()
        ax.set_title(f"{layer} {what} (n={counts[0].sum():,})", fontsize=10)
        ax.tick_params(labelsize=8)
        if col == 0:
            ax.set_ylabel("epoch")
        fig.colorbar(mesh, ax=ax, pad=0.02).ax.tick_params(labelsize=7)
fig.suptitle(
    "Weight and bias distributions of the MNIST CNN, epoch by epoch "
    "(colour: share of values per bin)"
)
plt.show()

# %%
# ## Spread of the weights over epochs
#
# The standard deviation of each layer's weights, relative to its value at
# initialization, summarizes how far each layer has moved; the excess kurtosis
# summarizes the shape (-1.2 for a uniform distribution, 0 for a Gaussian, above 0
# for a peak with heavier tails). Its standard error comes from a bootstrap: the
# kurtosis of 200 resamples (with replacement) of the layer's weights.
from scipy.stats import kurtosis

from mlviz.config import SEED
from mlviz.report import say

weight_std = {layer: np.array([w.std() for w in weights[layer]]) for layer in layers}
fig, ax = plt.subplots(figsize=(8, 3.8))
epochs = np.arange(len(states))
for layer in layers:
    ax.plot(epochs, weight_std[layer] / weight_std[layer][0], "-o", ms=4, label=layer)
ax.set_xlabel("epoch (0 = initialization)")
ax.set_ylabel("weight std / std at init")
ax.legend()
ax.grid(alpha=0.3)
plt.show()
growth = {layer: weight_std[layer][-1] / weight_std[layer][0] for layer in layers}
most, least = max(growth, key=growth.get), min(growth, key=growth.get)
bias_std = [b.std() for b in biases["fc2"]]
shape = {layer: (kurtosis(w[0]), kurtosis(w[-1])) for layer, w in weights.items()}
# A kurtosis estimated from a few hundred weights is noisy: its bootstrap standard
# error says whether a layer lies clearly on one side of -0.6 (halfway from -1.2 to 0).
rng = np.random.default_rng(SEED)
shape_se = {
    layer: np.std([kurtosis(rng.choice(w[-1], w[-1].size)) for _ in range(200)])
    for layer, w in weights.items()
}
side = {layer: (shape[layer][1] + 0.6) / shape_se[layer] for layer in layers}
bell = [layer for layer in layers if side[layer] > 2]  # nearer 0 than -1.2
flat = [layer for layer in layers if side[layer] < -2]  # nearer -1.2
between = [layer for layer in layers if layer not in bell + flat]
say(
    f"After {len(states) - 1} epochs the spread of **{most}**'s weights grew most "
    f"(×{growth[most]:.2f}), **{least}**'s least (×{growth[least]:.2f}). "
    "Excess kurtosis at initialization → now (± its standard error): "
    + ", ".join(
        f"{k} {a:.2f} → {b:.2f} ± {shape_se[k]:.2f}" for k, (a, b) in shape.items()
    )
    + ". "
    + (f"Closer to a bell shape now: {', '.join(bell)}. " if bell else "")
    + (f"Still closer to the uniform start: {', '.join(flat)}. " if flat else "")
    + (
        f"Within two standard errors of halfway, too close to call: "
        f"{', '.join(between)}. "
        if between
        else ""
    )
    + f"The output layer's biases moved from a standard deviation of "
    f"{bias_std[0]:.3f} to {bias_std[-1]:.3f}."
)

# %%
# ## How to read this figure
#
# * PyTorch initializes each layer's weights uniformly in ±1/√fan_in: the flat band in
#   the top row (epoch 0). Training widens and reshapes them; the finding above says,
#   per layer, whether the shape became bell-like, stayed flat-topped, or lies too
#   close to halfway for its standard error to tell.
# * A layer whose rows all look alike may not be learning (vanishing gradients, a
#   frozen layer, a learning rate too small for it), or its weights may be trading
#   places within an unchanged distribution (see the pitfalls): check how far the
#   weights themselves moved, as the [gradients page](plot_03_gradients.md) does.
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
# * **Forgetting to copy**: recording `module.weight` (or its `.numpy()` view) instead
#   of a clone stores a reference to weights that keep changing.
# * **A short run is a snapshot**: these are the first epochs of one run; the
#   distributions keep changing while training goes on.
