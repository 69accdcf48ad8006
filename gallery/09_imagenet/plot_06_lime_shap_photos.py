"""
# LIME and SHAP on a photograph: what each one hides, and whether they agree

**Catalog I6** · **Question:** one prediction, comparison · **Family:** neural network · **Phase:** after training, at inference · **Data:** photos (scikit-image)

Gradient maps (pages I1 and I2) need the network's insides. LIME and SHAP need only
its answers: they hide parts of the photo, ask the network again, and credit each part
with the change. LIME (Ribeiro et al., 2016) switches superpixels on and off at random
and fits a weighted linear model to the answers; SHAP's Partition explainer (Lundberg
and Lee, 2017) hides nested rectangles of the photo and shares out the change as Owen
values, which add up exactly. Both run on any model in a few lines, and both leave
choices to the user (what "hidden" means, how many calls to spend, the seed) that
change the answer. This page writes LIME out by hand and checks it against the `lime`
package, runs SHAP and checks its additivity, then asks the sceptical questions: do
the two agree, does removing the region each one ranks first hurt the prediction more
than removing random regions, and does LIME give the same answer with another seed?
"""

# %%
# ## The network, two photographs, and the function both methods call
#
# EfficientNet-Lite0 with its ImageNet weights (`mlviz.models.load_efficientnet_lite0`,
# offline, hash-checked) and two of scikit-image's photos, stretched to 224x224. Every
# explanation below is of the softmax probability of the predicted class: Egyptian
# cat (285) for the cat, espresso (967) for the coffee.
#
# The network takes `(N, 3, 224, 224)` tensors in [-1, 1]; `lime` and `shap` call a
# function on `(N, 224, 224, 3)` arrays of images in [0, 1]. The wrapper converts,
# runs the network in batches without gradients, and returns the probabilities. Two
# details keep it fast on a CPU: the permuted view is not copied (the network runs
# faster on that "channels last" layout than on a contiguous copy), and the batches
# are small (two images: large batches spend much of their time allocating memory).
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
classes = {"chelsea": 285, "coffee": 967}  # Egyptian cat, espresso
x = photo_tensors(photos)
images = to_display(x)  # (2, 224, 224, 3), float32 in [0, 1]
proba = predict_proba(model, x)


def classify(batch, batch_size=2):
    """(N, 224, 224, 3) images in [0, 1] -> (N, 1000) class probabilities."""
    batch = np.asarray(batch, dtype=np.float32)
    out = []
    with torch.no_grad():
        for start in range(0, len(batch), batch_size):
            chunk = torch.from_numpy(batch[start : start + batch_size])
            logits = model(2 * chunk.permute(0, 3, 1, 2) - 1)  # (n, 3, 224, 224)
            out.append(torch.softmax(logits, dim=1))
    return torch.cat(out).numpy()


gap_wrapper = np.abs(classify(images) - proba).max()
say(
    "Explained: "
    + ", ".join(
        f"**{p}**: {names[classes[p]]} (p = {proba[i, classes[p]]:.2f}, the top class)"
        for i, p in enumerate(photos)
    )
    + f". The wrapper's probabilities differ from the network's by at most "
    f"{gap_wrapper:.1e}."
)
claim(
    all(proba[i].argmax() == classes[p] for i, p in enumerate(photos))
    and gap_wrapper < 1e-4,
    "both explained classes are the predicted ones, and the wrapper is the network",
    evidence=f"{proba.argmax(1)}, {gap_wrapper:.1e}",
)

# %%
# ## Superpixels, and two ways to hide them
#
# LIME explains with *superpixels*: patches of similar colour, here from SLIC (about
# 50 asked for; scikit-image's `slic`, deterministic). Hiding a superpixel means, in
# LIME's default, painting it with its own mean colour: shape and texture go, the
# average colour stays. SHAP's image masker hides a pixel by replacing it with a
# blurred copy of the photo (a 63x63 box blur). Its string form,
# `shap.maskers.Image("blur(63,63)", shape)`, needs OpenCV, which this gallery does not
# install; an array passed as the mask value does the same for one photo: hidden
# pixels take the array's values.
#
# What the network says when *everything* is hidden matters: it is SHAP's starting
# point (its base value), and the far end of LIME's samples.
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
hidden = {
    p: classify(np.stack([off[p], blurred[p]]))[:, classes[p]] for p in photos
}  # p(class) with all superpixels off, and with the whole photo blurred

fig, axes = plt.subplots(2, 3, figsize=(11, 1.2 + 2 * 3.6 * photo_aspect("coffee")))
for i, photo in enumerate(photos):
    aspect, k = photo_aspect(photo), classes[photo]
    panels = [
        (
            mark_boundaries(images[i], segments[photo], color=(1, 1, 0)),
            f"{photo}: {n_segments[photo]} superpixels (p = {proba[i, k]:.2f})",
        ),
        (off[photo], f"LIME's 'all off': p = {hidden[photo][0]:.2f}"),
        (blurred[photo], f"SHAP's 'all hidden': p = {hidden[photo][1]:.2f}"),
    ]
    for ax, (im, title) in zip(axes[i], panels):
        ax.imshow(im, aspect=aspect)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("What the two methods hide, and p(class) when everything is hidden")
plt.show()

say(
    "\n".join(
        f"* **{p}**: {n_segments[p]} superpixels; p({names[classes[p]]}) is "
        f"{proba[i, classes[p]]:.2f} on the photo, {hidden[p][0]:.2f} with every "
        f"superpixel at its mean colour, {hidden[p][1]:.2f} on the blurred photo."
        for i, p in enumerate(photos)
    )
)

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
# The random bits come from `numpy.random.RandomState(seed)`, as LIME draws them, so
# the same seed gives the same samples. Every image goes through a memo
# (`mlviz.explain.CachedClassifier`), so that the package below is answered from it
# and pays only for images it builds differently.
from mlviz.explain import CachedClassifier

n_samples = 40 if QUICK else 200
kernel_width = 0.25  # lime_image's default, on the cosine distance
memo = CachedClassifier(classify)


def perturb(i, photo, n, seed):
    """LIME's samples: on/off bits z, their probabilities p and kernel weights."""
    S = n_segments[photo]
    z = np.random.RandomState(seed).randint(0, 2, n * S).reshape(n, S)
    z[0] = 1  # the first sample is the photo itself
    p = np.empty(n)
    for start in range(0, n, 10):  # 10 images at a time: 6 MB
        on = z[start : start + 10].astype(bool)[:, segments[photo]]  # (b, H, W)
        batch = np.where(on[..., None], images[i], off[photo])
        p[start : start + 10] = memo(batch)[:, classes[photo]]
    distance = 1 - np.sqrt(z.sum(axis=1) / S)
    kernel = np.sqrt(np.exp(-(distance**2) / kernel_width**2))
    return z, p, kernel


def fit(z, p, kernel, alpha=1.0):
    """Weighted ridge with an intercept: centre with the weights, solve."""
    mean_z, mean_p = kernel @ z / kernel.sum(), kernel @ p / kernel.sum()
    zc, pc = z - mean_z, p - mean_p
    A = zc.T @ (kernel[:, None] * zc) + alpha * np.eye(z.shape[1])
    weights = np.linalg.solve(A, zc.T @ (kernel * pc))
    intercept = mean_p - mean_z @ weights
    fitted = intercept + z @ weights
    r2 = 1 - kernel @ (p - fitted) ** 2 / (kernel @ pc**2)
    return weights, intercept, r2


samples, lime_hand = {}, {}
for i, photo in enumerate(photos):
    samples[photo, SEED] = perturb(i, photo, n_samples, SEED)
    lime_hand[photo] = fit(*samples[photo, SEED])

# %%
# ## The same with the `lime` package
#
# `lime.lime_image.LimeImageExplainer` with the same seed, the same superpixels
# (`segmentation_fn`), the same kernel and no feature selection (all superpixels in
# the fit). The package calls the memo; every image it builds that the memo already
# holds is an image the hand-written version built too.
import contextlib
import io

from lime.lime_image import LimeImageExplainer


def lime_package(i, photo, n, seed):
    """The package's weights (one per superpixel), R^2 and intercept."""
    explainer = LimeImageExplainer(
        kernel_width=kernel_width, feature_selection="none", random_state=seed
    )
    with contextlib.redirect_stderr(io.StringIO()):  # lime 0.2's progress bar
        explanation = explainer.explain_instance(
            images[i],
            memo,
            labels=(classes[photo],),
            top_labels=None,
            num_samples=n,
            batch_size=10,
            segmentation_fn=lambda image: segments[photo],
            random_seed=seed,
        )
    by_superpixel = dict(explanation.local_exp[classes[photo]])
    weights = np.array([by_superpixel[s] for s in range(n_segments[photo])])
    return weights, explanation.intercept[classes[photo]], explanation.score


misses_before = memo.misses
lime_pkg = {p: lime_package(i, p, n_samples, SEED) for i, p in enumerate(photos)}
new_images = memo.misses - misses_before
gap_lime = max(np.abs(lime_pkg[p][0] - lime_hand[p][0]).max() for p in photos)
say(
    f"The package asked for {len(photos) * n_samples} images ({n_samples} per photo); "
    f"**{new_images}** of them were not already in the memo. Largest difference "
    f"between its weights and the hand-written ones: **{gap_lime:.1e}** (the largest "
    f"weight is {max(np.abs(lime_hand[p][0]).max() for p in photos):.3f}); "
    + "; ".join(
        f"{p}: weighted R² of the local fit {lime_hand[p][2]:.2f} (package "
        f"{lime_pkg[p][2]:.2f})"
        for p in photos
    )
    + "."
)
claim(
    new_images == 0 and gap_lime < 1e-9,
    "the package builds exactly the same images and finds the same weights",
    evidence=f"{new_images} new images, gap {gap_lime:.2e}",
)

# %%
# ## What LIME sees: a few samples
#
# The first samples for the cat, with the number of superpixels on, the network's
# probability and the kernel weight of each. The first one is the photo.
bits, probs, kernel = samples["chelsea", SEED]
fig, axes = plt.subplots(1, 4, figsize=(11, 1.0 + 2.7 * photo_aspect("chelsea")))
for ax, j in zip(axes, range(4)):
    on = bits[j].astype(bool)[segments["chelsea"]]
    ax.imshow(
        np.where(on[..., None], images[0], off["chelsea"]),
        aspect=photo_aspect("chelsea"),
    )
    ax.set_title(
        f"{bits[j].sum()}/{n_segments['chelsea']} on: p = {probs[j]:.2f}\n"
        f"kernel weight {kernel[j]:.2f}",
        fontsize=10,
    )
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle(f"LIME's samples for the cat (p: the probability of {names[285]})")
plt.show()

# %%
# ## LIME's explanation
#
# Left: the photo with only the five superpixels of largest positive weight left
# visible ("the evidence", as LIME's own `get_image_and_mask` shows it). Middle: every
# superpixel painted with its weight, red raising `p(class)` and blue lowering it; the
# five largest of each sign are outlined. Right: all weights, sorted.
from mlviz.explain import plot_superpixel_weights
from mlviz.plotting import sign_colors

fig, axes = plt.subplots(
    2,
    3,
    figsize=(12, 1.2 + 2 * 3.7 * photo_aspect("coffee")),
    gridspec_kw={"width_ratios": [1, 1.15, 0.9]},
)
for i, photo in enumerate(photos):
    aspect, weights = photo_aspect(photo), lime_hand[photo][0]
    top5 = np.argsort(weights)[::-1][:5]
    keep = np.isin(segments[photo], top5[weights[top5] > 0])
    axes[i, 0].imshow(
        np.where(keep[..., None], images[i], 0.25 * images[i]), aspect=aspect
    )
    axes[i, 0].set_title(f"{photo}: the top five for {names[classes[photo]]}")
    axes[i, 0].set_xticks([]), axes[i, 0].set_yticks([])
    plot_superpixel_weights(
        images[i], segments[photo], weights, aspect=aspect, ax=axes[i, 1]
    )
    fig.colorbar(axes[i, 1].images[-1], ax=axes[i, 1], fraction=0.04, pad=0.02)
    axes[i, 1].set_title("LIME weight per superpixel")
    ordered = np.sort(weights)[::-1]
    axes[i, 2].bar(range(len(ordered)), ordered, color=sign_colors(ordered))
    axes[i, 2].axhline(0, color="k", lw=0.8)
    axes[i, 2].set_xlabel("superpixels, by weight")
    axes[i, 2].set_ylabel("change of p when on")
fig.suptitle(
    f"LIME ({n_samples} samples, seed {SEED}): red raises p(class), blue lowers it"
)
plt.show()


def share_of_top(weights, k=5):
    """Share of the positive weight held by the k largest positive weights."""
    positive = np.sort(weights[weights > 0])[::-1]
    return positive[:k].sum() / positive.sum()


say(
    "\n".join(
        f"* **{p}**: {(lime_hand[p][0] > 0).sum()} of {n_segments[p]} superpixels "
        f"raise p, the five largest hold {share_of_top(lime_hand[p][0]):.0%} of the "
        f"positive weight; largest weight {lime_hand[p][0].max():+.3f}, smallest "
        f"{lime_hand[p][0].min():+.3f}; the local model predicts "
        f"{lime_hand[p][1] + lime_hand[p][0].sum():.2f} for the photo "
        f"(the network: {proba[i, classes[p]]:.2f})."
        for i, p in enumerate(photos)
    )
)

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
# over its pixels. The credits add up to `f(photo) - f(everything hidden)` by
# construction, whatever the budget; the budget decides the resolution.
import shap

max_evals = 60 if QUICK else 200
np.random.seed(SEED)  # the explainer breaks ties between equal priorities at random
shap_map, shap_base, shap_evals = {}, {}, {}
for i, photo in enumerate(photos):
    masker = shap.maskers.Image(blurred[photo])  # hidden pixels take these values
    explainer = shap.PartitionExplainer(classify, masker)
    explanation = explainer(
        images[i : i + 1],
        max_evals=max_evals,
        outputs=[classes[photo]],
        batch_size=10,
        silent=True,
    )
    shap_map[photo] = explanation.values[0, ..., 0].sum(axis=2)  # (224, 224)
    shap_base[photo] = float(explanation.base_values[0, 0])
    shap_evals[photo] = explainer.last_eval_count

additivity = {
    p: abs(shap_map[p].sum() - (proba[i, classes[p]] - hidden[p][1]))
    for i, p in enumerate(photos)
}
say(
    "\n".join(
        f"* **{p}**: the SHAP values sum to {shap_map[p].sum():.4f}; "
        f"f(photo) - f(blurred) = {proba[i, classes[p]]:.4f} - {hidden[p][1]:.4f} = "
        f"{proba[i, classes[p]] - hidden[p][1]:.4f}: a gap of **{additivity[p]:.1e}**. "
        f"The base value SHAP reports is {shap_base[p]:.4f}; "
        f"{shap_evals[p]} evaluations after the two ends."
        for i, p in enumerate(photos)
    )
)
claim(
    max(additivity.values()) < 1e-4
    and all(abs(shap_base[p] - hidden[p][1]) < 1e-4 for p in photos),
    "the SHAP values add up to f(photo) - f(blurred photo), and the base value is "
    "f(blurred photo)",
    evidence=f"{additivity}, {shap_base}",
)

# %%
# To compare with LIME, the SHAP values are also summed over each superpixel.
# Left: SHAP per pixel (summed over the three channels); the blocks are the tree's
# unexpanded nodes. Middle: the same summed per superpixel, drawn as LIME's weights
# were (top five of each sign outlined). Right: the two explanations superpixel by
# superpixel.
#
# They need not agree even for a perfect implementation: they hide differently (mean
# colour against blur), and they ask different questions. A LIME weight is the effect
# of one superpixel on average over random contexts where about half of the others are
# hidden; an Owen value shares out the whole way from "everything hidden" to the
# photo, a way along which almost every region helps when the hidden photo scores
# near zero.
from scipy.stats import spearmanr

from mlviz.plotting import DIVERGING

shap_totals = {
    p: np.bincount(
        segments[p].ravel(), weights=shap_map[p].ravel(), minlength=n_segments[p]
    )
    for p in photos
}
rank_corr = {p: spearmanr(lime_hand[p][0], shap_totals[p])[0] for p in photos}


def top_k(weights, k=5):
    """The k superpixels with the largest weights."""
    return set(np.argsort(weights)[::-1][:k].tolist())


top_overlap = {p: len(top_k(lime_hand[p][0]) & top_k(shap_totals[p])) for p in photos}
claim(
    all(hidden[p][1] < 0.05 for p in photos),
    "the blurred photo scores near zero",
    evidence=str(hidden),
)

fig, axes = plt.subplots(
    2,
    3,
    figsize=(12, 1.2 + 2 * 3.7 * photo_aspect("coffee")),
    gridspec_kw={"width_ratios": [1.15, 1.15, 0.9]},
)
for i, photo in enumerate(photos):
    aspect = photo_aspect(photo)
    limit = np.abs(shap_map[photo]).max()
    axes[i, 0].imshow(
        images[i].mean(axis=2), cmap="gray", vmin=0, vmax=1, aspect=aspect
    )
    shown = axes[i, 0].imshow(
        shap_map[photo],
        cmap=DIVERGING,
        vmin=-limit,
        vmax=limit,
        alpha=0.7,
        aspect=aspect,
    )
    fig.colorbar(shown, ax=axes[i, 0], fraction=0.04, pad=0.02)
    axes[i, 0].set_title(f"{photo}: SHAP per pixel")
    axes[i, 0].set_xticks([]), axes[i, 0].set_yticks([])
    plot_superpixel_weights(
        images[i], segments[photo], shap_totals[photo], aspect=aspect, ax=axes[i, 1]
    )
    fig.colorbar(axes[i, 1].images[-1], ax=axes[i, 1], fraction=0.04, pad=0.02)
    axes[i, 1].set_title("SHAP per superpixel")
    axes[i, 2].scatter(lime_hand[photo][0], shap_totals[photo], s=18, c="0.3")
    axes[i, 2].axhline(0, color="k", lw=0.6), axes[i, 2].axvline(0, color="k", lw=0.6)
    axes[i, 2].set_xlabel("LIME weight")
    axes[i, 2].set_ylabel("SHAP total")
    axes[i, 2].set_title(f"Spearman {rank_corr[photo]:.2f}")
fig.suptitle(
    f"SHAP Partition ({max_evals} evaluations, blurred photo as 'hidden'): "
    f"{', '.join(names[classes[p]] for p in photos)}"
)
plt.show()

say(
    "\n".join(
        f"* **{p}**: rank correlation between LIME's weights and SHAP's superpixel "
        f"totals **{rank_corr[p]:.2f}**; their top five superpixels share "
        f"**{top_overlap[p]} of 5**. Superpixels that lower p: LIME "
        f"{(lime_hand[p][0] < 0).sum()}, SHAP {(shap_totals[p] < 0).sum()} of "
        f"{n_segments[p]}."
        for p in photos
    )
)

# %%
# ## Which top region matters more? A deletion check
#
# An explanation is useful if the region it ranks first is one the network needs.
# Remove the top `k` superpixels by LIME's weights, by SHAP's totals, or by a random
# ranking (several of them: their average drop, and the largest), and measure how far
# `p(class)` falls. "Remove" can mean LIME's operation (mean colour)
# or SHAP's (blurred photo): each method is tested on its own and on the other's.
ks = (1, 3, 5, 10)
n_random = 2 if QUICK else 6
rng = np.random.default_rng(SEED)
fills = {"mean colour": off, "blur": blurred}
rankings = {
    p: {
        "LIME": np.argsort(lime_hand[p][0])[::-1],
        "SHAP": np.argsort(shap_totals[p])[::-1],
    }
    for p in photos
}


def remove(i, photo, drop, fill):
    """The photo with the superpixels `drop` replaced by `fill`."""
    return np.where(np.isin(segments[photo], drop)[..., None], fill[photo], images[i])


drops, random_drops = {}, {}
for i, photo in enumerate(photos):
    random_rankings = [rng.permutation(n_segments[photo]) for _ in range(n_random)]
    for fill_name, fill in fills.items():
        plan = [(m, k, rankings[photo][m][:k]) for m in ("LIME", "SHAP") for k in ks]
        plan += [("random", k, r[:k]) for k in ks for r in random_rankings]
        batch = np.stack([remove(i, photo, d, fill) for _, _, d in plan])
        left = classify(batch)[:, classes[photo]]
        drop = proba[i, classes[photo]] - left
        for (method, k, _), value in zip(plan, drop):
            if method == "random":
                random_drops.setdefault((photo, fill_name, k), []).append(value)
            else:
                drops[photo, fill_name, method, k] = value

fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
for i, photo in enumerate(photos):
    for ax, fill_name in zip(axes[i], fills):
        # green and orange: red and blue mean a sign in this gallery
        for method, color in (("LIME", "C2"), ("SHAP", "C1")):
            ax.plot(
                ks,
                [drops[photo, fill_name, method, k] for k in ks],
                "o-",
                color=color,
                label=f"top k by {method}",
            )
        mean = [np.mean(random_drops[photo, fill_name, k]) for k in ks]
        best = [np.max(random_drops[photo, fill_name, k]) for k in ks]
        ax.plot(ks, mean, "s--", color="0.45", label=f"random (mean of {n_random})")
        ax.plot(ks, best, "v:", color="0.45", label="random (largest drop at each k)")
        ax.set_xticks(ks)
        ax.set_title(f"{photo}: removed by {fill_name}")
        ax.set_ylabel(f"drop of p({names[classes[photo]]})")
        ax.axhline(0, color="k", lw=0.6)
for ax in axes[1]:
    ax.set_xlabel("superpixels removed (k)")
axes[0, 0].legend(fontsize=9)
fig.suptitle("Deletion check: how far p(class) falls when the top k superpixels go")
plt.show()

# %%
# One number per curve: the drop averaged over the `k` values (the area under the
# deletion curve, divided by the number of points). For the random rankings, the mean
# of their numbers and the largest (the luckiest ranking).
cases = [(p, f) for p in photos for f in fills]
score = {
    (*c, m): np.mean([drops[(*c, m, k)] for k in ks])
    for c in cases
    for m in ("LIME", "SHAP")
}
random_scores = {  # one per random ranking, in the order they were drawn
    c: np.mean([random_drops[(*c, k)] for k in ks], axis=0) for c in cases
}
random_mean = {c: random_scores[c].mean() for c in cases}
random_best = {c: random_scores[c].max() for c in cases}
say(
    "| photo | removed by | LIME's top k | SHAP's top k | random (mean) | "
    "random (largest) |\n|---|---|---|---|---|---|\n"
    + "\n".join(
        f"| {p} | {f} | {score[p, f, 'LIME']:.3f} | {score[p, f, 'SHAP']:.3f} | "
        f"{random_mean[p, f]:.3f} | {random_best[p, f]:.3f} |"
        for p, f in cases
    )
    + f"\n\nMean drop of p(class) over k = {', '.join(map(str, ks))}."
)
lime_wins = [c for c in cases if score[(*c, "LIME")] > score[(*c, "SHAP")]]
beat_random = {
    m: [c for c in cases if score[(*c, m)] > random_best[c]] for m in ("LIME", "SHAP")
}
say(
    f"LIME's top superpixels cost more probability than SHAP's in "
    f"**{len(lime_wins)} of {len(cases)}** cases (photo x removal)"
    + (f": {', '.join(f'{p} by {f}' for p, f in lime_wins)}" if lime_wins else "")
    + f". Above the luckiest of {n_random} random rankings: LIME in "
    f"{len(beat_random['LIME'])} of {len(cases)} cases, SHAP in "
    f"{len(beat_random['SHAP'])} of {len(cases)}."
)

# %%
# ## How stable is LIME? Another seed
#
# LIME's answer is a regression on random samples, so it changes with the seed. The
# package again, with seed `SEED + 1` (new samples: each one costs a call of the
# network), and the hand-written fit on the first `m` samples of each seed, for
# growing `m`, to see whether the two seeds' top five converge.
other = SEED + 1
for i, photo in enumerate(photos):
    samples[photo, other] = perturb(i, photo, n_samples, other)
lime_other = {p: lime_package(i, p, n_samples, other) for i, p in enumerate(photos)}
gap_other = max(
    np.abs(lime_other[p][0] - fit(*samples[p, other])[0]).max() for p in photos
)
claim(gap_other < 1e-9, "the package's second seed is the hand-written fit too")

sizes = [m for m in (20, 50, 100, 150, 200, 400) if m <= n_samples]
if sizes[-1] != n_samples:
    sizes.append(n_samples)
seed_overlap = {
    (p, m): len(
        top_k(fit(*(a[:m] for a in samples[p, SEED]))[0])
        & top_k(fit(*(a[:m] for a in samples[p, other]))[0])
    )
    for p in photos
    for m in sizes
}
seed_corr = {p: spearmanr(lime_hand[p][0], lime_other[p][0])[0] for p in photos}
claim(
    min(seed_overlap[p, n_samples] for p in photos) < 5,
    "a second seed moves the ranking",
    evidence=str(seed_overlap),
)

fig, axes = plt.subplots(
    2,
    3,
    figsize=(12, 1.2 + 2 * 3.7 * photo_aspect("coffee")),
    gridspec_kw={"width_ratios": [1.15, 1.15, 0.9]},
)
for i, photo in enumerate(photos):
    aspect = photo_aspect(photo)
    limit = max(np.abs(lime_hand[photo][0]).max(), np.abs(lime_other[photo][0]).max())
    for ax, (seed, w) in zip(
        axes[i, :2], ((SEED, lime_hand[photo][0]), (other, lime_other[photo][0]))
    ):
        plot_superpixel_weights(
            images[i], segments[photo], w, limit=limit, aspect=aspect, ax=ax
        )
        ax.set_title(f"{photo}: LIME, seed {seed}")
    fig.colorbar(axes[i, 1].images[-1], ax=list(axes[i, :2]), fraction=0.03, pad=0.02)
    axes[i, 2].plot(sizes, [seed_overlap[photo, m] for m in sizes], "o-", color="C2")
    axes[i, 2].set_ylim(-0.2, 5.2)
    axes[i, 2].set_xlabel("samples per seed (m)")
    axes[i, 2].set_ylabel("top five shared")
    axes[i, 2].set_title(f"seed {SEED} vs seed {other}")
fig.suptitle(f"LIME with two seeds, {n_samples} samples each")
plt.show()

say(
    "\n".join(
        f"* **{p}**: with {n_samples} samples the two seeds' top five share "
        f"**{seed_overlap[p, n_samples]} of 5** superpixels (rank correlation of all "
        f"weights {seed_corr[p]:.2f}); shared after the first m samples "
        "(m: shared): " + ", ".join(f"{m}: {seed_overlap[p, m]}" for m in sizes) + "."
        for p in photos
    )
)

# %%
# ## What the numbers say
#
# The conclusion, worded from this run's numbers:
lime_stable = min(seed_overlap[p, n_samples] for p in photos)
agree = min(rank_corr.values()), max(rank_corr.values())
say(
    f"* **Agreement.** LIME and SHAP rank the superpixels with a correlation of "
    f"{agree[0]:.2f} to {agree[1]:.2f} and share "
    + " and ".join(f"{top_overlap[p]} ({p})" for p in photos)
    + " of their top five: "
    + (
        "they point at much the same regions."
        if agree[0] > 0.6
        else "related, but far from the same ranking."
        if agree[0] > 0.3
        else "they disagree on what matters."
    )
    + "\n* **Deletion.** Removing LIME's top superpixels hurt more than removing "
    f"SHAP's in {len(lime_wins)} of {len(cases)} cases; "
    + (
        "each method wins exactly when the removal is its own (LIME's mean colour, "
        "SHAP's blur): the test's removal operation decides as much as the method."
        if set(lime_wins) == {(p, "mean colour") for p in photos}
        else "neither method wins everywhere."
        if 0 < len(lime_wins) < len(cases)
        else "LIME's top region matters more in every case."
        if lime_wins
        else "SHAP's top region matters more in every case."
    )
    + f" The top superpixels beat the luckiest of {n_random} random rankings in "
    f"{len(beat_random['LIME'])} (LIME) and {len(beat_random['SHAP'])} (SHAP) of "
    f"{len(cases)} cases"
    + (
        ": in the other cases a lucky random ranking did as well, so one photo's "
        "deletion curve is weak evidence either way."
        if min(map(len, beat_random.values())) < len(cases)
        else "."
    )
    + f"\n* **Stability.** Two LIME seeds with {n_samples} samples share as few as "
    f"{lime_stable} of their top five superpixels: "
    + (
        "the top region is fairly stable, the rest of the ranking less so."
        if lime_stable >= 4
        else "a single LIME run's ranking should not be read superpixel by superpixel."
    )
)

# %%
# ## How to read these figures
#
# * Red superpixels or blocks raise the probability of the explained class, blue ones
#   lower it; white is no effect. LIME's colours are regression coefficients (the
#   change of `p` when the superpixel is on rather than off, on average over random
#   contexts near the photo); SHAP's are Owen values, shares of
#   `f(photo) - f(blurred photo)` that add up to it exactly.
# * Each colour scale is its own; compare patterns, and read magnitudes off the
#   colourbars.
# * SHAP's blocks are not superpixels: they are the nodes of an axis-aligned tree that
#   the budget did not split further. Summing them per superpixel makes the two
#   methods comparable, and smooths over that difference.
# * The deletion curves say which top region the network needs, for one removal
#   operation; a method that wins only under its own operation is explaining the
#   operation as much as the network.
#
# ## Pitfalls
#
# * **"Hidden" is part of the question.** LIME's mean colour keeps a superpixel's
#   colour, SHAP's blur keeps coarse shapes and colours: each asks what the photo has
#   that *its* hidden version lacks (the first figure shows both, with their
#   scores).
# * **Too few samples, and one seed.** LIME's weights are a regression with one
#   unknown per superpixel, here on at most a few hundred random images (the
#   package's default is 1000); a second seed moves the ranking. Run several seeds,
#   or more samples, before reading single superpixels.
# * **The superpixels are a choice.** Another segmentation (quickshift, LIME's
#   default, or another SLIC size) gives other units and another explanation; a
#   superpixel that straddles object and background dilutes both.
# * **Additivity is not accuracy.** SHAP's Partition values add up exactly at any
#   budget; additivity is bookkeeping, not a sign that the map is right. A small
#   `max_evals` gives big blocks, not noise, and is easy to mistake for a sharp answer.
# * **Probabilities saturate.** Both explain `p(class)`; when it is high, several
#   regions can each suffice, and hiding one changes little. Explaining the logit, or
#   deleting several superpixels at once, shows what a single deletion hides.
