"""
# Attention in a small vision transformer: maps per head and layer, and rollout

**Catalog G2** · **Question:** internals, one prediction · **Family:** neural network · **Phase:** after training · **Data:** MNIST

A vision transformer cuts the image into patches and lets every patch (and a special
class token, whose final state makes the prediction) look at every other one through
attention. The attention weights are a built-in, per-input record of which patches
each token drew on, so they are the first thing people plot to see "where the model
looks". This page plots them for every head and layer of a small transformer trained
on MNIST, and combines the layers with **attention rollout** (Abnar and Zuidema, 2020),
which follows the information through the stack instead of reading one layer alone.
"""

# %%
# ## The model: a tiny vision transformer, trained once and cached
#
# `mlviz.models.TinyViT`: 28x28 images cut into 7x7 patches (a 4x4 grid of 16 patch
# tokens plus a class token), token width 64, three transformer blocks of four heads.
# It is trained with the gallery's shared, cached training loop on the training part
# of the gallery's MNIST split (MNIST's official 10,000-image test split, divided by
# the gallery into train/validation/test), and evaluated here on the test part, next
# to the gallery's CNN (page B5) on the same test images. Transformers have no built-in
# notion of neighbouring pixels, which is why they usually need more data than a CNN to
# reach the same accuracy.
from mlviz.models import (
    count_parameters,
    evaluate,
    load_mnist_cnn,
    load_mnist_vit,
    mnist_tensors,
)
from mlviz.report import claim, say

vit = load_mnist_vit()
model = vit.model
X_test, y_test = mnist_tensors("test")
scores = evaluate(model, X_test, y_test)
cnn = load_mnist_cnn()
cnn_scores = evaluate(cnn.model, X_test, y_test)
kw = vit.config.arch_kwargs
n_train = vit.config.n_train or len(mnist_tensors("train")[1])
n_train_cnn = cnn.config.n_train or len(mnist_tensors("train")[1])
say(
    f"The transformer ({count_parameters(model):,} parameters, {kw['depth']} blocks "
    f"x {kw['heads']} heads, {kw['patch']}x{kw['patch']} patches, "
    f"{vit.config.epochs} epochs on {n_train:,} images) reaches "
    f"**{scores['accuracy']:.1%}** accuracy on the {len(y_test):,} test images; the "
    f"CNN ({count_parameters(cnn.model):,} parameters, {cnn.config.epochs} epochs on "
    f"{n_train_cnn:,} images) reaches {cnn_scores['accuracy']:.1%}."
    + (
        " The transformer is a weak classifier in this build: its maps show what a "
        "partly trained model attends to."
        if scores["accuracy"] < 0.9
        else ""
    )
)
claim(
    (kw["patch"], kw["depth"], kw["heads"], kw["dim"]) == (7, 3, 4, 64),
    "7x7 patches, token width 64, three blocks of four heads",
    evidence=str(kw),
)

# %%
# ## Capture the attention weights with hooks
#
# Every block computes its attention weights with a softmax module of its own
# (`blocks.<i>.attn.attend`). `AttentionCapture` puts a forward hook on each and keeps
# its output: per layer an array `(images, heads, tokens, tokens)` whose rows sum to 1
# (row `i` = how token `i` spreads its attention over all tokens). Token 0 is the class
# token; we look at its row, restricted to the 16 patches.
import numpy as np
import torch

from mlviz.attention import AttentionCapture
from mlviz.config import QUICK, SEED

n_images = 100 if QUICK else 400
X, y = X_test[:n_images], y_test[:n_images]
with AttentionCapture(model) as capture, torch.no_grad():
    predicted = model(X).argmax(1)
attentions = capture.attentions  # list over layers of (N, heads, 17, 17)
print([a.shape for a in attentions])

# %%
# ## Attention of the class token, per layer and head
#
# One test digit; each small image shows, for one layer (row) and head (column), the
# class token's attention over the 16 patches, laid over the digit. Bright patches get
# more attention. The share written above each map is the attention the class token
# keeps on *itself* (not visible as a patch).
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.attention import patch_map
from mlviz.models import from_tensor

images = from_tensor(X)
grid = model.grid
example = 0
n_layers, n_heads = len(attentions), attentions[0].shape[1]
fig, axes = plt.subplots(
    n_layers, n_heads + 1, figsize=(2.0 * (n_heads + 1), 2.15 * n_layers)
)
maps = {
    (layer, head): patch_map(attentions[layer][example, head, 0], grid)
    for layer in range(n_layers)
    for head in range(n_heads)
}
top = max(m.max() for m in maps.values())  # one colour scale for every map
for layer in range(n_layers):
    ax = axes[layer, 0]
    ax.imshow(images[example], cmap="gray_r")
    ax.set_ylabel(f"layer {layer + 1}", fontsize=10)
    for head in range(n_heads):
        row = attentions[layer][example, head, 0]
        ax = axes[layer, head + 1]
        ax.imshow(images[example], cmap="gray", extent=(0, 28, 28, 0))
        shown = ax.imshow(
            maps[layer, head],
            cmap="inferno",
            vmin=0,
            vmax=top,
            alpha=0.6,
            interpolation="nearest",
            extent=(0, 28, 28, 0),
        )
        ax.set_title(f"head {head + 1}  (self {row[0]:.0%})", fontsize=9)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_title(
    f"digit {int(y[example])}, predicted {int(predicted[example])}", fontsize=9
)
fig.colorbar(
    shown, ax=axes, fraction=0.02, pad=0.01, label="share of the patch attention"
)
fig.suptitle(
    "Class-token attention over the 4x4 patches, per layer (rows) and head (columns)",
    fontsize=11,
)
plt.show()

# %%
# What does each head do on average? Over all the test digits above, per head: the
# share the class token keeps on itself, the share of its patch attention that falls
# on patches containing ink (mean grey level above 0.1), and how often its most
# attended patch is the same one, whatever the digit (1 means a fixed position).
import pandas as pd

ink = images.reshape(len(images), grid, 28 // grid, grid, 28 // grid).mean(
    axis=(2, 4)
)  # mean grey level per patch
has_ink = ink > 0.1
rows = []
for layer, a in enumerate(attentions):
    for head in range(n_heads):
        cls_rows = a[:, head, 0]  # (images, tokens): the class token's attention
        patches = cls_rows[:, 1:] / cls_rows[:, 1:].sum(axis=1, keepdims=True)
        favourite = np.bincount(patches.argmax(axis=1)).max() / len(patches)
        on_ink_head = (patches * has_ink.reshape(len(images), -1)).sum(axis=1)
        rows.append(
            {
                "layer": layer + 1,
                "head": head + 1,
                "on itself": cls_rows[:, 0].mean(),
                "on ink patches": on_ink_head.mean(),
                "same top patch": favourite,
            }
        )
heads = pd.DataFrame(rows).set_index(["layer", "head"])
inky, dry = heads["on ink patches"].idxmax(), heads["on ink patches"].idxmin()
fixed = heads["same top patch"].idxmax()
least = heads["on ink patches"].min()
# Position or content? The favourite patch of the most fixed head may simply be where
# the ink usually is: count how often it stays on top when that patch is empty.
from scipy.stats import binomtest

tops = attentions[fixed[0] - 1][:, fixed[1] - 1, 0, 1:].argmax(axis=1)
favourite = np.bincount(tops).argmax()
empty = ~has_ink.reshape(len(images), -1)[:, favourite]
n_empty, kept = int(empty.sum()), int((tops[empty] == favourite).sum())
by_position = (
    n_empty > 0 and binomtest(kept, n_empty, alternative="greater").pvalue < 0.05
)
say(
    f"Ink patches are {has_ink.mean():.0%} of all patches, the share uniform attention "
    f"would put on them. Head {inky[1]} of layer {inky[0]} puts the most on ink, "
    f"{heads['on ink patches'].max():.0%}; head {dry[1]} of layer {dry[0]} the least, "
    f"{least:.0%}"
    + (": it looks at the empty background." if least < has_ink.mean() / 2 else ".")
    + f" Head {fixed[1]} of layer {fixed[0]} has "
    f"the same top patch for {heads['same top patch'].max():.0%} of the digits"
    + (
        f". That patch holds ink in {1 - empty.mean():.0%} of them; on the "
        f"{n_empty} digits where it is empty it stays on top for {kept}: "
        + (
            "a head that carries position more than content."
            if by_position
            else "too few, or too rarely, to tell position from content."
        )
        if heads["same top patch"].max() > 0.5
        else ": no head keeps one favourite patch for most digits."
    )
)
heads.round(2)

# %%
# ## Attention rollout
#
# One layer's attention says which tokens the class token mixes *at that layer*, but the
# tokens it mixes have already mixed with others before. Rollout follows the mixing
# through the stack: average the heads of each layer, add the identity for the residual
# connection (`0.5 A + 0.5 I`, rows renormalized), and multiply the layers,
# `R = A_3 A_2 A_1`. Row 0 of `R` estimates how much the class token's final state draws
# on each input patch.
from scipy.stats import bootstrap

from mlviz.attention import attention_rollout

rollout = attention_rollout(attentions)  # (N, 17, 17)
patch_weights = np.stack([patch_map(r[0], grid) for r in rollout])  # (N, 4, 4)
last_layer = np.stack([patch_map(a[0], grid) for a in attentions[-1].mean(1)])

on_ink = (patch_weights * has_ink).sum(axis=(1, 2))
on_ink_last = (last_layer * has_ink).sum(axis=(1, 2))
# Paired bootstrap over the digits: both maps measured on the same resampled digits.
interval = bootstrap(
    (on_ink, on_ink_last),
    lambda a, b: a.mean() - b.mean(),
    paired=True,
    vectorized=False,
    method="percentile",
    n_resamples=2000,
    random_state=SEED,
).confidence_interval
if interval.low > 0:
    versus = "rollout puts more on the ink than the last layer"
elif interval.high < 0:
    versus = "the last layer alone puts more on the ink than rollout"
else:
    versus = "the two are indistinguishable on these digits"
say(
    f"Over {n_images} test digits, rollout puts **{on_ink.mean():.0%}** of the class "
    f"token's patch attention on patches that contain ink, "
    f"{'more' if on_ink.mean() > has_ink.mean() else 'less'} than the "
    f"{has_ink.mean():.0%} uniform attention would. The last layer's attention alone "
    f"puts {on_ink_last.mean():.0%} there; 95% interval of the difference "
    f"[{interval.low:+.1%}, {interval.high:+.1%}]: {versus}."
)

# %%
# Eight test digits: the digit, the rollout map over it, and the last layer's attention
# (heads averaged) for comparison.
show = np.arange(8)
top = max(patch_weights[show].max(), last_layer[show].max())  # one scale for all
fig, axes = plt.subplots(3, len(show), figsize=(1.55 * len(show), 5.2))
for col, i in enumerate(show):
    axes[0, col].imshow(images[i], cmap="gray_r")
    axes[0, col].set_title(f"{int(y[i])} -> {int(predicted[i])}", fontsize=9)
    for row, maps in ((1, patch_weights), (2, last_layer)):
        axes[row, col].imshow(images[i], cmap="gray", extent=(0, 28, 28, 0))
        shown = axes[row, col].imshow(
            maps[i],
            cmap="inferno",
            vmin=0,
            vmax=top,
            alpha=0.6,
            interpolation="nearest",
            extent=(0, 28, 28, 0),
        )
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
for row, label in enumerate(("digit\n(label -> pred.)", "rollout", "last layer")):
    axes[row, 0].set_ylabel(label, fontsize=9)
fig.colorbar(
    shown, ax=axes[1:], fraction=0.02, pad=0.01, label="share of patch attention"
)
fig.suptitle("Attention rollout vs the last layer's attention", fontsize=11)
plt.show()

# %%
# ## How to read this figure
#
# * **Per head and layer**: all maps share one colour scale, so a dim, even map is a
#   head that spreads its attention (a uniform map gives each of the 16 patches 1/16),
#   and a bright block is a head that concentrates it. Heads of one layer can
#   specialize: one on the strokes, one spread evenly, one on the class token itself;
#   the table above measures this for every head. A head that looks at the same
#   patch whatever the digit, even where that patch is empty, carries position, not
#   content.
# * **Rollout** combines the layers: bright patches are those whose information most
#   reaches the class token. On MNIST one expects them on the strokes; the share on ink
#   patches above says how far this model meets that expectation.
# * Compare the share of attention on ink patches with the share of ink patches: the
#   difference is what the attention adds over looking everywhere equally.
#
# ## Pitfalls
#
# * **Attention is not explanation.** It says which tokens were mixed, not how much
#   they changed the prediction: the value vectors, the MLPs and the residual stream
#   all transform what is mixed. Check with a gradient or occlusion method (section D)
#   before claiming a patch *caused* a prediction.
# * **Rollout's assumptions are crude**: heads averaged with equal weight, the residual
#   counted as exactly half. Different choices (max over heads, other residual weights)
#   give different maps.
# * **Patches are coarse**: with 7x7 patches a 4x4 map is all there is; upsampling it
#   smoothly would suggest a precision it does not have, so the maps are drawn as
#   blocks (`interpolation="nearest"`).
# * A small transformer trained on a few thousand images is not a large pretrained ViT:
#   what its heads do says little about the heads of a large one.
