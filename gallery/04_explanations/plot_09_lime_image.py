"""
# LIME for images: which superpixels support the digit

**Catalog D9** · **Question:** one prediction, importance · **Family:** any · **Phase:** after training · **Data:** MNIST

LIME (Ribeiro et al., 2016) explains one prediction of any black-box model by fitting a
simple surrogate around it: the image is cut into superpixels, many copies are made with
random subsets of superpixels blacked out, the model scores every copy, and a weighted
linear model of "superpixel present → class probability" is fitted. Its coefficients say
which regions support the class and which argue against it. It needs only the model's
predictions, no gradients.
"""

# %%
# ## The network and a digit
#
# The gallery's shared CNN and digits from the test part of the gallery's split of
# MNIST's official 10,000-image test set. LIME works on RGB images in [0, 1], so the
# classifier function converts its input back to the network's form.
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import from_tensor, load_mnist_cnn, mnist_tensors, predict_proba

model = load_mnist_cnn().model
X, y = mnist_tensors("test", n=200)
proba = predict_proba(model, X)
picked = [
    int(np.flatnonzero((y.numpy() == d) & (proba.argmax(1) == d))[0]) for d in (2, 4, 7)
]
images = from_tensor(X[picked])


def classifier_fn(rgb_batch):
    """LIME's interface: (N, H, W, 3) images in [0, 1] -> (N, 10) probabilities."""
    grey = np.asarray(rgb_batch)[..., 0]
    return predict_proba(
        model, torch.from_numpy(((grey - 0.1307) / 0.3081).astype(np.float32))[:, None]
    )


# %%
# ## Superpixels suited to 28x28 digits
#
# LIME's default segmentation (quickshift with kernel size 4) is made for photos and
# gives one or two segments on a digit (counted below). SLIC with ~40 segments and low
# compactness follows the strokes and the background around them.
from lime.wrappers.scikit_image import SegmentationAlgorithm
from skimage.segmentation import slic

from mlviz.report import claim, say

default = SegmentationAlgorithm("quickshift", kernel_size=4, max_dist=200, ratio=0.2)
n_default = [
    len(np.unique(default(np.repeat(im[..., None], 3, axis=2)))) for im in images
]
claim(
    max(n_default) <= 2,
    "LIME's default segmentation gives one or two segments on a digit",
    evidence=f"{n_default} segments",
)


def segment(rgb):
    return slic(
        rgb[..., 0],
        n_segments=40,
        compactness=0.1,
        sigma=0.5,
        start_label=0,
        channel_axis=None,
    )


# %%
# ## Explain
#
# `num_samples` perturbed copies per digit; superpixels switched off are set to black
# (`hide_color=0`, "no ink"). The explainer's `random_state` is seeded.
import contextlib
import io

from lime import lime_image

num_samples = 300 if QUICK else 2000
explanations = []
for img in images:
    explainer = lime_image.LimeImageExplainer(random_state=SEED)
    with contextlib.redirect_stderr(io.StringIO()):  # LIME draws a progress bar there
        explanations.append(
            explainer.explain_instance(
                np.repeat(img[..., None], 3, axis=2),
                classifier_fn,
                top_labels=1,
                hide_color=0,
                num_samples=num_samples,
                segmentation_fn=segment,
            )
        )

# %%
# ## Draw: superpixels, weights, and the top regions
#
# Top row: the superpixels (in arbitrary colours) with the digit's outline. Middle
# row: each superpixel coloured by its LIME weight for the predicted class (red
# supports, blue opposes; the scale is symmetric around zero), with the local fit's
# R² in the title. Bottom: the five superpixels with the largest positive weights,
# shaded red over the digit.
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import DIVERGING, POSITIVE

fig, axes = plt.subplots(3, len(images), figsize=(8, 8))
for j, (img, exp) in enumerate(zip(images, explanations)):
    label = exp.top_labels[0]
    wmap = np.zeros(exp.segments.shape)
    for s, w in exp.local_exp[label]:
        wmap[exp.segments == s] = w
    lim = np.abs(wmap).max()
    axes[0, j].imshow(exp.segments % 20, cmap="tab20", vmin=0, vmax=19, alpha=0.55)
    axes[0, j].contour(img, levels=[0.3], colors="k", linewidths=0.8)
    axes[0, j].set_title(
        f"digit {y[picked[j]].item()}: {exp.segments.max() + 1} superpixels", fontsize=9
    )
    axes[1, j].imshow(wmap, cmap=DIVERGING, vmin=-lim, vmax=lim)
    axes[1, j].contour(img, levels=[0.3], colors="k", linewidths=0.6)
    axes[1, j].set_title(f"weights for class {label} (R²={exp.score:.2f})", fontsize=9)
    top, mask = exp.get_image_and_mask(
        label, positive_only=True, num_features=5, hide_rest=False
    )
    axes[2, j].imshow(img, cmap="gray_r")
    axes[2, j].imshow(
        np.ma.masked_where(mask == 0, mask), cmap=ListedColormap([POSITIVE]), alpha=0.45
    )
    axes[2, j].set_title("top 5 supporting superpixels", fontsize=9)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
plt.show()

# %%
# ## How good is the local fit, and what do the top superpixels hold?
#
# `exp.score` is the R² of LIME's weighted linear model on the perturbed copies. And a
# superpixel without ink is already black: switching it "off" (to black) changes no
# pixel, so the model cannot respond to it, and its weight is only the regression's
# noise.
scores = [exp.score for exp in explanations]
top5 = [
    [
        s
        for s, w in sorted(exp.local_exp[exp.top_labels[0]], key=lambda t: -t[1])[:5]
        if w > 0
    ]
    for exp in explanations
]
inkless = [
    sum(img[exp.segments == s].max() == 0 for s in top)
    for img, exp, top in zip(images, explanations, top5)
]
say(
    "Local R² per digit: "
    + ", ".join(
        f"{y[p].item()}: {r:.2f}" + (" (**low**)" if r < 0.5 else "")
        for p, r in zip(picked, scores)
    )
    + ". Top-5 superpixels without any ink: "
    + ", ".join(f"{n} of 5" for n in inkless)
    + (
        ": their red shading in the bottom row is noise, not evidence."
        if sum(inkless)
        else "."
    )
)

# %%
# ## Does removing the top superpixels hurt the prediction?
#
# A faithfulness check: black out the five most supportive superpixels and re-score
# the digit. Blacking out much of a digit's ink lowers any digit's score, so the
# check needs controls, 100 random draws of each: as many inked superpixels (inkless
# ones would change nothing), and, since LIME's choice may hold more ink than those,
# inked superpixels taken in random order until at least as much ink is gone.
rng = np.random.default_rng(SEED)
drops, controls, ink = [], {"count": [], "ink": []}, []
for img, exp, top in zip(images, explanations, top5):
    label = exp.top_labels[0]
    inked = [s for s in np.unique(exp.segments) if img[exp.segments == s].max() > 0]
    k = sum(s in inked for s in top)
    by_count = [rng.choice(inked, size=k, replace=False) for _ in range(100)]
    goal = img[np.isin(exp.segments, top)].sum()  # the ink the top five hold
    by_ink = []
    for _ in range(100):
        order = rng.permutation(inked)
        held = np.cumsum([img[exp.segments == s].sum() for s in order])
        by_ink.append(order[: np.searchsorted(held, goal) + 1])
    draws = [top, *by_count, *by_ink]
    batch = np.stack(
        [img] + [np.where(np.isin(exp.segments, d), 0.0, img) for d in draws]
    )
    p = classifier_fn(np.repeat(batch[..., None], 3, axis=3))[:, label]
    drops.append((p[0], p[1]))
    controls["count"].append(p[2:102])
    controls["ink"].append(p[102:])
    ink.append([img[np.isin(exp.segments, d)].sum() / img.sum() for d in draws])
# the share of random draws that lower the probability at least as far as the top 5
as_low = {
    kind: [float(np.mean(c <= after)) for c, (_, after) in zip(found, drops)]
    for kind, found in controls.items()
}
more_ink = all(i[0] > np.median(i[1:101]) for i in ink)
claim(
    more_ink,
    "the top five hold more ink than as many random inked superpixels",
    evidence=str([(round(i[0], 2), round(np.median(i[1:101]), 2)) for i in ink]),
)
beyond = [y[p].item() for p, share in zip(picked, as_low["ink"]) if share <= 0.05]
others = [y[p].item() for p, share in zip(picked, as_low["ink"]) if share > 0.05]


def medians(values):
    return ", ".join(f"{np.median(v):.0%}" for v in values)


def shares(kind):
    return ", ".join(f"{share:.0%}" for share in as_low[kind])


say(
    f"With {num_samples:,} samples per digit, blacking out the top-5 superpixels "
    "(which hold "
    + ", ".join(f"{i[0]:.0%}" for i in ink)
    + " of each digit's ink) moves the predicted class's probability "
    + ", ".join(f"**{b:.0%} → {a:.0%}**" for b, a in drops)
    + ". As many random inked superpixels (median ink "
    + medians(i[1:101] for i in ink)
    + f") leave a median of {medians(controls['count'])}; {shares('count')} of those "
    "draws go as low. But they remove less ink: random inked superpixels taken until "
    "at least as much ink is gone (median ink "
    + medians(i[101:] for i in ink)
    + f") leave a median of {medians(controls['ink'])}, and {shares('ink')} of those "
    "draws go as low. "
    + (
        f"For digit{'s' if len(beyond) > 1 else ''} {', '.join(map(str, beyond))}, "
        "LIME's top superpixels lower the probability more than random ones that "
        "remove as much ink (at most 5 % of those draws do as much). "
        if beyond
        else ""
    )
    + (
        f"For digit{'s' if len(others) > 1 else ''} {', '.join(map(str, others))}, "
        "more than 5 % of them do as much: this check cannot tell LIME's choice from "
        "blacking out that much of the digit."
        if others
        else ""
    )
)

# %%
# ## How to read this figure
#
# * Red superpixels raise the predicted class's probability when present; blue ones
#   lower it.
# * With a black hide colour, a superpixel of pure background cannot be evidence:
#   hiding it changes nothing, so its weight, red or blue, is noise (counted above).
#   To ask whether *absent* ink matters (the gap that keeps a 4 open), hide with
#   another colour, e.g. grey, so that switching a superpixel off changes it.
# * R² tells how well the linear surrogate fits the model around this image; a low
#   value (below about 0.5) means the explanation is a poor summary.
#
# ## Pitfalls
#
# * **The segmentation is the explanation's vocabulary.** Different superpixels give a
#   different story; on 28x28 digits, tune them to follow strokes.
# * **The perturbation is off-distribution.** Digits with black holes punched into
#   them are not digits the network was trained on.
# * **Sampling noise.** With few samples, weights change from seed to seed; fix the seed
#   and use enough samples (compare quick and full builds).
# * **A deletion check measures how much is removed, not only what.** Compare with
#   random regions that remove as much ink (above); against regions of the same
#   number, any method that picks the inkiest superpixels looks faithful.
