"""
# The CNN's learned embedding, projected, against raw pixels

**Catalog F7** · **Question:** internals, data · **Family:** neural network · **Phase:** after training · **Data:** MNIST

A classifier's penultimate layer is its learned representation of the input: the final
layer only draws straight lines in it. Projecting that representation to 2-D with t-SNE
or UMAP, next to the same projection of the raw pixels, shows what training bought:
classes that overlap in pixel space should become separate, compact groups, and the
remaining mixed points are the ones the network finds hard.
"""

# %%
# ## Embed held-out digits
#
# The gallery's shared CNN; `model.embed(x)` returns the 64 outputs of `relu3` (after
# `fc1`). The digits are from the test part of the gallery's split of MNIST's official
# 10,000-image test set, which the network never saw.
import numpy as np
import torch

from mlviz.config import QUICK, SEED
from mlviz.models import from_tensor, load_mnist_cnn, mnist_tensors, predict_proba

model = load_mnist_cnn().model
X, y = mnist_tensors("test", n=400 if QUICK else 1500)
y = y.numpy()
with torch.no_grad():
    Z = model.embed(X).numpy()
pixels = from_tensor(X).reshape(len(X), -1)
y_pred = predict_proba(model, X).argmax(1)
print("embedding:", Z.shape, " pixels:", pixels.shape)

# %%
# ## Project both with t-SNE and UMAP
#
# `embed_2d` reduces the pixels to 50 principal components first (the 64-d embedding is
# used as is) and runs the projection with a fixed seed.
from mlviz.inspect.embedding import embed_2d, neighbour_agreement

runs = {
    ("raw pixels", "t-SNE"): embed_2d(pixels, "tsne", perplexity=30, seed=SEED),
    ("CNN embedding", "t-SNE"): embed_2d(
        Z, "tsne", perplexity=30, pca_components=None, seed=SEED
    ),
    ("raw pixels", "UMAP"): embed_2d(
        pixels, "umap", n_neighbors=15, min_dist=0.1, seed=SEED
    ),
    ("CNN embedding", "UMAP"): embed_2d(
        Z, "umap", n_neighbors=15, min_dist=0.1, pca_components=None, seed=SEED
    ),
}

# %%
# ## Draw them side by side
#
# Colours are the true digits; black crosses mark the digits the CNN misclassifies.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import plot_embedding

wrong = y_pred != y
fig, axes = plt.subplots(2, 2, figsize=(11, 10))
for ax, ((space, method), run) in zip(axes.flat, runs.items()):
    score = neighbour_agreement(run.coords, y)
    title = f"{method} of {space} — neighbours agree {score:.0%}"
    plot_embedding(run.coords, y, ax=ax, title=title)
    crosses = ax.scatter(
        *run.coords[wrong].T,
        marker="x",
        s=30,
        color="black",
        lw=1.2,
        label="misclassified by the CNN",
    )
fig.legend(handles=[crosses], loc="outside lower center", fontsize=10, frameon=False)
plt.show()

from mlviz.report import claim, say

agree = {key: neighbour_agreement(run.coords, y) for key, run in runs.items()}
tsne_px, tsne_z = agree[("raw pixels", "t-SNE")], agree[("CNN embedding", "t-SNE")]
umap_px, umap_z = agree[("raw pixels", "UMAP")], agree[("CNN embedding", "UMAP")]
say(
    "Share of the 10 nearest map neighbours with the same digit: t-SNE "
    f"**{tsne_px:.1%}** on pixels vs **{tsne_z:.1%}** on the embedding; UMAP "
    f"{umap_px:.1%} vs {umap_z:.1%}. In the 64-d embedding itself: "
    f"{neighbour_agreement(Z, y):.1%} (pixels: {neighbour_agreement(pixels, y):.1%}). "
    f"The CNN misclassifies {wrong.sum()} of these {len(y):,} digits."
)
# Each digit's share of same-digit neighbours lies in [0, 1], so the standard error of
# a difference of two such means over n digits is at most 1/sqrt(n).
claim(
    min(tsne_z - tsne_px, umap_z - umap_px) > 2 / np.sqrt(len(y)),
    "the embedding maps separate the ten digits better than the pixel maps",
    evidence=f"t-SNE {tsne_px:.3f} vs {tsne_z:.3f}, UMAP {umap_px:.3f} vs {umap_z:.3f}",
)

# %%
# ## Which digits mix, where the mistakes sit, and how many dimensions are used
#
# Three numbers behind the pictures, computed in the full spaces (not the maps): the
# pairs of digits that are most often each other's nearest neighbours in pixel space;
# for each misclassified digit, the majority digit among its 10 nearest neighbours in
# the embedding; and the embedding dimensions that are zero for every digit (dead
# `relu3` units, see E4).
from sklearn.neighbors import NearestNeighbors


def neighbours(space, k=10):
    return NearestNeighbors(n_neighbors=k + 1).fit(space).kneighbors(space)[1][:, 1:]


mixed = np.zeros((10, 10))
for i, row in enumerate(neighbours(pixels)):
    np.add.at(mixed, (y[i], y[row]), 1)
mixed = mixed + mixed.T  # neighbour pairs between two digits, either way round
first, second = np.triu_indices(10, k=1)
order = np.argsort(mixed[first, second])[::-1][:3]
top_pairs = [f"{first[i]}/{second[i]}" for i in order]
near_z = neighbours(Z)
majority = np.array([np.bincount(y[row], minlength=10).argmax() for row in near_z])
as_predicted = np.mean(majority[wrong] == y_pred[wrong])
as_true = np.mean(majority[wrong] == y[wrong])
dead = int((Z.max(axis=0) == 0).sum())
say(
    f"Most mixed in pixel space: **{', '.join(top_pairs)}**. Of the {wrong.sum()} "
    f"misclassified digits, **{as_predicted:.0%}** sit among the digit the network "
    f"predicted (most of their 10 embedding neighbours are that digit) and "
    f"{as_true:.0%} among their true digit. "
    f"**{dead} of the {Z.shape[1]} embedding dimensions are zero for every one of "
    f"these digits** (dead ReLU units): the embedding uses at most "
    f"{Z.shape[1] - dead} dimensions."
)

# %%
# ## How to read this figure
#
# * Compare left and right: the pixel maps mix look-alike digits (the pairs named
#   above), the embedding maps separate the ten digits better (the neighbour
#   agreement in the titles; the page checks that the gain exceeds twice the largest
#   standard error such a difference can have).
# * Misclassified digits (crosses): a cross inside another digit's group is a digit
#   the network represents as that other digit; the shares above count how many sit
#   among the predicted digit and how many among their true one.
# * Agreement of map neighbours is a number for separation; compare it between the
#   panels rather than judging the pictures by eye.
#
# ## Pitfalls
#
# * **The projection adds its own distortions** (see A4/A5). t-SNE and UMAP keep
#   neighbourhoods, not distances: gaps between groups and their sizes are not
#   measurements, and where the groups land depends on the initialization (Kobak and
#   Linderman, 2021). Compare neighbour agreement, as above, not pictures.
# * **Held-out data only.** Embeddings of training images look cleaner than the network
#   deserves.
# * **Separation in the embedding is expected for a classifier** trained with
#   cross-entropy; it shows the network fits, not that the features are meaningful.
