"""
# Activation maximization: inputs the network would love

**Catalog F5** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** MNIST

Instead of asking which parts of a real image a unit responds to, activation
maximization asks what input would excite it most: start from noise and follow the
gradient of the unit's activation with respect to the *input*. Unregularized, the
answer is high-frequency noise that no digit resembles; with an L2 penalty, a
total-variation penalty (smoothness) and random jitter the synthesized images show
strokes, which tells you what a channel or a class has learned to detect.
"""

# %%
# ## The network
#
# The gallery's shared CNN, trained on the train part of the gallery's split of
# MNIST's official 10,000-image test set. Pixels are optimized in the network's
# normalized input space and clamped to the range of real images (black to white).
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import MNIST_MEAN, MNIST_STD, load_mnist_cnn

model = load_mnist_cnn().model
bounds = (-MNIST_MEAN / MNIST_STD, (1 - MNIST_MEAN) / MNIST_STD)
n_steps = 80 if QUICK else 300

# %%
# ## Gradient ascent on the input, written out
#
# The core of the method fits in a loop: the objective is one class logit; the
# regularizers are subtracted from it. This is the unregularized version, for class 3.
x = (
    0.1 * torch.randn((1, 1, 28, 28), generator=torch.Generator().manual_seed(SEED))
).requires_grad_(True)
optimizer = torch.optim.Adam([x], lr=0.05)
for _ in range(n_steps):
    optimizer.zero_grad()
    (-model(x)[0, 3]).backward()  # maximize the logit of class 3
    optimizer.step()
    with torch.no_grad():
        x.clamp_(*bounds)
noise_3 = x.detach().numpy()[0, 0]

# %%
# ## With regularization, for every class
#
# `mlviz.inspect.cnn.activation_maximization` adds the L2 and total-variation
# penalties and a random shift of up to one pixel per step (jitter).
from mlviz.inspect.cnn import activation_maximization

classes = activation_maximization(
    model,
    lambda x: model(x).diagonal(),
    n_images=10,
    n_steps=n_steps,
    l2=0.05,
    tv=2.0,
    bounds=bounds,
    seed=SEED,
)  # image c maximizes logit c

# %%
# ## Units of conv2: one channel each
#
# The objective can be any activation: here the mean output of one `relu2` channel,
# read by a forward hook.
channels = list(range(8 if QUICK else 16))
live = {}
hook = model.relu2.register_forward_hook(
    lambda module, inputs, out: live.update(out=out)
)


def channel_objective(x):
    model(x)
    return live["out"][torch.arange(len(x)), channels].mean(
        dim=(1, 2)
    )  # image i maximizes channel i


units = activation_maximization(
    model,
    channel_objective,
    n_images=len(channels),
    n_steps=n_steps,
    l2=0.05,
    tv=1.0,
    bounds=bounds,
    seed=SEED,
)
hook.remove()

# %%
# ## Draw the synthesized inputs
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.models import from_tensor
from mlviz.report import say

to_img = lambda a: from_tensor(torch.from_numpy(a))  # noqa: E731  back to grey levels in [0, 1]
fig, axes = plt.subplots(2, 6, figsize=(10, 4.6))
axes[0, 0].imshow(to_img(noise_3[None, None])[0], cmap="gray_r")
axes[0, 0].set_title("class 3,\nno regularization", fontsize=8)
axes[1, 0].axis("off")
for c in range(10):
    ax = axes.flat[c + 1 + (c >= 5)]
    ax.imshow(to_img(classes[c : c + 1])[0], cmap="gray_r")
    ax.set_title(f"class {c}", fontsize=9)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Inputs synthesized to maximize one class logit (dark = ink)")
plt.show()

fig, axes = plt.subplots(2, len(channels) // 2, figsize=(10, 3.4))
for ax, c, img in zip(axes.flat, channels, to_img(units)):
    ax.imshow(img, cmap="gray_r")
    ax.set_title(f"relu2[{c}]", fontsize=8)
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Inputs synthesized to maximize the mean of one conv2 channel")
plt.show()

from mlviz.inspect.cnn import total_variation

with torch.no_grad():
    proba = torch.softmax(model(torch.from_numpy(classes)), 1).numpy()
    tv_noise = total_variation(torch.from_numpy(noise_3[None, None])).item()
    tv_reg = total_variation(torch.from_numpy(classes)).item()
    logit_noise = model(torch.from_numpy(noise_3[None, None]))[0, 3].item()
    logit_reg = model(torch.from_numpy(classes[3:4]))[0, 3].item()
say(
    f"The network assigns each regularized image to its target class with probability "
    f"{proba.diagonal().min():.0%}–{proba.diagonal().max():.0%}. The unregularized image reaches a class-3 logit of "
    f"{logit_noise:.0f} (vs {logit_reg:.0f} regularized) and is "
    f"**{tv_noise / tv_reg:.1f}×** rougher (total variation than the regularized class images)."
)

# %%
# ## How to read this figure
#
# * A class image shows the strokes whose presence raises that logit most and whose
#   absence it tolerates: fragments of the digit's typical shape, not a clean digit.
# * Channel images show local patterns (edges, stroke ends, curves) repeated over the
#   frame, because a channel's mean rewards its pattern everywhere.
#
# ## Pitfalls
#
# * **The result depends on the regularizer as much as on the network.** Strong TV
#   makes everything smooth; report the settings with the pictures.
# * **A maximizing input is not a typical input.** The network may fire hardest on
#   shapes it never sees in data; compare with real images that excite the unit most.
# * **Small networks give modest pictures.** The crisp "dog faces" of feature
#   visualization papers come from large ImageNet models and heavier machinery.
