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
colour in both. This page factorizes a pretrained EfficientNet-Lite0 on four
photographs, writes the NMF out, names each concept with the network's own classifier
(as pytorch-grad-cam's `DeepFeatureFactorization` does), and measures how much of
each prediction a concept carries, in the features and by masking the photo.
"""

# %%
# ## The network and four photographs
#
# EfficientNet-Lite0 with its ImageNet weights (`mlviz.models.load_efficientnet_lite0`,
# offline, hash-checked) and four of scikit-image's photos, stretched to 224x224 and
# scaled to [-1, 1]; they are drawn with their original proportions.
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

torch.set_num_threads(1)  # as mlviz's helpers do: faster on a small shared CPU

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee", "astronaut", "rocket"]
x = photo_tensors(photos)
images = to_display(x)  # (4, 224, 224, 3) in [0, 1]

# %%
# ## Which layer: NMF needs non-negative numbers
#
# The output of each of the 16 blocks (`model._blocks[b]`) is a *linear* bottleneck:
# a 1x1 projection and a batch norm, with no activation after them, so about half of
# its values are negative and NMF cannot take it. The non-negative layers are the
# ReLU6 outputs: inside every block, after its depthwise convolution, and in the head,
# where a 1x1 convolution turns the last block's 320 maps into 1280 (7x7). The
# classifier averages those 1280 maps over the 49 positions and applies one linear
# layer, `model._fc`. Two candidates are recorded:
#
# * **the head's features** (1280 maps, 7x7, one cell per 32x32 pixels), the layer
#   the classifier reads; for a ResNet, pytorch-grad-cam factorizes the same place
#   (the last stage, before the pooling);
# * **block 11's inner ReLU6** (`model._blocks[10]`, 672 maps, 14x14, one cell per
#   16x16 pixels), for finer parts.
#
# Both ReLU6 modules run more than once per forward pass (the head's also after the
# stem, a block's also after its expansion), so the hooks sit on the batch norms
# before them and the clamp to [0, 6] is applied by hand.
kept = {}
hooks = [
    model._blocks[-1].register_forward_hook(lambda m, i, out: kept.update(last=out)),
    model._bn1.register_forward_hook(lambda m, i, out: kept.update(head=out)),
    model._blocks[10]._bn1.register_forward_hook(
        lambda m, i, out: kept.update(mid=out)
    ),
]
with torch.no_grad():
    logits = model(x)
for hook in hooks:
    hook.remove()  # always remove hooks: they would fire on every later call
features = kept["head"].clamp(0, 6).double().numpy()  # (4, 1280, 7, 7)
mid = kept["mid"].clamp(0, 6).double().numpy()  # (4, 672, 14, 14)
logits = logits.double().numpy()
proba = np.exp(logits - logits.max(1, keepdims=True))
proba /= proba.sum(1, keepdims=True)
top = proba.argmax(1)

# the classifier, written out: mean over the 49 positions, then the linear layer
fc_w, fc_b = model._fc.weight.double().numpy(), model._fc.bias.double().numpy()
gap = np.abs(features.mean(axis=(2, 3)) @ fc_w.T + fc_b - logits).max()
say(
    "Predicted: "
    + ", ".join(
        f"**{p}** {names[top[i]]} (p = {proba[i, top[i]]:.2f})"
        for i, p in enumerate(photos)
    )
    + f". Negative values: **{(kept['last'] < 0).float().mean():.0%}** of the last "
    f"block's output. Zeros after the ReLU6: {np.mean(features == 0):.0%} of the "
    f"head's features, {np.mean(mid == 0):.0%} of block 11's. The classifier "
    f"rebuilt from the head's features matches the logits to {gap:.1e}."
)
claim(
    gap < 1e-4 and 0.4 < (kept["last"] < 0).float().mean() < 0.6,
    "the last block's output is signed; the classifier is a mean and a linear layer "
    "on the head's features",
    evidence=f"gap {gap:.1e}",
)

# %%
# ## NMF, written out
#
# The head's features become a matrix `V` with one row per position of every photo
# (4 x 7 x 7 = 196 rows) and one column per channel (1280). NMF looks for `V ~ W H`
# with `W` (196 x k) and `H` (k x 1280) both non-negative: each row of `H` is a
# concept, a pattern over the channels, and each row of `W` says how much of every
# concept one position holds. The multiplicative updates of Lee and Seung (2001)
# never raise `||V - W H||` and keep both factors non-negative, since they only ever
# multiply by a ratio of non-negative numbers. Ten concepts here (the
# effect of their number is measured below).
n_photos, n_channels, side, _ = features.shape
V = torch.from_numpy(features.transpose(0, 2, 3, 1).reshape(-1, n_channels))
k = 10
gen = torch.Generator().manual_seed(SEED)
start = (V.mean().item() / k) ** 0.5  # so that W H starts at the scale of V
W = start * torch.rand((len(V), k), generator=gen, dtype=torch.float64)
H = start * torch.rand((k, n_channels), generator=gen, dtype=torch.float64)
for _ in range(500):
    H *= (W.T @ V) / (W.T @ W @ H + 1e-12)
    W *= (V @ H.T) / (W @ (H @ H.T) + 1e-12)
error_by_hand = float(torch.linalg.norm(V - W @ H) / torch.linalg.norm(V))

# %%
# `mlviz.inspect.cnn.deep_feature_factorization` does the same reshape and calls
# scikit-learn's NMF (another solver, coordinate descent, and another start). NMF's
# answer is unique only up to the order of the concepts and the scale each shares
# between `W` and `H`, so the check pairs the concepts by the angle between their
# channel patterns and compares the patterns scaled to unit length.
from scipy.optimize import linear_sum_assignment

from mlviz.inspect.cnn import deep_feature_factorization


def relative_error(heatmaps, concepts, activations):
    """||V - W H|| / ||V|| for (N, k, h, w) heatmaps and (k, K) concepts."""
    V = activations.transpose(0, 2, 3, 1).reshape(-1, activations.shape[1])
    W = heatmaps.transpose(0, 2, 3, 1).reshape(-1, heatmaps.shape[1])
    return np.linalg.norm(V - W @ concepts) / np.linalg.norm(V)


def unit_rows(M):
    return M / np.linalg.norm(M, axis=1, keepdims=True)


heatmaps, concepts = deep_feature_factorization(features, k, seed=SEED)
cosines = unit_rows(concepts) @ unit_rows(H.numpy()).T
rows, cols = linear_sum_assignment(-cosines)
pattern_gap = np.abs(unit_rows(concepts)[rows] - unit_rows(H.numpy())[cols]).max()
error_helper = relative_error(heatmaps, concepts, features)
say(
    f"Relative error `||V - W H|| / ||V||` with {k} concepts: **{error_by_hand:.4f}** "
    f"by hand, **{error_helper:.4f}** with the helper. Paired concepts: smallest "
    f"cosine {cosines[rows, cols].min():.4f}, largest difference between the "
    f"unit-length patterns {pattern_gap:.1e}."
)
claim(
    abs(error_by_hand - error_helper) < 1e-3 and cosines[rows, cols].min() > 0.99,
    "the hand-written NMF and the helper find the same ten concepts",
    evidence=f"errors {error_by_hand:.5f} {error_helper:.5f}, cosines "
    f"{np.round(cosines[rows, cols], 4)}",
)

# %%
# ## Two layers compared
#
# Six concepts at each candidate layer, from the helper. Each pixel takes the colour of
# its dominant concept (the concept maps upsampled bilinearly to 224x224), with an
# opacity that follows that concept's strength (relative to the largest concept value in
# the photo): faint colour, little of any concept there. One colour is one concept in
# all four photos; the two rows use separate palettes, since the two layers' concepts
# are unrelated. The legend lists the photos that hold at least 10% of each concept.
import matplotlib.pyplot as plt
import torch.nn.functional as F
from matplotlib.patches import Patch

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def upsample(maps):
    """(..., h, w) concept maps -> (..., 224, 224), bilinear."""
    t = torch.as_tensor(np.asarray(maps, dtype=np.float64))
    flat = t.reshape(-1, 1, *t.shape[-2:])
    up = F.interpolate(flat, size=(224, 224), mode="bilinear")
    return up.reshape(*t.shape[:-2], 224, 224).numpy()


def concept_image(image, maps, colours):
    """Colour each pixel by its dominant concept, opacity by that concept's strength.

    maps: (k, h, w) of one photo; colours: (k, 3) RGB in [0, 1].
    """
    up = upsample(maps)  # (k, 224, 224)
    strength = up.max(0) / max(up.max(), 1e-12)
    alpha = 0.7 * np.sqrt(strength)[..., None]  # the square root lifts weak parts
    return (1 - alpha) * image + alpha * colours[up.argmax(0)]


def photo_shares(heatmaps):
    """(k, N): the share of each concept's total mass that lies in each photo."""
    mass = heatmaps.sum(axis=(2, 3)).T  # (k, N)
    return mass / mass.sum(1, keepdims=True)


def hosts(heatmaps, floor=0.1):
    """For each concept, the photos holding at least `floor` of its mass."""
    return [
        [photos[i] for i in np.flatnonzero(s >= floor)] for s in photo_shares(heatmaps)
    ]


layers = {"head, 7x7": features, "block 11, 14x14": mid}
palettes = {"head, 7x7": "tab10", "block 11, 14x14": "Dark2"}
six, layer_error = {}, {}
for name, acts in layers.items():
    six[name] = deep_feature_factorization(acts, 6, seed=SEED, max_iter=1000)
    layer_error[name] = relative_error(*six[name], acts)

fig = plt.figure(figsize=(12, 8.4))
for sub, name in zip(fig.subfigures(2, 1), layers):
    colours = np.array(plt.get_cmap(palettes[name]).colors[:6])
    maps = six[name][0]
    for ax, i in zip(sub.subplots(1, 4), range(n_photos)):
        ax.imshow(
            concept_image(images[i], maps[i], colours), aspect=photo_aspect(photos[i])
        )
        ax.set_xticks([]), ax.set_yticks([])
    sub.suptitle(
        f"{name}: six concepts, relative error {layer_error[name]:.2f}", fontsize=11
    )
    sub.legend(
        handles=[
            Patch(color=colours[j], label=f"{j}: {', '.join(h)}")
            for j, h in enumerate(hosts(maps))
        ],
        loc="outside lower center",
        ncol=3,
        fontsize=9,
    )
plt.show()

spread = {name: [len(h) for h in hosts(six[name][0])] for name in layers}
say(
    "\n".join(
        f"* **{name}**: relative error {layer_error[name]:.2f}; photos holding at "
        f"least 10% of each concept: {spread[name]} "
        f"({sum(s > 1 for s in spread[name])} of 6 concepts shared)."
        for name in layers
    )
)
claim(
    sum(s > 1 for s in spread["block 11, 14x14"])
    > sum(s > 1 for s in spread["head, 7x7"]),
    "block 11's concepts are shared between photos more often than the head's",
    evidence=str(spread),
)

# %%
# The two layers see differently. At the head, each of the six concepts lives in one
# photo: it is that photo's object, or a large part of it (the photos show different
# things, and the last layer codes *what* a thing is). Inside block 11 the concepts are
# shared: one, found in all four photos, covers most of what surrounds the objects, and
# the others mark smaller things that several photos have; in the figure, the cat's
# eyes, the cup with the astronaut's face and the cat's nose, the rocket's towers. They
# are finer, but the classifier cannot name them: the rest of block 11 and five more
# blocks separate them from it. This page goes on with the head, where naming a concept
# and weighing it in the prediction are exact (one mean and one linear layer), and asks
# whether its concepts split into parts when there are more of them.
claim(
    spread["head, 7x7"] == [1] * 6 and max(spread["block 11, 14x14"]) == n_photos,
    "each head concept lives in one photo; one block-11 concept is in all four",
    evidence=str(spread),
)


# %%
# ## The number of concepts
#
# The head's features factorized with 2, 4, 6 and 10 concepts. The ten concepts
# found above are sorted by the photo that holds most of each, and take the ten
# colours in that order. Each smaller factorization takes its colours from the next
# larger one, concept by concept, by the smallest angle between their channel
# patterns: a colour that persists down the figure is one concept that persists,
# and a colour that appears is a concept split off. The row title gives the relative
# reconstruction error; below the figure, for each number, which photos each
# concept lives in and how many concepts cover each photo.
import itertools

main_photo = photo_shares(heatmaps).argmax(1)
order = sorted(range(k), key=lambda j: (main_photo[j], -heatmaps[:, j].sum()))
heatmaps, concepts, main_photo = heatmaps[:, order], concepts[order], main_photo[order]

ks = (2, 4, 6, 10)
by_k = {kk: deep_feature_factorization(features, kk, seed=SEED) for kk in ks[:-1]}
by_k[k] = heatmaps, concepts  # the ten concepts above, sorted
errors = {kk: relative_error(*by_k[kk], features) for kk in ks}
colour_of = {k: np.arange(k)}  # index into the palette, for each concept
for small, large in zip(ks[-2::-1], ks[:0:-1]):  # 6 from 10, 4 from 6, 2 from 4
    angle = unit_rows(by_k[small][1]) @ unit_rows(by_k[large][1]).T
    _, match = linear_sum_assignment(-angle)  # one distinct larger concept each
    colour_of[small] = colour_of[large][match]
palette = np.array(plt.get_cmap("tab10").colors)
palette[7] = (0.11, 0.62, 0.47)  # a teal instead of tab10's grey, which would vanish

fig, axes = plt.subplots(len(ks), 4, figsize=(12, 3.0 * len(ks)))
for row, kk in zip(axes, ks):
    colours = palette[colour_of[kk]]
    for ax, i in zip(row, range(n_photos)):
        ax.imshow(
            concept_image(images[i], by_k[kk][0][i], colours),
            aspect=photo_aspect(photos[i]),
        )
        ax.set_xticks([]), ax.set_yticks([])
    row[0].set_ylabel(f"k = {kk}\nerror {errors[kk]:.2f}", fontsize=10)
for ax, p in zip(axes[0], photos):
    ax.set_title(p)
fig.suptitle("Concepts of the head's features for k = 2, 4, 6 and 10")
plt.show()


def parts_per_photo(heatmaps, floor=0.15):
    """For each photo, the concepts holding at least `floor` of its mass."""
    mass = heatmaps.sum(axis=(2, 3))  # (N, k)
    return [np.flatnonzero(m >= floor * m.sum()) for m in mass]


counts = {kk: [len(c) for c in parts_per_photo(by_k[kk][0])] for kk in ks}
say(
    "\n".join(
        f"* **k = {kk}** (error {errors[kk]:.2f}): concepts live in "
        + "; ".join("+".join(h) for h in hosts(by_k[kk][0]))
        + ". Concepts holding at least 15% of each photo: "
        + ", ".join(f"{p} {c}" for p, c in zip(photos, counts[kk]))
        + "."
        for kk in ks
    )
)
own = [c[0] for c in parts_per_photo(by_k[4][0])]  # each photo's concept, k = 4
claim(
    all(errors[a] > errors[b] for a, b in itertools.pairwise(ks))
    and any(len(h) > 1 for h in hosts(by_k[2][0]))
    and counts[4] == [1] * n_photos
    and len(set(own)) == n_photos
    and min(counts[k]) >= 2,
    "the error falls with k; two concepts mix photos, four give one per photo",
    evidence=f"{errors}, {counts}",
)

# %%
# The first split is not "object versus background": with two concepts, NMF groups
# whole photos whose features are alike; with four, each photo gets its own concept.
# Then the concepts split photos into parts: with six, the coffee and the
# astronaut; with ten, also the cat and the rocket. The error stays high (more than
# 40% of the features' norm is left out even with ten concepts): the head's features
# are sparse (mostly zeros), and a sparse matrix is far from any matrix of rank ten.
claim(
    counts[6][0] == counts[6][3] == 1
    and min(counts[6][1:3]) >= 2
    and min(counts[10]) >= 2
    and errors[10] > 0.4
    and np.mean(features == 0) > 0.8,
    "with six concepts the coffee and the astronaut split, with ten all four photos; "
    "the error stays above 40%",
    evidence=f"{counts}, {errors}",
)


# %%
# ## Ten concepts, named by the classifier
#
# A concept is a pattern over the 1280 features, so it can be fed to the rest of the
# network as a one-pixel image: the average over one position is that position, so
# the head reduces to `model._fc`. The concept is scaled to its strength at its
# strongest position (NMF leaves the scale free), and the softmax of the output gives
# its three most likely ImageNet classes. Pytorch-grad-cam names its concepts the same
# way (`computation_on_concepts=model.fc` for a ResNet). The boxes below, read off
# the photos' 224x224 pixel grid, say which part of its photo each concept covers.
W_flat = heatmaps.transpose(0, 2, 3, 1).reshape(-1, k)
full_strength = concepts * W_flat.max(0)[:, None]  # (k, 1280)
with torch.no_grad():
    concept_logits = model._fc(torch.from_numpy(full_strength).float()).double()
concept_proba = concept_logits.softmax(1).numpy()
concept_top3 = np.argsort(-concept_proba, axis=1)[:, :3]

# each part: one or more (rows, columns) boxes of the 224x224 input
regions = {
    "chelsea": {
        "eyes and forehead": [(slice(0, 120), slice(0, 224))],
        "nose, mouth, chin": [(slice(120, 224), slice(0, 224))],
    },
    "coffee": {
        "cup: rim and coffee": [(slice(0, 128), slice(64, 176))],
        "saucer and spoon": [(slice(128, 224), slice(0, 224))],
    },
    "astronaut": {
        "face and hair": [(slice(0, 88), slice(64, 144))],
        "neck ring": [(slice(88, 144), slice(32, 160))],
        "suit": [(slice(144, 224), slice(0, 128))],
        "helmet": [(slice(144, 224), slice(128, 224))],
        "flag, shuttle": [
            (slice(0, 144), slice(0, 40)),
            (slice(0, 144), slice(160, 224)),
        ],
    },
    "rocket": {
        "rocket and sky": [(slice(0, 144), slice(0, 224))],
        "launch pad, lights": [(slice(144, 224), slice(0, 224))],
    },
}


def region_mask(boxes):
    mask = np.zeros((224, 224), dtype=bool)
    for box in boxes:
        mask[box] = True
    return mask


up = upsample(heatmaps)  # (4, k, 224, 224)
part, part_share = [], []
for j in range(k):
    i = main_photo[j]
    m = up[i, j]
    shares = {
        r: m[region_mask(boxes)].sum() / m.sum()
        for r, boxes in regions[photos[i]].items()
    }
    best = max(shares, key=shares.get)
    part.append(best if shares[best] >= 0.5 else "spread out")
    part_share.append(shares[best])

say(
    "| concept | photo (its share) | part (share of the concept) "
    "| top three classes |\n"
    "|---|---|---|---|\n"
    + "\n".join(
        f"| {j} | {photos[main_photo[j]]} ({photo_shares(heatmaps)[j].max():.0%}) "
        f"| {part[j]} ({part_share[j]:.0%}) | "
        + ", ".join(f"{names[c]} {concept_proba[j, c]:.2f}" for c in concept_top3[j])
        + " |"
        for j in range(k)
    )
)
per_photo = [np.flatnonzero(main_photo == i) for i in range(n_photos)]
claim(
    all(len({part[j] for j in js}) >= 2 for js in per_photo)
    and all(concept_top3[per_photo[0], 0] == top[0])
    and all(concept_top3[per_photo[1], 0] == top[1]),
    "in every photo the concepts cover at least two different parts; the cat's "
    "concepts are all named by the cat's class, the coffee's by the coffee's",
    evidence=f"{part}, {concept_top3[:, 0]}",
)

# %%
# The figure: each photo large, its concepts coloured as before, the legend under it
# with each concept's number, part and first class.
colours = palette[:k]
heights = [max(photo_aspect(p) for p in pair) for pair in (photos[:2], photos[2:])]
fig = plt.figure(figsize=(12, 1.6 + 6 * sum(heights)))
for sub, i in zip(fig.subfigures(2, 2, height_ratios=heights).flat, range(n_photos)):
    ax = sub.subplots()
    ax.imshow(
        concept_image(images[i], heatmaps[i], colours), aspect=photo_aspect(photos[i])
    )
    ax.set_title(f"{photos[i]}: {names[top[i]]} (p = {proba[i, top[i]]:.2f})")
    ax.set_xticks([]), ax.set_yticks([])
    sub.legend(
        handles=[
            Patch(
                color=colours[j], label=f"{j}: {part[j]} - {names[concept_top3[j, 0]]}"
            )
            for j in per_photo[i]
        ],
        loc="outside lower center",
        ncol=2,
        fontsize=9.5,
    )
plt.show()

# %%
# Where a photo is one object, its concepts take the photo's class: both halves of
# the cat read "Egyptian cat", both parts of the coffee "espresso". Where a photo
# holds several things, the concepts tell them apart: the helmet reads "football
# helmet", the flag and shuttle "space shuttle". The other names are a reminder that
# a name is only the classifier's reading of one concept alone, at full strength,
# without the rest of the photo: the astronaut's suit reads "stretcher", her neck
# ring "go-kart", and the whole photo "bobsled".
first_name = {part[j]: names[concept_top3[j, 0]] for j in range(k)}
expected = {
    "helmet": "football helmet",
    "flag, shuttle": "space shuttle",
    "suit": "stretcher",
    "neck ring": "go-kart",
}
claim(
    all(first_name.get(p) == n for p, n in expected.items())
    and names[top[2]] == "bobsled",
    "the astronaut's concepts read helmet, space shuttle, stretcher, go-kart",
    evidence=str(first_name),
)


# %%
# ## How much of the prediction each concept carries
#
# **In the features.** The logit of class `c` is `b_c + w_c . mean(F)` over the 49
# positions `F` of the photo, and `F ~ W H`, so it splits exactly into the bias, one
# term per concept, `mean(W[:, j]) (w_c . H_j)`, and the part NMF leaves out:
# `w_c . mean(F - W H)`. The terms are those of each photo's predicted class.
W_photo = heatmaps.reshape(n_photos, k, -1)  # (4, k, 49)
F_photo = features.reshape(n_photos, n_channels, -1)  # (4, 1280, 49)
contribution = np.zeros((n_photos, k))
residual = np.zeros(n_photos)
for i in range(n_photos):
    w_c = fc_w[top[i]]
    contribution[i] = W_photo[i].mean(1) * (concepts @ w_c)
    residual[i] = w_c @ (F_photo[i] - concepts.T @ W_photo[i]).mean(1)
total = fc_b[top] + contribution.sum(1) + residual
identity_gap = np.abs(total - logits[range(n_photos), top]).max()
say(
    "\n".join(
        f"* **{p}**, {names[top[i]]}: logit {logits[i, top[i]]:.2f} = bias "
        f"{fc_b[top[i]]:+.2f} "
        + " ".join(
            f"{contribution[i, j]:+.2f} (concept {j}, {part[j]}: "
            f"{contribution[i, j] / logits[i, top[i]]:.0%})"
            for j in per_photo[i]
        )
        + f" {contribution[i].sum() - contribution[i, per_photo[i]].sum():+.2f} "
        f"(other photos' concepts) {residual[i]:+.2f} (left out by NMF)."
        for i, p in enumerate(photos)
    )
    + f"\n\nLargest gap in this sum: {identity_gap:.1e}."
)
claim(
    identity_gap < 1e-6
    and all(
        contribution[i, per_photo[i]].sum() > 0.8 * logits[i, top[i]]
        for i in range(n_photos)
    ),
    "each photo's own concepts carry most of its logit",
    evidence=f"{contribution.round(2)}, {residual.round(2)}",
)

# %%
# **In the photo.** Blur the cells a concept dominates (the 32x32 blocks of the 7x7
# grid where it is the strongest concept; a Gaussian blur with a standard deviation
# of 8 pixels) and read the probability of the photo's class again. The comparison:
# the same mask shifted across the grid (wrapping around), the same area and shape
# elsewhere in the same photo. A concept whose region matters more than a random
# place lowers the probability more than most of its shifted copies. Scattered
# random cells would be an unfair comparison: spread over the photo, they reach into
# more of the units' receptive fields than one compact region does.
from scipy.ndimage import gaussian_filter

blurred = np.stack([gaussian_filter(im, sigma=(8, 8, 0)) for im in images])
dominant = heatmaps.argmax(1)  # (4, 7, 7): the strongest concept in each cell
cell = 224 // side
shifts = [(dy, dx) for dy in range(side) for dx in range(side) if dy or dx]
shifts = shifts[:: 6 if QUICK else 3]  # 8 or 16 of the 48, spread over the grid


def blur_cells(i, cells):
    """Photo i with the 32x32 blocks of the (7, 7) boolean `cells` blurred."""
    mask = np.kron(cells, np.ones((cell, cell), dtype=bool))[..., None]
    return np.where(mask, blurred[i], images[i])


mask_all, mask_p, shifted_p, n_cells = {}, {}, {}, {}
for j in range(k):
    i = main_photo[j]
    cells = dominant[i] == j
    n_cells[j] = int(cells.sum())
    batch = [blur_cells(i, cells)] + [
        blur_cells(i, np.roll(cells, s, axis=(0, 1))) for s in shifts
    ]
    batch = torch.from_numpy(2 * np.stack(batch) - 1).permute(0, 3, 1, 2).float()
    with torch.no_grad():
        p = model(batch).softmax(1).double().numpy()
    mask_all[j], mask_p[j], shifted_p[j] = p[0], p[0, top[i]], p[1:, top[i]]
beaten = {j: np.mean(shifted_p[j] > mask_p[j]) for j in range(k)}

# %%
# Each column is one concept: the black bar is the class probability before, the
# coloured dot after blurring the concept's cells, the grey dots after blurring its
# shifted copies. Below, the masked input of each photo's strongest concept (the one
# with the largest term in the sum above).
from textwrap import fill

from matplotlib.lines import Line2D

strongest = [per_photo[i][np.argmax(contribution[i, per_photo[i]])] for i in range(4)]
fig = plt.figure(figsize=(12, 9))
grid = fig.add_gridspec(2, 4, height_ratios=[1.1, 1])
ax = fig.add_subplot(grid[0, :])
for j in range(k):
    i = main_photo[j]
    ax.scatter(np.full(len(shifts), j), shifted_p[j], s=14, color="0.6", zorder=1)
    ax.scatter(j, mask_p[j], s=90, color=colours[j], ec="k", zorder=3)
    ax.plot([j - 0.35, j + 0.35], [proba[i, top[i]]] * 2, color="k", lw=2)
ax.set_xticks(
    range(k),
    [
        f"{j}: {fill(part[j], 12)}\n({fill(names[top[main_photo[j]]], 12)})"
        for j in range(k)
    ],
)
ax.tick_params(axis="x", labelsize=8.5)
ax.legend(
    handles=[
        Line2D([], [], color="k", lw=2, label="photo as it is"),
        Line2D(
            [],
            [],
            color="0.4",
            marker="o",
            ls="",
            mec="k",
            ms=9,
            label="concept's cells blurred",
        ),
        Line2D([], [], color="0.6", marker="o", ls="", ms=5, label="shifted copies"),
    ],
    loc="upper right",
    fontsize=9,
)
ax.set_ylabel("probability of the photo's class")
ax.set_ylim(0, 1)
ax.set_title("Blurring a concept's cells (dot) vs the same mask shifted (grey)")
for col, j in enumerate(strongest):
    i = main_photo[j]
    a = fig.add_subplot(grid[1, col])
    a.imshow(blur_cells(i, dominant[i] == j), aspect=photo_aspect(photos[i]))
    a.set_title(
        f"{part[j]} blurred:\np = {proba[i, top[i]]:.2f} -> {mask_p[j]:.2f}",
        fontsize=9,
    )
    a.set_xticks([]), a.set_yticks([])
plt.show()

say(
    "\n".join(
        f"* concept **{j}** ({photos[main_photo[j]]}, {part[j]}, {n_cells[j]} of 49 "
        f"cells): p({names[top[main_photo[j]]]}) "
        f"{proba[main_photo[j], top[main_photo[j]]]:.2f} -> **{mask_p[j]:.2f}**; its "
        f"{len(shifts)} shifted copies: mean {shifted_p[j].mean():.2f}, "
        f"**{beaten[j]:.0%}** of them leave a higher probability"
        for j in range(k)
    )
)
passed = [j for j in range(k) if beaten[j] > 0.5]
say(
    f"**{len(passed)} of {k}** concepts lower the probability more than most (over "
    "half) of their shifted copies: "
    + (", ".join(f"{j} ({part[j]})" for j in passed) or "none")
    + ". Of each photo's strongest concept in the sum above: "
    + ", ".join(
        f"{photos[main_photo[j]]} {j} ({part[j]}) {beaten[j]:.0%}" for j in strongest
    )
    + "."
)

# %%
# For the concept with the largest term in each photo's logit, the two measures
# agree in three photos of four: blurring the cat's eyes and forehead, the cup's rim
# and coffee, or the helmet lowers the class's probability more than blurring most
# places of the same shape. They need not agree: the sum asks "what if this concept
# were absent from the features", the blur "what if these pixels lost their
# detail", and at this depth a unit sees far beyond its 32x32 cell, past any mask.
# Where they disagree, the reason can be read off the numbers:
agree = [photos[main_photo[j]] for j in strongest if beaten[j] > 0.5]
rocket_sky = strongest[3]
sky = dominant[3] == rocket_sky
overlap = np.mean(
    [(np.roll(sky, s, axis=(0, 1)) & sky).sum() / sky.sum() for s in shifts]
)
raised = [j for j in range(k) if mask_p[j] > proba[main_photo[j], top[main_photo[j]]]]
middling = [
    j for j in range(k) if 0.25 <= beaten[j] <= 0.5 and j not in (*raised, rocket_sky)
]
rocket_line = (
    f"* the rocket's concept {rocket_sky} ({part[rocket_sky]}) dominates "
    f"{n_cells[rocket_sky]} of the 49 cells; its shifted copies share {overlap:.0%} of "
    "those cells on average, so they blur nearly the same pixels."
)
lines = [rocket_line]
if middling:
    lines.append(
        "* concepts "
        + ", ".join(f"{j} ({photos[main_photo[j]]}, {part[j]})" for j in middling)
        + " lower the probability about as much as their shifted copies (25% to "
        "half of the copies leave a higher one): where the object covers much of the "
        "photo, most places of that shape hold some of it too."
    )
for j in raised:
    i = main_photo[j]
    rival = np.argsort(-proba[i])[1]
    verb = "lowers" if mask_all[j][rival] < proba[i, rival] else "does not lower"
    lines.append(
        f"* blurring concept {j} ({part[j]}) *raises* p({names[top[i]]}) from "
        f"{proba[i, top[i]]:.2f} to {mask_p[j]:.2f}: a probability is a share, and the "
        f"blur {verb} the runner-up, p({names[rival]}), from {proba[i, rival]:.2f} to "
        f"{mask_all[j][rival]:.2f}."
    )
say("\n".join(lines))
claim(
    agree == ["chelsea", "coffee", "astronaut"] and overlap > 0.5,
    "the strongest concept beats most shifted copies for the cat, the coffee and the "
    "astronaut, not for the rocket, whose shifted masks overlap it",
    evidence=f"{[beaten[j] for j in strongest]}, overlap {overlap:.2f}",
)


# %%
# ## How to read these figures
#
# * A colour is a concept: a direction in the layer's feature space, found without
#   labels. The same colour in two photos is the same concept. The opacity is its
#   strength, so faint areas hold little of any concept.
# * The names are the classifier's reading of each concept alone; they describe what
#   the concept would vote for, not what it "is". Two concepts with the same name
#   (the cat's two halves) are two parts of the evidence for one class.
# * The terms of the logit sum are exact for the layer and the factorization, and
#   they add up, with the part NMF leaves out, to the logit. The masking numbers
#   check them in the photo; where they disagree, trust neither alone.
#
# ## Pitfalls
#
# * **The layer must be non-negative.** The blocks of EfficientNet and MobileNet end
#   in a linear projection: factorize a ReLU output. (Pytorch-grad-cam shifts
#   every channel by its minimum to make any layer non-negative; the concepts then
#   include that shift.)
# * **The batch decides the concepts.** With photos of different things, the late
#   layer's first concepts are the photos themselves; parts appear only with more
#   concepts, and shared concepts need photos that share something (or an earlier
#   layer, which shares edges, backgrounds and eyes but cannot be named directly).
# * **k is a choice and NMF is not unique.** The error falls with every added
#   concept; stop when new concepts no longer mean anything. Another start or solver
#   may find other concepts for the same k: compare runs, as the check above does.
# * **7x7 is coarse.** One cell is 32x32 pixels of the input and sees far more;
#   concept boundaries are smooth guesses, not segmentations.
# * **Masking tests depend on the mask.** Blur or grey, compact or scattered, change
#   the numbers; compare with masks of the same shape, and say which you used.
