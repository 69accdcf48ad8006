"""
# Sanity checks for saliency maps: randomize the network, layer by layer

**Catalog I5** · **Question:** one prediction, internals · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

An explanation of what a network learned has to depend on what it learned. Adebayo et
al. (2018, "Sanity checks for saliency maps") made that a test: replace the trained
weights by random ones, from the classifier down to the first layer, and recompute the
maps after each step. They judge by eye and by the rank correlation and SSIM between
each map and the trained network's: a method passes when its maps change as the
weights go; one whose maps stay similar to the trained ones once the weights are gone
fails: its maps show the photo or the architecture, not what the network learned.
Here, as Arun et al. (2021) propose, "changed" means fallen to the level of unrelated
maps. The test runs on EfficientNet-Lite0 for saliency, gradient x input,
SmoothGrad, integrated gradients and Grad-CAM.
"""

# %%
# ## The network, a copy of it, and the cat
#
# EfficientNet-Lite0 with its ImageNet weights (offline, hash-checked), randomized on
# a `copy.deepcopy`. The maps explain the logit of class 285, Egyptian cat, on
# scikit-image's cat: the same unit at every step, even after it stops meaning "cat".
import copy

import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import imagenet_class_names, load_efficientnet_lite0, photo_tensors
from mlviz.models import photo_aspect, predict_proba, to_display
from mlviz.report import claim, say

shared = load_efficientnet_lite0()
net = copy.deepcopy(shared)  # the copy whose weights are replaced
names = imagenet_class_names()
x = photo_tensors(["chelsea"])  # (1, 3, 224, 224) in [-1, 1]
image, aspect = to_display(x)[0], photo_aspect("chelsea")
target = 285
p_cat = predict_proba(net, x)[0, target]
say(f"The trained network: p({names[target]}) = **{p_cat:.2f}**.")

# %%
# ## Five maps from one batch
#
# Every map needs the gradient `g` of the logit with respect to some input, so
# `mlviz.attribution.attribution_maps` computes all five from one batch (pages I1 and
# I2 write each of them out): **saliency** `max_c |g_c|`; **gradient x input**
# `sum_c g_c x_c`; **SmoothGrad** `max_c mean_k |g_c(x + noise_k)|` over `n_noisy`
# noisy copies (the same noise at every step, so that only the weights change);
# **integrated gradients** `sum_c (x_c + 1) * mean of g_c` over `n_steps + 1` points on
# the path from black (spread as $a = t^3$, dense where the logit rises, page I4);
# **Grad-CAM** `ReLU(sum_k w_k A_k)` on the last block (7x7, upsampled), with the mean
# gradient of each feature map `A_k` as its weight.
from mlviz.attribution import attribution_maps

n_noisy, n_steps = (2, 4) if QUICK else (8, 32)
settings = dict(baseline=-1.0, n_noisy=n_noisy, n_steps=n_steps, path_power=3)


def five_maps(net, x, target):
    """The five maps of one image, and integrated gradients' completeness check."""
    return attribution_maps(
        net, x, target, layer=net._blocks[-1], seed=SEED, **settings
    )


result = five_maps(net, x, target)
trained, ig_gap = result.maps, result.completeness_gap
methods = list(trained)
say(
    f"Completeness of IG ({n_steps} steps) on the trained network: its attributions "
    f"miss f(x) - f(black) by **{ig_gap:.1%}**"
    + (": converged." if ig_gap < 0.05 else ": too few steps for a converged IG.")
)

# %%
# ## What "unrelated" looks like: the chance level
#
# Two maps of one method share a lot even when they explain different things: a
# Grad-CAM is a blob near the middle, a SmoothGrad map has its own texture. So the test
# needs a **chance level**, the similarity of maps that explain something else. As in
# Arun et al. (2021), it comes from the trained network's maps of the three other
# photos of the gallery, each for its own top class, and their mirror images
# (left-right, up-down, both): twelve unrelated maps per method.
others = photo_tensors(["coffee", "astronaut", "rocket"])
unrelated = {m: [] for m in methods}
for i, k in enumerate(predict_proba(net, others).argmax(1)):
    for m, a in five_maps(net, others[i : i + 1], int(k)).maps.items():
        unrelated[m] += [a, a[:, ::-1], a[::-1], a[::-1, ::-1]]

# %%
# ## Cascading randomization, written out
#
# Each step replaces the weights of one more part of the network, from the top: the
# classifier `_fc`, the head (`_conv_head` and its batch norm), the blocks (16, 9-15,
# 2-8, 1), and finally the stem, the first layer. Randomization is cumulative: at step
# k, everything above is random too. Convolutions get He-normal weights, the classifier
# normal weights of standard deviation `1/sqrt(fan_in)`, biases 0; batch norms forget
# their learned scale, shift and statistics. One seeded generator draws them all.
from torch import nn


def randomize_(module, rng):
    """Re-initialize every convolution, linear layer and batch norm in `module`."""
    for layer in module.modules():
        if isinstance(layer, nn.BatchNorm2d):
            layer.reset_parameters()  # weight 1, bias 0, running mean 0, variance 1
        elif isinstance(layer, nn.Conv2d):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=rng)
        elif isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=layer.in_features**-0.5, generator=rng)
        if isinstance(layer, (nn.Conv2d, nn.Linear)) and layer.bias is not None:
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
    maps[stage] = five_maps(net, x, target).maps

# %%
# One random draw could be lucky. Two more networks, randomized entirely with other
# seeds, show how much the end point of the cascade depends on the draw.
random_maps = [maps["+ stem"]]
for seed in (SEED + 1, SEED + 2):
    fresh = copy.deepcopy(shared)
    randomize_(fresh, torch.Generator().manual_seed(seed))
    random_maps.append(five_maps(fresh, x, target).maps)

# %%
# ## The maps, step by step
#
# Each map's absolute value from black to white at its own 99th percentile, for six of
# the eight steps ("+ stem": all random). Read each row from left to right: does the
# map change when the weights do?
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import photo_grid, plot_photo_map

shown = ["trained", "+ _fc", "+ head", "+ block 16", "+ blocks 9-15", "+ stem"]
title = f"Cascading randomization from the top: maps of the {names[target]} logit"
fig, axes = photo_grid([aspect] * len(methods), len(shown) + 1, width=14, title=title)
plot_photo_map(image, ax=axes[0, 0], aspect=aspect, title="the photo")
for row, method in zip(axes, methods):
    for ax, stage in zip(row[1:], shown):
        magnitude = np.abs(maps[stage][method])
        plot_photo_map(image, magnitude, ax=ax, style="magnitude", aspect=aspect)
    row[1].set_ylabel(method, fontsize=10)
for ax, stage in zip(axes[0, 1:], shown):
    ax.set_title(stage, fontsize=10)
for ax in axes[1:, 0]:
    ax.axis("off")
plt.show()

# %%
# ## How similar does each map stay?
#
# Two measures between each step's map and the trained network's, as in the paper:
# the **Spearman rank correlation** of the absolute values (1: same order of pixels)
# and the **structural similarity** (SSIM, `skimage.metrics.structural_similarity`)
# of the maps as drawn above (1: identical). The chance level of each is its largest
# value among the twelve unrelated maps; `draws` holds the three fully random networks.
import pandas as pd
from scipy.stats import spearmanr
from skimage.metrics import structural_similarity


def scaled(m):
    """|map| / its 99th percentile, clipped to [0, 1]: the map as drawn."""
    a = np.abs(m)
    return np.clip(a / max(np.percentile(a, 99), 1e-12), 0, 1)


def rank_correlation(a, b):
    """Spearman correlation of |a| and |b|; 0 when one of them is constant."""
    a, b = np.abs(a).ravel(), np.abs(b).ravel()
    return 0.0 if np.ptp(a) == 0 or np.ptp(b) == 0 else float(spearmanr(a, b)[0])


def ssim(a, b):
    return float(structural_similarity(scaled(a), scaled(b), data_range=1.0))


measures = {"Spearman": rank_correlation, "SSIM": ssim}
cascade, chance, draws = {}, {}, {}
for name, f in measures.items():
    to_trained = lambda found: {m: f(found[m], trained[m]) for m in methods}
    cascade[name] = pd.DataFrame(
        [to_trained(s) for s in maps.values()], index=list(maps)
    )
    draws[name] = pd.DataFrame([to_trained(r) for r in random_maps])
    chance[name] = pd.Series(
        {m: max(f(u, trained[m]) for u in unrelated[m]) for m in methods}
    )
rho = cascade["Spearman"]

# %%
# The photo's own share. Two of the maps multiply the gradient by the photo:
# gradient x input by `x` (0 is mid-grey), integrated gradients by `x + 1`, the
# brightness. Whatever the weights, that factor is there. Its rank correlation with
# each map measures how much of the map is the photo; saliency, the same gradient
# without the factor, is the control.
factors = {
    "gradient x input": x[0].abs().sum(0).numpy(),  # distance from mid-grey
    "integrated gradients": (x[0] + 1).sum(0).numpy(),  # brightness
}
imprint = pd.DataFrame(index=list(stages))
for m, factor in factors.items():
    imprint[m] = [rank_correlation(maps[s][m], factor) for s in stages]
    imprint[f"control for {m}"] = [
        rank_correlation(maps[s]["saliency"], factor) for s in stages
    ]

# %%
# The three measures against the depth of randomization. Dashed lines: each method's
# chance level; open circles: the two other random networks; dotted (bottom): saliency
# with the photo's factor, the control.
colors = dict(zip(methods, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
k = np.arange(len(stages))
fig, axes = plt.subplots(3, 1, figsize=(11, 11), sharex=True)
for ax, name in zip(axes, measures):
    for m in methods:
        ax.plot(k, cascade[name][m], "o-", color=colors[m], label=m)
        ax.plot([k[-1]] * 2, draws[name][m][1:], "o", mfc="none", color=colors[m])
        ax.axhline(chance[name][m], color=colors[m], ls="--", lw=1.2)
    ax.set_title(f"{name} of the map with the trained map", fontsize=11)
for column, style in zip(imprint, ["o-", ":", "o-", ":"]):
    color = colors[column.removeprefix("control for ")]
    axes[2].plot(k, imprint[column], style, color=color, label=column)
axes[2].set_title("Spearman of |map| with the photo's factor (|x|, x + 1)", fontsize=11)
axes[0].plot([], [], "k--", lw=1.2, label="chance: most similar unrelated map")
axes[0].plot([], [], "ko", mfc="none", label="two more random networks")
axes[0].legend(fontsize=9, ncols=2, loc="upper center")
axes[2].legend(fontsize=9)
plt.setp(axes, ylim=(-0.5, 1.05))
axes[2].set_xticks(k, list(stages), rotation=30, ha="right")
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
above = pd.concat([draws[name] > chance[name] for name in measures])
verdict = pd.Series("at the edge", index=methods)
verdict[above.all()] = "fails"
verdict[~above.any()] = "passes"
columns = {("Spearman", "random _fc"): rho.loc["+ _fc"]}
for n in measures:
    columns[n, "all random, lowest"] = draws[n].min()
    columns[n, "all random, highest"] = draws[n].max()
    columns[n, "chance"] = chance[n]
table = pd.DataFrame(columns).round(2)
table["verdict", ""] = verdict
table

# %%
# Read from the numbers above:
pixel_methods = methods[:4]  # all but Grad-CAM
fc, chance_rho = rho.loc["+ _fc"], chance["Spearman"]
say(
    "**The classifier's weights matter most.** Randomizing `_fc` alone puts Grad-CAM "
    f"below its chance level at once (rho = {fc['Grad-CAM']:.2f} against "
    f"{chance_rho['Grad-CAM']:.2f}), while every pixel map stays above its own (rho "
    f"{fc[pixel_methods].min():.2f} to {fc[pixel_methods].max():.2f}). Grad-CAM's "
    "channel weights are the class logit's gradients, which the classifier sets; the "
    "pixel maps keep structure from the layers below."
)
claim(
    (1 - fc > fc - rho.loc["+ stem"]).all()
    and fc["Grad-CAM"] < chance_rho["Grad-CAM"]
    and (fc[pixel_methods] > chance_rho[pixel_methods]).all(),
    "randomizing `_fc` alone changes every map more than all the other layers after "
    "it; it puts Grad-CAM below its chance level and leaves every pixel map above",
    evidence=str(
        pd.DataFrame({"_fc": fc, "stem": rho.loc["+ stem"], "chance": chance_rho})
    ),
)
order = ["passes", "at the edge", "fails"]
by_verdict = {v: ", ".join(verdict.index[verdict == v]) for v in order}
say(
    "**With every layer random**, "
    + "; ".join(f"{v}: {ms}" for v, ms in by_verdict.items() if ms)
    + f". Grad-CAM's correlations (up to {draws['Spearman']['Grad-CAM'].max():.2f}) "
    f"look high, but unrelated Grad-CAMs reach {chance_rho['Grad-CAM']:.2f}: smooth "
    "blobs near the middle correlate whatever they explain."
)
claim(
    all((chance[n]["Grad-CAM"] > chance[n][pixel_methods]).all() for n in measures)
    and verdict["Grad-CAM"] == "passes"
    and (verdict[list(factors)] == "fails").all(),
    "unrelated Grad-CAMs are more alike than any pixel method's unrelated maps; "
    "Grad-CAM passes, gradient x input and integrated gradients fail",
    evidence=str(table),
)
say(
    "**The photo stays in the maps that multiply by it.** With any weights, "
    + ", ".join(
        f"|{m}| correlates with its photo factor at rho >= {imprint[m].min():.2f} "
        f"(saliency, the control: at most {imprint[f'control for {m}'].max():.2f})"
        for m in factors
    )
    + ". That part of the map is a picture of the photo, which needs no network."
)
claim(
    all(imprint[m].min() > imprint[f"control for {m}"].max() for m in factors),
    "the photo stays in the maps that multiply by it, more than in saliency",
    evidence=str(imprint),
)

# %%
# ## How to read these figures
#
# * **The grid**: a method passes when its row changes as the weights go; a row that
#   keeps the cat's eyes to the last column draws the photo, not the network.
# * **The curves**: compare each curve with its dashed chance level, not with 0.
# * **The photo's factor**: part of gradient x input and integrated gradients is the
#   photo itself, whatever the weights; saliency (dotted) follows it less.
#
# ## Pitfalls
#
# * **Passing is necessary, not sufficient.** A map that changes with the weights can
#   still be a poor explanation (page I4); one that does not is not explaining them.
# * **The chance level decides the verdict.** Compared with 0, Grad-CAM would seem to
#   remember the trained network; compared with maps of other photos it does not. A
#   chance level that high also means the test can hardly fail a smooth map: report
#   the chance level with the number.
# * **How to randomize is a choice** (batch-norm statistics, one layer at a time).
# * **One photo, one class, three random draws**: a claim about a method needs many
#   photos; the paper's shuffled-label retraining is not run here.
