"""
# A neural network on the circles data, in PyTorch

**Catalog H3** · **Question:** training, internals · **Family:** neural network · **Phase:** during training · **Data:** circles (synthetic)

The [neural network playground](../../playground.md) trains a small network in your
browser and redraws it every epoch: the decision boundary, every neuron's output over
the plane, the weights, the loss curves. This page is its Python counterpart. It trains
the playground's default network (two hidden layers of four tanh neurons, plain SGD
with learning rate 0.1 on mini-batches of ten) on the playground's default data set,
the circles, in PyTorch, and draws three of its pictures with matplotlib, frozen at a
few epochs. Use it to continue in a notebook what you tried in the browser. The
points here are drawn like the playground's but with NumPy's random numbers; the
playground's *Copy as PyTorch* button writes a script that reproduces the browser's
own run exactly (same points, weights and batches), for any setting.
"""

# %%
# ## Prepare the data
#
# A blue disc inside an orange ring, drawn as the playground draws them: 200 points at
# a random radius below 0.5 (blue, label 1) and 200 at a radius between 0.7 and 1
# (orange, label 0), at random angles, then Gaussian noise of standard deviation 0.05
# on each coordinate. No straight line separates the two, so a model without hidden
# layers must fail. Half of the 400 points train the network; the other half tell us
# whether what it learned holds for points it has not seen.
import numpy as np
import torch
from sklearn.model_selection import train_test_split

from mlviz.config import QUICK, SEED

rng = np.random.default_rng(SEED)
y = np.repeat([1.0, 0.0], 200)  # the disc first, then the ring
radius = np.where(y == 1, rng.uniform(0, 0.5, 400), rng.uniform(0.7, 1.0, 400))
angle = rng.uniform(0, 2 * np.pi, 400)
X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
X += rng.normal(0, 0.05, X.shape)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=0.5, stratify=y, random_state=SEED
)
X_train, X_test = torch.tensor(X_train), torch.tensor(X_test)
y_train, y_test = (
    torch.tensor(y_train, dtype=torch.float64),
    torch.tensor(y_test, dtype=torch.float64),
)
print(
    f"{len(X_train)} training points, {len(X_test)} test points, "
    f"{y_train.mean():.0%} of the training points blue"
)

# %%
# ## Train the network, keeping snapshots
#
# The network outputs one logit; `BCEWithLogitsLoss` applies the sigmoid inside the
# loss, which is numerically safer than a sigmoid layer followed by `BCELoss`. An epoch
# shuffles the training points and takes one SGD step per mini-batch, exactly what one
# *Step* of the playground does. We record both losses after every epoch and keep a
# copy of the weights at a few epochs to draw the boundary as it forms.
import copy

from torch import nn

torch.manual_seed(SEED)
model = nn.Sequential(
    nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 1)
).double()
# the playground's initialization: Glorot-uniform weights, zero biases
for layer in model[::2]:
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

n_epochs = 80 if QUICK else 200
snapshot_epochs = [0, n_epochs // 12, n_epochs // 4, n_epochs]
snapshots = {0: copy.deepcopy(model)}
history = {"train": [], "test": []}
for epoch in range(1, n_epochs + 1):
    for idx in torch.randperm(len(X_train)).split(10):
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[idx]).squeeze(1), y_train[idx])
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        history["train"].append(loss_fn(model(X_train).squeeze(1), y_train).item())
        history["test"].append(loss_fn(model(X_test).squeeze(1), y_test).item())
    if epoch in snapshot_epochs:
        snapshots[epoch] = copy.deepcopy(model)

with torch.no_grad():
    accuracy = (
        ((model(X_test).squeeze(1) > 0).double() == y_test).double().mean().item()
    )

from mlviz.report import claim, say

say(
    f"After **{n_epochs} epochs** the training loss is {history['train'][-1]:.3f} and "
    f"the test loss {history['test'][-1]:.3f} (it was {history['test'][0]:.3f} after "
    f"the first epoch); the network classifies **{accuracy:.1%}** of the "
    f"{len(X_test)} test points correctly."
)

# %%
# ## The decision boundary as it forms
#
# Evaluate the network on a grid over the plane and colour each cell by the predicted
# probability of blue; the boundary is the 50% contour. These are four frames of the
# playground's big output square, in the playground's colours (orange for 0, blue for
# 1, light grey in between).
import matplotlib.pyplot as plt
from matplotlib.colors import LinearSegmentedColormap

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

playground = LinearSegmentedColormap.from_list(
    "playground",
    ["#e8710a", "#f1f3f4", "#1a73e8"],  # nnpg-neg, nnpg-mid, nnpg-pos
)

lim = 1.5
grid = torch.linspace(-lim, lim, 121, dtype=torch.float64)
gx, gy = torch.meshgrid(grid, grid, indexing="xy")
plane = torch.stack([gx.ravel(), gy.ravel()], 1)


def probability_map(net):
    """P(blue) on the grid, shaped like gx."""
    with torch.no_grad():
        return torch.sigmoid(net(plane)).reshape(gx.shape).numpy()


fig, axes = plt.subplots(1, 4, figsize=(12, 3.4), sharey=True)
for ax, epoch in zip(axes, snapshot_epochs):
    ax.contourf(
        gx,
        gy,
        probability_map(snapshots[epoch]),
        levels=np.linspace(0, 1, 11),
        cmap=playground,
        alpha=0.6,
    )
    ax.contour(
        gx,
        gy,
        probability_map(snapshots[epoch]),
        levels=[0.5],
        colors="black",
        linewidths=1.2,
    )
    ax.scatter(
        *X_train.T, c=y_train, cmap=playground, edgecolor="white", linewidth=0.6, s=16
    )
    ax.set(
        title=f"epoch {epoch}",
        xlabel="x1",
        aspect="equal",
        xlim=(-lim, lim),
        ylim=(-lim, lim),
    )
    ax.grid(False)
axes[0].set_ylabel("x2")
fig.suptitle(
    "P(blue) over the plane; black line: the 50% boundary; dots: training points"
)
plt.show()

maps = {epoch: probability_map(snapshots[epoch]) for epoch in snapshot_epochs}
pale = np.abs(maps[0] - 0.5).max()  # how far from 50 % the untrained map gets
blue_share = {epoch: (p > 0.5).mean() for epoch, p in maps.items()}
disc = np.pi * 0.5**2 / (2 * lim) ** 2  # the disc's share of the square
say(
    f"At epoch 0 the probability stays within **{100 * pale:.0f} percentage points** "
    "of 50 % everywhere. The share of the square predicted blue: "
    + ", ".join(f"epoch {e}: {share:.0%}" for e, share in blue_share.items())
    + f" (the disc of radius 0.5 covers {disc:.0%})."
)
claim(pale < 0.25, "early on, the map is pale everywhere", evidence=f"{pale:.2f}")
final = blue_share[n_epochs]
claim(
    final < blue_share[snapshot_epochs[1]] and abs(final - disc) < 0.05,
    "the boundary shrinks onto the blue disc",
    evidence=f"{blue_share}, disc {disc:.3f}",
)
# %%
# ## Every neuron's output over the plane
#
# The playground's small squares: for each hidden neuron, its output at every point of
# the plane (the same square as above, from -1.5 to 1.5; the grey dots are the
# training points), after training. We run the grid through the layers one at a time
# and keep each layer's output. As in the playground, blue is a positive output and
# orange a negative one; tanh keeps them in [-1, 1]. The first layer can only draw
# straight cuts (tanh of a linear function); the second layer bends them by combining
# the first layer's cuts.
layer_outputs = []
with torch.no_grad():
    h = plane
    for module in model:
        h = module(h)
        if isinstance(module, nn.Tanh):
            layer_outputs.append(h.numpy())

n_layers, width = len(layer_outputs), max(a.shape[1] for a in layer_outputs)
fig, axes = plt.subplots(
    n_layers, width, figsize=(1.9 * width, 2.0 * n_layers), squeeze=False
)
for layer, outputs in enumerate(layer_outputs):
    for neuron in range(width):
        ax = axes[layer, neuron]
        ax.set(xticks=[], yticks=[], aspect="equal")
        ax.grid(False)
        if neuron >= outputs.shape[1]:
            ax.set_axis_off()
            continue
        image = ax.imshow(
            outputs[:, neuron].reshape(gx.shape),
            origin="lower",
            extent=(-lim, lim, -lim, lim),
            cmap=playground,
            vmin=-1,
            vmax=1,
        )
        ax.scatter(*X_train.T, c="black", s=1, alpha=0.4)  # where the data are
        ax.set_title(f"layer {layer + 1}, neuron {neuron + 1}", fontsize=9)
fig.colorbar(image, ax=axes, shrink=0.8, label="neuron output (tanh)")
plt.show()

# %%
# ## The loss curves
#
# The playground's small chart: mean binary cross-entropy on the training and the test
# points after every epoch.
fig, ax = plt.subplots(figsize=(7, 3.5))
epochs = np.arange(1, n_epochs + 1)
# the playground's line colours: blue and orange mean the two classes on this page
ax.plot(epochs, history["train"], color="0.2", label="training points")
ax.plot(epochs, history["test"], color="#c2185b", label="test points", linewidth=2)
ax.set(
    xlabel="epoch",
    ylabel="binary cross-entropy",
    title="Loss per epoch",
    ylim=(0, None),
)
ax.legend()
plt.show()

# Each loss is a mean over 200 points: its standard error (the spread of the per-point
# losses over the square root of their number) says which differences are noise.
with torch.no_grad():
    point_loss = {
        name: nn.functional.binary_cross_entropy_with_logits(
            model(X).squeeze(1), y, reduction="none"
        ).numpy()
        for name, X, y in (("train", X_train, y_train), ("test", X_test, y_test))
    }
se = {name: v.std(ddof=1) / np.sqrt(len(v)) for name, v in point_loss.items()}
gap = history["test"][-1] - history["train"][-1]
gap_se = np.hypot(se["train"], se["test"])  # two independent sets of points
best = int(np.argmin(history["test"])) + 1
rising = history["test"][-1] - min(history["test"]) > 2 * se["test"]
say(
    f"The test loss is lowest at epoch {best} ({min(history['test']):.3f}); at the end "
    f"it is {history['test'][-1]:.3f} ± {se['test']:.3f} (standard error), "
    f"{gap:+.3f} from the training loss (standard error of that gap: {gap_se:.3f}). "
    + (
        "The test loss rose again after its minimum by more than twice its standard "
        "error: the network began to learn the particular training points."
        if rising
        else "The test loss stays above the training loss by more than twice the "
        "standard error: the network does better on the points it trained on."
        if gap > 2 * gap_se
        else "The two curves agree within twice that standard error: no sign that "
        "the network has overfitted these 200 points."
    )
)

# %%
# ## How to read these figures
#
# * **Boundary frames**: early on, the map is pale everywhere (the output starts near
#   50 %, whatever the initial boundary's shape). The boundary then shrinks onto the
#   blue disc (the share of the square predicted blue is measured above). Where the
#   colour is pale the network is unsure; far from the data it extrapolates with
#   whatever shape fits the points, not with a ring it has "understood".
# * **Neuron maps**: each first-layer map is a tanh of a straight line, a soft cut
#   across the plane in some direction. A second-layer neuron adds such cuts with its
#   weights, which is how a closed shape appears around the disc.
# * **Loss curves**: both falling together means the network is still learning
#   something general; the test curve flattening or rising while the training curve
#   keeps falling means it is learning the particular training points.
# * To watch this happen, open the [playground](../../playground.md), which starts
#   with the same network and the same kind of data (other random points); *Copy as
#   PyTorch* there gives a script that reproduces the browser's run exactly.
#
# ## Pitfalls
#
# * **Toy data are easy.** Two clean features and a smooth boundary are the best case
#   for a small network; a fast fall of the loss here says nothing about your data.
# * **One run is one seed.** Another initialization can stall on a plateau or find a
#   different set of cuts; compare a few seeds before concluding that an architecture
#   does not work.
# * **Neuron maps show the whole plane**, including regions with no data, where what a
#   neuron computes never influenced training.
# * **The colours of neuron maps are signs, not classes**: a neuron that is positive on
#   the disc may push the output towards orange through a negative weight. (Blue for
#   positive is the playground's convention; the gallery's attribution pages use red.)
