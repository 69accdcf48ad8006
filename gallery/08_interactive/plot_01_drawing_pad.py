"""
# Drawing pad: the CNN reads your digit, live in the browser

**Catalog H1** · **Question:** internals, one prediction · **Family:** neural network · **Phase:** at inference · **Data:** MNIST

Accuracy on a test set says how a network does on digits someone else wrote. Drawing
your own digits and watching the prediction change stroke by stroke is the quickest
way to feel what it has really learned: how much a slanted 7 or an open 4 costs it, how
confidently it answers a scribble that is no digit at all, and which feature maps light
up for which strokes. This page ships the gallery's trained MNIST CNN to your browser
(its weights, exported by the build) and runs the forward pass there, in a few hundred
lines of plain JavaScript: nothing is sent to a server. Next to each probability the
pad shows its logarithm, which keeps the differences a rounded 100.0 % hides, and a
distance in the network's features flags drawings unlike any digit, with error rates
measured below.
"""

# %%
# ## Load the network and a few test digits
#
# The gallery's shared CNN (`mlviz.models.load_mnist_cnn`, trained once per build) and
# one test digit of each class. The images are MNIST's official 10,000-image test
# split, divided by the gallery into train/validation/test parts; these come from the
# test part, which the network never saw while training.
import numpy as np

from mlviz.config import QUICK
from mlviz.datasets import load_mnist_split
from mlviz.models import MNIST_MEAN, MNIST_STD, count_parameters, evaluate
from mlviz.models import load_mnist_cnn, mnist_tensors, to_tensor
from mlviz.report import claim, rounding_tolerance, say

cnn, split = load_mnist_cnn(), load_mnist_split()
model = cnn.model
demo_index = np.array([np.flatnonzero(split.y_test == digit)[0] for digit in range(10)])
demo_images, demo_labels = split.X_test[demo_index], split.y_test[demo_index]
X_test, y_test = mnist_tensors("test")
test_acc = evaluate(model, X_test, y_test)["accuracy"]
n_train = cnn.config.n_train or len(split.y_train)  # None: the whole train part
say(
    f"The CNN has **{count_parameters(model):,} parameters**, was trained on "
    f"{n_train:,} digits for {cnn.config.epochs} epochs, and classifies "
    f"**{test_acc:.1%}** of the {len(y_test):,} test digits correctly."
)

# %%
# ## Is it a digit at all? A distance in the network's features
#
# Softmax probabilities sum to one whatever the input, so they cannot answer "none of
# these". Lee et al. (NeurIPS 2018) measure instead how far the input's features lie
# from the training digits': the Mahalanobis distance to the nearest class mean, with
# one covariance shared by the classes,
# $d^2(x) = \min_k (f(x) - \mu_k)^\top \Sigma^{-1} (f(x) - \mu_k)$. Here $f(x)$ is
# the mean response of each feature map of `conv1` and `conv2` (`feature_profile`: 16
# + 32 numbers, how much of each local stroke pattern the drawing holds). Means and
# covariance come from the training digits (the covariance shrunk by Ledoit and Wolf's
# estimator); the threshold is the distance 95 % of the validation digits stay under.
from sklearn.covariance import LedoitWolf

from mlviz.widgets.drawpad import feature_profile

profile = feature_profile(model, split.X_train / 255, layers=("relu1", "relu2"))
class_means = np.stack([profile[split.y_train == k].mean(axis=0) for k in range(10)])
within = profile - class_means[split.y_train]  # each digit minus its class mean
precision = LedoitWolf(assume_centered=True).fit(within).precision_  # inverse of Sigma


def distance(images):
    """Squared Mahalanobis distance of a profile to the nearest class mean."""
    d = feature_profile(model, images)[:, None, :] - class_means  # (n, 10, 48)
    return np.einsum("nki,ij,nkj->nk", d, precision, d).min(axis=1)


threshold = np.quantile(distance(split.X_val / 255), 0.95)

# %%
# ## How often the flag is wrong
#
# False alarms are counted on the test digits, which neither the means nor the
# threshold saw, and on the same digits traced with the pad's pen (thinned to their
# centre line and redrawn 22 pixels wide on the 280-pixel canvas). Detections are
# counted on random drawings that are no digit (a dot, a dash within 30° of horizontal,
# as a steeper one can be a 1, a scribble, scattered specks, a coloured-in block, a
# cross) and on four drawn by hand (`HAND_DRAWN`); `ood_test_sets` makes them all and
# prepares them as the pad does. Two baselines read the outputs alone, with thresholds
# at 95 % of the validation digits too: softmax confidence (one minus the top
# probability; Hendrycks and Gimpel, 2017) and energy (minus the log-sum-exp of the
# logits; Liu et al., 2020).
import matplotlib.pyplot as plt
import pandas as pd
import torch
from scipy.stats import binomtest

from mlviz.widgets.drawpad import HAND_DRAWN, ood_test_sets, plot_distance_strip

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

n_kind, n_traced = (25, 100) if QUICK else (100, 400)
sets = ood_test_sets(split.X_test / 255, n_kind=n_kind, n_traced=n_traced, seed=0)


def baselines(images):
    with torch.no_grad():
        logits = model(to_tensor(255 * images)).double()
    top = torch.softmax(logits, dim=1).amax(dim=1)
    return {"softmax": 1 - top.numpy(), "energy": -torch.logsumexp(logits, 1).numpy()}


cuts = {name: np.quantile(v, 0.95) for name, v in baselines(split.X_val / 255).items()}
cuts["distance"] = threshold
scores = {name: baselines(x) | {"distance": distance(x)} for name, x in sets.items()}
flagged = {name: {k: s[k] > cuts[k] for k in cuts} for name, s in scores.items()}

distances = {name: s["distance"] for name, s in scores.items()}
ax = plot_distance_strip(distances, threshold, label="95 % of validation digits")
ax.set_title("Squared distance of each drawing's profile to the nearest digit class")
plt.show()

rate, low, high = {}, {}, {}
for name, f in flagged.items():
    k, n = int(f["distance"].sum()), len(sets[name])
    ci = binomtest(k, n).proportion_ci(method="wilson")
    rate[name], low[name], high[name] = k / n, ci.low, ci.high
top_probability = {name: 1 - scores[name]["softmax"][0] for name in HAND_DRAWN}
most = max(top_probability, key=top_probability.get)
say(
    f"The distance flags **{rate['test digits']:.1%}** of the test digits (95 % "
    f"interval {low['test digits']:.1%} to {high['test digits']:.1%}), "
    f"**{rate['test digits, traced']:.0%}** of the traced ones and "
    f"**{rate['dot']:.0%}** of the dots. The network is "
    f"**{top_probability[most]:.0%}** sure of its answer for *{most}*."
)
claim(
    low["dot"] > high["test digits"] and rate["a dot"] == 1,
    "the pad tells a dot from a digit: it flags dots far more often than digits",
    evidence=f"dots {low['dot']:.3f}+, test digits to {high['test digits']:.3f}",
)
claim(top_probability[most] > 0.9, "no digit, yet one class above 90 %")
table = {name: {k: f.mean() for k, f in fl.items()} for name, fl in flagged.items()}
(100 * pd.DataFrame(table).T).round(1).rename_axis("% flagged")

# %%
# ## Export the weights for the browser
#
# `export_cnn` walks the network's layers in order and writes, for each, its type and
# sizes plus its weights as float32 bytes (base64 text in a JSON file), with MNIST's
# normalization constants, the ten demo digits and, under `metadata`, the distance: its
# class means, the inverse of its covariance, its threshold and the rates measured
# above. The file is published next to the page, whose script fetches it; float32,
# what torch computes with, lets the browser match torch's numbers to a few decimals.
from mlviz.widgets.export import encode_array, export_cnn, load_cnn_export
from mlviz.widgets.export import site_output_dir

distance_spec = {
    "layers": ["relu1", "relu2"],  # the mean of each map of these layers, in order
    "class_means": encode_array(class_means),
    "precision": encode_array(precision),
    "threshold": float(threshold),
    "quantile": 0.95,
    "flagged": {name: round(r, 4) for name, r in rate.items()},
}
path = export_cnn(
    model, site_output_dir("08_interactive") / "drawpad_cnn.json",
    examples=demo_images, example_labels=demo_labels,
    metadata={"test_accuracy": round(float(test_acc), 4), "distance": distance_spec},
)  # fmt: skip
exported = load_cnn_export(path)
sizes = {
    spec["name"]: spec.get("out_channels", spec.get("out_features"))
    for spec in exported["layers"]
}
claim(
    (sizes["conv1"], sizes["conv2"], sizes["fc1"]) == (16, 32, 64),
    "16 feature maps in conv1, 32 in conv2, 64 units in fc1",
    evidence=str(sizes),
)
layers = " → ".join(f"`{name}`" for name in sizes)
say(f"`{path.name}`: **{path.stat().st_size / 1e3:,.0f} kB**, layers {layers}.")

# %%
# ## The drawing pad
#
# Draw a digit with the mouse, a pen or a finger in the black box (or load one of the
# test digits). After every stroke the page prepares the drawing as MNIST's digits were
# prepared, runs the network and shows the ten class probabilities with their natural
# logarithms (0 is certainty, −2.3 is 10 %, −4.6 is 1 %), the distance with its verdict,
# and the activations of three layers: the 16 feature maps of `conv1` and the 32 of
# `conv2` (after their ReLU; yellow is strong, dark purple is zero) and the 64 units of
# `fc1`. The little grey image is exactly what the network receives.
from mlviz.widgets.drawpad import DrawingPad

DrawingPad(
    model_url="../drawpad_cnn.json",  # relative to this page's URL
    assets_url="../../../assets/drawpad/",
    layers=[("relu1", "conv1 + ReLU"), ("relu2", "conv2 + ReLU"),
            ("relu3", "fc1 + ReLU (the embedding)")],
)  # fmt: skip

# %%
# ## How the browser prepares a drawing
#
# MNIST's digits were size-normalized into a 20 × 20 box, keeping their aspect ratio,
# and placed in a 28 × 28 field so that their centre of mass sits at the centre. A
# network trained on them expects exactly that, so the pad does the same to your
# drawing: crop it to its bounding box, scale the longer side to 20 pixels by area
# averaging, and shift it so that its centre of mass lands in the middle. The ink is
# the canvas's opacity, white on black as in MNIST. Here is the same computation in
# Python (`preprocess_drawing`, whose arithmetic `preprocess.js` repeats) on a test
# digit "drawn" large and off-centre on a 280 × 280 canvas.
from mlviz.widgets.drawpad import preprocess_drawing

digit = demo_images[4] / 255.0
rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
tight = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
big = np.kron(tight, np.ones((9, 9)))  # each pixel becomes 9 x 9
canvas = np.zeros((280, 280))
canvas[20 : 20 + big.shape[0], 100 : 100 + big.shape[1]] = big
seen, steps = preprocess_drawing(canvas, return_steps=True)

panels = {"the drawing": canvas, "cropped": steps["crop"]}
panels |= {"longer side 20 px": steps["scaled"], "centred by mass": seen}
panels["original MNIST digit"] = digit
fig, axes = plt.subplots(1, len(panels), figsize=(10, 3.4), layout="constrained")
for ax, (title, image) in zip(axes, panels.items()):
    ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"{title}\n{image.shape[0]} × {image.shape[1]}", fontsize=11)
    ax.set(xticks=[], yticks=[])
fig.suptitle("MNIST-style preprocessing of a drawing, step by step")
plt.show()

# how far is the prepared drawing from the original? Try every small shift.
shifts = [(dr, dc) for dr in range(-2, 3) for dc in range(-2, 3)]
residual = {sh: np.abs(np.roll(seen, sh, axis=(0, 1)) - digit).mean() for sh in shifts}
best_shift = min(residual, key=residual.get)
ways = [(-best_shift[0], "down", "up"), (-best_shift[1], "right", "left")]
moved = " and ".join(f"{abs(n)} px {a if n > 0 else b}" for n, a, b in ways if n)
moved = moved or "not at all"
# pixel for pixel: equal up to the float64 rounding of two area averages of 9 pixels
largest = np.abs(np.roll(seen, best_shift, axis=(0, 1)) - digit).max()
claim(
    largest <= rounding_tolerance("float64", 1.0, n_terms=2 * (9 + 1)),
    "enlarging 9 times and area-averaging back restores every grey level",
    evidence=f"largest difference after the best shift {largest}",
)
say(
    f"The prepared drawing is the original image moved {moved}, pixel for pixel: "
    "enlarging 9 times and area-averaging back restores every grey level, and the "
    f"pad puts the centre of mass {moved} of where MNIST's own preparation put it "
    f"(mean difference per pixel before the shift: {residual[(0, 0)]:.3f})."
)

# %%
# ## The same forward pass, in NumPy
#
# What `cnn.js` computes, written out: two 3 × 3 convolutions with zero padding, each
# followed by a ReLU and a 2 × 2 max pooling, then two dense layers and a softmax. The
# weights are read back from the exported file. (The gallery's tests check this pass
# against torch's to rounding; the browser tests check the page itself against torch.)
w = exported["state_dict"]


def conv2d(x, weight, bias):
    """(C, H, W) -> (O, H, W), as torch.nn.Conv2d(C, O, k, padding=k // 2)."""
    k = weight.shape[-1]
    padded = np.pad(x, ((0, 0), (k // 2, k // 2), (k // 2, k // 2)))
    # every k x k neighbourhood: shape (C, H, W, k, k)
    patches = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(1, 2))
    return np.einsum("chwij,ocij->ohw", patches, weight) + bias[:, None, None]


def maxpool(x):
    c, h, width = x.shape
    return x.reshape(c, h // 2, 2, width // 2, 2).max(axis=(2, 4))


relu = lambda x: np.maximum(x, 0.0)
x = (seen - MNIST_MEAN) / MNIST_STD  # normalize like the training images
h = maxpool(relu(conv2d(x[None], w["conv1.weight"], w["conv1.bias"])))
h = maxpool(relu(conv2d(h, w["conv2.weight"], w["conv2.bias"])))
h = relu(w["fc1.weight"] @ h.ravel() + w["fc1.bias"])
logits = w["fc2.weight"] @ h + w["fc2.bias"]
p_numpy = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()

with torch.no_grad():
    p_original = torch.softmax(model(X_test[demo_index[4]][None]), dim=1)[0].numpy()

say(
    f"On the re-drawn digit the network predicts **{p_numpy.argmax()}** "
    f"({p_numpy.max():.1%}); on the original MNIST image, **{p_original.argmax()}** "
    f"({p_original.max():.1%}); the true label is **{demo_labels[4]}**."
)
pd.DataFrame(
    {"re-drawn digit (NumPy)": p_numpy, "original image (torch)": p_original}
).rename_axis("digit")

# %%
# The same weights also fail when the preparation changes. The test digits again,
# drawn black on white, or moved 6 pixels right and down (as a digit drawn in a corner
# would be without the centring):
raw_test = X_test * MNIST_STD + MNIST_MEAN  # back to grey levels in [0, 1]
moved_test = torch.zeros_like(raw_test)
moved_test[..., 6:, 6:] = raw_test[..., :-6, :-6]
variants = {"as prepared": raw_test, "black on white": 1 - raw_test}
variants["moved 6 px"] = moved_test
accuracy = {
    name: evaluate(model, (images - MNIST_MEAN) / MNIST_STD, y_test)["accuracy"]
    for name, images in variants.items()
}
results = ", ".join(f"{name} **{acc:.1%}**" for name, acc in accuracy.items())
say(f"Accuracy on the {len(y_test):,} test digits: {results}.")
claim(
    max(accuracy["black on white"], accuracy["moved 6 px"]) < 0.5,
    "without MNIST's preparation accuracy collapses",
    evidence=str(accuracy),
)

# %%
# ## How to read this page
#
# * **The bars** are the softmax probabilities of the ten classes; the orange one is the
#   prediction. They always sum to 100 %, whatever you draw. The number after each is
#   its natural logarithm: where two bars both read 0.0 %, −9 and −30 still say that
#   the first class is e²¹ (about a billion) times likelier than the second.
# * **The distance** (the line under the prediction; one point per drawing in the strip
#   chart, on a log scale) is how far the drawing's feature profile lies from the
#   nearest digit class; right of the dashed threshold, the pad flags it: "unlike the
#   digits the network learnt from", whatever the bars say.
# * **conv1's maps** (28 × 28) respond to small local patterns of the strokes: edges,
#   strokes of one orientation, one side of a stroke. **conv2's maps** (14 × 14)
#   combine them over 8 × 8 pixels: pieces of strokes (corners, curves, ends). **fc1's
#   64 units** are the embedding the last layer turns into the ten scores.
# * Each layer has its own colour scale, from 0 to the layer's largest value for *this*
#   drawing (printed next to its name): compare maps within a layer, not across layers.
#
# ## Pitfalls
#
# * **Out-of-distribution inputs still get an answer**, sometimes a very confident one
#   (the drawings above). The distance is a separate test with its own errors, measured
#   above: it flags some real digits by design (5 % of the validation digits), and it
#   was tried only on the kinds of non-digit generated here; another kind may pass.
# * **Preprocessing is part of the model.** Skip the centring, or draw black on white,
#   and accuracy collapses although the weights are the same (measured above); a
#   deployed model must get exactly the preprocessing it was trained with.
# * **Your handwriting is not MNIST's.** MNIST was written by American census
#   employees and students, on paper, with a pen; a mouse stroke has a constant width
#   and no pressure. Errors here say as much about this shift as about the network.
# * **The network is small and saw few digits** (see the first cell), so it is easier
#   to fool than a production model; that is the point of playing with it.
