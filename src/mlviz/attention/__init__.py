"""Attention in transformers: capture it, combine it, measure it, draw it.

* :mod:`mlviz.attention.vision` -- a vision transformer's attention captured with hooks
  (:class:`AttentionCapture`) and combined over layers (:func:`attention_rollout`);
* :mod:`mlviz.attention.text` -- scores for simple, named patterns of a text head
  (:func:`head_pattern_scores`);
* :mod:`mlviz.attention.plotting` -- a head view and heatmap grids of one sentence.

The weights themselves come from the model: :func:`mlviz.text.attentions` for the text
transformer, :class:`AttentionCapture` for :class:`mlviz.models.TinyViT`.
"""

from .plotting import HeadViewDisplay, attention_slider_figure, plot_attention_grid, plot_attention_heatmap
from .text import PATTERNS, SPECIAL_TOKENS, head_pattern_scores, uniform_pattern_scores
from .vision import AttentionCapture, attention_rollout, patch_map

__all__ = [
    "PATTERNS",
    "SPECIAL_TOKENS",
    "AttentionCapture",
    "HeadViewDisplay",
    "attention_rollout",
    "attention_slider_figure",
    "head_pattern_scores",
    "patch_map",
    "plot_attention_grid",
    "plot_attention_heatmap",
    "uniform_pattern_scores",
]
