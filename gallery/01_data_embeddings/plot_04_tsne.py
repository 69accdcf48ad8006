"""
# t-SNE of MNIST and the effect of perplexity

**Catalog A4** · **Question:** data, structure · **Family:** any · **Phase:** before training · **Data:** MNIST

t-SNE places points in 2-D so that each point's nearest neighbours in the original
space stay its neighbours on the map. It is the classic way to see whether
high-dimensional data (784 pixels per digit) fall into groups. Its main knob,
*perplexity*, is roughly the number of neighbours each point cares about: small values
show fine local structure and break classes into islands, large values show more of
the global arrangement. Because the picture changes with it, always look at several.
"""

# %%
# ## Prepare the digits
#
# A random subset of the training part of the gallery's split of MNIST's official
# 10,000-image test set, pixels scaled to [0, 1] and reduced to 50 principal components
# first (this removes pixel noise and makes t-SNE several times faster).
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
# `mlviz.inspect.embedding.embed_2d` is a thin wrapper: PCA to 50 dimensions, then
# `sklearn.manifold.TSNE(perplexity=..., init="pca", learning_rate="auto")`, timed.
from mlviz.inspect.embedding import embed_2d, neighbour_agreement

perplexities = [5, 30, 100]
runs = {p: embed_2d(X, "tsne", perplexity=p, seed=SEED) for p in perplexities}

# %%
# ## Draw the maps side by side
import matplotlib.pyplot as plt
plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import plot_embedding

fig, axes = plt.subplots(1, len(perplexities), figsize=(12, 4.4))
for ax, (p, run) in zip(axes, runs.items()):
    plot_embedding(run.coords, y, ax=ax, title=f"perplexity {p} ({run.seconds:.1f} s)")
fig.suptitle(f"t-SNE of {len(y):,} MNIST digits (PCA 50 first), coloured by true digit")
plt.show()

from mlviz.report import md

agree = {p: neighbour_agreement(run.coords, y) for p, run in runs.items()}
raw = neighbour_agreement(X, y)
md(
    "Share of each digit's 10 nearest neighbours *on the map* with the same label: "
    + ", ".join(f"perplexity {p}: **{a:.1%}**" for p, a in agree.items())
    + f" (in the 784-pixel space itself: {raw:.1%}). Run times: "
    + ", ".join(f"{run.seconds:.1f} s" for run in runs.values())
    + "."
)

# %%
# ## How to read this figure
#
# * Colours are the true digits, which t-SNE never saw: tight single-colour islands
#   mean the pixels alone separate that digit; mixed regions (often 4/9, 3/5/8) are
#   digits that look alike.
# * Distances *within* a cluster are meaningful; distances *between* clusters and
#   cluster sizes mostly are not.
#
# ## Pitfalls
#
# * **Cluster size and spacing are artefacts.** t-SNE equalizes densities; a large
#   island is not a more varied class.
# * **One perplexity is one opinion.** Compare several; structure that appears at only
#   one value is suspect.
# * **Seeds matter.** Different random states rotate and rearrange the map; fix the seed
#   (done here) and do not over-read the layout.
# * **Cost grows with n.** Subsample, reduce with PCA first, and consider UMAP (A5) for
#   tens of thousands of points.
