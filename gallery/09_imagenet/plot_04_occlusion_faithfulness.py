"""
# Occlusion sensitivity and deletion/insertion: how faithful is each map?

**Catalog I4** · **Question:** one prediction, comparison · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

Grad-CAM, saliency, SmoothGrad and integrated gradients all draw a plausible picture
of "where the evidence is", and they do not agree. A map is *faithful* when the pixels
it ranks first are the ones the network needs. Test it by changing the photo: hide a
patch and watch the class probability (occlusion sensitivity), remove the pixels in
the order a map ranks them and watch the probability fall (deletion), or add them to
a blurred copy and watch it rise (insertion; Petsiuk et al., RISE, 2018). This page
writes both tests out on a pretrained EfficientNet-Lite0 and scores five maps on two
photos against random maps.
"""

# %%
# ## The network and two photographs
#
# EfficientNet-Lite0 with its ImageNet weights (`mlviz.models.load_efficientnet_lite0`,
# offline, hash-checked) and two of scikit-image's photos, stretched to 224x224 and
# scaled to [-1, 1]. Every test below watches the softmax probability of the predicted
# class: Egyptian cat (285) for the cat, espresso (967) for the coffee.
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import imagenet_class_names, load_efficientnet_lite0, photo_tensors
from mlviz.models import photo_aspect, predict_proba, to_display
from mlviz.report import claim, say

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos, targets = ["chelsea", "coffee"], [285, 967]
x = photo_tensors(photos)
images = to_display(x)  # (2, 224, 224, 3) in [0, 1]
proba = predict_proba(model, x)
claim(
    list(proba.argmax(1)) == targets,
    "the cat is predicted an Egyptian cat, the coffee an espresso",
    evidence=str(proba.argmax(1)),
)


def probability(batch, target):
    """Softmax probability of `target` for each image of a batch, 8 images a pass."""
    with torch.no_grad():
        return torch.cat(
            [
                torch.softmax(model(chunk), 1)[:, target]
                for chunk in torch.split(batch, 8)
            ]
        ).numpy()


# %%
# ## Occlusion sensitivity, written out
#
# Slide a grey square (the value 0 in the network's input space, mid-grey) over the
# photo; at each position record the drop of the class probability, `p(photo) -
# p(photo with the patch)`. A large drop means the patch hid evidence; a negative
# drop means it hid something that spoke *against* the class. Each pixel gets the mean
# drop of the patches that cover it. (`mlviz.attribution.occlusion` does the same in
# batches; the page's test checks that both agree.)
patch, stride = (56, 56) if QUICK else (32, 16)


def occlusion_by_hand(x1, target, patch, stride, fill=0.0):
    """Drops of p(target) under a sliding patch, and their mean per pixel."""
    starts = list(range(0, 224 - patch + 1, stride))  # 224 - patch is a multiple here
    occluded = []
    for r in starts:
        for c in starts:
            copy = x1.clone()
            copy[:, :, r : r + patch, c : c + patch] = fill
            occluded.append(copy)
    drops = probability(x1, target) - probability(torch.cat(occluded), target)
    drops = drops.reshape(len(starts), len(starts))
    total, count = np.zeros((224, 224)), np.zeros((224, 224))
    for i, r in enumerate(starts):
        for j, c in enumerate(starts):
            total[r : r + patch, c : c + patch] += drops[i, j]
            count[r : r + patch, c : c + patch] += 1
    return drops, total / count


occluded = [
    occlusion_by_hand(x[i : i + 1], targets[i], patch, stride)
    for i in range(len(photos))
]

# %%
# ## Where hiding the photo hurts
#
# Red: hiding this region lowers the probability (it held evidence for the class);
# blue: hiding it raises the probability. One colour scale per photo, symmetric
# around 0. When no patch takes much away, the evidence may be redundant (two eyes,
# two ears, fur everywhere: each copy enough on its own), which occlusion, hiding one
# place at a time, cannot see.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import DIVERGING

fig, axes = plt.subplots(1, 2, figsize=(11, 1.4 + 5.0 * photo_aspect("coffee")))
for ax, (i, photo) in zip(axes, enumerate(photos)):
    m, aspect = occluded[i][1], photo_aspect(photo)
    limit = np.abs(m).max()
    ax.imshow(images[i], aspect=aspect)
    shown = ax.imshow(
        m, cmap=DIVERGING, vmin=-limit, vmax=limit, alpha=0.6, aspect=aspect
    )
    ax.set_title(f"{photo}: drop of p({names[targets[i]]})", fontsize=10)
    ax.set_xticks([]), ax.set_yticks([])
    fig.colorbar(shown, ax=ax, shrink=0.8, label="p(photo) - p(occluded)")
fig.suptitle(f"Occlusion sensitivity: a grey {patch}x{patch} patch every {stride} px")
plt.show()
say(
    "\n".join(
        f"* **{p}** (p = {proba[i, t]:.2f}): the largest drop under one patch is "
        f"**{d.max():.2f}** ({d.max() / proba[i, t]:.0%} of the probability); "
        f"{(d < 0).mean():.0%} of the {d.size} positions *raise* it, by up to "
        f"{-d.min():.2f}."
        for i, (p, t, (d, _)) in enumerate(zip(photos, targets, occluded))
    )
)

# %%
# ## Five maps to judge, and random ones
#
# * **Grad-CAM** on the last block (`model._blocks[-1]`, 7x7, upsampled), as on
#   page I1;
# * **saliency** (largest absolute gradient over the colour channels) and
#   **SmoothGrad** (the same averaged over noisy copies), as on page I2;
# * **integrated gradients** (IG) of the class logit from a black image, summed over
#   the channels and kept signed, so that pixels that raise the score come first;
# * **occlusion**, the map just computed (signed: evidence first);
# * **random**: uniform noise, one map per seed; their spread is what chance gives.
#
# IG is only as good as its sum over the path. From black, the logit does most of
# its rise within the first tenth of the path, in kinks (page I2), so the
# points are spread as `a = t^3` (`t` evenly spaced, trapezoidal rule in `t`). The
# *completeness* check says whether there are enough: the attributions must add up
# to `f(x) - f(black)`.
from mlviz.attribution import GradCAM, saliency, smoothgrad

n_noisy, n_steps_ig = (4, 8) if QUICK else (12, 64)
black = -torch.ones_like(x[:1])


def integrated_gradients_cubic(x1, target, n_steps, power=3):
    """IG of one image from black: signed map (H, W), its sum, f(x) - f(black)."""
    t = torch.linspace(0, 1, n_steps + 1, dtype=torch.float64)
    weights = power * t ** (power - 1) / n_steps  # da = p t^(p-1) dt
    weights[[0, -1]] /= 2
    path = black + (t**power).float()[:, None, None, None] * (x1 - black)
    grads, logits = [], []
    for chunk in torch.split(path, 8):
        chunk.requires_grad_(True)
        logit = model(chunk)[:, target]
        grads.append(torch.autograd.grad(logit.sum(), chunk)[0].double())
        logits.append(logit.detach().double())
    mean_grad = (weights[:, None, None, None] * torch.cat(grads)).sum(0)
    attributions = ((x1 - black)[0].double() * mean_grad).sum(0).numpy()
    logits = torch.cat(logits)
    return attributions, attributions.sum(), (logits[-1] - logits[0]).item()


ig = [
    integrated_gradients_cubic(x[i : i + 1], t, n_steps_ig)
    for i, t in enumerate(targets)
]
ig_gap = {p: abs(total - rise) / abs(rise) for p, (_, total, rise) in zip(photos, ig)}
say(
    f"IG with {n_steps_ig} steps: the attributions add up to "
    + "; ".join(
        f"{total:.2f} for the {p} (f(x) - f(black) = {rise:.2f}, "
        f"gap **{ig_gap[p]:.1%}**)"
        for p, (_, total, rise) in zip(photos, ig)
    )
    + "."
)
claim(
    QUICK or max(ig_gap.values()) < 0.05,
    "in the full build IG's attributions add up to f(x) - f(black) within 5%",
    evidence=str(ig_gap),
)
with GradCAM(model, [model._blocks[-1]]) as gradcam:
    grad_cam = gradcam(x, targets=targets)  # (2, 224, 224), upsampled, in [0, 1]
maps = {
    "Grad-CAM": grad_cam,
    "saliency": saliency(model, x, targets),
    "SmoothGrad": smoothgrad(model, x, targets, n_samples=n_noisy, seed=SEED),
    "integrated gradients": np.stack([m for m, _, _ in ig]),
    "occlusion": np.stack([m for _, m in occluded]),
}
n_random = 2 if QUICK else 3
rng = np.random.default_rng(SEED)
random_maps = [rng.random((len(photos), 224, 224)) for _ in range(n_random)]

# %%
# Deletion and insertion only use the *order* of a map's pixels, so the figure shows
# each map as the rank of its pixels (1: removed first, 0: last).
from scipy.stats import rankdata

shown_maps = {**maps, "random (seed 0)": random_maps[0]}
fig, axes = plt.subplots(2, 7, figsize=(15, 1.2 + 2 * 2.1 * photo_aspect("coffee")))
for i, photo in enumerate(photos):
    axes[i, 0].imshow(images[i], aspect=photo_aspect(photo))
    axes[i, 0].set_ylabel(photo)
    for ax, (name, m) in zip(axes[i, 1:], shown_maps.items()):
        ranks = (rankdata(m[i]).reshape(224, 224) - 1) / (224 * 224 - 1)
        shown = ax.imshow(
            ranks, cmap="magma", vmin=0, vmax=1, aspect=photo_aspect(photo)
        )
        axes[0, list(shown_maps).index(name) + 1].set_title(name, fontsize=10)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
fig.colorbar(shown, ax=axes, shrink=0.7, label="rank (1: removed first)")
fig.suptitle("Each map as the order in which deletion removes pixels")
plt.show()

# %%
# ## Deletion and insertion, written out
#
# Rank the pixels by the map, highest first. In `steps` equal steps, **delete** them
# from the photo (the three channels of a pixel become grey, as under the occlusion
# patch) or **insert** them into a blurred copy of the photo (Gaussian, sigma = 10
# pixels: the shapes are gone). After each step record the probability. The *area
# under the curve* (AUC), over the share of pixels from 0 to 1, sums each curve up:
# **deletion, lower is better** (the probability falls as soon as the first pixels
# go); **insertion, higher is better**. Here, for the Grad-CAM of the cat:
from mlviz.attribution import blurred_copy

steps = 4 if QUICK else 8
blurred = blurred_copy(x, sigma=10)


def deletion_insertion_by_hand(x1, start, m, target, steps, fill=0.0):
    """Probabilities after deleting / inserting the top-ranked k/steps of the pixels."""
    order = np.argsort(-m.ravel(), kind="stable")  # ties: in reading order
    fractions = np.arange(steps + 1) / steps
    deleted, inserted = [], []
    for f in fractions:
        mask = np.zeros(224 * 224, bool)
        mask[order[: round(f * 224 * 224)]] = True
        mask = torch.from_numpy(mask.reshape(1, 1, 224, 224))
        deleted.append(torch.where(mask, fill, x1))
        inserted.append(torch.where(mask, x1, start))
    deletion = probability(torch.cat(deleted), target)
    insertion = probability(torch.cat(inserted), target)
    return fractions, deletion, insertion, deleted, inserted


def auc(curve, fractions):
    """Trapezoidal area under a curve sampled at `fractions`."""
    return float(np.sum((curve[1:] + curve[:-1]) / 2 * np.diff(fractions)))


fractions, deletion, insertion, deleted, inserted = deletion_insertion_by_hand(
    x[:1], blurred[:1], maps["Grad-CAM"][0], targets[0], steps
)
say(
    f"Grad-CAM of the cat, {steps} steps: deletion AUC "
    f"**{auc(deletion, fractions):.3f}**, insertion AUC "
    f"**{auc(insertion, fractions):.3f}** (the photo's p = {deletion[0]:.2f}, all "
    f"grey {deletion[-1]:.3f}, blurred {insertion[0]:.3f})."
)
claim(
    deletion[-1] < 0.01 and insertion[0] < 0.01,
    "the grey image and the blurred photo both have a class probability near 0",
    evidence=f"{deletion[-1]:.4f}, {insertion[0]:.4f}",
)

# %%
# What the network sees along the way. The grey region of deletion is where Grad-CAM
# points.
show_at = np.linspace(0, steps, 5).round().astype(int)
aspect = photo_aspect("chelsea")
fig, axes = plt.subplots(2, 5, figsize=(13, 1.2 + 2 * 2.6 * aspect))
for row, (title, sequence, curve) in enumerate(
    [("deleted", deleted, deletion), ("inserted", inserted, insertion)]
):
    for ax, k in zip(axes[row], show_at):
        ax.imshow(to_display(sequence[k][0]), aspect=aspect)
        ax.set_title(f"{fractions[k]:.0%} {title}: p = {curve[k]:.2f}", fontsize=10)
        ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Deletion (top) and insertion (bottom) in the order of Grad-CAM, cat")
plt.show()

# %%
# ## Every map, both photos
#
# `mlviz.attribution.deletion_insertion` computes the same curves in batches (the
# page's test checks it against the loop above) for every map and photo, with a third
# curve: deletion where the removed pixels take the *blurred* photo's value instead
# of grey. Scattered grey pixels make an image that no photo looks like, so a map can
# score well on grey deletion just by scattering its first pixels; blurred pixels
# keep the local colour and only remove detail.
from mlviz.attribution import deletion_insertion

measures = ["deletion (grey)", "deletion (blur)", "insertion"]
results, curves = {}, {}  # (measure, map name, photo) -> AUC, curve
all_maps = {**maps, **{f"random {s}": r for s, r in enumerate(random_maps)}}
for name, m in all_maps.items():
    for i, photo in enumerate(photos):
        grey = deletion_insertion(
            model, x[i : i + 1], m[i], targets[i], steps=steps, blur_sigma=10
        )
        into_blur = deletion_insertion(
            model,
            x[i : i + 1],
            m[i],
            targets[i],
            steps=steps,
            baseline=blurred[i : i + 1],
            curves="deletion",
        )
        for measure, curve in zip(
            measures, [grey.deletion, into_blur.deletion, grey.insertion]
        ):
            curves[measure, name, photo] = curve
            results[measure, name, photo] = auc(curve, grey.fractions)
random_names = [f"random {s}" for s in range(n_random)]

# %%
# The curves. Lines: the five maps; grey band: the random maps' range.
colors = dict(zip(maps, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True, sharey=True)
for i, photo in enumerate(photos):
    for ax, measure in zip(axes[i], measures):
        band = np.array([curves[measure, r, photo] for r in random_names])
        ax.fill_between(
            fractions, band.min(0), band.max(0), color="0.6", alpha=0.5, label="random"
        )
        for name in maps:
            ax.plot(
                fractions,
                curves[measure, name, photo],
                ".-",
                color=colors[name],
                label=name,
            )
        ax.set_title(f"{photo}: {measure}", fontsize=11)
    axes[i, 0].set_ylabel(f"p({names[targets[i]]})")
for ax in axes[-1]:
    ax.set_xlabel("share of pixels removed / inserted")
axes[0, 0].legend(fontsize=9)
fig.suptitle("Deletion: the faster it falls the better; insertion: the faster it rises")
plt.show()

# %%
# The areas, one row per map, and the random seeds' mean and range:
import pandas as pd

rows = {n: {(p, m): results[m, n, p] for p in photos for m in measures} for n in maps}
for label, summarize in (
    ("random, mean", np.mean),
    ("random, min", np.min),
    ("random, max", np.max),
):
    rows[label] = {
        (p, m): summarize([results[m, r, p] for r in random_names])
        for p in photos
        for m in measures
    }
auc_table = pd.DataFrame(rows).T.round(3)
auc_table.columns.names = ["photo", f"AUC ({steps} steps)"]
auc_table

# %%
# ## Which map is most faithful?
#
# For each photo and measure: the best map, the runner-up, and the maps that do no
# better than the best random seed (a map "beats random" only if it beats every seed).
lower_is_better = {"deletion (grey)": True, "deletion (blur)": True, "insertion": False}


def beats_random(measure, name, photo):
    seeds = [results[measure, r, photo] for r in random_names]
    value = results[measure, name, photo]
    return value < min(seeds) if lower_is_better[measure] else value > max(seeds)


verdict = {}
for photo in photos:
    for measure in measures:
        sign = 1 if lower_is_better[measure] else -1
        ranked = sorted(maps, key=lambda n: sign * results[measure, n, photo])
        losers = [n for n in maps if not beats_random(measure, n, photo)]
        verdict[photo, measure] = {
            "best": ranked[0],
            "runner-up": ranked[1],
            "no better than random": ", ".join(losers) or "-",
        }
verdict_table = pd.DataFrame(verdict).T
verdict_table

# %%
# What the table says about IG (the claims check what the pitfalls below say):
speckled = ["saliency", *random_names]
ig_fails = [
    f"{p} {m}"
    for p in photos
    for m in measures
    if not beats_random(m, "integrated gradients", p)
]
say(
    f"IG (completeness gap at most {max(ig_gap.values()):.1%}) is "
    + (
        f"no better than random on {', '.join(ig_fails)}"
        if ig_fails
        else "better than random everywhere"
    )
    + (
        "; with this gap IG is unconverged, and its scores judge the step count, not "
        "the method."
        if max(ig_gap.values()) > 0.05
        else "."
    )
)
grey, blur = "deletion (grey)", "deletion (blur)"
claim(
    all(
        results[grey, "Grad-CAM", p] > max(results[grey, r, p] for r in random_names)
        and beats_random("insertion", "Grad-CAM", p)
        and all(results[grey, n, p] < results[blur, n, p] for n in speckled)
        for p in photos
    ),
    "on both photos, every random map beats Grad-CAM on grey deletion and loses to it "
    "on insertion; saliency and the random maps score better on grey deletion than "
    "on deletion into blur",
    evidence=str(auc_table),
)
claim(
    any(
        verdict[photos[0], m]["best"] != verdict[photos[1], m]["best"] for m in measures
    ),
    "the best map is not the same on both photos for every measure",
    evidence=str(verdict_table["best"]),
)

# %%
# Does Grad-CAM win on insertion because it points at the cat and the cup, or
# because its first pixels form one compact region, which looks like a photo inside
# the blur whatever it shows? The same map read backwards (background first) tells:
backwards = {
    p: deletion_insertion(
        model, x[i : i + 1], -grad_cam[i], targets[i], steps=steps, curves="insertion"
    ).insertion_auc
    for i, p in enumerate(photos)
}
compact_wins = [
    p
    for p in photos
    if backwards[p] > max(results["insertion", r, p] for r in random_names)
]
say(
    "Insertion AUC of Grad-CAM read backwards: "
    + ", ".join(
        f"{backwards[p]:.3f} ({p}; forwards {results['insertion', 'Grad-CAM', p]:.3f}, "
        f"random up to {max(results['insertion', r, p] for r in random_names):.3f})"
        for p in photos
    )
    + ". "
    + (
        f"Backwards, it still beats the random maps on the "
        f"{' and '.join(compact_wins)}: a compact region helps whatever it shows, so "
        "pixel noise is too easy a baseline for a smooth map. "
        if compact_wins
        else ""
    )
    + "Forwards beats backwards on both photos: the order carries the evidence, not "
    "only the compactness."
)
claim(
    all(results["insertion", "Grad-CAM", p] > backwards[p] for p in photos),
    "Grad-CAM forwards beats Grad-CAM backwards on insertion, on both photos",
    evidence=str(backwards),
)

# %%
# ## How to read these figures
#
# * **Occlusion map**: red where a grey patch lowers the class probability, blue
#   where it raises it. Its resolution is the patch: a red blob means "somewhere in
#   this square", not "this pixel".
# * **Rank maps**: what deletion removes first (bright) and last (dark).
# * **Curves**: a good map's deletion curve drops at once and its insertion curve
#   climbs at once. Compare a map with the grey band (chance), not only with the
#   other maps. An AUC is a mean probability along the curve.
#
# ## Pitfalls
#
# * **Deletion rewards destruction.** Grey pixels scattered over a photo make an
#   image unlike any training image; the probability collapses whatever the pixels
#   were. Random maps and the speckled saliency map score better on grey deletion
#   than on deletion into blur, and Grad-CAM, whose first pixels form one region,
#   loses to noise there while it beats noise on insertion. Check deletion into blur
#   and insertion before trusting a low deletion AUC.
# * **Insertion rewards compact regions**, as deletion rewards scattered ones: judge
#   a smooth map against itself read backwards (or against smooth random maps), not
#   only against pixel noise.
# * **An unconverged map is not a verdict on its method.** Integrated gradients with
#   too few steps do not add up to `f(x) - f(x')`; report the completeness gap next
#   to any score of IG.
# * **The fill value and the patch are part of the test.** Grey, black, blur or noise
#   answer different questions; a patch smaller than the object finds only its most
#   telling part. Occlusion's map is one of the maps scored, not the ground truth.
# * **A probability saturates** near 0 and 1; the logit (`score="logit"`) does not.
# * **Two photos are an anecdote.** The best map is not the same on both photos for
#   every measure; a claim about a method needs many images and the spread of the
#   scores. Where a map is flat (Grad-CAM's zeros, occlusion's squares), the order of
#   the tied pixels is arbitrary (here: reading order).
