"""
# Saliency maps and SmoothGrad

**Catalog F4** · **Question:** one prediction, internals · **Family:** neural network · **Phase:** after training · **Data:** MNIST

The gradient of a class score with respect to the input pixels says which pixels, if
changed a little, would change the score most. Drawn as an image it is a *saliency
map*: the cheapest pixel-level explanation of a network, one backward pass. Raw
gradients of ReLU networks are noisy; Smilkov et al. (2017), who proposed SmoothGrad,
attribute the speckle to the gradient fluctuating sharply at small scales (it jumps
from one linear region to the next). SmoothGrad averages the gradients of many noisy
copies of the image, which keeps what is stable and washes out the speckle.

On photographs and a pretrained ImageNet network, with integrated gradients:
[I2](../09_imagenet/plot_02_saliency_ig_photos.md); whether a map depends on the
network at all: [I5](../09_imagenet/plot_05_sanity_checks.md).
"""

# %%
# ## The network and a few test digits
#
# The gallery's shared CNN and correctly classified digits from the test part of the
# gallery's split of MNIST's official 10,000-image test set.
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import from_tensor, load_mnist_cnn, mnist_tensors, predict_proba

model = load_mnist_cnn().model
X, y = mnist_tensors("test", n=100 if QUICK else 500)
proba = predict_proba(model, X)
picked = [
    int(np.flatnonzero((y.numpy() == d) & (proba.argmax(1) == d))[0])
    for d in (1, 2, 5, 6, 8)
]
x, images = X[picked], from_tensor(X[picked])

# %%
# ## A saliency map is one gradient
#
# Mark the input as requiring a gradient, take the class logit, differentiate. The map
# is the absolute gradient (one channel here, so no maximum over channels is needed).
x0 = x[:1].clone().requires_grad_(True)
logit = model(x0)[0, y[picked[0]]]
(grad,) = torch.autograd.grad(logit, x0)
saliency_by_hand = grad.abs()[0, 0].numpy()

# %%
# `mlviz.attribution.saliency` does the same for a batch (the gallery's tests check
# that it agrees with the hand-written gradient to rounding); `smoothgrad` repeats it on
# `n_samples` copies with Gaussian noise of standard deviation `noise_level` times the
# image's value range, and averages the absolute gradients.
from mlviz.attribution import saliency, smoothgrad
from mlviz.report import claim, say

sal = saliency(model, x)
n_samples = 10 if QUICK else 50
smooth = {
    s: smoothgrad(model, x, n_samples=n_samples, noise_level=s, seed=SEED)
    for s in (0.1, 0.25)
}
say(f"SmoothGrad uses {n_samples} noisy copies per image.")

# %%
# ## Saliency against SmoothGrad
#
# Rows: the digit, its raw saliency, SmoothGrad at two noise levels. Each map is shown
# on its own colour scale (its 99th percentile is white-hot).
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

rows = {
    "input": images,
    "saliency": sal,
    "SmoothGrad σ=0.1": smooth[0.1],
    "SmoothGrad σ=0.25": smooth[0.25],
}
fig, axes = plt.subplots(len(rows), len(picked), figsize=(9, 7.6))
for i, (name, maps) in enumerate(rows.items()):
    for j in range(len(picked)):
        ax = axes[i, j]
        if i == 0:
            ax.imshow(maps[j], cmap="gray_r")
            ax.set_title(f"digit {y[picked[j]].item()}", fontsize=10)
        else:
            ax.imshow(maps[j], cmap="hot", vmin=0, vmax=np.percentile(maps[j], 99))
        ax.set_xticks([]), ax.set_yticks([])
    axes[i, 0].set_ylabel(name, fontsize=9)
fig.suptitle("|d logit / d pixel| for the true (and predicted) class")
plt.show()


def roughness(m):
    """Mean absolute jump between neighbouring pixels, relative to the mean value."""
    return float(
        (np.abs(np.diff(m, axis=0)).mean() + np.abs(np.diff(m, axis=1)).mean())
        / (2 * m.mean())
    )


ink = images > 0.3
maps_only = list(rows.items())[1:]
rough = {name: np.array([roughness(m) for m in maps]) for name, maps in maps_only}
on_ink = {
    name: np.array([(m * k).sum() / m.sum() for m, k in zip(maps, ink)])
    for name, maps in maps_only
}
say(
    f"Averaged over the {len(picked)} digits, roughness (mean jump between "
    "neighbouring pixels / mean value): "
    + ", ".join(f"**{name}** {r.mean():.2f}" for name, r in rough.items())
    + ". Share of the map on ink pixels: "
    + ", ".join(f"{name} {v.mean():.0%}" for name, v in on_ink.items())
    + f" ({ink.mean():.0%} of the pixels are ink)."
)
# digit by digit: each step to more noise lowers both numbers, on every digit
claim(
    (np.diff(np.stack(list(rough.values())), axis=0) < 0).all()
    and (np.diff(np.stack(list(on_ink.values())), axis=0) < 0).all(),
    "larger noise, smoother maps that also spread further off the strokes, on every "
    "digit",
    evidence=f"roughness {rough}, share on ink {on_ink}",
)

# %%
# ## How to read this figure
#
# * Bright pixels are those whose small change moves the class logit most, in either
#   direction (the absolute value drops the sign).
# * High saliency off the stroke is meaningful: ink written there would change the
#   score.
# * SmoothGrad's noise level is a smoothing knob: larger noise, smoother maps (lower
#   roughness above) that also spread further off the strokes (a lower share on
#   ink), on every one of the digits shown (checked when the page runs).
#
# ## Pitfalls
#
# * **Sensitivity is not contribution.** A gradient is a local slope; a pixel can have a
#   large gradient and contribute nothing (it is black). Integrated gradients (D10)
#   multiply by the input change and add up to the score.
# * **Saturation.** Where the softmax or a ReLU is saturated the gradient is near zero
#   even for important pixels; use logits rather than probabilities.
# * **Scaling per image.** Each map has its own colour scale; do not compare brightness
#   across panels.
# * **Visual sanity is not faithfulness.** Some saliency methods look just as good on a
#   network with randomized weights (Adebayo et al., 2018, "Sanity checks for saliency
#   maps"); test that yours does not.
