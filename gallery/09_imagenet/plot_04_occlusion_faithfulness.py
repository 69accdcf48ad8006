"""
# Occlusion sensitivity and deletion/insertion: how faithful is each map?

**Catalog I4** · **Question:** one prediction, comparison · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

Grad-CAM, saliency, SmoothGrad and integrated gradients all draw a plausible picture
of "where the evidence is", and they do not agree. A map is *faithful* when the pixels
it ranks first are really the ones the network needs. That can be measured by
changing the photo: hide a patch and watch the class probability (occlusion
sensitivity), or remove the photo's pixels in the order a map ranks them and watch the
probability fall (the deletion curve), or add them to a blurred copy and watch it rise
(the insertion curve; Petsiuk et al., RISE, 2018). This page writes both tests out on
a pretrained EfficientNet-Lite0, checks them against the gallery's helpers, scores five
maps on two photos, and compares every score with those of random maps.
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
from mlviz.models import (
    imagenet_class_names,
    load_efficientnet_lite0,
    photo_aspect,
    photo_tensors,
    predict_proba,
    to_display,
)
from mlviz.report import claim, say

torch.set_num_threads(1)  # as mlviz's helpers do: faster on a small shared CPU

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee"]
targets = [285, 967]
x = photo_tensors(photos)
images = to_display(x)  # (2, 224, 224, 3) in [0, 1]
proba = predict_proba(model, x)
say(
    "Predicted: "
    + ", ".join(
        f"**{p}**: {names[k]} (p = {proba[i, k]:.2f})"
        for i, (p, k) in enumerate(zip(photos, targets))
    )
    + "."
)
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
# drop of the patches that cover it. The patch is 32 pixels wide and moves by 16 in
# the full build (13x13 positions); quick mode uses 56 and 56 (4x4 positions).
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
# The gallery's `occlusion` helper computes the same; the check uses the cat and a
# coarse grid (a 112-pixel patch every 56 pixels, nine positions) to stay cheap:
from mlviz.attribution import occlusion

helper_occlusion = occlusion(model, x[:1], targets[0], patch=112, stride=56)
gap_occlusion = np.abs(
    helper_occlusion.map - occlusion_by_hand(x[:1], targets[0], 112, 56)[1]
).max()
say(
    f"Largest difference, by hand vs `occlusion`: **{gap_occlusion:.1e}** "
    "(in probability)."
)
claim(gap_occlusion < 1e-6, "both agree", evidence=f"{gap_occlusion:.2e}")

# %%
# ## Where hiding the photo hurts
#
# Red: hiding this region lowers the probability (it held evidence for the class);
# blue: hiding it raises the probability. One colour scale per photo, symmetric
# around 0. When no single patch makes a large dent, the evidence is spread over
# more than one patch (two eyes, two ears, the fur): each copy is enough on its own,
# and occlusion, which hides one place at a time, finds little. That is a finding
# about the network, not a failure of the test.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import DIVERGING

fig, axes = plt.subplots(1, 2, figsize=(11, 1.4 + 5.0 * photo_aspect("coffee")))
for ax, (i, photo) in zip(axes, enumerate(photos)):
    m = occluded[i][1]
    limit = np.abs(m).max()
    ax.imshow(images[i], aspect=photo_aspect(photo))
    shown = ax.imshow(
        m,
        cmap=DIVERGING,
        vmin=-limit,
        vmax=limit,
        alpha=0.6,
        aspect=photo_aspect(photo),
    )
    ax.set_title(f"{photo}: drop of p({names[targets[i]]})", fontsize=10)
    ax.set_xticks([]), ax.set_yticks([])
    fig.colorbar(shown, ax=ax, shrink=0.8, label="p(photo) - p(occluded)")
fig.suptitle(f"Occlusion sensitivity: a grey {patch}x{patch} patch every {stride} px")
plt.show()


def peak(m):
    """(row, column) of a map's largest value."""
    return tuple(int(v) for v in np.unravel_index(np.argmax(m), m.shape))


say(
    "\n".join(
        f"* **{p}** (p = {proba[i, targets[i]]:.2f}): the largest drop is "
        f"**{occluded[i][0].max():.2f}** ({occluded[i][0].max() / proba[i, t]:.0%} "
        f"of the probability), the mean drop per pixel peaks at "
        f"{peak(occluded[i][1])} (row, column); "
        f"{(occluded[i][0] < 0).mean():.0%} of the {occluded[i][0].size} positions "
        f"*raise* the probability, by up to {-occluded[i][0].min():.2f}."
        for i, (p, t) in enumerate(zip(photos, targets))
    )
)

# %%
# ## Five maps to judge, and random ones
#
# The maps of the previous pages, for the same class, plus occlusion itself and a
# random map:
#
# * **Grad-CAM** on the last block (`model._blocks[-1]`, 7x7, upsampled), as on
#   page I1;
# * **saliency** (largest absolute gradient over the colour channels) and
#   **SmoothGrad** (the same averaged over noisy copies), as on page I2;
# * **integrated gradients** from a black image, summed over the channels and kept
#   signed, so that pixels that raise the score come first;
# * **occlusion**, the map just computed (signed: evidence first);
# * **random**: uniform noise, one map per seed, so that its spread shows how much a
#   score can differ by chance.
#
# Deletion and insertion only use the *order* of a map's pixels, so the figure shows
# each map as the rank of its pixels (1: removed first, 0: last).
from scipy.stats import rankdata

from mlviz.attribution import GradCAM, integrated_gradients, saliency, smoothgrad

n_noisy, n_steps_ig = (4, 4) if QUICK else (12, 12)
with GradCAM(model, [model._blocks[-1]]) as gradcam:
    grad_cam = gradcam(x, targets=targets)  # (2, 224, 224), upsampled, in [0, 1]
black = -torch.ones_like(x)
maps = {
    "Grad-CAM": grad_cam,
    "saliency": saliency(model, x, targets),
    "SmoothGrad": smoothgrad(model, x, targets, n_samples=n_noisy, seed=SEED),
    "integrated gradients": integrated_gradients(
        model, x, targets, baseline=black, n_steps=n_steps_ig
    ).attributions.sum(axis=1),
    "occlusion": np.stack([m for _, m in occluded]),
}
n_random = 2 if QUICK else 3
rng = np.random.default_rng(SEED)
random_maps = [rng.random((len(photos), 224, 224)) for _ in range(n_random)]


def rank(m):
    """Each pixel's rank in the map, scaled to [0, 1] (ties share their mean rank)."""
    return (rankdata(m.ravel()).reshape(m.shape) - 1) / (m.size - 1)


shown_maps = {**maps, "random (seed 0)": random_maps[0]}
for i, photo in enumerate(photos):
    aspect = photo_aspect(photo)
    fig, axes = plt.subplots(2, 4, figsize=(12, 1.0 + 2 * 2.9 * aspect))
    axes[0, 0].imshow(images[i], aspect=aspect)
    axes[0, 0].set_title(f"{photo}", fontsize=10)
    for ax, (name, m) in zip(axes.flat[1:], shown_maps.items()):
        ranks = ax.imshow(rank(m[i]), cmap="magma", vmin=0, vmax=1, aspect=aspect)
        ax.set_title(name, fontsize=10)
    for ax in axes.flat:
        ax.set_xticks([]), ax.set_yticks([])
    axes[-1, -1].axis("off")
    fig.colorbar(ranks, ax=axes, shrink=0.7, label="rank (1: removed first)")
    fig.suptitle(f"{photo}: each map as the order in which deletion removes pixels")
    plt.show()

# %%
# ## Deletion and insertion, written out
#
# Rank the pixels by the map, highest first. In `steps` equal steps, **delete** them
# from the photo (the three channels of a pixel become grey, as under the occlusion
# patch) or **insert** them into a blurred copy of the photo (Gaussian, sigma = 10
# pixels: the shapes are gone and the class probability is near 0). After each step
# record the probability. The *area under the curve* (AUC), over the share of pixels
# from 0 to 1, sums each curve up: **deletion, lower is better** (the probability
# falls as soon as the first pixels go); **insertion, higher is better**. Here, for
# the Grad-CAM of the cat:
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
    f"**{auc(insertion, fractions):.3f}** (the photo's p = "
    f"{deletion[0]:.2f}, all grey {deletion[-1]:.3f}, blurred {insertion[0]:.3f})."
)
claim(
    deletion[-1] < 0.01 and insertion[0] < 0.01,
    "the grey image and the blurred photo both have a class probability near 0",
    evidence=f"{deletion[-1]:.4f}, {insertion[0]:.4f}",
)

# %%
# What the network sees along the way, at every quarter of the pixels. The grey
# region of deletion is where Grad-CAM points.
show_at = [k * steps // 4 for k in range(5)]  # 0, 1/4, 1/2, 3/4 and all pixels
claim(steps % 4 == 0, "the steps include every quarter of the pixels")
aspect = photo_aspect("chelsea")
fig, axes = plt.subplots(2, 5, figsize=(13, 1.2 + 2 * 2.6 * aspect))
for row, (title, sequence, curve) in enumerate(
    [("deleted", deleted, deletion), ("inserted", inserted, insertion)]
):
    for ax, k in zip(axes[row], show_at):
        ax.imshow(to_display(sequence[k][0]), aspect=aspect)
        ax.set_title(
            f"{fractions[k]:.0%} {title}: p = {curve[k]:.2f}",
            fontsize=10,
        )
        ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Deletion (top) and insertion (bottom) in the order of Grad-CAM, cat")
plt.show()

# %%
# The helper `deletion_insertion` computes the same curves (in batches, with a mask
# built from each pixel's rank instead of a loop):
from mlviz.attribution import deletion_insertion

check = deletion_insertion(
    model, x[:1], maps["Grad-CAM"][0], targets[0], steps=steps, blur_sigma=10
)
gap_curves = max(
    np.abs(check.deletion - deletion).max(), np.abs(check.insertion - insertion).max()
)
say(
    f"Largest difference between the curves, by hand vs `deletion_insertion`: "
    f"**{gap_curves:.1e}**; AUCs {check.deletion_auc:.3f} and "
    f"{check.insertion_auc:.3f}."
)
claim(gap_curves < 1e-6, "both agree", evidence=f"{gap_curves:.2e}")

# %%
# ## Every map, both photos
#
# The same two curves for every map and photo, and a third one: deletion where the
# removed pixels take the *blurred* photo's value instead of grey. Scattered grey
# pixels make an image that no photo looks like, so a map can score well on grey
# deletion just by scattering its first pixels, as the random maps do here; blurred
# pixels keep the local colour and only remove detail. The random map is drawn as
# the range of its seeds.
results = {}  # (measure, map name, photo) -> AUC
curves = {}  # (measure, map name, photo) -> curve
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
        for measure, curve in (
            ("deletion (grey)", grey.deletion),
            ("deletion (blur)", into_blur.deletion),
            ("insertion", grey.insertion),
        ):
            curves[measure, name, photo] = curve
            results[measure, name, photo] = auc(curve, grey.fractions)
measures = ["deletion (grey)", "deletion (blur)", "insertion"]
random_names = [f"random {s}" for s in range(n_random)]
grey_random = {
    p: max(results["deletion (grey)", r, p] for r in random_names) for p in photos
}
claim(
    all(grey_random[p] < results["deletion (grey)", "Grad-CAM", p] for p in photos),
    "on grey deletion every random map scores better than Grad-CAM, on both photos",
    evidence=f"random up to {grey_random}, Grad-CAM "
    + str({p: results["deletion (grey)", "Grad-CAM", p] for p in photos}),
)

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
# The areas, one row per map (random: mean of the seeds and their range):


def cell(measure, name, photo):
    if name != "random":
        return f"{results[measure, name, photo]:.3f}"
    values = [results[measure, r, photo] for r in random_names]
    return f"{np.mean(values):.3f} ({min(values):.3f}-{max(values):.3f})"


header = " | ".join(f"{p}: {m}" for p in photos for m in measures)
table = [
    f"| {name} | "
    + " | ".join(cell(m, name, p) for p in photos for m in measures)
    + " |"
    for name in [*maps, "random"]
]
say(
    f"| AUC ({steps} steps) | {header} |\n|---|"
    + "---|" * (len(photos) * len(measures))
    + "\n"
    + "\n".join(table)
    + f"\n\nDeletion: lower is better; insertion: higher is better. Random: "
    f"{n_random} seeds."
)

# %%
# ## Which map is most faithful?
#
# For each photo and measure: the best map, and the maps that do no better than the
# best random seed (a map "beats random" only if it beats every seed).
lower_is_better = {"deletion (grey)": True, "deletion (blur)": True, "insertion": False}


def beats_random(measure, name, photo):
    value = results[measure, name, photo]
    seeds = [results[measure, r, photo] for r in random_names]
    return value < min(seeds) if lower_is_better[measure] else value > max(seeds)


verdict, best = [], {}
for photo in photos:
    for measure in measures:
        sign = 1 if lower_is_better[measure] else -1
        ranked = sorted(maps, key=lambda n: sign * results[measure, n, photo])
        best[measure, photo], second = ranked[:2]
        losers = [n for n in maps if not beats_random(measure, n, photo)]
        verdict.append(
            f"* **{photo}, {measure}**: best **{best[measure, photo]}** "
            f"({results[measure, best[measure, photo], photo]:.3f}), then {second} "
            f"({results[measure, second, photo]:.3f}); "
            + (
                "no better than random: " + ", ".join(losers)
                if losers
                else "every map beats every random seed"
            )
            + "."
        )
say("\n".join(verdict))

# %%
# Across both photos, the count of wins and of "no better than random" per map:
wins = {n: sum(best[key] == n for key in best) for n in maps}
failures = {
    n: sum(not beats_random(m, n, p) for m in measures for p in photos) for n in maps
}
grey_fails = [
    n for n in maps if all(not beats_random(measures[0], n, p) for p in photos)
]
say(
    ", ".join(
        f"**{n}**: best in {wins[n]} of {len(best)}, no better than random in "
        f"{failures[n]} of {len(best)}"
        for n in maps
    )
    + ". "
    + (
        f"On deletion into grey, {', '.join(grey_fails)} "
        f"{'does' if len(grey_fails) == 1 else 'do'} no better than random noise on "
        "both photos: a random map scatters its first grey pixels over the whole "
        "photo, which destroys it faster than removing any one region."
        if grey_fails
        else "Every map beats the random ones on deletion into grey for at least one "
        "photo."
    )
)
ins_random = max(results["insertion", r, p] for r in random_names for p in photos)
claim(
    all(beats_random("insertion", "Grad-CAM", p) for p in photos),
    "Grad-CAM beats every random map on insertion, on both photos",
    evidence=str({p: results["insertion", "Grad-CAM", p] for p in photos})
    + f" vs random up to {ins_random:.3f}",
)
speckled = ["saliency", *random_names]
claim(
    all(
        results["deletion (grey)", n, p] < results["deletion (blur)", n, p]
        for n in speckled
        for p in photos
    ),
    "saliency and the random maps score better on grey deletion than on deletion "
    "into blur",
    evidence=str({k: v for k, v in results.items() if k[1] in speckled}),
)
claim(
    any(best[m, photos[0]] != best[m, photos[1]] for m in measures),
    "the best map is not the same on both photos for every measure",
    evidence=str(best),
)
zero_share = (grad_cam == 0).mean(axis=(1, 2))
say(
    "Grad-CAM is exactly 0 on "
    + " and ".join(f"{z:.0%} ({p})" for z, p in zip(zero_share, photos))
    + " of the pixels: they tie, and deletion removes them in reading order."
)

# %%
# ## How to read these figures
#
# * **Occlusion map**: red where a grey patch lowers the class probability (the
#   patch hid evidence), blue where it raises it. Its resolution is the patch:
#   a red blob means "somewhere in this square", not "this pixel".
# * **Rank maps**: what deletion removes first (bright) and last (dark). Two maps that
#   look different may still rank the same pixels first.
# * **Curves**: a good map's deletion curve drops at once and its insertion curve
#   climbs at once; the grey band is what chance gives. Compare a map with the band,
#   not only with the other maps.
# * **Table**: an AUC is a mean probability along the curve (between 0 and 1).
#
# ## Pitfalls
#
# * **Deletion rewards destruction.** Grey pixels scattered over a photo make an
#   image unlike any training image; the probability collapses whatever the pixels
#   were. A random map and a speckled saliency map exploit this. Compare with
#   deletion into blur, and with insertion, before trusting a low deletion AUC.
# * **The fill value is part of the test.** Grey, black, blur or noise answer
#   different questions, as the baseline of integrated gradients does (page I2).
# * **Occlusion depends on the patch.** A patch smaller than the object finds only
#   the most telling part; a larger one finds the object; a stride larger than the
#   patch skips pixels. Its map is also one of the maps scored: it is not the
#   ground truth, only the most literal test.
# * **A probability saturates.** Near p = 1 removing evidence hardly changes it, and
#   near 0 neither does adding some. The logit (`score="logit"` in the helpers) does
#   not saturate but can go on rising after the class is certain.
# * **Two photos are an anecdote.** The best map is not the same on both photos for
#   every measure; a claim about a method needs many images and the spread of the
#   scores.
# * **Ties.** Where a map is flat (Grad-CAM's zeros, occlusion's squares), the order
#   of the tied pixels is arbitrary (here: reading order, top-left first).
