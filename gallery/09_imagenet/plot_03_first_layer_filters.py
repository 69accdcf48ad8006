"""
# The first layer's filters in colour, and what they respond to in a photo

**Catalog I3** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** photos (scikit-image)

The first convolution of an image network is the only layer whose weights can be
drawn as images and read directly: each filter is a small RGB patch, and its response
to a photo is how much each neighbourhood looks like that patch. Networks trained on
ImageNet famously learn edge detectors and colour-contrast detectors here. This page
draws the 32 filters of a pretrained EfficientNet-Lite0 in colour, sorts them into
groups by two numbers computed from the weights, and checks on two photographs what a
few of them respond to.
"""

# %%
# ## The filters, with the batch norm folded in
#
# The first layer, `model._conv_stem`, has 32 filters of 3x3 pixels over the three
# colour channels (stride 2: 224x224 in, 112x112 out). A batch norm follows it, and in
# evaluation mode that is an affine map per filter, `gamma (z - mean) / std + beta`.
# Multiplying each filter by its `gamma / std` gives the filter that the ReLU6
# really sees: a negative factor flips it, a tiny one switches it off.
import numpy as np
import torch

from mlviz.models import (
    load_efficientnet_lite0,
    photo_aspect,
    photo_tensors,
    to_display,
)
from mlviz.report import claim, say

model = load_efficientnet_lite0()
conv, bn = model._conv_stem, model._bn0
scale = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).double()
filters = (conv.weight.double() * scale[:, None, None, None]).numpy()  # (32, 3, 3, 3)
shift = (bn.bias - bn.running_mean * scale).numpy()  # the folded bias
norms = np.sqrt((filters**2).sum(axis=(1, 2, 3)))
say(
    f"{len(filters)} filters of shape {filters.shape[1:]}; "
    f"**{(scale < 0).sum().item()}** "
    f"batch-norm factors are negative (those filters are flipped); the folded "
    f"filters' norms range from {norms.min():.1e} to {norms.max():.1f}."
)

# %%
# ## Two numbers per filter
#
# * **Colour-blindness**: split a filter into its average over the three channels
#   (the same 3x3 pattern in R, G and B, which sees only brightness) and the rest
#   (which sees colour). The *achromatic share* is the part of the filter's squared
#   weights in the first part: 1 for a pure brightness filter, 0 for one that only
#   compares colours.
# * **Flatness**: the share of the squared weights in each channel's mean over the 3x3
#   window. A filter with no flat part sums to zero per channel and ignores uniform
#   regions: it responds only to change, edges and texture.
#
# Four groups follow: *off* (a norm below a thousandth of the largest: the output is
# a constant), *colour* (achromatic share under 0.25), *brightness change* (the
# rest, with a flat part under 10%) and *brightness level* (the rest).
total = (filters**2).sum(axis=(1, 2, 3))
achromatic = filters.mean(axis=1, keepdims=True)  # (32, 1, 3, 3)
achromatic_share = 3 * (achromatic**2).sum(axis=(1, 2, 3)) / total
flat_share = 9 * (filters.mean(axis=(2, 3)) ** 2).sum(axis=1) / total

off = norms < 1e-3 * norms.max()
colour = ~off & (achromatic_share < 0.25)
change = ~off & ~colour & (flat_share < 0.1)
level = ~off & ~colour & ~change
groups = {
    "brightness change": change,
    "brightness level": level,
    "colour": colour,
    "off": off,
}
# strongest first within each group
order = {g: np.flatnonzero(m)[np.argsort(-norms[m])] for g, m in groups.items()}
say(
    "Groups: "
    + ", ".join(f"**{g}** {len(ks)}" for g, ks in order.items())
    + ". Median achromatic share: "
    + ", ".join(
        f"{g} {np.median(achromatic_share[ks]):.2f}"
        for g, ks in order.items()
        if g != "off"
    )
    + "."
)

# %%
# ## The 32 filters
#
# One row per group, strongest first. Each filter is scaled by its own largest
# absolute weight, symmetrically: mid-grey is zero, a saturated colour is a weight of
# that sign in those channels (a filter that is positive in green and negative in red
# looks green; its negative, magenta). Titles give the filter's index and its norm.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

width = max(len(ks) for ks in order.values())
fig, axes = plt.subplots(len(order), width, figsize=(12, 1.3 * len(order) + 0.8))
for row, (group, ks) in zip(axes, order.items()):
    for ax in row[len(ks) :]:
        ax.axis("off")
    for ax, k in zip(row, ks):
        w = filters[k].transpose(1, 2, 0)  # (3, 3, RGB)
        ax.imshow(0.5 + 0.5 * w / max(np.abs(w).max(), 1e-12), interpolation="nearest")
        ax.set_title(f"{k}: {norms[k]:.2g}", fontsize=8)
        ax.set_xticks([]), ax.set_yticks([])
    row[0].set_ylabel(group.replace(" ", "\n"), fontsize=10)
fig.suptitle("First-layer filters of EfficientNet-Lite0 (batch norm folded in)")
plt.show()

# %%
# The colour filters are flatter than the brightness-change ones (the finding
# gives their flat shares): each mostly sums its nine weights per channel into one
# colour contrast, the vector `c` below (its weights for R, G and B). Below, the
# pixel's colour projected on `c` is checked against the filter's output.
colour_axes = {k: filters[k].sum(axis=(1, 2)) for k in order["colour"]}
flat_colour, flat_change = flat_share[colour], flat_share[change]
say(
    f"The colour filters' flat part holds {flat_colour.min():.0%} to "
    f"{flat_colour.max():.0%} of their squared weights (brightness-change filters: at "
    f"most {flat_change.max():.0%}). As (R, G, B) contrasts: "
    + "; ".join(
        f"{k}: ({', '.join(f'{v:+.1f}' for v in c)})" for k, c in colour_axes.items()
    )
    + "."
)
claim(
    flat_colour.min() > flat_change.max(),
    "the colour filters are flatter than the brightness-change filters",
    evidence=f"colour {flat_colour}, change {flat_change}",
)

# %%
# ## What a few filters respond to
#
# The layer's output before the ReLU6 (convolution and batch norm) on two photos, for
# the strongest brightness-change filter and the two strongest colour filters, drawn
# with red for positive and blue for negative. The ReLU6 then keeps 0 to 6.
from mlviz.plotting import DIVERGING

photos = ["chelsea", "coffee"]
x = photo_tensors(photos)
images = to_display(x)
kept = {}
handle = bn.register_forward_hook(lambda module, inp, out: kept.update(z=out))
with torch.no_grad():
    model(x)
handle.remove()
z = kept["z"].numpy()  # (2, 32, 112, 112)
shown = [order["brightness change"][0], *order["colour"][:2]]

fig, axes = plt.subplots(
    2, 1 + len(shown), figsize=(12.5, 1.0 + 3.1 * sum(map(photo_aspect, photos)))
)
for i, photo in enumerate(photos):
    aspect = photo_aspect(photo)
    axes[i, 0].imshow(images[i], aspect=aspect)
    axes[i, 0].set_title(photo, fontsize=10)
    for ax, k in zip(axes[i, 1:], shown):
        limit = np.abs(z[i, k]).max()
        im = ax.imshow(z[i, k], cmap=DIVERGING, vmin=-limit, vmax=limit, aspect=aspect)
        ax.set_title(f"filter {k}", fontsize=10)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Response before the ReLU6 (112x112, one value per 2x2 input pixels)")
plt.show()

# %%
# Three checks of what the groups mean, on these photos:
#
# * a colour filter's output should follow the pixel's colour projected on its
#   contrast `c` (sampled at the layer's stride of 2);
# * a brightness-change filter's output should depart from its average where the
#   brightness changes: correlate its absolute deviation with the Sobel gradient
#   magnitude of the grey-level photo;
# * the strongest colour filter compares red with green (its contrast above); with
#   its bias it passes only where green about equals or exceeds red, which on these
#   reddish photos means the grey, black and white spots: compare green minus red
#   where it passes with the photo's average.
from skimage.color import rgb2gray
from skimage.filters import sobel


def corr(a, b):
    return np.corrcoef(np.ravel(a), np.ravel(b))[0, 1]


r_colour, r_edges = {}, {}
for i, photo in enumerate(photos):
    pixels = x[i].double().numpy()[:, ::2, ::2]  # (3, 112, 112), model's input scale
    for k in order["colour"]:
        r_colour[photo, k] = corr(z[i, k], np.tensordot(colour_axes[k], pixels, axes=1))
    gradient = sobel(rgb2gray(images[i]))[::2, ::2]
    for k in order["brightness change"]:
        r_edges[photo, k] = corr(np.abs(z[i, k] - z[i, k].mean()), gradient)
    r_edges[photo, "colour"] = np.mean(
        [corr(np.abs(z[i, k] - z[i, k].mean()), gradient) for k in order["colour"]]
    )
active = {(p, k): (z[i, k] > 0).mean() for i, p in enumerate(photos) for k in shown}
k20 = order["colour"][0]  # the strongest colour filter
fires = {
    p: images[i][::2, ::2][z[i, k20] > 0].mean(axis=0) for i, p in enumerate(photos)
}
mean_colour = images.mean(axis=(1, 2))  # (2, 3)
green_minus_red = {  # where it passes, and over the whole photo
    p: (fires[p][1] - fires[p][0], mean_colour[i, 1] - mean_colour[i, 0])
    for i, p in enumerate(photos)
}
say(
    "\n".join(
        f"* **{p}**: colour filters vs the pixel's colour contrast, r = "
        + ", ".join(f"{r_colour[p, k]:.2f}" for k in order["colour"])
        + "; brightness-change filters vs the gradient magnitude, median r = "
        f"{np.median([r_edges[p, k] for k in order['brightness change']]):.2f} "
        f"(colour filters: {r_edges[p, 'colour']:.2f}); share of positions where the "
        "filters shown pass the ReLU6: "
        + ", ".join(f"{k}: {active[p, k]:.0%}" for k in shown)
        + f". Where filter {k20} passes, the mean pixel is (R, G, B) = "
        f"({', '.join(f'{v:.2f}' for v in fires[p])}), against "
        f"({', '.join(f'{v:.2f}' for v in mean_colour[photos.index(p)])}) "
        "over the photo."
        for p in photos
    )
)
claim(
    min(r_colour.values()) > 0.8
    and all(
        np.median([r_edges[p, k] for k in order["brightness change"]])
        > r_edges[p, "colour"] + 0.2
        for p in photos
    ),
    "colour filters follow the pixel's colour contrast; brightness-change filters "
    "follow the edges, loosely, but more than the colour filters do",
    evidence=f"colour {r_colour}, edges {r_edges}",
)
contrast_20 = colour_axes[k20] / np.abs(colour_axes[k20]).max()
claim(
    np.allclose(contrast_20, [-1, 1, 0], atol=0.05)
    and all(
        on > -0.05 and on > overall + 0.1 for on, overall in green_minus_red.values()
    ),
    f"filter {k20} compares red with green and passes where green about equals or "
    "exceeds red",
    evidence=f"contrast {contrast_20}, G - R where it passes vs overall "
    f"{green_minus_red}",
)

# %%
# ## How to read these figures
#
# * In the filter grid, grey is zero. A filter that is grey in the middle and bright
#   on one side and dark on the other is an edge detector; one that is a single
#   saturated colour everywhere is a colour detector (it adds up its nine pixels).
# * Each filter has its own scale: the norm in the title says how strong it is.
#   Folding the batch norm in matters: the raw weights hide that some filters are
#   flipped or switched off.
# * In the response maps, red and blue are the two signs of the same filter; after
#   the ReLU6 only the red part (up to 6) travels on.
#
# ## Pitfalls
#
# * **Only the first layer reads like this.** Deeper filters combine the previous
#   layer's channels, not colours; drawing them as RGB patches means nothing. Look at
#   their responses (F1) or at inputs that excite them (F5) instead.
# * **3x3 is small.** Classic pictures of Gabor-like edge filters come from 7x7 or
#   11x11 first layers (AlexNet, ResNet); with 3x3 filters an "edge" is at most a
#   step between two pixels, and longer structures are built by later layers.
# * **Normalizing per filter hides strength and dead filters**: a filter whose
#   weights are all about zero would look as vivid as a strong one if scaled to its
#   own maximum; its norm (or the "off" group) tells.
# * **Colours depend on the input scaling.** These weights expect RGB scaled to
#   [-1, 1]; for a network trained on per-channel standardized input, divide each
#   channel by its standard deviation before comparing colours.
