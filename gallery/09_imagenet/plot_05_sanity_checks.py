"""
# Sanity checks for saliency maps: randomize the network, layer by layer

**Catalog I5** · **Question:** one prediction, internals · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

An explanation of what a network learned has to depend on what it learned. Adebayo et
al. (2018, "Sanity checks for saliency maps") made that a test: replace the trained
weights by random ones, from the classifier down to the first layer, and recompute the
maps after each step. A map that still looks the same when the weights are gone
cannot be explaining them; it shows the photo, or the architecture. This page runs the
cascading randomization on a pretrained EfficientNet-Lite0 for five maps (saliency,
gradient x input, SmoothGrad, integrated gradients and Grad-CAM), measures how
similar each map stays to the trained network's map, and separates what the weights
contribute from what the photo itself does.
"""

# %%
# ## The network, a copy of it, and the cat
#
# EfficientNet-Lite0 with its ImageNet weights (`mlviz.models.load_efficientnet_lite0`,
# offline, hash-checked). The loader shares one model per process, so the weights are
# randomized on a `copy.deepcopy` of it; a snapshot of the shared model's weights
# checks at the end that it was not touched. The maps explain the logit of class 285,
# Egyptian cat, on scikit-image's cat: the same output unit at every step, even after
# it stops meaning "cat".
import copy

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

shared = load_efficientnet_lite0()
snapshot = {k: v.clone() for k, v in shared.state_dict().items()}
net = copy.deepcopy(shared)  # the copy whose weights are replaced
names = imagenet_class_names()
x = photo_tensors(["chelsea"])  # (1, 3, 224, 224) in [-1, 1]
image = to_display(x)[0]
aspect = photo_aspect("chelsea")
target = 285
with torch.no_grad():
    proba = torch.softmax(net(x), 1)[0]
say(f"The trained network: p({names[target]}) = **{proba[target]:.2f}**.")

# %%
# ## Five maps from one batch
#
# Every map needs the gradient of the logit with respect to some input, so one
# function computes all five from one list of images: the photo (saliency, gradient x
# input), `n_noisy` noisy copies (SmoothGrad: noise of 0.15 times the value range, the
# same noise at every step, so that only the weights change) and `n_steps + 1` points
# on the straight path from a black image (integrated gradients, trapezoidal rule). A
# forward hook on the last block (`net._blocks[-1]`, 7x7) keeps its output `A` for
# Grad-CAM (mean gradient per map as its weight, `ReLU(sum_k w_k A_k)`, upsampled).
#
# * saliency: `max_c |g_c|` (largest absolute gradient over the colour channels);
# * gradient x input: `sum_c g_c x_c`;
# * SmoothGrad: `max_c mean_k |g_c(x + noise_k)|`;
# * integrated gradients: `sum_c (x_c + 1) * mean over the path of g_c`.
import torch.nn.functional as F

n_noisy, n_steps = (2, 4) if QUICK else (8, 16)
black = -torch.ones_like(x)


def five_maps(net, x, target):
    """Saliency, gradient x input, SmoothGrad, IG and Grad-CAM of one image."""
    rng = torch.Generator().manual_seed(SEED)
    span = x.max() - x.min()
    noisy = [
        x + torch.randn(x.shape, generator=rng) * 0.15 * span for _ in range(n_noisy)
    ]
    alphas = torch.linspace(0, 1, n_steps + 1)
    path = [black + a * (x - black) for a in alphas]
    batch = torch.cat([x, *noisy, *path])
    kept = {}

    def keep_first(module, inputs, output):  # returns None: the output is unchanged
        kept.setdefault("A", output)

    handle = net._blocks[-1].register_forward_hook(keep_first)
    grads = []
    for k, chunk in enumerate(torch.split(batch, 8)):
        chunk = chunk.clone().requires_grad_(True)
        score = net(chunk)[:, target].sum()  # the images do not interact (eval mode)
        wrt = [chunk, kept["A"]] if k == 0 else [chunk]
        g = torch.autograd.grad(score, wrt)
        grads.append(g[0])
        if k == 0:
            A, dA = kept["A"][0].detach(), g[1][0]  # (320, 7, 7) for the photo
    handle.remove()
    g = torch.cat(grads).double()
    weights = torch.full((n_steps + 1,), 1 / n_steps, dtype=torch.float64)
    weights[[0, -1]] /= 2
    path_mean = (weights[:, None, None, None] * g[1 + n_noisy :]).sum(0)
    cam = torch.relu((dA.mean(dim=(1, 2))[:, None, None] * A).sum(0)).double()
    return {
        "saliency": g[0].abs().amax(0).numpy(),
        "gradient x input": (g[0] * x[0]).sum(0).numpy(),
        "SmoothGrad": g[1 : 1 + n_noisy].abs().mean(0).amax(0).numpy(),
        "integrated gradients": ((x[0] - black[0]) * path_mean).sum(0).numpy(),
        "Grad-CAM": F.interpolate(cam[None, None], size=(224, 224), mode="bilinear")[
            0, 0
        ].numpy(),
    }


trained = five_maps(net, x, target)
methods = list(trained)

# %%
# The gallery's helpers give the same maps on the trained network (SmoothGrad with the
# same seed draws the same noise), to the precision a colour map can show (1/255 of the
# map's largest value; the two run the network in other batches, so the last float32
# bits differ):
from mlviz.attribution import (
    GradCAM,
    input_gradients,
    integrated_gradients,
    saliency,
    smoothgrad,
)

with GradCAM(net, [net._blocks[-1]]) as gradcam:
    cam_7x7 = gradcam.layer_cams(x, targets=[target])[0]
helpers = {
    "saliency": saliency(net, x, [target])[0],
    "gradient x input": (input_gradients(net, x, [target]) * x.numpy()).sum(1)[0],
    "SmoothGrad": smoothgrad(
        net, x, [target], n_samples=n_noisy, noise_level=0.15, seed=SEED
    )[0],
    "integrated gradients": integrated_gradients(
        net, x, [target], baseline=black, n_steps=n_steps
    ).attributions.sum(1)[0],
    "Grad-CAM": F.interpolate(
        torch.from_numpy(cam_7x7)[:, None], size=(224, 224), mode="bilinear"
    )[0, 0].numpy(),
}
gaps = {
    m: np.abs(helpers[m] - trained[m]).max() / np.abs(trained[m]).max() for m in methods
}
say(
    "Largest difference, by hand vs helper, relative to the map's largest value: "
    + ", ".join(f"{m} {gap:.1e}" for m, gap in gaps.items())
    + "."
)
claim(
    max(gaps.values()) < 1 / 255,
    "the helpers give the same maps, to what a colour map can show",
    evidence=str(gaps),
)

# %%
# ## Cascading randomization, written out
#
# Each step replaces the weights of one more part of the network, from the top: the
# classifier `_fc`, the head (`_conv_head` and its batch norm), then the blocks by
# stage (EfficientNet's seven stages: block 16, blocks 12-15, 9-11, 6-8, 4-5, 2-3 and
# 1), and finally the stem (`_conv_stem` and its batch norm). Randomization is
# cumulative: at step k, everything above is random too. A convolution gets He-normal
# weights (the usual initialization for ReLU networks), the classifier normal weights
# of standard deviation `1/sqrt(fan_in)`, biases 0; a batch norm forgets its learned
# scale, shift and running statistics (1, 0, mean 0, variance 1): they are weights
# learned from the data too. One seeded generator draws all of them, so every build
# randomizes the same way.
import math

from torch import nn


def randomize_(module, rng):
    """Re-initialize every convolution, linear layer and batch norm in `module`."""
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=rng)
        elif isinstance(layer, nn.Linear):
            std = 1 / math.sqrt(layer.in_features)
            nn.init.normal_(layer.weight, std=std, generator=rng)
        elif isinstance(layer, nn.BatchNorm2d):
            layer.reset_parameters()  # weight 1, bias 0, running mean 0, variance 1
            continue
        else:
            continue
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)


blocks = net._blocks
stages = {
    "trained": [],
    "+ _fc": [net._fc],
    "+ head": [net._conv_head, net._bn1],
    "+ block 16": [blocks[15]],
    "+ blocks 12-15": list(blocks[11:15]),
    "+ blocks 9-11": list(blocks[8:11]),
    "+ blocks 6-8": list(blocks[5:8]),
    "+ blocks 4-5": list(blocks[3:5]),
    "+ blocks 2-3": list(blocks[1:3]),
    "+ block 1": [blocks[0]],
    "+ stem": [net._conv_stem, net._bn0],
}
rng = torch.Generator().manual_seed(SEED)
maps = {"trained": trained}
logits = {"trained": net(x)[0, target].item()}
for stage, modules in list(stages.items())[1:]:
    for module in modules:
        randomize_(module, rng)
    maps[stage] = five_maps(net, x, target)
    with torch.no_grad():
        logits[stage] = net(x)[0, target].item()
untouched = [
    n for n, p in net.named_parameters() if torch.equal(p, shared.get_parameter(n))
]
claim(
    not untouched,
    "at the end every weight of the copy is random",
    evidence=str(untouched),
)
say(
    f"The logit of {names[target]}: {logits['trained']:.2f} trained, "
    + ", ".join(f"{logits[s]:.2f} ({s[2:]})" for s in list(stages)[1:4])
    + f", ..., {logits['+ stem']:.2f} with every layer random."
)

# %%
# ## The maps, step by step
#
# Each map's absolute value, scaled by its own 99th percentile (white: large), for six
# of the eleven steps. Read each row from left to right: does the map change when the
# weights do?
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

shown = ["trained", "+ _fc", "+ head", "+ block 16", "+ blocks 9-11", "+ stem"]
labels = {
    "trained": "trained",
    "+ _fc": "random _fc",
    "+ head": "... and head",
    "+ block 16": "... and block 16",
    "+ blocks 9-11": "... down to block 9",
    "+ stem": "all random",
}


def scaled(m):
    """|map| / its 99th percentile, clipped to [0, 1]."""
    a = np.abs(m)
    return np.clip(a / max(np.percentile(a, 99), 1e-12), 0, 1)


fig, axes = plt.subplots(
    len(methods), len(shown) + 1, figsize=(14, 1.0 + len(methods) * 2.05 * aspect)
)
axes[0, 0].imshow(image, aspect=aspect)
axes[0, 0].set_title("the photo", fontsize=10)
for row, method in enumerate(methods):
    axes[row, 1].set_ylabel(method, fontsize=10)
    for col, stage in enumerate(shown, start=1):
        im = axes[row, col].imshow(
            scaled(maps[stage][method]), cmap="hot", vmin=0, vmax=1, aspect=aspect
        )
        if row == 0:
            axes[row, col].set_title(labels[stage], fontsize=10)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
for ax in axes[1:, 0]:
    ax.axis("off")
fig.colorbar(im, ax=axes, shrink=0.5, label="|map| / 99th percentile")
fig.suptitle(f"Cascading randomization from the top: maps of the {names[target]} logit")
plt.show()

# %%
# ## How similar does each map stay?
#
# Two measures between each step's map and the trained network's, as in the paper:
#
# * the **Spearman rank correlation** of the absolute values (1: same order of
#   pixels; 0: unrelated);
# * the **structural similarity** (SSIM, `skimage.metrics.structural_similarity`) of
#   the maps as drawn above (local means, contrasts and correlations in 7x7
#   windows; 1: identical).
#
# What is "unrelated" for a smooth map? A blob in the middle of one map and another
# blob in the middle of the next correlate whatever the weights. So each method gets
# a **chance level**: its trained map against the same map turned upside down
# (rotated 180 degrees), with the same values and smoothness in the wrong places.
from scipy.stats import spearmanr
from skimage.metrics import structural_similarity


def rank_correlation(a, b):
    """Spearman correlation of |a| and |b|; NaN when one of them is constant."""
    a, b = np.abs(a).ravel(), np.abs(b).ravel()
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b)[0])


def ssim(a, b):
    return float(structural_similarity(scaled(a), scaled(b), data_range=1.0))


rho = {
    (s, m): rank_correlation(maps[s][m], trained[m]) for s in stages for m in methods
}
similarity = {(s, m): ssim(maps[s][m], trained[m]) for s in stages for m in methods}
chance_rho = {m: rank_correlation(trained[m][::-1, ::-1], trained[m]) for m in methods}
chance_ssim = {m: ssim(trained[m][::-1, ::-1], trained[m]) for m in methods}

# %%
# The photo's own share. Two of the maps multiply the gradient by the photo:
# gradient x input by `x` (0 is mid-grey), integrated gradients by `x - black`, the
# brightness. Whatever the weights, that factor is there. Its rank correlation with
# the map measures how much of the map is the photo.
imprint_of = {
    "gradient x input": x[0].abs().sum(0).numpy(),  # distance from mid-grey
    "integrated gradients": (x[0] - black[0]).sum(0).numpy(),  # brightness
}
imprint = {
    (s, m): rank_correlation(maps[s][m], factor)
    for s in stages
    for m, factor in imprint_of.items()
}

# %%
# The three measures against the depth of randomization. Dashed lines: each method's
# chance level.
colors = dict(zip(methods, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
steps_axis = np.arange(len(stages))
fig, axes = plt.subplots(3, 1, figsize=(11, 11), sharex=True)
for ax, values, chance, title in (
    (axes[0], rho, chance_rho, "Spearman correlation of |map| with the trained map"),
    (axes[1], similarity, chance_ssim, "SSIM with the trained map"),
):
    for m in methods:
        ax.plot(
            steps_axis, [values[s, m] for s in stages], "o-", color=colors[m], label=m
        )
        ax.axhline(chance[m], color=colors[m], ls="--", lw=1.2)
    ax.set_title(title, fontsize=11)
    ax.set_ylim(-0.5, 1.05)
for m in imprint_of:
    axes[2].plot(
        steps_axis, [imprint[s, m] for s in stages], "o-", color=colors[m], label=m
    )
axes[2].set_title(
    "Spearman correlation of |map| with the photo's factor (|x|, resp. x - black)",
    fontsize=11,
)
axes[2].set_ylim(-0.5, 1.05)
axes[0].plot([], [], "k--", lw=1.2, label="chance: the map rotated 180 degrees")
axes[0].legend(fontsize=9, ncols=2)
axes[2].legend(fontsize=9)
axes[2].set_xticks(steps_axis, list(stages), rotation=30, ha="right")
axes[2].set_xlabel("randomized so far (cumulative, from the top)")
fig.suptitle("What is left of each map as the weights are replaced")
plt.show()

# %%
# The numbers behind the figure, at three depths: after the classifier alone, after
# the head and the last block, and with every layer random.
last = "+ stem"
rows = [
    f"| {m} | {rho['+ _fc', m]:.2f} | {rho['+ block 16', m]:.2f} | {rho[last, m]:.2f} "
    f"| {chance_rho[m]:.2f} | {similarity[last, m]:.2f} | {chance_ssim[m]:.2f} |"
    for m in methods
]
say(
    "| map | Spearman, random _fc | ... and down to block 16 | all random | chance "
    "(rotated) | SSIM, all random | SSIM chance |\n|---|---|---|---|---|---|---|\n"
    + "\n".join(rows)
)

# %%
# ## What the randomization shows
#
# Read from the numbers above (each sentence is computed from them):
pixel_methods = ["saliency", "gradient x input", "SmoothGrad", "integrated gradients"]
top = max(rho["+ _fc", m] for m in pixel_methods)
kept_most = [m for m in pixel_methods if rho["+ _fc", m] > top - 0.005]
gone = [m for m in methods if rho[last, m] < chance_rho[m] + 0.25]
imprint_min = {m: min(imprint[s, m] for s in stages) for m in imprint_of}
say(
    "\n".join(
        [
            "* **The classifier's weights matter most.** Randomizing `_fc` alone "
            "takes the pixel maps' correlation with their trained maps down to "
            + ", ".join(f"{rho['+ _fc', m]:.2f} ({m})" for m in pixel_methods)
            + f"; {' and '.join(kept_most)} "
            + ("keeps" if len(kept_most) == 1 else "keep")
            + " the most. Grad-CAM goes to "
            f"**{rho['+ _fc', 'Grad-CAM']:.2f}**: its weights are the class's "
            "gradients, so a new classifier gives it a new map at once.",
            "* **With every layer random**, the correlations are "
            + ", ".join(f"{rho[last, m]:.2f} ({m})" for m in methods)
            + (
                "; all five are within 0.25 of their chance level or below it: in the "
                "end every map passes the test."
                if len(gone) == len(methods)
                else f"; {', '.join(gone) or 'none'} "
                + ("is" if len(gone) == 1 else "are")
                + " within 0.25 of the chance level or below it."
            ),
            "* **The photo stays in the maps that multiply by it.** With any weights, "
            + ", ".join(
                f"|{m}| correlates with its photo factor at rho >= {v:.2f}"
                for m, v in imprint_min.items()
            )
            + " (trained: "
            + ", ".join(f"{imprint['trained', m]:.2f}" for m in imprint_of)
            + "). That part of the map is a picture of the photo, which needs no "
            "network at all.",
        ]
    )
)
claim(
    all(1 - rho["+ _fc", m] > rho["+ _fc", m] - rho[last, m] for m in methods),
    "the classifier's weights matter most: randomizing `_fc` alone changes every map "
    "more than randomizing all the other layers after it",
    evidence=str({m: (rho["+ _fc", m], rho[last, m]) for m in methods}),
)
claim(
    rho["+ _fc", "Grad-CAM"] < min(rho["+ _fc", m] for m in pixel_methods),
    "randomizing the classifier changes Grad-CAM more than any pixel map",
    evidence=str({m: rho["+ _fc", m] for m in methods}),
)
claim(
    rho[last, "Grad-CAM"] < chance_rho["Grad-CAM"],
    "the fully randomized Grad-CAM correlates with the trained one less than the "
    "trained map with its own rotation",
    evidence=f"{rho[last, 'Grad-CAM']:.2f} vs {chance_rho['Grad-CAM']:.2f}",
)
claim(
    all(v > 0.15 for v in imprint_min.values()),
    "the photo stays in the maps that multiply by it",
    evidence=str(imprint),
)

# %%
# The shared network was left alone:
claim(
    all(torch.equal(v, shared.state_dict()[k]) for k, v in snapshot.items()),
    "the cached shared model still has its trained weights",
)

# %%
# ## How to read these figures
#
# * **The grid**: a method passes the test when its row changes as the weights go
#   (left to right). A row that keeps the cat's eyes and outline to the last column
#   is drawing the photo, not the network.
# * **The curves**: the Spearman correlation and SSIM with the trained map, after each
#   step. Compare each curve with its dashed chance level, not with 0: smooth maps
#   (Grad-CAM) correlate by chance far more than speckled ones.
# * **The photo's factor**: for gradient x input and integrated gradients, a part of
#   the map is `x` itself; its correlation does not depend on the weights.
#
# ## Pitfalls
#
# * **Passing is necessary, not sufficient.** A map that changes with the weights can
#   still be a poor explanation (page I4 measures faithfulness); a map that does not
#   change is certainly not explaining the weights.
# * **The similarity measure decides a lot.** Absolute values hide sign flips, SSIM
#   depends on the scaling and the window, a rank correlation depends on how smooth
#   the maps are. Report the chance level with the number.
# * **How to randomize is a choice.** Here the batch norms forget their statistics
#   too; keeping them, or randomizing the layers one at a time instead of
#   cumulatively, gives other curves. Any choice must re-draw the weights from a
#   seed, so that the result can be reproduced.
# * **Gradients through random ReLU6 networks** are not noise: they follow the
#   architecture (strides, paddings) and the photo. Maps "that look like the photo"
#   are expected even from a network that learned nothing.
# * **The data randomization test is not run here.** The paper's second test
#   retrains the network on shuffled labels; that needs ImageNet and days of
#   training, which a gallery page cannot do.
# * **One photo, one class, one seed.** The curves change with each; a claim about a
#   method needs many.
