"""
# UMAP of MNIST: n_neighbors, min_dist, and t-SNE beside it

**Catalog A5** · **Question:** data, structure, comparison · **Family:** any · **Phase:** before training · **Data:** MNIST

UMAP (McInnes et al., 2018) builds a neighbour graph of the data and lays it out in
2-D. Like t-SNE it keeps local neighbourhoods, and it is usually faster on large data.
It is often said to keep more of the global arrangement as well; that difference comes
mostly from its starting layout, and t-SNE started from PCA, as here, keeps the global
arrangement about as well (Kobak and Linderman, 2021). Two knobs shape the map:
`n_neighbors` (how local the view is) and `min_dist` (how tightly points may pack).
This page varies both on MNIST, times each run, and puts t-SNE on the same data beside
it.
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

from mlviz.inspect.embedding import count_islands, neighbour_agreement
from mlviz.plotting import plot_embedding

# per point: the share of its 10 nearest map neighbours with the same digit
per_point = {
    name: neighbour_agreement(coords, y, per_point=True)
    for name, coords in maps.items()
}
agree = {name: shares.mean() for name, shares in per_point.items()}
# islands: groups with a visible gap around them, counted as on page A4
islands = {name: count_islands(coords) for name, coords in maps.items()}
fig, axes = plt.subplots(2, 3, figsize=(12, 8.4))
for ax, (name, coords) in zip(axes.flat, maps.items()):
    title = (
        f"{name}\n{seconds[name]:.1f} s, neighbours agree {agree[name]:.0%}, "
        f"{islands[name]} island{'s' * (islands[name] > 1)}"
    )
    plot_embedding(coords, y, ax=ax, title=title)
fig.suptitle(f"{len(y):,} MNIST digits (PCA 50 first), coloured by true digit")
plt.show()

# %%
# Is the best map really ahead of the runner-up? Both scores average over the same
# points, so a paired bootstrap (`scipy.stats.bootstrap`) of the difference per point
# gives its 95 % interval. It treats the points as independent draws, which
# neighbouring points are not quite: read the interval as approximate. The same
# interval compares `n_neighbors` 5 with 50 at each `min_dist`.
from scipy.stats import bootstrap

from mlviz.report import claim, say


def lead(a, b):
    """95 % interval of map a's agreement minus map b's, in percentage points."""
    interval = bootstrap(
        (per_point[a], per_point[b]),
        lambda x, z, axis: np.mean(x - z, axis=axis),
        paired=True,
        random_state=SEED,
    ).confidence_interval
    return 100 * interval.low, 100 * interval.high


best, second = sorted(agree, key=agree.get, reverse=True)[:2]
low, high = lead(best, second)
verdict = (
    f"ahead of **{second}** ({agree[second]:.1%})"
    if low > 0
    else f"indistinguishable on these points from **{second}** ({agree[second]:.1%})"
)
umap_times = [t for name, t in seconds.items() if name.startswith("UMAP")]
say(
    f"Best label agreement of the 10 nearest map neighbours: **{best}** "
    f"({agree[best]:.1%}), {verdict}: the difference is "
    f"{100 * (agree[best] - agree[second]):+.1f} percentage points (95 % interval "
    f"{low:+.1f} to {high:+.1f}). PCA reaches "
    f"{agree['PCA (2 components)']:.1%}. UMAP took "
    f"{min(umap_times):.1f}–{max(umap_times):.1f} s per run, t-SNE "
    f"{seconds['t-SNE perplexity=30']:.1f} s, on {len(y):,} points and one core."
)

from mlviz.inspect.embedding import class_spread

spread = {name: class_spread(coords, y) for name, coords in maps.items()}
say(
    "Mean distance of a point to its digit's centre, relative to the map's size "
    "(smaller is tighter): "
    + ", ".join(f"{name[5:]}: {spread[name]:.2f}" for name in maps if "UMAP" in name)
    + "."
)
for k in (5, 50):
    tight, loose = (f"UMAP n_neighbors={k}, min_dist={d}" for d in (0.0, 0.5))
    claim(
        spread[tight] < spread[loose],
        "min_dist=0 packs each digit tighter than min_dist=0.5",
        evidence=f"{spread[tight]:.3f} vs {spread[loose]:.3f}",
    )
    claim(
        islands[loose] < islands[tight],
        "min_dist=0.5 fills the gaps between islands: fewer islands than min_dist=0",
        evidence=f"{islands[loose]} vs {islands[tight]}",
    )
local = {}  # n_neighbors=5 minus 50: difference and interval, in percentage points
for d in (0.0, 0.5):
    few, many = (f"UMAP n_neighbors={k}, min_dist={d}" for k in (5, 50))
    local[d] = (100 * (agree[few] - agree[many]), *lead(few, many))
say(
    "Label agreement of n_neighbors=5 minus n_neighbors=50: "
    + "; ".join(
        f"min_dist={d}: {diff:+.1f} percentage points (95 % interval {lo:+.1f} to "
        f"{hi:+.1f})"
        for d, (diff, lo, hi) in local.items()
    )
    + "."
)
claim(
    local[0.5][1] > 0,
    "with min_dist=0.5, n_neighbors=5 keeps more same-digit neighbours than 50",
    evidence=str(local),
)

# %%
# ## How to read this figure
#
# * Small `n_neighbors` favours local detail: each point sees few neighbours. At
#   `min_dist=0.5` a point's nearest neighbours on the map share its digit more often
#   with `n_neighbors=5` than with 50, beyond the noise (the third finding, which also
#   gives the interval at `min_dist=0`); large values smooth over the detail.
# * An island, as counted in the titles, is a group of points with a gap around it
#   that you can see in the panel (defined on the t-SNE page, A4: a stray point
#   between two groups does not join them).
# * `min_dist=0` packs each digit tighter (useful when the map feeds a clustering);
#   `min_dist=0.5` spreads the points out and fills the gaps between islands (better
#   for seeing variation within a digit). The second finding above measures it.
# * The titles give the run time, a number for class separation and the islands, so
#   the comparison is not by eye only.
#
# ## Pitfalls
#
# * **Sizes, densities and gaps are not measurements.** As in t-SNE, the area of an
#   island and the distance between two islands say little about the data: UMAP does
#   not keep densities (densMAP was made to), and `min_dist` alone changes how tight
#   every digit looks (the finding above).
# * **The starting layout sets the global arrangement.** UMAP starts from a spectral
#   layout of its neighbour graph; that start, more than the algorithm, is what keeps
#   the islands' arrangement (Kobak and Linderman, 2021). Do not measure between
#   islands.
# * **Timings on small subsets mislead.** UMAP's advantage over t-SNE grows with the
#   number of points; the compile step of the first call is not part of the run time.
# * **Seeded UMAP is single-threaded.** `random_state` makes UMAP reproducible but turns
#   off its parallelism.
