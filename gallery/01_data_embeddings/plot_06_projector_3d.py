"""
# Interactive 3-D embedding projector: MNIST raw and as the CNN sees it

**Catalog A6** · **Question:** data, internals · **Family:** any · **Phase:** after training · **Data:** MNIST

TensorBoard's embedding projector made this view popular: points in three dimensions
you can rotate, coloured by label, with every point identifiable on hover. Three
dimensions hold more structure than two, and rotating reveals clusters hidden behind
each other in any single 2-D view. Comparing the raw pixels with a trained network's
internal representation (here the shared CNN's 64-unit penultimate layer) shows what
training did: classes that overlap in pixel space come apart in the embedding.
"""

# %%
# ## Data: raw pixels and CNN embeddings of the same test images
#
# The images are from the test part of the gallery's MNIST split (MNIST's official
# 10,000-image test split, divided by the gallery into train/validation/test), so the
# CNN never trained on them. Raw: 784 grey levels per image. Embedded: the output of
# the shared CNN's `fc1` + ReLU (`model.embed`), 64 numbers per image.
import numpy as np
import torch

from mlviz.config import QUICK
from mlviz.models import load_mnist_cnn, mnist_tensors

n_points = 600 if QUICK else 2000
X, y = mnist_tensors("test", n=n_points)
cnn = load_mnist_cnn()
torch.set_num_threads(1)
with torch.no_grad():
    embedded = cnn.model.embed(X).numpy()
    cnn_accuracy = (cnn.model(X).argmax(1) == y).float().mean().item()
raw = X.reshape(len(X), -1).numpy()
labels = y.numpy()
print(raw.shape, embedded.shape)

# %%
# ## Project both to three dimensions
#
# PCA (after standardizing each feature) keeps the three directions of largest
# variance; it is linear, deterministic and fast, and it does not invent clusters
# (t-SNE or UMAP in 3-D are drop-in replacements, with their own pitfalls, see pages
# A4-A5). How well the classes separate in the 3-D view is measured by the accuracy
# of a 5-nearest-neighbour classifier on the 3 coordinates (5-fold cross-validation).
from sklearn.decomposition import PCA
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlviz.config import SEED
from mlviz.report import say

views, variance, knn = {}, {}, {}
for name, features in (("raw pixels", raw), ("CNN embedding", embedded)):
    pca = make_pipeline(StandardScaler(), PCA(n_components=3, random_state=SEED))
    views[name] = pca.fit_transform(features)
    variance[name] = pca[-1].explained_variance_ratio_.sum()
    knn[name] = cross_val_score(
        KNeighborsClassifier(5), views[name], labels, cv=5
    ).mean()
say(
    f"Three principal components keep {variance['raw pixels']:.0%} of the (standardized) pixel variance and "
    f"{variance['CNN embedding']:.0%} of the embedding's. A 5-nearest-neighbour classifier on the three coordinates "
    f"reaches **{knn['raw pixels']:.1%}** on raw pixels and **{knn['CNN embedding']:.1%}** on the CNN embedding "
    f"({n_points:,} test images; the CNN itself, with all 64 dimensions and its last layer, classifies "
    f"{cnn_accuracy:.1%} of them correctly)."
)


# %%
# ## Raw pixels in 3-D
#
# Drag to rotate, scroll to zoom, hover for a point's digit and its index among the
# plotted test images; click a digit in the legend to hide it, double-click to show it
# alone.
import pandas as pd
import plotly.express as px


def projector(coords, title):
    frame = pd.DataFrame(coords, columns=["PC1", "PC2", "PC3"])
    frame["digit"] = labels.astype(str)
    frame["index"] = np.arange(len(labels))
    fig = px.scatter_3d(
        frame,
        x="PC1",
        y="PC2",
        z="PC3",
        color="digit",
        category_orders={"digit": [str(d) for d in range(10)]},
        hover_data={
            "digit": True,
            "index": True,
            "PC1": False,
            "PC2": False,
            "PC3": False,
        },
        opacity=0.75,
        title=title,
        height=620,
    )
    fig.update_traces(marker={"size": 2.5})
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 50, "b": 0}, legend={"itemsizing": "constant"}
    )
    return fig


fig = projector(
    views["raw pixels"],
    f"MNIST raw pixels, PCA to 3-D ({variance['raw pixels']:.0%} of the variance)",
)
fig

# %%
# ## The CNN embedding in 3-D
#
# The same images, as the trained CNN represents them just before its last layer.
fig = projector(
    views["CNN embedding"],
    f"MNIST in the CNN's 64-d embedding, PCA to 3-D ({variance['CNN embedding']:.0%} of the variance)",
)
fig

# %%
# ## How to read these figures
#
# * **Rotate before concluding**: two clusters that overlap from one side are often
#   separate from another. The kNN accuracy above is the numeric check of what the
#   eye sees.
# * **Raw pixels**: digits with distinctive shapes (0, 1) form their own regions;
#   4/7/9 and 3/5/8 overlap, as they share strokes.
# * **Embedding**: training pulls each class into its own arm or blob, because the last
#   layer separates classes with hyperplanes and the embedding is shaped to make that
#   possible. Points of one colour lying inside another colour's cluster are often the
#   network's mistakes; hover to get their index.
#
# ## Pitfalls
#
# * **Three components of many**: PCA to 3-D drops most of the variance; classes that
#   overlap here may be separated in the dimensions not shown.
# * **Distances are relative**: axes are principal components of standardized
#   features, in no physical unit; compare shapes, not numbers, between the two plots.
# * **Thousands of points in WebGL** get heavy in the browser; subsample (as here)
#   rather than plot the whole data set.
