"""
# k-means clustering and choosing k

**Catalog A2** · **Question:** data, structure · **Family:** any · **Phase:** before training · **Data:** Iris

k-means splits unlabelled data into *k* groups, each summarized by its centroid (the
mean of its points). It is the first tool to reach for when asking "are there natural
groups in these data?", but it always returns *k* clusters, whether or not the data
have them, so the picture is only half the job: the other half is choosing *k*. This
page clusters the Iris flowers without looking at their species, draws the clusters
and centroids, chooses *k* with the elbow of the inertia curve and with the silhouette
score, and only then compares the clusters with the species.
"""

# %%
# ## Prepare the data
#
# k-means measures Euclidean distance, so a feature with a larger spread would dominate.
# We standardize the four measurements (mean 0, standard deviation 1). The species are
# kept aside: clustering does not see them.
from sklearn.preprocessing import StandardScaler

from mlviz.config import SEED
from mlviz.datasets import load_iris

X, species = load_iris()
X_scaled = StandardScaler().fit_transform(X)
print(f"{X.shape[0]} flowers, {X.shape[1]} standardized features")

# %%
# ## Choose k: elbow and silhouette
#
# For each *k* from 2 to 8 we fit `sklearn.cluster.KMeans` (10 restarts, the seed
# fixed) and record two numbers. The **inertia** (`inertia_`) is the sum of squared
# distances of each flower to its centroid. The **silhouette score**
# (`sklearn.metrics.silhouette_score`) says, for each point, how much closer it is to
# its own cluster than to the next one, from -1 to 1; it is averaged over the points.
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

rows = []
for k in range(2, 9):
    model = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit(X_scaled)
    silhouette = silhouette_score(X_scaled, model.labels_)
    rows.append({"k": k, "inertia": model.inertia_, "silhouette": silhouette})
scan = pd.DataFrame(rows).set_index("k")
scan.round(3)

# %%
# Inertia always falls as *k* grows (more centroids, shorter distances); the *elbow* is
# where it stops falling fast. The silhouette has a maximum instead.
#
# !!! question "Predict the plot"
#     Iris has three species. Will the silhouette be highest at *k* = 3?
#
# ??? success "Answer"
#     Not necessarily, and on Iris usually not: setosa stands far from the other two
#     species, while versicolor and virginica overlap, so splitting the flowers into
#     *two* groups gives the best-separated partition. The circled point and the
#     sentence below the figure give the *k* that wins in this build; the number of
#     species is not something k-means can see.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

fig, (ax_in, ax_si) = plt.subplots(1, 2, figsize=(11, 4))
ax_in.plot(scan.index, scan["inertia"], "o-", color="0.25")
ax_in.set(
    xlabel="number of clusters k",
    ylabel="inertia (within-cluster SS)",
    title="Elbow: inertia vs k",
)
ax_si.plot(scan.index, scan["silhouette"], "o-", color="0.25")
best_k = int(scan["silhouette"].idxmax())
best = scan.loc[best_k, "silhouette"]
ax_si.plot(best_k, best, "o", ms=14, mfc="none", mec="black", mew=2)
ax_si.set(
    xlabel="number of clusters k",
    ylabel="mean silhouette",
    title="Silhouette vs k (higher is better)",
)
plt.show()

from mlviz.report import claim, say

drop = -scan["inertia"].diff() / scan["inertia"].shift()
# a sharp elbow at 3: the cut from 2 to 3 is more than twice every later cut
sharp = drop.loc[3] > 2 * drop.loc[4:].max()
say(
    f"The silhouette is highest at **k = {best_k}** ({best:.3f}); k = 3 scores "
    f"{scan.loc[3, 'silhouette']:.3f}. Going from 2 to 3 clusters cuts the inertia by "
    f"{drop.loc[3]:.0%}, from 3 to 4 by {drop.loc[4]:.0%}, from 4 to 5 by "
    f"{drop.loc[5]:.0%}: "
    + ("a clear elbow at k = 3." if sharp else "the elbow is soft.")
)
claim(best_k == 2, "two groups give the best-separated partition", evidence=str(best_k))

# %%
# ## Fit k-means and draw the clusters
#
# We fit with *k* = 3, the number a botanist would expect, and draw the flowers on the
# two petal measurements coloured by their cluster, with the centroids (transformed
# back to centimetres) as black crosses. Four dimensions do not fit on a page: the
# clusters were found in all four. The cluster colours are not the species colours
# of the other Iris pages (blue, orange, green): a cluster is not a species.
scaler = StandardScaler().fit(X)
kmeans = KMeans(n_clusters=3, n_init=10, random_state=SEED).fit(scaler.transform(X))
centroids = scaler.inverse_transform(kmeans.cluster_centers_)

fx, fy = "petal length (cm)", "petal width (cm)"
ix, iy = X.columns.get_loc(fx), X.columns.get_loc(fy)
cluster_style = [("#937860", "o"), ("#DA8BC3", "s"), ("#CCB974", "^")]
fig, ax = plt.subplots(figsize=(7, 5))
for c, (color, marker) in enumerate(cluster_style):
    members = kmeans.labels_ == c
    label = f"cluster {c} ({members.sum()})"
    ax.scatter(
        X.loc[members, fx],
        X.loc[members, fy],
        s=25,
        alpha=0.8,
        color=color,
        marker=marker,
        label=label,
    )
ax.scatter(
    centroids[:, ix],
    centroids[:, iy],
    marker="X",
    s=220,
    c="black",
    edgecolor="white",
    label="centroids",
)
ax.set(
    xlabel=fx,
    ylabel=fy,
    title="k-means (k = 3) on standardized Iris, shown on the petals",
)
ax.legend(loc="upper left")
plt.show()

# %%
# ## Compare with the species
#
# Only now do we look at the labels. The adjusted Rand index
# (`sklearn.metrics.adjusted_rand_score`) is 1 for clusters that match the species
# exactly (whatever their numbering) and about 0 for a random assignment.
from sklearn.metrics import adjusted_rand_score

ari = adjusted_rand_score(species, kmeans.labels_)
table = pd.crosstab(species, kmeans.labels_, colnames=["cluster"])
matched = table.max(axis=0).sum() / len(species)
print(table)
say(
    f"Adjusted Rand index between clusters and species: **{ari:.3f}**. Giving each "
    f"cluster its majority species labels {matched:.1%} of the flowers correctly (the "
    "table above counts flowers per species and cluster)."
)
# the reading below: one cluster is exactly the setosa flowers; the other two mix
c_setosa = table.loc["setosa"].idxmax()
n_setosa = (species == "setosa").sum()
setosa_alone = table[c_setosa].sum() == table.loc["setosa", c_setosa] == n_setosa
mixed = (table.drop(index="setosa", columns=c_setosa) > 0).all().all()
claim(
    setosa_alone and mixed,
    "setosa stands apart; versicolor and virginica overlap",
    evidence=table.to_dict(),
)

# %%
# ## How to read this figure
#
# * **Elbow**: look for the *k* after which adding a cluster buys little reduction in
#   inertia. On real data the bend is rarely sharp.
# * **Silhouette**: the highest mean silhouette is the best-separated partition (the
#   circled point). When it prefers fewer clusters than there are species, some species
#   overlap: on Iris, versicolor and virginica do, while setosa stands apart.
# * **Clusters**: colours are cluster numbers, not species (the numbering is arbitrary).
#   Crosses are centroids, the mean of each cluster.
#
# ## Pitfalls
#
# * **k-means always finds k clusters**, even in structureless data, and the
#   silhouette cannot tell: it is not defined for one cluster, and cuts of a uniform
#   cloud still score above 0. Compare the inertia with that of structureless
#   reference data (the gap statistic, Tibshirani et al., 2001), or check that the
#   clusters survive resampling, before naming the groups.
# * **Scale matters.** Without standardization the widest feature dominates the
#   distance.
# * **Spherical, similar-sized clusters are assumed.** Elongated or nested groups (and
#   the versicolor/virginica overlap) are split along straight boundaries.
# * **The best silhouette is not the "true" k**: compare the best *k* found above with
#   the three species. Clustering measures geometry, not the labels you had in mind.
# * **Local minima**: k-means depends on its initialization; `n_init=10` restarts keep
#   the best of ten fits, which makes a poor local minimum unlikely (not impossible),
#   and a fixed `random_state` makes the result reproducible.
