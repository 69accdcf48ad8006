"""
# Saliency, SmoothGrad and integrated gradients on photographs, and the baseline

**Catalog I2** · **Question:** one prediction · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

Pixel attributions explain one prediction at the resolution of the photo. The plain
gradient (a *saliency map*) says which pixels would change the class score most if
nudged; SmoothGrad averages it over noisy copies to remove its speckle; integrated
gradients add up the gradient along a path from a *baseline* image to the photo, so
that the attributions sum to the score's change. On a real ImageNet network two
practical questions decide whether the result can be trusted: are there enough steps
on the path (the completeness check answers it), and what does the baseline, the
image that means "nothing", do to the map?
"""

# %%
# ## The network and two photographs
#
# EfficientNet-Lite0 with its ImageNet weights (`mlviz.models.load_efficientnet_lite0`,
# offline, hash-checked) and two of scikit-image's photos, stretched to 224x224 and
# scaled to [-1, 1]. Every map explains the logit of the predicted class.
import numpy as np
import pandas as pd
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import imagenet_class_names, load_efficientnet_lite0, photo_aspect
from mlviz.models import photo_tensors, predict_proba, to_display
from mlviz.report import claim, say

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee"]
x = photo_tensors(photos)
images = to_display(x)
aspects = [photo_aspect(p) for p in photos]  # height / width of the originals
proba = predict_proba(model, x)
targets = [int(k) for k in proba.argmax(1)]
predicted = {"class": [names[k] for k in targets], "probability": proba.max(1)}
pd.DataFrame(predicted, index=photos).round(2)

# %%
# ## Saliency: one gradient
#
# The parameters of the network are frozen, so the input asks for the gradient. The
# map is the largest absolute gradient over the three colour channels of each pixel
# (Simonyan et al., 2014).
x0 = x.clone().requires_grad_(True)
logits = model(x0)
(grad,) = torch.autograd.grad(logits[[0, 1], targets].sum(), x0)
saliency_by_hand = grad.abs().amax(dim=1).numpy()  # (2, 224, 224)

# %%
# ## SmoothGrad: the gradient of noisy copies, averaged
#
# Add Gaussian noise of standard deviation `sigma` times the image's value range,
# take the absolute gradient, repeat `n` times and average (Smilkov et al., 2017).
# The gallery's helpers `mlviz.attribution.saliency` and `smoothgrad` (same seed)
# compute the same maps as these few lines; the tests check that they agree.


def smoothgrad_by_hand(x, targets, n, sigma, seed):
    """Mean absolute input gradient over n noisy copies, max over channels."""
    rng = torch.Generator().manual_seed(seed)
    span = x.amax(dim=(1, 2, 3), keepdim=True) - x.amin(dim=(1, 2, 3), keepdim=True)
    total = torch.zeros_like(x, dtype=torch.float64)
    for _ in range(n):
        jitter = torch.randn(x.shape, generator=rng) * sigma * span
        noisy = (x + jitter).requires_grad_()
        (g,) = torch.autograd.grad(model(noisy)[range(len(x)), targets].sum(), noisy)
        total += g.abs()
    return (total / n).amax(dim=1).numpy()


n_noisy = 4 if QUICK else 32
smooth = smoothgrad_by_hand(x, targets, n_noisy, sigma=0.15, seed=SEED)

# %%
# ## Integrated gradients, written out
#
# `IG_i = (x_i - x'_i) * integral over a from 0 to 1 of df/dx_i at x' + a (x - x')`.
# The integral is a sum over points of the path, and the number of points is the
# method's one accuracy knob. The score of a ReLU6 network changes in kinks along the
# path, and from a black baseline most of its rise happens in the first tenth of the
# path (see the figures below), so the points are spread as $a = t^2$ with $t$
# evenly spaced: more of them near the baseline. The trapezoidal rule in `t` weights
# them ($da = 2t\,dt$). Each forward pass on the path also gives the score there, so
# the path's two ends give `f(x')` and `f(x)` for free.


def integrated_gradients_by_hand(x, baseline, target, n_steps, power=2):
    """IG of one image (1, 3, H, W): attributions, scores and integrand on the path."""
    t = torch.linspace(0, 1, n_steps + 1, dtype=torch.float64)
    alphas = t**power
    weights = power * t ** (power - 1) / n_steps  # trapezoid in t: da = p t^(p-1) dt
    weights[[0, -1]] /= 2
    diff = x - baseline
    grads, scores = [], []
    for chunk in torch.split(alphas.float(), 8):  # 8 images per pass
        path = (baseline + chunk[:, None, None, None] * diff).requires_grad_(True)
        out = model(path)[:, target]
        (g,) = torch.autograd.grad(out.sum(), path)
        grads.append(g.double())
        scores.append(out.detach().double())
    grads = torch.cat(grads)  # (n_steps + 1, 3, H, W)
    attributions = diff[0].double() * (weights[:, None, None, None] * grads).sum(0)
    # d f / d t at each point, for the completeness check at coarser step counts
    integrand = (grads * diff.double()).sum(dim=(1, 2, 3)) * weights * n_steps
    integrand[[0, -1]] *= 2
    return attributions.numpy(), torch.cat(scores).numpy(), alphas.numpy(), integrand


def trapezoid_every(integrand, stride):
    """The trapezoidal estimate of the integral from every stride-th point."""
    values = integrand[::stride].numpy()
    n = len(values) - 1
    return (values.sum() - (values[0] + values[-1]) / 2) / n


# %%
# (`mlviz.attribution.integrated_gradients` does the same with evenly spaced points,
# `power=1` here; the tests check that both agree.)
#
# ## Three baselines
#
# The baseline should mean "no evidence". Three common choices: a **black** image,
# the photo **blurred** (Gaussian, sigma = 10 pixels: shapes and edges gone, colours
# kept) and **uniform noise**.
from scipy.ndimage import gaussian_filter

from mlviz.models import to_model_input

black = -torch.ones_like(x[:1])  # pixel value 0 in every channel
blurred = to_model_input(
    np.stack([gaussian_filter(im, sigma=(10, 10, 0)) for im in images])
)
noise = 2 * torch.rand(x.shape, generator=torch.Generator().manual_seed(SEED)) - 1
baselines = {"black": black.expand_as(x), "blurred": blurred, "noise": noise}

n_steps = 4 if QUICK else 128
ig = {}
for i, photo in enumerate(photos):
    for b, base in baselines.items():
        ig[photo, b] = integrated_gradients_by_hand(
            x[i : i + 1], base[i : i + 1], targets[i], n_steps
        )

# %%
# ## Saliency, SmoothGrad and integrated gradients
#
# Saliency and SmoothGrad are unsigned (white-hot: large); integrated gradients are
# signed, summed over the three channels of each pixel: red pixels push the logit up,
# blue ones down, relative to the black baseline. Each map has its own scale (its
# 99th percentile of the absolute value is full colour; `mlviz.plotting.plot_photo_map`
# draws it, `photo_grid` sizes the panels to the photos). The table measures the
# speckle: the mean jump between neighbouring pixels, relative to the mean value.
import matplotlib.pyplot as plt

from mlviz.plotting import photo_grid, plot_photo_map

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

ig_black = {p: ig[p, "black"][0].sum(0) for p in photos}  # (224, 224), signed
title = "Where the logit of the predicted class is sensitive, and what it sums"
fig, axes = photo_grid(aspects, 4, width=12.5, title=title)
for i, p in enumerate(photos):
    panels = [
        (None, "overlay", f"{p}: {names[targets[i]]}"),
        (saliency_by_hand[i], "magnitude", "saliency"),
        (smooth[i], "magnitude", f"SmoothGrad ({n_noisy} copies)"),
        (ig_black[p], "signed", f"integrated gradients ({n_steps} steps)"),
    ]
    for ax, (m, style, name) in zip(axes[i], panels):
        plot_photo_map(images[i], m, ax=ax, style=style, title=name)
plt.show()


def roughness(m):
    """Mean absolute jump between neighbouring pixels, relative to the mean value."""
    jumps = np.abs(np.diff(m, axis=0)).mean() + np.abs(np.diff(m, axis=1)).mean()
    return float(jumps / (2 * np.abs(m).mean()))


rough = pd.DataFrame(index=photos)
rough["saliency"] = [roughness(m) for m in saliency_by_hand]
rough["SmoothGrad"] = [roughness(m) for m in smooth]
claim(
    (rough["SmoothGrad"] < rough["saliency"]).all(),
    "SmoothGrad is smoother than the plain gradient",
    evidence=rough.to_string(),
)
rough.round(2)

# %%
# SmoothGrad's maps are smoother than the plain gradient's: averaging over noisy
# copies removes speckle that belongs to the exact point, not to the photo.
#
# ## Are there enough steps? The completeness check
#
# By construction the attributions add up to the integral of `df/dt` along the path,
# and the exact integral is `f(x) - f(x')`: the gap between the two is the error of
# the sum over points. Sundararajan et al. (2017) suggest adding steps until it is
# under 5%. The table gives the gap from every fourth, every second and every point
# of the path; the full build uses 128 steps, quick mode 4 (which only shows how
# large the gap is with too few). The figure shows the class logit along the path
# from each baseline (the dots are the points used).
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for ax, (i, p) in zip(axes, enumerate(photos)):
    for b in baselines:
        _, scores, alphas, _ = ig[p, b]
        ax.plot(alphas, scores, ".-", label=b, ms=4)
    ax.set_title(f"{p}: logit of {names[targets[i]]}")
    ax.set_xlabel("a (0: baseline, 1: photo)")
axes[0].set_ylabel("logit")
axes[0].legend()
plt.show()

rows, gaps = [], {}
for p in photos:
    for b in baselines:
        attributions, scores, alphas, integrand = ig[p, b]
        delta = scores[-1] - scores[0]  # f(x) - f(x')
        row = {"photo": p, "baseline": b, "f(x')": scores[0], "f(x)": scores[-1]}
        row["sum of attributions"] = attributions.sum()
        for stride in (4, 2, 1):
            gap = abs(trapezoid_every(integrand, stride) - delta) / abs(delta)
            gaps[p, b, n_steps // stride] = gap
            row[f"gap (%), {n_steps // stride} steps"] = 100 * gap
        rows.append(row)
over = {  # how many of the six paths miss 5%, with half the steps and with all
    m: sum(g > 0.05 for (*_, k), g in gaps.items() if k == m)
    for m in (n_steps // 2, n_steps)
}
# how much of the rise from black happens in the first tenth of the path
jump = {}
for p in photos:
    _, scores, alphas, _ = ig[p, "black"]
    jump[p] = (np.interp(0.1, alphas, scores) - scores[0]) / (scores[-1] - scores[0])
say(
    f"Gaps over 5%: {over[n_steps // 2]} of 6 with {n_steps // 2} steps, "
    f"{over[n_steps]} of 6 with {n_steps}. From black, "
    + " and ".join(f"{jump[p]:.0%} ({p})" for p in photos)
    + " of the logit's rise happens in the first tenth of the path."
)
claim(
    QUICK or over[n_steps] == 0,
    "in the full build the attributions add up to f(x) - f(x') within 5% for every "
    "photo and baseline",
    evidence=str(gaps),
)
claim(
    all(jump[p] > 0.5 for p in photos),
    "from black, most of the score's rise happens in the first tenth of the path",
    evidence=str(jump),
)
completeness = pd.DataFrame(rows).round(2)
completeness

# %%
# ## What the baseline does
#
# Each baseline, and the integrated gradients of the same logit from it. The maps
# explain `f(x) - f(x')`: what the photo has that the baseline lacks.
for i, p in enumerate(photos):
    title = f"{p}: integrated gradients of {names[targets[i]]}, three baselines"
    fig, axes = photo_grid([aspects[i]] * 2, 3, title=title)
    for (b, base), (top, bottom) in zip(baselines.items(), axes.T):
        attributions, scores, _, _ = ig[p, b]
        title = f"{b}: f(x') = {scores[0]:.2f}"
        plot_photo_map(to_display(base[i]), ax=top, title=title)
        m = attributions.sum(0)
        plot_photo_map(images[i], m, ax=bottom, style="signed", title=f"IG from {b}")
    plt.show()

# %%
# Two effects to measure: how much the maps from different baselines agree on where
# the attribution goes (the correlation of the absolute maps summed over 16x16-pixel
# blocks, so that pixel-level speckle does not decide), and the blind spot of the
# black baseline. `IG_i` is proportional to `x_i - x'_i`, so a pixel that is already
# black gets no attribution from the black baseline, however much it matters. The
# table gives the mean |attribution| on the darkest 5% of the pixels of each photo,
# relative to the mean over all pixels.
pairs = [("black", "blurred"), ("black", "noise"), ("blurred", "noise")]
rows = []
for i, p in enumerate(photos):
    signed = {b: ig[p, b][0].sum(0) for b in baselines}  # (224, 224) each
    blocks = {
        b: np.abs(m).reshape(14, 16, 14, 16).sum(axis=(1, 3)) for b, m in signed.items()
    }
    row = {
        f"r, {a}/{b}": np.corrcoef(blocks[a].ravel(), blocks[b].ravel())[0, 1]
        for a, b in pairs
    }
    brightness = images[i].mean(axis=2)
    dark = brightness <= np.percentile(brightness, 5)
    row |= {
        f"dark, {b}": np.abs(m[dark]).mean() / np.abs(m).mean()
        for b, m in signed.items()
    }
    rows.append(row)
effect = pd.DataFrame(rows, index=photos)
black_best = effect[["r, black/blurred", "r, black/noise"]].max(axis=1)
claim(
    (black_best < effect["r, blurred/noise"]).all(),
    "the black baseline's map agrees with neither other map as well as those two "
    "agree with each other",
    evidence=effect.to_string(),
)
others = effect[["dark, blurred", "dark, noise"]].min(axis=1)
claim(
    ((effect["dark, black"] < 1) & (effect["dark, black"] < others)).all(),
    "the black baseline gives the darkest pixels less attribution than the average "
    "pixel, and less than the other baselines do",
    evidence=effect.to_string(),
)
effect.round(2)

# %%
# ## How to read these figures
#
# * Saliency and SmoothGrad show *sensitivity*: bright pixels are those whose small
#   change would move the logit most, with no sign and no notion of how far the pixel
#   is from "nothing".
# * Integrated gradients show *contribution relative to the baseline*: red pixels
#   account for a rise of the logit from the baseline to the photo, blue ones for a
#   fall, and all of them add up to `f(x) - f(x')` (the table above says how closely:
#   with the full build's 128 steps, within 5% on every path).
# * The baseline moves the map: the black baseline's map agrees with neither other
#   map as well as those two agree with each other, and it gives the darkest pixels
#   less attribution than the average pixel, and less than the other baselines do.
# * Every map has its own colour scale; compare patterns, not brightness, across
#   panels.
#
# ## Pitfalls
#
# * **The baseline is part of the question** (Sturmfels et al., 2020, "Visualizing
#   the impact of feature attribution baselines"). A black baseline asks "what does
#   this photo have that a black image lacks" and cannot credit black pixels; a
#   blurred photo credits shapes and edges, not colour; noise changes with its seed.
#   Say which baseline a map uses.
# * **Too few steps.** The completeness gap is the check: if the attributions do not
#   add up to `f(x) - f(x')`, the map is not integrated gradients yet. Where the
#   score jumps, put more points (here $a = t^2$) or more steps.
# * **A baseline the network still recognizes** explains only the rest: if `f(x')` is
#   high, most of the evidence is in the baseline too and the map is small.
# * **Sensitivity is not importance.** A saliency map can be large where the photo
#   has nothing (a pixel that, if changed, would matter), and some saliency methods
#   look just as good on a network with random weights (Adebayo et al., 2018).
