"""
# Deep feature factorization on photographs: concepts, their names and their weight

**Catalog I8** · **Question:** internals · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

A class activation map answers "where is the evidence for this class?". Deep feature
factorization (Collins, Achanta and Süsstrunk, ECCV 2018) asks a question without a
class: which few kinds of thing does the network see in these photos, and where? It
runs non-negative matrix factorization (NMF) on a late layer's activations at every
position of several photos at once. Each position becomes a non-negative mix of a few
channel patterns, the *concepts*; colouring each pixel by its dominant concept cuts
the photos into regions without any label, and a concept found in two photos gets one
colour in both. This page factorizes a pretrained EfficientNet-Lite0 on four photos,
names each concept with the network's own classifier (as pytorch-grad-cam's
`DeepFeatureFactorization` does), and measures how much of each prediction a concept
carries, in the features and by blurring the photo.
"""

# %%
# ## The network, four photographs and the layer
#
# EfficientNet-Lite0 with its ImageNet weights (offline, hash-checked) and four of
# scikit-image's photos, stretched to 224x224. NMF needs non-negative numbers, and the
# output of each of the 16 blocks is a *linear* bottleneck (a 1x1 projection and a
# batch norm), about half negative. The non-negative layers are the ReLU6 outputs. The
# page factorizes the head's: a 1x1 convolution turns the last block's 320 maps into
# 1280 (7x7, one cell per 32x32 pixels), and the classifier averages them over the 49
# positions and applies one linear layer, `model._fc` (pytorch-grad-cam factorizes the
# same place of a ResNet). The ReLU6 module also runs after the stem, so the hook sits
# on the batch norm before it and the clamp to [0, 6] is applied by hand (and the same
# inside block 11, for a comparison below).
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import (
    imagenet_class_names,
    load_efficientnet_lite0,
    photo_aspect,
    photo_tensors,
    to_display,
)
from mlviz.report import claim, say

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee", "astronaut", "rocket"]
x = photo_tensors(photos)
images = to_display(x)  # (4, 224, 224, 3) in [0, 1]

kept = {}
hooks = [
    model._blocks[-1].register_forward_hook(lambda m, i, o: kept.update(last=o)),
    model._bn1.register_forward_hook(lambda m, i, o: kept.update(head=o)),
    model._blocks[10]._bn1.register_forward_hook(lambda m, i, o: kept.update(mid=o)),
]
with torch.no_grad():
    logits = model(x).double().numpy()
for hook in hooks:
    hook.remove()  # always remove hooks: they would fire on every later call
features = kept["head"].clamp(0, 6).double().numpy()  # (4, 1280, 7, 7)
mid = kept["mid"].clamp(0, 6).double().numpy()  # block 11's, for a comparison below
proba = torch.from_numpy(logits).softmax(1).numpy()
top = proba.argmax(1)  # each photo's predicted class
negative = (kept["last"] < 0).double().mean().item()
say(
    f"Negative: {negative:.0%} of the last block's output. "
    f"Zero: {np.mean(features == 0):.0%} of the head's features."
)
claim(0.4 < negative < 0.6, "about half of a block's output is negative")

# %%
# ## NMF, written out
#
# The features become a matrix `V` with one row per position of every photo (4 x 7 x 7
# = 196 rows) and one column per channel (1280). NMF looks for `V ~ W H` with `W`
# (196 x k) and `H` (k x 1280) both non-negative: each row of `H` is a concept, a
# pattern over the channels, and each row of `W` says how much of every concept one
# position holds. The multiplicative updates of Lee and Seung (2001) never raise
# `||V - W H||` and keep both factors non-negative, since they only ever multiply by a
# ratio of non-negative numbers.
n_photos, n_channels, side, _ = features.shape
V = features.transpose(0, 2, 3, 1).reshape(-1, n_channels)
Vt, k = torch.from_numpy(V), 10
gen = torch.Generator().manual_seed(SEED)
start = (V.mean() / k) ** 0.5  # so that W H starts at the scale of V
W = start * torch.rand((len(V), k), generator=gen, dtype=torch.float64)
H = start * torch.rand((k, n_channels), generator=gen, dtype=torch.float64)
for _ in range(500):
    H *= (W.T @ Vt) / (W.T @ W @ H + 1e-12)
    W *= (Vt @ H.T) / (W @ (H @ H.T) + 1e-12)
error_by_hand = float(torch.linalg.norm(Vt - W @ H) / torch.linalg.norm(Vt))
say(f"`||V - W H|| / ||V||` with {k} concepts, 500 updates: **{error_by_hand:.3f}**.")

# %%
# From here on the page calls `mlviz.inspect.cnn.deep_feature_factorization`: the same
# reshape, then scikit-learn's NMF (coordinate descent from another start). NMF is
# unique only up to the order of the concepts and the scale each shares between `W`
# and `H`; the page's tests pair the concepts of the two runs and find the same ten.
# Each pixel below takes the colour of its dominant concept (the maps upsampled to
# 224x224), with an opacity that follows that concept's strength.
import matplotlib.pyplot as plt
import torch.nn.functional as F
from matplotlib.patches import Patch

from mlviz.inspect.cnn import deep_feature_factorization

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def photo_shares(heatmaps):
    """(k, N): the share of each concept's total mass that lies in each photo."""
    mass = heatmaps.sum(axis=(2, 3)).T
    return mass / mass.sum(1, keepdims=True)


def concept_image(image, maps, colours):
    """Colour each pixel of `image` by its dominant concept in `maps` (k, h, w)."""
    up = F.interpolate(torch.from_numpy(maps)[None], (224, 224), mode="bilinear")[0]
    strength = (up.max(0).values / up.max().clamp(min=1e-12)).numpy()
    alpha = 0.7 * np.sqrt(strength)[..., None]  # the square root lifts weak parts
    return (1 - alpha) * image + alpha * colours[up.argmax(0).numpy()]


def show_concepts(axes, heatmaps, colours):
    for i, ax in enumerate(axes):
        image = concept_image(images[i], heatmaps[i], colours)
        ax.imshow(image, aspect=photo_aspect(photos[i]))
        ax.set_xticks([]), ax.set_yticks([])


heatmaps, concepts = deep_feature_factorization(features, k, seed=SEED)
main_photo = photo_shares(heatmaps).argmax(1)
order = np.lexsort((-heatmaps.sum(axis=(0, 2, 3)), main_photo))  # by photo, then mass
heatmaps, concepts, main_photo = heatmaps[:, order], concepts[order], main_photo[order]
per_photo = [np.flatnonzero(main_photo == i) for i in range(n_photos)]

# %%
# ## The number of concepts
#
# The features factorized with 2, 4, 6 and 10 concepts. The ten concepts take ten
# colours; each smaller factorization takes its colours from the next larger one, by
# the smallest angle between channel patterns: a colour that persists down the figure
# is one concept that persists, a colour that appears is a concept split off.
from scipy.optimize import linear_sum_assignment
from sklearn.preprocessing import normalize

ks = (2, 4, 6, 10)
by_k = {kk: deep_feature_factorization(features, kk, seed=SEED) for kk in ks[:-1]}
by_k[k] = heatmaps, concepts
rebuilt = {kk: np.einsum("nkhw,kc->nhwc", *by_k[kk]).reshape(V.shape) for kk in ks}
errors = {kk: np.linalg.norm(V - r) / np.linalg.norm(V) for kk, r in rebuilt.items()}
colour_of = {k: np.arange(k)}  # index into the palette, for each concept
for small, large in zip(ks[-2::-1], ks[:0:-1]):  # 6 from 10, 4 from 6, 2 from 4
    cosines = normalize(by_k[small][1]) @ normalize(by_k[large][1]).T
    colour_of[small] = colour_of[large][linear_sum_assignment(-cosines)[1]]
palette = np.array(plt.get_cmap("tab10").colors)
palette[7] = (0.11, 0.62, 0.47)  # a teal instead of tab10's grey, which would vanish

fig, axes = plt.subplots(len(ks), 4, figsize=(12, 3.0 * len(ks)))
for row, kk in zip(axes, ks):
    show_concepts(row, by_k[kk][0], palette[colour_of[kk]])
    row[0].set_ylabel(f"k = {kk}\nerror {errors[kk]:.2f}", fontsize=10)
for ax, p in zip(axes[0], photos):
    ax.set_title(p)
fig.suptitle("Concepts of the head's features for k = 2, 4, 6 and 10")
plt.show()

# %%
# The first split is not "object versus background": two concepts group whole photos
# whose features are alike; with four, each photo gets its own concept; with more, the
# concepts split photos into parts. Below, how many concepts hold at least 15% of each
# photo's mass (the large regions of one colour). The error stays high, and not by
# NMF's fault: the truncated SVD, the best of *all* rank-k matrices (signs allowed),
# leaves out nearly as much: the features (mostly zeros) are far from any low-rank
# matrix.
mass = {kk: by_k[kk][0].sum(axis=(2, 3)) for kk in ks}  # (N, kk)
counts = {kk: (m >= 0.15 * m.sum(1, keepdims=True)).sum(1) for kk, m in mass.items()}
singular = np.linalg.svd(V, compute_uv=False)
best = {kk: np.sqrt((singular[kk:] ** 2).sum() / (singular**2).sum()) for kk in ks}
say(
    "\n".join(
        f"* **k = {kk}**: error {errors[kk]:.3f}, best rank {kk} {best[kk]:.3f}; "
        + ", ".join(f"{p} {c}" for p, c in zip(photos, counts[kk]))
        for kk in ks
    )
)
split = {kk: int((counts[kk] >= 2).sum()) for kk in ks}
claim(
    np.mean(counts[2] == 1) > 0.5
    and list(counts[4]) == [1] * n_photos
    and len(set(mass[4].argmax(1))) == n_photos  # one concept per photo
    and split[4] < split[6] <= split[10] == n_photos
    and all(errors[kk] - best[kk] < 0.05 for kk in ks),
    "two concepts group photos, four give one per photo, more split them into "
    "parts; the error is within 0.05 of the best rank-k matrix's",
    evidence=f"{counts}, {errors}, {best}",
)

# %%
# ## An earlier layer shares its concepts
#
# The same with six concepts inside block 11 (`model._blocks[10]`, its ReLU6 after the
# depthwise convolution: 672 maps, 14x14), compared with the k = 6 row above; the
# legend lists the photos that hold at least 10% of each concept. At the head each
# concept lives in one photo: the photos show different things, and the last layer
# codes *what* a thing is. Inside block 11 most concepts are shared between photos.
# They are finer, but the classifier cannot name them: five more blocks separate them
# from it.
mid_heatmaps, _ = deep_feature_factorization(mid, 6, seed=SEED, max_iter=1000)
colours = np.array(plt.get_cmap("Dark2").colors[:6])
fig, axes = plt.subplots(1, 4, figsize=(12, 3.6), layout="constrained")
show_concepts(axes, mid_heatmaps, colours)
hosts = [", ".join(np.array(photos)[s >= 0.1]) for s in photo_shares(mid_heatmaps)]
handles = [Patch(color=colours[j], label=f"{j}: {h}") for j, h in enumerate(hosts)]
fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=9)
fig.suptitle("Block 11, six concepts")
plt.show()
main_share = {"head": photo_shares(by_k[6][0]), "block 11": photo_shares(mid_heatmaps)}
main_share = {name: shares.max(1) for name, shares in main_share.items()}
say(
    "Share of each concept's mass in its main photo: "
    + "; ".join(f"{name} {np.round(s, 2).tolist()}" for name, s in main_share.items())
)
claim(
    min(main_share["head"]) > 0.8 and np.mean(main_share["block 11"] < 0.8) > 0.5,
    "each head concept holds more than 80% of its mass in one photo; most of block "
    "11's do not",
    evidence=str(main_share),
)

# %%
# ## Ten concepts, named by the classifier
#
# A concept is a pattern over the 1280 features, so it can be fed to the classifier as
# a one-position image: the mean over one position is that position, so the head
# reduces to `model._fc`. The concept is scaled to its strength at its strongest
# position (NMF leaves the scale free), and the softmax gives its three most likely
# classes. Pytorch-grad-cam names concepts the same way (`computation_on_concepts`).
import pandas as pd

strength = heatmaps.max(axis=(0, 2, 3))  # each concept's largest value anywhere
with torch.no_grad():
    at_full = torch.from_numpy(concepts * strength[:, None]).float()
    concept_proba = model._fc(at_full).softmax(1).double().numpy()
concept_top3 = np.argsort(-concept_proba, axis=1)[:, :3]
first = [names[c] for c in concept_top3[:, 0]]
dominant = heatmaps.argmax(1)  # (4, 7, 7): the strongest concept in each cell
n_cells = [int((dominant[i] == j).sum()) for j, i in enumerate(main_photo)]
top3 = [
    ", ".join(f"{names[c]} {concept_proba[j, c]:.2f}" for c in concept_top3[j])
    for j in range(k)
]
claim(
    all(set(concept_top3[per_photo[i], 0]) == {top[i]} for i in (0, 1))
    and len(set(concept_top3[per_photo[2], 0])) >= 3,
    "the cat's and the coffee's concepts are named by their photo's class; the "
    "astronaut's take at least three names",
    evidence=str(first),
)
pd.DataFrame(
    {
        "photo": np.array(photos)[main_photo],
        "share in that photo": photo_shares(heatmaps).max(1).round(2),
        "cells it dominates": n_cells,
        "top three classes": top3,
    }
)

# %%
# Where a photo is one object (the cat, the coffee), its concepts take the photo's
# class. Where a photo holds several things (the astronaut's helmet, suit, flag and
# shuttle), the concepts tell them apart. A name is only the classifier's reading of
# one concept alone, at full strength, without the rest of the photo, and it can be
# odd: it says what the concept would vote for, not what it is. Below, each photo
# large, its concepts coloured as above, each concept's first class in the legend.
heights = [max(photo_aspect(p) for p in pair) for pair in (photos[:2], photos[2:])]
fig = plt.figure(figsize=(12, 1.6 + 6 * sum(heights)))
for i, sub in enumerate(fig.subfigures(2, 2, height_ratios=heights).flat):
    ax = sub.subplots()
    ax.imshow(
        concept_image(images[i], heatmaps[i], palette), aspect=photo_aspect(photos[i])
    )
    ax.set_title(f"{photos[i]}: {names[top[i]]} (p = {proba[i, top[i]]:.2f})")
    ax.set_xticks([]), ax.set_yticks([])
    handles = [Patch(color=palette[j], label=f"{j}: {first[j]}") for j in per_photo[i]]
    sub.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=9.5)
plt.show()

# %%
# ## How much of the prediction each concept carries
#
# **In the features.** The logit of class `c` is `b_c + w_c . mean(F)` over the 49
# positions `F` of the photo, and `F ~ W H`, so it splits exactly into the bias, one
# term per concept, `mean(W[:, j]) (w_c . H_j)`, and the part NMF leaves out,
# `w_c . mean(F - W H)`, here for each photo's predicted class. The sum matches the
# network's float32 logit up to the rounding of a mean of 49 and a sum of 1280 terms.
from mlviz.report import rounding_tolerance

fc_w, fc_b = model._fc.weight.double().numpy(), model._fc.bias.double().numpy()
W_photo = heatmaps.reshape(n_photos, k, -1)  # (4, k, 49)
F_photo = features.reshape(n_photos, n_channels, -1)  # (4, 1280, 49)
contribution = W_photo.mean(2) * (fc_w[top] @ concepts.T)  # (4, k)
left_out = np.einsum("nc,ncp->n", fc_w[top], F_photo - concepts.T @ W_photo) / side**2
logit = logits[range(n_photos), top]
own = np.array([contribution[i, per_photo[i]].sum() for i in range(n_photos)])
scale = np.abs(fc_w[top] * F_photo.mean(2)).sum(1) + np.abs(fc_b[top])
tolerance = [rounding_tolerance("float32", s, n_channels + side**2) for s in scale]
gap = np.abs(fc_b[top] + contribution.sum(1) + left_out - logit)
claim(
    all(gap <= tolerance) and all(own > 0.5 * logit),
    "the terms add up to the logit; each photo's own concepts carry most of it",
    evidence=f"gaps {gap}, tolerances {tolerance}, own {own}, logits {logit}",
)
pd.DataFrame(
    {
        "class": [names[c] for c in top],
        "logit": logit,
        "bias": fc_b[top],
        "own concepts": own,
        "other photos' concepts": contribution.sum(1) - own,
        "left out by NMF": left_out,
    },
    index=photos,
).round(2)

# %%
# **In the photo.** Blur the cells a concept dominates (Gaussian, 8 pixels) and read
# the probability of the photo's class again. The comparison: the same mask shifted
# across the grid (wrapping around), the same area and shape elsewhere in the photo.
# In the figure, the black bar is the probability before, the coloured dot after
# blurring the concept's cells, the grey dots after blurring its shifted copies.
from textwrap import fill

from scipy.ndimage import gaussian_filter

blurred = np.stack([gaussian_filter(im, sigma=(8, 8, 0)) for im in images])
shifts = [(dy, dx) for dy in range(side) for dx in range(side) if dy or dx]
shifts = shifts[:: 6 if QUICK else 3]  # 8 or 16 of the 48, spread over the grid
mask_p, shifted_p, overlap = np.zeros(k), np.zeros((k, len(shifts))), np.zeros(k)
for j, i in enumerate(main_photo):
    cells = dominant[i] == j
    masks = [cells] + [np.roll(cells, s, axis=(0, 1)) for s in shifts]
    up = np.stack([np.kron(m, np.ones((32, 32), bool))[..., None] for m in masks])
    batch = torch.from_numpy(2 * np.where(up, blurred[i], images[i]) - 1)
    with torch.no_grad():
        p = model(batch.permute(0, 3, 1, 2)).softmax(1)[:, top[i]].double().numpy()
    mask_p[j], shifted_p[j] = p[0], p[1:]
    overlap[j] = np.mean([(m & cells).sum() / cells.sum() for m in masks[1:]])
before = proba[main_photo, top[main_photo]]

fig, ax = plt.subplots(figsize=(12, 4.5))
ax.scatter(np.repeat(range(k), len(shifts)), shifted_p.ravel(), s=14, color="0.6")
ax.scatter(range(k), mask_p, s=90, color=palette[:k], ec="k", zorder=3)
ax.hlines(before, np.arange(k) - 0.35, np.arange(k) + 0.35, color="k", lw=2)
ax.set_xticks(
    range(k),
    [f"{j}: {photos[i]}\n{fill(first[j], 12)}" for j, i in enumerate(main_photo)],
)
ax.set(ylabel="probability of the photo's class", ylim=(0, 1))
ax.set_title("Blurring a concept's cells (dot), its shifted copies (grey), none (bar)")
plt.show()

# %%
# The two measures side by side. "Copies higher" is the share of shifted copies that
# leave a higher probability than the concept's own mask, "overlap" the share of the
# concept's cells a shifted copy blurs too. They need not agree: the sum asks "what if
# this concept were absent from the features", the blur "what if these pixels lost
# their detail", and at this depth a unit sees far beyond its cell. A concept that
# covers most of its photo cannot be told from its shifted copies: they blur mostly
# the same cells. And a probability is a share: a blur can raise it by lowering a rival.
higher = (shifted_p > mask_p[:, None]).mean(1)
strongest = [js[np.argmax(contribution[i, js])] for i, js in enumerate(per_photo)]
other = [j for j in strongest if higher[j] <= 0.5]
say(
    f"Each photo's strongest concept in the sum ({', '.join(map(str, strongest))}): "
    "blurring its cells lowers the probability more than blurring most of its shifted "
    f"copies, in {n_photos - len(other)} of {n_photos} photos"
    + "".join(f"; not concept {j}, over {n_cells[j]} of 49 cells" for j in other)
    + "."
)
claim(
    all(mask_p[strongest] < before[strongest]) and all(overlap[other] > 0.5),
    "blurring each photo's strongest concept lowers its class's probability; where "
    "shifted copies do so as well, they overlap most of its cells",
    evidence=f"blurred {mask_p[strongest]}, higher {higher}, overlap {overlap}",
)
pd.DataFrame(
    {
        "photo": np.array(photos)[main_photo],
        "logit term": contribution[main_photo, range(k)],
        "cells": n_cells,
        "p before": before,
        "p blurred": mask_p,
        "p shifted (mean)": shifted_p.mean(1),
        "copies higher": higher,
        "overlap": overlap,
    }
).round(2)

# %%
# ## How to read these figures
#
# * A colour is a concept, a direction in the layer's feature space found without
#   labels; the same colour in two photos is the same concept, and the opacity is its
#   strength. The names are the classifier's reading of each concept alone.
# * The terms of the logit sum are exact for the layer and the factorization; the
#   blurring numbers check them in the photo. Where they disagree, trust neither alone.
#
# ## Pitfalls
#
# * **NMF is not unique, and k is a choice.** Another start or solver may find other
#   concepts for the same k, and the error falls with every added concept: compare
#   runs, and stop when new concepts no longer mean anything.
# * **The batch decides the concepts.** With photos of different things, a late
#   layer's first concepts are the photos themselves; shared concepts need photos
#   that share something, or an earlier layer, whose concepts cannot be named directly.
# * **The layer must be non-negative.** Factorize a ReLU output, not a linear block
#   output (pytorch-grad-cam shifts every channel by its minimum instead; the concepts
#   then include that shift).
# * **7x7 is coarse** (one cell is 32x32 pixels, and sees far more): concept borders
#   are smooth guesses, not segmentations. **Masking tests depend on the mask**: say
#   which blur or fill you used, and compare with masks of the same shape.
