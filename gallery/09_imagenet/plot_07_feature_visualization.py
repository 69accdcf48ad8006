"""
# Feature visualization: what excites a class or a channel of a pretrained network

**Catalog I7** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** photos (scikit-image)

Attribution maps say where in one photo the evidence lies; feature visualization asks
what the network is looking for at all: climb the gradient of a class's logit, or of
a channel's mean activation, with respect to the *pixels* of a grey image. Done
naively, this gives noise that excites the unit and resembles nothing. Olah,
Mordvintsev and Schubert ("Feature Visualization", Distill 2017) showed what turns it
into pictures: random shifts, zooms and rotations at every step, a decorrelated
parametrization (a 1/f-scaled Fourier spectrum in decorrelated colours), and hundreds
of steps. This page writes each piece out for EfficientNet-Lite0, measures what each
buys, and sets channel pictures next to the photo patches that excite them most.
"""

# %%
# ## The naive ascent, written out
#
# 224x224 images, the network's training size: one free number per pixel and colour
# (`PixelImage`), squashed into (0, 1) by a sigmoid and started nearly uniform grey;
# Adam climbs the class's logit (the network sees `2 * image - 1`). 32 steps:
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
    z = logits_of(fooled)[0]
p_fooled, top_fooled = z.softmax(0)[ladybug].item(), z.argmax().item()
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
    top_fooled == ladybug and hf_fooled > 3 * hf_photos.max(),
    "thirty-two naive steps make noise the network's top-1",
    evidence=f"p = {p_fooled:.3f}, share {hf_fooled:.2f}, photos {hf_photos}",
)

# %%
# ## Regularizer 1: transformation robustness
#
# At every step each image is zoomed by [0.9, 1.1], turned by up to 10 degrees and
# shifted by up to 8 pixels (mid-grey fills): what only works pixel-exact stops working. The output pixel at offset `p` from the centre
# reads the input at $R^\top p / \mathrm{zoom} - \mathrm{shift}$, bilinearly (`affine_grid` counts in half
# sides). The ascents use `random_transform`, this function with ranges as arguments.
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
    theta = [torch.stack([cos, sin, tx], 1), torch.stack([-sin, cos, ty], 1)]
    grid = F.affine_grid(torch.stack(theta, 1), list(x.shape), align_corners=False)
    return F.grid_sample(x - 0.5, grid, align_corners=False) + 0.5


jitter = functools.partial(random_transform, shift=8, scale=(0.9, 1.1), angle=10)

# %%
# ## Regularizer 2: a decorrelated parametrization
#
# Photos hold most of their power at low spatial frequencies (amplitude roughly as
# 1/f) and in correlated colours; with a parameter per pixel and channel, an equal
# step on every parameter is mostly high-frequency change. lucid's parametrization
# undoes both: the parameters are the image's 2-D Fourier coefficients (`rfft2`)
# times `1 / max(f, 1/size)`, `f` the radial frequency in cycles per pixel; their
# orthonormal inverse FFT over 4 gives channels `c`, each pixel's colour is
# `sigmoid(M c)`, `M` lucid's decorrelated colours of ImageNet's pixels (a grey axis,
# two colour contrasts) scaled to a largest column norm of 1 (`FourierImage`).
from mlviz.inspect.featurevis import IMAGENET_COLOUR_SQRT

fy, fx = np.fft.fftfreq(size)[:, None], np.fft.rfftfreq(size)[None, :]
scale = torch.tensor(1 / np.maximum(np.hypot(fy, fx), 1 / size), dtype=torch.float32)
M = IMAGENET_COLOUR_SQRT / np.linalg.norm(IMAGENET_COLOUR_SQRT, axis=0).max()
M = torch.tensor(M, dtype=torch.float32)


def fourier_by_hand(coefficients):
    """Complex (n, 3, size, size // 2 + 1) coefficients -> (n, 3, size, size) images."""
    c = torch.fft.irfft2(coefficients * scale, s=(size, size), norm="ortho") / 4
    return torch.sigmoid(torch.einsum("ck,nkhw->nchw", M, c))


# %%
# ## The 2x2 experiment, with the steps the method needs
#
# Each regularizer on or off for the ladybug, and three more classes with both: 512
# Adam steps at learning rate 0.05, lucid's defaults. `optimize_input` runs `ascend`'s
# loop on a batch, keeps snapshots and caches the result on disk (hundreds of steps at
# 224 px take a while on a CPU), keyed by `cache` (what the score is) and settings.
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
# Per image: the **logit** and its probability; the median logit under 8 random
# transformations of the training family (another seed), its share of the logit
# (**kept**), the share of the 8 that keep the class top-1, the high-frequency share.
# **Robust**: keeps its class in most moves; **smooth**: its high-frequency share lies
# nearer the photos' than the noisiest image's.
import pandas as pd


@torch.no_grad()
def evaluate(images, targets, n_draws=8):
    """Logit and top-1 of each target, as is and under n_draws transforms."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    index, targets = torch.arange(len(x)), torch.tensor(targets)
    logits = logits_of(x)
    generator = torch.Generator().manual_seed(SEED + 1)
    moved = transform_by_hand(x.repeat_interleave(n_draws, 0), generator)
    moved = logits_of(moved).reshape(len(x), n_draws, -1)
    result = pd.DataFrame(
        {
            "logit": logits[index, targets].numpy(),
            "p": logits.softmax(1)[index, targets].numpy(),
            "moved logit": moved[index, :, targets].median(1).values.numpy(),
            "moved top-1": (moved.argmax(-1) == targets[:, None]).double().mean(1),
            "high-freq. share": high_frequency_share(images),
        }
    )
    return result.assign(kept=result["moved logit"] / result["logit"])


table = pd.concat({name: evaluate(r.images[:1], [ladybug]) for name, r in runs.items()})
table = table.droplevel(1)
hf = table["high-freq. share"]
table["robust"] = table["moved top-1"] > 0.5
table["smooth"] = hf - hf_photos.max() < hf.max() - hf
table.round(3)

# %%
# The naive image is noisy and loses its class when moved. Each regularizer alone
# fixes one failure: the transforms make the pixel image robust but leave it noisy
# (and it reaches the lowest logit of the four); the Fourier parametrization makes it
# smooth but fragile. Only together are they both, though still noisier than a photo.
from mlviz.plotting import plot_image_grid

claim(
    QUICK
    or table[["robust", "smooth"]].values.tolist() == [[0, 0], [1, 0], [0, 1], [1, 1]]
    and table["logit"].idxmin() == "pixels + transforms"
    and hf.iloc[-1] > hf_photos.max(),
    "transforms alone: robust, noisy, lowest logit; Fourier alone: smooth, fragile; "
    "both: robust and smooth, noisier than a photo",
    evidence=f"{table.to_dict()}, photos {hf_photos}",
)
titles = [f"{n}\nkept {k:.0%}, high-freq. {hf[n]:.0%}" for n, k in table.kept.items()]
plot_image_grid([run.images[0] for run in runs.values()], titles=titles, panel_size=3.5)
plt.show()

# %%
# ## The picture forms with the steps
#
# The fully regularized run after 32, 128 and 512 steps (one row each), with each
# picture's contrast (the pixels' standard deviation). The network is convinced
# early: at step 32 each class is its top-1, moved or not, while each picture holds
# less than half of the contrast it ends with; the contrast rises at each snapshot.
run = runs["Fourier + transforms"]
progress = pd.concat(
    {step: evaluate(run.snapshots[step], classes) for step in steps}, names=["step"]
)
progress["class"] = [names[k] for k in classes] * len(steps)
progress["contrast"] = [s.std() for step in steps for s in run.snapshots[step]]
contrast = progress["contrast"].unstack("step")  # class x step
claim(
    QUICK
    or (progress.loc[steps[0], ["p", "moved top-1"]] > 0.5).all(axis=None)
    and (contrast[steps[0]] < contrast[steps[-1]] / 2).all()
    and (contrast.diff(axis=1).iloc[:, 1:] > 0).all(axis=None),
    "at step 32 each class is the top-1, moved or not, while each picture holds "
    "less than half of its final contrast; the contrast rises at each snapshot",
    evidence=str(progress.to_dict()),
)
images = [image for step in steps for image in run.snapshots[step]]
titles = [f"{r['class']}, step {s}: p = {r.p:.2f}" for (s, _), r in progress.iterrows()]
plot_image_grid(images, titles=titles, ncols=len(classes), panel_size=3)
plt.show()
progress.round(3)

# %%
# ## Channels at three depths, next to the photo patches they like
#
# The objective is now the mean over positions of one channel of block 5 of 16
# (stride 8), block 11 (stride 16) or the last block (stride 32); `truncated_forward`
# stops the forward pass there. As the objective averages over positions, a pattern
# can repeat over the frame: 128 pixels are enough (lucid's default; a multiple of
# 32, so the fixed "same" paddings stay right). Per depth (a row of the figure) and for the cat, the coffee and the
# astronaut: the channel with the highest activation at one position of that photo
# (each channel divided by its standard deviation over the photos). Next to it, the
# photo where it peaks, cropped to the square holding 90% of one position's input
# gradient, a box around the input pixels of the peak's position.
from matplotlib.patches import Rectangle

from mlviz.inspect.featurevis import truncated_forward
from mlviz.inspect.patches import effective_patch_side, peak_crop

channel_size = 64 if QUICK else 128
depths = {"block 5": 4, "block 11": 10, "block 16": 15}
chosen_from = ["chelsea", "coffee", "astronaut"]
photo_images = to_display(photos_224)  # (4, 224, 224, 3)


def channel_score(block, targets):
    """Score of image i: the mean of channel targets[i] of the block's output."""
    index, layer = torch.tensor(targets), model._blocks[block]
    return lambda x: truncated_forward(model, layer, 2 * x - 1)[
        torch.arange(len(x)), index
    ].mean(dim=(1, 2))


sides, pairs, titles, boxes = {}, [], [], []
for depth, b in depths.items():
    block_output = functools.partial(truncated_forward, model, model._blocks[b])
    with torch.no_grad():
        A = block_output(photos_224).numpy()
    stride = 224 // A.shape[-1]  # input pixels per position
    sides[depth] = side = effective_patch_side(block_output, photos_224, mass=0.9)
    peaks = (A / A.std(axis=(0, 2, 3))[None, :, None, None]).max(axis=(2, 3))
    picked = []
    for photo in chosen_from:
        order = np.argsort(-peaks[PHOTOS.index(photo)])
        picked.append(int(next(c for c in order if c not in picked)))
    visualized = optimize_input(
        channel_score(b, picked),
        FourierImage(len(picked), channel_size, seed=SEED),
        transform=jitter,
        n_steps=n_steps,
        seed=SEED,
        cache={**network, "objective": "channel mean", "block": b, "targets": picked},
    ).images
    for image, c in zip(visualized, picked):  # and the photo where c peaks
        i, r, col = np.unravel_index(np.argmax(A[:, c]), A[:, c].shape)
        crop, (top, left) = peak_crop(photo_images[i], r, col, stride=stride, side=side)
        pairs += [image, crop]
        titles += [f"{depth}, channel {c}", f"{PHOTOS[i]}, peak {A[i, c, r, col]:.1f}"]
        boxes.append((col * stride - left - 0.5, r * stride - top - 0.5, stride))
axes = plot_image_grid(pairs, titles=titles, ncols=6)
for ax, (x, y, stride) in zip(axes.flat[1::2], boxes):
    ax.add_patch(Rectangle((x, y), stride, stride, fill=False, ec="w", lw=1.5))
plt.show()
area = {depth: (side / 224) ** 2 for depth, side in sides.items()}
say(", ".join(f"{d}: {sides[d]} px, {a:.0%} of the photo" for d, a in area.items()))
claim(
    area["block 5"] < 0.1 and area["block 16"] > 0.5,
    "one position of block 5 sees a small patch, one of the last block most of "
    "the photo",
    evidence=str(sides),
)

# %%
# ## How to read these figures
#
# * A synthesized image answers "what excites this unit most?", not "what does a
#   typical input look like?": it exaggerates, and evidence anywhere in the frame counts.
# * Whether a person recognizes a class the page cannot compute, and p is no test of
#   it: cover the titles of the last row and name each picture yourself.
# * The crop is what one position sees: a small patch at block 5 (textures, local
#   colours), most of the photo at the last block.
#
# ## Pitfalls
#
# * **A picture is not an explanation.** Geirhos et al. (2023) built networks whose
#   feature visualizations show arbitrary pictures while they behave as before on
#   photos. Check a visualization against the photo patches that excite the unit: one
#   that shares nothing with them describes the optimizer more than the unit.
# * **Neither a high activation nor a confident network makes a picture**: noise is
#   the top-1 after 32 naive steps. Run the steps the method needs, not until p is high.
# * **The regularizers are a prior.** Transformation ranges, the 1/f decay, the
#   colour matrix, the steps and the image size all change what appears. One image per
#   unit hides polysemy; several starts or a diversity term (Distill) show more.
