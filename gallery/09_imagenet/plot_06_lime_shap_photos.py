"""
# LIME and SHAP on a photograph: what each one hides, and whether they agree

**Catalog I6** · **Question:** one prediction, comparison · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

Gradient maps (pages I1 and I2) need the network's insides; LIME and SHAP only its
answers: they hide parts of the photo, ask again, and credit each part with the
change. LIME (Ribeiro et al., 2016) switches superpixels on and off at random and fits
a weighted linear model; SHAP's Partition explainer (Lundberg and Lee, 2017) hides
nested rectangles and shares out the change as Owen values, which add up exactly. Both
leave choices (what "hidden" means, how many calls, the seed). This page writes LIME
out, runs SHAP, and asks: do the two agree beyond LIME's own seed noise, and do the
regions each ranks first matter more to the network than random ones?
"""

# %%
# ## The network, two photographs, and the function both methods call
#
# EfficientNet-Lite0 (ImageNet weights, offline) and two of scikit-image's photos,
# stretched to 224x224; each explanation is of the probability of the predicted class.
# `lime` and `shap` call a function on `(N, 224, 224, 3)` images in [0, 1]; the wrapper
# gives the network `(N, 3, 224, 224)` tensors in [-1, 1], one image at a time, so that
# no probability depends on which images share its batch.
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import imagenet_class_names, load_efficientnet_lite0, photo_aspect
from mlviz.models import photo_tensors, to_display
from mlviz.report import claim, say

model = load_efficientnet_lite0()
names = imagenet_class_names()
photos = ["chelsea", "coffee"]
aspects = [photo_aspect(p) for p in photos]  # height / width of the originals
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
# LIME explains with *superpixels*, patches of similar colour (SLIC, about 50 asked
# for), and hides one by painting it its mean colour: shape and texture go. SHAP's
# image masker replaces a hidden pixel by a blurred copy of the photo (a 63x63 box
# blur passed as the mask value; the string `"blur(63,63)"` needs OpenCV). What the
# network says when *everything* is hidden is SHAP's base value, and the far end of
# LIME's samples.
import matplotlib.pyplot as plt
from scipy.ndimage import uniform_filter
from skimage.segmentation import mark_boundaries, slic

from mlviz.explain import superpixel_means
from mlviz.plotting import photo_grid, plot_photo_map

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

segments, off, blurred = {}, {}, {}
for i, photo in enumerate(photos):
    segments[photo] = slic(images[i], n_segments=50, compactness=10, start_label=0)
    off[photo] = superpixel_means(images[i], segments[photo])  # LIME: all "off"
    # SHAP: the blurred photo ("mirror" borders, as OpenCV's blur)
    blurred[photo] = uniform_filter(images[i], size=(63, 63, 1), mode="mirror")
n_segments = {p: int(segments[p].max()) + 1 for p in photos}
hidden = {p: classify([off[p], blurred[p]])[:, classes[p]] for p in photos}

title = "What the two methods hide, and p(class) when everything is hidden"
fig, axes = photo_grid(aspects, 3, title=title)
for i, photo in enumerate(photos):
    k = classes[photo]
    panels = {
        photo: mark_boundaries(images[i], segments[photo], color=(1, 1, 0)),
        f"LIME: all {n_segments[photo]} superpixels off": off[photo],
        "SHAP: all blurred": blurred[photo],
    }
    ps = proba[i, k], *hidden[photo]
    for ax, (name, image), p in zip(axes[i], panels.items(), ps):
        title = f"{name}\np({names[k]}) = {p:.2f}"
        plot_photo_map(image, ax=ax, aspect=aspects[i], title=title)
plt.show()

# %%
# ## LIME, written out
#
# 1. **Perturb**: draw `n` random on/off vectors `z` (one bit per superpixel, each on
#    with probability 1/2); the first is all ones, the photo itself. Build each image
#    (off superpixels at their mean colour) and ask the network for `p(class)`.
# 2. **Weight**: a sample close to the photo counts more. LIME's distance is the
#    cosine distance between `z` and the all-ones vector, which for `m` of `S` bits on
#    is $1 - \sqrt{m / S}$; its kernel is $\sqrt{\exp(-d^2 / 0.25^2)}$.
# 3. **Fit**: a ridge regression (penalty 1, with an intercept) of `p` on `z`,
#    weighted by the kernel. Its coefficients are the explanation: how much `p(class)`
#    rises when a superpixel is on rather than off, the others held.
#
# The bits come from `numpy.random.RandomState(seed)` as LIME draws them, so the `lime`
# package with the same seed, superpixels and kernel finds the same weights (the
# page's test checks it). A second seed measures LIME's sampling noise.
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
# What LIME sees: the cat's first samples, with the superpixels on, the network's
# probability and the kernel weight of each (the first is the photo).
bits, probs, kernel = samples["chelsea"]
shown = np.where(bits[:4, segments["chelsea"], None], images[0], off["chelsea"])
fig, axes = photo_grid(aspects[:1], 4, title="LIME's samples for the cat")
for ax, image, b, q, w in zip(axes[0], shown, bits, probs, kernel):
    title = f"{b.sum()} on: p = {q:.2f}, kernel {w:.2f}"
    plot_photo_map(image, ax=ax, aspect=aspects[0], title=title)
plt.show()

# %%
# ## SHAP: the Partition explainer with an image masker
#
# The masker halves the image along its longer side, again and again: a binary tree.
# The explainer starts with `f(photo)` and `f(everything hidden)`; at a node it
# evaluates two more images, each revealing one half alone, so each half's effect is
# known with its sibling hidden and shown; its credit is the average (the Owen value's
# rule). The largest changes are split first until `max_evals` is spent; an unsplit
# node spreads its credit evenly over its pixels. The credits add up to `f(photo) -
# f(everything hidden)` at any budget (up to float32 rounding), which sets the detail.
import shap

from mlviz.report import rounding_tolerance

max_evals = 60 if QUICK else 200
np.random.seed(SEED)  # the explainer breaks ties between equal priorities at random
shap_map, gaps = {}, {}
for i, photo in enumerate(photos):
    explainer = shap.PartitionExplainer(classify, shap.maskers.Image(blurred[photo]))
    explanation = explainer(
        images[i : i + 1], max_evals=max_evals, outputs=[classes[photo]], silent=True
    )
    shap_map[photo] = explanation.values[0, ..., 0].sum(axis=2)  # (224, 224)
    change = proba[i, classes[photo]] - hidden[photo][1]
    credits = np.abs(explanation.hierarchical_values[0]).sum()  # node by node
    n_evals = explainer.last_eval_count + 2  # with f(photo) and f(blurred)
    tolerance = rounding_tolerance("float32", credits, n_evals)  # of the evaluations
    gaps[photo] = abs(shap_map[photo].sum() - change), tolerance
    say(
        f"{photo}: the SHAP values sum to {shap_map[photo].sum():.4f}, f(photo) - "
        f"f(blurred) is {change:.4f} ({n_evals} evaluations)."
    )
claim(
    all(gap <= tolerance for gap, tolerance in gaps.values()),
    "the SHAP values add up to f(photo) - f(blurred photo)",
    evidence=str(gaps),
)

# %%
# ## LIME and SHAP side by side
#
# SHAP per pixel (its blocks are the tree's unsplit nodes), both methods per
# superpixel (the five largest weights of each sign outlined), and one against the
# other. Even computed exactly they need not agree: a LIME weight is a superpixel's
# effect averaged over random contexts with about half the others hidden; an Owen
# value averages a region's effect with its sibling shown and hidden. From a blurred
# photo that scores near zero, revealing a region alone can hardly lower `p`: half of
# each Owen value can hardly be negative, and SHAP credits fewer superpixels with
# lowering `p` than LIME does.
import pandas as pd
from scipy.stats import spearmanr

from mlviz.explain import plot_superpixel_weights

shap_totals = {
    p: np.bincount(segments[p].ravel(), shap_map[p].ravel(), minlength=n_segments[p])
    for p in photos
}
three = {p: (lime[p][0], lime_other[p][0], shap_totals[p]) for p in photos}
lower = {p: [int((w < 0).sum()) for w in ws] for p, ws in three.items()}  # lower p
claim(
    all(hidden[p][1] < 0.05 and lower[p][2] < min(lower[p][:2]) for p in photos),
    "the blurred photo scores near zero; SHAP credits fewer superpixels with lowering "
    "p than LIME does with either seed",
    evidence=f"{hidden}, (LIME, LIME seed 2, SHAP): {lower}",
)

title = f"LIME ({n_samples} samples), SHAP ({max_evals} evaluations): red raises p"
fig, axes = photo_grid(aspects, 4, width=15, title=title)
for i, photo in enumerate(photos):
    row, weights = axes[i], (lime[photo][0], shap_totals[photo])
    plot_photo_map(images[i], shap_map[photo], ax=row[1], style="signed")
    for ax, w in zip(row[::2], weights):
        plot_superpixel_weights(images[i], segments[photo], w, aspect=aspects[i], ax=ax)
    for ax, name in zip(row[:3], ("LIME", "SHAP per pixel", "SHAP per superpixel")):
        fig.colorbar(ax.images[-1], ax=ax, fraction=0.04, pad=0.02)
        ax.set(title=f"{photo}: {name}", aspect=aspects[i])
    row[3].scatter(*weights, s=18, c="0.3")
    row[3].axhline(0, color="k", lw=0.6), row[3].axvline(0, color="k", lw=0.6)
    row[3].set(xlabel="LIME weight", ylabel="SHAP total")
    row[3].locator_params(nbins=4)
plt.show()


def shared(a, b, k=5):
    """How many superpixels the top k of two weightings share."""
    return len(set(np.argsort(-a)[:k]) & set(np.argsort(-b)[:k]))


table = pd.DataFrame(
    {
        p: {
            "LIME R² (weighted)": lime[p][2],
            "LIME model at the photo": lime[p][1] + lime[p][0].sum(),
            "network at the photo": proba[i, classes[p]],
            "LIME-SHAP rank correlation": spearmanr(lime[p][0], shap_totals[p])[0],
            "LIME-SHAP top five shared": shared(lime[p][0], shap_totals[p]),
            "seed-seed rank correlation": spearmanr(lime[p][0], lime_other[p][0])[0],
            "seed-seed top five shared": shared(lime[p][0], lime_other[p][0]),
            "superpixels": n_segments[p],
        }
        for i, p in enumerate(photos)
    }
)
table.round(2)

# %%
# ## Which top regions matter more? A deletion check
#
# Remove the top `k` superpixels by LIME's weights, SHAP's totals or a random ranking,
# and measure how far `p(class)` falls (one number per curve: the drop averaged over
# `k`), with LIME's removal (mean colour) and SHAP's (blur). A ranking no better than
# random beats all `n` random rankings with probability `1 / (n + 1)`.
ks = (1, 3, 5, 10)
n_random = 4 if QUICK else 19
rng = np.random.default_rng(SEED)
curves = {}
for i, photo in enumerate(photos):
    S, k, seg = n_segments[photo], classes[photo], segments[photo]
    weights = {"LIME": lime[photo][0], "SHAP": shap_totals[photo]}
    rankings = {m: np.argsort(-w) for m, w in weights.items()}
    rankings |= {r: rng.permutation(S) for r in range(n_random)}
    keep = np.array([~np.isin(seg, r[:m]) for r in rankings.values() for m in ks])
    for fill_name, fill in (("mean colour", off), ("blur", blurred)):
        left = classify(np.where(keep[..., None], images[i], fill[photo]))[:, k]
        curves[photo, fill_name] = dict(
            zip(rankings, (proba[i, k] - left).reshape(-1, len(ks)))
        )

fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
for ax, ((photo, fill_name), drop) in zip(axes.flat, curves.items()):
    randoms = ax.plot(ks, np.transpose([drop[r] for r in range(n_random)]), c="0.7")
    randoms[0].set_label("random rankings")
    for method, color in (("LIME", "C2"), ("SHAP", "C1")):  # red and blue mean a sign
        ax.plot(ks, drop[method], "o-", color=color, label=f"top k by {method}")
    ax.axhline(0, color="k", lw=0.6)
    ax.set(xticks=ks, title=f"{photo}: removed by {fill_name}", ylabel="drop of p")
fig.supxlabel("superpixels removed (k)")
axes[0, 0].legend(fontsize=9)
fig.suptitle("Deletion check: how far p(class) falls when the top k superpixels go")
plt.show()

deletion = pd.DataFrame(
    {case: {r: d.mean() for r, d in drop.items()} for case, drop in curves.items()}
).T  # each ranking's drop averaged over k, one row per photo and removal
deletion["best random"] = deletion[list(range(n_random))].max(axis=1)
deletion[["LIME", "SHAP", "best random"]].round(3)

# %%
# ## What the numbers say
#
# Is the disagreement more than LIME's own sampling noise? If LIME's expected weights
# ranked the superpixels as SHAP does, its noise alone would pull their rank
# correlation down to about the square root of LIME's seed-to-seed correlation
# (Spearman's correction for attenuation). Each is uncertain by about $1 / \sqrt{n - 3}$
# on Fisher's z scale (`n` superpixels): the gap counts beyond two standard errors of a
# difference. Deletion wins count per photo (binomial): two removals share a ranking.
from scipy.stats import binom

t = table.T
agreement = pd.DataFrame({"LIME-SHAP": t["LIME-SHAP rank correlation"]})
agreement["most LIME's noise allows"] = np.sqrt(t["seed-seed rank correlation"].clip(0))
gap = np.arctanh(agreement.iloc[:, 1]) - np.arctanh(agreement.iloc[:, 0])
agreement["beyond the noise"] = gap > 2 * np.sqrt(2 / (t["superpixels"] - 3))
beyond = list(agreement.index[agreement["beyond the noise"]])
beat = deletion[["LIME", "SHAP"]].gt(deletion["best random"], axis=0)
wins = beat.groupby(level=0).all().sum()  # photos won under both removals
chance = binom.sf(wins - 1, len(photos), 1 / (n_random + 1))  # P(a count this high)
verdict = ["beats chance" if q < 0.05 else "is within chance" for q in chance]
say(
    "* **Agreement.** LIME and SHAP disagree beyond LIME's sampling noise for "
    + (" and ".join(beyond) or "neither photo: more samples are needed to compare")
    + f".\n* **Deletion.** The top superpixels cost more than all {n_random} random "
    f"rankings in {beat.sum()['LIME']} (LIME) and {beat.sum()['SHAP']} (SHAP) of "
    f"{len(deletion)} cases, under both removals for {wins['LIME']} and "
    f"{wins['SHAP']} of the {len(photos)} photos; chance wins a photo with "
    f"probability at most {1 / (n_random + 1):.2f}, a count this high at most "
    f"{chance[0]:.2f} and {chance[1]:.2f}: LIME {verdict[0]}, SHAP {verdict[1]}."
)
agreement.round(2)

# %%
# ## How to read these figures
#
# * Red raises the probability of the explained class, blue lowers it; each colour
#   scale is its own. LIME's colours are regression coefficients, SHAP's Owen values.
# * Each deletion panel is one removal, read against the grey random rankings. A method
#   winning only under its own removal explains the removal as much as the network.
#
# ## Pitfalls
#
# * **"Hidden" is part of the question.** Mean colour and blur keep different things;
#   Sturmfels et al. (2020) show how far the baseline moves an attribution.
# * **Too few samples, and one seed.** LIME fits one unknown per superpixel on a few
#   hundred images; its R² says how much of the network it captures. Run several seeds.
# * **The superpixels are a choice.** Another segmentation (quickshift, LIME's
#   default, or another SLIC size) gives other units, another explanation.
# * **Additivity is not accuracy.** SHAP's values add up at any budget; a small
#   `max_evals` gives big blocks, not noise, easy to mistake for a sharp answer.
# * **Probabilities saturate.** When `p(class)` is high, several regions can each
#   suffice and hiding one changes little; the logit shows what the probability hides.
