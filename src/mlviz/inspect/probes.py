"""Probing a text transformer's layers, with control tasks (Hewitt and Liang, 2019).

A *probe* is a small classifier trained to read a property (here: part of speech) from
one layer's word representations. Its accuracy alone does not say that the layer
*encodes* the property: an expressive enough probe can memorize each word type's label.
Hewitt and Liang's *control task* gives every word type a random label, fixed for the
type, drawn from the real task's label distribution; only memorization can solve it.
*Selectivity* is task accuracy minus control accuracy.

This module holds what the gallery's probing page needs:

* :func:`toy_pos_sentences` -- sentences from a small template grammar, each word
  tagged with its part of speech; some words ("run", "book", "watch") are nouns in
  some sentences and verbs in others, so a word's type alone does not give its label;
* :func:`layer_features` -- one vector per word from every layer of all-MiniLM-L6-v2
  (mean or first of the word's word pieces), plus the word-piece embeddings alone;
  cached on disk under the SHA-256 of the sentences and settings;
* :func:`control_labels` -- the control task's labels;
* :func:`fit_probe` -- the linear probe: standardized vectors, multinomial logistic
  regression with an L2 penalty per training word;
* :func:`resample_accuracy` -- accuracies recomputed on test sets resampled by
  sentence, for intervals;
* :func:`probe_table` and :func:`plot_probe_layers` -- task, control and selectivity
  per layer with intervals, and their figure.

Torch and transformers are imported only inside :func:`layer_features`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import cache_dir, written_atomically

__all__ = [
    "AMBIGUOUS",
    "TAGS",
    "LayerFeatures",
    "control_labels",
    "fit_probe",
    "layer_features",
    "plot_probe_layers",
    "probe_table",
    "resample_accuracy",
    "toy_pos_sentences",
]

#: The part-of-speech labels of :func:`toy_pos_sentences`.
TAGS = ("DET", "PRON", "ADJ", "NOUN", "VERB", "PREP", "ADV")

_VOCABULARY = {
    "det": ("the", "a", "this", "my", "our", "every"),
    "det_plural": ("the", "these", "my", "our", "some"),
    "pron": ("they", "we", "i", "you"),
    "adj": (
        "old", "new", "small", "big", "quiet", "heavy", "bright", "broken", "empty",
        "famous", "green", "lazy", "gloomy", "shabby", "wobbly", "rusty",
    ),
    "adv": (
        "quickly", "slowly", "quietly", "carefully", "happily", "badly", "again",
        "together", "sleepily",
    ),
    "prep": ("in", "on", "near", "under", "behind", "with", "beside", "across", "into"),
    "noun": (
        "dog", "cat", "teacher", "garden", "river", "table", "window", "letter", "city",
        "kitchen", "bottle", "child", "doctor", "farmer", "bridge", "house",
        "wheelbarrow", "scooter", "teapot", "hammock", "umbrella", "lantern",
    ),
    "noun_plural": (
        "dogs", "cats", "teachers", "children", "students", "farmers", "doctors",
        "birds", "friends", "neighbours",
    ),
    "verb": (
        "see", "like", "find", "need", "want", "bring", "take", "carry", "open",
        "clean", "move", "sell", "buy", "keep",
    ),
    "verb_3sg": (
        "sleeps", "waits", "sits", "stays", "lies", "stands", "falls", "shines",
        "snores", "wanders", "blinks",
    ),
}  # fmt: skip

#: Words the grammar uses both as a noun ("the watch") and as a verb ("we watch").
AMBIGUOUS = (
    "run", "book", "watch", "walk", "play", "park", "fish", "cook", "ship", "drink",
    "paint", "train", "plant", "call", "lock", "visit", "show", "sign", "ride",
    "answer",
)  # fmt: skip


def toy_pos_sentences(
    n_sentences, *, seed=0, p_ambiguous_verb=0.5, p_ambiguous_noun=0.3
):
    """Generate tagged sentences from a small template grammar.

    Two templates, lower case, without punctuation:

    * ``SUBJECT VERB OBJECT [PREP OBJECT] [ADV]`` -- the subject is a pronoun or a
      plural noun phrase, the verb is in its base form ("they watch a small book");
    * ``OBJECT VERB-s PREP OBJECT [ADV]`` -- a singular subject with an intransitive
      verb ("the watch lies under my table").

    ``OBJECT`` is ``DET [ADJ] NOUN``. The verb slot takes a word of :data:`AMBIGUOUS`
    with probability ``p_ambiguous_verb``, each noun slot with ``p_ambiguous_noun``, so
    that those words occur as nouns and as verbs. "a" becomes "an" before a vowel.

    Parameters
    ----------
    n_sentences : int
        How many sentences.
    seed : int, default=0
        Seed of the generator.
    p_ambiguous_verb, p_ambiguous_noun : float
        Probability that a verb (noun) slot takes an ambiguous word.

    Returns
    -------
    list of list of (str, str)
        Each sentence as ``(word, tag)`` pairs, tags from :data:`TAGS`.
    """
    if not isinstance(n_sentences, (int, np.integer)) or n_sentences < 1:
        raise ValueError(f"n_sentences must be a positive int; got {n_sentences!r}")
    for name, p in (
        ("p_ambiguous_verb", p_ambiguous_verb),
        ("p_ambiguous_noun", p_ambiguous_noun),
    ):
        if not 0 <= p <= 1:
            raise ValueError(f"{name} must be a probability in [0, 1]; got {p!r}")
    rng = np.random.default_rng(seed)
    v = _VOCABULARY

    def pick(words):
        return words[rng.integers(len(words))]

    def noun_phrase():
        phrase = [(pick(v["det"]), "DET")]
        if rng.random() < 0.4:
            phrase.append((pick(v["adj"]), "ADJ"))
        noun = pick(AMBIGUOUS) if rng.random() < p_ambiguous_noun else pick(v["noun"])
        return phrase + [(noun, "NOUN")]

    def subject():
        if rng.random() < 0.5:
            return [(pick(v["pron"]), "PRON")]
        phrase = [(pick(v["det_plural"]), "DET")]
        if rng.random() < 0.4:
            phrase.append((pick(v["adj"]), "ADJ"))
        return phrase + [(pick(v["noun_plural"]), "NOUN")]

    sentences = []
    for _ in range(int(n_sentences)):
        if rng.random() < 0.7:
            verb = (
                pick(AMBIGUOUS) if rng.random() < p_ambiguous_verb else pick(v["verb"])
            )
            sentence = subject() + [(verb, "VERB")] + noun_phrase()
            if rng.random() < 0.5:
                sentence += [(pick(v["prep"]), "PREP")] + noun_phrase()
        else:
            sentence = noun_phrase() + [
                (pick(v["verb_3sg"]), "VERB"),
                (pick(v["prep"]), "PREP"),
            ]
            sentence += noun_phrase()
        if rng.random() < 0.4:
            sentence.append((pick(v["adv"]), "ADV"))
        sentence = [
            ("an" if w == "a" and sentence[i + 1][0][0] in "aeiou" else w, t)
            for i, (w, t) in enumerate(sentence)
        ]
        sentences.append(sentence)
    return sentences


@dataclass(frozen=True)
class LayerFeatures:
    """One vector per word from each layer of the model.

    Attributes
    ----------
    features : ndarray of shape (n_sets, n_words, dim), dtype float32
        ``features[k]`` are the vectors of ``names[k]``.
    names : tuple of str
        ``"word pieces"`` (the input embedding of the word's pieces alone: its type,
        no position), then ``"layer 0"`` (the model's embedding output: word piece +
        position + segment, normalized) to ``"layer 6"``.
    words : ndarray of str, shape (n_words,)
    sentence : ndarray of int, shape (n_words,)
        Index of each word's sentence.
    n_pieces : ndarray of int, shape (n_words,)
        Word pieces the tokenizer split each word into.
    pooling : str
        ``"mean"`` or ``"first"``.
    """

    features: np.ndarray
    names: tuple
    words: np.ndarray
    sentence: np.ndarray
    n_pieces: np.ndarray
    pooling: str


def _check_words(sentences):
    if isinstance(sentences, (str, bytes)) or not len(sentences):
        raise ValueError(
            f"sentences must be a non-empty list of lists of words; got {sentences!r:.60}"
        )
    out = []
    for s in sentences:
        words = [w[0] if isinstance(w, tuple) else w for w in s]
        if not words or not all(
            isinstance(w, str) and w and " " not in w for w in words
        ):
            raise ValueError(
                f"sentences must hold lists of single words (str without spaces); got {s!r:.60}"
            )
        out.append(words)
    return out


def _features_path(sentences, pooling, batch_size):
    # versions read without importing torch: a cache hit needs neither library
    from importlib.metadata import version

    from ..text.minilm import WEIGHTS_SHA256

    payload = json.dumps(
        {
            "sentences": sentences,
            "pooling": pooling,
            "batch_size": batch_size,
            "weights": WEIGHTS_SHA256,
            "torch": version("torch"),
            "transformers": version("transformers"),
        }
    )
    return cache_dir("probes") / f"{hashlib.sha256(payload.encode()).hexdigest()}.npz"


def layer_features(sentences, *, pooling="mean", batch_size=64, cache=True):
    """Per-layer word vectors of all-MiniLM-L6-v2 (from its wheel), cached on disk.

    Each sentence goes through the model as its list of words
    (``is_split_into_words=True``); a word's vector in a layer is the mean of its word
    pieces' hidden states (``pooling="mean"``) or its first piece's (``"first"``).
    ``[CLS]`` and ``[SEP]`` are left out.

    Parameters
    ----------
    sentences : list of list of str, or of (word, tag) pairs
        As :func:`toy_pos_sentences` returns them, or plain word lists.
    pooling : {"mean", "first"}, default="mean"
        How a word's pieces become one vector.
    batch_size : int, default=64
        Sentences per forward pass.
    cache : bool, default=True
        Read and write ``mlviz.config.cache_dir("probes")``, under the SHA-256 of the
        sentences, settings, model weights and library versions (written to a temporary
        file, then renamed, so a reader never sees half a file).

    Returns
    -------
    LayerFeatures
    """
    if pooling not in ("mean", "first"):
        raise ValueError(f"pooling must be 'mean' or 'first'; got {pooling!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}")
    sentences = _check_words(sentences)
    words = np.array([w for s in sentences for w in s])
    sentence = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    path = _features_path(sentences, pooling, batch_size) if cache else None
    if path is not None and path.is_file():
        with np.load(path) as stored:
            features, n_pieces = stored["features"], stored["n_pieces"]
    else:
        features, n_pieces = _compute(sentences, pooling, batch_size)
        if path is not None:
            with written_atomically(path) as file:
                np.savez(file, features=features, n_pieces=n_pieces)
    names = ("word pieces",) + tuple(f"layer {k}" for k in range(features.shape[0] - 1))
    return LayerFeatures(features, names, words, sentence, n_pieces, pooling)


def _compute(sentences, pooling, batch_size):
    import torch

    from ..text.minilm import load_minilm

    minilm = load_minilm()
    table = minilm.model.get_input_embeddings()
    per_word, pieces = [], []
    for start in range(0, len(sentences), batch_size):
        chunk = sentences[start : start + batch_size]
        batch = minilm.tokenizer(
            chunk, is_split_into_words=True, padding=True, return_tensors="pt"
        )
        with torch.no_grad():
            out = minilm.model(**batch, output_hidden_states=True)
            # (batch, sets, tokens, dim): the input embedding alone, then layers 0..6
            hidden = torch.stack(
                (table(batch["input_ids"]),) + out.hidden_states, 1
            ).numpy()
        for i, words in enumerate(chunk):
            ids = np.array([-1 if w is None else w for w in batch.word_ids(i)])
            for j in range(len(words)):
                where = np.flatnonzero(ids == j)
                if not len(where):  # a word the tokenizer drops (control characters)
                    raise ValueError(
                        f"sentences: the tokenizer gives no word piece for {words[j]!r}"
                    )
                pieces.append(len(where))
                where = where[:1] if pooling == "first" else where
                per_word.append(hidden[i][:, where].mean(1))
    return np.stack(per_word, 1).astype(np.float32), np.array(pieces)


def control_labels(words, labels, *, seed=0):
    """Hewitt and Liang's control task: one random label per word type.

    Every distinct word gets a label drawn from the empirical distribution of
    ``labels`` (the task's labels over all occurrences); every occurrence of the word
    carries it. Only memorizing word types solves the task.

    Parameters
    ----------
    words : array-like of str, shape (n_words,)
    labels : array-like, shape (n_words,)
        The real task's labels, whose distribution the control labels follow.
    seed : int, default=0

    Returns
    -------
    ndarray, shape (n_words,)
        The control label of each occurrence (values taken from ``labels``).
    """
    words, labels = np.asarray(words), np.asarray(labels)
    if words.shape != labels.shape or words.ndim != 1:
        raise ValueError(
            f"words and labels must be 1-D of one length; got shapes {words.shape} and {labels.shape}"
        )
    classes, counts = np.unique(labels, return_counts=True)
    types, inverse = np.unique(words, return_inverse=True)
    rng = np.random.default_rng(seed)
    drawn = rng.choice(len(classes), size=len(types), p=counts / counts.sum())
    return classes[drawn][inverse]


def fit_probe(X, y, *, l2=1.0, max_iter=2000):
    """Fit a linear probe: standardize, then a multinomial logistic regression.

    The probe is ``make_pipeline(StandardScaler(), LogisticRegression(C=1 / (l2 *
    n)))`` for ``n`` training words: scikit-learn's ``C`` multiplies the *summed* loss,
    so ``l2`` is the penalty ``l2 / 2 * ||W||^2`` against the *mean* loss, and means
    the same at any training size. Larger ``l2``: a weaker probe, less able to
    memorize.

    Parameters
    ----------
    X : array-like of shape (n_words, dim)
    y : array-like of shape (n_words,)
    l2 : float, default=1.0
        L2 penalty per training word (positive).
    max_iter : int, default=2000
        Iterations of L-BFGS.

    Returns
    -------
    sklearn.pipeline.Pipeline
        The fitted probe (``predict``, ``predict_proba``).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    if not np.isscalar(l2) or not l2 > 0:
        raise ValueError(f"l2 must be a positive number; got {l2!r}")
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(
            f"X must be (n_words, dim) with one row per label in y; got {X.shape} and {y.shape}"
        )
    probe = make_pipeline(
        StandardScaler(), LogisticRegression(C=1 / (l2 * len(y)), max_iter=max_iter)
    )
    # A few thousand rows gain nothing from BLAS threads, and on a busy machine two
    # threads wait for each other: measured, a page of these fits took 20x longer.
    with threadpool_limits(1):
        return probe.fit(X, y)


def resample_accuracy(correct, sentence, *, n_boot=2000, seed=0):
    """Accuracies on test sets resampled by sentence (a bootstrap over sentences).

    Words of one sentence are not independent, so whole sentences are drawn with
    replacement; an accuracy is then the resampled correct words over the resampled
    words. All rows of ``correct`` use the same draws, so differences between them
    (task minus control, layer against layer) are paired.

    Parameters
    ----------
    correct : array-like of bool or float, shape (..., n_words)
        Whether each test word was labelled right (1 or 0), for any number of probes;
        or a difference of two such arrays (the resampled mean difference).
    sentence : array-like of int, shape (n_words,)
        Each word's sentence.
    n_boot : int, default=2000
    seed : int, default=0

    Returns
    -------
    ndarray of shape (n_boot, ...)
        ``out[b]`` holds every probe's accuracy on resample ``b``.
    """
    correct = np.asarray(correct, dtype=float)
    sentence = np.asarray(sentence)
    if sentence.ndim != 1 or correct.shape[-1] != len(sentence):
        raise ValueError(
            f"sentence must be 1-D with one entry per word ({correct.shape[-1]}); got shape {sentence.shape}"
        )
    if not isinstance(n_boot, int) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive int; got {n_boot!r}")
    _, index = np.unique(sentence, return_inverse=True)
    n = index.max() + 1
    flat = correct.reshape(-1, correct.shape[-1])
    per_sentence = np.stack([np.bincount(index, row, n) for row in flat])  # (probes, n)
    per_sentence = per_sentence.reshape(correct.shape[:-1] + (n,))
    lengths = np.bincount(index, minlength=n)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, np.full(n, 1 / n), size=n_boot)  # (n_boot, n)
    accuracy = (per_sentence @ draws.T) / (draws @ lengths)  # (..., n_boot)
    return np.moveaxis(accuracy, -1, 0)


def probe_table(
    names, task_correct, control_correct, sentence, *, n_boot=2000, level=0.95, seed=0
):
    """Task accuracy, control accuracy and selectivity per layer, with intervals.

    Parameters
    ----------
    names : sequence of str
        One per layer (row).
    task_correct : array-like of bool, shape (n_layers, n_words)
        Whether the task probe labelled each test word right.
    control_correct : array-like of bool, shape (n_layers, n_words) or (n_layers, n_seeds, n_words)
        The same for the control probe; with several control labellings (seeds), their
        mean accuracy is used.
    sentence : array-like of int, shape (n_words,)
    n_boot, level, seed
        Resamples by sentence (:func:`resample_accuracy`), interval level, seed.

    Returns
    -------
    DataFrame
        Indexed by ``names``; columns ``task``, ``control``, ``selectivity`` and each
        with ``_low``/``_high`` percentile bounds.
    """
    task = np.asarray(task_correct, dtype=float)
    control = np.asarray(control_correct, dtype=float)
    if control.ndim == task.ndim:
        control = control[:, None]
    if (
        task.ndim != 2
        or control.shape[0] != task.shape[0]
        or control.shape[-1] != task.shape[-1]
    ):
        raise ValueError(
            f"task_correct must be (n_layers, n_words) and control_correct (n_layers[, n_seeds], n_words) "
            f"alike; got {task.shape} and {control.shape}"
        )
    if len(names) != len(task):
        raise ValueError(
            f"names must have one entry per layer ({len(task)}); got {len(names)}"
        )
    control = control.mean(1)  # mean over seeds, per word
    boot = resample_accuracy(
        np.stack([task, control]), sentence, n_boot=n_boot, seed=seed
    )
    values = {
        "task": boot[:, 0],
        "control": boot[:, 1],
        "selectivity": boot[:, 0] - boot[:, 1],
    }
    point = {"task": task.mean(1), "control": control.mean(1)}
    point["selectivity"] = point["task"] - point["control"]
    alpha = (1 - level) / 2
    columns = {}
    for key, draws in values.items():
        columns[key] = point[key]
        columns[f"{key}_low"] = np.quantile(draws, alpha, axis=0)
        columns[f"{key}_high"] = np.quantile(draws, 1 - alpha, axis=0)
    return pd.DataFrame(columns, index=pd.Index(list(names), name="layer"))


def plot_probe_layers(table, *, ax=None, title=None):
    """Draw task and control accuracy per layer, with their intervals and selectivity.

    Parameters
    ----------
    table : DataFrame
        As :func:`probe_table` returns it.
    ax : matplotlib Axes, optional
        Created when absent.
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    needed = {
        f"{k}{s}"
        for k in ("task", "control", "selectivity")
        for s in ("", "_low", "_high")
    }
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns):
        raise ValueError(
            f"table must be a DataFrame from probe_table with columns {sorted(needed)}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(table))
    ax.bar(
        x,
        table["selectivity"],
        width=0.6,
        color="C2",
        alpha=0.45,
        yerr=[
            table["selectivity"] - table["selectivity_low"],
            table["selectivity_high"] - table["selectivity"],
        ],
        ecolor="C2",
        capsize=3,
        label="selectivity = task − control",
    )
    for key, color, marker, label in (
        ("task", "C0", "o", "task (part of speech)"),
        ("control", "C3", "s", "control (random label per word type)"),
    ):
        ax.plot(x, table[key], marker=marker, color=color, label=label)
        ax.fill_between(
            x, table[f"{key}_low"], table[f"{key}_high"], color=color, alpha=0.2, lw=0
        )
    ax.set_xticks(x, list(table.index), rotation=30, ha="right")
    ax.set(
        ylabel="test accuracy",
        ylim=(min(0.0, table["selectivity_low"].min() - 0.05), 1.05),
    )
    ax.axhline(0, color="0.5", lw=0.8)
    ax.legend(loc="center right", fontsize="small")
    if title:
        ax.set_title(title)
    return ax
