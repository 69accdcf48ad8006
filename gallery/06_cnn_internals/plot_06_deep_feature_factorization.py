"""
# Deep feature factorization: concepts in a layer, coloured on the digits

**Catalog F6** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** MNIST

A convolution layer has dozens of channels, and one visual concept (a loop, a vertical
stroke) is usually spread over several of them. Deep feature factorization (Collins et
al., 2018) runs non-negative matrix factorization on the layer's activations at every
position of many images: it finds a few channel patterns ("concepts") that, mixed
non-negatively, approximate the activations. Colouring each pixel by its dominant
concept shows, without labels, which parts of the digits the layer treats alike.

On photographs and a pretrained ImageNet network, with concepts named by its own
classifier: [I8](../09_imagenet/plot_08_deep_feature_factorization.md).
"""

# %%
# ## Record `relu2` on a batch of digits
#
# The gallery's shared CNN on digits from the test part of the gallery's split of
# MNIST's official 10,000-image test set. `relu2` gives 32 non-negative maps of 14x14.
import numpy as np
import torch

from mlviz.attribution import ActivationsAndGradients
from mlviz.config import QUICK, SEED
from mlviz.models import from_tensor, load_mnist_cnn, mnist_tensors

model = load_mnist_cnn().model
X, y = mnist_tensors("test", n=100 if QUICK else 400)
with torch.no_grad(), ActivationsAndGradients(model, [model.relu2]) as rec:
    rec(X)
A = rec.activations[0].numpy()  # (N, 32, 14, 14)
images = from_tensor(X)

# %%
# ## Factorize
#
# The activations become a matrix of (images x 14 x 14) positions by 32 channels; NMF
# with `k` components gives, for every position, how much of each concept is there,
# and for every concept its channel pattern. `deep_feature_factorization` is that
# reshape plus `sklearn.decomposition.NMF`.
from mlviz.inspect.cnn import deep_feature_factorization

k = 5
heatmaps, concepts = deep_feature_factorization(
    A, k, seed=SEED
)  # (N, k, 14, 14), (k, 32)
V = A.transpose(0, 2, 3, 1).reshape(-1, A.shape[1])
rebuilt = heatmaps.transpose(0, 2, 3, 1).reshape(-1, k) @ concepts
error = np.linalg.norm(V - rebuilt) / np.linalg.norm(V)
print(f"relative reconstruction error with {k} concepts: {error:.1%}")

# %%
# ## Colour each digit by its dominant concept
#
# Each 14x14 heatmap is upsampled to 28x28; a pixel takes the colour of its strongest
# concept, with opacity following that concept's strength, over the grey digit. The
# colours name concepts, not digits (the gallery's digit colours are not used here).
import matplotlib.pyplot as plt
import torch.nn.functional as F
from matplotlib.patches import Patch

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

colors = plt.get_cmap("Dark2").colors[:k]
up = F.interpolate(
    torch.from_numpy(heatmaps), size=(28, 28), mode="bilinear", align_corners=False
).numpy()
dominant = up.argmax(1)
strength = up.max(1) / up.max()


def concept_image(i):
    rgb = np.array(colors)[dominant[i]]
    alpha = np.clip(strength[i] / np.percentile(strength, 99), 0, 1)[..., None]
    grey = np.repeat((1 - images[i])[..., None], 3, axis=2)
    return (1 - 0.8 * alpha) * grey + 0.8 * alpha * rgb


shown = [int(np.flatnonzero(y.numpy() == d)[0]) for d in range(10)]
fig, axes = plt.subplots(2, 10, figsize=(11, 2.9))
for j, i in enumerate(shown):
    axes[0, j].imshow(images[i], cmap="gray_r")
    axes[0, j].set_title(str(y[i].item()), fontsize=9)
    axes[1, j].imshow(concept_image(i))
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
fig.legend(
    handles=[Patch(color=colors[c], label=f"concept {c}") for c in range(k)],
    loc="outside lower center",
    ncol=k,
    fontsize=9,
    frameon=False,
)
plt.show()

# %%
# ## What each concept is: channels and typical positions
#
# Left: each concept's weights on the 32 channels. Right: the concept's mean heatmap
# over all digits, i.e. where in the frame it tends to appear.
fig, axes = plt.subplots(1, k + 1, figsize=(11, 2.6), width_ratios=[3] + [1] * k)
for c in range(k):
    axes[0].plot(concepts[c], color=colors[c], lw=1.5, label=f"concept {c}")
    axes[c + 1].imshow(heatmaps[:, c].mean(0), cmap="magma_r")
    axes[c + 1].set_title(f"concept {c}", fontsize=9, color=colors[c])
    axes[c + 1].set_xticks([]), axes[c + 1].set_yticks([])
axes[0].set_xlabel("relu2 channel")
axes[0].set_ylabel("weight")
axes[0].set_title("channel pattern", fontsize=10)
plt.show()

from mlviz.report import say

share = heatmaps.sum(axis=(0, 2, 3)) / heatmaps.sum()
top_channels = [np.argsort(c)[::-1][:3].tolist() for c in concepts]
by_class = np.stack([heatmaps[y.numpy() == d].sum(axis=(0, 2, 3)) for d in range(10)])
by_class = by_class / by_class.sum(1, keepdims=True)
d, c = np.unravel_index(np.argmax(by_class / share), by_class.shape)
say(
    f"With {k} concepts NMF rebuilds the relu2 activations with a relative error of "
    f"**{error:.0%}** (they explain {1 - error**2:.0%} of the activations' sum of "
    "squares)"
    + (
        ": a coarse summary. Much of what the layer encodes is left out; more "
        "concepts would lower the error and split the concepts further."
        if error > 0.3
        else "."
    )
    + " Shares of the total activation: "
    + ", ".join(
        f"concept {i} {s:.0%} (channels {top_channels[i]})" for i, s in enumerate(share)
    )
    + f". The concept most over-represented in one class: concept {c} in digit {d} "
    f"({by_class[d, c]:.0%} vs {share[c]:.0%} overall)."
)

# %%
# ## Where each concept sits: on the strokes or beside them
#
# The ink's gradient at a pixel points towards more ink: down at a pixel just above a
# stroke, left at a pixel just right of one. Averaging it over each concept's pixels
# (weighted by the concept's strength) says on which side of the strokes the concept
# lives; the share of its mass on ink pixels says whether it sits on them.
d_row, d_col = np.gradient(images, axis=(1, 2))  # towards more ink: +row is down
strength_of = up.transpose(1, 0, 2, 3)  # (k, N, 28, 28)
norm = (strength_of * np.hypot(d_row, d_col)).sum(axis=(1, 2, 3))
down = (strength_of * d_row).sum(axis=(1, 2, 3)) / norm
right = (strength_of * d_col).sum(axis=(1, 2, 3)) / norm
on_ink = (strength_of * (images > 0.3)).sum(axis=(1, 2, 3)) / strength_of.sum(
    axis=(1, 2, 3)
)


def side(c):
    """Words for where concept c sits relative to the strokes."""
    if max(abs(down[c]), abs(right[c])) < 0.35:
        return "no clear side"
    if abs(down[c]) >= abs(right[c]):
        return "above strokes" if down[c] > 0 else "below strokes"
    return "left of strokes" if right[c] > 0 else "right of strokes"


say(
    "Concept by concept, share of its mass on ink pixels and its side of the "
    "strokes: "
    + "; ".join(
        f"**concept {c}** {on_ink[c]:.0%} on ink, {side(c)} "
        f"(ink gradient down {down[c]:+.2f}, right {right[c]:+.2f})"
        for c in range(k)
    )
    + f" ({np.mean(images > 0.3):.0%} of all pixels are ink). "
    + (
        "Most concepts mark one side of the strokes: an edge orientation."
        if sum(side(c) != "no clear side" for c in range(k)) > k / 2
        else "Few concepts have a clear side: they mark parts of the strokes "
        "themselves."
    )
)

# %%
# ## How to read this figure
#
# * The same colour on two digits means the layer represents those parts alike. Look
#   for what a colour marks across digits; the finding above measures it: which side
#   of the strokes each concept occupies.
# * The concepts are found without labels; the mean-position maps, the side of the
#   strokes and the class shares tell what they are about.
#
# ## Pitfalls
#
# * **k is a choice.** More concepts split strokes into finer parts; check the
#   reconstruction error and stop when extra concepts no longer mean anything.
# * **Resolution.** The layer sees 14x14; the colours are upsampled and blur over 2x2
#   pixels.
# * **NMF needs non-negative activations**, i.e. a layer after a ReLU; and it is not
#   unique: a different seed may order or mix concepts differently.
