"""Annotated horizontal bar charts (importances, coefficients)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._colors import MAGNITUDE, sign_colors

__all__ = ["plot_bars"]


def plot_bars(
    values,
    names,
    *,
    errors=None,
    ax=None,
    top=None,
    sort=True,
    fmt="{:.3f}",
    color=None,
    signed=None,
    xlabel=None,
):
    """Draw values as horizontal bars, largest at the top, each labelled with its value.

    Parameters
    ----------
    values : array-like of shape (n,)
        The numbers to draw (e.g. importances or coefficients; negatives allowed).
    names : array-like of str, shape (n,)
        One label per value.
    errors : array-like of shape (n,), optional
        Half-widths of error bars (e.g. a standard deviation).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when absent.
    top : int, optional
        Keep only the ``top`` values of largest magnitude.
    sort : bool, default True
        Order bars by magnitude (largest at the top); otherwise keep the given order.
    fmt : str, default "{:.3f}"
        Format of the value written next to each bar.
    color : color or sequence of colors, optional
        Bar colours; overrides ``signed``. Default: the gallery's colours (see
        ``signed``).
    signed : bool, optional
        What the values mean, which sets the default colours. ``True``: a signed effect
        (a coefficient, a LIME weight): :data:`~mlviz.plotting.POSITIVE` (red) above
        zero, :data:`~mlviz.plotting.NEGATIVE` (blue) otherwise, even when every value
        happens to have the same sign. ``False``: a size without a sign (an
        importance), all :data:`~mlviz.plotting.MAGNITUDE` (purple), even when noise
        makes some values negative (permutation importance). ``None`` (default):
        signed when any value is negative. Pass it explicitly whenever you know.
    xlabel : str, optional
        Label of the value axis.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on; its bar patches are ``ax.patches`` (top bar last) and the
        value labels ``ax.texts``.
    """
    values = np.asarray(values, dtype=float)
    names = np.asarray(names, dtype=object)
    if values.ndim != 1:
        raise ValueError(f"values must be one-dimensional; got shape {values.shape}")
    if names.shape != values.shape:
        raise ValueError(f"names must have one entry per value: {names.shape[0]} names for {values.shape[0]} values")
    if errors is not None:
        errors = np.asarray(errors, dtype=float)
        if errors.shape != values.shape:
            raise ValueError(f"errors must have the shape of values {values.shape}; got {errors.shape}")
    if top is not None and (not isinstance(top, (int, np.integer)) or top < 1):
        raise ValueError(f"top must be a positive integer; got {top!r}")
    if signed is not None and not isinstance(signed, (bool, np.bool_)):
        raise TypeError(f"signed must be True, False or None; got {signed!r}")

    order = np.argsort(np.abs(values))[::-1] if sort else np.arange(len(values))
    if top is not None:
        order = order[:top]
    order = order[::-1]  # barh draws from the bottom up: put the largest last (at the top)
    v, n = values[order], names[order]
    e = None if errors is None else errors[order]

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * len(v) + 1.2))
    if color is None:
        if signed is None:
            signed = bool(np.any(values < 0))
        color = sign_colors(v) if signed else MAGNITUDE
    y = np.arange(len(v))
    ax.barh(y, v, xerr=e, color=color, error_kw={"ecolor": "0.3", "capsize": 3, "lw": 1})
    ax.set_yticks(y, [str(s) for s in n])
    ax.axvline(0, color="0.3", lw=0.8)
    ax.grid(axis="y", visible=False)

    span = np.max(np.abs(v) + (0 if e is None else e)) if len(v) else 1.0
    pad = 0.01 * span
    for yi, vi, ei in zip(y, v, np.zeros_like(v) if e is None else e):
        end = vi + np.sign(vi or 1) * (ei + pad)
        ax.text(end, yi, fmt.format(vi), va="center", ha="left" if vi >= 0 else "right", fontsize=9)
    lo = min(0.0, np.min(v - (0 if e is None else e))) if len(v) else 0
    hi = max(0.0, np.max(v + (0 if e is None else e))) if len(v) else 1
    margin = 0.18 * (hi - lo or 1.0)
    ax.set_xlim(lo - (margin if lo < 0 else 0), hi + (margin if hi > 0 else 0))
    if xlabel:
        ax.set_xlabel(xlabel)
    return ax
