"""
# Activations per layer and dead ReLU units

**Catalog E4** · **Question:** training, internals · **Family:** neural network · **Phase:** during training · **Data:** MNIST

The values each layer outputs (its activations) show whether the signal passing
through a network stays in a useful range. For ReLU networks the key failure is the
*dead unit*: a neuron whose input is negative for every example outputs zero
everywhere and gets zero gradient; only a change in the layers before it can bring it
back, and in the first layer, whose inputs are the fixed pixels, nothing can. A few
dead units are harmless; a learning rate that is too high can kill half of a layer or
more in the first epoch. This page records the activations of the gallery's CNN with
forward hooks after every epoch of its training, and compares the share of dead units
in an MLP trained with a sensible and with a too-high learning rate.
"""

# %%
# ## The CNN, with a copy of its weights after every epoch
#
# As on the weight-distribution page, `mlviz.models.train` trains the gallery's CNN
# once per build (then reads it from its cache) and, with `checkpoints=3`, keeps copies
# of its weights; `epoch_checkpoints` are the copies at initialization (epoch 0) and at
# the end of each epoch. The *probe* is a fixed batch of 256 validation images from the
# gallery's split of MNIST's official 10,000-image test set.
import torch

from mlviz.models import mnist_cnn_config, mnist_tensors, train

cnn = train(mnist_cnn_config().replace(checkpoints=3))
X_probe, _ = mnist_tensors("val", n=256)

# %%
# ## Record the activations with forward hooks
#
# A forward hook runs right after a module's `forward` and receives its output.
# `ActivationsAndGradients` (from `mlviz.attribution`) registers one on each layer we
# name and keeps that layer's output (`gradients=False`: no backward pass follows);
# leaving the `with` block removes the hooks. For each epoch we load the weights, pass
# the probe through the network, and keep per layer: the share of output values that
# are exactly 0 (the ReLU is off), the share of *dead* units (channels of a
# convolution, neurons of a dense layer) that output 0 for every probe image, and the
# values themselves for the histograms.
import numpy as np

from mlviz.attribution import ActivationsAndGradients


def record_activations(run, layers, X):
    """Per layer and epoch: share of zeros, share of dead units, output values."""
    model = run.model
    zero, dead, values = ({layer: [] for layer in layers} for _ in range(3))
    rec = ActivationsAndGradients(model, layers, gradients=False)  # registers the hooks
    with torch.no_grad(), rec:  # leaving the block removes them (rec.release())
        for state in run.epoch_checkpoints:
            model.load_state_dict(state)
            rec(X)  # runs the model; the hooks store each layer's output
            for layer, out in zip(rec.names, rec.activations):
                units = out.transpose(0, 1).flatten(1)  # one row per channel/neuron
                zero[layer].append((out == 0).float().mean().item())
                dead[layer].append((units.max(dim=1).values == 0).float().mean().item())
                values[layer].append(out.flatten().numpy())
    return zero, dead, values


act_layers = ["relu1", "relu2", "relu3"]
zero, dead, values = record_activations(cnn, act_layers, X_probe)

# %%
# ## The CNN's activations over training
#
# One panel per ReLU: the histogram of its outputs on the probe, one line per epoch,
# in 40 bins that span all epochs of the layer.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.report import claim, say

after = {"relu1": "conv1", "relu2": "conv2", "relu3": "fc1"}
n_states = len(cnn.epoch_checkpoints)
fig, axes = plt.subplots(1, len(act_layers), figsize=(12, 3.8))
colors = plt.cm.viridis_r(np.linspace(0.1, 0.95, n_states))
for ax, layer in zip(axes, act_layers):
    edges = np.linspace(0, max(v.max() for v in values[layer]), 41)
    centers = (edges[:-1] + edges[1:]) / 2
    for epoch, v in enumerate(values[layer]):
        counts = np.histogram(v, bins=edges)[0]
        ax.plot(centers, counts / counts.sum(), color=colors[epoch], lw=1.3)
    ax.set_yscale("log")
    ax.set_title(f"{layer} (after {after[layer]})", fontsize=10)
    ax.set_xlabel("activation value")
axes[0].set_ylabel("share of values (log)")
sm = plt.cm.ScalarMappable(cmap=plt.cm.viridis_r, norm=plt.Normalize(0, n_states - 1))
fig.colorbar(sm, ax=axes, label="epoch (0 = init)", ticks=range(n_states))
plt.show()

worst_cnn = max(act_layers, key=lambda layer: dead[layer][-1])
say(
    "Share of exact zeros (ReLU off) at initialization → after the last epoch: "
    + ", ".join(f"**{n}** {zero[n][0]:.0%} → {zero[n][-1]:.0%}" for n in act_layers)
    + ". Units (channels or neurons) dead on every probe image, at initialization → "
    "after the last epoch: "
    + ", ".join(f"{n} {dead[n][0]:.0%} → {dead[n][-1]:.0%}" for n in act_layers)
    + ". "
    + (
        f"**{dead[worst_cnn][-1]:.0%} of the `{worst_cnn}` units are dead** (at "
        f"initialization {dead[worst_cnn][0]:.0%}): not a few, at the learning rate "
        "the gallery's CNN is trained with. The network still reaches "
        f"{cnn.history.val_acc[-1]:.1%} validation accuracy with the rest: dead "
        "units are wasted width, not a broken network. The embedding page (F7) "
        "counts them too."
        if dead[worst_cnn][-1] >= 0.2
        else "Few dead units: the layers use their width."
    )
)

# %%
# ## Killing ReLUs with a learning rate
#
# Two ReLU MLPs with three hidden layers of 128 units, Kaiming initialization and SGD
# with momentum, differ only in the learning rate (0.02 and 0.15). With
# `checkpoints=1` each keeps a copy of its weights after every epoch, and the same
# function records the share of dead units of their activations (`act1` to `act3`) on
# the same probe. (Much higher rates can do worse than kill units: the loss overflows
# and the weights become NaN. A NaN output is neither 0 nor positive, so the count of
# dead units silently misses it: check that the loss stayed finite, as below.)
from mlviz.config import QUICK
from mlviz.models import TrainConfig, predict_proba

config = TrainConfig(
    arch="mlp",
    arch_kwargs={"hidden": [128, 128, 128], "activation": "relu", "init": "kaiming"},
    epochs=1 if QUICK else 3,
    n_train=800 if QUICK else 3000,
    n_val=300 if QUICK else 1000,
    optimizer="sgd",
    momentum=0.9,
    lr=0.02,
    checkpoints=1,
)
runs = {lr: train(config.replace(lr=lr)) for lr in (0.02, 0.15)}
mlp_layers = ["act1", "act2", "act3"]
mlp_dead = {lr: record_activations(r, mlp_layers, X_probe)[1] for lr, r in runs.items()}

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True, constrained_layout=True)
for ax, (lr, run) in zip(axes, runs.items()):
    for layer in mlp_layers:
        ax.plot(mlp_dead[lr][layer], "-o", label=layer)
    ax.set_title(f"lr={lr:g}: validation accuracy {run.history.val_acc[-1]:.0%}")
    ax.set_xticks(range(len(mlp_dead[lr]["act1"])))
    ax.set_xlabel("epoch (0 = init)")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("share of dead units")
axes[0].set_ylim(-0.03, 1.03)
axes[1].legend()
plt.show()
finite = all(np.isfinite(run.history.step_loss).all() for run in runs.values())
claim(finite, "both runs keep a finite loss", evidence="a loss overflowed to inf/NaN")
worst = {lr: max(d[layer][-1] for layer in mlp_layers) for lr, d in mlp_dead.items()}
acc = {lr: run.history.val_acc[-1] for lr, run in runs.items()}
hit = max(mlp_layers, key=lambda layer: mlp_dead[0.15][layer][-1])
# Both networks answer the same validation images: the standard error of the
# difference in accuracy comes from the per-image difference (a paired comparison).
X_val, y_val = mnist_tensors("val", n=config.n_val, seed=config.seed)
correct = {
    lr: (predict_proba(run.model, X_val).argmax(1) == y_val.numpy()).astype(float)
    for lr, run in runs.items()
}
gap = correct[0.02] - correct[0.15]
gap_se = gap.std(ddof=1) / np.sqrt(len(gap))
say(
    f"With lr=0.15, up to **{worst[0.15]:.0%}** of a layer's units are dead after "
    f"training (most in `{hit}`; lr=0.02: at most {worst[0.02]:.0%}); validation "
    f"accuracy {acc[0.15]:.1%} against {acc[0.02]:.1%} (difference "
    f"{-100 * gap.mean():+.1f} points, standard error {100 * gap_se:.1f}, paired over "
    f"the {len(gap):,} images). "
    + (
        "The network learns on with what is left, and does worse; the two runs "
        "differ in their learning rate, not only in their dead units, so this does "
        "not say how much of the cost is the dead units'. "
        if gap.mean() > 2 * gap_se
        else "The network with more dead units does better. "
        if gap.mean() < -2 * gap_se
        else "Within two standard errors: the network learns on with what is left, "
        "at no cost this validation set can measure. "
    )
    + (
        "A first-layer unit that is dead on every training image never comes "
        "back: its inputs are the fixed pixels and its weights get no gradient."
        if hit == mlp_layers[0]
        else ""
    )
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
# * **Hooks stay until removed**: a forgotten hook keeps storing outputs at every
#   forward pass (memory, speed); remove it (`release()`, or a `with` block).
# * **Leaky ReLU, smaller learning rates and careful initialization** are the usual
#   remedies; a histogram cannot tell you which one your network needs.
