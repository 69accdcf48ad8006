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
with torch.no_grad():
    embedded = cnn.model.embed(X).numpy()
    predicted = cnn.model(X).argmax(1).numpy()
raw = X.reshape(len(X), -1).numpy()
labels = y.numpy()
cnn_accuracy = (predicted == labels).mean()
print(raw.shape, embedded.shape)

# %%
# ## Project both to three dimensions
#
# PCA (after standardizing each feature) keeps the three directions of largest
# variance; it is linear, deterministic and fast, and it does not invent clusters
# (t-SNE or UMAP in 3-D are drop-in replacements, with their own pitfalls, see pages
# A4-A5). How well the classes separate in the 3-D view is measured by the accuracy
# of a 5-nearest-neighbour classifier on the 3 coordinates, each image classified by
# a classifier fitted on the other folds (5-fold cross-validation), and the two views
# are compared on the same images with a paired bootstrap interval.
from scipy.stats import bootstrap
from sklearn.decomposition import PCA
from sklearn.model_selection import cross_val_predict
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlviz.config import SEED
from mlviz.report import claim, say

views, variance, knn_says = {}, {}, {}
for name, features in (("raw pixels", raw), ("CNN embedding", embedded)):
    pca = make_pipeline(StandardScaler(), PCA(n_components=3, random_state=SEED))
    views[name] = pca.fit_transform(features)
    variance[name] = pca[-1].explained_variance_ratio_.sum()
    knn_says[name] = cross_val_predict(
        KNeighborsClassifier(5), views[name], labels, cv=5
    )
knn = {name: (says == labels).mean() for name, says in knn_says.items()}
right = [(knn_says[name] == labels).astype(float) for name in views]
interval = bootstrap(
    right[::-1],  # CNN embedding minus raw pixels
    lambda cnn_right, raw_right, axis: np.mean(cnn_right - raw_right, axis=axis),
    paired=True,
    random_state=SEED,
).confidence_interval
say(
    f"Three principal components keep {variance['raw pixels']:.0%} of the "
    f"(standardized) pixel variance and {variance['CNN embedding']:.0%} of the "
    "embedding's. A 5-nearest-neighbour classifier on the three coordinates reaches "
    f"**{knn['raw pixels']:.1%}** on raw pixels and **{knn['CNN embedding']:.1%}** on "
    f"the CNN embedding ({n_points:,} test images; the CNN itself, with all 64 "
    f"dimensions and its last layer, classifies {cnn_accuracy:.1%} of them correctly). "
    f"95 % interval of the difference: {100 * interval.low:+.1f} to "
    f"{100 * interval.high:+.1f} percentage points."
)
claim(
    interval.low > 0,
    "classes that overlap in pixel space come apart in the embedding",
    evidence=f"{knn}, interval {interval.low:.3f} to {interval.high:.3f}",
)

# %%
# ## Training, or the architecture?
#
# Convolutions and ReLUs with random weights already compute features of an image,
# and such features can separate classes better than raw pixels (Jarrett et al.,
# 2009). Whether the separation above is what *training* did is measured by the
# same architecture with its random starting weights, through the same 3-D view and
# the same classifier, compared with the trained embedding on the same images.
from mlviz.models import MnistCNN

torch.manual_seed(SEED)
with torch.no_grad():
    untrained = MnistCNN(**cnn.config.arch_kwargs).embed(X).numpy()
random_view = make_pipeline(
    StandardScaler(), PCA(n_components=3, random_state=SEED)
).fit_transform(untrained)
random_says = cross_val_predict(KNeighborsClassifier(5), random_view, labels, cv=5)
random_right = (random_says == labels).astype(float)
trained_gain = bootstrap(
    (right[1], random_right),  # trained embedding minus untrained
    lambda trained, random, axis: np.mean(trained - random, axis=axis),
    paired=True,
    random_state=SEED,
).confidence_interval
say(
    f"With random weights, the same network's embedding reaches "
    f"**{random_right.mean():.1%}** (raw pixels {knn['raw pixels']:.1%}); training "
    f"adds {100 * trained_gain.low:+.1f} to {100 * trained_gain.high:+.1f} percentage "
    "points (95 % paired interval)."
)
claim(
    trained_gain.low > 0,
    "the classes come apart because the network was trained, not by its architecture "
    "alone",
    evidence=f"untrained {random_right.mean():.3f}, trained {knn['CNN embedding']:.3f}",
)


# %%
# ## A static overview: both views from one angle
#
# Before rotating, one fixed view of each projection side by side, as matplotlib draws
# it: it prints, and it shows at a glance what the interactive figures below let you
# explore. One angle hides what lies behind; that is what rotating is for.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import DIGIT_CMAP

fig = plt.figure(figsize=(12, 5.5))
for i, (name, coords) in enumerate(views.items(), start=1):
    ax = fig.add_subplot(1, 2, i, projection="3d")
    ax.scatter(*coords.T, c=labels, cmap=DIGIT_CMAP, vmin=0, vmax=9, s=6, alpha=0.8)
    ax.view_init(elev=20, azim=-60)
    ax.set(xlabel="PC1", ylabel="PC2", zlabel="PC3")
    ax.set_title(f"{name}: 5-NN accuracy {knn[name]:.0%}")
handles = [
    plt.Line2D([], [], marker="o", ls="", color=DIGIT_CMAP(d), label=str(d))
    for d in range(10)
]
fig.legend(handles=handles, title="digit", loc="outside right center")
fig.suptitle("MNIST test images in 3-D: raw pixels and the CNN embedding (PCA)")
plt.show()

# %%
# ## Raw pixels in 3-D
#
# Drag to rotate, scroll to zoom, hover for a point's digit, what the CNN predicts for
# it and its index among the plotted test images; click a digit in the legend to hide
# it, double-click to show it alone. Each digit has its colour of the whole gallery
# (`DIGIT_COLORS`).
import pandas as pd
import plotly.express as px

from mlviz.plotting import DIGIT_COLORS


def projector(coords, title):
    frame = pd.DataFrame(coords, columns=["PC1", "PC2", "PC3"])
    frame["digit"] = labels.astype(str)
    frame["CNN predicts"] = predicted
    frame["index"] = np.arange(len(labels))
    fig = px.scatter_3d(
        frame,
        x="PC1",
        y="PC2",
        z="PC3",
        color="digit",
        category_orders={"digit": [str(d) for d in range(10)]},
        color_discrete_map={str(d): DIGIT_COLORS[d] for d in range(10)},
        hover_data={
            "digit": True,
            "CNN predicts": True,
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
# Which digits have a region of their own, and which overlap? For each digit, the
# share of its points' 10 nearest neighbours in this 3-D view that are the same digit,
# and the pairs of digits most often each other's neighbours.
from mlviz.inspect.embedding import mixed_pairs, neighbour_confusion

confusion = neighbour_confusion(views["raw pixels"], labels)
own = pd.Series(np.diag(confusion), index=confusion.index)
pairs = mixed_pairs(confusion)
say(
    "Same-digit share of the 10 nearest neighbours (raw pixels, 3-D): "
    + ", ".join(f"{d}: {own[d]:.0%}" for d in own.sort_values(ascending=False).index)
    + ". Most mixed pairs: "
    + ", ".join(f"{a}/{b} ({share:.0%})" for a, b, share in pairs)
    + "."
)
claim(
    list(own.nlargest(2).index) == [1, 0] and own[1] > 0.5,
    "1 forms a region of its own (mostly 1s around it), and 0 comes next",
    evidence=own.round(2).to_dict(),
)
claim(
    all({a, b} <= {4, 7, 9} for a, b, _ in pairs[:2]),
    "4, 7 and 9 overlap most",
    evidence=str(pairs),
)

# %%
# ## The CNN embedding in 3-D
#
# The same images, as the trained CNN represents them just before its last layer.
fig = projector(
    views["CNN embedding"],
    "MNIST in the CNN's 64-d embedding, PCA to 3-D "
    f"({variance['CNN embedding']:.0%} of the variance)",
)
fig

# %%
# Where are the network's mistakes in this view? A point *lies among another digit*
# when the 5-nearest-neighbour classifier above gives it another label.
wrong = predicted != labels
elsewhere = knn_says["CNN embedding"] != labels
both = (wrong & elsewhere).sum()
say(
    f"The CNN misclassifies {wrong.sum()} of these {n_points:,} images; **{both}** of "
    f"them ({both / wrong.sum():.0%}) lie among another digit in this view. But "
    f"{elsewhere.sum()} points lie among another digit, and only "
    f"{both / elsewhere.sum():.0%} of them are mistakes: the network classifies the "
    "rest correctly, as it uses all 64 dimensions, not these three components."
)
claim(
    both / wrong.sum() > 0.5 and both / elsewhere.sum() < 0.5,
    "most mistakes lie among another digit; most points there are classified correctly",
    evidence=f"{both} of {wrong.sum()} mistakes, of {elsewhere.sum()} points",
)

# %%
# ## How to read these figures
#
# * **Rotate before concluding**: two clusters that overlap from one side are often
#   separate from another. The kNN accuracy above is the numeric check of what the
#   eye sees.
# * **Raw pixels**: the digit 1 forms a region of its own, and 0 comes next; digits
#   that share strokes overlap, 4, 7 and 9 most of all (the finding below the first
#   figure gives the numbers).
# * **Embedding**: training pulls the classes apart (the same network with random
#   weights separates them far less, measured above), because the last layer separates
#   classes with hyperplanes and the embedding is shaped to make that possible.
#   Points of one colour lying among another colour include most of the network's
#   mistakes, but most such points are classified correctly: three components do not
#   show all that the last layer uses. Hover to see what the CNN predicts.
#
# ## Pitfalls
#
# * **Three components of many**: PCA to 3-D drops much of the variance (the titles
#   give the share kept); classes that overlap here may be separated in the
#   dimensions not shown.
# * **Distances are relative**: axes are principal components of standardized
#   features, in no physical unit; compare shapes, not numbers, between the two plots.
# * **Thousands of points in WebGL** get heavy in the browser; subsample (as here)
#   rather than plot the whole data set.
