"""
# Activations per layer and dead ReLU units

**Catalog E4** · **Question:** training, internals · **Family:** neural network · **Phase:** during training · **Data:** MNIST

The values each layer outputs (its activations) show whether the signal passing
through a network stays in a useful range. For ReLU networks the key failure is the
*dead unit*: a neuron whose input is negative for every example outputs zero
everywhere, gets zero gradient, and never recovers. A few dead units are harmless; a
learning rate that is too high can kill most of a layer in a few steps. This page draws
the activation distributions of the gallery's CNN over training and compares the share
of dead units in an MLP trained with a sensible and with a too-high learning rate.
"""

# %%
# ## The CNN's activations over training
#
# During the (cached) training, `mlviz.models.train` passed a fixed batch of validation
# images (from the gallery's split of MNIST's official 10,000-image test set) through
# the network after every epoch and recorded, for each ReLU, a histogram of its outputs
# and the share of units that never fire.
import matplotlib.pyplot as plt
import numpy as np
plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.models import load_mnist_cnn

cnn = load_mnist_cnn()
h = cnn.history
fig, axes = plt.subplots(1, len(h.act_layers), figsize=(12, 3.8))
colors = plt.cm.viridis_r(np.linspace(0.1, 0.95, len(h.epoch) + 1))
for ax, layer in zip(axes, h.act_layers):
    edges = h.act_edges[layer]
    centers = (edges[:-1] + edges[1:]) / 2
    for epoch, counts in enumerate(h.act_hist[layer]):
        ax.plot(centers, counts / counts.sum(), color=colors[epoch], lw=1.3)
    ax.set_yscale("log")
    ax.set_title(f"{layer} (after {'conv' if layer != 'relu3' else 'fc'}{layer[-1] if layer != 'relu3' else '1'})", fontsize=10)
    ax.set_xlabel("activation value")
axes[0].set_ylabel("share of values (log)")
sm = plt.cm.ScalarMappable(cmap=plt.cm.viridis_r, norm=plt.Normalize(0, len(h.epoch)))
fig.colorbar(sm, ax=axes, label="epoch (0 = init)")
plt.show()

from mlviz.report import md

md(
    "Share of exact zeros (ReLU off) at initialization → after the last epoch: "
    + ", ".join(f"**{l}** {h.act_zero[l][0]:.0%} → {h.act_zero[l][-1]:.0%}" for l in h.act_layers)
    + ". Units (channels or neurons) dead on every probe image after the last epoch: "
    + ", ".join(f"{l} {h.act_dead[l][-1]:.0%}" for l in h.act_layers)
    + "."
)

# %%
# ## Killing ReLUs with a learning rate
#
# Two ReLU MLPs with three hidden layers of 128 units, Kaiming initialization and SGD
# with momentum, differ only in the learning rate.
from mlviz.config import QUICK
from mlviz.models import TrainConfig, train

config = TrainConfig(
    arch="mlp", arch_kwargs={"hidden": [128, 128, 128], "activation": "relu", "init": "kaiming"},
    epochs=1 if QUICK else 3, n_train=800 if QUICK else 3000, n_val=300 if QUICK else 1000, optimizer="sgd", momentum=0.9, lr=0.02,
)
runs = {lr: train(config.replace(lr=lr)) for lr in (0.02, 0.3)}

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for ax, (lr, run) in zip(axes, runs.items()):
    hr = run.history
    for layer in hr.act_layers:
        ax.plot(np.arange(len(hr.epoch) + 1), hr.act_dead[layer], "-o", label=layer)
    ax.set_title(f"lr={lr:g}: validation accuracy {hr.val_acc[-1]:.0%}")
    ax.set_xlabel("epoch (0 = init)")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("share of dead units")
axes[0].set_ylim(-0.03, 1.03)
axes[1].legend()
fig.tight_layout()
plt.show()
dead = {lr: max(run.history.act_dead[l][-1] for l in run.history.act_layers) for lr, run in runs.items()}
md(
    f"With lr=0.3, up to **{dead[0.3]:.0%}** of a layer's units are dead after training (lr=0.02: {dead[0.02]:.0%}); "
    f"validation accuracy {runs[0.3].history.val_acc[-1]:.1%} against {runs[0.02].history.val_acc[-1]:.1%}."
)

# %%
# ## How to read this figure
#
# * In the histograms, the spike at 0 is the ReLU switching off; the tail to the right
#   shows how large the active outputs get. A tail that keeps stretching epoch after
#   epoch means activations grow (and may overflow in deeper nets).
# * A dead unit outputs 0 for every probe image, so it passes no gradient back; its
#   share should stay small. A curve jumping to a large share right after the start is
#   the too-high learning rate destroying the layer.
#
# ## Pitfalls
#
# * **"Dead" is measured on the probe batch** (256 validation images): a unit silent
#   there may fire on rarer inputs.
# * **Zeros are not dead units**: a ReLU that is off for most inputs but on for some is
#   normal and useful (sparse activations).
# * **Leaky ReLU, smaller learning rates and careful initialization** are the usual
#   remedies; a histogram cannot tell you which one your network needs.
