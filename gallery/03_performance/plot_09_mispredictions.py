"""
# Mispredictions: the digits the CNN gets wrong

**Catalog C9** · **Question:** performance, one prediction · **Family:** any · **Phase:** after training · **Data:** MNIST

An accuracy figure says how often a classifier is wrong, not how. Looking at the
misclassified examples themselves, with the true label, the prediction and the model's
confidence, tells you whether the errors are forgivable (digits a person would hesitate
over), systematic (one pair of digits confused again and again) or alarming (clear
digits misread with high confidence). It is the cheapest error analysis there is and
often the most informative.
"""

# %%
# ## Predict the held-out digits
#
# The gallery's shared CNN (`mlviz.models.load_mnist_cnn`, trained once per build) on
# the test part of the gallery's split of MNIST's official 10,000-image test set:
# images the network never saw during training or model selection.
import numpy as np

from mlviz.models import from_tensor, load_mnist_cnn, mnist_tensors, predict_proba
from mlviz.report import say

cnn = load_mnist_cnn()
model = cnn.model
n_seen = cnn.config.n_train or len(mnist_tensors("train")[1])  # None: the whole part
X_test, y_test = mnist_tensors("test")
proba = predict_proba(model, X_test)
y_true = y_test.numpy()
y_pred = proba.argmax(axis=1)
confidence = proba.max(axis=1)
wrong = np.flatnonzero(y_pred != y_true)
accuracy = 1 - len(wrong) / len(y_true)
say(
    f"The CNN, trained for {cnn.config.epochs} epochs on {n_seen:,} images, "
    f"misclassifies **{len(wrong)} of {len(y_true):,}** test digits (accuracy "
    f"{accuracy:.1%}). Its median confidence is {np.median(confidence[wrong]):.0%} on "
    f"the errors and {np.median(np.delete(confidence, wrong)):.1%} on the correct "
    "predictions."
)

# %%
# ## Draw the errors, most confident first
#
# Sorting by the confidence of the (wrong) prediction puts the most worrying mistakes
# first. Each title reads *true → predicted (confidence)*.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

order = wrong[np.argsort(-confidence[wrong])]
n_cols = 8
shown = order[: 4 * n_cols]
n_rows = int(np.ceil(len(shown) / n_cols))
images = from_tensor(X_test[shown])
fig, axes = plt.subplots(
    n_rows, n_cols, figsize=(10, 1.45 * n_rows + 0.6), squeeze=False
)
for ax in axes.flat:
    ax.axis("off")
for ax, i, image in zip(axes.flat, shown, images):
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(
        f"{y_true[i]} → {y_pred[i]} ({confidence[i]:.0%})",
        fontsize=10,
        color="#b00020" if confidence[i] > 0.9 else "black",
    )
fig.suptitle(
    f"The {len(shown)} most confident of {len(wrong)} errors "
    "(true → predicted, confidence); red: above 90%"
)
plt.show()

# %%
# ## Which digits are confused with which?
#
# Counting the (true, predicted) pairs among the errors shows whether the mistakes
# concentrate on a few look-alike pairs.
from collections import Counter

from scipy.stats import binomtest

n_classes = proba.shape[1]
counted = Counter(zip(y_true[wrong].tolist(), y_pred[wrong].tolist()))
pairs = counted.most_common(5)
top_share = sum(n for _, n in pairs) / len(wrong)
# is the first pair more frequent than the fifth beyond counting noise? Of the errors
# in these two pairs, each would be a coin flip if both pairs were equally common
(first, n_first), (fifth, n_fifth) = pairs[0], pairs[-1]
order_p = binomtest(n_first, n_first + n_fifth).pvalue
say(
    "Most frequent confusions: "
    + ", ".join(f"**{t} read as {p}** ({n}×)" for (t, p), n in pairs)
    + f". These five of the {n_classes * (n_classes - 1)} possible (true, predicted) "
    f"pairs hold {top_share:.0%} "
    f"of the errors; the others are scattered over {len(counted) - len(pairs)} more "
    "pairs. "
    + (
        f"*{first[0]} read as {first[1]}* is more frequent than the fifth pair beyond "
        f"counting noise (exact binomial p = {order_p:.3f})."
        if order_p < 0.05
        else f"Counts this small are noisy: {n_first} against {n_fifth} could be "
        f"chance (exact binomial p = {order_p:.2f}), so the order of the five is not "
        "a ranking."
    )
    + f" {np.mean(confidence[wrong] > 0.9):.0%} of the errors are made with more than "
    "90% confidence."
)

# %%
# Is the network's confidence itself trustworthy? If its softmax probabilities were
# calibrated, its mean confidence would match its accuracy, up to the noise of
# `len(y_true)` coin flips, one per digit, each with the confidence as its chance.
noise = 1.96 * np.sqrt(np.sum(confidence * (1 - confidence))) / len(confidence)
excess = confidence.mean() - accuracy
if excess > noise:
    calibration_words = "over-confident beyond the noise"
elif excess < -noise:
    calibration_words = "under-confident beyond the noise"
else:
    calibration_words = "as confident as it is accurate, within the noise"
say(
    f"Mean confidence {confidence.mean():.1%} for an accuracy of {accuracy:.1%} "
    f"(± {noise:.1%} if calibrated): this network is {calibration_words}."
)

# %%
# ## How to read this figure
#
# * Each image is a test digit the network got wrong. Dark is ink.
# * The title gives the true label, the predicted label and the softmax probability of
#   the prediction. High confidence on a digit that is clear to you is the worrying
#   case; low confidence on an ambiguous scrawl is expected.
# * Count how many errors you would have made yourself: a rough idea of how far the
#   model is from a person, not a measurement.
#
# ## Pitfalls
#
# * **Softmax confidence is not calibrated probability.** Large modern networks are
#   often over-confident (Guo et al., 2017), and a small one can err either way: the
#   check above measures this one. Check calibration (page C4) before reading "95%" as
#   "wrong 1 time in 20".
# * **A handful of images is not a statistic.** The grid shows the most confident
#   errors; use the confusion counts (or a confusion matrix) for how often each pair
#   occurs.
# * **Some labels are wrong.** MNIST contains a few mislabelled digits; an "error" on
#   one of them is the model being right.
