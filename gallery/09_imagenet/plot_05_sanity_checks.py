"""
# Sanity checks for saliency maps: randomize the network, layer by layer

**Catalog I5** · **Question:** one prediction, internals · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

An explanation of what a network learned has to depend on what it learned. Adebayo et
al. (2018, "Sanity checks for saliency maps") made that a test: replace the trained
weights by random ones, from the classifier down to the first layer, and recompute the
maps after each step. They judge by eye and by the rank correlation and SSIM between
each map and the trained network's: a method passes when the similarity falls to the
level of unrelated maps; a method whose maps stay similar to the trained ones once the
weights are gone fails: its maps show the photo or the architecture, not what the
network learned. This page runs the test on a pretrained EfficientNet-Lite0 for
saliency, gradient x input, SmoothGrad, integrated gradients and Grad-CAM.
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
from mlviz.models import imagenet_class_names, load_efficientnet_lite0, photo_tensors
from mlviz.models import photo_aspect, to_display
from mlviz.report import claim, say

shared = load_efficientnet_lite0()
snapshot = {k: v.clone() for k, v in shared.state_dict().items()}
net = copy.deepcopy(shared)  # the copy whose weights are replaced
names = imagenet_class_names()
x = photo_tensors(["chelsea"])  # (1, 3, 224, 224) in [-1, 1]
image, aspect = to_display(x)[0], photo_aspect("chelsea")
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
# on the straight path from a black image (integrated gradients; the points are
# spread as `a = t^3`, dense near black where the logit rises in kinks, page I4). A
# forward hook on the last block (`net._blocks[-1]`, 7x7) keeps its output `A` for
# Grad-CAM (mean gradient per map as its weight, `ReLU(sum_k w_k A_k)`, upsampled).
#
# * saliency: `max_c |g_c|` (largest absolute gradient over the colour channels);
# * gradient x input: `sum_c g_c x_c`;
# * SmoothGrad: `max_c mean_k |g_c(x + noise_k)|`;
# * integrated gradients: `sum_c (x_c + 1) * mean over the path of g_c`.
import torch.nn.functional as F

n_noisy, n_steps = (2, 4) if QUICK else (8, 32)
black = -torch.ones_like(x)


def five_maps(net, x, target):
    """The five maps of one image, and IG's completeness gap (relative)."""
    rng = torch.Generator().manual_seed(SEED)
    span = x.max() - x.min()
    noisy = [
        x + torch.randn(x.shape, generator=rng) * 0.15 * span for _ in range(n_noisy)
    ]
    t = torch.linspace(0, 1, n_steps + 1, dtype=torch.float64)
    weights = 3 * t**2 / n_steps  # trapezoidal rule in t, da = 3 t^2 dt
    weights[[0, -1]] /= 2
    path = [black + a * (x - black) for a in (t**3).float()]
    kept = {}

    def keep_first(module, inputs, output):  # returns None: the output is unchanged
        kept.setdefault("A", output)

    handle = net._blocks[-1].register_forward_hook(keep_first)
    grads, logits = [], []
    for k, chunk in enumerate(torch.split(torch.cat([x, *noisy, *path]), 8)):
        chunk = chunk.clone().requires_grad_(True)
        out = net(chunk)[:, target]  # the images do not interact (eval mode)
        g = torch.autograd.grad(out.sum(), [chunk, kept["A"]] if k == 0 else [chunk])
        grads.append(g[0])
        logits.append(out.detach().double())
        if k == 0:
            A, dA = kept["A"][0].detach(), g[1][0]  # (320, 7, 7) for the photo
    handle.remove()
    g, logits = torch.cat(grads).double(), torch.cat(logits)
    path_mean = (weights[:, None, None, None] * g[1 + n_noisy :]).sum(0)
    ig = ((x[0] - black[0]) * path_mean).sum(0)
    rise = logits[-1] - logits[1 + n_noisy]  # f(x) - f(black)
    cam = torch.relu((dA.mean(dim=(1, 2))[:, None, None] * A).sum(0)).double()
    return {
        "saliency": g[0].abs().amax(0).numpy(),
        "gradient x input": (g[0] * x[0]).sum(0).numpy(),
        "SmoothGrad": g[1 : 1 + n_noisy].abs().mean(0).amax(0).numpy(),
        "integrated gradients": ig.numpy(),
        "Grad-CAM": F.interpolate(cam[None, None], size=(224, 224), mode="bilinear")[
            0, 0
        ].numpy(),
    }, abs(ig.sum().item() - rise.item()) / abs(rise.item())


trained, ig_gap = five_maps(net, x, target)
methods = list(trained)
say(
    f"Completeness of IG ({n_steps} steps) on the trained network: its attributions "
    f"miss f(x) - f(black) by **{ig_gap:.0%}**."
)
claim(
    QUICK or ig_gap < 0.05,
    "in the full build IG's attributions add up to f(x) - f(black) within 5%",
    evidence=f"{ig_gap:.3f}",
)

# %%
# ## What "unrelated" looks like: the chance level
#
# Two maps of one method share a lot even when they explain different things: a
# Grad-CAM is a blob near the middle of the photo, a SmoothGrad map has its own
# texture. So the test needs a **chance level**, the similarity of maps that explain
# something else. As in Arun et al. (2021), it comes from the trained network's maps
# of other images: the three other photos of the gallery, each for its own top class,
# and their mirror images (left-right, up-down, both): twelve unrelated maps per
# method. (The gallery's helpers, `mlviz.attribution.saliency` and the others, give
# the same maps as `five_maps`; the page's test checks it.)
others = ["coffee", "astronaut", "rocket"]
x_others = photo_tensors(others)
with torch.no_grad():
    top_class = net(x_others).argmax(1).tolist()
unrelated = {m: [] for m in methods}
for i, k in enumerate(top_class):
    for m, a in five_maps(net, x_others[i : i + 1], k)[0].items():
        unrelated[m] += [a, a[:, ::-1], a[::-1], a[::-1, ::-1]]

# %%
# ## Cascading randomization, written out
#
# Each step replaces the weights of one more part of the network, from the top: the
# classifier `_fc`, the head (`_conv_head` and its batch norm), then the blocks
# (block 16, blocks 9-15, blocks 2-8, block 1), and finally the stem (`_conv_stem`
# and its batch norm), the first layer. Randomization is cumulative: at step k,
# everything above is random too. Convolutions get He-normal weights, the classifier
# normal weights of standard deviation `1/sqrt(fan_in)`, biases 0; batch norms forget
# their learned scale, shift and statistics, which are learned from the data too. One
# seeded generator draws them all.
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
    "+ blocks 9-15": list(blocks[8:15]),
    "+ blocks 2-8": list(blocks[1:8]),
    "+ block 1": [blocks[0]],
    "+ stem": [net._conv_stem, net._bn0],
}
rng = torch.Generator().manual_seed(SEED)
maps = {"trained": trained}
for stage, modules in list(stages.items())[1:]:
    for module in modules:
        randomize_(module, rng)
    maps[stage] = five_maps(net, x, target)[0]
untouched = [
    n for n, p in net.named_parameters() if torch.equal(p, shared.get_parameter(n))
]
claim(
    not untouched,
    "at the end every weight of the copy is random",
    evidence=str(untouched),
)
claim(
    all(torch.equal(v, shared.state_dict()[k]) for k, v in snapshot.items()),
    "the cached shared model still has its trained weights",
)

# %%
# One random draw could be lucky. Two more networks, randomized entirely with other
# seeds, show how much the end point of the cascade depends on the draw.
last = "+ stem"
random_maps = [maps[last]]
for seed in (SEED + 1, SEED + 2):
    fresh = copy.deepcopy(shared)
    randomize_(fresh, torch.Generator().manual_seed(seed))
    random_maps.append(five_maps(fresh, x, target)[0])

# %%
# ## The maps, step by step
#
# Each map's absolute value, scaled by its own 99th percentile (white: large), for six
# of the eight steps. Read each row from left to right: does the map change when the
# weights do?
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

labels = {
    "trained": "trained",
    "+ _fc": "random _fc",
    "+ head": "... and head",
    "+ block 16": "... and block 16",
    "+ blocks 9-15": "... down to block 9",
    "+ stem": "all random",
}
shown = list(labels)


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
        axes[0, col].set_title(labels[stage], fontsize=10)
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
# the **Spearman rank correlation** of the absolute values (1: same order of pixels)
# and the **structural similarity** (SSIM, `skimage.metrics.structural_similarity`)
# of the maps as drawn above (1: identical). The chance level of each is its largest
# value among the twelve unrelated maps.
from scipy.stats import spearmanr
from skimage.metrics import structural_similarity


def rank_correlation(a, b):
    """Spearman correlation of |a| and |b|; 0 when one of them is constant."""
    a, b = np.abs(a).ravel(), np.abs(b).ravel()
    return 0.0 if np.ptp(a) == 0 or np.ptp(b) == 0 else float(spearmanr(a, b)[0])


def ssim(a, b):
    return float(structural_similarity(scaled(a), scaled(b), data_range=1.0))


rho = {
    (s, m): rank_correlation(maps[s][m], trained[m]) for s in stages for m in methods
}
similarity = {(s, m): ssim(maps[s][m], trained[m]) for s in stages for m in methods}
chance_rho = {
    m: max(rank_correlation(u, trained[m]) for u in unrelated[m]) for m in methods
}
chance_ssim = {m: max(ssim(u, trained[m]) for u in unrelated[m]) for m in methods}
rho_random = {
    m: [rank_correlation(r[m], trained[m]) for r in random_maps] for m in methods
}
ssim_random = {m: [ssim(r[m], trained[m]) for r in random_maps] for m in methods}

# %%
# The photo's own share. Two of the maps multiply the gradient by the photo:
# gradient x input by `x` (0 is mid-grey), integrated gradients by `x - black`, the
# brightness. Whatever the weights, that factor is there. Its rank correlation with
# each map measures how much of the map is the photo; saliency, the same gradient
# without the factor, is the control.
factors = {
    "gradient x input": x[0].abs().sum(0).numpy(),  # distance from mid-grey
    "integrated gradients": (x[0] - black[0]).sum(0).numpy(),  # brightness
}
imprint = {
    (s, m): rank_correlation(maps[s][m], factor)
    for s in stages
    for m, factor in factors.items()
}
control = {
    (s, m): rank_correlation(maps[s]["saliency"], factor)
    for s in stages
    for m, factor in factors.items()
}

# %%
# The three measures against the depth of randomization. Dashed lines: each method's
# chance level; open circles: the two other random networks.
colors = dict(zip(methods, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
steps_axis = np.arange(len(stages))
fig, axes = plt.subplots(3, 1, figsize=(11, 11), sharex=True)
for ax, values, chance, seeds, title in (
    (
        axes[0],
        rho,
        chance_rho,
        rho_random,
        "Spearman correlation of |map| with the trained map",
    ),
    (axes[1], similarity, chance_ssim, ssim_random, "SSIM with the trained map"),
):
    for m in methods:
        ax.plot(
            steps_axis, [values[s, m] for s in stages], "o-", color=colors[m], label=m
        )
        ax.plot([steps_axis[-1]] * 2, seeds[m][1:], "o", mfc="none", color=colors[m])
        ax.axhline(chance[m], color=colors[m], ls="--", lw=1.2)
    ax.set_title(title, fontsize=11)
    ax.set_ylim(-0.5, 1.05)
for m in factors:
    axes[2].plot(
        steps_axis, [imprint[s, m] for s in stages], "o-", color=colors[m], label=m
    )
    axes[2].plot(
        steps_axis,
        [control[s, m] for s in stages],
        ":",
        color=colors[m],
        label=f"control: |saliency| with the factor of {m}",
    )
axes[2].set_title(
    "Spearman correlation of |map| with the photo's factor (|x|, resp. x - black)",
    fontsize=11,
)
axes[2].set_ylim(-0.5, 1.05)
axes[0].plot([], [], "k--", lw=1.2, label="chance: most similar unrelated map")
axes[0].plot([], [], "ko", mfc="none", label="two more random networks")
axes[0].legend(fontsize=9, ncols=2, loc="upper center")
axes[2].legend(fontsize=9)
axes[2].set_xticks(steps_axis, list(stages), rotation=30, ha="right")
axes[2].set_xlabel("randomized so far (cumulative, from the top)")
fig.suptitle("What is left of each map as the weights are replaced")
plt.show()

# %%
# ## The verdict, by the paper's criterion
#
# With every layer random, a method **passes** when both measures have fallen to the
# chance level or below for all three random networks; it **fails** when both stay
# above it for all three (its map is still more like its trained self than any
# unrelated map is); anything in between is **at the edge**.
import pandas as pd


def verdict(m):
    above = [r > chance_rho[m] for r in rho_random[m]]
    above += [s > chance_ssim[m] for s in ssim_random[m]]
    return "fails" if all(above) else "at the edge" if any(above) else "passes"


table = pd.DataFrame(
    {
        ("Spearman", "random _fc"): {m: rho["+ _fc", m] for m in methods},
        ("Spearman", "all random, lowest"): {m: min(rho_random[m]) for m in methods},
        ("Spearman", "all random, highest"): {m: max(rho_random[m]) for m in methods},
        ("Spearman", "chance"): chance_rho,
        ("SSIM", "all random, lowest"): {m: min(ssim_random[m]) for m in methods},
        ("SSIM", "all random, highest"): {m: max(ssim_random[m]) for m in methods},
        ("SSIM", "chance"): chance_ssim,
    }
).round(2)
table["verdict", ""] = [verdict(m) for m in methods]
table

# %%
# Read from the numbers above:
pixel_methods = ["saliency", "gradient x input", "SmoothGrad", "integrated gradients"]
by_verdict = {
    v: [m for m in methods if verdict(m) == v]
    for v in ("passes", "at the edge", "fails")
}
say(
    "\n".join(
        [
            "* **The classifier's weights matter most.** Randomizing `_fc` alone "
            "takes the pixel maps' correlation with their trained maps down to "
            + ", ".join(f"{rho['+ _fc', m]:.2f} ({m})" for m in pixel_methods)
            + f", Grad-CAM's to **{rho['+ _fc', 'Grad-CAM']:.2f}**: its weights are "
            "the class's gradients, so a new classifier gives it a new map at once.",
            "* **With every layer random**: "
            + "; ".join(f"{v}: {', '.join(ms)}" for v, ms in by_verdict.items() if ms)
            + ". Grad-CAM's correlations (up to "
            + f"{max(rho_random['Grad-CAM']):.2f}) look high, but unrelated Grad-CAMs "
            + f"reach {chance_rho['Grad-CAM']:.2f}: any two blobs near the middle "
            + "correlate.",
            "* **The photo stays in the maps that multiply by it.** With any weights, "
            + ", ".join(
                f"|{m}| correlates with its photo factor at rho >= "
                f"{min(imprint[s, m] for s in stages):.2f} (saliency, the control: at "
                f"most {max(control[s, m] for s in stages):.2f})"
                for m in factors
            )
            + ". That part of the map is a picture of the photo, which needs no "
            "network.",
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
    all(
        min(imprint[s, m] for s in stages) > max(control[s, m] for s in stages)
        for m in factors
    ),
    "the photo stays in the maps that multiply by it, more than in saliency",
    evidence=str({"imprint": imprint, "control": control}),
)
claim(
    verdict("Grad-CAM") == "passes" and all(verdict(m) == "fails" for m in factors),
    "Grad-CAM passes; gradient x input and integrated gradients, which multiply by "
    "the photo, fail",
    evidence=str(table),
)

# %%
# ## How to read these figures
#
# * **The grid**: a method passes when its row changes as the weights go (left to
#   right). A row that keeps the cat's eyes and outline to the last column is drawing
#   the photo, not the network.
# * **The curves**: compare each curve with its dashed chance level, not with 0:
#   smooth maps (Grad-CAM) correlate by chance far more than speckled ones.
# * **The photo's factor**: for gradient x input and integrated gradients a part of
#   the map is `x` itself, whatever the weights; saliency, the same gradient without
#   it, follows the factor much less (dotted lines). That is why those two fail here.
#
# ## Pitfalls
#
# * **Passing is necessary, not sufficient.** A map that changes with the weights can
#   still be a poor explanation (page I4 measures faithfulness); a map that does not
#   change is certainly not explaining the weights.
# * **The chance level decides the verdict.** Compared with 0, Grad-CAM would seem to
#   remember the trained network; compared with maps of other photos it does not.
#   Report the chance level with the number.
# * **How to randomize is a choice.** Keeping the batch norms' statistics, or
#   randomizing one layer at a time instead of cumulatively, gives other curves.
# * **One photo, one class, three random draws.** A claim about a method needs many
#   photos. The paper's second test, retraining on shuffled labels, needs ImageNet and
#   days of training and is not run here.
