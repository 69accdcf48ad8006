"""
# Adversarial examples: FGSM and PGD

**Catalog K1** · **Question:** one prediction · **Family:** neural network · **Phase:** at inference · **Data:** MNIST, photos (scikit-image)

A network that is right on a test image can be made wrong by a change to that image
too small to see. The fast gradient sign method (FGSM; Goodfellow et al., 2015) takes
one step of size `eps` along the sign of the loss gradient; projected gradient descent
(PGD; Madry et al., 2018) takes several smaller steps from a random start and projects
back into the `eps`-ball after each. This page writes both out, measures how the MNIST
CNN's accuracy falls as `eps` grows (with intervals, and paired tests between the two
attacks), draws what the perturbation looks like, and flips the top class of a photo
for EfficientNet-Lite0 with a change of 2 grey levels out of 255, asking whether its
Grad-CAM map notices.
"""

# %%
# ## The two attacks, written out
#
# Both work on the network's input, so `eps` and the valid range `[low, high]` must be
# given in the units the network reads: MNIST pixels are standardized
# (`(p - 0.1307) / 0.3081`), so a change of `eps` grey levels (pixel units, [0, 1]) is
# `eps / 0.3081` in the input; the photo network reads `2 p - 1`, so it is `2 eps`.
# The loss is summed over the batch, so each image gets the gradient of its own loss.
import torch
import torch.nn.functional as F


def loss_gradient(model, x, y):
    """The gradient of the summed cross-entropy with respect to the input."""
    x = x.clone().requires_grad_(True)
    loss = F.cross_entropy(model(x), y, reduction="sum")
    return torch.autograd.grad(loss, x)[0]


def fgsm(model, x, y, eps, low, high):
    """One step of size eps along the sign of the gradient, kept in [low, high]."""
    return (x + eps * loss_gradient(model, x, y).sign()).clamp(low, high)


def pgd(model, x, y, eps, low, high, *, steps=10, alpha=None, seed=0):
    """Madry et al.: a uniform random start in the L-inf eps-ball, then `steps` signed
    steps of size alpha, each projected back onto the ball and the valid range."""
    alpha = 2.5 * eps / steps if alpha is None else alpha  # the paper's choice
    generator = torch.Generator().manual_seed(seed)
    start = (torch.rand(x.shape, generator=generator) * 2 - 1) * eps
    x_adv = (x + start).clamp(low, high)
    for _ in range(steps):
        x_adv = x_adv + alpha * loss_gradient(model, x_adv, y).sign()
        x_adv = torch.maximum(torch.minimum(x_adv, x + eps), x - eps).clamp(low, high)
    return x_adv


# %%
# ## Accuracy of the MNIST CNN against the perturbation size
#
# The gallery's shared CNN (`mlviz.models.load_mnist_cnn`) on test digits it never
# saw. For each `eps` (in grey levels), the share of digits still classified right
# after FGSM and after PGD, with a 95% Wilson interval. The two attacks hit the same
# digits, so whether PGD is stronger is a paired question: McNemar's exact test counts
# the digits that only one attack breaks.
import numpy as np
import pandas as pd
from scipy.stats import binomtest

from mlviz.config import QUICK
from mlviz.models import (
    MNIST_MEAN,
    MNIST_STD,
    from_tensor,
    load_mnist_cnn,
    mnist_tensors,
)
from mlviz.report import claim, say

model = load_mnist_cnn().model.eval()
X, y = mnist_tensors("test", n=100 if QUICK else 300)
steps = 5 if QUICK else 10
low, high = (0 - MNIST_MEAN) / MNIST_STD, (1 - MNIST_MEAN) / MNIST_STD
eps_grid = [0.1, 0.2, 0.3] if QUICK else [0.05, 0.1, 0.15, 0.2, 0.3]  # grey levels


def correct(x):
    with torch.no_grad():
        return (model(x).argmax(1) == y).numpy()


def wilson(right):
    ci = binomtest(int(right.sum()), len(right)).proportion_ci(method="wilson")
    return ci.low, ci.high


def mcnemar(a, b):
    """Exact two-sided p-value of McNemar's test: digits right under a but not b, and
    the other way round, are equally likely when the two attacks are equally strong."""
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    return binomtest(only_a, only_a + only_b).pvalue if only_a + only_b else 1.0


def row(eps, attack, right, above=None):
    """Accuracy, its interval, and the paired test against the row above."""
    if above is None:
        return (eps, attack, right.mean(), *wilson(right), np.nan, np.nan)
    lost = int((above & ~right).sum())  # right in the row above, wrong here
    return (eps, attack, right.mean(), *wilson(right), mcnemar(above, right), lost)


clean, rows, attacked = correct(X), [], {}
for eps in eps_grid:
    e = eps / MNIST_STD  # grey levels -> input units
    x_fgsm = fgsm(model, X, y, e, low, high)
    x_pgd = pgd(model, X, y, e, low, high, steps=steps)
    attacked[eps] = x_fgsm, x_pgd
    r_fgsm, r_pgd = correct(x_fgsm), correct(x_pgd)
    rows += [row(eps, "clean", clean), row(eps, "FGSM", r_fgsm, clean)]
    rows.append(row(eps, "PGD", r_pgd, r_fgsm))
columns = ["eps", "attack", "accuracy", "low", "high", "p vs row above"]
columns.append("lost vs row above")
accuracy = pd.DataFrame(rows, columns=columns)
accuracy.round(3)

# %%
# Accuracy against `eps`, with the intervals as bands; the clean accuracy is the same
# digits without an attack.
import matplotlib.pyplot as plt

from mlviz.plotting import DIVERGING

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz
fig, ax = plt.subplots(figsize=(6.5, 4.2))
colours = {"clean": "C7", "FGSM": "C0", "PGD": "C3"}
for attack, part in accuracy.groupby("attack", sort=False):
    colour = colours[attack]
    ax.plot(part["eps"], part["accuracy"], "o-", color=colour, label=attack)
    ax.fill_between(part["eps"], part["low"], part["high"], color=colour, alpha=0.2)
ax.set(xlabel="eps (grey levels, L-inf)", ylabel="accuracy", ylim=(-0.02, 1.02))
ax.set_title(f"MNIST CNN under attack ({len(y)} digits, PGD with {steps} steps)")
ax.legend()
plt.show()

by = accuracy.set_index(["eps", "attack"])
pgd_p = by.xs("PGD", level="attack")["p vs row above"]
fgsm_p = by.xs("FGSM", level="attack")["p vs row above"]
acc = by["accuracy"].unstack()
pgd_below = acc["PGD"] < acc["FGSM"]
stronger = [eps for eps in eps_grid if pgd_p[eps] < 0.05 and pgd_below[eps]]
drops = [eps for eps in eps_grid if fgsm_p[eps] < 0.05]
say(
    f"Clean, the CNN gets **{clean.mean():.1%}** of these {len(y)} digits right. FGSM "
    f"lowers that beyond the paired noise at eps in {drops} "
    f"({acc.loc[0.1, 'FGSM']:.1%} "
    f"at 0.1, {acc.loc[0.3, 'FGSM']:.1%} at 0.3); PGD leaves "
    f"**{acc.loc[0.1, 'PGD']:.1%}** "
    f"at 0.1 and {acc.loc[0.3, 'PGD']:.1%} at 0.3."
)
claim(
    all(eps in stronger for eps in eps_grid if eps >= 0.1),
    "from eps = 0.1 on, PGD breaks more digits than FGSM, beyond the paired noise",
    evidence=accuracy.to_string(),
)

# %%
# PGD is stronger than FGSM from eps = 0.1 on, beyond the paired noise. The usual
# reason (not tested here): the single step trusts the gradient at the clean image,
# where the loss may curve away; PGD re-reads the gradient after each small step, from
# a random start.
#
# ## What the perturbation looks like
#
# Four digits at eps = 0.1 (PGD): the clean digit, the perturbation drawn magnified
# (diverging colours with limits at plus and minus eps, white for no change), and the
# adversarial digit with the network's new answer.
eps = 0.1
x_adv = attacked[eps][1]
with torch.no_grad():
    p_clean, p_adv = F.softmax(model(X), 1).numpy(), F.softmax(model(x_adv), 1).numpy()
flipped = np.flatnonzero(clean & (p_adv.argmax(1) != y.numpy()))[:4]
delta = from_tensor(x_adv) - from_tensor(X)  # grey levels, within [-eps, eps]
fig, axes = plt.subplots(3, len(flipped), figsize=(8, 6.3), squeeze=False)
for j, i in enumerate(flipped):
    axes[0, j].imshow(from_tensor(X[i : i + 1])[0], cmap="gray_r", vmin=0, vmax=1)
    axes[0, j].set_title(f"{y[i].item()} (p = {p_clean[i].max():.2f})", fontsize=9)
    shown = axes[1, j].imshow(delta[i], cmap=DIVERGING, vmin=-eps, vmax=eps)
    axes[2, j].imshow(from_tensor(x_adv[i : i + 1])[0], cmap="gray_r", vmin=0, vmax=1)
    title = f"-> {p_adv[i].argmax()} (p = {p_adv[i].max():.2f})"
    axes[2, j].set_title(title, fontsize=9)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
for ax, name in zip(axes[:, 0], ["clean", "perturbation", "adversarial"]):
    ax.set_ylabel(name)
fig.colorbar(shown, ax=axes[1], shrink=0.8, label="change (grey levels)")
plt.show()

change_digits, blank = np.abs(delta[flipped]), from_tensor(X[flipped]) == 0
unchanged = change_digits < 0.5 / 255  # less than half a grey level
say(
    f"The {len(flipped)} drawn digits are the first that PGD flips. "
    f"**{np.mean(change_digits > 0.99 * eps):.0%}** of "
    f"their pixels moved by the full eps = {eps}, {unchanged.mean():.0%} not at all, "
    "and "
    f"{np.mean(blank[unchanged]):.0%} of those unchanged pixels are blank background "
    "(0), which "
    "the clamp to the valid range keeps from going below 0 (no ink)."
)

# %%
# ## A photo for EfficientNet-Lite0
#
# The same PGD on scikit-image's cat photo (`mlviz.models.photo_tensors`, stretched to
# 224x224, read as `2 p - 1`) with eps = 2 grey levels out of 255, against the class the
# network predicts. Below, the three most likely classes before and after.
from mlviz.models import imagenet_class_names, load_efficientnet_lite0, photo_aspect
from mlviz.models import photo_tensors, to_display

net = load_efficientnet_lite0()
names = imagenet_class_names()
photo = photo_tensors(["chelsea"])
eps_photo = 2 / 255  # grey levels
with torch.no_grad():
    before = F.softmax(net(photo), 1)[0].numpy()
top = torch.tensor([before.argmax()])
photo_adv = pgd(net, photo, top, 2 * eps_photo, -1, 1, steps=2 if QUICK else 4)
with torch.no_grad():
    after = F.softmax(net(photo_adv), 1)[0].numpy()
k, k_new = int(top), int(after.argmax())
top3 = {
    name: [f"{names[c]} {p[c]:.2f}" for c in np.argsort(p)[::-1][:3]]
    for name, p in (("original", before), ("adversarial", after))
}
claim(
    k_new != k and after[k_new] > after[k],
    "the attack flips the top class",
    evidence=f"{names[k]} {after[k]:.3f}, {names[k_new]} {after[k_new]:.3f}",
)
pd.DataFrame(top3)

# %%
# ## Did the Grad-CAM map notice?
#
# Grad-CAM (`mlviz.attribution.GradCAM`, written out on page I1) on the last block, for
# the original class on the clean and on the adversarial photo, and for the new class
# on the adversarial photo. As a yardstick for "how much can a 2-grey-level change move
# the map at all", the same map of the original class on the photo with random signs
# of the same size added (four draws): they have the attack's size but not its
# direction.
from mlviz.attribution import GradCAM
from mlviz.plotting import photo_grid, plot_photo_map

generator = torch.Generator().manual_seed(0)
signs = torch.randint(0, 2, (4, *photo.shape[1:]), generator=generator) * 2 - 1
noisy = (photo + 2 * eps_photo * signs).clamp(-1, 1)
batch = torch.cat([photo, photo_adv, photo_adv, noisy])
with GradCAM(net, [net._blocks[-1]]) as gradcam:
    (raw,) = gradcam.layer_cams(batch, targets=[k, k, k_new] + [k] * len(noisy))
raw = torch.from_numpy(raw)[:, None].double()
maps = F.interpolate(raw, size=(224, 224), mode="bilinear")[:, 0].numpy()


def corr(a, b):
    return np.corrcoef(a.ravel(), b.ravel())[0, 1]


r_attack, r_new = corr(maps[0], maps[1]), corr(maps[0], maps[2])
r_noise = [corr(maps[0], m) for m in maps[3:]]
with torch.no_grad():
    p_noise = F.softmax(net(noisy), 1)[:, k].numpy()

image, image_adv = to_display(photo)[0], to_display(photo_adv)[0]
change = (photo_adv - photo)[0].mean(0).numpy() / 2  # grey levels, mean over RGB
aspect = photo_aspect("chelsea")
title = "Clean and adversarial photo (eps = 2/255)"
fig, axes = photo_grid([aspect] * 2, 3, title=title)
plot_photo_map(image, ax=axes[0, 0], title=f"clean: {names[k]}")
plot_photo_map(image_adv, ax=axes[0, 1], title=f"adversarial: {names[k_new]}")
lim = dict(vmin=-eps_photo, vmax=eps_photo)
axes[0, 2].imshow(change, cmap=DIVERGING, aspect=aspect, **lim)
axes[0, 2].set_title("change (RGB mean), magnified")
rows = [
    f"{names[k]}, clean",
    f"{names[k]}, adversarial",
    f"{names[k_new]}, adversarial",
]
for ax, m, im, title in zip(axes[1], maps, [image, image_adv, image_adv], rows):
    plot_photo_map(im, m, ax=ax, title=title)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
plt.show()

maps_table = pd.DataFrame(
    {
        "r with the clean map": [1.0, r_attack, r_new, *r_noise],
        f"p({names[k]})": [before[k], *after[[k, k]], *p_noise],
    },
    index=rows + [f"{names[k]}, random signs {i}" for i in range(len(noisy))],
)
say(
    f"The attack takes p({names[k]}) from {before[k]:.2f} to **{after[k]:.3f}**, "
    "while random signs of the "
    f"same size leave it between {p_noise.min():.2f} and {p_noise.max():.2f}. The "
    "class's Grad-CAM map on the "
    f"adversarial photo correlates with the clean one at r = **{r_attack:.2f}** "
    "(random signs: "
    f"{min(r_noise):.2f} to {max(r_noise):.2f})."
)
claim(
    r_attack < min(r_noise),
    "the attack moves the map more than random signs of the same size do",
    evidence=maps_table.to_string(),
)
maps_table.round(3)

# %%
# The attack moves the class's map more than random signs of the same size do, so
# Grad-CAM does react to it; the table says by how much, next to how far the class's
# probability fell. The map is not a detector: r compares with the clean photo, which
# a deployed network never sees next to the adversarial one.
#
# ## How to read these figures
#
# * The accuracy curves fall from the clean accuracy (left) as eps grows; the band is
#   where the true accuracy on such digits lies, 95% of the time. Where the FGSM and
#   PGD bands overlap, the paired test in the table still decides.
# * In the perturbation panels, red raises the pixel's value (more ink on a digit, a
#   brighter photo) and blue lowers it, at most eps either way; white means unchanged. They are magnified: on the photo the largest change is
#   2 of 255 grey levels, invisible side by side.
# * The Grad-CAM maps are scaled per map: compare where, not how bright.
#
# ## Pitfalls
#
# * **A weak attack overstates robustness.** FGSM, or PGD with few steps, no random
#   start or a wrong eps unit, leaves accuracy that a stronger attack removes; report
#   the strongest attack you ran, and check that iterative attacks beat single-step
#   ones and that accuracy reaches zero as eps grows (Athalye et al., 2018; Carlini et
#   al., 2019, "On evaluating adversarial robustness").
# * **eps is in some units.** With normalized inputs, eps in grey levels must be
#   divided by the normalization's scale, and the valid range clamped in the same
#   units; otherwise the "same" eps means a different attack.
# * **Accuracy from a few hundred digits has an interval.** Compare attacks on the
#   same digits with a paired test, not by eye.
# * **Explanations do not detect attacks.** A saliency or CAM map can look plausible on
#   an adversarial input, and maps themselves can be attacked (Ghorbani et al., 2019).
