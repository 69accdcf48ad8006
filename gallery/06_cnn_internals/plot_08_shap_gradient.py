"""
# SHAP's gradient explainer on the MNIST CNN

**Catalog F8** · **Question:** one prediction, importance · **Family:** neural network · **Phase:** after training · **Data:** MNIST

This page is the gradient-based part of catalog D7 ([SHAP explainer
families](../04_explanations/plot_07_shap_explainer_families.md)): for a network, SHAP
does not need the slow model-agnostic Kernel explainer. `shap.GradientExplainer`
(expected gradients) averages integrated gradients over many baselines drawn from a
*background* set of real images, so the attributions approximate SHAP values: per pixel,
per class, and adding up (in expectation) to the model output minus its average over
the background.
"""

# %%
# ## The network, a background set and digits to explain
#
# The gallery's shared CNN. The background is a small random sample of the training
# part of the gallery's split of MNIST's official 10,000-image test set; the explained
# digits come from its test part.
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import from_tensor, load_mnist_cnn, mnist_tensors, predict_proba

model = load_mnist_cnn().model
background, _ = mnist_tensors("train", n=30 if QUICK else 100)
X, y = mnist_tensors("test", n=200)
proba = predict_proba(model, X)
picked = [
    int(np.flatnonzero((y.numpy() == d) & (proba.argmax(1) == d))[0])
    for d in (0, 3, 5, 8)
]
x = X[picked]

# %%
# ## Explain the logits
#
# The explainer takes the model and the background; `shap_values` returns one
# attribution map per image and class (an array `(N, 1, 28, 28, 10)`). `nsamples` is
# the number of (baseline, path point) pairs drawn per image.
import shap

torch.manual_seed(SEED)
np.random.seed(SEED)  # shap draws its baselines with numpy's global generator
explainer = shap.GradientExplainer(model, background)
nsamples = 100 if QUICK else 400
sv = np.asarray(explainer.shap_values(x, nsamples=nsamples, rseed=SEED))
print("shap values:", sv.shape)

# %%
# ## The additivity check, approximately
#
# For each digit and class, the attributions should sum to the logit minus the mean
# logit over the background. Expected gradients is a sampling method, so the sums match
# only up to sampling noise.
from mlviz.report import claim, say

with torch.no_grad():
    logits = model(x).numpy()
    base = model(background).numpy().mean(0)
sums = sv.reshape(len(x), -1, 10).sum(1)
target = logits - base
err = np.abs(sums - target).max(1) / np.abs(target).max(1)
say(
    "Sum of attributions vs logit − mean background logit, over all 10 classes: "
    f"largest error **{err.max():.0%}** of the largest gap, with {nsamples} samples "
    f"and {len(background)} background images."
)

# %%
# ## Draw: every class for each digit
#
# Red pixels push that class's logit up, blue push it down; one symmetric colour scale
# per digit (row). The predicted class is boxed.
import matplotlib.pyplot as plt

from mlviz.plotting import DIVERGING

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

images = from_tensor(x)
fig, axes = plt.subplots(len(x), 11, figsize=(12, 1.2 * len(x) + 0.8))
for i in range(len(x)):
    lim = np.abs(sv[i]).max()
    axes[i, 0].imshow(images[i], cmap="gray_r")
    axes[i, 0].set_ylabel(f"digit {y[picked[i]].item()}", fontsize=9)
    for c in range(10):
        ax = axes[i, c + 1]
        ax.imshow(images[i], cmap="gray_r", alpha=0.25)
        ax.imshow(sv[i, 0, :, :, c], cmap=DIVERGING, vmin=-lim, vmax=lim, alpha=0.9)
        if c == logits[i].argmax():
            for spine in ax.spines.values():
                (
                    spine.set_visible(True),
                    spine.set_color("black"),
                    spine.set_linewidth(2),
                )
        if i == 0:
            ax.set_title(f"class {c}", fontsize=9)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
plt.show()

predicted_maps = sv[np.arange(len(x)), 0, :, :, logits.argmax(1)]  # (N, 28, 28)
strokes = predicted_maps * (images > 0.3)  # the attribution on ink pixels only
pos = [m.clip(min=0).sum() / np.abs(m).sum() for m in predicted_maps]
pos_on_strokes = [m.clip(min=0).sum() / np.abs(m).sum() for m in strokes]
say(
    "Share of the predicted class's absolute attribution that is positive: "
    + ", ".join(f"digit {y[picked[i]].item()} **{p:.0%}**" for i, p in enumerate(pos))
    + "; on the strokes alone (ink pixels): "
    + ", ".join(f"{p:.0%}" for p in pos_on_strokes)
    + "."
)
claim(
    min(pos_on_strokes) > 0.5,
    "in the boxed column the strokes are mostly red",
    evidence=f"{pos_on_strokes}",
)

# %%
# ## How to read this figure
#
# * One row per digit, one column per class. In the boxed (predicted) column the digit's
#   strokes are mostly red; in the other columns, blue strokes are the evidence against
#   that class and red patches the parts that resemble it.
# * Compared with integrated gradients against a black image (D10), the reference is the
#   background set of real digits: attributions explain "why this logit rather than
#   its average over the background".
#
# ## Pitfalls
#
# * **The background defines the question** and its size the noise: a few dozen images
#   are a rough average.
# * **Sampling noise.** Two runs with different seeds give visibly different maps at low
#   `nsamples`; check the additivity error.
# * **DeepExplainer** (DeepLIFT rules) is faster but supports fewer layer types and
#   torch versions; GradientExplainer only needs gradients.
