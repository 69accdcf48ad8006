"""Inspectors: compute what a fitted model contains (arrays and tables, no drawing)."""

from .featurevis import (  # noqa: F401  (feature visualization, gallery page I7)
    FourierImage,
    PixelImage,
    affine_transform,
    high_frequency_share,
    optimize_input,
    random_transform,
    truncated_forward,
)
