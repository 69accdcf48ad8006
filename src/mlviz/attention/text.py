"""Measure what an attention head does: scores for a few simple, named patterns.

A head's weights over a sentence form a matrix whose row ``i`` says where token ``i``
looks. Some heads follow a recognizable rule (always the previous token, always the
separator). :func:`head_pattern_scores` measures, for every head, how much weight goes
where each rule says it should, so that a page can *find* such heads instead of
asserting them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PATTERNS", "SPECIAL_TOKENS", "head_pattern_scores", "uniform_pattern_scores"]

#: Tokens the tokenizer adds around every sentence.
SPECIAL_TOKENS = ("[CLS]", "[SEP]", "[PAD]")

#: Pattern name -> what its score measures (averaged over the sentence's word tokens).
PATTERNS = {
    "previous": "weight on the token just before",
    "next": "weight on the token just after",
    "self": "weight on the token itself",
    "[CLS]": "weight on the [CLS] token that opens the sentence",
    "[SEP]": "weight on the [SEP] token that closes the sentence",
    "same word": "weight on other occurrences of the same token (tokens that occur twice or more)",
}


def _targets(tokens) -> dict[str, list[tuple[int, list[int]]]]:
    """Pattern -> list of (query position, key positions) pairs it averages over."""
    n = len(tokens)
    real = [i for i, t in enumerate(tokens) if t not in SPECIAL_TOKENS]
    is_real = np.zeros(n, dtype=bool)
    is_real[real] = True
    cls = [j for j, t in enumerate(tokens) if t == "[CLS]"]
    sep = [j for j, t in enumerate(tokens) if t == "[SEP]"]
    same = []
    for i in real:
        others = [j for j in real if j != i and tokens[j].lower() == tokens[i].lower()]
        if others:
            same.append((i, others))
    return {
        "previous": [(i, [i - 1]) for i in real if i > 0 and is_real[i - 1]],
        "next": [(i, [i + 1]) for i in real if i + 1 < n and is_real[i + 1]],
        "self": [(i, [i]) for i in real],
        "[CLS]": [(i, cls) for i in real] if cls else [],
        "[SEP]": [(i, sep) for i in real] if sep else [],
        "same word": same,
    }


def head_pattern_scores(weights, tokens) -> pd.DataFrame:
    """Score every head of every layer for each pattern in :data:`PATTERNS`.

    For a pattern, the score of a head is the attention weight that falls on the
    pattern's target tokens, averaged over the query tokens that are words (not
    ``[CLS]``/``[SEP]``) and for which the pattern has a target. A head that always
    looks at the previous token scores 1 for ``"previous"``; a head that spreads its
    weight evenly scores about ``1 / n_tokens``.

    Parameters
    ----------
    weights : array-like of shape (n_layers, n_heads, n, n) or (n, n)
        Attention weights, rows = queries, columns = keys (as returned by
        :func:`mlviz.text.minilm.attentions`).
    tokens : sequence of str of length n
        The tokens, with the special tokens written ``[CLS]`` and ``[SEP]``.

    Returns
    -------
    pandas.DataFrame
        Index ``(layer, head)`` (0-based), one column per pattern, values in [0, 1].
        A column is NaN when the sentence offers no target (``"same word"`` when no
        token occurs twice).

    Raises
    ------
    ValueError
        If ``weights`` is not square in its last two axes or does not match ``tokens``.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim == 2:
        w = w[None, None]
    if w.ndim != 4 or w.shape[-1] != w.shape[-2]:
        raise ValueError(
            f"weights must have shape (n_layers, n_heads, n, n) or (n, n); got shape {np.shape(weights)}"
        )
    tokens = list(tokens)
    if len(tokens) != w.shape[-1]:
        raise ValueError(f"tokens has {len(tokens)} entries but weights covers n={w.shape[-1]} tokens")
    n_layers, n_heads = w.shape[:2]
    columns = {}
    for name, pairs in _targets(tokens).items():
        if not pairs:
            columns[name] = np.full(n_layers * n_heads, np.nan)
            continue
        per_query = np.stack([w[:, :, i, keys].sum(-1) for i, keys in pairs], axis=-1)
        columns[name] = per_query.mean(-1).ravel()
    index = pd.MultiIndex.from_product([range(n_layers), range(n_heads)], names=["layer", "head"])
    return pd.DataFrame(columns, index=index)


def uniform_pattern_scores(tokens) -> pd.Series:
    """Return the scores a head would get by spreading its weight evenly over all tokens.

    This is the baseline a measured score should be compared with: a "previous-token
    head" must beat ``1 / n`` by far, not merely exceed it.

    Parameters
    ----------
    tokens : sequence of str

    Returns
    -------
    pandas.Series
        One value per pattern in :data:`PATTERNS`.
    """
    n = len(tokens)
    uniform = np.full((n, n), 1.0 / n)
    return head_pattern_scores(uniform, tokens).iloc[0]
