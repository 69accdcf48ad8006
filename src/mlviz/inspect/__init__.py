"""Inspectors: compute what a fitted model contains (arrays and tables, no drawing)."""
