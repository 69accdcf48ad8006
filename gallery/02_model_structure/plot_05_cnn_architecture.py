"""
# The MNIST CNN's architecture, drawn as a diagram

**Catalog B5** · **Question:** structure · **Family:** neural network · **Phase:** after training · **Data:** MNIST

Before reading anything a network has learned, you need its shape: which layers, in
which order, how each one changes the size of the data, and where the parameters are.
`print(model)` lists the layers but not the shapes; a diagram with one block per layer
shows at a glance where the image shrinks, where it is flattened, and which layer holds
most of the weights: in a small network like this one, and in classic ones like VGG,
the first dense layer, not the convolutions. (Networks that average-pool the last
feature maps before one small dense layer, such as ResNets, keep most of their weights
in convolutions.) This page
measures every layer's output shape with forward hooks on one real image and draws the
network the gallery's deep-learning pages share.
"""

# %%
# ## Load the shared network
#
# The gallery trains its small CNN once per build and caches it (`mlviz.models`). It
# was trained on MNIST's official 10,000-image test split, which the gallery divides
# into training, validation and test parts.
import torch

from mlviz.models import evaluate, load_mnist_cnn, mnist_tensors
from mlviz.report import claim, say

cnn = load_mnist_cnn()
model = cnn.model
X_test, y_test = mnist_tensors("test")
test = evaluate(model, X_test, y_test)
print(model)
n_train = len(mnist_tensors("train", n=cnn.config.n_train)[1])
say(
    f"The network was trained for {cnn.config.epochs} epochs on {n_train:,} "
    f"images; it classifies **{test['accuracy']:.1%}** of the {len(y_test):,} "
    "held-out test digits correctly."
)

# %%
# ## Measure each layer's output shape
#
# A forward hook runs after a module's `forward`; registering one on every layer (the
# model's direct children, each a single layer in this network) and passing one image
# through records the shape that leaves each layer. Parameter counts come from the
# module's own parameters (weights plus biases).
rows = []


def record(name):
    def hook(module, inputs, output):
        n_params = sum(p.numel() for p in module.parameters(recurse=False))
        rows.append((name, module, tuple(output.shape[1:]), n_params))

    return hook


handles = [m.register_forward_hook(record(name)) for name, m in model.named_children()]
with torch.no_grad():
    model(X_test[:1])
for h in handles:
    h.remove()

import pandas as pd

total = sum(r[3] for r in rows)
layers = pd.DataFrame(
    [(n, type(m).__name__, " × ".join(map(str, s)), p) for n, m, s, p in rows],
    columns=["layer", "type", "output shape", "parameters"],
).set_index("layer")
say(f"{len(rows)} layers, **{total:,}** parameters in all:")
shape = {name: s for name, _, s, _ in rows}
claim(
    shape["conv1"][1:] == (28, 28)
    and shape["pool1"][1:] == (14, 14)
    and shape["pool2"] == (32, 7, 7)
    and shape["flatten"] == (32 * 7 * 7,),
    "convolutions keep 28 x 28, each pooling halves it (28 -> 14 -> 7), "
    "and Flatten receives 32 x 7 x 7 maps",
    evidence=str(shape),
)
layers

# %%
# ## Draw the diagram
#
# One block per layer, top to bottom in the order the data flows. Each block names the
# layer and its settings and gives the shape of its output (channels × height × width,
# or features). The bar on the right is the layer's share of all parameters.
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def describe(module):
    if isinstance(module, torch.nn.Conv2d):
        k, pad = module.kernel_size, module.padding[0]
        channels = f"{module.in_channels}→{module.out_channels}"
        return f"Conv2d {channels}, {k[0]}×{k[1]}, pad {pad}"
    if isinstance(module, torch.nn.Linear):
        return f"Linear {module.in_features}→{module.out_features}"
    if isinstance(module, torch.nn.MaxPool2d):
        return f"MaxPool2d {module.kernel_size}×{module.kernel_size}"
    return type(module).__name__


from mlviz.plotting import MAGNITUDE

colors = {  # one colour per kind of layer
    "Conv2d": "#4c72b0",
    "Linear": "#dd8452",
    "MaxPool2d": "#55a868",
    "ReLU": "#c0c0c0",
    "Flatten": "#6e6e6e",
}
blocks = [("input", None, tuple(X_test.shape[1:]), 0)] + rows
fig, ax = plt.subplots(figsize=(9, 10))
step = 1.0
for i, (name, module, shape, n_params) in enumerate(blocks):
    y = -i * step
    kind = "input" if module is None else type(module).__name__
    color = colors.get(kind, "#eeeeee")
    ax.add_patch(
        FancyBboxPatch(
            (0, y - 0.35),
            5.2,
            0.7,
            boxstyle="round,pad=0.02",
            fc=color,
            ec="black",
            alpha=0.85,
        )
    )
    label = "input image" if module is None else f"{name}: {describe(module)}"
    text_color = (
        "white" if kind in ("Conv2d", "Linear", "MaxPool2d", "Flatten") else "black"
    )
    ax.text(
        0.15,
        y + 0.1,
        label,
        va="center",
        fontsize=11,
        color=text_color,
        fontweight="bold",
    )
    ax.text(
        0.15,
        y - 0.17,
        "output " + " × ".join(map(str, shape)),
        va="center",
        fontsize=10,
        color=text_color,
    )
    if i:
        ax.annotate(
            "",
            xy=(2.6, y + 0.37),
            xytext=(2.6, y + step - 0.37),
            arrowprops=dict(arrowstyle="->", lw=1.5),
        )
    if n_params:
        share = n_params / total
        ax.add_patch(plt.Rectangle((5.6, y - 0.2), 3.0 * share, 0.4, fc=MAGNITUDE))
        ax.text(
            5.65 + 3.0 * share,
            y,
            f"{n_params:,} ({share:.0%})",
            va="center",
            fontsize=10,
        )
ax.text(5.6, 0.55, "parameters (share of total)", fontsize=10)
ax.set_xlim(-0.1, 9.4)
ax.set_ylim(-(len(blocks) - 1) * step - 0.6, 0.9)
ax.axis("off")
ax.set_title(f"MnistCNN: {total:,} trainable parameters", fontsize=13)
plt.show()

# %%
# Parameters are what the model stores; the arithmetic is another count. A convolution
# applies each weight of its kernel at every output position, a dense layer each
# weight once: multiply-adds per image = weights x output positions.
biggest = max(rows, key=lambda r: r[3])
conv_params = sum(p for _, m, _, p in rows if isinstance(m, torch.nn.Conv2d))
macs = {
    name: m.weight.numel() * (s[1] * s[2] if len(s) == 3 else 1)
    for name, m, s, _ in rows
    if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))
}
conv_macs = sum(v for name, v in macs.items() if name.startswith("conv"))
say(
    f"The largest layer is **{biggest[0]}** with {biggest[3]:,} parameters "
    f"({biggest[3] / total:.0%} of the total); the two convolutions together hold "
    f"only {conv_params:,} ({conv_params / total:.1%}), because a convolution's "
    "kernel is shared by every position of the image. In multiply-adds per image the "
    f"order reverses: the convolutions do {conv_macs:,}, {biggest[0]} "
    f"{macs[biggest[0]]:,}."
)
claim(
    biggest[0] == "fc1" and biggest[3] / total > 0.5,
    "fc1 holds most of the parameters",
    evidence=f"{biggest[0]}: {biggest[3] / total:.0%}",
)
claim(
    conv_macs > macs["fc1"],
    "the convolutions dominate the arithmetic while fc1 dominates the parameters",
    evidence=f"conv {conv_macs:,} vs fc1 {macs['fc1']:,} multiply-adds",
)

# %%
# ## How to read this figure
#
# * Follow the arrows from the input (1 channel of 28 × 28 grey levels) down to the 10
#   logits, one per digit.
# * Convolutions with padding 1 keep the height and width and change the number of
#   channels; each max-pooling halves height and width (28 → 14 → 7).
# * `Flatten` turns the final 32 × 7 × 7 maps into one vector; from there on, dense
#   (`Linear`) layers connect every input to every output, which is why `fc1` holds
#   most of the parameters.
# * ReLU, pooling and flatten blocks have no parameters; they have no bar. The bars
#   (purple, the gallery's colour for a size without a sign) share one scale.
#
# ## Pitfalls
#
# * **Shapes depend on the input size.** The dense part expects exactly 32 × 7 × 7
#   inputs: a 32 × 32 image would fail at `fc1`. The shapes here were measured with a
#   28 × 28 image.
# * **Parameters are not computation.** The convolutions have few parameters but run at
#   every image position, so they dominate the arithmetic while `fc1` dominates the
#   parameter count, the size of the saved model (the multiply-adds are counted above).
#   Nor are parameters all the memory: in training, the convolutions' large output maps
#   are kept for the backward pass.
# * **The batch dimension is left out** of the shapes: every tensor also has a first
#   dimension, the number of images.
