"""
# Drawing pad: the CNN reads your digit, live in the browser

**Catalog H1** · **Question:** internals, one prediction · **Family:** neural network · **Phase:** at inference · **Data:** MNIST

Accuracy on a test set says how a network does on digits someone else wrote. Drawing
your own digits and watching the prediction change stroke by stroke is the quickest
way to feel what it has really learned: how much a slanted 7 or an open 4 costs it, how
confidently it answers a scribble that is no digit at all, and which feature maps light
up for which strokes. This page ships the gallery's trained MNIST CNN to your browser
(its weights, exported by the build) and runs the forward pass there, in a few hundred
lines of plain JavaScript: nothing is sent to a server.
"""

# %%
# ## Load the network and a few test digits
#
# The gallery's shared CNN (`mlviz.models.load_mnist_cnn`, trained once per build) and
# one test digit of each class. The images are MNIST's official 10,000-image test
# split, divided by the gallery into train/validation/test parts; these come from the
# test part, which the network never saw while training.
import numpy as np

from mlviz.datasets import load_mnist_split
from mlviz.models import count_parameters, evaluate, load_mnist_cnn, mnist_tensors
from mlviz.report import claim, rounding_tolerance, say

cnn = load_mnist_cnn()
model = cnn.model
split = load_mnist_split()
demo_index = np.array([np.flatnonzero(split.y_test == digit)[0] for digit in range(10)])
demo_images = split.X_test[demo_index]  # uint8, (10, 28, 28)
demo_labels = split.y_test[demo_index]
X_test, y_test = mnist_tensors("test")
test_acc = evaluate(model, X_test, y_test)["accuracy"]
n_train = cnn.config.n_train or len(split.y_train)  # None: the whole train part
say(
    f"The CNN has **{count_parameters(model):,} parameters**, was trained on "
    f"{n_train:,} digits for {cnn.config.epochs} epochs, and classifies "
    f"**{test_acc:.1%}** of the {len(y_test):,} test digits correctly."
)

# %%
# ## Export the weights for the browser
#
# `export_cnn` walks the network's layers in order and writes, for each, its type and
# sizes plus its weights as float32 bytes (base64 text in a JSON file), with MNIST's
# normalization constants and the ten demo digits. The file goes into the folder of
# this section's generated pages, which MkDocs publishes next to the page; the page's
# script fetches it from there. float32 is what torch computes with, so the browser can
# reproduce torch's probabilities to a few decimal places.
from mlviz.widgets.export import export_cnn, load_cnn_export, site_output_dir

path = export_cnn(
    model,
    site_output_dir("08_interactive") / "drawpad_cnn.json",
    examples=demo_images,
    example_labels=demo_labels,
    metadata={"test_accuracy": round(float(test_acc), 4)},
)
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
say(
    f"`{path.name}`: **{path.stat().st_size / 1e3:,.0f} kB**, layers "
    + " → ".join(f"`{spec['name']}`" for spec in exported["layers"])
    + "."
)

# %%
# ## The drawing pad
#
# Draw a digit with the mouse, a pen or a finger in the black box (or load one of the
# test digits below it). After every stroke the page preprocesses the drawing as MNIST's
# digits were prepared, runs the network and shows the ten class probabilities and the
# activations of three layers: the 16 feature maps of `conv1` and the 32 of `conv2`
# (after their ReLU; yellow is strong, dark purple is zero, on one colour scale per
# layer) and the 64 units of `fc1`, the representation the last layer turns into the ten
# scores. The little grey image is exactly what the network receives.
from mlviz.widgets.drawpad import DrawingPad

DrawingPad(
    model_url="../drawpad_cnn.json",  # relative to this page's URL
    assets_url="../../../assets/drawpad/",
    layers=[
        ("relu1", "conv1 + ReLU"),
        ("relu2", "conv2 + ReLU"),
        ("relu3", "fc1 + ReLU (the embedding)"),
    ],
)

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
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.widgets.drawpad import preprocess_drawing

digit = demo_images[4] / 255.0
rows = np.flatnonzero(digit.any(axis=1))
cols = np.flatnonzero(digit.any(axis=0))
tight = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
big = np.kron(tight, np.ones((9, 9)))  # each pixel becomes 9 x 9
canvas = np.zeros((280, 280))
canvas[20 : 20 + big.shape[0], 100 : 100 + big.shape[1]] = big
seen, steps = preprocess_drawing(canvas, return_steps=True)

panels = {
    "the drawing": canvas,
    "cropped": steps["crop"],
    "longer side 20 px": steps["scaled"],
    "centred by mass": seen,
    "original MNIST digit": digit,
}
fig, axes = plt.subplots(1, len(panels), figsize=(10, 3.4), layout="constrained")
for ax, (title, image) in zip(axes, panels.items()):
    ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"{title}\n{image.shape[0]} × {image.shape[1]}", fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("MNIST-style preprocessing of a drawing, step by step")
plt.show()

# how far is the prepared drawing from the original? Try every small shift.
shifts = [(dr, dc) for dr in range(-2, 3) for dc in range(-2, 3)]
residual = {sh: np.abs(np.roll(seen, sh, axis=(0, 1)) - digit).mean() for sh in shifts}
best_shift = min(residual, key=residual.get)
steps = zip((-best_shift[0], -best_shift[1]), ("down", "right"), ("up", "left"))
moved = (
    " and ".join(
        f"{abs(n)} pixel{'s' * (abs(n) > 1)} {plus if n > 0 else minus}"
        for n, plus, minus in steps
        if n
    )
    or "not at all"
)
# pixel for pixel: equal up to the float64 rounding of two area averages of 9 pixels
largest = np.abs(np.roll(seen, best_shift, axis=(0, 1)) - digit).max()
if largest <= rounding_tolerance("float64", 1.0, n_terms=2 * (9 + 1)):
    say(
        f"The prepared drawing is the original image moved {moved}, pixel for pixel: "
        "enlarging 9 times and area-averaging back restores every grey level, and the "
        f"pad puts the centre of mass {moved} of where MNIST's own preparation put it "
        f"(mean difference per pixel before the shift: {residual[(0, 0)]:.3f})."
    )
else:
    say(
        f"Even moved {moved} (the best shift), the prepared drawing differs from the "
        f"original by {residual[best_shift]:.3f} per pixel on average (grey levels "
        "from 0 to 1): resampling changed the strokes."
    )

# %%
# ## The same forward pass, in NumPy
#
# What `cnn.js` computes, written out: two 3 × 3 convolutions with zero padding, each
# followed by a ReLU and a 2 × 2 max pooling, then two dense layers and a softmax. The
# weights are read back from the exported file. (The gallery's tests check this pass
# against torch's to rounding; the browser tests check the page itself against torch.)
import pandas as pd
import torch

from mlviz.models import MNIST_MEAN, MNIST_STD

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


def relu(x):
    return np.maximum(x, 0.0)


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
# ## What a confident answer is worth
#
# Softmax turns any ten scores into probabilities that sum to one, so the network
# answers whatever it is shown. Four drawings that are no digit, made with Pillow as
# the pad would record them (a 280 × 280 canvas, a pen 22 pixels wide) and prepared by
# `preprocess_drawing` (which enlarges a small dot to fill the 20-pixel box, as it
# does any drawing):
from PIL import Image, ImageDraw


def drawing(*strokes):
    """Ink in [0, 1] on a 280 x 280 canvas; a stroke is (kind, (x0, y0, x1, y1))."""
    canvas = Image.new("L", (280, 280))
    pen = ImageDraw.Draw(canvas)
    for kind, xy in strokes:
        if kind == "line":
            pen.line(xy, fill=255, width=22)
        elif kind == "ring":
            pen.ellipse(xy, outline=255, width=22)
        else:  # a dot
            pen.ellipse(xy, fill=255)
    return np.asarray(canvas) / 255.0


no_digits = {
    "a dot": drawing(("dot", (130, 130, 152, 152))),
    "a smiley": drawing(
        ("ring", (40, 40, 240, 240)),
        ("dot", (95, 95, 120, 120)),
        ("dot", (160, 95, 185, 120)),
        ("line", (90, 180, 190, 180)),
    ),
    "the letter A": drawing(
        ("line", (140, 40, 70, 240)),
        ("line", (140, 40, 210, 240)),
        ("line", (100, 160, 180, 160)),
    ),
    "a plus sign": drawing(
        ("line", (140, 50, 140, 230)),
        ("line", (50, 140, 230, 140)),
    ),
}
fig, axes = plt.subplots(1, len(no_digits), figsize=(9, 2.8), layout="constrained")
top_probability = {}
for ax, (name, ink) in zip(axes, no_digits.items()):
    prepared = preprocess_drawing(ink)
    with torch.no_grad():
        x_torch = torch.tensor((prepared - MNIST_MEAN) / MNIST_STD, dtype=torch.float32)
        p = torch.softmax(model(x_torch[None, None]), dim=1)[0].numpy()
    top_probability[name] = p.max()
    ax.imshow(prepared, cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"{name}\npredicted {p.argmax()} ({p.max():.0%})", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("What the network answers when shown no digit")
plt.show()

most = max(top_probability, key=top_probability.get)
say(
    "Probability of the network's answer: "
    + ", ".join(f"{name} {p:.0%}" for name, p in top_probability.items())
    + f". The most confident answer is for *{most}*, which is no digit at all."
)
claim(
    top_probability[most] > 0.9,
    "a drawing that is no digit can get one class above 90 %",
    evidence=str(top_probability),
)

# %%
# The same weights also fail when the preparation changes. The test digits again,
# drawn black on white, or moved 6 pixels right and down (as a digit drawn in a corner
# would be without the centring):
raw_test = X_test * MNIST_STD + MNIST_MEAN  # back to grey levels in [0, 1]
moved_test = torch.zeros_like(raw_test)
moved_test[..., 6:, 6:] = raw_test[..., :-6, :-6]
variants = {
    "as prepared": raw_test,
    "black on white": 1 - raw_test,
    "moved 6 px": moved_test,
}
accuracy = {
    name: evaluate(model, (images - MNIST_MEAN) / MNIST_STD, y_test)["accuracy"]
    for name, images in variants.items()
}
say(
    f"Accuracy on the {len(y_test):,} test digits: "
    + ", ".join(f"{name} **{acc:.1%}**" for name, acc in accuracy.items())
    + "."
)
claim(
    max(accuracy["black on white"], accuracy["moved 6 px"]) < 0.5,
    "without MNIST's preparation accuracy collapses",
    evidence=str(accuracy),
)


# %%
# ## How to read this page
#
# * **The bars** are the softmax probabilities of the ten classes; the orange one is the
#   prediction. They always sum to 100 %, whatever you draw.
# * **conv1's maps** (28 × 28, full resolution) respond to small local patterns of the
#   strokes; in a trained CNN these are typically edges, strokes of one orientation or
#   one side of a stroke. Draw a horizontal and a vertical bar to see which is which.
# * **conv2's maps** (14 × 14, after one pooling) combine conv1's patterns over a
#   larger area (corners, loops, stroke ends, typically). Comparing two digits shows
#   which maps respond to one class more than to another.
# * **fc1's 64 units** are the digit's embedding; similar digits light up similar units.
# * Each layer has its own colour scale, from 0 to the layer's largest value for *this*
#   drawing (printed next to its name): compare maps within a layer, not across layers.
#
# ## Pitfalls
#
# * **Out-of-distribution inputs still get an answer**, sometimes a very confident one
#   (the drawings above): the probabilities sum to one whatever the input. Softmax
#   confidence is not a measure of "is this a digit at all".
# * **Preprocessing is part of the model.** Skip the centring, or draw black on white,
#   and accuracy collapses although the weights are the same (measured above); a
#   deployed model must get exactly the preprocessing it was trained with.
# * **Your handwriting is not MNIST's.** MNIST was written by American census
#   employees and students, on paper, with a pen; a mouse stroke has a constant width
#   and no pressure. Errors here say as much about this shift as about the network.
# * **The network is small and saw few digits** (see the first cell), so it is easier
#   to fool than a production model; that is the point of playing with it.
