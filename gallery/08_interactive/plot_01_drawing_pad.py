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
# one test digit of each class. The images are MNIST's official 10,000-image test split,
# divided by the gallery into train/validation/test parts; these come from the test part,
# which the network never saw while training.
import numpy as np

from mlviz.datasets import load_mnist_split
from mlviz.models import count_parameters, evaluate, load_mnist_cnn, mnist_tensors
from mlviz.report import say

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

# %%
# ## The same forward pass, in NumPy
#
# What `cnn.js` computes, written out: two 3 × 3 convolutions with zero padding, each
# followed by a ReLU and a 2 × 2 max pooling, then two dense layers and a softmax. The
# weights are read back from the exported file, so this checks the file as well as the
# arithmetic; torch's own probabilities on the same input are the reference. (The
# browser tests of this project check the page itself against torch, to 10⁻⁴.)
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
    x_torch = torch.tensor(x, dtype=torch.float32)[None, None]
    p_torch = torch.softmax(model(x_torch), dim=1)[0].numpy()
    p_original = torch.softmax(model(X_test[demo_index[4]][None]), dim=1)[0].numpy()

table = "| digit | NumPy, drawing | torch, drawing | torch, original image |\n|---|---|---|---|\n"
for k in range(10):
    table += f"| {k} | {p_numpy[k]:.3e} | {p_torch[k]:.3e} | {p_original[k]:.3e} |\n"
gap = np.abs(p_numpy - p_torch).max()
say(
    f"{table}\nThe hand-written forward pass and torch differ by at most **{gap:.1e}**. "
    f"On the re-drawn digit the network predicts **{p_torch.argmax()}** "
    f"({p_torch.max():.1%}); on the original MNIST image, **{p_original.argmax()}** "
    f"({p_original.max():.1%}); the true label is **{demo_labels[4]}**. The preprocessed "
    f"drawing differs from the original image by {np.abs(seen - digit).mean():.3f} grey "
    "levels per pixel on average: enlarging and shrinking back blurs the edges a little."
)


# %%
# ## How to read this page
#
# * **The bars** are the softmax probabilities of the ten classes; the orange one is the
#   prediction. They always sum to 100 %, whatever you draw.
# * **conv1's maps** are edge and stroke detectors at full resolution: each lights up
#   where the drawing has strokes of one orientation or one side of a stroke.
# * **conv2's maps** (14 × 14, after one pooling) respond to combinations: corners,
#   loops, stroke ends. Comparing two digits shows which of them are class-specific.
# * **fc1's 64 units** are the digit's embedding; similar digits light up similar units.
# * Each layer has its own colour scale, from 0 to the layer's largest value for *this*
#   drawing (printed next to its name): compare maps within a layer, not across layers.
#
# ## Pitfalls
#
# * **Out-of-distribution inputs still get a confident answer.** Draw a letter, a
#   smiley or a single dot: the probabilities still sum to one, often with one class
#   near 100 %. Softmax confidence is not a measure of "is this a digit at all".
# * **Preprocessing is part of the model.** Skip the centring or the 20-pixel box, or
#   draw black on white, and accuracy collapses although the weights are the same; a
#   deployed model must get exactly the preprocessing it was trained with.
# * **Your handwriting is not MNIST's.** MNIST was written by American census
#   employees and students, on paper, with a pen; a mouse stroke has a constant width
#   and no pressure. Errors here say as much about this shift as about the network.
# * **The network is small and saw few digits** (see the first cell), so it is easier
#   to fool than a production model; that is the point of playing with it.
