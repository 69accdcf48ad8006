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
    torch_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    Z = model.embed(X).numpy()
    torch.set_num_threads(torch_threads)
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
    plot_embedding(
        run.coords,
        y,
        ax=ax,
        title=f"{method} of {space} — neighbours agree {neighbour_agreement(run.coords, y):.0%}",
    )
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

from mlviz.report import say

agree = {key: neighbour_agreement(run.coords, y) for key, run in runs.items()}
say(
    f"Share of the 10 nearest map neighbours with the same digit: t-SNE **{agree[('raw pixels', 't-SNE')]:.1%}** on pixels vs "
    f"**{agree[('CNN embedding', 't-SNE')]:.1%}** on the embedding; UMAP {agree[('raw pixels', 'UMAP')]:.1%} vs "
    f"{agree[('CNN embedding', 'UMAP')]:.1%}. In the 64-d embedding itself: {neighbour_agreement(Z, y):.1%} "
    f"(pixels: {neighbour_agreement(pixels, y):.1%}). The CNN misclassifies {wrong.sum()} of these {len(y):,} digits."
)

# %%
# ## How to read this figure
#
# * Compare left and right: the pixel maps mix look-alike digits (4/9, 3/5/8), the
#   embedding maps should show ten well-separated groups.
# * Misclassified digits (crosses) usually sit at the edge of their class's group or
#   inside another one: the network represents them as the wrong digit.
# * Agreement of map neighbours is a number for separation; compare it between the
#   panels rather than judging the pictures by eye.
#
# ## Pitfalls
#
# * **Held-out data only.** Embeddings of training images look cleaner than the network
#   deserves.
# * **The projection adds its own distortions** (see A4/A5): gaps between groups and
#   their sizes are not measurements.
# * **Separation in the embedding is expected for a classifier** trained with
#   cross-entropy; it shows the network fits, not that the features are meaningful.
