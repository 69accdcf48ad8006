"""
# Grad-CAM and Grad-CAM++ on MNIST digits

**Catalog F3** · **Question:** one prediction, internals · **Family:** neural network · **Phase:** after training · **Data:** MNIST

A class activation map answers "where in the image is the evidence for this class?"
with the network's own feature maps. Grad-CAM weights each feature map of a late
convolution layer by how much the class score rises when that map rises (its average
gradient), sums the weighted maps and keeps the positive part. It needs one forward and
one backward pass, works on any CNN without retraining, and is coarse by design: the
map has the resolution of the chosen layer. Grad-CAM++ changes only the weights, so
that several separate pieces of evidence are not drowned by one large one. Asking for
a *wrong* class shows what, in this digit, argues for that class.

The same maps on a pretrained ImageNet network and real photographs, for two competing
classes: [I1](../09_imagenet/plot_01_grad_cam_photos.md); how faithful each map is:
[I4](../09_imagenet/plot_04_occlusion_faithfulness.md).
"""

# %%
# ## The network and a few test digits
#
# The gallery's shared CNN (`mlviz.models.load_mnist_cnn`, trained once per build) and
# digits from the test part of the gallery's split of MNIST's official 10,000-image
# test set, which the network never saw during training.
import numpy as np
import torch

from mlviz.config import QUICK
from mlviz.models import from_tensor, load_mnist_cnn, mnist_tensors, predict_proba

model = load_mnist_cnn().model
X, y = mnist_tensors("test", n=100 if QUICK else 500)
proba = predict_proba(model, X)
# one correctly classified example of each of six digits, for a compact figure
picked = [
    int(np.flatnonzero((y.numpy() == d) & (proba.argmax(1) == d))[0])
    for d in (0, 2, 3, 4, 7, 9)
]
x = X[picked]
images = from_tensor(x)
print("labels:", y[picked].tolist())

# %%
# ## How Grad-CAM works, written out
#
# A forward hook keeps the output `A` of `relu2` (32 maps of 14x14), and
# `torch.autograd.grad` gives the gradient of the class score with respect to it (the
# helper below records it with a tensor hook instead). The weights are the
# gradients averaged over the map, and the map is `ReLU(sum_k w_k A_k)`. That is all
# there is to Grad-CAM: here it is written out by hand for the first digit.
kept = {}
handle = model.relu2.register_forward_hook(lambda m, i, out: kept.update(A=out))
x0 = x[:1].clone().requires_grad_(True)
logits = model(x0)
A = kept["A"]
(dA,) = torch.autograd.grad(logits[0, logits.argmax()], A)
handle.remove()  # always remove hooks: they would fire on every later call
weights = dA.mean(dim=(2, 3))  # (1, 32): one weight per map
cam_by_hand = torch.relu((weights[:, :, None, None] * A).sum(1))  # (1, 14, 14)

# %%
# The helper package does the same in `mlviz.attribution.GradCAM`, whose only
# specific code is `get_cam_weights` (the average gradient); the base class runs the
# hooks, upsamples the 14x14 map to 28x28 and scales it to [0, 1]. (The gallery's
# tests check that the hand-written map and the helper's agree to rounding.)
from mlviz.attribution import ClassifierOutputTarget, GradCAM, GradCAMPlusPlus, overlay
from mlviz.report import rounding_tolerance, say

# %%
# ## Grad-CAM and Grad-CAM++ for the predicted class
#
# Both methods on the same layer, drawn over the digit with `overlay` (a pure function
# that returns an RGB array).
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

with (
    GradCAM(model, [model.relu2]) as gradcam,
    GradCAMPlusPlus(model, [model.relu2]) as gradcampp,
):
    maps = {"Grad-CAM": gradcam(x), "Grad-CAM++": gradcampp(x)}
    raw_right = gradcam.layer_cams(x)[0]  # before upsampling and scaling
    maps_A = gradcam.recorder.activations[0].numpy()  # relu2's maps and their gradients
    grads_A = gradcam.recorder.gradients[0].numpy()

fig, axes = plt.subplots(3, len(picked), figsize=(10, 5.4))
for j in range(len(picked)):
    axes[0, j].imshow(images[j], cmap="gray_r")
    axes[0, j].set_title(
        f"digit {y[picked[j]].item()}  (p={proba[picked[j]].max():.2f})", fontsize=9
    )
    for i, (name, m) in enumerate(maps.items(), start=1):
        axes[i, j].imshow(overlay(images[j], m[j], alpha=0.5))
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
for i, name in enumerate(["input", *maps]):
    axes[i, 0].set_ylabel(name)
fig.suptitle(
    "Class activation maps of the predicted class (layer relu2, 14x14, upsampled)"
)
plt.show()

ink = images > 0.3
# A map is empty when no position rises above what float32 rounding can make of a zero:
# 2 n eps times the size of the terms (|gradient| averaged over the map, times the map,
# summed over the 32 maps), n counting the sums on the way (conv1 10 terms, conv2 145,
# fc1's 64 backwards, 196 positions, 32 maps).
weight_size = np.abs(grads_A).mean(axis=(2, 3), keepdims=True)
size = (weight_size * maps_A).sum(axis=1).max(axis=(1, 2))
n_sums = 10 + 145 + 64 + 196 + 32
zero = [rounding_tolerance("float32", s, n_terms=n_sums) for s in size]
empty = raw_right.max(axis=(1, 2)) <= zero  # no position with positive evidence
nonempty = [j for j in range(len(picked)) if not empty[j]]
share_on_ink = {
    name: np.mean([(m[j] * ink[j]).sum() / m[j].sum() for j in nonempty])
    for name, m in maps.items()
}
corr = np.mean(
    [
        np.corrcoef(maps["Grad-CAM"][j].ravel(), maps["Grad-CAM++"][j].ravel())[0, 1]
        for j in nonempty
    ]
)
labels = [y[picked[j]].item() for j in range(len(picked))]
say(
    (
        "The Grad-CAM map of the "
        + ", ".join(str(labels[j]) for j in np.flatnonzero(empty))
        + " is **empty**: the weighted sum of its maps is negative or zero everywhere "
        "(up to float32 rounding), so the ReLU leaves nothing, although the network is "
        "sure of the class "
        f"(p = {proba[picked][empty].max(1).min():.2f}). "
        + (
            "Grad-CAM++, which keeps only positive gradients, still draws a map. "
            if maps["Grad-CAM++"][empty].max(axis=(1, 2)).min() > 0
            else "Grad-CAM++'s map of it is empty too. "
        )
        if empty.any()
        else ""
    )
    + f"Over the {len(nonempty)} non-empty maps, on average "
    f"**{share_on_ink['Grad-CAM']:.0%}** of the Grad-CAM mass and "
    f"**{share_on_ink['Grad-CAM++']:.0%}** of the Grad-CAM++ mass lie on ink pixels "
    f"({ink.mean():.0%} of the pixels are ink); the two maps correlate at "
    f"r = {corr:.2f}."
)

# %%
# ## The same digit, asked about a wrong class
#
# A target is a tiny callable that picks the explained score out of the output
# (`ClassifierOutputTarget(k)` picks logit `k`). Asking each digit about its
# runner-up class shows the strokes that make it look like that class. Maps are scaled
# per image: compare shapes, not brightness, across panels.
runner_up = np.argsort(proba[picked], axis=1)[:, -2]
wrong_targets = [ClassifierOutputTarget(int(c)) for c in runner_up]
with GradCAM(model, [model.relu2]) as gradcam:
    wrong_maps = gradcam(x, targets=wrong_targets)
    raw_wrong = gradcam.layer_cams(x, targets=wrong_targets)[0]

fig, axes = plt.subplots(2, len(picked), figsize=(10, 4.1))
for j in range(len(picked)):
    axes[0, j].imshow(overlay(images[j], maps["Grad-CAM"][j]))
    axes[0, j].set_title(f"as {labels[j]} (true)", fontsize=9)
    axes[1, j].imshow(overlay(images[j], wrong_maps[j]))
    p_wrong = proba[picked[j], runner_up[j]]
    axes[1, j].set_title(f"as {runner_up[j]} (p={p_wrong:.0e})", fontsize=9)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
plt.show()

mass_right, mass_wrong = raw_right.sum((1, 2)), raw_wrong.sum((1, 2))
larger = np.flatnonzero(mass_wrong > mass_right)
logit_gap = np.log(proba[picked, labels] / proba[picked, runner_up])
say(
    f"Before scaling, the runner-up's map has more mass than the predicted class's map "
    f"for **{len(larger)} of the {len(picked)}** digits"
    + (
        " ("
        + ", ".join(
            f"the {labels[j]} as {runner_up[j]}: {mass_wrong[j]:.2f} vs "
            f"{mass_right[j]:.2f}"
            for j in larger
        )
        + ")"
        if len(larger)
        else ""
    )
    + f", although the runner-up logit is {logit_gap.min():.1f} to "
    f"{logit_gap.max():.1f} below the true one. Grad-CAM keeps only the positive "
    "part of the weighted maps and stops at `relu2`: the evidence against a class, "
    "and what the later layers make of the maps, never appear. Its mass is not the "
    "score."
)

# %%
# ## How to read this figure
#
# * Warm colours mark where the chosen layer's features push the chosen class score
#   up; dark blue marks no positive contribution (an all-blue map is an empty one).
#   The map says *where*, not *what*.
# * Each map is scaled to [0, 1] on its own: a bright wrong-class map can be built on a
#   tiny score. Look at the unscaled mass (above) before comparing.
# * The resolution is that of `relu2` (14x14): one cell covers 2x2 pixels and, through
#   the receptive field, more. Do not read single-pixel detail.
#
# ## Pitfalls
#
# * **Not a faithfulness test.** A plausible map does not prove the model uses that
#   region: averaging the gradients over the map can mark positions whose features
#   the class score does not use (Draelos and Carin, 2020, HiResCAM). Check with
#   occlusion or deletion curves (I4) before drawing conclusions.
# * **The layer matters.** An early layer gives sharper but less class-specific maps; a
#   late one is coarse. On a tiny 28x28 network there is little room between them.
# * **ReLU hides the negative evidence.** Grad-CAM keeps only the positive part; where a
#   digit argues *against* a class is not shown (integrated gradients, D10, and SHAP,
#   F8, are signed).
# * **Remove hooks.** A forgotten hook keeps firing (and holding tensors) on every later
#   forward pass; use `with GradCAM(...)` or call `release()`.
