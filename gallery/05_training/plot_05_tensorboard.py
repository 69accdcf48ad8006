"""
# Logging a run for TensorBoard, and reading it back

**Catalog E5** · **Question:** training · **Family:** neural network · **Phase:** during training · **Data:** MNIST

TensorBoard is the standard dashboard for watching a training run: the training loop
writes *event files* with `torch.utils.tensorboard.SummaryWriter`, and the `tensorboard`
program reads them and draws live curves and histograms. Because event files are just
data, you can also read them back in Python, to draw the same curves in a report or to
compare runs programmatically. This page writes a real run's event files, reads them
with TensorBoard's own `EventAccumulator`, and draws what TensorBoard would show.
"""

# %%
# ## A training loop that logs
#
# A small MLP on the gallery's split of MNIST's official 10,000-image test set. The only
# additions to an ordinary loop are the `SummaryWriter` calls: `add_scalar` for each
# mini-batch loss and the validation accuracy, `add_scalars` for the two epoch losses,
# `add_histogram` for each layer's weights and biases. The event files go into the
# gallery's cache folder, not into the repository.
import shutil

import torch
import torch.nn.functional as F
from torch.utils.tensorboard import SummaryWriter

from mlviz.config import QUICK, SEED, cache_dir
from mlviz.models import MLP, evaluate, mnist_tensors

X_train, y_train = mnist_tensors("train", n=600 if QUICK else 3000)
X_val, y_val = mnist_tensors("val", n=300 if QUICK else 1000)
logdir = cache_dir("tensorboard") / "mlp_mnist"
shutil.rmtree(logdir, ignore_errors=True)  # one run per build, not an accumulation

torch.manual_seed(SEED)
model = MLP(hidden=(128, 64), activation="relu", init="kaiming")
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
generator = torch.Generator().manual_seed(SEED)
writer = SummaryWriter(log_dir=str(logdir))
step = 0
for epoch in range(1, (2 if QUICK else 6) + 1):
    model.train()
    for idx in torch.randperm(len(y_train), generator=generator).split(64):
        loss = F.cross_entropy(model(X_train[idx]), y_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        writer.add_scalar("batch/loss", loss.item(), step)
    train_metrics, val_metrics = (
        evaluate(model, X_train, y_train),
        evaluate(model, X_val, y_val),
    )
    writer.add_scalars(
        "epoch/loss",
        {"train": train_metrics["loss"], "validation": val_metrics["loss"]},
        epoch,
    )
    writer.add_scalar("epoch/val_accuracy", val_metrics["accuracy"], epoch)
    for name, param in model.named_parameters():
        writer.add_histogram(name, param, epoch)
writer.close()
print(sorted(str(p.relative_to(logdir)) for p in logdir.rglob("events.out.tfevents.*")))

# %%
# ## Open it in TensorBoard
#
# The command below starts TensorBoard on the folder this page just wrote; open the
# address it prints (http://localhost:6006 by default).
from mlviz.report import say

say(f"```\ntensorboard --logdir {logdir}\n```")

# %%
# ## Read the event files back
#
# `EventAccumulator` is the reader TensorBoard itself uses. `add_scalars` wrote each of
# its curves into its own sub-folder (`epoch_loss_train`, `epoch_loss_validation`), so
# we load every folder that holds an event file.
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

scalars = {}
for folder in sorted({p.parent for p in logdir.rglob("events.out.tfevents.*")}):
    acc = EventAccumulator(
        str(folder), size_guidance={"scalars": 0, "histograms": 0}
    ).Reload()
    run = folder.relative_to(logdir).as_posix()
    for tag in acc.Tags()["scalars"]:
        events = acc.Scalars(tag)
        scalars[tag if run == "." else f"{tag} ({run})"] = (
            [e.step for e in events],
            [e.value for e in events],
        )
    if run == ".":
        histogram_tags = acc.Tags()["histograms"]
        fc1_hist = acc.Histograms("fc1.weight")
say(
    "Scalar series found in the event files: "
    + ", ".join(f"`{tag}` ({len(steps)} points)" for tag, (steps, _) in scalars.items())
    + f". Histogram tags: {', '.join(f'`{t}`' for t in histogram_tags)}."
)

# %%
# ## Draw what TensorBoard shows
#
# The same curves, drawn from the values read back: the per-batch loss (with the
# smoothing TensorBoard applies by default: an exponential moving average with weight
# 0.6, divided by $1 - 0.6^n$ so that the first points are not pulled towards 0), the
# epoch losses, and the histogram of `fc1.weight` per epoch. The histograms are stored
# in buckets whose width grows by 10 % per bucket away from 0 (narrow near 0, wide
# far from it). TensorBoard's Histograms tab redistributes them over 30 equal-width
# bins, sharing each bucket's count by overlap; `equal_width` below does the same.
import matplotlib.pyplot as plt
import numpy as np

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz


def equal_width(events, n_bins=30):
    """Re-bin TensorBoard histogram events into n_bins equal bins over all of them."""
    lo = min(e.histogram_value.min for e in events)
    hi = max(e.histogram_value.max for e in events)
    edges = np.linspace(lo, hi, n_bins + 1)
    rows = []
    for e in events:
        h = e.histogram_value
        right = np.array(h.bucket_limit)  # bucket i spans (right[i-1], right[i]]
        left = np.maximum(right[:-1], h.min)
        right = np.minimum(right[1:], h.max)
        counts = np.array(h.bucket)[1:]
        overlap = np.minimum(right[:, None], edges[1:]) - np.maximum(
            left[:, None], edges[:-1]
        )
        share = overlap.clip(min=0) / np.maximum(right - left, 1e-300)[:, None]
        rows.append(counts @ share)
    return edges, np.array(rows)


fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
steps, values = scalars["batch/loss"]
smooth, last = [], 0.0
for n, v in enumerate(values, start=1):
    last = 0.6 * last + 0.4 * v
    smooth.append(last / (1 - 0.6**n))
axes[0].plot(steps, values, color="C0", alpha=0.3, lw=0.8)
axes[0].plot(steps, smooth, color="C0")
axes[0].set(title="batch/loss", xlabel="step", yscale="log")
for tag, (s, v) in scalars.items():
    if tag.startswith("epoch/loss"):
        axes[1].plot(s, v, "-o", label=tag.split("_")[-1].rstrip(")"))
axes[1].set(title="epoch/loss", xlabel="epoch")
axes[1].legend()
edges, counts = equal_width(fc1_hist)
centers = (edges[:-1] + edges[1:]) / 2
colors = plt.cm.viridis_r(np.linspace(0.1, 0.95, len(fc1_hist)))
for event, row, color in zip(fc1_hist, counts, colors):
    axes[2].plot(centers, row, color=color, label=f"epoch {event.step}")
axes[2].set(title="fc1.weight histogram", xlabel="weight value", ylabel="count per bin")
axes[2].legend(fontsize=8)
for ax in axes:
    ax.grid(alpha=0.3)
plt.show()
steps_acc, acc_values = scalars["epoch/val_accuracy"]
fc1_std = [
    np.sqrt(h.sum_squares / h.num - (h.sum / h.num) ** 2)
    for h in (e.histogram_value for e in fc1_hist)
]
# how far apart the first and last histogram lines are: the share of the weights that
# would have to change bins to turn one into the other
shares = counts / counts.sum(axis=1, keepdims=True)
apart = 0.5 * np.abs(shares[-1] - shares[0]).sum()
say(
    f"The validation accuracy read back from the event files reaches "
    f"**{acc_values[-1]:.1%}** after epoch {steps_acc[-1]}. The standard deviation of "
    f"`fc1.weight` (from the histograms' stored sums) goes from {fc1_std[0]:.4f} "
    f"after epoch {fc1_hist[0].step} to {fc1_std[-1]:.4f} after epoch "
    f"{fc1_hist[-1].step} ({fc1_std[-1] / fc1_std[0] - 1:+.1%}), and {apart:.1%} of "
    "the weights would have to change bins to turn the first histogram into the last: "
    + (
        "the histogram lines nearly coincide."
        if apart < 0.05
        else "the histogram widens visibly."
        if fc1_std[-1] > 1.05 * fc1_std[0]
        else "the histogram narrows visibly."
        if fc1_std[-1] < 0.95 * fc1_std[0]
        else "the histogram changes its shape more than its spread."
    )
)

# %%
# ## How to read this figure
#
# * Left: every mini-batch's loss (pale) and TensorBoard's smoothed curve (dark).
# * Middle: training and validation loss per epoch, as TensorBoard overlays the runs
#   written by `add_scalars`.
# * Right: the weight histograms TensorBoard shows in its "Histograms" tab, one line
#   per epoch. Plotting the stored bucket counts directly would be wrong: the buckets
#   narrow towards 0, so their counts dip there and a bell-shaped distribution looks
#   like two humps. Counts per equal-width bin are comparable.
#
# ## Pitfalls
#
# * **Re-running appends**: each `SummaryWriter` adds a new event file to the folder,
#   and TensorBoard overlays them as one jagged run. Use one folder per run (here the
#   page deletes the previous one).
# * **Call `writer.close()`** (or `flush()`): events are buffered, and a crashed run
#   without a flush loses its last points.
# * **TensorBoard samples**: by default its dashboard shows at most 1,000 points per
#   scalar series (`--samples_per_plugin` changes that), and `EventAccumulator` keeps
#   10,000 scalars but only one histogram per tag; `size_guidance=0` above keeps all.
