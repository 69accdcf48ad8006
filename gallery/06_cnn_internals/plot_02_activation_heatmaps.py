"""
# Activation heatmaps: one digit and a whole class

**Catalog F2** · **Question:** internals, one prediction · **Family:** neural network · **Phase:** after training · **Data:** MNIST

Summing a layer's feature maps over its channels gives one heatmap of *where the layer
is active* for an input. Averaging these heatmaps over every image of a class shows the
regions a layer typically uses for that class, and subtracting the average over all
classes shows what is specific to it. Unlike Grad-CAM (F3) these maps ignore the
output: they show activity, not evidence for a class.
"""

# %%
# ## Record the layers' outputs
#
# The gallery's shared CNN on the test part of the gallery's split of MNIST's official
# 10,000-image test set. Forward hooks (`ActivationsAndGradients`, released on leaving
# the `with` block) record `relu1` (16x28x28) and `relu2` (32x14x14).
import numpy as np
import torch

from mlviz.attribution import ActivationsAndGradients
from mlviz.config import QUICK
from mlviz.models import from_tensor, load_mnist_cnn, mnist_tensors

model = load_mnist_cnn().model
X, y = mnist_tensors("test", n=400 if QUICK else 2000)
y = y.numpy()
with torch.no_grad(), ActivationsAndGradients(model, [model.relu1, model.relu2]) as rec:
    rec(X)
heat = {
    name: a.mean(dim=1).numpy() for name, a in zip(["relu1", "relu2"], rec.activations)
}  # mean over channels
images = from_tensor(X)

# %%
# ## One digit
#
# The channel-mean of each layer, alone and drawn over the digit with `overlay` (the
# 14x14 map of `relu2` is first upsampled to 28x28 by bilinear interpolation).
import matplotlib.pyplot as plt
import torch.nn.functional as F

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.attribution import overlay


def upsample(m):
    return F.interpolate(
        torch.from_numpy(m)[None, None],
        size=(28, 28),
        mode="bilinear",
        align_corners=False,
    )[0, 0].numpy()


def scaled(m):
    return (m - m.min()) / max(m.max() - m.min(), 1e-12)


i = 0
fig, axes = plt.subplots(1, 5, figsize=(10, 2.5))
axes[0].imshow(images[i], cmap="gray_r")
axes[0].set_title(f"input ({y[i]})", fontsize=9)
for k, name in enumerate(heat):
    axes[1 + 2 * k].imshow(heat[name][i], cmap="magma_r")
    axes[1 + 2 * k].set_title(f"{name} mean map", fontsize=9)
    axes[2 + 2 * k].imshow(
        overlay(
            images[i],
            scaled(upsample(heat[name][i]) if name == "relu2" else heat[name][i]),
        )
    )
    axes[2 + 2 * k].set_title(f"{name} over the digit", fontsize=9)
for ax in axes:
    ax.set_xticks([]), ax.set_yticks([])
plt.show()

# %%
# ## Averaged over each class
#
# Top row: the mean image of each class. Middle: the mean `relu2` heatmap of the class.
# Bottom: that mean minus the mean over all images (red: more active than usual for
# this class, blue: less; one colour scale, symmetric around 0).
from mlviz.plotting import DIVERGING

classes = range(10)
mean_img = np.stack([images[y == c].mean(0) for c in classes])
mean_heat = np.stack([heat["relu2"][y == c].mean(0) for c in classes])
overall = heat["relu2"].mean(0)
diff = mean_heat - overall
lim = np.abs(diff).max()
fig, axes = plt.subplots(3, 10, figsize=(11, 3.9))
for c in classes:
    axes[0, c].imshow(mean_img[c], cmap="gray_r")
    axes[0, c].set_title(f"{c} (n={np.sum(y == c)})", fontsize=8)
    axes[1, c].imshow(mean_heat[c], cmap="magma_r", vmin=0, vmax=mean_heat.max())
    axes[2, c].imshow(diff[c], cmap=DIVERGING, vmin=-lim, vmax=lim)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
for r, name in enumerate(["mean image", "mean relu2", "minus overall"]):
    axes[r, 0].set_ylabel(name, fontsize=8)
plt.show()

from mlviz.report import say

corr = [
    np.corrcoef(upsample(mean_heat[c]).ravel(), mean_img[c].ravel())[0, 1]
    for c in classes
]
# Does the difference row follow the class's own ink (its mean image minus the mean
# of all images)?
ink_diff = mean_img - images.mean(0)
corr_diff = [
    np.corrcoef(upsample(diff[c]).ravel(), ink_diff[c].ravel())[0, 1] for c in classes
]
busiest = int(np.argmax(mean_heat.sum((1, 2))))
total = mean_heat.sum(axis=(1, 2))
say(
    f"Averaged over {len(y):,} digits, the class-mean relu2 heatmap correlates with "
    f"the class-mean image at r = {min(corr):.2f} to {max(corr):.2f} (median "
    f"{np.median(corr):.2f}), so the ink accounts for {min(corr) ** 2:.0%} to "
    f"{max(corr) ** 2:.0%} of how the activity varies over the frame (r²)"
    + (
        ": the second layer is active mostly where there is ink. "
        if min(corr) ** 2 > 0.5
        else "; activity and ink only partly coincide. "
    )
    + "The difference row correlates with the class's extra ink (its mean image "
    f"minus the mean of all digits) at r = {min(corr_diff):.2f} to "
    f"{max(corr_diff):.2f} (median {np.median(corr_diff):.2f}): "
    + (
        "red where the class has more ink than the average digit, blue where it has "
        "less. "
        if min(corr_diff) > 0.5
        else "the layer's extra activity only loosely follows the class's extra ink. "
    )
    + f"Class **{busiest}** has the most total activity, "
    f"{total[busiest] / total.mean():.2f}× the average class."
)

# %%
# ## How to read this figure
#
# * Dark means many channels fire strongly at that position. For ReLU layers the
#   heatmap is never negative.
# * The difference row is the useful one: it removes what all digits share (the centre
#   of the frame) and leaves where the class's activity differs from the average
#   digit's. It is not a picture of the class's extra ink: the finding above measures
#   how closely the two agree.
#
# ## Pitfalls
#
# * **Activity is not importance.** A position can be very active and irrelevant to the
#   decision (its channels get small weights downstream). Use Grad-CAM (F3) or
#   integrated gradients (D10) for evidence.
# * **Averaging channels mixes detectors.** One channel may fire for loops and another
#   for ends; the mean hides that. F6 separates them with NMF.
# * **Class means blur.** A mean heatmap of a class written in two styles (7 with and
#   without a bar) looks like neither.
