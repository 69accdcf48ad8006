"""
# Gradient magnitudes per layer: vanishing gradients in a deep sigmoid network

**Catalog E3** · **Question:** training, internals · **Family:** neural network · **Phase:** during training · **Data:** MNIST

When a deep network does not learn, plotting the size of each layer's gradient during
training often tells why. With sigmoid activations and a naive initialization, every
layer multiplies the backpropagated signal by the sigmoid's slope (at most 0.25), so the
gradient shrinks geometrically towards the input and the first layers barely change:
the *vanishing gradient* problem. ReLU activations with He (Kaiming) initialization keep
the gradient's scale roughly constant across layers. This page trains both networks
and measures the gradient each layer receives as training goes on.
"""

# %%
# ## Two deep MLPs
#
# Both have eight hidden layers of 64 units and are trained with the same SGD
# (momentum 0.9) on the gallery's split of MNIST's official 10,000-image test set. One
# uses sigmoids and PyTorch's default initialization, the other ReLUs and Kaiming
# initialization. `mlviz.models.train` trains each once per build (then reads it from
# its cache) and, with `checkpoints=10`, keeps a copy of the weights (`state_dict`) at
# initialization and ten times per epoch.
import torch

from mlviz.config import QUICK
from mlviz.models import TrainConfig, train

common = {
    "epochs": 1 if QUICK else 3,
    "n_train": 800 if QUICK else 3000,
    "n_val": 300 if QUICK else 1000,
    "optimizer": "sgd",
    "momentum": 0.9,
    "lr": 0.05,
    "checkpoints": 10,
}


def mlp_config(activation, init):
    arch_kwargs = {"hidden": [64] * 8, "activation": activation, "init": init}
    return TrainConfig(arch="mlp", arch_kwargs=arch_kwargs, **common)


sigmoid = train(mlp_config("sigmoid", "default"))
relu = train(mlp_config("relu", "kaiming"))
modules = sigmoid.model.named_modules()  # as defined: from the input to the output
layers = [name for name, m in modules if isinstance(m, torch.nn.Linear)]
print(layers, "|", len(sigmoid.checkpoints), "copies of the weights per network")

# %%
# ## Record every layer's gradient
#
# For each saved copy of the weights we compute the loss on one fixed batch of 256 of
# the training images, back-propagate, and read the gradient that every dense layer's
# weights received (`.grad`, filled by `backward()`): its mean absolute value. In your
# own training loop you would log the same right after `loss.backward()`; the fixed
# batch makes the values comparable from one copy to the next (the mini-batches change
# at every step). Nothing is updated: no optimizer step follows.
import numpy as np
import torch.nn.functional as F

from mlviz.models import mnist_tensors

X_batch, y_batch = mnist_tensors("train", n=256)


def record_gradients(run):
    """Mean |d loss / d weight| of each layer at each copy: array (copies, layers)."""
    model = run.model
    sizes = []
    for state in run.checkpoints:
        model.load_state_dict(state)
        model.zero_grad()
        F.cross_entropy(model(X_batch), y_batch).backward()
        grads = [model.get_submodule(layer).weight.grad for layer in layers]
        sizes.append([g.abs().mean().item() for g in grads])
    return np.array(sizes)


grad_size = {"sigmoid": record_gradients(sigmoid), "relu": record_gradients(relu)}
print("recorded:", grad_size["sigmoid"].shape, "(copies, layers)")

# %%
# ## Gradient size per layer at initialization
#
# The mean absolute gradient of each layer's weights before the first step, input
# layer on the left, output layer (`out`) on the right. The y-axis is logarithmic.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.report import claim, rounding_tolerance, say

runs = {
    "sigmoid": (sigmoid, "sigmoid, default init", "C3"),
    "relu": (relu, "ReLU, Kaiming init", "C0"),
}
fig, ax = plt.subplots(figsize=(9, 4))
for key, (run, label, color) in runs.items():
    ax.plot(range(len(layers)), grad_size[key][0], "-o", color=color, label=label)
ax.set_xticks(range(len(layers)), layers)
ax.set_yscale("log")
ax.set_xlabel("layer (input → output)")
ax.set_ylabel("mean |∂loss/∂weight| (log scale)")
ax.legend()
ax.grid(alpha=0.3, which="both")
ax.set_title("Gradient magnitude per layer at initialization")
plt.show()
ratio = {key: sizes[0, -1] / sizes[0, 0] for key, sizes in grad_size.items()}
say(
    f"At initialization, the sigmoid network's output layer receives a gradient "
    f"**{ratio['sigmoid']:.1e} times** as large as its first layer's; "
    f"in the ReLU network only {ratio['relu']:.1f} times."
)
steps_down = np.diff(np.log10(grad_size["sigmoid"][0]))
relu_spread = grad_size["relu"][0].max() / grad_size["relu"][0].min()
claim(
    (steps_down > 0).all() and relu_spread < 10,
    "the sigmoid gradient shrinks layer by layer towards the input; ReLU with Kaiming "
    "initialization keeps its scale roughly constant",
    evidence=f"sigmoid log10 steps {steps_down.round(2)}, ReLU ratio {relu_spread:.1f}",
)

# %%
# ## During training
#
# The same measure at every copy of the weights (one dot each), one line per layer
# (dark = near the input), against the optimizer steps taken before the copy.
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True, constrained_layout=True)
colors = plt.cm.plasma(np.linspace(0, 0.85, len(layers)))
for ax, (key, (run, label, _)) in zip(axes, runs.items()):
    for i, (layer, color) in enumerate(zip(layers, colors)):
        ax.plot(
            run.checkpoint_steps,
            grad_size[key][:, i],
            "-o",
            color=color,
            lw=1,
            ms=2,
            label=layer,
        )
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_title(f"{label}: validation accuracy {run.history.val_acc[-1]:.0%}")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("mean |∂loss/∂weight| (log scale)")
axes[1].legend(fontsize=8, ncol=2, loc="lower right")
plt.show()


def moved(run, layer):
    """How far a layer's weights moved: ||W_end - W_init|| / ||W_init||."""
    w0, w1 = (run.checkpoints[i][f"{layer}.weight"] for i in (0, -1))
    return ((w1 - w0).norm() / w0.norm()).item()


def unchanged(run, layer):
    """Share of a layer's weights that did not change a single bit."""
    w0, w1 = (run.checkpoints[i][f"{layer}.weight"] for i in (0, -1))
    return (w0 == w1).float().mean().item()


# float32 stores a weight w to within |w| eps / 2 (eps = 1.2e-7): each update is
# rounded that much, and an update smaller than half the gap between neighbouring
# float32 numbers is rounded away. What rounding alone can do over n updates:
n_updates = int(sigmoid.checkpoint_steps[-1])
rounding = rounding_tolerance("float32", 1.0, n_terms=n_updates)
first, last = layers[0], layers[-1]
frozen = moved(sigmoid, first) <= rounding
late_ratio = {key: sizes[-1, -1] / sizes[-1, 0] for key, sizes in grad_size.items()}
say(
    f"After {len(sigmoid.history.epoch)} epoch(s) the gap "
    + ("persists" if late_ratio["sigmoid"] > 10 else "has closed")
    + ": at the last copy "
    f"the sigmoid network's `{last}` gradient is {late_ratio['sigmoid']:.1e} times its "
    f"`{first}` gradient (ReLU: {late_ratio['relu']:.1f}). "
    + (
        f"The sigmoid network's `{first}` weights changed by "
        f"{moved(sigmoid, first):.1e} of their size, no more than float32 rounding "
        f"alone can produce over {n_updates} updates (up to {rounding:.0e}): "
        f"**{unchanged(sigmoid, first):.0%} of them did not change a single bit**: "
        "for those, every update was smaller than half the gap between neighbouring "
        f"float32 numbers and was rounded away. In effect the layer did not train. "
        f"Its `{last}` weights "
        f"moved by {moved(sigmoid, last):.2f} of their size"
        if frozen
        else f"The sigmoid network's `{first}` weights moved by "
        f"**{moved(sigmoid, first):.1e}** of their size, its `{last}` weights by "
        f"{moved(sigmoid, last):.2f}"
    )
    + f"; in the ReLU network {moved(relu, first):.2f} and {moved(relu, last):.2f}."
)

# %%
# ## Did the sigmoid network learn?
#
# Validation accuracy, against what always answering the most common digit of the
# validation images scores. An accuracy measured on n images has a standard error of
# about sqrt(p (1 - p) / n); we call two accuracies different when they are more than
# two standard errors apart.
acc = {key: run.history.val_acc[-1] for key, (run, _, _) in runs.items()}
y_val = mnist_tensors("val", n=sigmoid.config.n_val, seed=sigmoid.config.seed)[1]
constant = np.bincount(y_val.numpy()).max() / len(y_val)  # the most common digit
n_val = len(y_val)


def standard_error(*accuracies):
    """Standard error of one accuracy, or of the difference of two, on n_val images."""
    return np.sqrt(sum(p * (1 - p) for p in accuracies) / n_val)


above_constant = acc["sigmoid"] - constant > 2 * standard_error(acc["sigmoid"])
# how far the ReLU network is ahead, in standard errors of the difference
ahead = (acc["relu"] - acc["sigmoid"]) / standard_error(*acc.values())
say(
    f"Validation accuracy on {n_val:,} images: sigmoid **{acc['sigmoid']:.1%}**, ReLU "
    f"**{acc['relu']:.1%}**; always answering the most common digit scores "
    f"{constant:.1%}. The sigmoid network "
    + (
        "is not more than two standard errors above that constant answer: **its "
        "accuracy shows nothing learned yet**."
        if not above_constant
        else "learns, but more slowly than the ReLU network."
        if ahead > 2
        else "learns faster than the ReLU network here."
        if ahead < -2
        else "is about as good as the ReLU network here."
    )
)

# %%
# ## How to read this figure
#
# * A line that falls steeply from right (output) to left (input) is the signature of
#   vanishing gradients: the early layers receive almost nothing to learn from.
# * A flat line means every layer receives a gradient of comparable size: with plain
#   SGD, no layer is starved. How far each one moves also depends on the size of its
#   weights (the relative change above).
# * A line that rises towards the input would be the opposite problem, exploding
#   gradients (common in deep networks initialized with too-large weights).
#
# ## Pitfalls
#
# * **Gradient size is not learning speed with adaptive optimizers**: Adam divides each
#   gradient by its running scale, so a layer with tiny gradients still takes steps
#   of up to about the learning rate (unless they fall below its `eps`, 1e-8), and a
#   plot of gradients says little about how it learns. That is why this page uses
#   plain SGD; with Adam, plot the size of the updates instead.
# * **Mean absolute values hide the distribution**: a layer can have a healthy mean
#   with most gradients at zero (dead ReLUs, see the activations page).
# * **One batch is a sample**: the optimizer followed the gradient of a different
#   mini-batch at each step, noisier than the one of a fixed batch of 256 images.
# * **Depth is what makes it visible**: with two or three sigmoid layers the effect is
#   mild; batch normalization and residual connections are the other standard cures.
