"""
# Training dynamics: loss and accuracy curves, early stopping, a learning rate too high

**Catalog E1** · **Question:** training · **Family:** neural network · **Phase:** during training · **Data:** MNIST

The first plot to look at after (and during) any training run: training and validation
loss and accuracy per epoch. It tells you whether the network is still learning,
whether it has started to memorize the training set (training loss still falling
while the validation loss stops improving or rises), where early stopping would have
kept the weights, and whether the optimization works at all: a learning rate that is
too high shows up at once, as a loss that jumps around or one that drops to the loss of
a blind guess and stays there.
"""

# %%
# ## Two runs of the same CNN
#
# We train the gallery's small CNN on a deliberately small part of the training images
# (small enough to be memorized within a few epochs) twice: with the learning rate the
# gallery's CNN is trained with and with one 25 times higher. Images come from the
# gallery's train/validation split of MNIST's official 10,000-image test set.
# `mlviz.models.train` records the curves (and, after every epoch, which ReLU units
# are dead) and caches both runs, so a rebuild does not train again. With
# `checkpoints=1` it also keeps a copy of the weights after every epoch.
from mlviz.config import QUICK
from mlviz.models import MNIST_CNN_CONFIG, train

good_config = MNIST_CNN_CONFIG.replace(
    n_train=400 if QUICK else 1200,
    n_val=300 if QUICK else 1000,
    epochs=2 if QUICK else 12,
)
good = train(good_config.replace(checkpoints=1))
bad = train(good_config.replace(lr=25 * good_config.lr))
h, h_bad = good.history, bad.history
print(f"good lr={good_config.lr:g}: val acc {h.val_acc.round(3)}")
print(f"high lr={bad.config.lr:g}: val acc {h_bad.val_acc.round(3)}")

# %%
# ## How large a change is noise?
#
# Each point of the validation curve is a mean over a finite set of images, so it
# carries sampling noise: its standard error is the spread of the per-image losses
# divided by the square root of their number. Two epochs are measured on the *same*
# images, so a change between them is judged by the standard error of the per-image
# *differences* (a paired comparison), which is smaller. The copies of the weights let
# us recompute the loss of every validation image after every epoch.
import numpy as np
import torch
import torch.nn.functional as F

from mlviz.models import mnist_tensors

X_val, y_val = mnist_tensors("val", n=good_config.n_val, seed=good_config.seed)
model = good.model
per_image = []  # one row per epoch: the loss of each validation image
with torch.no_grad():
    for state in good.epoch_checkpoints[1:]:  # [0] is the initialization
        model.load_state_dict(state)
        per_image.append(F.cross_entropy(model(X_val), y_val, reduction="none").numpy())
per_image = np.array(per_image)  # its row means are h.val_loss
val_se = per_image.std(axis=1, ddof=1) / np.sqrt(len(y_val))


def paired_change(losses, a, b):
    """Mean change of the per-image losses from epoch index a to b, and its SE."""
    d = losses[b] - losses[a]
    return d.mean(), d.std(ddof=1) / np.sqrt(len(d))


# %%
# ## Where would early stopping stop?
#
# Early stopping watches the validation loss and stops once it has not improved for
# `patience` epochs, then restores the weights of the best epoch. Any decrease counts
# as an improvement unless a `min_delta` says how large one must be (Keras and
# Lightning default to 0). We then ask whether the last `patience` epochs changed the
# validation loss by more than twice the standard error of that change.
from mlviz.report import say

patience = 3
best, stop = 0, None
for e in range(1, len(h.val_loss)):
    if h.val_loss[e] < h.val_loss[best]:
        best = e
    elif e - best >= patience:
        stop = e
        break
best_epoch = int(h.epoch[best])
window = min(patience, len(h.epoch) - 1)  # epochs looked back over
change, change_se = paired_change(per_image, -1 - window, -1)
trend = "flat"  # unless the change exceeds twice its standard error
if abs(change) > 2 * change_se:
    trend = "falling" if change < 0 else "rising"
# epochs whose loss differs from the best one's by no more than twice its std. error
tied = []
for e in range(len(h.epoch)):
    d, d_se = paired_change(per_image, best, e)
    if abs(d) <= 2 * d_se:
        tied.append(int(h.epoch[e]))
halts = (
    f"halts after epoch {int(h.epoch[stop])} and restores epoch {best_epoch}"
    if stop is not None
    else "never halts"
)
moves = (
    f"From epoch {int(h.epoch[-1 - window])} to epoch {int(h.epoch[-1])} the "
    f"validation loss changed by {change:+.4f} (standard error of that change, paired "
    f"over the {per_image.shape[1]:,} images: {change_se:.4f}). "
)
fold = h.train_loss[-1 - window] / h.train_loss[-1]  # how much the training loss fell
training = (
    f"the training loss falls {fold:.0f}-fold "
    f"({h.train_loss[-1 - window]:.4f} → {h.train_loss[-1]:.4f})"
    if fold >= 2
    else f"the training loss stays near {h.train_loss[-1]:.4f}"
)
if trend == "falling":
    after = moves + (
        "The fall is larger than the noise: the network is **still learning**, and "
        f"early stopping (patience {patience}) {halts}."
    )
elif trend == "rising":
    after = moves + (
        f"The rise is larger than the noise while {training}"
        + (": the network **memorizes**. " if fold >= 2 else ". ")
        + f"Early stopping (patience {patience}) {halts}."
    )
else:
    after = moves + (
        "That is within the noise: a **plateau**. "
        + (
            "Epochs "
            + ", ".join(map(str, tied))
            + f" all lie within two standard errors of epoch {best_epoch}, so which "
            'of them is "best" is decided by noise. '
            if len(tied) > 1
            else ""
        )
        + f"Early stopping (patience {patience}) {halts}"
        + (
            ", because every new minimum, however small, restarts its count. "
            if stop is None
            else ". "
        )
        + f"Meanwhile {training}"
        + (
            ": the network keeps fitting its training images, with no gain on new "
            "digits that the validation loss can measure."
            if fold >= 2
            else ": training has stalled."
        )
    )
say(
    f"The validation loss is lowest after epoch **{best_epoch}** "
    f"({h.val_loss[best]:.3f} ± {val_se[best]:.3f}, accuracy {h.val_acc[best]:.1%}). "
    + after
)

# %%
# ## Draw the curves
#
# Left: loss (cross-entropy) per epoch; right: accuracy. Solid lines are training,
# dashed validation; the bars on the good run's validation loss are ±1 standard error
# over the validation images. The grey line marks the epoch early stopping keeps.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
for hist, name, color in (
    (h, f"lr={good_config.lr:g}", "C0"),
    (h_bad, f"lr={bad.config.lr:g}", "C3"),
):
    ax_loss.plot(
        hist.epoch, hist.train_loss, "-o", color=color, ms=4, label=f"{name} train"
    )
    ax_loss.plot(
        hist.epoch, hist.val_loss, "--s", color=color, ms=4, label=f"{name} validation"
    )
    ax_acc.plot(
        hist.epoch, hist.train_acc, "-o", color=color, ms=4, label=f"{name} train"
    )
    ax_acc.plot(
        hist.epoch, hist.val_acc, "--s", color=color, ms=4, label=f"{name} validation"
    )
for ax in (ax_loss, ax_acc):
    ax.axvline(best_epoch, color="grey", lw=1)
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3)
ax_loss.errorbar(h.epoch, h.val_loss, yerr=val_se, fmt="none", ecolor="C0", capsize=3)
ax_loss.set_yscale("log")
ax_loss.set_ylabel("cross-entropy (log scale)")
ax_acc.set_ylabel("accuracy")
ax_acc.legend(fontsize=9, loc="center right")
ax_loss.text(
    best_epoch, ax_loss.get_ylim()[1], " best epoch", va="top", fontsize=9, color="grey"
)
fig.suptitle("Training vs validation, a good and a too-high learning rate")
plt.show()

# %%
# ## Inside an epoch: the loss of every mini-batch
#
# The per-epoch averages hide how noisy the optimization is, and what happened in the
# first steps. The loss of each mini-batch shows both.
fig, ax = plt.subplots(figsize=(10, 3.6))
steps = np.arange(1, len(h.step_loss) + 1) / h.steps_per_epoch
ax.plot(steps, h.step_loss, color="C0", lw=0.8, label=f"lr={good_config.lr:g}")
ax.plot(
    np.arange(1, len(h_bad.step_loss) + 1) / h_bad.steps_per_epoch,
    h_bad.step_loss,
    color="C3",
    lw=0.8,
    label=f"lr={bad.config.lr:g}",
)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("mini-batch loss (log scale)")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

first, peak = h_bad.step_loss[0], h_bad.step_loss.max()
peak_step = int(h_bad.step_loss.argmax()) + 1
dead = {layer: h_bad.act_dead[layer][-1] for layer in h_bad.act_layers}
dead_at_init = max(h_bad.act_dead[layer][0] for layer in h_bad.act_layers)
chance = np.log(10)  # the loss of a uniform guess among 10 digits
died = dead["relu3"] == 1 and np.abs(h_bad.val_loss - chance).max() < 0.05
last_epoch = h_bad.step_loss[-h_bad.steps_per_epoch :]
if died:
    say(
        f"With lr={bad.config.lr:g} the loss of mini-batch {peak_step} jumps to "
        f"**{peak:.0f}** (it started at {first:.2f}). Such a step throws the weights "
        "so far that the ReLUs end up on their flat, zero side: at the end "
        + ", ".join(f"{dead[layer]:.0%} of the `{layer}` units" for layer in dead)
        + " output zero for every probe image (at initialization at most "
        f"{dead_at_init:.0%} of a layer). A dead unit passes no gradient back; with "
        "every `relu3` unit dead none reaches `fc1` or the layers before it, so "
        "nothing changes their outputs and nothing revives the units. With `relu3` "
        "all dead, the output is `fc2`'s bias "
        "alone, the same for every digit: the loss sits at ln 10 ≈ 2.30 (validation "
        f"{h_bad.val_loss.min():.3f} to {h_bad.val_loss.max():.3f}) and the accuracy "
        f"at **{h_bad.val_acc[-1]:.1%}**, one digit's share (good run: "
        f"{h.val_acc[-1]:.1%}). The network did not oscillate; it died in its first "
        "epoch and never recovered."
    )
else:
    say(
        f"With lr={bad.config.lr:g} the final validation accuracy is "
        f"**{h_bad.val_acc[-1]:.1%}** against {h.val_acc[-1]:.1%} with "
        f"lr={good_config.lr:g}; its mini-batch loss in the last epoch ranges from "
        f"{last_epoch.min():.2f} to {last_epoch.max():.2f} (good run: "
        f"{h.step_loss[-h.steps_per_epoch :].min():.2g} to "
        f"{h.step_loss[-h.steps_per_epoch :].max():.2g})."
    )

# %%
# ## How to read this figure
#
# * **Both losses falling**: still learning; more epochs may help. "Falling" means by
#   more than the noise: a validation loss is a mean over a few hundred or thousand
#   images, and epoch-to-epoch wiggles smaller than its standard error (the bars; for
#   a change between two epochs, the paired standard error in the finding above) are
#   not evidence either way.
# * **Training loss falling, validation loss rising**: the network is memorizing the
#   training images. The gap between the solid and dashed lines is the
#   generalization gap; early stopping keeps the weights at the validation minimum.
# * **Training loss falling, validation loss flat**: the same gap, without the
#   rise; more epochs only polish the fit to the training images. On a plateau the
#   "best" epoch is any of several that noise cannot tell apart; a `min_delta` of
#   about one standard error stops early stopping from chasing those wiggles.
# * **Loss flat near ln 10 ≈ 2.30 or jumping up and down**: the optimizer is not
#   working; a learning rate that is too high is the most common cause (2.30 is the
#   loss of a network that guesses uniformly among 10 digits). A flat 2.30 after one
#   spike is a dead network: check the share of dead units (E4).
# * Validation accuracy often keeps improving slightly after the validation loss has
#   turned: the loss also punishes over-confident wrong answers.
#
# ## Pitfalls
#
# * **The training curve is measured while the weights change** (averaged over the
#   epoch's mini-batches), the validation curve after the epoch: early in training the
#   training loss looks worse than it is.
# * **Selecting the epoch on the validation set uses it up**: report the final accuracy
#   on a separate test set.
# * **One run is one seed.** Small differences between the curves of two runs can be
#   noise; repeat with other seeds before concluding.
