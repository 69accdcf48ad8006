"""
# Loss landscape: the loss around the trained CNN, and the path training took

**Catalog G1** · **Question:** training, internals · **Family:** neural network · **Phase:** after training · **Data:** MNIST

A trained network is one point in a space with about $10^5$ dimensions (one per weight).
The loss landscape plot (Li et al., 2018, *Visualizing the Loss Landscape of Neural
Nets*) slices that space with a plane through the trained weights and draws the loss
on it. It shows whether the network sits in a wide, flat basin (small weight changes
barely hurt: often taken as a sign of a robust solution) or in a narrow ravine, and,
with a plane spanned by the directions training actually moved in, the path the
optimizer followed from its random start down to the trained weights.
"""

# %%
# ## The trained CNN, with copies of its weights along the way
#
# We use the gallery's shared MNIST CNN configuration, trained with
# `checkpoints=...`: `mlviz.models.train` then also keeps copies of the weights at
# initialization and several times per epoch (the run itself is identical; the option
# only adds snapshots, and the run is cached like every shared model). The loss is
# measured on images of the gallery's validation part (MNIST's official 10,000-image
# test split, divided by the gallery into train/validation/test).
import torch

from mlviz.config import QUICK
from mlviz.models import mnist_cnn_config, mnist_tensors, train

run = train(mnist_cnn_config().replace(checkpoints=2 if QUICK else 3))
model = run.model
X_eval, y_eval = mnist_tensors("val", n=100 if QUICK else 256)
print(f"{len(run.checkpoints)} checkpoints at steps {run.checkpoint_steps.tolist()}")

# %%
# ## Two random directions, normalized filter by filter
#
# A plain random direction is misleading: a step of the same size changes a layer with
# small weights far more (relatively) than a layer with large ones, and ReLU networks
# are invariant to rescaling a filter up and the next layer down. Li et al. therefore
# rescale each *filter* of the random direction to the norm of the same filter in the
# trained weights. For a weight tensor of shape `(out, ...)` a filter is one slice
# `[i]`: one output channel's kernel `(in, kh, kw)` of a convolution, one unit's
# incoming weights of a dense layer. Each filter `d[i]` of a Gaussian direction becomes
# `d[i] / ||d[i]|| * ||w[i]||`; biases get no component. A step of 1 along such a
# direction changes every filter by as much as its own size. (`parameters_of` returns
# the weights as a list of tensors, in `model.parameters()` order.)
#
# The directions must be independent of the weights. The network's initial weights
# were drawn with the gallery's seed, `SEED`; a direction drawn from a generator
# seeded the same way reuses the same random stream and comes out correlated with them.
# We therefore draw the directions with other seeds, and check the cosines.
import numpy as np

from mlviz.config import SEED
from mlviz.inspect.landscape import flatten, parameters_of
from mlviz.report import claim, say


def filter_normalized_direction(weights, seed):
    """A Gaussian direction with each filter rescaled to the norm of the weights'."""
    generator = torch.Generator().manual_seed(seed)
    direction = []
    for w in weights:
        d = torch.randn(w.shape, generator=generator)
        if w.dim() == 1:  # a bias: no component along this direction
            direction.append(torch.zeros_like(w))
            continue
        per_filter = (-1,) + (1,) * (w.dim() - 1)  # broadcast one norm per filter
        d_norm = d.flatten(1).norm(dim=1).view(per_filter)
        w_norm = w.flatten(1).norm(dim=1).view(per_filter)
        direction.append(d / d_norm * w_norm)
    return direction


weights = parameters_of(model)
d1 = filter_normalized_direction(weights, seed=SEED + 1)
d2 = filter_normalized_direction(weights, seed=SEED + 2)
for (name, _), w, d in zip(model.named_parameters(), weights, d1):
    if w.dim() > 1:
        w_norms = w.flatten(1).norm(dim=1)[:3].numpy().round(3)
        d_norms = d.flatten(1).norm(dim=1)[:3].numpy().round(3)
        print(f"{name:12s} filter norms of w: {w_norms}  of d1: {d_norms}")


def cosine(u, v):
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


start, trained = flatten(parameters_of(run.checkpoints[0], model)), flatten(weights)
cosines = [cosine(flatten(d), w) for d in (d1, d2) for w in (start, trained)]
say(
    f"Cosine of d1 with the initial weights {cosines[0]:+.3f}, with the trained "
    f"weights {cosines[1]:+.3f}; of d2: {cosines[2]:+.3f} and {cosines[3]:+.3f}. "
    "All are near 0, as independent directions should be (a direction drawn with "
    "`SEED` itself: "
    f"{cosine(flatten(filter_normalized_direction(weights, seed=SEED)), start):+.3f} "
    "with the initial weights)."
)
claim(
    max(map(abs, cosines)) < 0.1,
    "the directions are independent of the weights",
    evidence=f"cosines {cosines}",
)

# %%
# ## The loss on a grid
#
# `loss_grid` sets the weights of a copy of the network to `w + a d1 + b d2` for every
# grid point and measures the cross-entropy on the evaluation images, in mini-batches.
# Each point is a full forward pass, so the grid is kept coarse (finer in the full
# build than in quick mode).
from mlviz.inspect.landscape import loss_grid

n_grid = 7 if QUICK else 15
coords = np.linspace(-1.0, 1.0, n_grid)
grid = loss_grid(model, [d1, d2], X_eval, y_eval, coords, coords, batch_size=128)
middle = (n_grid // 2, n_grid // 2)
centre = grid.loss[middle]
radius = np.hypot(*np.meshgrid(coords, coords))
low = np.unravel_index(grid.loss.argmin(), grid.loss.shape)
ring = np.isclose(radius, 0.5, atol=0.5 / (n_grid - 1) * 1.5)


def image_losses(a, b):
    """The loss of each evaluation image at the weights w + a d1 + b d2."""
    names = [name for name, _ in model.named_parameters()]
    moved = {n: w + a * u + b * v for n, w, u, v in zip(names, weights, d1, d2)}
    with torch.no_grad():
        logits = torch.func.functional_call(model, moved, (X_eval,))
    return torch.nn.functional.cross_entropy(logits, y_eval, reduction="none").numpy()


# the dip below the trained weights, per image: a paired comparison on the same images
dip = image_losses(0.0, 0.0) - image_losses(coords[low[1]], coords[low[0]])
dip_se = dip.std(ddof=1) / np.sqrt(len(dip))
say(
    f"At the trained weights the loss is **{centre:.3f}** (accuracy "
    f"{grid.accuracy[middle]:.1%}) on {len(y_eval)} validation images. Half a "
    f"filter-norm away (|(a, b)| ≈ 0.5) it averages {grid.loss[ring].mean():.3f}; the "
    f"highest loss on the grid is {grid.loss.max():.2f} (accuracy down to "
    f"{grid.accuracy.min():.1%}). The lowest loss on the grid, {grid.loss[low]:.3f}, "
    f"lies at (a, b) = ({coords[low[1]]:.2f}, {coords[low[0]]:.2f})"
    + (
        ", at the trained weights."
        if low == middle
        else f", {dip.mean():.3f} below the trained weights' (standard error of that "
        f"difference over the {len(dip)} images: {dip_se:.3f}). "
        + (
            "A real dip. Nothing forbids one: training minimized the loss on the "
            "*training* images, and these are validation images."
            if dip.mean() > 2 * dip_se
            else "That is within the noise of so few images: the grid cannot tell "
            "its lowest point from the trained weights."
        )
    )
)

# %%
# ## Contour plot
#
# Contours are drawn on a logarithmic scale of the loss so that the basin floor and the
# steep walls are both visible. The cross marks the trained weights.
import matplotlib.pyplot as plt
from matplotlib.colors import LogNorm

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

levels = np.geomspace(grid.loss.min(), grid.loss.max(), 16)
fig, ax = plt.subplots(figsize=(6.4, 5.4))
filled = ax.contourf(
    grid.alphas, grid.betas, grid.loss, levels=levels, norm=LogNorm(), cmap="viridis"
)
lines = {"colors": "white", "linewidths": 0.4, "alpha": 0.6}  # the contour lines
ax.contour(grid.alphas, grid.betas, grid.loss, levels=levels, **lines)
ax.plot(0, 0, "x", color="red", ms=10, mew=2, label="trained weights")
fig.colorbar(filled, ax=ax, label="cross-entropy (log scale)", format="%.2g")
ax.set_xlabel("a (along random direction d1)")
ax.set_ylabel("b (along random direction d2)")
ax.set_aspect("equal")
ax.legend(loc="upper right", fontsize=9)
ax.set_title(
    "Loss around the trained CNN\n(filter-normalized random directions)", fontsize=11
)
plt.show()

# %%
# ## The same surface in 3-D
#
# Drag to rotate, scroll to zoom, hover for the exact loss. The height is log10 of the
# loss, as in the contour plot.
import plotly.graph_objects as go

fig = go.Figure(
    go.Surface(
        x=grid.alphas,
        y=grid.betas,
        z=np.log10(grid.loss),
        customdata=grid.loss,
        colorscale="Viridis",
        colorbar={"title": "log10 loss"},
        hovertemplate=(
            "a=%{x:.2f}<br>b=%{y:.2f}<br>loss=%{customdata:.3f}<extra></extra>"
        ),
    )
)
fig.update_layout(
    title="Loss landscape (log10 cross-entropy)",
    scene={
        "xaxis_title": "a (d1)",
        "yaxis_title": "b (d2)",
        "zaxis_title": "log10 loss",
    },
    height=560,
    margin={"l": 0, "r": 0, "t": 50, "b": 0},
)
fig

# %%
# ## The training trajectory
#
# Random directions are almost orthogonal to the path training took (in $10^5$
# dimensions, any two random vectors are), so projecting the checkpoints on them shows
# nothing. Li et al. instead use the two principal directions of the moves
# `checkpoint - final weights` (PCA), and draw the loss on *that* plane. The share of
# the moves' variance the two directions explain tells how faithful the 2-D picture of
# the path is.
from mlviz.inspect.landscape import pca_directions, project_onto

path = [parameters_of(state, model) for state in run.checkpoints]
moves = np.array([flatten(p) - flatten(weights) for p in path])  # checkpoint - final
along = cosine(flatten(d1), moves[0])
say(
    f"The cosine between the random direction d1 and the move from the initialization "
    f"to the trained weights is **{along:+.3f}**: "
    + ("almost orthogonal." if abs(along) < 0.1 else "not orthogonal.")
)
pcs, explained = pca_directions(path, weights)
xy = project_onto(path, weights, pcs)
span = np.abs(xy).max(axis=0) * 1.25
n_pca = 6 if QUICK else 11
pca_grid = loss_grid(
    model,
    pcs,
    X_eval,
    y_eval,
    np.linspace(-span[0], span[0], n_pca),
    np.linspace(-span[1], span[1], n_pca),
    batch_size=128,
)
start_loss = torch.nn.functional.cross_entropy(
    torch.func.functional_call(model, run.checkpoints[0], (X_eval,)), y_eval
).item()
distance = np.linalg.norm(moves[0])
say(
    f"The two principal directions explain **{explained[0]:.0%}** and "
    f"**{explained[1]:.0%}** of how the weights moved ({explained.sum():.0%} "
    f"together). The path runs from the initialization (loss {start_loss:.2f}) at "
    f"({xy[0, 0]:.1f}, {xy[0, 1]:.1f}) to the trained weights at (0, 0); the total "
    f"distance in weight space is {distance:.1f} (of which the plane shows "
    f"{np.linalg.norm(xy[0]):.1f})."
)

# How fast did the weights approach their final values? Distances in the full weight
# space, from each checkpoint to the trained weights and between checkpoints.
steps_per_epoch = run.history.steps_per_epoch
left = np.linalg.norm(moves, axis=1)
after_one = left[run.checkpoint_steps == steps_per_epoch][0]
hops = np.linalg.norm(np.diff(moves, axis=0), axis=1)  # checkpoint to checkpoint
epoch_of_hop = np.ceil(run.checkpoint_steps[1:] / steps_per_epoch)  # 1 = first epoch
first = hops[epoch_of_hop == 1].mean()
last = hops[epoch_of_hop == epoch_of_hop.max()].mean()
say(
    f"After the first epoch the weights are {after_one:.1f} from their final values: "
    f"that epoch covered **{1 - after_one / distance:.0%}** of the straight-line "
    f"distance. Steps between checkpoints average {first:.2f} in the first epoch and "
    f"{last:.2f} in the last: they "
    + ("shrink" if last < first else "do not shrink")
    + " as training goes on."
)

# %%
# The trajectory is drawn over the loss on the PCA plane; the numbers are the epochs
# (each dot a checkpoint).
fig, ax = plt.subplots(figsize=(6.8, 5.4))
levels = np.geomspace(pca_grid.loss.min(), pca_grid.loss.max(), 16)
filled = ax.contourf(
    pca_grid.alphas,
    pca_grid.betas,
    pca_grid.loss,
    levels=levels,
    norm=LogNorm(),
    cmap="viridis",
)
ax.contour(pca_grid.alphas, pca_grid.betas, pca_grid.loss, levels=levels, **lines)
ax.plot(xy[:, 0], xy[:, 1], "-o", color="orange", ms=4, lw=1.5, label="training path")
for (x, y), step in zip(xy, run.checkpoint_steps):
    if step % steps_per_epoch == 0:
        ax.annotate(
            str(step // steps_per_epoch),
            (x, y),
            textcoords="offset points",
            xytext=(5, 5),
            color="white",
            fontsize=9,
        )
ax.plot(0, 0, "x", color="red", ms=10, mew=2, label="trained weights")
fig.colorbar(filled, ax=ax, label="cross-entropy (log scale)", format="%.2g")
ax.set_xlabel(f"1st principal direction ({explained[0]:.0%} of the moves)")
ax.set_ylabel(f"2nd principal direction ({explained[1]:.0%})")
ax.legend(loc="lower left", fontsize=9)
ax.set_title("Training path on the plane of its two main directions")
plt.show()

# %%
# ## How to read this figure
#
# * **The basin around the cross**: its width, in filter-norm units, says how far the
#   weights can move before the loss rises. Wide, round basins have been linked to
#   networks that generalize well and tolerate quantization or noise, narrow ones to
#   brittle ones (a debated link: sharpness depends on how the weights are scaled,
#   which filter normalization only partly removes).
#   Compare landscapes of *different* networks only with the same normalization, data
#   and grid.
# * **Contour spacing**: dense contours are steep walls, sparse ones a flat floor.
# * **The trajectory**: how much of the distance the first epoch covered, and whether
#   the steps shrink near the end, is measured above. A path that curves is normal: the
#   optimizer follows the local slope, not the straight line to the minimum.
#
# ## Pitfalls
#
# * **Two dimensions out of $10^5$.** A slice can miss every other direction: the
#   network may be in a valley that is flat along these two and sharp along others.
#   Repeat with other seeds before calling a minimum flat.
# * **Without filter normalization the picture depends on the weights' scale**, not on
#   the geometry the network actually uses; do not compare un-normalized plots.
# * **The PCA plane is fitted to the path**, so the path always looks well explained in
#   it; the explained-variance shares above say how much is left out. The loss far from
#   the path on that plane says little about where training could have gone.
# * **The grid is coarse and measured on a small sample of validation images** (the
#   count is given above): small bumps are noise.
