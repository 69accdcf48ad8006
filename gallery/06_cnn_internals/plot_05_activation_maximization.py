"""
# Activation maximization: inputs the network would love

**Catalog F5** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** MNIST

Instead of asking which parts of a real image a unit responds to, activation
maximization asks what input would excite it most: start from noise and follow the
gradient of the unit's activation with respect to the *input*. Unregularized, the
answer usually resembles no real input (in large networks it is high-frequency noise);
with an L2 penalty, a total-variation penalty (smoothness) and random jitter the
synthesized images show strokes, which tells you what a channel or a class has learned
to detect. The method has a blind spot worth seeing: a unit that is off on the start
image gives no gradient to follow.

With the regularizers that make it work on a pretrained ImageNet network (random
transformations, a Fourier parametrization):
[I7](../09_imagenet/plot_07_feature_visualization.md).
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
# The core of the method fits in a loop: the objective is one class logit (the
# regularized version below subtracts penalties from it). This is the unregularized
# version, for class 3.
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


def channel_objective(chosen):
    """Image i maximizes the mean of channel chosen[i]."""

    def objective(x):
        model(x)
        return live["out"][torch.arange(len(x)), chosen].mean(dim=(1, 2))

    return objective


settings = {"n_steps": n_steps, "l2": 0.05, "tv": 1.0, "bounds": bounds, "seed": SEED}
units = activation_maximization(
    model, channel_objective(channels), n_images=len(channels), **settings
)

# %%
# ## Did every channel move?
#
# Each image starts from faint noise. A channel whose ReLU is off everywhere on that
# start has zero output *and zero gradient*: only the penalties act, flattening the
# noise towards a blank image (the L2 penalty pulls every pixel to 0 in the network's
# input space, the grey of MNIST's mean pixel). A channel that is barely on fares no
# better. So we judge each image by what the eye sees, how far it strays from that
# blank grey (root-mean-square difference of the grey levels): under 2% of black to
# white, about 5 of a screen's 256 grey levels, a panel looks blank. For those *blank*
# channels we read the mean output reached ("zero": up to float32 rounding), check on
# real test digits that the channel is not dead, and restart from the average digit.
import torch.nn.functional as F

from mlviz.models import from_tensor, mnist_tensors
from mlviz.report import claim, rounding_tolerance

BLANK = 0.02  # RMS distance from blank grey under which a panel looks blank


def relu2_and_rounding(x):
    """relu2's maps of images x, and how far float32 rounding can move each value.

    A conv2 output adds 16 x 3 x 3 products and a bias, on conv1's sums of 9 products
    and a bias: the bound is 2 n eps (n = 155) times the size of those terms (the same
    sum with every weight and bias made positive).
    """
    with torch.no_grad():
        inputs = model.pool1(model.relu1(model.conv1(torch.as_tensor(x))))
        w, b = model.conv2.weight.abs(), model.conv2.bias.abs()
        size = F.conv2d(inputs, w, b, padding=1)
        out = model.relu2(model.conv2(inputs))
    return out, rounding_tolerance("float32", 1.0, n_terms=155) * size


def channel_means(x, chosen):
    """Each image's mean of channel chosen[i], and the rounding bound of that mean."""
    out, bound = relu2_and_rounding(x)
    i = torch.arange(len(chosen))
    return (
        out[i, chosen].mean(dim=(1, 2)).numpy(),
        bound[i, chosen].mean(dim=(1, 2)).numpy(),
    )


def from_blank(x):
    """Root-mean-square distance of each image's grey levels from the blank grey."""
    grey = from_tensor(torch.as_tensor(x))  # 0 = white, 1 = black
    return np.sqrt(((grey - MNIST_MEAN) ** 2).mean(axis=(1, 2)))


reached, zero = channel_means(units, channels)
departure = from_blank(units)
stuck = [c for c, d in zip(channels, departure) if d < BLANK]
X_test, _ = mnist_tensors("test")
on_digits, bound_on_digits = relu2_and_rounding(X_test)
peak_on_digits = on_digits.amax(dim=(0, 2, 3)).numpy()
best_digit_mean = on_digits.mean(dim=(2, 3)).amax(dim=0).numpy()  # its best test digit
dead = peak_on_digits <= bound_on_digits.amax(dim=(0, 2, 3)).numpy()  # every digit
if stuck:
    X_train, _ = mnist_tensors("train")
    mean_digit = X_train.mean(0, keepdim=True).repeat(len(stuck), 1, 1, 1)
    restarted = activation_maximization(
        model,
        channel_objective(stuck),
        n_images=len(stuck),
        init=mean_digit,
        **settings,
    )
    reached_again, _ = channel_means(restarted, stuck)
    still_blank = [c for c, d in zip(stuck, from_blank(restarted)) if d < BLANK]
    at_start, zero_at_start = channel_means(mean_digit, stuck)
    claim(
        (at_start > zero_at_start).all(),
        "the stuck channels are on for the average digit",
        evidence=f"means {at_start}, rounding bounds {zero_at_start}",
    )
hook.remove()

# %%
# ## Draw the synthesized inputs
#
# Grey levels on the fixed scale of real images (white background, dark ink), so that a
# flat image looks flat.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.report import say


def to_img(a):
    """Back from the network's input space to grey levels in [0, 1]."""
    return from_tensor(torch.from_numpy(a))


grey = {"cmap": "gray_r", "vmin": 0, "vmax": 1}
fig, axes = plt.subplots(2, 6, figsize=(10, 4.6))
axes[0, 0].imshow(to_img(noise_3[None, None])[0], **grey)
axes[0, 0].set_title("class 3,\nno regularization", fontsize=8)
axes[1, 0].axis("off")
for c in range(10):
    ax = axes.flat[c + 1 + (c >= 5)]
    ax.imshow(to_img(classes[c : c + 1])[0], **grey)
    ax.set_title(f"class {c}", fontsize=9)
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Inputs synthesized to maximize one class logit (dark = ink)")
plt.show()

shown = [(c, img, "") for c, img in zip(channels, to_img(units))]
if stuck:
    shown += [(c, img, "\nfrom avg digit") for c, img in zip(stuck, to_img(restarted))]
n_cols = 8
n_rows = -(-len(shown) // n_cols)
fig, axes = plt.subplots(n_rows, n_cols, figsize=(10, 1.75 * n_rows + 0.4))
for ax in axes.flat:
    ax.set_xticks([]), ax.set_yticks([])
    ax.axis("off")
for ax, (c, img, note) in zip(axes.flat, shown):
    ax.axis("on")
    ax.imshow(img, **grey)
    ax.set_title(f"relu2[{c}]{note}", fontsize=8)
fig.suptitle("Inputs synthesized to maximize the mean of one conv2 channel")
plt.show()

from mlviz.inspect.cnn import total_variation

with torch.no_grad():
    proba = torch.softmax(model(torch.from_numpy(classes)), 1).numpy()
    tv_noise = total_variation(torch.from_numpy(noise_3[None, None])).item()
    tv_reg = total_variation(torch.from_numpy(classes)).item()
    logit_noise = model(torch.from_numpy(noise_3[None, None]))[0, 3].item()
    logit_reg = model(torch.from_numpy(classes[3:4]))[0, 3].item()
saturated = np.zeros(noise_3.shape, dtype=bool)
for b in bounds:  # a clamped pixel holds the bound, rounded to float32
    saturated |= np.abs(noise_3 - b) <= rounding_tolerance("float32", abs(b))
say(
    f"The network assigns each regularized image to its target class with "
    f"probability {proba.diagonal().min():.0%}–{proba.diagonal().max():.0%}. The "
    f"unregularized image reaches a class-3 logit of {logit_noise:.0f} (vs "
    f"{logit_reg:.0f} regularized) and is **{tv_noise / tv_reg:.1f}×** rougher (total "
    f"variation) than the regularized class images. "
    + (
        f"It is not fine noise, though: **{saturated.mean():.0%}** of its pixels sit "
        "at pure black or pure white, in blotches and thick strokes. Clamping pixels "
        "to the range of real images acts as a regularizer of its own."
        if saturated.mean() > 0.5
        else "It is closer to noise than to a digit."
    )
)
def listed(chosen):
    return ", ".join(f"relu2[{c}]" for c in chosen)


moved = [c for c in channels if c not in stuck]
words = (
    f"All {len(channels)} channel images show a pattern (each strays at least "
    f"{departure.min():.3f}, RMS, from the blank grey): each channel had a gradient "
    "to follow from the noise start."
)
if stuck:
    i_of = {c: i for i, c in enumerate(stuck)}
    off = [c for c in stuck if reached[c] <= zero[c]]  # zero up to float32 rounding
    weak = [c for c in stuck if c not in off]
    climbed = [c for c in stuck if c not in still_blank]
    words = (
        f"**{len(stuck)} of the {len(channels)} channel images are blank** "
        f"({listed(stuck)}): they stray at most {departure[stuck].max():.3f} (RMS, "
        "black to white = 1) from the blank grey, the others at least "
        f"{departure[moved].min():.3f}. "
        + (
            ("Their" if off == stuck else listed(off) + ":")
            + " mean output is 0 (up to float32 rounding): off on the noise start, "
            "no gradient. "
            if off
            else ""
        )
        + (
            ("Their" if weak == stuck else listed(weak) + ":")
            + " mean output is only "
            + ", ".join(f"{reached[c]:.1e}" for c in weak)
            + ": too weak a gradient against the penalties. "
            if weak
            else ""
        )
        + ("None of them is dead: " if not dead[stuck].any() else "")
        + "on the test digits they reach "
        + ", ".join(f"{peak_on_digits[c]:.1f}" for c in stuck)
        + ". The blank panels show where the ascent never started, not what the "
        "channels respond to. Restarted from the average training digit (the last "
        "panels), "
        + ", ".join(f"relu2[{c}] reaches {reached_again[i_of[c]]:.2f}" for c in climbed)
        + ("; " if climbed and still_blank else ". " if climbed else "")
    )
    if still_blank:
        weakest = best_digit_mean[still_blank].max() < best_digit_mean[moved].min()
        words += (
            f"**{listed(still_blank)} "
            + ("stays" if len(still_blank) == 1 else "stay")
            + " blank even so**: mean output "
            + ", ".join(
                f"{at_start[i_of[c]]:.1e} on the average digit, "
                f"{reached_again[i_of[c]]:.1e} at the end"
                for c in still_blank
            )
            + "; on its best test digit such a channel averages "
            + ", ".join(f"{best_digit_mean[c]:.3f}" for c in still_blank)
            + f" (channels with a pattern: {best_digit_mean[moved].min():.2f} to "
            f"{best_digit_mean[moved].max():.2f}). "
            + (
                "Too weak a signal: its gradient loses against the penalties, which "
                "fade the start image towards blank. With these settings the method "
                "has nothing to show for it."
                if weakest
                else "The penalties fade the start image faster than its gradient "
                "builds a pattern."
            )
        )
say(
    words.strip()
    + " Dead channels (zero on every test digit) among those drawn: "
    + str(int(dead[channels].sum()))
    + "."
)

# %%
# ## How to read this figure
#
# * A class image shows the strokes whose presence raises that logit most and whose
#   absence it tolerates: fragments of the digit's typical shape, not a clean digit.
# * Channel images show local patterns (oriented edges, stripes, corners), often
#   repeated over the frame because a channel's mean rewards its pattern everywhere.
#   A blank panel (the light grey of an all-zero input) means the ascent never
#   started (see above), not that the channel likes grey; an image that is ink almost
#   everywhere is the ascent's answer for a channel whose mean keeps growing with ink.
#
# ## Pitfalls
#
# * **The result depends on the regularizer as much as on the network.** Strong TV
#   makes everything smooth; report the settings with the pictures.
# * **A maximizing input is not a typical input.** The network may fire hardest on
#   shapes it never sees in data; compare with real images that excite the unit most.
# * **The start matters.** From noise, a unit that is off gets no gradient; the usual
#   cures are another start (an average or real image, as above) or larger noise. A
#   unit that is weak on every input may stay blank whatever the start: its gradient
#   loses against the penalties, which then have to be weakened for it.
# * **Judge the pictures by what they show.** A unit whose output is a hair above
#   zero can give an image as blank as a unit that is off; count blank panels by their
#   pixels, not by an exact-zero test on the unit.
# * **Small networks give modest pictures.** The crisp "dog faces" of feature
#   visualization papers come from large ImageNet models and heavier machinery.
