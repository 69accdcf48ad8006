"""
# Feature visualization: what excites a channel or a class of a pretrained network

**Catalog I7** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** photos (scikit-image)

Attribution maps say where in one photo the evidence lies; feature visualization asks
what the network is looking for at all. Start from a grey image and follow the
gradient of one channel's mean activation, or of one class's logit, with respect to
the *pixels*. Done naively, on an ImageNet network, the answer is high-frequency
noise that excites the unit and resembles nothing. Olah, Mordvintsev and
Schubert ("Feature Visualization", Distill 2017) showed what turns it into pictures:
ask the image to work under small random shifts, zooms and rotations, and optimize it
in a decorrelated space (its Fourier spectrum scaled by 1/f, in decorrelated colours)
rather than pixel by pixel. This page writes both out for EfficientNet-Lite0, measures
what each buys and costs (activation reached, share of high-frequency power, whether
the class images are still recognized under a random transformation), and sets the
channel pictures next to the photo patches that excite the same channels most.
"""

# %%
# ## The network at a smaller input size
#
# Every optimization step is a forward and a backward pass of the network, and at
# 224x224 one pass costs tens of milliseconds per image on a CPU: the page optimizes
# 128x128 images instead (about a third of the pixels). The network has no fixed
# input size (its classifier averages over the positions), but its "same" paddings
# were computed for 224 once and for all: they are right at another size if every
# stride-2 layer still sees an even size, which holds when the side is a multiple of
# 32. The check below recomputes the padding TensorFlow's "same" rule asks for at
# each convolution's real input size, and compares the photos' top class at 128 and
# at 224 pixels.
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import (
    PHOTOS,
    imagenet_class_names,
    load_efficientnet_lite0,
    photo_tensors,
    predict_proba,
    to_display,
)
from mlviz.report import claim, say


model = load_efficientnet_lite0()
names = imagenet_class_names()
size = 128
n_steps = 12 if QUICK else 96

convs = [m for m in model.modules() if hasattr(m, "static_padding")]
seen = {}
hooks = [
    m.register_forward_pre_hook(lambda m, inp: seen.update({m: inp[0].shape[-1]}))
    for m in convs
]
with torch.no_grad():
    model(torch.zeros(1, 3, size, size))
for h in hooks:
    h.remove()


def same_padding(side, kernel, stride):
    """Total padding that keeps ceil(side / stride) outputs (TensorFlow's "same")."""
    out = -(-side // stride)
    return max((out - 1) * stride + kernel - side, 0)


mismatched = [
    m
    for m in convs
    if same_padding(seen[m], m.kernel_size[0], m.stride[0])
    != sum(getattr(m.static_padding, "padding", (0, 0, 0, 0))[:2])
]
photos_224 = photo_tensors(PHOTOS)
photos_small = torch.nn.functional.interpolate(
    photos_224, size=(size, size), mode="bilinear", antialias=True
)
top_224 = predict_proba(model, photos_224).argmax(1)
top_small = predict_proba(model, photos_small).argmax(1)
kept_top = int((top_224 == top_small).sum())
say(
    f"At {size}x{size}: **{len(mismatched)}** of {len(convs)} convolutions pad "
    f"differently from the 'same' rule. **{kept_top} of {len(PHOTOS)}** photos keep "
    f"their top class at {size} pixels (224 / {size}): "
    + "; ".join(
        f"{p}: {names[a]} / {names[b]}" for p, a, b in zip(PHOTOS, top_224, top_small)
    )
    + "."
)
claim(not mismatched, f"at {size} pixels the fixed paddings are the 'same' paddings")

# %%
# ## The naive version, written out
#
# One free number per pixel and colour, squashed into the valid range by a sigmoid
# (so nothing is clipped), started as nearly uniform grey; Adam climbs the logit of
# the class. The network takes `2 * image - 1`, as for the photos. Two classes whose
# photos the other pages explain: Egyptian cat (285) and espresso (967).
pair = [285, 967]


def logits_of(images):
    """The network's logits for images in [0, 1], (N, 3, H, W)."""
    return model(2 * images - 1)


generator = torch.Generator().manual_seed(SEED)
pixels = (0.01 * torch.randn((2, 3, size, size), generator=generator)).requires_grad_()
optimizer = torch.optim.Adam([pixels], lr=0.05)
for step in range(n_steps):
    optimizer.zero_grad()
    score = logits_of(torch.sigmoid(pixels))[[0, 1], pair]
    (-score.sum()).backward()
    optimizer.step()
naive = torch.sigmoid(pixels).detach()  # (2, 3, 128, 128)

# %%
# ## Regularizer 1: transformation robustness
#
# At every step the image is zoomed by a random factor in [0.9, 1.1], turned by up
# to 10 degrees and shifted by up to 8 pixels, each image its own draw, with
# mid-grey where the content leaves the frame. A pattern that only works pixel-exact
# stops working after such a move, so the gradient stops building it. One affine map
# does all three: the output pixel at offset `p` from the centre reads the input at
# offset `R^T p / zoom - shift`, bilinearly (`affine_grid` wants these in units of
# half the image's side).
import functools

import torch.nn.functional as F

from mlviz.inspect.featurevis import affine_transform, random_transform


def transform_by_hand(x, generator):
    """Random zoom, rotation and shift of each image in x, grey outside."""
    n, _, h, w = x.shape
    zoom = 0.9 + 0.2 * torch.rand(n, generator=generator)
    turn = torch.deg2rad(10 * (2 * torch.rand(n, generator=generator) - 1))
    shift = 8 * (2 * torch.rand((n, 2), generator=generator) - 1)  # pixels
    cos, sin = torch.cos(turn) / zoom, torch.sin(turn) / zoom
    ty, tx = -2 * shift[:, 0] / h, -2 * shift[:, 1] / w  # pixels -> [-1, 1] units
    theta = torch.stack(
        [torch.stack([cos, sin, tx], 1), torch.stack([-sin, cos, ty], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x - 0.5, grid, align_corners=False) + 0.5


jitter = functools.partial(random_transform, shift=8, scale=(0.9, 1.1), angle=10)
by_hand = transform_by_hand(naive, torch.Generator().manual_seed(1))
by_helper = jitter(naive, torch.Generator().manual_seed(1))
transform_gap = (by_hand - by_helper).abs().max().item()
say(
    "Largest difference between the hand-written transform and "
    f"`mlviz.inspect.featurevis.random_transform`: **{transform_gap:.1e}**."
)
claim(transform_gap < 1e-5, "both transforms agree", evidence=f"{transform_gap:.2e}")
unmoved = affine_transform(naive, [1.0, 1.0], [0.0, 0.0], [[0.0, 0.0], [0.0, 0.0]])
claim(
    (unmoved - naive).abs().max() < 1e-5,
    "zoom 1, angle 0 and shift 0 leave the image unchanged",
)

# %%
# ## Regularizer 2: a decorrelated parametrization
#
# Natural images have most of their power at low spatial frequencies (roughly as
# 1/f in amplitude) and their colour channels are strongly correlated. A pixel
# parametrization treats every pixel and channel as independent, so an equal step on
# every parameter is mostly high-frequency change. The parametrization of the
# reference implementation (lucid) undoes both:
#
# * the free parameters `a + ib` are the image's 2-D Fourier coefficients (three
#   channels, `rfft2` layout), multiplied by `1 / max(f, 1/size)` where `f` is the
#   radial frequency in cycles per pixel; the inverse FFT (orthonormal) and a
#   division by 4 give three channels `c`;
# * the colour at each pixel is `sigmoid(M c)`: the columns of `M` are the colours of
#   three decorrelated channels of ImageNet's pixels (a grey axis and two colour
#   contrasts), the square root of their colour correlation as published by lucid,
#   scaled to a largest column norm of 1.
#
# Written out, and checked against `mlviz.inspect.featurevis.FourierImage` on the
# same coefficients:
from mlviz.inspect.featurevis import IMAGENET_COLOUR_SQRT, FourierImage, PixelImage

fy, fx = np.fft.fftfreq(size)[:, None], np.fft.rfftfreq(size)[None, :]
radial = np.sqrt(fy**2 + fx**2)  # (128, 65), cycles per pixel
scale = torch.tensor(1 / np.maximum(radial, 1 / size), dtype=torch.float32)
M = torch.tensor(
    IMAGENET_COLOUR_SQRT / np.linalg.norm(IMAGENET_COLOUR_SQRT, axis=0).max(),
    dtype=torch.float32,
)


def fourier_by_hand(coefficients):
    """Complex (n, 3, size, size // 2 + 1) coefficients -> (n, 3, size, size) images."""
    c = torch.fft.irfft2(coefficients * scale, s=(size, size), norm="ortho") / 4
    return torch.sigmoid(torch.einsum("ck,nkhw->nchw", M, c))


probe = FourierImage(2, size, sd=1.0, seed=SEED)  # a large random draw, to compare
with torch.no_grad():
    fourier_gap = (
        (fourier_by_hand(torch.view_as_complex(probe.spectrum)) - probe())
        .abs()
        .max()
        .item()
    )
say(
    "Largest difference between the hand-written parametrization and `FourierImage`: "
    f"**{fourier_gap:.1e}**."
)
claim(fourier_gap < 1e-5, "both parametrizations agree", evidence=f"{fourier_gap:.2e}")

# %%
# What a random point of each space looks like: independent pixels are noise at
# every scale; independent, 1/f-scaled Fourier coefficients are clouds; the
# decorrelated colours make them vary mostly in brightness, as photos do. The
# *grey share* in each title measures it: the part of the pixels' colour variance
# along the grey axis (equal R, G and B).
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def grey_share(image):
    """Share of an (H, W, 3) image's colour variance along (1, 1, 1) / sqrt(3)."""
    pixels = image.reshape(-1, 3) - image.reshape(-1, 3).mean(0)
    return (pixels.sum(1) ** 2 / 3).sum() / (pixels**2).sum()


with torch.no_grad():
    draws = {
        "pixels": PixelImage(1, size, sd=1.0, seed=SEED)(),
        "Fourier, 1/f, RGB": FourierImage(1, size, colour=None, sd=1.0, seed=SEED)(),
        "Fourier, 1/f, decorrelated": FourierImage(1, size, sd=1.0, seed=SEED)(),
    }
draws = {title: image[0].permute(1, 2, 0).numpy() for title, image in draws.items()}
grey = {title: grey_share(image) for title, image in draws.items()}
grey_photos = [grey_share(image) for image in to_display(photos_small)]
fig, axes = plt.subplots(1, 3, figsize=(11, 4.3))
for ax, (title, image) in zip(axes, draws.items()):
    ax.imshow(image)
    ax.set_title(f"{title}\ngrey share {grey[title]:.0%}", fontsize=10)
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("A random point of each parametrization (coefficients of sd 1)")
plt.show()
say(
    "Grey share of the four photos: "
    + ", ".join(f"{p} {v:.0%}" for p, v in zip(PHOTOS, grey_photos))
    + "."
)
claim(
    grey["Fourier, 1/f, decorrelated"] > max(grey["Fourier, 1/f, RGB"], 0.6)
    and min(grey_photos) > 0.6,
    "the decorrelated colours vary mostly in brightness, as the photos do",
    evidence=f"{grey}, photos {grey_photos}",
)

# %%
# ## Four variants, one batch
#
# The naive image above, and three more for the same two classes: pixels with the
# transformations, the Fourier parametrization without them, and both together. The
# helper `mlviz.inspect.featurevis.optimize_input` runs the loop of the naive cell on
# several parametrizations at once, each with its own transform, in one batch: in
# evaluation mode the network treats the images of a batch independently, and one
# batch of 8 costs less per image than eight batches of one. The "both" run includes
# two more classes with recognizable shapes, snail (113) and balloon (417), for later.
from mlviz.inspect.featurevis import optimize_input

classes = [*pair, 113, 417]


def class_score(targets):
    """Score of image i: the logit of class targets[i]."""
    index = torch.tensor(targets)
    return lambda images: logits_of(images)[torch.arange(len(images)), index]


variants = {  # name: (parametrization, transform, its classes)
    "pixels + transforms": (PixelImage(2, size, seed=SEED), jitter, pair),
    "Fourier, no transforms": (FourierImage(2, size, seed=SEED), None, pair),
    "Fourier + transforms": (FourierImage(4, size, seed=SEED), jitter, classes),
}
out, _ = optimize_input(
    class_score([k for *_, targets in variants.values() for k in targets]),
    [image for image, *_ in variants.values()],
    transform=[t for _, t, _ in variants.values()],
    n_steps=n_steps,
    seed=SEED,
)
results = {"naive (pixels)": naive.permute(0, 2, 3, 1).numpy()}
ends = np.cumsum([len(targets) for *_, targets in variants.values()])
for name, end in zip(variants, ends):
    results[name] = out[end - len(variants[name][2]) : end]
fourier_classes = results["Fourier + transforms"]  # all four classes

# %%
# ## What each variant reaches, and how it looks
#
# Three numbers per image. The **logit** it reaches as it is; the **logit under a
# random transformation** of the training family (the median over 8 draws per
# image, with another seed): robustness; the **high-frequency share**, the part of
# the image's spectral power (mean removed, per colour channel) above a quarter of a
# cycle per pixel, half the Nyquist frequency. The same share for the four photos,
# resized to 128 pixels, is the yardstick.
from mlviz.inspect.featurevis import high_frequency_share

n_draws = 8


@torch.no_grad()
def evaluate(images, targets):
    """Logit and probability of each target, as is and under n_draws transforms."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    index = torch.arange(len(x))
    logits = logits_of(x)
    moved = jitter(
        x.repeat_interleave(n_draws, 0), torch.Generator().manual_seed(SEED + 1)
    )
    moved_logits = logits_of(moved).reshape(len(x), n_draws, -1)
    moved_proba = moved_logits.softmax(-1)
    return {
        "logit": logits[index, targets].numpy(),
        "p": logits.softmax(1)[index, targets].numpy(),
        "top1": (logits.argmax(1) == torch.tensor(targets)).numpy(),
        "moved logit": moved_logits[index, :, targets].median(1).values.numpy(),
        "moved p": moved_proba[index, :, targets].mean(1).numpy(),
        "moved top1": (moved_logits.argmax(-1) == torch.tensor(targets)[:, None])
        .float()
        .mean(1)
        .numpy(),
    }


counts = [len(images) for images in results.values()]  # 2, 2, 2 and 4
bounds = np.cumsum([0, *counts])
measured = evaluate(np.concatenate(list(results.values())), [*pair * 3, *classes])
scores = {  # per variant; the last one holds the four classes, cat and espresso first
    name: {key: value[a:b] for key, value in measured.items()}
    for name, a, b in zip(results, bounds[:-1], bounds[1:])
}
hf = {name: high_frequency_share(images[:2]) for name, images in results.items()}
hf_photos = high_frequency_share(to_display(photos_small))
say(
    "| variant | logit (cat, espresso) | under a transformation | high-freq. share |\n"
    "|---|---|---|---|\n"
    + "\n".join(
        f"| {name} | {s['logit'][0]:.1f}, {s['logit'][1]:.1f} "
        f"| {s['moved logit'][0]:.1f}, {s['moved logit'][1]:.1f} "
        f"| {hf[name][0]:.0%}, {hf[name][1]:.0%} |"
        for name, s in scores.items()
    )
    + "\n\nThe four photos' high-frequency share: "
    + ", ".join(f"{p} {v:.1%}" for p, v in zip(PHOTOS, hf_photos))
    + "."
)
naive_s, free_s = scores["naive (pixels)"], scores["Fourier, no transforms"]
both_s = {key: value[:2] for key, value in scores["Fourier + transforms"].items()}
kept = {name: s["moved logit"][:2] / s["logit"][:2] for name, s in scores.items()}
higher = (naive_s["logit"] > both_s["logit"]).all()
say(
    f"The naive images reach {'**higher**' if higher else '**lower**'} logits than "
    "the fully regularized ones in this many steps ("
    + ", ".join(
        f"{a:.1f} vs {b:.1f}" for a, b in zip(naive_s["logit"], both_s["logit"])
    )
    + "); under a transformation they keep "
    + ", ".join(f"{v:.0%}" for v in kept["naive (pixels)"])
    + " of it, the regularized ones "
    + ", ".join(f"{v:.0%}" for v in kept["Fourier + transforms"])
    + "."
)
claim(
    ((0.4 < hf["naive (pixels)"]) & (hf["naive (pixels)"] < 0.6)).all()
    and (hf["naive (pixels)"] > hf["Fourier + transforms"]).all()
    and (hf["naive (pixels)"] > hf["Fourier, no transforms"]).all()
    and (hf["Fourier + transforms"] > hf_photos.max()).all(),
    "the naive images hold about half their power at high frequencies, more than "
    "either Fourier variant; the regularized ones still hold more than any photo",
    evidence=f"shares {hf}, photos {hf_photos}",
)
claim(
    (kept["naive (pixels)"] < 0.2).all() and (kept["Fourier + transforms"] > 0.8).all(),
    "the naive images keep less than a fifth of their logit under a transformation, "
    "the regularized ones more than four fifths",
    evidence=str(kept),
)
claim(
    (free_s["logit"] > naive_s["logit"]).all()
    and (free_s["logit"] > both_s["logit"]).all()
    and (kept["Fourier, no transforms"] < kept["Fourier + transforms"]).all(),
    "the Fourier parametrization without transforms reaches the highest logits but "
    "keeps less of them under a transformation than with transforms",
    evidence=f"{free_s['logit']} vs naive {naive_s['logit']}, both {both_s['logit']}; "
    f"kept {kept}",
)

# %%
# The images, two rows (cat, espresso) by four variants. Titles: the logit as it is,
# the median under a transformation, and the high-frequency share. Each regularizer
# alone fixes one failure: the transforms alone make the pixel images robust (they
# keep their logit when moved) but leave them noisy; the Fourier parametrization
# alone makes them smooth but fragile. Only together are they both.
claim(
    (kept["pixels + transforms"] > 0.8).all()
    and (hf["pixels + transforms"] > 0.3).all()
    and (kept["Fourier, no transforms"] < 0.8).all()
    and (hf["Fourier, no transforms"] < 0.2).all(),
    "transforms alone: robust but noisy; the Fourier parametrization alone: smooth "
    "but fragile",
    evidence=f"kept {kept}, shares {hf}",
)
fig, axes = plt.subplots(2, 4, figsize=(11.5, 6.6))
for j, name in enumerate(results):
    for i, k in enumerate(pair):
        ax = axes[i, j]
        ax.imshow(results[name][i])
        s = scores[name]
        ax.set_title(
            f"{name}\n{names[k]}: logit {s['logit'][i]:.0f}, "
            f"moved {s['moved logit'][i]:.0f}\nhigh-freq. {hf[name][i]:.0%}",
            fontsize=9,
        )
        ax.set_xticks([]), ax.set_yticks([])
fig.suptitle(f"Gradient ascent on a class logit, {n_steps} Adam steps, {size} px")
plt.show()

# %%
# ## Class visualizations: does the network recognize them?
#
# The four classes with both regularizers, drawn larger. The title gives the logit
# and softmax probability of the class on the image as it is, the mean probability
# under the 8 random transformations, and the share of those 8 in which the class is
# still the top-1.
# The network recognizes every one of them, moved or not; the naive images lose
# their class as soon as they move.
class_scores = scores["Fourier + transforms"]
naive_moved = scores["naive (pixels)"]
say(
    "Regularized class images: "
    + "; ".join(
        f"**{names[k]}** p = {class_scores['p'][i]:.2f} "
        f"({'top-1' if class_scores['top1'][i] else 'not top-1'}), under a "
        f"transformation mean p = {class_scores['moved p'][i]:.2f}, top-1 in "
        f"{class_scores['moved top1'][i]:.0%}"
        for i, k in enumerate(classes)
    )
    + ". The naive images: p = "
    + ", ".join(f"{v:.2f}" for v in naive_moved["p"])
    + " as they are, top-1 under a transformation in "
    + ", ".join(f"{v:.0%}" for v in naive_moved["moved top1"])
    + " of the draws."
)
claim(
    class_scores["top1"].all()
    and (class_scores["moved top1"] == 1).all()
    and (naive_moved["moved top1"] < 0.5).all(),
    "every regularized class image is the network's top-1, moved or not; the naive "
    "images lose their class when moved",
    evidence=f"{class_scores}, naive {naive_moved}",
)
fig, axes = plt.subplots(2, 2, figsize=(9, 9.8))
for i, (ax, k) in enumerate(zip(axes.flat, classes)):
    ax.imshow(fourier_classes[i])
    ax.set_title(
        f"{names[k]} ({k}): logit {class_scores['logit'][i]:.0f}, "
        f"p = {class_scores['p'][i]:.2f}\nmoved: mean p = "
        f"{class_scores['moved p'][i]:.2f}, top-1 in "
        f"{class_scores['moved top1'][i]:.0%}",
        fontsize=9,
    )
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Class visualizations (Fourier parametrization + transformations)")
plt.show()

# %%
# ## Channels at three depths, next to the photo patches they like
#
# The objective is now the mean over positions of one channel of a block's output:
# block 5 of 16 (40 channels, stride 8), block 11 (112 channels, stride 16) and the
# last block (320 channels, stride 32). For an early block the network after it is
# wasted work: `truncated_forward` stops the forward pass there (a hook raises once
# the block has run).
#
# Which channels? Per depth, for three photos (the cat, the coffee, the astronaut),
# the channel with the highest single-position activation on that photo, after
# dividing each channel by its standard deviation over all positions of the four
# photos (so that channels with a large scale do not always win). Its top patch is
# a crop around the position where it peaks, in whichever of the four photos (224
# px) that is; the crop's side is the square that holds 90% of the input gradient of
# one position at that depth (the region the position sees).
from mlviz.inspect.featurevis import truncated_forward

depths = {"block 5": 4, "block 11": 10, "block 16": 15}
chosen_from = ["chelsea", "coffee", "astronaut"]
photo_images = to_display(photos_224)  # (4, 224, 224, 3)


def patch_side(block, photo=0, mass=0.9):
    """Side of the centred square holding `mass` of |d activation / d input|."""
    x = photos_224[photo : photo + 1].clone().requires_grad_(True)
    A = truncated_forward(model, model._blocks[block], x)
    h = A.shape[-1] // 2
    (g,) = torch.autograd.grad(A[0, :, h, h].abs().sum(), x)
    g = g.abs().sum(1)[0].numpy()
    c = g.shape[0] // 2
    for half in range(4, c + 1, 4):
        if g[c - half : c + half, c - half : c + half].sum() >= mass * g.sum():
            return 2 * half
    return g.shape[0]


channels, patches, strides = {}, {}, {}
with torch.no_grad():
    for depth, b in depths.items():
        A = truncated_forward(model, model._blocks[b], photos_224).numpy()
        strides[depth] = 224 // A.shape[-1]  # input pixels per position
        z = A / A.std(axis=(0, 2, 3))[None, :, None, None]
        peaks = z.max(axis=(2, 3))  # (4 photos, channels)
        picked = []
        for p in chosen_from:
            order = np.argsort(-peaks[PHOTOS.index(p)])
            picked.append(int(next(c for c in order if c not in picked)))
        channels[depth] = picked
        for c in picked:  # the photo and position where the channel peaks
            i, r, col = np.unravel_index(np.argmax(A[:, c]), A[:, c].shape)
            patches[depth, c] = (int(i), int(r), int(col), float(A[i, c, r, col]))
sides = {depth: patch_side(b) for depth, b in depths.items()}


def channel_score(block, targets):
    """Score of image i: the mean of channel targets[i] of the block's output."""
    index = torch.tensor(targets)

    def score(images):
        A = truncated_forward(model, model._blocks[block], 2 * images - 1)
        return A[torch.arange(len(images)), index].mean(dim=(1, 2))

    return score


channel_images, reached = {}, {}
for depth, b in depths.items():
    score = channel_score(b, channels[depth])
    channel_images[depth], _ = optimize_input(
        score,
        FourierImage(len(channels[depth]), size, seed=SEED),
        transform=jitter,
        n_steps=n_steps,
        seed=SEED,
    )
    with torch.no_grad():
        x = torch.from_numpy(channel_images[depth]).permute(0, 3, 1, 2)
        reached[depth] = score(x.contiguous()).numpy()

# %%
# Each row: a depth; each pair: the synthesized image (its channel's mean activation
# in the title) and the crop of the photo where that channel peaks (the photo's name
# and the peak value), with a box around the input pixels of the peak's position.
from matplotlib.patches import Rectangle

fig, axes = plt.subplots(3, 6, figsize=(14.4, 8.2))
for row, depth in zip(axes, depths):
    side, stride = sides[depth], strides[depth]
    for j, c in enumerate(channels[depth]):
        ax_vis, ax_patch = row[2 * j], row[2 * j + 1]
        ax_vis.imshow(channel_images[depth][j])
        ax_vis.set_title(f"{depth}, ch. {c}\nmean {reached[depth][j]:.1f}", fontsize=9)
        i, r, col, value = patches[depth, c]
        top = int(np.clip(r * stride + stride / 2 - side / 2, 0, 224 - side))
        left = int(np.clip(col * stride + stride / 2 - side / 2, 0, 224 - side))
        ax_patch.imshow(photo_images[i][top : top + side, left : left + side])
        cell = (col * stride - left - 0.5, r * stride - top - 0.5)
        ax_patch.add_patch(Rectangle(cell, stride, stride, fill=False, ec="w", lw=1.5))
        ax_patch.set_title(f"{PHOTOS[i]}, peak {value:.1f}\n{side} px crop", fontsize=9)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Channel visualizations (left of each pair) and their top photo patch")
plt.show()

ratios = {
    (depth, c): reached[depth][j] / patches[depth, c][3]
    for depth in depths
    for j, c in enumerate(channels[depth])
}
say(
    "Mean activation of each synthesized image, over the channel's peak on the photos: "
    + "; ".join(
        f"{depth}: " + ", ".join(f"{ratios[depth, c]:.1f}x" for c in channels[depth])
        for depth in depths
    )
    + ". Crop sides (90% of one position's input gradient): "
    + ", ".join(f"{d} {s} px" for d, s in sides.items())
    + "."
)
claim(
    sides["block 5"] <= 64 and sides["block 16"] >= 192,
    "one position of block 5 sees a small patch, one of the last block most of the "
    "photo",
    evidence=str(sides),
)

# %%
# ## How to read these figures
#
# * A synthesized image answers "what would excite this unit most?", not "what does
#   a typical input look like?": it exaggerates, and since the objective is a mean
#   over positions, it repeats its pattern across the whole frame.
# * The activation in a title is the objective. Compare it with the photos' peak (the
#   ratios above) to see how far beyond natural inputs the optimization went.
# * The crop side says how much of the input one position sees: at block 5 a small
#   patch, so its channels can only describe textures and local colour patterns; at
#   the last block most of the photo, so its channels can describe object parts and
#   their arrangement. The photo patch is the check: a visualization that shares
#   nothing with the patches that excite the channel on real photos describes the
#   optimizer more than the channel.
#
# ## Pitfalls
#
# * **A high activation is not a good picture.** The naive images are noise, hold
#   about half their power at high frequencies, and lose their logit under a move of
#   a few pixels: they exploit the network's pixel grid, not its concepts. With
#   enough steps they can even out-score the regularized images (the table says
#   which won in this build).
# * **The parametrization is a preconditioner, not a penalty.** It changes the path
#   of gradient ascent, not the objective: without transforms, the Fourier images
#   reach the highest logits of all, smooth but still fragile under a move. The
#   transforms are what trades activation for robustness.
# * **The regularizers are a prior, and the picture depends on it.** Transformation
#   ranges, the 1/f decay, the colour matrix, the number of steps and the image size
#   all change what appears; compare visualizations only under one setting.
# * **One image per unit hides polysemy.** A channel can respond to several unrelated
#   things; one optimization finds one of them. Several starts or a diversity term
#   (as in the Distill article) show more.
# * **The input size is a choice the network must accept.** This network's fixed
#   paddings are only right at sides that are multiples of 32; at other sizes they
#   shift the features silently.
