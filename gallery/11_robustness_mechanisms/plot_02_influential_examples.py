"""
# Influential training examples: TracIn and self-influence

**Catalog K2** · **Question:** data · **Family:** neural network · **Phase:** after training · **Data:** MNIST

Which training examples made the network predict what it predicts, and which ones did
it struggle with? TracIn (Pruthi et al., NeurIPS 2020) answers from the training run
itself: each SGD step on a training example changes a test example's loss by about the
learning rate times the dot product of their two loss gradients, so summing that
product over weights saved during training (*checkpoints*) scores every training
example. Positive scores are *proponents* of the test prediction, negative ones
*opponents*; an example's score on itself, its *self-influence*, is large when the
network had to keep pulling at it, as it must for a wrong label. This page trains the
gallery's MNIST CNN on labels of which 10% were deliberately flipped, shows the
proponents and opponents of test predictions, and measures how many of the flips
self-influence finds, against random inspection and against the final model's loss.
"""

# %%
# ## Train the CNN on partly wrong labels
#
# The gallery's MNIST CNN (two convolutions, a 64-unit dense layer `fc1`, the output
# layer `fc2`), trained on the training part of the gallery's MNIST split after 10% of
# its labels were replaced by a random other digit (`flip_labels=0.1`, seeded; the
# flipped positions come back with the data). Two changes from the shared CNN: plain
# SGD (constant learning rate 0.1, no momentum), because TracIn's first-order argument
# is about SGD steps; and a copy of the weights at the end of every epoch
# (`checkpoints=1`). Training is seeded and cached, so a rebuild trains nothing.
import numpy as np
import torch
import torch.nn.functional as F

from mlviz.config import QUICK
from mlviz.models import MNIST_CNN_CONFIG, mnist_tensors, train

config = MNIST_CNN_CONFIG.replace(
    optimizer="sgd",
    lr=0.1,
    n_train=1000 if QUICK else 3000,
    epochs=4 if QUICK else 6,
    flip_labels=0.1,
    checkpoints=1,
)
run = train(config)
model = run.model
X, y, flipped = run.training_data()  # y as trained: 10% of it wrong
is_flipped = np.isin(np.arange(len(y)), flipped)
X_test, y_test = mnist_tensors("test", n=300 if QUICK else 1000)
with torch.no_grad():
    predicted = model(X_test).argmax(1)
    final_loss = F.cross_entropy(model(X), y, reduction="none").numpy()  # a baseline
fits_flip = np.mean(final_loss[flipped] < np.log(2))  # p(wrong label) > 1/2
print(
    f"{len(y)} training digits, {len(flipped)} flipped; test accuracy "
    f"{(predicted == y_test).float().mean():.1%} on {len(y_test)} digits; the final "
    f"model gives the wrong label more than even odds on {fits_flip:.0%} of the "
    "flipped digits"
)

# %%
# ## TracIn, written out
#
# `influence(z, z') = sum_k lr * g_k(z) · g_k(z')`, where `g_k` is the gradient of an
# example's own cross-entropy at checkpoint `k` (the six end-of-epoch weights; the
# constant 1/batch size of the mean loss is left out, as Pruthi et al. do). We take the
# gradient with respect to the last layer `fc2` only, the shortcut Pruthi et al.
# suggest when all gradients cost too much: it needs only `fc2`'s input, so the
# network runs forward once per checkpoint, without backpropagation, and each gradient
# is a row of 650 numbers (the count of all weights is printed below). The test
# digits' loss is taken at the label
# the final model *predicts*, so proponents are the training digits whose steps made
# that prediction more likely. The cosine version (each gradient divided by its
# length) is kept for a comparison below.
from mlviz.inspect.influence import per_example_grads

influence = torch.zeros(len(y), len(y_test), dtype=torch.float64)  # summed in
cosine = torch.zeros_like(influence)  # float64; each checkpoint's term in float32
per_checkpoint = []  # self-influence terms, one row per checkpoint
for state in run.checkpoints[1:]:  # the first is the random initialization
    model.load_state_dict(state)
    with torch.no_grad():
        h, h_test = model.embed(X), model.embed(X_test)  # fc2's inputs
    g = per_example_grads(model.fc2, h, y)  # (n_train, 650)
    g_test = per_example_grads(model.fc2, h_test, predicted)
    influence += config.lr * (g @ g_test.T).double()
    unit = g / g.norm(dim=1, keepdim=True)
    unit_test = g_test / g_test.norm(dim=1, keepdim=True)
    cosine += config.lr * (unit @ unit_test.T).double()
    per_checkpoint.append(config.lr * (g.double() ** 2).sum(1).numpy())
model.load_state_dict(run.checkpoints[-1])
influence, cosine = influence.numpy(), cosine.numpy()
self_influence = np.sum(per_checkpoint, axis=0)
n_weights = sum(p.numel() for p in model.parameters())
print(f"last-layer gradients: {g.shape[1]} of the network's {n_weights} weights")

# %%
# ## Proponents and opponents of two test predictions
#
# The first test digit the network gets right and the first it gets wrong, each with
# its four strongest proponents (`+`) and opponents (`−`), titled with the label the
# network was trained on; a red frame and "(is d)" mark a flipped label and its true
# digit.
import matplotlib.pyplot as plt

from mlviz.models import from_tensor
from mlviz.plotting import plot_image_grid

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def digit(x):
    """A normalized image as dark ink on white (RGB), for plot_image_grid."""
    return np.repeat(1 - from_tensor(x[None])[0][..., None], 3, axis=2)


right = (predicted == y_test).numpy()
shown_tests = [int(np.argmax(right)), int(np.argmax(~right))]
y_true = mnist_tensors("train", n=config.n_train)[1].numpy()  # before flipping
labels, labels_test, predicted_np = y.numpy(), y_test.numpy(), predicted.numpy()
images, titles, marked = [], [], []
for j in shown_tests:
    order = np.argsort(-influence[:, j])
    images.append(digit(X_test[j]))
    titles.append(f"test {labels_test[j]} → {predicted_np[j]}")
    marked.append(False)
    for sign, picks in (("+", order[:4]), ("−", order[::-1][:4])):
        for i in picks:
            extra = f" (is {y_true[i]})" if is_flipped[i] else ""
            images.append(digit(X[i]))
            titles.append(f"{sign} {labels[i]}{extra}")
            marked.append(is_flipped[i])
axes = plot_image_grid(images, titles=titles, ncols=9, panel_size=0.95, fontsize=8)
for ax, flip in zip(axes.flat, marked):
    for spine in ax.spines.values():
        spine.set(color="C3", linewidth=2.5, visible=bool(flip))
axes[0, 0].figure.suptitle(
    "Test digit | 4 strongest proponents (+) | 4 strongest opponents (−)"
)
plt.show()

# %%
# ## Who the strongest proponents and opponents are, over all test digits
#
# For every test digit, its ten strongest proponents and opponents: how many carry a
# flipped label (10% would be chance), how many are labelled with the predicted digit,
# and how many truly show it. Intervals: 95% bootstrap over the test digits.
import pandas as pd

from mlviz.report import claim, say

top = 10
rng = np.random.default_rng(0)
resamples = rng.integers(0, len(y_test), size=(2000, len(y_test)))
rows = {}
for name, scores, sign in [
    ("proponents", influence, -1),
    ("opponents", influence, 1),
    ("proponents, cosine", cosine, -1),
    ("opponents, cosine", cosine, 1),
]:
    picks = np.argpartition(sign * scores, top, axis=0)[:top]  # (top, n_test)
    share = is_flipped[picks].mean(0)  # per test digit
    low, high = np.percentile(share[resamples].mean(1), [2.5, 97.5])
    labelled = (labels[picks] == predicted_np).mean()
    truly = (y_true[picks] == predicted_np).mean()
    rows[name] = share.mean(), low, high, labelled, truly
columns = ["flipped share", "low", "high", "labelled as predicted", "truly predicted"]
shares = pd.DataFrame(rows, index=columns).T
say(
    f"Among the ten strongest opponents of a test prediction, "
    f"**{shares.loc['opponents', 'flipped share']:.1%}** carry a flipped label (95% "
    f"interval {shares.loc['opponents', 'low']:.1%}-"
    f"{shares.loc['opponents', 'high']:.1%}; chance is {is_flipped.mean():.0%}); "
    f"among the proponents, **{shares.loc['proponents', 'flipped share']:.0%}**, and "
    f"after normalizing the gradients "
    f"{shares.loc['proponents, cosine', 'flipped share']:.1%}. "
    f"{shares.loc['opponents', 'truly predicted']:.0%} of the opponents truly show "
    "the predicted digit."
)
claim(
    shares.loc["opponents", "labelled as predicted"] == 0,
    "no opponent carries the predicted label",
    evidence=shares.round(3).to_string(),
)
claim(
    shares.loc["opponents", "low"] > is_flipped.mean(),
    "flipped labels are over-represented among the strongest opponents",
    evidence=shares.round(3).to_string(),
)
claim(
    shares.loc["proponents", "low"] > is_flipped.mean()
    and shares.loc["proponents, cosine", "high"] < is_flipped.mean(),
    "raw TracIn's proponents are enriched in flipped labels too; with the cosine "
    "their share falls below chance",
    evidence=shares.round(3).to_string(),
)
shares.round(3)

# %%
# No opponent carries the predicted label, and with last-layer gradients none can:
# for two examples at the same label `y`, `δ·δ' = (1 - p_y)(1 - p'_y) + sum_{c≠y}
# p_c p'_c ≥ 0` (`δ = softmax - onehot`), and `h·h' + 1 > 0` after a ReLU. Those
# opponents that truly show the predicted digit are look-alikes trained under a wrong
# label: summed over the checkpoints, the steps on them pushed the prediction away. Proponents carry the predicted
# label, yet flipped ones rank among them too: a flipped digit keeps a large gradient
# for the whole run, and TracIn's raw dot product grows with gradient length. Dividing
# by the lengths ranks by direction alone.
#
# ## Self-influence: finding the flipped labels
#
# Sorting the training set by self-influence, `sum_k lr ||g_k(z)||²`, gives a list to
# inspect from the top. The curve is the share of the flips found against the share of
# the data inspected; random inspection finds flips in proportion (dashed, with the
# 95% band of a random draw), a perfect ranking finds them all in the first 10%. The
# simple baseline is the loss of the final model on each example's (trained) label.
from mlviz.inspect.influence import (
    paired_bootstrap_recall,
    plot_detection_curves,
    random_recall_interval,
    recall_at,
)

fig, ax = plt.subplots(figsize=(6.5, 4.5))
plot_detection_curves(
    {"TracIn self-influence": self_influence, "loss of the final model": final_loss},
    is_flipped,
    ax=ax,
    colors={"TracIn self-influence": "C0", "loss of the final model": "C1"},
)
ax.set_xlim(0, 0.5)  # every curve has found nearly all flips well before
ax.legend(loc="upper right", bbox_to_anchor=(1, 0.92))  # above the random band
ax.set_title(f"Finding {len(flipped)} flipped labels among {len(y)} training digits")
plt.show()

share = is_flipped.mean()  # inspect as many digits as there are flips
tracin_recall, loss_recall = paired_bootstrap_recall(
    self_influence, final_loss, is_flipped, share, n_boot=1000, seed=0
)
gap_low, gap_high = np.percentile(tracin_recall - loss_recall, [2.5, 97.5])
r_tracin = recall_at(self_influence, is_flipped, share)
r_loss = recall_at(final_loss, is_flipped, share)
random_high = random_recall_interval(len(y), len(flipped), share)[1]
verdict = (
    "finds more flips than the loss"
    if gap_low > 0
    else "finds fewer flips than the loss"
    if gap_high < 0
    else "does no detectably better or worse than the loss"
)
say(
    f"Inspecting the top {share:.0%} by self-influence finds **{r_tracin:.0%}** of "
    f"the flipped labels (random inspection: {share:.0%}, 97.5% of random draws "
    f"below {random_high:.0%}); the final model's loss finds {r_loss:.0%}. The paired "
    f"bootstrap difference is {gap_low:+.1%} to {gap_high:+.1%}: self-influence "
    f"**{verdict}**."
)
claim(
    r_tracin > random_high,
    "self-influence finds far more flipped labels than random inspection",
    evidence=f"recall {r_tracin:.3f}, random 97.5% quantile {random_high:.3f}",
)
claim(
    fits_flip < 0.5,
    "the final model has not memorized most flipped labels, so their loss stays high",
    evidence=f"p(flipped label) > 1/2 for {fits_flip:.1%} of them",
)

# %%
# Why the loss is a hard baseline here: the final network gives the wrong label of
# most flipped digits less than even odds (it has not memorized them), so their loss
# stays high to the end. Checkpoints matter in the other case: a network that has fit
# the errors by the end of training, when the final loss no longer singles them out
# and only the earlier checkpoints remember them.
#
# ## Which checkpoints carry the signal
#
# The same recall, from each checkpoint's term alone: does the sum beat its best
# term?
single = [recall_at(s, is_flipped, share) for s in per_checkpoint]
best = int(np.argmax(single))
say(
    f"Single checkpoints find {min(single):.0%} to {max(single):.0%} of the flips "
    f"(best: epoch {best + 1}); their sum finds {r_tracin:.0%}."
)
pd.DataFrame(
    {"recall of flips in the top 10%": single + [r_tracin, r_loss]},
    index=[f"epoch {e} only" for e in range(1, len(per_checkpoint) + 1)]
    + ["sum over checkpoints (TracIn)", "loss of the final model"],
).round(3)

# %%
# ## The digits at the top of the ranking
#
# The 16 training digits with the largest self-influence, titled with their trained
# label; red frames are flips. An unframed digit would be a correct label that the
# network found hard (an odd shape, an ambiguous stroke).
ranked = np.argsort(-self_influence)[:16]
axes = plot_image_grid(
    [digit(X[i]) for i in ranked],
    titles=[
        f"{labels[i]}" + (f" (is {y_true[i]})" if is_flipped[i] else "") for i in ranked
    ],
    ncols=8,
    panel_size=0.95,
    fontsize=8,
)
for ax, i in zip(axes.flat, ranked):
    for spine in ax.spines.values():
        spine.set(color="C3", linewidth=2.5, visible=bool(is_flipped[i]))
plt.show()
top_share = np.argsort(-self_influence)[: len(flipped)]
say(
    f"{is_flipped[ranked].sum()} of these 16 are flipped labels. Further down the "
    f"ranking the hard correct digits come in: of the top {share:.0%}, "
    f"{(~is_flipped[top_share]).sum()} of {len(top_share)} are correctly labelled."
)

# %%
# ## How to read this figure
#
# * **Proponents and opponents** answer "which training digits did this prediction
#   rest on?" A proponent with the predicted label is the expected sight; an opponent
#   is usually a look-alike trained under another label, often a flipped one.
# * **The detection curve** is the practical use of self-influence: how much of the
#   training set one must check by hand to find a given share of the label errors. The
#   gap to the dashed line is what the ranking buys; the gap to the dotted line is
#   what it misses. The loss curve is the question to ask of any such method: does it
#   beat the obvious?
# * **The checkpoint table** shows what each stage of training adds to the sum.
#
# ## Pitfalls
#
# * **A score is an estimate, not a counterfactual.** TracIn sums first-order terms
#   over a few checkpoints, not what removing a digit and retraining would change;
#   for deep networks, influence estimates can agree poorly with retraining and
#   change with depth, width and regularization (Basu et al., 2021). Rank to inspect;
#   to test a cause, retrain without the digits.
# * **Influence is not similarity.** Raw TracIn scores grow with gradient length, so
#   hard and mislabelled digits crowd the proponent and opponent lists of many test
#   digits (Barshan et al., 2020; Hammoudeh and Lowd, 2022). To find "the training
#   digits this prediction resembles", normalize, as the cosine rows show.
# * **Last layer only.** The 650 weights of `fc2` see the network through its final
#   representation; influence that acts through earlier layers is invisible, and Yeh
#   et al. (2022) found first-layer gradients better for some tasks. All layers cost a
#   backward pass per example and checkpoint.
# * **The optimizer and the checkpoints.** TracIn's derivation is for SGD steps (with
#   Adam the update is not `lr × gradient`); a few checkpoints stand in for thousands.
# * **Self-influence flags the hard, not only the wrong**: inspect, do not delete.
# * **Which label the test loss uses** decides what is explained: the predicted one
#   here; with the true label, what pushed a wrong prediction appears among opponents.
