"""
# UMAP of MNIST: n_neighbors, min_dist, and t-SNE beside it

**Catalog A5** · **Question:** data, structure, comparison · **Family:** any · **Phase:** before training · **Data:** MNIST

UMAP (McInnes et al., 2018) builds a neighbour graph of the data and lays it out in
2-D. Like t-SNE it keeps local neighbourhoods, but it is usually faster and keeps more
of the global arrangement. Two knobs shape the map: `n_neighbors` (how local the view
is) and `min_dist` (how tightly points may pack). This page varies both on MNIST,
times each run, and puts t-SNE on the same data beside it.
"""

# %%
# ## Prepare the digits
#
# The same recipe as the t-SNE page: a random subset of the training part of the
# gallery's split of MNIST's official 10,000-image test set, pixels in [0, 1], PCA to
# 50 dimensions first.
import numpy as np

from mlviz.config import QUICK, SEED
from mlviz.datasets import load_mnist_split

data = load_mnist_split()
keep = np.random.default_rng(SEED).choice(len(data.y_train), size=400 if QUICK else 1500, replace=False)
X = data.X_train[keep].reshape(len(keep), -1) / 255.0
y = data.y_train[keep]

# %%
# ## A grid of UMAP settings, and t-SNE
#
# `embed_2d(X, "umap", n_neighbors=..., min_dist=...)` calls `umap.UMAP` after PCA.
# The first UMAP call compiles numba code (cached between builds); it is run once
# before timing.
from mlviz.inspect.embedding import embed_2d, neighbour_agreement

embed_2d(X[:100], "umap", n_neighbors=5)  # warm-up: numba compilation is not UMAP's run time
grid = [(5, 0.0), (5, 0.5), (50, 0.0), (50, 0.5)]
runs = {f"UMAP n_neighbors={k}, min_dist={d}": embed_2d(X, "umap", n_neighbors=k, min_dist=d, seed=SEED) for k, d in grid}
runs["t-SNE perplexity=30"] = embed_2d(X, "tsne", perplexity=30, seed=SEED)
runs["PCA (2 components)"] = embed_2d(X, "pca")

# %%
# ## Draw them
import matplotlib.pyplot as plt
plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import plot_embedding

fig, axes = plt.subplots(2, 3, figsize=(12, 8.4))
for ax, (name, run) in zip(axes.flat, runs.items()):
    plot_embedding(run.coords, y, ax=ax, title=f"{name}\n{run.seconds:.1f} s, neighbours agree {neighbour_agreement(run.coords, y):.0%}")
fig.suptitle(f"{len(y):,} MNIST digits (PCA 50 first), coloured by true digit")
plt.show()

from mlviz.report import md

agree = {name: neighbour_agreement(run.coords, y) for name, run in runs.items()}
best = max(agree, key=agree.get)
umap_times = [run.seconds for name, run in runs.items() if name.startswith("UMAP")]
md(
    f"Best label agreement of the 10 nearest map neighbours: **{best}** ({agree[best]:.1%}); PCA reaches "
    f"{agree['PCA (2 components)']:.1%}. UMAP took {min(umap_times):.1f}–{max(umap_times):.1f} s per run, "
    f"t-SNE {runs['t-SNE perplexity=30'].seconds:.1f} s, on {len(y):,} points and one core."
)

# %%
# ## How to read this figure
#
# * Small `n_neighbors` favours local detail (more, smaller islands); large values show
#   how the islands relate.
# * `min_dist=0` packs each class into a tight clump (good for clustering);
#   larger values spread points out (good for seeing within-class variation).
# * The titles give the run time and a number for class separation, so the comparison
#   is not by eye only.
#
# ## Pitfalls
#
# * **Timings on small subsets mislead.** UMAP's advantage over t-SNE grows with the
#   number of points; the compile step of the first call is not part of the run time.
# * **Global distances are still only loosely meaningful** in UMAP; do not measure
#   between islands.
# * **Seeded UMAP is single-threaded.** `random_state` makes UMAP reproducible but turns
#   off its parallelism.
