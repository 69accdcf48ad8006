import numpy as np
import pandas as pd
import pytest

from mlviz.attention import head_pattern_scores, uniform_pattern_scores

TOKENS = ["[CLS]", "the", "cat", "saw", "the", "dog", "[SEP]"]


def _one_hot_rows(targets, n=len(TOKENS)):
    w = np.zeros((n, n))
    for i, j in enumerate(targets):
        w[i, j] = 1.0
    return w


def test_previous_token_head_scores_one():
    w = _one_hot_rows([0, 0, 1, 2, 3, 4, 5])
    scores = head_pattern_scores(w, TOKENS).iloc[0]
    # queries 2..5 have a real previous token; query 1 (after [CLS]) is not counted
    assert scores["previous"] == pytest.approx(1.0)
    assert scores["next"] == pytest.approx(0.0)
    assert scores["[SEP]"] == pytest.approx(0.0)


def test_separator_and_cls_heads():
    sep = _one_hot_rows([6] * 7)
    cls = _one_hot_rows([0] * 7)
    assert head_pattern_scores(sep, TOKENS).iloc[0]["[SEP]"] == pytest.approx(1.0)
    assert head_pattern_scores(cls, TOKENS).iloc[0]["[CLS]"] == pytest.approx(1.0)
    assert head_pattern_scores(cls, TOKENS).iloc[0]["[SEP]"] == pytest.approx(0.0)


def test_same_word_averages_only_repeated_tokens():
    # "the" (1) looks at "the" (4) and vice versa; other rows look elsewhere
    w = _one_hot_rows([0, 4, 2, 3, 1, 5, 6])
    assert head_pattern_scores(w, TOKENS).iloc[0]["same word"] == pytest.approx(1.0)
    no_repeat = ["[CLS]", "a", "b", "[SEP]"]
    assert np.isnan(head_pattern_scores(np.eye(4), no_repeat).iloc[0]["same word"])


def test_index_and_shape_for_layer_head_array():
    rng = np.random.default_rng(0)
    raw = rng.random((2, 3, 7, 7))
    w = raw / raw.sum(-1, keepdims=True)
    scores = head_pattern_scores(w, TOKENS)
    assert isinstance(scores, pd.DataFrame)
    assert list(scores.index.names) == ["layer", "head"]
    assert len(scores) == 6
    # reference: head (1, 2), "self" = mean of the diagonal over word tokens 1..5
    assert scores.loc[(1, 2), "self"] == pytest.approx(np.mean([w[1, 2, i, i] for i in range(1, 6)]))


def test_uniform_baseline():
    base = uniform_pattern_scores(TOKENS)
    assert base["previous"] == pytest.approx(1 / 7)
    assert base["same word"] == pytest.approx(1 / 7)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="shape"):
        head_pattern_scores(np.zeros((3, 4)), TOKENS[:3])
    with pytest.raises(ValueError, match="tokens has 7 entries"):
        head_pattern_scores(np.eye(5), TOKENS)
