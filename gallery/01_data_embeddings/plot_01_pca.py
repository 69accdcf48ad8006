"""
# PCA: projection and explained variance

**Catalog A1** · **Question:** data, structure · **Family:** any · **Phase:** before training · **Data:** Iris, MNIST

Principal component analysis finds the directions along which the data vary most and
projects the data onto the first few of them. It is the first look at any table with
more than three columns: a 2-D map of the samples that keeps as much of their spread as
a linear map can, plus a number, the *explained variance*, that says how much it kept.
This page projects Iris (4 features) and MNIST digits (784 pixels), shows how many
components each needs, and what a digit looks like rebuilt from a few of them.
"""

# %%
# ## Iris: standardize, then project
#
# PCA follows variance, so features measured on larger scales would dominate. We put
# the four measurements on a common scale first (mean 0, standard deviation 1).
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlviz.datasets import load_iris

X_iris, species = load_iris()
iris_pca = make_pipeline(StandardScaler(), PCA(n_components=4)).fit(X_iris)
scores = iris_pca.transform(X_iris)
pca = iris_pca[-1]
print("explained variance ratio per component:", pca.explained_variance_ratio_.round(3))

# %%
# ## The projection, with the original features as arrows
#
# Each dot is a flower placed by its first two component scores. Each arrow is one
# original feature: its direction and length are that feature's weights (loadings) on
# the two components, scaled to be visible. Arrows pointing the same way belong to
# correlated features: a fair reading when the two components keep most of the
# variance (checked below), a misleading one when they keep little.
import matplotlib.pyplot as plt
import numpy as np

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import SPECIES_COLORS

fig, (ax, ax_var) = plt.subplots(1, 2, figsize=(12, 5), width_ratios=[1.3, 1])
for name in species.cat.categories:
    mask = (species == name).to_numpy()
    ax.scatter(
        scores[mask, 0],
        scores[mask, 1],
        label=name,
        s=25,
        alpha=0.8,
        color=SPECIES_COLORS[name],
    )
scale = np.abs(scores[:, :2]).max() * 0.75
tips = pca.components_[:2].T * scale
labels_at = tips * 1.12
for a in range(len(labels_at)):  # nudge apart labels of arrows that nearly coincide
    for b in range(a):
        if np.abs(labels_at[a] - labels_at[b]).max() < 0.35:
            labels_at[a, 1] -= 0.35
for feature, tip, at in zip(X_iris.columns, tips, labels_at):
    ax.annotate(
        "", xy=tip, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "0.2"}
    )
    ax.text(
        *at,
        feature.replace(" (cm)", ""),
        fontsize=9,
        ha="center",
        va="center",
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
    )
ax.set_xlabel(f"PC1 ({pca.explained_variance_ratio_[0]:.0%} of variance)")
ax.set_ylabel(f"PC2 ({pca.explained_variance_ratio_[1]:.0%} of variance)")
ax.set_title("Iris in its first two principal components")
ax.legend(title="species", loc="lower right")
ax.set_aspect("equal", adjustable="datalim")
ax.margins(0.08)

ratios = pca.explained_variance_ratio_
components = np.arange(1, len(ratios) + 1)
# grey and black: blue, orange and green mean the species on this figure
ax_var.bar(components, ratios, color="0.65", label="each component")
ax_var.plot(components, np.cumsum(ratios), "o-", color="0.15", label="cumulative")
for c, r in zip(components, np.cumsum(ratios)):
    ax_var.annotate(
        f"{r:.0%}",
        (c, r),
        textcoords="offset points",
        xytext=(0, 7),
        ha="center",
        fontsize=9,
    )
ax_var.set_xticks(components)
ax_var.set_ylim(0, 1.12)
ax_var.set_xlabel("principal component")
ax_var.set_ylabel("share of total variance")
ax_var.set_title("Explained variance (scree plot)")
ax_var.legend(loc="center right")
plt.show()

from mlviz.report import claim, say

top_feature = X_iris.columns[int(np.argmax(np.abs(pca.components_[0])))]
say(
    f"Two components keep **{ratios[:2].sum():.1%}** of the variance of the four "
    f"standardized measurements. The first alone keeps {ratios[0]:.1%}; the feature "
    f"with the largest weight on it is *{top_feature}*."
)
kept = ratios[:2].sum()
claim(kept > 0.5, "a 2-D map keeps most of Iris's variance", evidence=f"{kept:.1%}")

# %%
# ## MNIST: 784 pixels per digit
#
# The digits come from MNIST's official 10,000-image test split, which this gallery
# divides into its own training, validation and test parts. PCA is fitted on the
# training part. Pixels share one scale (grey levels), so no standardization is needed;
# scaling each pixel separately would inflate the noise of nearly blank border pixels.
from mlviz.config import QUICK, SEED
from mlviz.datasets import load_mnist_split

mnist = load_mnist_split()
n_images = 1500 if QUICK else len(mnist.X_train)
images = mnist.X_train[:n_images]
labels = mnist.y_train[:n_images]
X_digits = images.reshape(len(images), -1) / 255.0

digits_pca = PCA(random_state=SEED).fit(X_digits)
cumulative = np.cumsum(digits_pca.explained_variance_ratio_)
needed = {
    share: int(np.searchsorted(cumulative, share) + 1)
    for share in (0.5, 0.8, 0.9, 0.95)
}
say(
    f"PCA on {n_images:,} training digits. Components needed to keep a share of the "
    "variance: "
    + ", ".join(f"**{k}** for {share:.0%}" for share, k in needed.items())
    + " (out of 784 pixels)."
)

# %%
# ## How many components? The cumulative curve, and digits rebuilt from a few
#
# Left: the share of variance kept by the first *k* components. Right: one digit of each
# class rebuilt from its first *k* component scores.
fig = plt.figure(figsize=(12, 5.2))
grid = fig.add_gridspec(1, 2, width_ratios=[1, 1.4])
ax = fig.add_subplot(grid[0])
ax.plot(np.arange(1, len(cumulative) + 1), cumulative)
for share, k in needed.items():
    ax.plot([k, k], [0, share], ":", color="0.5")
    ax.plot(k, share, "o", color="C1")
    ax.annotate(
        f"{share:.0%}: k={k}",
        (k, share),
        textcoords="offset points",
        xytext=(8, -12),
        fontsize=9,
    )
ax.set_xscale("log")
ax.set_ylim(0, 1.02)
ax.set_xlabel("number of components k (log scale)")
ax.set_ylabel("cumulative explained variance")
ax.set_title("MNIST: variance kept by the first k components")

ks = [2, needed[0.5], needed[0.9], 784]
examples = [int(np.flatnonzero(labels == d)[0]) for d in range(10)]
inner = grid[1].subgridspec(len(ks), 10, wspace=0.05, hspace=0.1)
for row, k in enumerate(ks):
    codes = digits_pca.transform(X_digits[examples])
    codes[:, k:] = 0
    rebuilt = digits_pca.inverse_transform(codes)
    for col in range(10):
        a = fig.add_subplot(inner[row, col])
        a.imshow(rebuilt[col].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        a.set_xticks([])
        a.set_yticks([])
        if col == 0:
            a.set_ylabel(f"k={k}", rotation=0, ha="right", va="center", fontsize=9)
fig.suptitle(
    "Left: cumulative explained variance. Right: digits rebuilt from k components",
    fontsize=11,
)
plt.show()

# %%
# How recognizable are the rebuilt digits? A reader's eye is one judge; a
# 5-nearest-neighbour classifier fitted on the original training digits is another,
# which we ask to name the validation digits rebuilt from the same *k* components.
from sklearn.neighbors import KNeighborsClassifier

knn = KNeighborsClassifier(n_neighbors=5).fit(X_digits, labels)
X_val = mnist.X_val.reshape(len(mnist.X_val), -1) / 255.0
val_codes = digits_pca.transform(X_val)
named, right = {}, {}
for k in ks:
    codes = val_codes.copy()
    codes[:, k:] = 0
    right[k] = knn.predict(digits_pca.inverse_transform(codes)) == mnist.y_val
    named[k] = right[k].mean()
say(
    f"The classifier names {len(X_val):,} validation digits correctly: "
    + ", ".join(
        f"**{named[k]:.1%}** rebuilt from {k} components ({cumulative[k - 1]:.0%} of "
        "the variance)"
        for k in ks
    )
    + "."
)
# "as recognizable as the originals": not worse beyond two standard errors of the
# paired difference (the same validation digits, named twice)
k90 = needed[0.9]
paired = right[k90].astype(float) - right[784]
noise = 2 * paired.std(ddof=1) / np.sqrt(len(paired))
claim(
    paired.mean() > -noise,
    "digits rebuilt from the components that keep 90 % of the variance are as "
    "recognizable as the originals: long before the curve reaches 100 %",
    evidence=f"{named[k90]:.3f} vs {named[784]:.3f} (paired noise {noise:.3f})",
)

# %%
# ## The first two components, interactively
#
# Two components keep only a small share of MNIST's variance, so the classes overlap;
# still, the digit 1 already has a region of its own (most of its points' nearest
# neighbours in the plane are 1s), and 0 comes next. Hover over a point to see its
# label and its index in the training part; click legend entries to hide digits. Each
# digit has its colour of the whole gallery (`DIGIT_COLORS`).
import pandas as pd
import plotly.express as px

from mlviz.inspect.embedding import neighbour_confusion
from mlviz.plotting import DIGIT_COLORS

codes2 = digits_pca.transform(X_digits)[:, :2]
own = pd.Series(np.diag(neighbour_confusion(codes2, labels)), index=range(10))
say(
    f"The first two components keep **{cumulative[1]:.0%}** of the variance. Share of "
    "each digit's 10 nearest neighbours in this plane that are the same digit: "
    + ", ".join(f"{d}: {own[d]:.0%}" for d in own.sort_values(ascending=False).index)
    + "."
)
claim(cumulative[1] < 0.3, "two components keep only a small share of MNIST's variance")
claim(
    list(own.nlargest(2).index) == [1, 0] and own[1] > 0.5,
    "1 already has a region of its own (mostly 1s around it), and 0 comes next",
    evidence=own.round(2).to_dict(),
)
frame = pd.DataFrame(
    {
        "PC1": codes2[:, 0],
        "PC2": codes2[:, 1],
        "digit": labels.astype(str),
        "index": np.arange(n_images),
    }
)
fig = px.scatter(
    frame,
    x="PC1",
    y="PC2",
    color="digit",
    hover_data={"index": True, "digit": True, "PC1": ":.2f", "PC2": ":.2f"},
    category_orders={"digit": [str(d) for d in range(10)]},
    color_discrete_map={str(d): DIGIT_COLORS[d] for d in range(10)},
    opacity=0.7,
    title=f"MNIST, first two principal components ({cumulative[1]:.0%} of the "
    "variance)",
    height=560,
)
fig.update_traces(marker={"size": 5})
fig

# %%
# ## How to read these figures
#
# * **Axes are components, not features.** PC1 is the direction of largest spread; its
#   axis label says what share of the total variance it carries.
# * **Distances are approximate.** Points close in the projection may be far apart in
#   the dimensions PCA dropped; points far apart in the projection *are* far apart.
# * **The scree plot** (bars) and the cumulative curve tell how much of the data a
#   2-D map can honestly represent: most of it for Iris, a small share for MNIST.
# * **Loading arrows** (Iris) show which features move together and which
#   component each one drives.
#
# ## Pitfalls
#
# * **Scale first (for mixed units).** Without standardization, a feature in large
#   units dominates PC1 simply because its numbers are bigger.
# * **Variance is not class separation.** PCA never looks at the labels. A direction
#   that separates the classes but varies little can be among the last components.
#   Supervised projections (LDA) or non-linear maps (t-SNE, UMAP) answer other
#   questions.
# * **Signs are arbitrary.** A component and its negative explain the same variance:
#   another library or version may flip an axis.
# * **Fit on training data.** In a pipeline, fit PCA on the training part only (as done
#   here for MNIST) and transform validation and test data with it.
