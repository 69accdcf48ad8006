"""
# Deep feature factorization on photographs: concepts, their names and their weight

**Catalog I8** · **Question:** internals · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

Deep feature factorization (Collins, Achanta and Süsstrunk, ECCV 2018) asks, without
a class: which few kinds of thing does the network see in these photos, and where?
Non-negative matrix factorization (NMF) of a late layer's activations, over all
positions of several photos at once, writes each position as a mix of a few channel
patterns, the *concepts*; coloured by their dominant concept, the photos fall into
regions found without labels, one colour per concept in every photo. This page
factorizes a pretrained EfficientNet-Lite0 on four photos, names the concepts with the
network's own classifier (as pytorch-grad-cam does) and measures what each carries.
"""

# %%
# ## The network, four photographs and the layer
#
# EfficientNet-Lite0 (ImageNet weights, offline) and four of scikit-image's photos,
# stretched to 224x224. NMF needs non-negative numbers, but the 16 blocks end in a
# *linear* bottleneck (both signs). The page factorizes the head's ReLU6 output: a 1x1
# convolution turns the last block's 320 maps into 1280 (7x7, one cell per 32x32
# pixels), which the classifier averages over the 49 positions before one linear
# layer, `model._fc`. The ReLU6 module is shared with the stem, so the hooks sit on the
# batch norms before it and the clamp to [0, 6] is applied by hand.
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import imagenet_class_names, load_efficientnet_lite0, photo_aspect
from mlviz.models import photo_tensors, to_display
from mlviz.report import claim, say

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee", "astronaut", "rocket"]
x = photo_tensors(photos)
images = to_display(x)  # (4, 224, 224, 3) in [0, 1]

kept = {}
hooks = [
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

# %%
# ## NMF, written out
#
# The features become a matrix `V`, one row per position of every photo (4 x 7 x 7 =
# 196) and one column per channel (1280). NMF looks for `V ~ W H` with `W` (196 x k)
# and `H` (k x 1280) non-negative: each row of `H` is a concept, a pattern over the
# channels; each row of `W` says how much of every concept one position holds. The
# multiplicative updates of Lee and Seung (2001) never raise `||V - W H||` and keep
# both factors non-negative: they multiply by ratios of non-negative numbers.
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
# From here on `mlviz.inspect.cnn.deep_feature_factorization` does the same with
# scikit-learn's NMF (another solver and start; NMF is unique only up to the order and
# scale of the concepts, and the page's tests find the same ten). `concept_overlay`
# draws them as pytorch-grad-cam does: maps upsampled to 224x224, each pixel in its
# dominant concept's colour, with an opacity that follows that concept's strength.
import matplotlib.pyplot as plt
from matplotlib.patches import Patch
from sklearn.preprocessing import normalize

from mlviz.inspect.cnn import deep_feature_factorization
from mlviz.plotting import concept_overlay, plot_photo_map

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def photo_shares(heatmaps):
    """(k, N): the share of each concept's total mass that lies in each photo."""
    return normalize(heatmaps.sum(axis=(2, 3)).T, norm="l1")


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
    for ax, image, maps, p in zip(row, images, by_k[kk][0], photos):
        overlay = concept_overlay(image, maps, palette[colour_of[kk]])
        title = p if kk == ks[0] else None
        plot_photo_map(overlay, ax=ax, aspect=photo_aspect(p), title=title)
    row[0].set_ylabel(f"k = {kk}\nerror {errors[kk]:.2f}", fontsize=10)
fig.suptitle("Concepts of the head's features for k = 2, 4, 6 and 10")
plt.show()

# %%
# The table counts the concepts holding at least 15% of each photo's mass (the large
# regions of one colour), and sets the error beside the best of *all* rank-k matrices
# (the truncated SVD). The first split is not "object against background": with two
# concepts most photos are one colour; with four, each photo has its own; with more,
# photos split into parts. The error stays high, and not by NMF's fault: no rank-10
# matrix leaves out less than half of the features, and NMF is within 5% of the best.
import pandas as pd

mass = {kk: by_k[kk][0].sum(axis=(2, 3)) for kk in ks}  # (N, kk)
counts = {kk: (m >= 0.15 * m.sum(1, keepdims=True)).sum(1) for kk, m in mass.items()}
singular = np.linalg.svd(V, compute_uv=False)
best = {kk: np.sqrt((singular[kk:] ** 2).sum() / (singular**2).sum()) for kk in ks}
claim(
    np.mean(counts[2] == 1) > 0.5
    and list(counts[4]) == [1] * n_photos
    and len(set(mass[4].argmax(1))) == n_photos  # one concept per photo
    and 0 < (counts[6] >= 2).sum() <= (counts[10] >= 2).sum() == n_photos
    and all(errors[kk] - best[kk] < 0.05 * errors[kk] for kk in ks)
    and best[10] > 0.5,
    "two concepts: most photos one colour; four: one per photo; more: photos split "
    "into parts; the best rank-10 error is above half, NMF's within 5% of the best",
    evidence=f"{counts}, {errors}, {best}",
)
pd.DataFrame(
    {"NMF error": errors, "best rank-k error": best}
    | {p: {kk: counts[kk][i] for kk in ks} for i, p in enumerate(photos)}
).rename_axis("k").round(3)

# %%
# ## An earlier layer shares its concepts
#
# Six concepts inside block 11 (`model._blocks[10]`, its ReLU6 after the depthwise
# convolution: 672 maps, 14x14), against the k = 6 row above; the legend lists the
# photos holding at least 10% of each concept. At the head each concept lives in one
# photo, as expected if the last layer codes *what* a thing is: the photos differ.
# Inside block 11 concepts are shared, but too far from the classifier to be named.
mid_heatmaps, _ = deep_feature_factorization(mid, 6, seed=SEED, max_iter=1000)
colours = np.array(plt.get_cmap("Dark2").colors[:6])
shares = {"head": photo_shares(by_k[6][0]), "block 11": photo_shares(mid_heatmaps)}
hosts = [np.array(photos)[s >= 0.1] for s in shares["block 11"]]

fig, axes = plt.subplots(1, 4, figsize=(12, 3.6), layout="constrained")
for ax, image, maps, p in zip(axes, images, mid_heatmaps, photos):
    overlay = concept_overlay(image, maps, colours)
    plot_photo_map(overlay, ax=ax, aspect=photo_aspect(p), title=p)
labels = [f"{j}: {', '.join(h)}" for j, h in enumerate(hosts)]
handles = [Patch(color=c, label=label) for c, label in zip(colours, labels)]
fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=9)
fig.suptitle("Block 11, six concepts")
plt.show()
main_share = pd.DataFrame({name: s.max(1) for name, s in shares.items()})
claim(
    main_share["head"].min() > 0.8 and np.mean([len(h) >= 2 for h in hosts]) > 0.5,
    "each head concept holds more than 80% of its mass in one photo; most of block "
    "11's hold at least 10% in two photos or more",
    evidence=f"{main_share}, {labels}",
)
main_share.rename_axis("concept").round(2)  # share of its mass in its main photo

# %%
# ## Ten concepts, named by the classifier
#
# A concept is a pattern over the 1280 features, so it can be fed to the classifier as
# a one-position image (the mean over one position is that position: the head reduces
# to `model._fc`), scaled to its strength at its strongest position (NMF leaves the
# scale free); the softmax gives its three most likely classes, as pytorch-grad-cam's
# `computation_on_concepts` does. Below, each photo with its concepts' first class.
strength = heatmaps.max(axis=(0, 2, 3))  # each concept's largest value anywhere
with torch.no_grad():
    at_full = torch.from_numpy(concepts * strength[:, None]).float()
    concept_proba = model._fc(at_full).softmax(1).double().numpy()
concept_top3 = np.argsort(-concept_proba, axis=1)[:, :3]
first = [names[c] for c in concept_top3[:, 0]]
dominant = heatmaps.argmax(1)  # (4, 7, 7): the strongest concept in each cell
n_cells = [int((dominant[i] == j).sum()) for j, i in enumerate(main_photo)]
claim(
    all(set(concept_top3[per_photo[i], 0]) == {top[i]} for i in (0, 1))
    and len({first[j] for j in per_photo[2]}) == len(per_photo[2]) >= 3,
    "the cat's and the coffee's concepts are named by their photo's class; each of "
    "the astronaut's (three or more) takes another name",
    evidence=str(first),
)
fig, axes = plt.subplots(2, 2, figsize=(12, 12), layout="constrained")
for i, ax in enumerate(axes.flat):
    title = f"{photos[i]}: {names[top[i]]} (p = {proba[i, top[i]]:.2f})"
    overlay = concept_overlay(images[i], heatmaps[i], palette)
    plot_photo_map(overlay, ax=ax, aspect=photo_aspect(photos[i]), title=title)
    handles = [Patch(color=palette[j], label=f"{j}: {first[j]}") for j in per_photo[i]]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=2)
plt.show()
pd.DataFrame(
    {
        "photo": np.array(photos)[main_photo],
        "cells it dominates": n_cells,
        "top three classes": [
            ", ".join(f"{names[c]} {concept_proba[j, c]:.2f}" for c in concept_top3[j])
            for j in range(k)
        ],
    }
)

# %%
# A photo of one object (the cat, the coffee) gives concepts named by its class; each
# of the astronaut's concepts takes another name. A name is the classifier's reading of
# one concept alone, without the rest of the photo: what it would vote for, not what
# it is (the region shows that).
#
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
        "logit": logit,
        "bias": fc_b[top],
        "own concepts": own,
        "other photos' concepts": contribution.sum(1) - own,
        "left out by NMF": left_out,
    },
    index=[f"{p}: {names[c]}" for p, c in zip(photos, top)],
).round(2)

# %%
# **In the photo.** Blur the cells a concept dominates (Gaussian, 8 pixels) and read
# the probability of the photo's class again, against the mask shifted across the grid
# (wrapping around): the same area and shape elsewhere. Bar: before; coloured dot: the
# concept's cells blurred; grey: its shifted copies. "Copies higher" is the share of
# copies that leave a higher probability, "overlap" the share of its cells they blur.
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
names_of = [f"{j}: {photos[i]}\n" + first[j] for j, i in enumerate(main_photo)]
ax.set_xticks(range(k), [n.replace(" ", "\n") for n in names_of])
ax.set(ylabel="probability of the photo's class", ylim=(0, 1))
ax.set_title("Blurring a concept's cells (dot), its shifted copies (grey), none (bar)")
plt.show()
higher = (shifted_p > mask_p[:, None]).mean(1)
strongest = [int(js[np.argmax(contribution[i, js])]) for i, js in enumerate(per_photo)]
other = [j for j in strongest if higher[j] <= 0.5]  # copies do as well
claim(
    len(other) < n_photos / 2 and all(overlap[other] > 0.5),
    "for most photos the strongest concept's cells lower p more than most shifted "
    "copies; where not, the copies overlap most of its cells",
    evidence=f"strongest {strongest}, higher {higher}, overlap {overlap}",
)
pd.DataFrame(
    {
        "logit term": contribution[main_photo, range(k)],
        "cells": n_cells,
        "copies higher": higher,
        "overlap": overlap,
    },
    index=[f"{j}: {photos[i]}, {first[j]}" for j, i in enumerate(main_photo)],
).round(2)

# %%
# For most photos, blurring the cells of the concept with the largest logit term lowers
# p more than most of its shifted copies; where not, the concept covers most of its
# photo, and its copies blur mostly the same cells. The sum asks "what if this concept
# were absent from the features", the blur "what if these pixels lost their detail".
#
# ## How to read these figures
#
# * A colour is a concept, a direction in feature space found without labels: the same
#   in every photo, its opacity the concept's strength, its name the classifier's.
# * The logit terms are exact for the layer and the factorization; the blurring checks
#   them in the photo, where a blur can also raise p by lowering a rival class.
#
# ## Pitfalls
#
# * **NMF is not unique, and k is a choice.** Another start may find other concepts,
#   and each added one lowers the error: compare runs; stop when new ones mean nothing.
# * **The batch decides the concepts.** A late layer's concepts for unrelated photos
#   are the photos; shared ones need photos that share something, or an earlier layer.
# * **The layer must be non-negative.** Factorize a ReLU output; a linear output made
#   positive (pytorch-grad-cam shifts each channel by its minimum) adds that shift.
# * **7x7 is coarse** (a cell is 32x32 pixels and sees far more): borders are smooth
#   guesses. **Masking tests depend on the mask**: name the blur, compare like shapes.
