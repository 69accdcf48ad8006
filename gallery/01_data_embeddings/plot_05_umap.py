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
# gallery's split of MNIST's official 10,000-image test set, pixels in [0, 1].
import numpy as np

from mlviz.config import QUICK, SEED
from mlviz.datasets import load_mnist_split

data = load_mnist_split()
rng = np.random.default_rng(SEED)
keep = rng.choice(len(data.y_train), size=400 if QUICK else 1500, replace=False)
X = data.X_train[keep].reshape(len(keep), -1) / 255.0
y = data.y_train[keep]

# %%
# ## A grid of UMAP settings, and t-SNE
#
# As on the t-SNE page, PCA first reduces the pixels to 50 components, and every map
# is fitted on those: `umap.UMAP` with four settings (`n_neighbors` 5 or 50,
# `min_dist` 0 or 0.5), `sklearn.manifold.TSNE` at perplexity 30 as on the t-SNE page,
# and, for reference, plain PCA to two components (the first two of the 50).
# `random_state` fixes each map. Everything runs on one thread (`n_jobs=1` for UMAP,
# which seeding implies anyway, and `threadpool_limits` for the rest), and each fit is
# timed. The first UMAP call compiles numba code (cached between builds): a small fit
# on 100 points does that before the timing starts.
import time

import umap
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_limits

models = {}
for k, d in [(5, 0.0), (5, 0.5), (50, 0.0), (50, 0.5)]:
    models[f"UMAP n_neighbors={k}, min_dist={d}"] = umap.UMAP(
        n_neighbors=k, min_dist=d, random_state=SEED, n_jobs=1
    )
models["t-SNE perplexity=30"] = TSNE(
    perplexity=30, init="pca", learning_rate="auto", random_state=SEED
)
models["PCA (2 components)"] = PCA(n_components=2, random_state=SEED)

maps, seconds = {}, {}
with threadpool_limits(1):
    X_pca = PCA(n_components=50, random_state=SEED).fit_transform(X)
    umap.UMAP(n_neighbors=5, random_state=SEED, n_jobs=1).fit(X_pca[:100])  # compile
    for name, model in models.items():
        start = time.perf_counter()
        maps[name] = model.fit_transform(X_pca)
        seconds[name] = time.perf_counter() - start

# %%
# ## Draw them
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.inspect.embedding import neighbour_agreement
from mlviz.plotting import plot_embedding

agree = {name: neighbour_agreement(coords, y) for name, coords in maps.items()}
fig, axes = plt.subplots(2, 3, figsize=(12, 8.4))
for ax, (name, coords) in zip(axes.flat, maps.items()):
    title = f"{name}\n{seconds[name]:.1f} s, neighbours agree {agree[name]:.0%}"
    plot_embedding(coords, y, ax=ax, title=title)
fig.suptitle(f"{len(y):,} MNIST digits (PCA 50 first), coloured by true digit")
plt.show()

from mlviz.report import say

best = max(agree, key=agree.get)
umap_times = [t for name, t in seconds.items() if name.startswith("UMAP")]
say(
    f"Best label agreement of the 10 nearest map neighbours: **{best}** "
    f"({agree[best]:.1%}); PCA reaches {agree['PCA (2 components)']:.1%}. UMAP took "
    f"{min(umap_times):.1f}–{max(umap_times):.1f} s per run, t-SNE "
    f"{seconds['t-SNE perplexity=30']:.1f} s, on {len(y):,} points and one core."
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
