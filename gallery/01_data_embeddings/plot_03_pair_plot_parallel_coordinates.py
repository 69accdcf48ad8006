"""
# Pair plot and parallel coordinates

**Catalog A3** · **Question:** data · **Family:** any · **Phase:** before training · **Data:** Iris

Before fitting anything, look at the features themselves. A **pair plot** draws every
pair of features as a scatter plot (and each feature's distribution on the diagonal),
so it shows which features separate the classes, which ones are correlated, and where
classes overlap. **Parallel coordinates** draw each observation as a line across one
vertical axis per feature, which scales to more features than a pair plot and shows
whole profiles at once. This page draws both for the Iris flowers, coloured by species.
"""

# %%
# ## Prepare the data
#
# Four measurements in centimetres and the species of each flower.
from mlviz.datasets import load_iris

X, species = load_iris()
names = list(species.cat.categories)
X.describe().round(2)

# %%
# ## The pair plot
#
# A 4 x 4 grid: row *i*, column *j* plots feature *j* (x) against feature *i* (y); the
# diagonal holds one histogram per species of that feature. Written as a plain
# matplotlib loop, so every panel can be adjusted (seaborn's `pairplot` draws the same
# figure in one call).
import matplotlib.pyplot as plt
import numpy as np

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import SPECIES_COLORS  # each species has one colour on every page

features = list(X.columns)
short = [f.replace(" (cm)", "") for f in features]
n = len(features)
fig, axes = plt.subplots(n, n, figsize=(10, 10), sharex="col")
for i in range(n):
    for j in range(n):
        ax = axes[i, j]
        for name in names:
            rows = species == name
            if i == j:
                bins = np.linspace(X[features[j]].min(), X[features[j]].max(), 16)
                ax.hist(
                    X.loc[rows, features[j]],
                    bins=bins,
                    alpha=0.6,
                    color=SPECIES_COLORS[name],
                    label=name,
                )
            else:
                ax.scatter(
                    X.loc[rows, features[j]],
                    X.loc[rows, features[i]],
                    s=8,
                    alpha=0.7,
                    color=SPECIES_COLORS[name],
                )
        if i == n - 1:
            ax.set_xlabel(short[j])
        if j == 0:
            ax.set_ylabel(short[i] if i else f"{short[i]}\n(count on diagonal)")
        ax.tick_params(labelsize=8)
axes[0, 0].legend(fontsize=8, loc="upper right")
fig.suptitle("Iris pair plot, coloured by species (cm)", fontweight="bold")
plt.show()

# %%
# ## What the pair plot shows, in numbers
#
# Two things to check: how strongly the features are correlated (the scatter panels'
# elongation), and how well each feature *alone* separates the species (the diagonal's
# overlap). For the second we use the silhouette score of the species labels on that
# one feature (`sklearn.metrics.silhouette_score`): near 1 when the species form tight,
# separate groups along it, near 0 when they overlap.
from sklearn.metrics import silhouette_score

from mlviz.report import claim, say

corr = X.corr()
separation = {f: silhouette_score(X[[f]], species) for f in features}
iu = np.triu_indices(n, k=1)
pairs = sorted(zip(corr.values[iu], iu[0], iu[1]), key=lambda t: -abs(t[0]))
r, a, b = pairs[0]
best = max(separation, key=separation.get)
worst = min(separation, key=separation.get)
# the same pair within each species, and the share of its covariance that lies
# between the species' means (law of total covariance)
within = X.groupby(species, observed=True).apply(
    lambda rows: rows.iloc[:, a].corr(rows.iloc[:, b])
)
centres = X.groupby(species, observed=True).transform("mean")
covariance = np.cov(X.iloc[:, a], X.iloc[:, b], ddof=0)[0, 1]
between = np.cov(centres.iloc[:, a], centres.iloc[:, b], ddof=0)[0, 1] / covariance
setosa_max = X.loc[species == "setosa", "petal length (cm)"].max()
others_min = X.loc[species != "setosa", "petal length (cm)"].min()
say(
    f"The most correlated pair is *{features[a]}* and *{features[b]}* (Pearson r = "
    f"{r:.2f} over all flowers, but {within.min():.2f} to {within.max():.2f} within "
    f"one species; {between:.0%} of their covariance lies between the species' means). "
    f"Alone, *{best}* separates the species best (silhouette "
    f"{separation[best]:.2f}) and *{worst}* worst ({separation[worst]:.2f}). Setosa "
    f"petals are at most {setosa_max:.1f} cm long, the other species' at least "
    f"{others_min:.1f} cm: a single threshold isolates setosa."
)
claim(setosa_max < others_min, "a single threshold isolates setosa")
claim(
    {features[a], features[b]} == {"petal length (cm)", "petal width (cm)"} and r > 0.9,
    "across the species, petal length and width carry nearly the same information",
    evidence=f"{features[a]}, {features[b]}, r={r:.2f}",
)
claim(
    between > 0.5 and within.max() < r,
    "the pooled correlation mostly reflects the species' differences",
    evidence=f"between-species share {between:.2f}; within {within.round(2).to_dict()}",
)
claim(worst == "sepal width (cm)", "sepal width overlaps most", evidence=worst)
# overplotting: flowers that share both petal measurements with another flower
petals = X[["petal length (cm)", "petal width (cm)"]]
stacked = petals.duplicated(keep=False).sum()
say(
    f"{stacked} of the {len(X)} flowers share both petal measurements with another "
    f"flower: in the petal panel they draw only "
    f"{len(petals.drop_duplicates())} distinct dots."
)

# %%
# ## Parallel coordinates
#
# Each flower is one line crossing four vertical axes. To put the axes on a common
# scale we standardize each feature (mean 0, standard deviation 1) and use pandas'
# `parallel_coordinates`, which draws with matplotlib.
from pandas.plotting import parallel_coordinates

Z = (X - X.mean()) / X.std()
Z.columns = short
Z["species"] = species.astype(str)
fig, ax = plt.subplots(figsize=(9, 4.5))
parallel_coordinates(
    Z,
    "species",
    # pandas colours the species in their order of appearance
    color=[SPECIES_COLORS[name] for name in Z["species"].unique()],
    alpha=0.45,
    lw=1,
    ax=ax,
)
ax.set_ylabel("standardized value")
ax.set_title("Parallel coordinates of the Iris flowers")
ax.legend(loc="upper right")
plt.show()

setosa = (species == "setosa").to_numpy()
petal_axes = ("petal length", "petal width")
lowest = all(Z.loc[setosa, f].max() < Z.loc[~setosa, f].min() for f in petal_axes)
claim(lowest, "setosa's lines drop to the bottom on both petal axes")

# %%
# ## Interactive parallel coordinates
#
# With plotly, drag along any axis to select a range: only the flowers inside it stay
# highlighted (try selecting short petals). Axes can be reordered by dragging their
# titles; colour is the species.
import plotly.express as px

frame = X.copy()
frame.columns = short
frame["species code"] = species.cat.codes
fig = px.parallel_coordinates(
    frame,
    dimensions=short,
    color="species code",
    color_continuous_scale=[  # codes 0, 1, 2 land exactly on the species colours
        [code / 2, SPECIES_COLORS[name]] for code, name in enumerate(names)
    ],
)
fig.update_layout(
    height=420,
    margin={"l": 60, "r": 40, "t": 90, "b": 30},
    coloraxis_colorbar={"tickvals": [0, 1, 2], "ticktext": names, "title": "species"},
)
fig

# %%
# ## How to read these figures
#
# * **Pair plot, off-diagonal**: a tight diagonal cloud means two correlated features
#   (petal length and width, across the species: for telling the species apart they
#   carry nearly the same information). Look inside each colour too: within one
#   species the cloud is looser, and the pooled correlation mostly reflects the
#   species' differences (the finding above). Colours that form separate clouds mean
#   those two features together separate the species.
# * **Pair plot, diagonal**: overlapping histograms mean the feature alone cannot tell
#   the species apart; here sepal width overlaps most.
# * **Parallel coordinates**: lines of one colour that stay in a band form a class
#   profile; where bands cross or mix, the feature does not separate the classes.
#   Setosa's lines drop to the bottom on both petal axes.
#
# ## Pitfalls
#
# * **Pairs only.** A pair plot never shows interactions among three or more features;
#   classes that overlap in every pair can still be separable in four dimensions.
# * **It does not scale**: *p* features give *p²* panels. Past ten or so, use parallel
#   coordinates, a correlation heatmap or an embedding (PCA, UMAP).
# * **Overplotting** hides density: Iris is measured to 0.1 cm, so many flowers sit on
#   top of each other (counted above for the petals). Use transparency or jitter.
# * **Axis order and scaling drive parallel coordinates.** Unscaled axes let the widest
#   feature dominate; a different order shows different crossings.
