"""
# LIME and SHAP on a photograph: what each one hides, and whether they agree

**Catalog I6** · **Question:** one prediction, comparison · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

Gradient maps (pages I1 and I2) need the network's insides. LIME and SHAP need only
its answers: they hide parts of the photo, ask the network again, and credit each part
with the change. LIME (Ribeiro et al., 2016) switches superpixels on and off at random
and fits a weighted linear model to the answers; SHAP's Partition explainer (Lundberg
and Lee, 2017) hides nested rectangles of the photo and shares out the change as Owen
values, which add up exactly. Both leave choices to the user (what "hidden" means, how
many calls to spend, the seed) that change the answer. This page writes LIME out, runs
SHAP, and asks the sceptical questions: do the two agree, does removing the regions
each one ranks first hurt the prediction more than removing random regions, and does
LIME give the same answer with another seed?
"""

# %%
# ## The network, two photographs, and the function both methods call
#
# EfficientNet-Lite0 with its ImageNet weights (`mlviz.models.load_efficientnet_lite0`,
# offline, hash-checked) and two of scikit-image's photos, stretched to 224x224. Every
# explanation below is of the softmax probability of the class the network predicts.
#
# `lime` and `shap` call a function on `(N, 224, 224, 3)` arrays of images in [0, 1];
# the network takes `(N, 3, 224, 224)` tensors in [-1, 1]. The wrapper converts and runs
# the network one image at a time, so that an image's probabilities never depend on
# which images share its batch (the last bits of a batched run can).
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

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee"]
images = to_display(photo_tensors(photos))  # (2, 224, 224, 3), float32 in [0, 1]


def classify(batch):
    """(N, 224, 224, 3) images in [0, 1] -> (N, 1000) class probabilities."""
    x = torch.from_numpy(np.asarray(batch, dtype=np.float32)).permute(0, 3, 1, 2)
    with torch.no_grad():
        return np.concatenate([model(2 * xi[None] - 1).softmax(1).numpy() for xi in x])


proba = classify(images)
classes = {p: int(proba[i].argmax()) for i, p in enumerate(photos)}  # predicted

# %%
# ## Superpixels, and two ways to hide them
#
# LIME explains with *superpixels*: patches of similar colour, here from SLIC (about
# 50 asked for; scikit-image's `slic`, deterministic). Hiding a superpixel means, in
# LIME's default, painting it with its own mean colour: shape and texture go, the
# average colour stays. SHAP's image masker hides a pixel by replacing it with a
# blurred copy of the photo (a 63x63 box blur; the string form
# `shap.maskers.Image("blur(63,63)", shape)` needs OpenCV, an array passed as the mask
# value does the same). What the network says when *everything* is hidden matters: it
# is SHAP's starting point (its base value), and the far end of LIME's samples.
import matplotlib.pyplot as plt
from scipy.ndimage import uniform_filter
from skimage.segmentation import mark_boundaries, slic

from mlviz.explain import superpixel_means

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

segments, off, blurred = {}, {}, {}
for i, photo in enumerate(photos):
    segments[photo] = slic(images[i], n_segments=50, compactness=10, start_label=0)
    off[photo] = superpixel_means(images[i], segments[photo])  # LIME: all "off"
    # SHAP: the blurred photo ("mirror" borders, as OpenCV's blur)
    blurred[photo] = uniform_filter(images[i], size=(63, 63, 1), mode="mirror")
n_segments = {p: int(segments[p].max()) + 1 for p in photos}
hidden = {p: classify([off[p], blurred[p]])[:, classes[p]] for p in photos}

fig, axes = plt.subplots(2, 3, figsize=(11, 1.6 + 2 * 3.6 * photo_aspect("coffee")))
for i, photo in enumerate(photos):
    k = classes[photo]
    panels = [
        (mark_boundaries(images[i], segments[photo], color=(1, 1, 0)), photo),
        (off[photo], f"LIME: all {n_segments[photo]} superpixels off"),
        (blurred[photo], "SHAP: all blurred"),
    ]
    for ax, (image, title), p in zip(axes[i], panels, (proba[i, k], *hidden[photo])):
        ax.imshow(image, aspect=photo_aspect(photo))
        ax.set(title=f"{title}\np({names[k]}) = {p:.2f}", xticks=[], yticks=[])
fig.suptitle("What the two methods hide, and p(class) when everything is hidden")
plt.show()

# %%
# ## LIME, written out
#
# 1. **Perturb**: draw `n` random on/off vectors `z` (one bit per superpixel, each on
#    with probability 1/2); the first is all ones, the photo itself. Build each image
#    (off superpixels at their mean colour) and ask the network for `p(class)`.
# 2. **Weight**: a sample close to the photo counts more. LIME's distance is the
#    cosine distance between `z` and the all-ones vector, which for a 0/1 vector
#    with `m` of `S` bits on is `1 - sqrt(m / S)`; its kernel is
#    `sqrt(exp(-d^2 / 0.25^2))`.
# 3. **Fit**: a ridge regression (penalty 1, with an intercept) of `p` on `z`,
#    weighted by the kernel. Its coefficients are the explanation: how much
#    `p(class)` rises when a superpixel is on rather than off, the others held.
#
# The bits come from `numpy.random.RandomState(seed)` as LIME draws them, so
# `lime.lime_image.LimeImageExplainer` with the same seed, superpixels and kernel builds
# the same images and finds the same weights (the page's test checks it). LIME's answer
# is a regression on random samples: a second seed, with new samples, measures how
# much of it is sampling noise.
n_samples = 40 if QUICK else 200


def perturb(i, photo, n, seed):
    """LIME's samples: on/off bits z, their probabilities p and kernel weights."""
    S = n_segments[photo]
    z = np.random.RandomState(seed).randint(0, 2, n * S).reshape(n, S)
    z[0] = 1  # the first sample is the photo itself
    p = np.empty(n)
    for start in range(0, n, 10):  # 10 images at a time: 6 MB
        on = z[start : start + 10].astype(bool)[:, segments[photo]]  # (b, H, W)
        batch = np.where(on[..., None], images[i], off[photo])
        p[start : start + 10] = classify(batch)[:, classes[photo]]
    distance = 1 - np.sqrt(z.sum(axis=1) / S)
    return z, p, np.sqrt(np.exp(-(distance**2) / 0.25**2))


def fit(z, p, kernel, alpha=1.0):
    """Weighted ridge with an intercept: centre with the weights, solve."""
    mean_z, mean_p = kernel @ z / kernel.sum(), kernel @ p / kernel.sum()
    zc, pc = z - mean_z, p - mean_p
    A = zc.T @ (kernel[:, None] * zc) + alpha * np.eye(z.shape[1])
    weights = np.linalg.solve(A, zc.T @ (kernel * pc))
    intercept = mean_p - mean_z @ weights
    r2 = 1 - kernel @ (p - intercept - z @ weights) ** 2 / (kernel @ pc**2)
    return weights, intercept, r2


samples = {p: perturb(i, p, n_samples, SEED) for i, p in enumerate(photos)}
lime = {p: fit(*samples[p]) for p in photos}
lime_other = {p: fit(*perturb(i, p, n_samples, SEED + 1)) for i, p in enumerate(photos)}

# %%
# What LIME sees: the first samples for the cat, with the number of superpixels on,
# the network's probability and the kernel weight of each (the first is the photo).
bits, probs, kernel = samples["chelsea"]
fig, axes = plt.subplots(1, 4, figsize=(11, 1.0 + 2.7 * photo_aspect("chelsea")))
for j, ax in enumerate(axes):
    on = bits[j].astype(bool)[segments["chelsea"]][..., None]
    ax.imshow(np.where(on, images[0], off["chelsea"]), aspect=photo_aspect("chelsea"))
    ax.set(xticks=[], yticks=[])
    title = f"{bits[j].sum()} on: p = {probs[j]:.2f}, kernel {kernel[j]:.2f}"
    ax.set_title(title, fontsize=10)
fig.suptitle(f"LIME's samples for the cat (p: p({names[classes['chelsea']]}))")
plt.show()

# %%
# ## SHAP: the Partition explainer with an image masker
#
# The masker splits the image in halves along its longer side, again and again, down
# to single pixels and channels: a binary tree. The explainer starts at the root with
# `f(photo)` and `f(everything hidden)`. At a node it evaluates two more images, one
# that reveals only the node's left half and one that reveals only its right half.
# Each half's effect is then known with its sibling hidden and with its sibling shown,
# and it is credited with the average of the two (the Owen value's rule); each half is
# split again in both contexts. The largest changes are split first, two evaluations
# at a time, until `max_evals` is spent; a node left unsplit spreads its credit evenly
# over its pixels. The credits add up to `f(photo) - f(everything hidden)` whatever
# the budget (up to the rounding of the float32 differences they are made of); the
# budget decides the resolution.
import shap

from mlviz.report import rounding_tolerance

max_evals = 60 if QUICK else 200
np.random.seed(SEED)  # the explainer breaks ties between equal priorities at random
shap_map, gaps = {}, {}
for i, photo in enumerate(photos):
    masker = shap.maskers.Image(blurred[photo])  # hidden pixels take these values
    explainer = shap.PartitionExplainer(classify, masker)
    explanation = explainer(
        images[i : i + 1], max_evals=max_evals, outputs=[classes[photo]], silent=True
    )
    shap_map[photo] = explanation.values[0, ..., 0].sum(axis=2)  # (224, 224)
    change = proba[i, classes[photo]] - hidden[photo][1]
    credits = np.abs(explanation.hierarchical_values[0]).sum()  # node by node
    gaps[photo] = (  # the gap, and what float32 rounding of the evaluations explains
        abs(shap_map[photo].sum() - change),
        rounding_tolerance("float32", credits, explainer.last_eval_count + 2),
    )
    say(
        f"{photo}: the SHAP values sum to {shap_map[photo].sum():.4f}, f(photo) - "
        f"f(blurred) is {change:.4f} ({explainer.last_eval_count + 2} evaluations)."
    )
claim(
    all(gap <= tolerance for gap, tolerance in gaps.values()),
    "the SHAP values add up to f(photo) - f(blurred photo)",
    evidence=str(gaps),
)

# %%
# ## LIME and SHAP side by side
#
# The SHAP values are also summed over each superpixel, to compare with LIME's
# weights: per pixel (the blocks are the tree's unexpanded nodes), per superpixel, and
# superpixel by superpixel against LIME's weights. The five largest weights of each
# sign are outlined. They need not agree even for a perfect implementation: they hide
# differently, and ask different questions. A LIME weight is the effect of one
# superpixel on average over random contexts where about half of the others are
# hidden. An Owen value averages a region's effect with its sibling shown and with its
# sibling hidden; from a blurred photo that scores near zero, revealing a region can
# hardly lower `p`, so SHAP finds fewer superpixels that lower it than LIME does.
import pandas as pd
from scipy.stats import spearmanr

from mlviz.explain import plot_superpixel_weights
from mlviz.plotting import DIVERGING

shap_totals = {
    p: np.bincount(segments[p].ravel(), shap_map[p].ravel(), minlength=n_segments[p])
    for p in photos
}
lower = {p: ((lime[p][0] < 0).sum(), (shap_totals[p] < 0).sum()) for p in photos}
claim(
    all(hidden[p][1] < 0.05 and lower[p][1] < lower[p][0] for p in photos),
    "the blurred photo scores near zero; SHAP finds fewer superpixels that lower p",
    evidence=f"{hidden}, (LIME, SHAP): {lower}",
)

fig, axes = plt.subplots(2, 4, figsize=(15, 1.2 + 2 * 3.5 * photo_aspect("coffee")))
for i, photo in enumerate(photos):
    aspect, limit = photo_aspect(photo), np.abs(shap_map[photo]).max()
    for ax, (name, w) in zip(
        axes[i, ::2], (("LIME", lime[photo][0]), ("SHAP", shap_totals[photo]))
    ):
        plot_superpixel_weights(images[i], segments[photo], w, aspect=aspect, ax=ax)
        fig.colorbar(ax.images[-1], ax=ax, fraction=0.04, pad=0.02)
        ax.set_title(f"{photo}: {name} per superpixel")
    ax = axes[i, 1]
    ax.imshow(images[i].mean(axis=2), cmap="gray", vmin=0, vmax=1, aspect=aspect)
    shown = ax.imshow(
        shap_map[photo], cmap=DIVERGING, vmin=-limit, vmax=limit, alpha=0.7
    )
    fig.colorbar(shown, ax=ax, fraction=0.04, pad=0.02)
    ax.set(title="SHAP per pixel", xticks=[], yticks=[], aspect=aspect)
    axes[i, 3].scatter(lime[photo][0], shap_totals[photo], s=18, c="0.3")
    axes[i, 3].axhline(0, color="k", lw=0.6), axes[i, 3].axvline(0, color="k", lw=0.6)
    axes[i, 3].set(xlabel="LIME weight", ylabel="SHAP total")
    axes[i, 3].locator_params(nbins=4)
fig.suptitle(
    f"LIME ({n_samples} samples) and SHAP ({max_evals} evaluations): "
    "red raises p(class), blue lowers it"
)
plt.show()


def top_k(weights, k=5):
    """The k superpixels with the largest weights."""
    return set(np.argsort(weights)[::-1][:k].tolist())


table = pd.DataFrame(
    {
        p: {
            "LIME R² (weighted)": lime[p][2],
            "LIME model at the photo": lime[p][1] + lime[p][0].sum(),
            "network at the photo": proba[i, classes[p]],
            "LIME-SHAP rank correlation": spearmanr(lime[p][0], shap_totals[p])[0],
            "LIME-SHAP top five shared": len(top_k(lime[p][0]) & top_k(shap_totals[p])),
            "lower p (LIME)": lower[p][0],
            "lower p (SHAP)": lower[p][1],
            "seed-seed rank correlation": spearmanr(lime[p][0], lime_other[p][0])[0],
            "seed-seed top five shared": len(
                top_k(lime[p][0]) & top_k(lime_other[p][0])
            ),
            "superpixels": n_segments[p],
        }
        for i, p in enumerate(photos)
    }
)
table.round(2)

# %%
# ## Which top regions matter more? A deletion check
#
# An explanation is useful if the regions it ranks first are ones the network needs.
# Remove the top `k` superpixels by LIME's weights, by SHAP's totals, or by a random
# ranking, and measure how far `p(class)` falls; one number per curve is the drop
# averaged over `k`. "Remove" can mean LIME's operation (mean colour) or SHAP's (blur):
# each method is tested on its own and on the other's. Beating all of `n` random
# rankings happens by chance once in `n + 1`.
ks = (1, 3, 5, 10)
n_random = 4 if QUICK else 19
rng = np.random.default_rng(SEED)
curves = {}
for i, photo in enumerate(photos):
    S, k = n_segments[photo], classes[photo]
    rankings = {
        "LIME": np.argsort(-lime[photo][0]),
        "SHAP": np.argsort(-shap_totals[photo]),
    }
    rankings |= {r: rng.permutation(S) for r in range(n_random)}
    keep = np.array(
        [~np.isin(segments[photo], r[:m]) for r in rankings.values() for m in ks]
    )
    for fill_name, fill in (("mean colour", off), ("blur", blurred)):
        left = classify(np.where(keep[..., None], images[i], fill[photo]))[:, k]
        curves[photo, fill_name] = dict(
            zip(rankings, (proba[i, k] - left).reshape(-1, len(ks)))
        )

fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
for ax, ((photo, fill_name), drop) in zip(axes.flat, curves.items()):
    for r in range(n_random):
        ax.plot(
            ks, drop[r], color="0.7", lw=1, label="random rankings" if r == 0 else None
        )
    for method, color in (("LIME", "C2"), ("SHAP", "C1")):  # red and blue mean a sign
        ax.plot(ks, drop[method], "o-", color=color, label=f"top k by {method}")
    ax.axhline(0, color="k", lw=0.6)
    ax.set(
        xticks=ks, title=f"{photo}: removed by {fill_name}", ylabel="drop of p(class)"
    )
for ax in axes[1]:
    ax.set_xlabel("superpixels removed (k)")
axes[0, 0].legend(fontsize=9)
fig.suptitle("Deletion check: how far p(class) falls when the top k superpixels go")
plt.show()

deletion = pd.DataFrame(
    {
        case: {
            "LIME's top k": drop["LIME"].mean(),
            "SHAP's top k": drop["SHAP"].mean(),
            "best random": max(drop[r].mean() for r in range(n_random)),
        }
        for case, drop in curves.items()
    }
).T
deletion.round(3)

# %%
# ## What the numbers say
#
# Is the disagreement more than LIME's own sampling noise? If LIME's expected weights
# ranked the superpixels exactly as SHAP does, its noise alone would pull their rank
# correlation down to about the square root of LIME's seed-to-seed correlation
# (Spearman's correction for attenuation). Both are estimated on `n` superpixels, each
# uncertain by about `1 / sqrt(n - 3)` on Fisher's z scale: the disagreement counts
# when the gap is over two standard errors of a difference.
t = table.T
ceiling = np.sqrt(t["seed-seed rank correlation"].clip(0))
gap = np.arctanh(ceiling) - np.arctanh(t["LIME-SHAP rank correlation"])
beyond = [p for p in photos if gap[p] > 2 * np.sqrt(2 / (t["superpixels"][p] - 3))]
lime_top, shap_top = deletion["LIME's top k"], deletion["SHAP's top k"]


def per_photo(values):
    """'0.20 (chelsea), 0.04 (coffee)'"""
    return ", ".join(f"{values[p]:.2f} ({p})" for p in photos)


say(
    "* **Agreement.** Rank correlation of LIME with SHAP "
    f"{per_photo(t['LIME-SHAP rank correlation'])}; the most LIME's noise allows "
    f"{per_photo(ceiling)}: "
    + (
        f"the methods disagree beyond LIME's sampling noise for {' and '.join(beyond)}."
        if beyond
        else "within LIME's sampling noise, so more samples are needed to compare."
    )
    + f"\n* **Fidelity.** LIME's linear model: weighted R² "
    f"{per_photo(t['LIME R² (weighted)'])}; at the photo it predicts "
    f"{per_photo(t['LIME model at the photo'])}, the network "
    f"{per_photo(t['network at the photo'])}."
    f"\n* **Deletion.** The top superpixels cost more than all {n_random} random "
    f"rankings in {(lime_top > deletion['best random']).sum()} (LIME) and "
    f"{(shap_top > deletion['best random']).sum()} (SHAP) of {len(deletion)} "
    f"cases; LIME's cost more than SHAP's in {(lime_top > shap_top).sum()}."
)

# %%
# ## How to read these figures
#
# * Red raises the probability of the explained class, blue lowers it, white is no
#   effect; each colour scale is its own. LIME's colours are regression coefficients
#   (the change of `p` when the superpixel is on rather than off, on average over
#   random contexts near the photo); SHAP's are Owen values, shares of
#   `f(photo) - f(blurred photo)`.
# * SHAP's blocks are the nodes of an axis-aligned tree that the budget did not split
#   further, not superpixels; summing them per superpixel smooths over that.
# * Each deletion panel is one removal operation; read the two methods against the
#   spread of random rankings (grey). A method that wins only under its own operation
#   explains the operation as much as the network.
#
# ## Pitfalls
#
# * **"Hidden" is part of the question.** Mean colour and blur keep different things,
#   and each method asks what the photo has that *its* hidden version lacks (the first
#   figure); Sturmfels et al. (2020) show how far the baseline moves an attribution.
# * **Too few samples, and one seed.** LIME's weights are a regression with one
#   unknown per superpixel on a few hundred random images at most (the package's
#   default is 1000); its R² says how much of the network the linear model captures.
#   Run several seeds before reading single superpixels.
# * **The superpixels are a choice.** Another segmentation (quickshift, LIME's
#   default, or another SLIC size) gives other units and another explanation.
# * **Additivity is not accuracy.** SHAP's values add up at any budget; a small
#   `max_evals` gives big blocks, not noise, easy to mistake for a sharp answer.
# * **Probabilities saturate.** When `p(class)` is high, several regions can each
#   suffice, and hiding one changes little; explaining the logit shows what it hides.
