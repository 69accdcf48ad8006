"""
# Feature visualization: what excites a class or a channel of a pretrained network

**Catalog I7** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** photos (scikit-image)

Attribution maps say where in one photo the evidence lies; feature visualization asks
what the network is looking for at all: follow the gradient of a class's logit, or of
a channel's mean activation, with respect to the *pixels* of a grey image. Done
naively, this gives noise that excites the unit and resembles nothing. Olah,
Mordvintsev and Schubert ("Feature Visualization", Distill 2017) showed what turns it
into pictures: random shifts, zooms and rotations at every step, a decorrelated
parametrization (a 1/f-scaled Fourier spectrum in decorrelated colours), and the
hundreds of steps it needs. This page writes each piece out for EfficientNet-Lite0,
measures what each buys, shows pictures forming step by step, and sets channel
pictures next to the photo patches that excite the same channels most.
"""

# %%
# ## The naive ascent, written out
#
# The images are 224x224, the size the network was trained at. One free number per
# pixel and colour (`PixelImage`), squashed into (0, 1) by a sigmoid and started as a
# nearly uniform grey; Adam climbs the class's logit; the network takes
# `2 * image - 1`, as for the photos. Thirty-two steps of this loop on the ladybug:
import numpy as np
import torch
import torch.nn.functional as F

from mlviz.config import QUICK, SEED
from mlviz.inspect.featurevis import PixelImage, high_frequency_share
from mlviz.models import PHOTOS, imagenet_class_names, load_efficientnet_lite0
from mlviz.models import photo_tensors, to_display
from mlviz.report import claim, say

model = load_efficientnet_lite0()
names = imagenet_class_names()
size = 64 if QUICK else 224
n_steps = 16 if QUICK else 512


def logits_of(images):
    """The network's logits for images in [0, 1], (N, 3, H, W)."""
    return model(2 * images - 1)


def ascend(score, image, n_steps, transform=None, lr=0.05, seed=SEED):
    """Raise score(image()) by Adam on the parameters of the module `image`."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(image.parameters(), lr=lr)
    for _ in range(n_steps):
        optimizer.zero_grad()
        x = image() if transform is None else transform(image(), generator)
        (-score(x).sum()).backward()
        optimizer.step()
    return image().detach()


ladybug = 301
fooled = ascend(lambda x: logits_of(x)[:, ladybug], PixelImage(1, size, seed=SEED), 32)
with torch.no_grad():
    p_fooled = logits_of(fooled).softmax(1)[0, ladybug].item()
hf_fooled = high_frequency_share(fooled.permute(0, 2, 3, 1).numpy())[0]
photos_224 = photo_tensors(PHOTOS)
photos = to_display(F.interpolate(photos_224, size, mode="bilinear", antialias=True))
hf_photos = high_frequency_share(photos)
say(
    f"After 32 steps: p = {p_fooled:.2f} for '{names[ladybug]}'. {hf_fooled:.0%} of "
    "the image's spectral power lies above a quarter of a cycle per pixel (its "
    f"*high-frequency share*); the four photos hold {hf_photos.max():.0%} at most."
)
claim(
    p_fooled > 0.5 and hf_fooled > 3 * hf_photos.max(),
    "thirty-two naive steps make noise the network's top-1",
    evidence=f"p = {p_fooled:.3f}, share {hf_fooled:.2f}, photos {hf_photos}",
)

# %%
# ## Regularizer 1: transformation robustness
#
# At every step each image is zoomed by a random factor in [0.9, 1.1], turned by up
# to 10 degrees and shifted by up to 8 pixels, mid-grey where the content leaves the
# frame: a pattern that only works pixel-exact stops working, so the gradient stops
# building it. The output pixel at offset `p` from the centre reads the input at
# offset `R^T p / zoom - shift`, bilinearly (`affine_grid` wants these in units of
# half the side). `random_transform` is this function with the ranges as arguments
# (the test checks that both agree); the optimizations use it.
import functools

from mlviz.inspect.featurevis import random_transform


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

# %%
# ## Regularizer 2: a decorrelated parametrization
#
# Natural images have most of their power at low spatial frequencies (roughly as
# 1/f in amplitude) and strongly correlated colour channels. A pixel parametrization
# treats every pixel and channel as independent, so an equal step on every parameter
# is mostly high-frequency change. lucid's parametrization undoes both: the free
# parameters are the image's 2-D Fourier coefficients (three channels, `rfft2`
# layout) times `1 / max(f, 1/size)`, `f` the radial frequency in cycles per pixel;
# the inverse FFT (orthonormal) divided by 4 gives three channels `c`, and the colour
# at each pixel is `sigmoid(M c)`. The columns of `M` are the colours of three
# decorrelated channels of ImageNet's pixels (a grey axis and two colour contrasts),
# as published by lucid, scaled to a largest column norm of 1. `FourierImage` holds
# these coefficients as its parameters (the test checks it computes this function).
from mlviz.inspect.featurevis import IMAGENET_COLOUR_SQRT

fy, fx = np.fft.fftfreq(size)[:, None], np.fft.rfftfreq(size)[None, :]
scale = torch.tensor(1 / np.maximum(np.hypot(fy, fx), 1 / size), dtype=torch.float32)
M = torch.tensor(
    IMAGENET_COLOUR_SQRT / np.linalg.norm(IMAGENET_COLOUR_SQRT, axis=0).max(),
    dtype=torch.float32,
)


def fourier_by_hand(coefficients):
    """Complex (n, 3, size, size // 2 + 1) coefficients -> (n, 3, size, size) images."""
    c = torch.fft.irfft2(coefficients * scale, s=(size, size), norm="ortho") / 4
    return torch.sigmoid(torch.einsum("ck,nkhw->nchw", M, c))


# %%
# ## The 2x2 experiment, with the steps the method needs
#
# Each regularizer on or off, for the ladybug: 512 Adam steps of `ascend` at
# learning rate 0.05, lucid's defaults; the fully regularized run holds three more
# classes. `optimize_input` runs that loop on a batch and keeps snapshots. At 224
# pixels a step takes a few tenths of a second per image on a CPU core, minutes per
# image: given a description of the score (`cache`), it stores the result on disk,
# keyed by that, the start, the transform, the settings, the torch version and the
# device, and a rebuild reads it back.
import matplotlib.pyplot as plt

from mlviz.inspect.featurevis import FourierImage, optimize_input
from mlviz.models import WEIGHTS_SHA256

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

classes = [ladybug, 949, 323, 967]  # ladybug, strawberry, monarch, espresso
steps = [n_steps // 16, n_steps // 4, n_steps]
network = {"model": "efficientnet-lite0", "weights": WEIGHTS_SHA256}


def class_score(targets):
    """Score of image i: the logit of class targets[i]."""
    index = torch.tensor(targets)
    return lambda images: logits_of(images)[torch.arange(len(images)), index]


variants = {  # name: (parametrization, transform, its classes)
    "naive (pixels)": (PixelImage(1, size, seed=SEED), None, [ladybug]),
    "pixels + transforms": (PixelImage(1, size, seed=SEED), jitter, [ladybug]),
    "Fourier, no transforms": (FourierImage(1, size, seed=SEED), None, [ladybug]),
    "Fourier + transforms": (FourierImage(4, size, seed=SEED), jitter, classes),
}
runs = {
    name: optimize_input(
        class_score(targets),
        image,
        transform=transform,
        n_steps=n_steps,
        snapshots=steps,
        seed=SEED,
        cache={**network, "objective": "class logit", "targets": targets},
    )
    for name, (image, transform, targets) in variants.items()
}

# %%
# ## What each variant reaches, and how robust it is
#
# Per image: the **logit** it reaches; the median logit under 8 random
# transformations of the training family (another seed), its share of the logit
# (**kept**), and the share of the 8 in which the class stays the top-1; and the
# high-frequency share, per colour channel with the mean removed.
import pandas as pd

n_draws = 8


@torch.no_grad()
def evaluate(images, targets):
    """Logit and top-1 of each target, as is and under n_draws transforms."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    index, targets = torch.arange(len(x)), torch.tensor(targets)
    logits = logits_of(x)
    moved = transform_by_hand(
        x.repeat_interleave(n_draws, 0), torch.Generator().manual_seed(SEED + 1)
    )
    moved = logits_of(moved).reshape(len(x), n_draws, -1)
    top1 = (moved.argmax(-1) == targets[:, None]).double().mean(1)
    result = pd.DataFrame(
        {
            "logit": logits[index, targets].numpy(),
            "p": logits.softmax(1)[index, targets].numpy(),
            "moved logit": moved[index, :, targets].median(1).values.numpy(),
            "moved top-1": top1.numpy(),
            "high-freq. share": high_frequency_share(images),
        }
    )
    return result.assign(kept=result["moved logit"] / result["logit"])


table = pd.concat({name: evaluate(r.images[:1], [ladybug]) for name, r in runs.items()})
table = table.droplevel(1)
table.round(3)

# %%
# The naive image is the noisiest and loses its class when moved. Each regularizer
# alone fixes one failure: the transforms make the pixel image robust (it keeps its
# logit when moved) but leave it noisy, and slow the ascent; the Fourier
# parametrization makes it smooth but fragile. Only together are they both, though
# the result still holds several times the photos' high-frequency share.
naive, moved_only, fourier_only, both = (table.loc[name] for name in variants)
hf = table["high-freq. share"]
claim(
    QUICK
    or (
        hf.idxmax() == "naive (pixels)"
        and naive["kept"] < 0.2
        and naive["moved top-1"] < 0.5
        and moved_only["kept"] > 0.8
        and moved_only["logit"] < both["logit"]
        and fourier_only["kept"] < 0.2
        and max(hf["Fourier, no transforms"], hf["Fourier + transforms"])
        < hf["pixels + transforms"] / 2
        and both["kept"] > 0.8
        and both["moved top-1"] == 1
        and hf["Fourier + transforms"] > 2 * hf_photos.max()
    ),
    "naive: noisiest, fragile; transforms alone: robust but noisy and slow; Fourier "
    "alone: smooth but fragile; both: robust and smooth, not as smooth as a photo",
    evidence=f"{table.to_dict()}, photos {hf_photos}",
)
fig, axes = plt.subplots(1, 4, figsize=(14, 4.3))
for ax, (name, run) in zip(axes, runs.items()):
    ax.imshow(run.images[0])
    row = table.loc[name]
    ax.set_title(
        f"{name}\nlogit {row['logit']:.0f}, kept {row['kept']:.0%}, "
        f"high-freq. {row['high-freq. share']:.0%}",
        fontsize=9,
    )
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle(f"'{names[ladybug]}' logit, {n_steps} Adam steps, {size} px")
plt.show()

# %%
# ## The picture forms with the steps
#
# The fully regularized run, four classes, after 32, 128 and 512 steps. Each class is
# the network's top-1 long before a person could say what the image shows, moved or
# not, while the picture gains contrast (the pixels' standard deviation) and detail
# at each snapshot.
run = runs["Fourier + transforms"]
progress = pd.concat(
    {step: evaluate(run.snapshots[step], classes) for step in steps}, names=["step"]
)
progress["class"] = [names[k] for k in classes] * len(steps)
progress["contrast"] = [s.std() for step in steps for s in run.snapshots[step]]
first, middle, last = (progress.loc[step] for step in steps)
claim(
    QUICK
    or (
        (first["p"] > 0.5).all()
        and (progress["moved top-1"] >= 7 / 8).all()
        and (middle["contrast"] > 1.2 * first["contrast"]).all()
        and (last["contrast"] > 1.2 * middle["contrast"]).all()
    ),
    "each class is the network's top-1 after a sixteenth of the steps, moved or not; "
    "the picture gains contrast at each snapshot",
    evidence=str(progress.to_dict()),
)
fig, axes = plt.subplots(len(classes), len(steps), figsize=(9, 12.4))
for i, k in enumerate(classes):
    for j, step in enumerate(steps):
        axes[i, j].imshow(run.snapshots[step][i])
        p = progress.loc[step, "p"].iloc[i]
        axes[i, j].set_title(f"{names[k]}, step {step}: p = {p:.2f}", fontsize=9)
        axes[i, j].set_xticks([]), axes[i, j].set_yticks([])
fig.suptitle("Class visualizations (Fourier parametrization + transformations)")
plt.show()
progress.round(3)

# %%
# ## Channels at three depths, next to the photo patches they like
#
# The objective is now the mean over positions of one channel of block 5 of 16
# (stride 8), block 11 (stride 16) or the last block (stride 32); `truncated_forward`
# stops the forward pass there. The pattern repeats over the frame, so 128 pixels
# are enough (lucid's default for channels; a multiple of 32, so the fixed "same"
# paddings stay right). Per depth and for the cat, the coffee and the astronaut, the
# channel with the highest activation at one position of that photo, each channel
# divided by its standard deviation over the four photos. Its top patch is a crop
# around the position where it peaks, the centred square holding 90% of the input
# gradient of one position at that depth (the region the position sees).
from mlviz.inspect.featurevis import truncated_forward

channel_size = 64 if QUICK else 128
depths = {"block 5": 4, "block 11": 10, "block 16": 15}
chosen_from = ["chelsea", "coffee", "astronaut"]


def patch_side(block, mass=0.9):
    """Side of the centred square holding `mass` of |d activation / d input|."""
    x = photos_224[:1].clone().requires_grad_(True)
    A = truncated_forward(model, model._blocks[block], x)
    h = A.shape[-1] // 2
    (g,) = torch.autograd.grad(A[0, :, h, h].abs().sum(), x)
    g, c = g.abs().sum(1)[0].numpy(), x.shape[-1] // 2
    for half in range(4, c + 1, 4):
        if g[c - half : c + half, c - half : c + half].sum() >= mass * g.sum():
            return 2 * half
    return x.shape[-1]


def channel_score(block, targets):
    """Score of image i: the mean of channel targets[i] of the block's output."""
    index = torch.tensor(targets)

    def score(images):
        A = truncated_forward(model, model._blocks[block], 2 * images - 1)
        return A[torch.arange(len(images)), index].mean(dim=(1, 2))

    return score


channels, patches, strides, channel_images = {}, {}, {}, {}
for depth, b in depths.items():
    with torch.no_grad():
        A = truncated_forward(model, model._blocks[b], photos_224).numpy()
    strides[depth] = 224 // A.shape[-1]  # input pixels per position
    peaks = (A / A.std(axis=(0, 2, 3))[None, :, None, None]).max(axis=(2, 3))
    picked = []
    for photo in chosen_from:
        order = np.argsort(-peaks[PHOTOS.index(photo)])
        picked.append(int(next(c for c in order if c not in picked)))
    channels[depth] = picked
    for c in picked:  # the photo and position where the channel peaks
        i, r, col = np.unravel_index(np.argmax(A[:, c]), A[:, c].shape)
        patches[depth, c] = (int(i), int(r), int(col), float(A[i, c, r, col]))
    channel_images[depth] = optimize_input(
        channel_score(b, picked),
        FourierImage(len(picked), channel_size, seed=SEED),
        transform=jitter,
        n_steps=n_steps,
        seed=SEED,
        cache={**network, "objective": "channel mean", "block": b, "targets": picked},
    ).images
sides = {depth: patch_side(b) for depth, b in depths.items()}

# %%
# Each row: a depth; each pair: the synthesized image and the crop of the photo
# where that channel peaks (the photo's name and the peak value), with a box around
# the input pixels of the peak's position.
from matplotlib.patches import Rectangle

photo_images = to_display(photos_224)  # (4, 224, 224, 3)
fig, axes = plt.subplots(3, 6, figsize=(14.4, 8.2))
for row, depth in zip(axes, depths):
    side, stride = sides[depth], strides[depth]
    for j, c in enumerate(channels[depth]):
        ax_vis, ax_patch = row[2 * j], row[2 * j + 1]
        ax_vis.imshow(channel_images[depth][j])
        ax_vis.set_title(f"{depth}, channel {c}", fontsize=9)
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
say("Crop sides: " + ", ".join(f"{d} {s} px" for d, s in sides.items()) + ".")
claim(
    sides["block 5"] <= 64 and sides["block 16"] >= 192,
    "one position of block 5 sees a small patch, one of the last block most of "
    "the photo",
    evidence=str(sides),
)

# %%
# ## How to read these figures
#
# * A synthesized image answers "what would excite this unit most?", not "what does
#   a typical input look like?": it exaggerates, and as the objective sums evidence
#   over all positions, it repeats parts of the object over the frame.
# * Judge readability yourself: it varies by class, and on another machine the
#   figure differs in detail (other rounding takes the ascent elsewhere). When this
#   page was written, the ladybug (red spotted shells) and the monarch (orange and
#   black wing patches) were recognizable, as parts scattered over the frame; the
#   strawberry (red seeded patches, leaves) and the espresso (rims, crema) only once
#   the class was known. None is as clean as the GoogLeNet pictures of the Distill
#   article; adversarially robust networks give much cleaner ones even without these
#   regularizers (Engstrom et al., 2019).
# * The probability in a title says that the network recognizes the image, which it
#   does from the first snapshot on: no test of readability.
# * The crop side says how much of the input one position sees: at block 5 a small
#   patch, so its channels can only describe textures and local colour patterns; at
#   the last block most of the photo.
#
# ## Pitfalls
#
# * **A picture is not an explanation.** Geirhos et al. (2023) built networks whose
#   feature visualizations show arbitrary pictures while they behave as before on
#   photos. Check a visualization against the photo patches that excite the unit: one
#   that shares nothing with them describes the optimizer more than the unit.
# * **A high activation is not a good picture.** The naive image fools the network
#   within thirty-two steps and loses its class when moved by a few pixels.
# * **Steps are part of the method.** The network picks the class within a
#   sixteenth of lucid's 512 steps, the picture is not there yet: stopping when the
#   network is convinced shows a faint texture.
# * **The regularizers are a prior.** Transformation ranges, the 1/f decay, the
#   colour matrix, the number of steps and the image size all change what appears;
#   compare visualizations only under one setting. One image per unit also hides
#   polysemy: several starts or a diversity term (as in the Distill article) show
#   more of what a channel responds to.
