"""
# t-SNE of MNIST and the effect of perplexity

**Catalog A4** · **Question:** data, structure · **Family:** any · **Phase:** before training · **Data:** MNIST

t-SNE places points in 2-D so that each point's nearest neighbours in the original
space stay its neighbours on the map. It is the classic way to see whether
high-dimensional data (784 pixels per digit) fall into groups. Its main knob,
*perplexity*, is roughly the number of neighbours each point cares about: small values
attend to the closest few and can break a class into islands, larger values join
them. What t-SNE keeps is *who is next to whom*; the sizes of the groups, the gaps
between them and, to a large extent, where they sit relative to each other are set by
the algorithm and its starting layout (Wattenberg et al., 2016; Kobak and Linderman,
2021). Because the picture changes with perplexity, always look at several.
"""

# %%
# ## Prepare the digits
#
# A random subset of the training part of the gallery's split of MNIST's official
# 10,000-image test set, pixels scaled to [0, 1].
import numpy as np

from mlviz.config import QUICK, SEED
from mlviz.datasets import load_mnist_split

data = load_mnist_split()
rng = np.random.default_rng(SEED)
keep = rng.choice(len(data.y_train), size=400 if QUICK else 1500, replace=False)
X = data.X_train[keep].reshape(len(keep), -1) / 255.0
y = data.y_train[keep]
print(X.shape)

# %%
# ## Run t-SNE at several perplexities
#
# PCA first reduces the 784 pixels to 50 components, the usual first step: it drops
# the low-variance directions (mostly pixel noise), and on large data sets it makes
# t-SNE's neighbour search cheaper. Then one `sklearn.manifold.TSNE` per perplexity:
# `init="pca"` starts from the PCA layout (more stable than a random start),
# `learning_rate="auto"` scales the step size with the number of points, and
# `random_state` fixes the map. Everything runs on one thread (`threadpool_limits`),
# so the numbers do not depend on the number of cores. Each t-SNE is timed.
import time

from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_limits

perplexities = [5, 30, 100]
maps, seconds = {}, {}
with threadpool_limits(1):
    pca = PCA(n_components=50, random_state=SEED)
    X_pca = pca.fit_transform(X)
    for p in perplexities:
        tsne = TSNE(perplexity=p, init="pca", learning_rate="auto", random_state=SEED)
        start = time.perf_counter()
        maps[p] = tsne.fit_transform(X_pca)
        seconds[p] = time.perf_counter() - start

# %%
# ## Draw the maps side by side
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import plot_embedding

fig, axes = plt.subplots(1, len(perplexities), figsize=(12, 4.4))
for ax, p in zip(axes, perplexities):
    plot_embedding(maps[p], y, ax=ax, title=f"perplexity {p} ({seconds[p]:.1f} s)")
fig.suptitle(f"t-SNE of {len(y):,} MNIST digits (PCA 50 first), coloured by true digit")
plt.show()

from mlviz.inspect.embedding import (
    mixed_pairs,
    neighbour_agreement,
    neighbour_confusion,
)
from mlviz.report import claim, say

agree = {p: neighbour_agreement(maps[p], y) for p in perplexities}
raw = neighbour_agreement(X, y)
say(
    f"PCA's 50 components keep {pca.explained_variance_ratio_.sum():.0%} of the pixel "
    "variance. Share of each digit's 10 nearest neighbours *on the map* with the same "
    "label: "
    + ", ".join(f"perplexity {p}: **{a:.1%}**" for p, a in agree.items())
    + f" (in the 784-pixel space itself: {raw:.1%}). Run times: "
    + ", ".join(f"{seconds[p]:.1f} s" for p in perplexities)
    + "."
)
claim(
    min(agree.values()) > 0.5,
    "on every map most of a digit's neighbours are the same digit",
    evidence=str(agree),
)
pairs = {p: mixed_pairs(neighbour_confusion(maps[p], y)) for p in perplexities}
say(
    "Digits most often each other's neighbours: "
    + "; ".join(
        f"perplexity {p}: "
        + ", ".join(f"{a}/{b} ({share:.0%})" for a, b, share in pairs[p])
        for p in perplexities
    )
    + "."
)
claim(
    all(pairs[p][0][:2] == (4, 9) for p in perplexities),
    "4 and 9 are the most mixed digits on every map",
    evidence=str({p: pairs[p][0] for p in perplexities}),
)

# %%
# ## Count the islands
#
# How many separate pieces does each map fall into? An *island* is a group of points
# with a gap around it that you can see in the figure. To count them, each map is
# rescaled to its panel (both axes from 0 to 1, as drawn), and two points are linked
# when they are closer than the smallest visible gap: twice the usual distance from a
# point to its 3rd nearest neighbour, and at least 3 % of the panel. Only a point with
# 3 such neighbours links others (scikit-learn's `DBSCAN`): a stray point between two
# groups joins one of them but cannot merge them. Groups of fewer than 1 % of the
# points, specks, are not counted. `count_islands` in the helper package does this in
# eight lines.
from mlviz.inspect.embedding import count_islands

islands = {p: count_islands(maps[p]) for p in perplexities}
say(
    "Islands on each map: "
    + ", ".join(f"perplexity {p}: **{n}**" for p, n in islands.items())
    + "."
)
claim(
    islands[5] >= 2 * max(islands[30], islands[100]),
    "perplexity 5 breaks the map into at least twice as many islands as 30 or 100",
    evidence=str(islands),
)

# %%
# ## How to read this figure
#
# * Colours are the true digits, which t-SNE never saw: tight single-colour islands
#   mean the pixels alone separate that digit; mixed regions are digits that look
#   alike (here 4 and 9 most of all, on every map; the finding above names the pairs).
# * Perplexity 5 breaks the map into many small islands, at least twice as many as
#   perplexity 30 or 100 (counted above); the larger perplexities join them into
#   fewer, larger ones.
# * Trust *who is next to whom*: t-SNE is built to keep each point's nearest
#   neighbours, and on every map here most of a digit's neighbours are the same digit
#   (the agreement above). The size of an island, the width of a gap and the distance
#   between two islands are not measurements.
#
# ## Pitfalls
#
# * **Cluster sizes and the distances between clusters mean little.** t-SNE expands
#   dense groups and shrinks sparse ones, and places islands wherever the optimization
#   leaves them; a large island is not a more varied class, a wide gap not a more
#   different one (Wattenberg et al., 2016).
# * **Islands at one small perplexity can be noise.** Small perplexities cut even
#   structureless data into clumps; structure that appears at only one value is
#   suspect. Compare several.
# * **The starting layout sets the global picture.** With `init="random"` each seed
#   arranges the islands differently; `init="pca"` (used here, scikit-learn's default
#   since 1.2) keeps more of the data's global arrangement and makes the map
#   reproducible (Kobak and Linderman, 2021). Fix the seed either way.
# * **Cost grows with n.** Subsample, reduce with PCA first, and for tens of thousands
#   of points use a faster implementation (openTSNE) or UMAP (A5).
