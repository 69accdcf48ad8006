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
# EfficientNet-Lite0 with its ImageNet weights (offline, hash-checked) and two of
# scikit-image's photos, stretched to 224x224 and scaled to [-1, 1]. Every test below
# watches the softmax probability of the class the network predicts.
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import imagenet_class_names, load_efficientnet_lite0, photo_tensors
from mlviz.models import photo_aspect, predict_proba, to_display
from mlviz.report import claim, say

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee"]
x = photo_tensors(photos)
images, aspects = to_display(x), [photo_aspect(p) for p in photos]
proba = predict_proba(model, x)
targets = proba.argmax(1).tolist()
predicted = (f"{names[t]} (p = {proba[i, t]:.2f})" for i, t in enumerate(targets))
say("Predicted: " + " and ".join(predicted) + ".")


# %%
# ## Occlusion sensitivity, written out
#
# Slide a grey square (the value 0 in the network's input space, mid-grey) over the
# photo; at each position record the drop of the class probability, `p(photo) -
# p(photo with the patch)`. A large drop means the patch hid evidence. A negative drop
# means the photo with the patch looks *more* like the class: the patch hid something
# that spoke against it, or the grey square itself helps. Each pixel gets the mean drop
# of the patches that cover it.
patch, stride = (56, 56) if QUICK else (32, 16)


def occlusion_by_hand(x1, target, patch, stride, fill=0.0):
    """Drops of p(target) under a sliding patch, and their mean per pixel."""
    starts = range(0, 224 - patch + 1, stride)  # 224 - patch is a multiple here
    corners = [(r, c) for r in starts for c in starts]
    occluded = x1.repeat(len(corners), 1, 1, 1)
    for k, (r, c) in enumerate(corners):
        occluded[k, :, r : r + patch, c : c + patch] = fill
    p = predict_proba(model, torch.cat([x1, occluded]), batch_size=8)[:, target]
    drops = p[0] - p[1:]
    total, count = np.zeros((224, 224)), np.zeros((224, 224))
    for drop, (r, c) in zip(drops, corners):
        total[r : r + patch, c : c + patch] += drop
        count[r : r + patch, c : c + patch] += 1
    return drops.reshape(len(starts), len(starts)), total / count


occluded = [occlusion_by_hand(x1[None], t, patch, stride) for x1, t in zip(x, targets)]

# %%
# Red: hiding this region lowers the probability; blue: hiding it raises it. One colour
# scale per photo, symmetric around 0.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import DIVERGING, photo_grid, plot_photo_map

title = f"Occlusion sensitivity: a grey {patch}x{patch} patch every {stride} px"
fig, axes = photo_grid([max(aspects)], 2, title=title)
for ax, (i, photo), (_, m) in zip(axes[0], enumerate(photos), occluded):
    ax.imshow(images[i], aspect=aspects[i])
    limit = dict(vmin=-np.abs(m).max(), vmax=np.abs(m).max())
    drawn = ax.imshow(m, cmap=DIVERGING, alpha=0.6, aspect=aspects[i], **limit)
    ax.set_title(f"{photo}: drop of p({names[targets[i]]})", fontsize=10)
    ax.set_xticks([]), ax.set_yticks([])
    fig.colorbar(drawn, ax=ax, shrink=0.8, label="p(photo) - p(occluded)")
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
# The maps of pages I1 and I2, which write them out;
# `mlviz.attribution.attribution_maps` computes them for one photo from one batch of
# forward passes: **Grad-CAM** of the last block (7x7, upsampled), **saliency** and
# **SmoothGrad** (absolute gradients, the latter averaged over noisy copies) and
# **integrated gradients** (IG) of the logit from a black image, summed over the
# channels and kept signed, so that pixels that raise the score come first. Then
# **occlusion** (signed: evidence first), and **random** maps, uniform noise, one per
# seed: their spread is what chance gives. IG is only as good as its sum over the
# path: from black the logit rises early, in kinks (page I2), so the points are spread
# as $a = t^3$, and the *completeness* check says whether there are enough: the
# attributions must add up to `f(x) - f(black)`.
from mlviz.attribution import attribution_maps

n_noisy, n_steps_ig = (4, 8) if QUICK else (12, 64)
settings = dict(baseline=-1.0, n_noisy=n_noisy, n_steps=n_steps_ig, path_power=3)
explained = [
    attribution_maps(model, x1[None], t, layer=model._blocks[-1], seed=SEED, **settings)
    for x1, t in zip(x, targets)
]
ig_gap = {p: e.completeness_gap for p, e in zip(photos, explained)}
ig_converged = max(ig_gap.values()) < 0.05
gaps = " and ".join(f"**{g:.1%}** ({p})" for p, g in ig_gap.items())
judged = "IG" if ig_converged else "the step count, not IG"
say(
    f"IG with {n_steps_ig} steps misses f(x) - f(black) by {gaps}: "
    f"the scores below judge {judged}."
)
maps = {
    name: np.stack([e.maps[name] for e in explained])
    for name in ["Grad-CAM", "saliency", "SmoothGrad", "integrated gradients"]
}
maps["occlusion"] = np.stack([m for _, m in occluded])
rng, n_random = np.random.default_rng(SEED), 2 if QUICK else 3
random_maps = {f"random {s}": rng.random((2, 224, 224)) for s in range(n_random)}

# %%
# Deletion and insertion only use the *order* of a map's pixels, so the figure shows
# each map as the rank of its pixels (1: removed first, 0: last).
from scipy.stats import rankdata

shown = {**maps, "random 0": random_maps["random 0"]}
fig, axes = photo_grid(aspects, 1 + len(shown), width=15)
for i, photo in enumerate(photos):
    plot_photo_map(images[i], ax=axes[i, 0], aspect=aspects[i], title=photo)
    for ax, m in zip(axes[i, 1:], shown.values()):
        ranks = (rankdata(m[i]).reshape(224, 224) - 1) / (224 * 224 - 1)
        drawn = ax.imshow(ranks, cmap="magma", vmin=0, vmax=1, aspect=aspects[i])
        ax.set_xticks([]), ax.set_yticks([])
for ax, name in zip(axes[0, 1:], shown):
    ax.set_title(name, fontsize=10)
fig.colorbar(drawn, ax=axes, shrink=0.7, label="rank (1: removed first)")
fig.suptitle("Each map as the order in which deletion removes pixels")
plt.show()

# %%
# ## Deletion and insertion, written out
#
# Rank the pixels by the map, highest first. In `steps` equal steps, **delete** them
# from the photo (all three channels become grey, as under the occlusion patch) or
# **insert** them into a blurred copy (Gaussian, sigma = 10 pixels: the shapes are
# gone), and record the probability after each step. Both are one operation: the
# ranked pixels of an `old` image take the values of a `new` one. The *area under the
# curve* (AUC) over the share of pixels sums a curve up: **deletion, lower is better**;
# **insertion, higher is better**. The grey image and the blurred photo keep almost
# none of the probability, so both curves span the whole range.
from mlviz.attribution import blurred_copy

steps = 4 if QUICK else 8
grey, blurred = torch.zeros_like(x), blurred_copy(x, sigma=10)


def replace_in_order(m, old, new, target, steps):
    """p(target) as the pixels of `old` take the values of `new` in the order of `m`."""
    order = np.argsort(-m.ravel(), kind="stable")  # ties: in reading order
    fractions = np.arange(steps + 1) / steps
    sequence = []
    for f in fractions:
        mask = np.zeros(224 * 224, bool)
        mask[order[: round(f * 224 * 224)]] = True
        sequence.append(torch.where(torch.from_numpy(mask.reshape(224, 224)), new, old))
    sequence = torch.cat(sequence)
    return fractions, predict_proba(model, sequence, batch_size=8)[:, target], sequence


cam, x1 = maps["Grad-CAM"][0], x[:1]
fractions, deletion, deleted = replace_in_order(cam, x1, grey[:1], targets[0], steps)
_, insertion, inserted = replace_in_order(cam, blurred[:1], x1, targets[0], steps)
left = predict_proba(model, torch.cat([grey, blurred]))[range(4), targets * 2]
claim(  # for both photos: p(class) of the grey image and of the blurred photo
    (left.reshape(2, 2).max(0) < 0.01 * proba[[0, 1], targets]).all(),
    "the grey image and the blurred photo keep almost none of the probability",
    evidence=f"p = {proba[[0, 1], targets]}, grey then blurred {left}",
)

# %%
# What the network sees along the way, for the Grad-CAM of the cat. The grey region of
# deletion is where Grad-CAM points.
show_at = np.linspace(0, steps, 5).round().astype(int)
title = "Deletion (top) and insertion (bottom) in the order of Grad-CAM, cat"
fig, axes = photo_grid([aspects[0]] * 2, 5, width=13, title=title)
for row, what, sequence, curve in zip(
    axes, ["deleted", "inserted"], [deleted, inserted], [deletion, insertion]
):
    for ax, k in zip(row, show_at):
        title = f"{fractions[k]:.0%} {what}: p = {curve[k]:.2f}"
        plot_photo_map(to_display(sequence[k]), ax=ax, aspect=aspects[0], title=title)
plt.show()

# %%
# ## Every map, both photos
#
# The same loop for every map and photo, with a third curve: deletion where removed
# pixels take the *blurred* photo's value instead of grey. Scattered grey pixels make
# an image no photo looks like, so a map can score on grey deletion just by scattering
# its first pixels; blurred pixels keep the local colour and only remove detail.
import pandas as pd

measures = ["deletion (grey)", "deletion (blur)", "insertion"]
curves, rows = {}, []
for name, m in {**maps, **random_maps}.items():
    for i, photo in enumerate(photos):
        photo_, grey_, blur_ = x[i : i + 1], grey[i : i + 1], blurred[i : i + 1]
        old_new = [(photo_, grey_), (photo_, blur_), (blur_, photo_)]
        for measure, (old, new) in zip(measures, old_new):
            _, curve, _ = replace_in_order(m[i], old, new, targets[i], steps)
            curves[measure, name, photo] = curve
            rows.append((name, photo, measure, np.trapezoid(curve, fractions)))
results = pd.DataFrame(rows, columns=["map", "photo", "measure", "AUC"])
auc = results.pivot(index="map", columns=["photo", "measure"], values="AUC")
auc = auc.loc[[*maps, *random_maps]]
by_measure = {m: auc.xs(m, axis=1, level="measure") for m in measures}
auc.round(3)

# %%
# The curves. Lines: the five maps; grey band: the random maps' range.
colors = dict(zip(maps, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True, sharey=True)
for i, photo in enumerate(photos):
    for ax, measure in zip(axes[i], measures):
        band = np.array([curves[measure, r, photo] for r in random_maps])
        lo, hi = band.min(0), band.max(0)
        ax.fill_between(fractions, lo, hi, color="0.6", label="random")
        for name in maps:
            curve = curves[measure, name, photo]
            ax.plot(fractions, curve, ".-", color=colors[name], label=name)
        ax.set_title(f"{photo}: {measure}", fontsize=11)
    axes[i, 0].set_ylabel(f"p({names[targets[i]]})")
for ax in axes[-1]:
    ax.set_xlabel("share of pixels removed / inserted")
axes[0, 0].legend(fontsize=9)
fig.suptitle("Deletion: the faster it falls the better; insertion: the faster it rises")
plt.show()

# %%
# ## Which map is most faithful?
#
# For each photo and measure: the best map, and the maps that show no clear win over
# random. The random maps differ among themselves, so a map counts as better only
# when it beats the best seed by more than the seeds' own spread (largest minus
# smallest AUC). Deletion's areas change sign so that lower is better everywhere.
lower_is_better = {"deletion (grey)": True, "deletion (blur)": True, "insertion": False}
score = auc * [1 if lower_is_better[measure] else -1 for _, measure in auc.columns]
scored, seeds = score.loc[list(maps)], score.loc[list(random_maps)]
beats_random = scored < seeds.min() - (seeds.max() - seeds.min())
losers = beats_random.apply(lambda col: ", ".join(col.index[~col]) or "-")
verdict = pd.DataFrame({"best": scored.idxmin(), "no clear win over random": losers})
ig_wins = beats_random.loc["integrated gradients"]
ig_fails = [" ".join(c) for c in auc.columns if not ig_wins[c]]
say(
    f"IG ({'converged' if ig_converged else 'not converged'}) is not clearly better "
    f"than random in **{len(ig_fails)} of {len(auc.columns)}** tests: "
    f"{', '.join(ig_fails) or 'none'}."
)
grey_auc, random_names = by_measure["deletion (grey)"], list(random_maps)
grey_gain = by_measure["deletion (blur)"] - grey_auc  # > 0: grey deletion scores better
claim(
    (grey_gain.loc[["saliency", *random_names]] > 0).all().all()
    and (grey_gain.loc["Grad-CAM"] < 0).all()
    and (grey_auc.loc["Grad-CAM"] > grey_auc.loc[random_names].max()).all()
    and beats_random.xs("insertion", axis=1, level="measure").loc["Grad-CAM"].all(),
    "on both photos, saliency and every random map score better on grey deletion than "
    "on deletion into blur and Grad-CAM worse; every random map beats Grad-CAM on grey "
    "deletion, and Grad-CAM beats them all on insertion",
    evidence=str(auc.round(3)),
)
verdict

# %%
# ## Grad-CAM read backwards, the control
#
# Does Grad-CAM win on insertion because it points at the cat and the cup, or because
# its first pixels form one compact region, which might pass for a photo inside the
# blur whatever it shows? Read backwards, the same map inserts the borders of the
# photo first (dark in the rank figure), again one compact region. On the coffee they
# hold the table and the saucer's rim, and the backwards order scores *below* every
# random map: compactness alone is not rewarded. On the cat, whose face fills the
# frame, the borders are fur, ears and chin, and even the backwards order beats
# random: there the control cannot tell the two apart.
insertion_auc = by_measure["insertion"]
backwards = [
    replace_in_order(-cam, blurred[i : i + 1], x[i : i + 1], targets[i], steps)[1]
    for i, cam in enumerate(maps["Grad-CAM"])
]
control = pd.DataFrame(
    {
        "forwards": insertion_auc.loc["Grad-CAM"],
        "backwards": [np.trapezoid(curve, fractions) for curve in backwards],
        "random, lowest": insertion_auc.loc[random_names].min(),
        "random, highest": insertion_auc.loc[random_names].max(),
    }
)
claim(
    (control["forwards"] > control["backwards"]).all()
    and control.loc["coffee", "backwards"] < control.loc["coffee", "random, lowest"]
    and control.loc["chelsea", "backwards"] > control.loc["chelsea", "random, highest"],
    "forwards beats backwards on both photos; backwards scores below every random map "
    "on the coffee and above them all on the cat",
    evidence=str(control),
)
control.round(3)

# %%
# ## How to read these figures
#
# * **Occlusion map**: its resolution is the patch: a red blob is "in this square".
# * **Curves**: a good map's deletion curve drops at once and its insertion curve
#   climbs at once. Compare a map with the grey band (chance), not only with the
#   other maps. An AUC is a mean probability along the curve.
#
# ## Pitfalls
#
# * **Deletion rewards destruction.** Scattered grey pixels make an image unlike any
#   photo; the probability collapses whatever they were. Saliency and the random maps
#   score better on grey deletion than into blur, Grad-CAM (one region) worse: it loses
#   to noise on grey deletion and beats it on insertion. Check deletion into blur and
#   insertion before trusting a low deletion AUC.
# * **A control needs checking too.** A smooth map read backwards tests whether
#   compactness alone scores only where its last pixels are background (the coffee),
#   not where the object fills the photo (the cat).
# * **An unconverged map is not a verdict on its method.** Integrated gradients with
#   too few steps do not add up to `f(x) - f(x')`; report the completeness gap next
#   to any score of IG.
# * **The fill value and the patch are part of the test.** Grey, black, blur or noise
#   answer different questions; a patch smaller than the object finds only its most
#   telling part. Occlusion's map is one of the maps scored, not the ground truth.
# * **Two photos are an anecdote**: a claim about a method needs many images and the
#   spread of the scores. Where a map is flat (Grad-CAM's zeros), the order of its tied
#   pixels is arbitrary (here: reading order).
