"""
# Integrated gradients on the MNIST CNN, with the completeness check

**Catalog D10** · **Question:** one prediction, importance · **Family:** neural network · **Phase:** after training · **Data:** MNIST

Integrated gradients (Sundararajan et al., 2017) attribute a prediction to the input
pixels by accumulating the gradient along a straight path from a *baseline* (here a
black image) to the image. Unlike a plain gradient it measures contribution, not
sensitivity, and it satisfies *completeness*: the attributions add up exactly to the
difference between the score of the image and the score of the baseline. That gives a
check you can print, and a signed map: pixels for and against the class.
"""

# %%
# ## The network, digits and a baseline
#
# The gallery's shared CNN and digits from the test part of the gallery's split of
# MNIST's official 10,000-image test set. The baseline is the all-black image (grey
# level 0, i.e. `-MNIST_MEAN/MNIST_STD` after normalization), the natural "no ink".
import numpy as np
import torch

from mlviz.config import QUICK
from mlviz.models import (
    from_tensor,
    load_mnist_cnn,
    mnist_tensors,
    predict_proba,
    to_tensor,
)

model = load_mnist_cnn().model
X, y = mnist_tensors("test", n=100 if QUICK else 500)
proba = predict_proba(model, X)
picked = [
    int(np.flatnonzero((y.numpy() == d) & (proba.argmax(1) == d))[0])
    for d in (0, 3, 4, 7, 9)
]
x, images = X[picked], from_tensor(X[picked])
black = to_tensor(np.zeros((1, 28, 28), dtype=np.uint8))

# %%
# ## Integrated gradients, written out
#
# Take `m + 1` points on the path `x' + a (x - x')`, average their gradients with the
# trapezoidal rule and multiply by `x - x'`. For the first digit:
m = 64
alphas = torch.linspace(0, 1, m + 1)
path = black + alphas[:, None, None, None] * (x[:1] - black)  # (m+1, 1, 28, 28)
path.requires_grad_(True)
target = int(y[picked[0]])
(grads,) = torch.autograd.grad(model(path)[:, target].sum(), path)
avg_grad = (grads[:-1] + grads[1:]).mean(0) / 2  # trapezoidal rule
ig_by_hand = ((x[0] - black[0]) * avg_grad)[0].detach().numpy()

# %%
# ## The completeness check
#
# `mlviz.attribution.integrated_gradients` does the same for a batch (the gallery's
# tests check that it matches the version written out above) and returns the
# attributions with `f(x)` and `f(x')`, so that the check is one line.
from mlviz.attribution import integrated_gradients
from mlviz.report import say

result = integrated_gradients(model, x, baseline=black, n_steps=m)
for name in ("score", "baseline_score", "total", "relative_error"):
    print(f"{name:>15}:", np.round(getattr(result, name), 4))
delta = result.score - result.baseline_score  # f(x) - f(baseline), per digit
say(
    "**Completeness**: the sum of attributions and f(x) − f(baseline) differ by at "
    f"most **{result.relative_error.max():.2%}** over the {len(picked)} digits with "
    f"{m} steps (f(x) − f(baseline) ranges from {delta.min():.1f} to {delta.max():.1f} "
    "logits)."
)

# %%
# How many steps are enough? The error of the check against the number of steps:
steps = [2, 4, 8, 16, 32, 64, 128]
errors = [
    integrated_gradients(model, x, baseline=black, n_steps=s).relative_error.max()
    for s in steps
]
passing = [e < 0.01 for e in errors]
# the fewest steps from which every larger step count tried passes as well
enough = next((s for i, s in enumerate(steps) if all(passing[i:])), None)
say(
    "Worst completeness error by number of steps: "
    + ", ".join(f"{s}: {e:.1%}" for s, e in zip(steps, errors))
    + (
        f". From **{enough} steps** on, all digits pass the 1 % check."
        if enough
        else ". The 1 % check does not hold up to the largest step count tried."
    )
)

# %%
# ## Signed attributions
#
# Red pixels push the class logit up, blue pull it down; the colour scale is symmetric
# around zero and shared by each digit's two maps. The last row is the plain gradient
# times input change (one step), for contrast.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.attribution import input_gradients
from mlviz.plotting import DIVERGING

grad_x_input = (x - black).numpy() * input_gradients(model, x)
fig, axes = plt.subplots(3, len(picked), figsize=(9.5, 6.2))
for j in range(len(picked)):
    attr, g = result.attributions[j, 0], grad_x_input[j, 0]
    lim = max(np.abs(attr).max(), np.abs(g).max())  # one scale for the digit's maps
    axes[0, j].imshow(images[j], cmap="gray_r")
    axes[0, j].set_title(f"digit {y[picked[j]].item()}", fontsize=10)
    axes[1, j].imshow(attr, cmap=DIVERGING, vmin=-lim, vmax=lim)
    axes[1, j].set_title(f"Σ={result.total[j]:.1f}, Δf={delta[j]:.1f}", fontsize=8)
    axes[2, j].imshow(g, cmap=DIVERGING, vmin=-lim, vmax=lim)
    axes[2, j].set_title(f"Σ={g.sum():.1f}", fontsize=8)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
for i, name in enumerate(["input", "integrated\ngradients", "gradient ×\ninput"]):
    axes[i, 0].set_ylabel(name, fontsize=9)
plt.show()

say(
    "Gradient × input (one gradient, no path) is not held to completeness: its sums "
    "differ from Δf by "
    + ", ".join(
        f"{abs(g.sum() - d) / abs(d):.0%}" for g, d in zip(grad_x_input[:, 0], delta)
    )
    + f" for the {len(picked)} digits."
)

# %%
# ## How to read this figure
#
# * Each attribution is in logits: a pixel's value is how much of the gap between the
#   digit's score and the black image's score that pixel accounts for. The titles
#   check the sum.
# * Red on the stroke: ink there supports the class. Blue: ink that argues against it;
#   the map does not say why.
# * Black pixels of the image get zero attribution by construction (`x - x'` is 0),
#   so every map has the digit's shape whatever the network computes: the shape is
#   not evidence, the colours along the stroke are.
#
# ## Pitfalls
#
# * **The baseline is part of the question.** With a black baseline, "why this digit
#   rather than no ink at all"; missing strokes can never get attribution. Try a
#   blurred or average-digit baseline for other questions.
# * **A map that looks like the digit proves little.** Maps that multiply by the
#   input, as integrated gradients and gradient × input do, keep the input's outline
#   even for a network with randomized weights (Adebayo et al., 2018, "Sanity checks
#   for saliency maps"); the
#   [sanity checks page](../09_imagenet/plot_05_sanity_checks.md) runs that test.
# * **Too few steps break completeness.** Always print the check; raise the steps
#   until it passes.
# * **Explain logits, not probabilities.** Completeness holds for a probability too:
#   from the black image (about one chance in ten for every class) to these digits
#   (near certainty) there is a large gap to share out. But the softmax saturates, so
#   the probability makes most of its rise on a shorter stretch of the path than the
#   logit, and its attributions weigh the gradients of that stretch; and a class's
#   probability also rises when the other logits fall, so its map mixes in evidence
#   against the other classes.
