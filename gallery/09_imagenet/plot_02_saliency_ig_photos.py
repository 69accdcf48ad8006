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
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import (
    imagenet_class_names,
    load_efficientnet_lite0,
    photo_aspect,
    photo_tensors,
    predict_proba,
    to_display,
)
from mlviz.report import claim, say

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee"]
x = photo_tensors(photos)
images = to_display(x)
proba = predict_proba(model, x)
targets = [int(k) for k in proba.argmax(1)]
say(
    "Predicted: "
    + ", ".join(
        f"**{p}**: {names[k]} (p = {proba[i, k]:.2f})"
        for i, (p, k) in enumerate(zip(photos, targets))
    )
    + "."
)

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
# path (see the figures below), so the points are spread as `a = t^2` with `t`
# evenly spaced: more of them near the baseline. The trapezoidal rule in `t` weights
# them (`da = 2 t dt`). Each forward pass on the path also gives the score there, so
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
# The gallery's `mlviz.attribution.integrated_gradients` uses evenly spaced points
# (`power=1` here); the tests check that both give the same attributions.
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
# 99th percentile of the absolute value is full colour).
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import DIVERGING

ig_black = {p: ig[p, "black"][0].sum(0) for p in photos}  # (224, 224), signed
fig, axes = plt.subplots(
    2, 4, figsize=(12.5, 1.2 + 3.1 * sum(map(photo_aspect, photos)))
)
for i, photo in enumerate(photos):
    aspect = photo_aspect(photo)
    axes[i, 0].imshow(images[i], aspect=aspect)
    axes[i, 0].set_title(f"{photo}: {names[targets[i]]}", fontsize=10)
    for ax, title, m in (
        (axes[i, 1], "saliency", saliency_by_hand[i]),
        (axes[i, 2], f"SmoothGrad ({n_noisy} copies)", smooth[i]),
    ):
        ax.imshow(m, cmap="hot", vmin=0, vmax=np.percentile(m, 99), aspect=aspect)
        ax.set_title(title, fontsize=10)
    limit = np.percentile(np.abs(ig_black[photo]), 99)
    axes[i, 3].imshow(
        ig_black[photo], cmap=DIVERGING, vmin=-limit, vmax=limit, aspect=aspect
    )
    axes[i, 3].set_title(f"integrated gradients ({n_steps} steps)", fontsize=10)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Where the logit of the predicted class is sensitive, and what it sums")
plt.show()


def roughness(m):
    """Mean absolute jump between neighbouring pixels, relative to the mean value."""
    jumps = np.abs(np.diff(m, axis=0)).mean() + np.abs(np.diff(m, axis=1)).mean()
    return float(jumps / (2 * np.abs(m).mean()))


rough = {}
for i, p in enumerate(photos):
    rough["saliency", p] = roughness(saliency_by_hand[i])
    rough["SmoothGrad", p] = roughness(smooth[i])
    rough["IG", p] = roughness(ig_black[p])
say(
    "Roughness (mean jump between neighbouring pixels / mean): "
    + "; ".join(
        f"**{p}** saliency {rough['saliency', p]:.2f}, SmoothGrad "
        f"{rough['SmoothGrad', p]:.2f}, IG {rough['IG', p]:.2f}"
        for p in photos
    )
    + "."
)
claim(
    all(rough["SmoothGrad", p] < rough["saliency", p] for p in photos),
    "SmoothGrad is smoother than the plain gradient",
    evidence=str(rough),
)

# %%
# ## Are there enough steps? The completeness check
#
# By construction the attributions add up to the integral of `df/dt` along the path,
# and the exact integral is `f(x) - f(x')`: the gap between the two is the error of
# the sum over points. Sundararajan et al. (2017) suggest adding steps until it is
# under 5%. The table gives the gap from every fourth, every second and every point
# of the path; the full build uses 128 steps, quick mode 4 (which only shows how
# large the gap is with too few). The figure shows the class logit along the path
# from each baseline (the dots are the points used).
import pandas as pd

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for ax, photo in zip(axes, photos):
    for b in baselines:
        _, scores, alphas, _ = ig[photo, b]
        ax.plot(alphas, scores, ".-", label=b, ms=4)
    ax.set_title(f"{photo}: logit of {names[targets[photos.index(photo)]]}")
    ax.set_xlabel("a (0: baseline, 1: photo)")
axes[0].set_ylabel("logit")
axes[0].legend()
plt.show()

rows, gaps, jump = [], {}, {}
for photo in photos:
    for b in baselines:
        attributions, scores, alphas, integrand = ig[photo, b]
        delta = scores[-1] - scores[0]  # f(x) - f(x')
        row = {"photo": photo, "baseline": b, "f(x')": scores[0], "f(x)": scores[-1]}
        row["sum of attributions"] = attributions.sum()
        for stride in (4, 2, 1):
            gap = abs(trapezoid_every(integrand, stride) - delta) / abs(delta)
            gaps[photo, b, n_steps // stride] = gap
            row[f"gap (%), {n_steps // stride} steps"] = 100 * gap
        rows.append(row)
        # how much of the rise happens in the first tenth of the path
        jump[photo, b] = (np.interp(0.1, alphas, scores) - scores[0]) / delta
over = {  # how many of the six paths miss 5%, with half the steps and with all
    m: sum(g > 0.05 for (*_, k), g in gaps.items() if k == m)
    for m in (n_steps // 2, n_steps)
}
say(
    f"Gaps over 5%: {over[n_steps // 2]} of 6 with {n_steps // 2} steps, "
    f"{over[n_steps]} of 6 with {n_steps}. From black, "
    + " and ".join(f"{jump[p, 'black']:.0%} ({p})" for p in photos)
    + " of the logit's rise happens in the first tenth of the path."
)
claim(
    QUICK or over[n_steps] == 0,
    "in the full build the attributions add up to f(x) - f(x') within 5% for every "
    "photo and baseline",
    evidence=str(gaps),
)
claim(
    all(jump[p, "black"] > 0.5 for p in photos),
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
for i, photo in enumerate(photos):
    aspect = photo_aspect(photo)
    fig, axes = plt.subplots(2, 3, figsize=(11, 1.0 + 2 * 3.6 * aspect))
    for j, (b, base) in enumerate(baselines.items()):
        attributions, scores, _, _ = ig[photo, b]
        m = attributions.sum(0)
        limit = np.percentile(np.abs(m), 99)
        axes[0, j].imshow(to_display(base[i]), aspect=aspect)
        axes[0, j].set_title(f"{b}: f(x') = {scores[0]:.2f}", fontsize=10)
        axes[1, j].imshow(m, cmap=DIVERGING, vmin=-limit, vmax=limit, aspect=aspect)
        axes[1, j].set_title(f"IG from {b}", fontsize=10)
    for ax in axes.flat:
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle(
        f"{photo}: integrated gradients of {names[targets[i]]}, three baselines"
    )
    plt.show()

# %%
# Two effects to measure: how much the maps from different baselines agree on where
# the attribution goes (the absolute map summed over 16x16-pixel blocks, so that
# pixel-level speckle does not decide), and the blind spot of the black baseline.
# `IG_i` is proportional to `x_i - x'_i`, so a pixel that is already black gets no
# attribution from the black baseline, however much it matters. The darkest 5% of the
# pixels of each photo show it.
agree, blind = {}, {}
for i, photo in enumerate(photos):
    flat = {b: ig[photo, b][0].sum(0).ravel() for b in baselines}
    blocks = {
        b: np.abs(ig[photo, b][0].sum(0)).reshape(14, 16, 14, 16).sum(axis=(1, 3))
        for b in baselines
    }
    agree[photo] = {
        (a, b): np.corrcoef(blocks[a].ravel(), blocks[b].ravel())[0, 1]
        for a, b in [("black", "blurred"), ("black", "noise"), ("blurred", "noise")]
    }
    brightness = images[i].mean(axis=2).ravel()
    dark = brightness <= np.percentile(brightness, 5)
    blind[photo] = {
        b: np.abs(flat[b][dark]).mean() / np.abs(flat[b]).mean() for b in baselines
    }
black_agree = max(r for p in photos for (a, _), r in agree[p].items() if a == "black")
say(
    "\n".join(
        f"* **{p}**: correlation between the block sums "
        + ", ".join(f"{a}/{b} {r:.2f}" for (a, b), r in agree[p].items())
        + "; mean |attribution| on the darkest 5% of pixels, relative to all pixels: "
        + ", ".join(f"{b} {v:.2f}" for b, v in blind[p].items())
        + "."
        for p in photos
    )
    + f"\n\nThe black baseline's maps correlate with the others' at r = "
    f"{black_agree:.2f} at most: they put the attribution in "
    + ("different places." if black_agree < 0.5 else "broadly the same places.")
)
claim(
    all(
        blind[p]["black"] < min(blind[p]["blurred"], blind[p]["noise"]) for p in photos
    ),
    "the black baseline gives the darkest pixels less attribution than the others do",
    evidence=str(blind),
)

# %%
# ## How to read these figures
#
# * Saliency and SmoothGrad show *sensitivity*: bright pixels are those whose small
#   change would move the logit most, with no sign and no notion of how far the pixel
#   is from "nothing".
# * Integrated gradients show *contribution relative to the baseline*: red pixels
#   account for a rise of the logit from the baseline to the photo, blue ones for a
#   fall, and all of them add up to `f(x) - f(x')` (the table above says how closely).
# * Every map has its own colour scale; compare patterns, not brightness, across
#   panels.
#
# ## Pitfalls
#
# * **Too few steps.** The completeness gap is the check: if the attributions do not
#   add up to `f(x) - f(x')`, the map is not integrated gradients yet. Where the
#   score jumps, put more points (here `a = t^2`) or more steps.
# * **The baseline is part of the question.** A black baseline asks "what does this
#   photo have that a black image lacks" and cannot credit black pixels; a blurred
#   photo credits shapes and edges, not colour; noise changes with its seed. Say
#   which baseline a map uses.
# * **A baseline the network still recognizes** explains only the rest: if `f(x')` is
#   high, most of the evidence is in the baseline too and the map is small.
# * **Sensitivity is not importance.** A saliency map can be large where the photo
#   has nothing (a pixel that, if changed, would matter), and some saliency methods
#   look just as good on a network with random weights (Adebayo et al., 2018).
