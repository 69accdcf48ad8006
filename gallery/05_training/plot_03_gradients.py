"""
# Gradient magnitudes per layer: vanishing gradients in a deep sigmoid network

**Catalog E3** · **Question:** training, internals · **Family:** neural network · **Phase:** during training · **Data:** MNIST

When a deep network does not learn, plotting the size of each layer's gradient during
training often tells why. With sigmoid activations and a naive initialization, every
layer multiplies the backpropagated signal by the sigmoid's slope (at most 0.25), so the
gradient shrinks geometrically towards the input and the first layers barely change:
the *vanishing gradient* problem. ReLU activations with He (Kaiming) initialization keep
the gradient's scale roughly constant across layers. This page trains both networks
and draws what each layer received.
"""

# %%
# ## Two deep MLPs
#
# Both have eight hidden layers of 64 units and are trained with the same SGD
# (momentum 0.9) on the gallery's split of MNIST's official 10,000-image test set. One
# uses sigmoids and PyTorch's default initialization, the other ReLUs and Kaiming
# initialization. `mlviz.models.train` records every layer's mean absolute weight
# gradient at every step.
from mlviz.config import QUICK
from mlviz.models import TrainConfig, train

common = dict(epochs=1 if QUICK else 3, n_train=800 if QUICK else 3000, n_val=300 if QUICK else 1000, optimizer="sgd", momentum=0.9, lr=0.05)
sigmoid = train(TrainConfig(arch="mlp", arch_kwargs={"hidden": [64] * 8, "activation": "sigmoid", "init": "default"}, **common))
relu = train(TrainConfig(arch="mlp", arch_kwargs={"hidden": [64] * 8, "activation": "relu", "init": "kaiming"}, **common))
layers = sigmoid.history.layers
print(layers)

# %%
# ## Gradient size per layer at the start of training
#
# The mean absolute gradient of each layer's weights over the first 10 steps, input
# layer on the left, output layer (`out`) on the right. The y-axis is logarithmic.
import matplotlib.pyplot as plt
import numpy as np
plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.report import md

fig, ax = plt.subplots(figsize=(9, 4))
for run, name, color in ((sigmoid, "sigmoid, default init", "C3"), (relu, "ReLU, Kaiming init", "C0")):
    first = [run.history.grad_abs_mean[layer][:10].mean() for layer in layers]
    ax.plot(range(len(layers)), first, "-o", color=color, label=name)
ax.set_xticks(range(len(layers)), layers)
ax.set_yscale("log")
ax.set_xlabel("layer (input → output)")
ax.set_ylabel("mean |∂loss/∂weight| (log scale)")
ax.legend()
ax.grid(alpha=0.3, which="both")
ax.set_title("Gradient magnitude per layer, first 10 steps")
plt.show()
ratio = {
    name: run.history.grad_abs_mean["out"][:10].mean() / run.history.grad_abs_mean["fc1"][:10].mean()
    for name, run in (("sigmoid", sigmoid), ("relu", relu))
}
md(
    f"In the sigmoid network the output layer's gradient is **{ratio['sigmoid']:.1e} times** the first layer's; "
    f"in the ReLU network only {ratio['relu']:.1f} times."
)

# %%
# ## During training
#
# The same measure at every step, one line per layer (dark = near the input).
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
colors = plt.cm.plasma(np.linspace(0, 0.85, len(layers)))
for ax, run, title in ((axes[0], sigmoid, "sigmoid, default init"), (axes[1], relu, "ReLU, Kaiming init")):
    h = run.history
    steps = np.arange(1, len(h.step_loss) + 1)
    for layer, color in zip(layers, colors):
        ax.plot(steps, h.grad_abs_mean[layer], color=color, lw=0.8, label=layer)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_title(f"{title}: validation accuracy {h.val_acc[-1]:.0%}")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("mean |∂loss/∂weight| (log scale)")
axes[1].legend(fontsize=8, ncol=2, loc="lower right")
fig.tight_layout()
plt.show()
md(
    f"After {len(sigmoid.history.epoch)} epoch(s), the sigmoid network reaches **{sigmoid.history.val_acc[-1]:.1%}** "
    f"validation accuracy (chance is about 10 %), the ReLU network **{relu.history.val_acc[-1]:.1%}**."
)

# %%
# ## How to read this figure
#
# * A line that falls steeply from right (output) to left (input) is the signature of
#   vanishing gradients: the early layers receive almost nothing to learn from.
# * A flat line means every layer learns at a comparable pace.
# * A line that rises towards the input would be the opposite problem, exploding
#   gradients (common in deep networks initialized with too-large weights).
#
# ## Pitfalls
#
# * **Gradient size is not learning speed with adaptive optimizers**: Adam divides each
#   gradient by its running scale, which hides (but does not cure) small gradients.
#   That is why this page uses plain SGD.
# * **Mean absolute values hide the distribution**: a layer can have a healthy mean
#   with most gradients at zero (dead ReLUs, see the activations page).
# * **Depth is what makes it visible**: with two or three sigmoid layers the effect is
#   mild; batch normalization and residual connections are the other standard cures.
