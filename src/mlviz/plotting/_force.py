"""A SHAP force plot that stays legible: horizontal labels, the waterfall's rows.

shap's static force plot (``shap.plots.force(..., matplotlib=True)``) writes feature
names at a slant in small type over a fading backdrop, sized for a 20-inch-wide
figure: shrunk to a page, or to a phone, it cannot be read, and its black outlines stay
black on a dark page. :class:`ForceDisplay` draws the same layout (the contributions
end to end along the output axis, the largest next to the prediction) with upright
labels that never overlap, and folds the small contributions into one
"N other features" segment exactly as ``shap.plots.waterfall`` folds them into one row,
so that a force plot and a waterfall with the same ``max_display`` show the same bars.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Polygon
from matplotlib.textpath import TextPath
from matplotlib.transforms import ScaledTranslation

from ._colors import NEGATIVE, POSITIVE

__all__ = ["ForceDisplay", "force_segments"]


def force_segments(
    values, base_value, *, names=None, data=None, max_display=10
) -> pd.DataFrame:
    """Lay one prediction's contributions end to end, as a force plot draws them.

    The ``max_display - 1`` contributions of largest magnitude get a segment each; the
    others are summed into one segment, ``"N other features"`` (as
    ``shap.plots.waterfall`` folds them into one row). Positive segments run from
    ``prediction - (sum of positive segments)`` up to the prediction, smallest first;
    negative ones from the prediction upwards, largest first: the largest
    contributions meet at the prediction, and the base value lies where the two sides
    balance.

    Parameters
    ----------
    values : array-like of shape (n_features,)
        One prediction's contributions (SHAP values), in the units of the output.
    base_value : float
        The output the contributions start from (``explanation.base_values``).
    names : sequence of str of length n_features, optional
        Feature names; default ``"Feature 0"``, ``"Feature 1"``, ...
    data : array-like of shape (n_features,), optional
        The feature values of this row, written next to the names.
    max_display : int, default 10
        At most this many segments; with more features than that, the smallest share
        one.

    Returns
    -------
    segments : pandas.DataFrame
        One row per segment, left to right, with columns ``feature`` (name, or
        ``"N other features"``), ``value`` (the feature value; NaN for the folded
        segment or without ``data``), ``contribution``, ``n_features`` (1, or N),
        ``start`` and ``end`` (its extent on the output axis, ``start < end``).

    Examples
    --------
    >>> force_segments([3.0, -1.0, 0.5], 10.0, names=["a", "b", "c"])[["feature", "start", "end"]]
      feature  start   end
    0       c    9.0   9.5
    1       a    9.5  12.5
    2       b   12.5  13.5
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"values must be one row of contributions (1-D, not empty); got shape {values.shape}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite; got NaN or infinity")
    base_value = _scalar(base_value)
    names = (
        [f"Feature {i}" for i in range(values.size)]
        if names is None
        else [str(n) for n in names]
    )
    if len(names) != values.size:
        raise ValueError(
            f"names must have one entry per value: {len(names)} names for {values.size} values"
        )
    data = (
        np.full(values.size, np.nan)
        if data is None
        else np.asarray(data, dtype=float).ravel()
    )
    if data.size != values.size:
        raise ValueError(
            f"data must have one entry per value: {data.size} for {values.size} values"
        )
    if (
        isinstance(max_display, bool)
        or not isinstance(max_display, (int, np.integer))
        or max_display < 1
    ):
        raise ValueError(f"max_display must be a positive integer; got {max_display!r}")

    order = np.argsort(-np.abs(values), kind="stable")
    rows = [(names[j], data[j], values[j], 1) for j in order]
    if values.size > max_display:
        kept, rest = order[: max_display - 1], order[max_display - 1 :]
        rows = [(names[j], data[j], values[j], 1) for j in kept]
        rows.append(
            (f"{len(rest)} other features", np.nan, values[rest].sum(), len(rest))
        )
    segments = pd.DataFrame(
        rows, columns=["feature", "value", "contribution", "n_features"]
    )
    up = segments[segments.contribution > 0].sort_values("contribution", kind="stable")
    down = segments[segments.contribution <= 0].sort_values(
        "contribution", kind="stable"
    )
    segments = pd.concat([up, down], ignore_index=True)
    widths = segments.contribution.abs().to_numpy()
    prediction = base_value + values.sum()
    start = (
        prediction
        - up.contribution.sum()
        + np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    )
    segments["start"], segments["end"] = start, start + widths
    return segments


def _scalar(value) -> float:
    """A base value as a float: shap gives a scalar, a 0-d array or a 1-element one."""
    flat = np.ravel(np.asarray(value, dtype=float))
    if flat.size != 1:
        raise ValueError(f"base_value must be one number; got {flat.size} values")
    return float(flat[0])


def _spread(centers, widths, lo, hi):
    """Left edges of intervals of ``widths``, kept in order, not overlapping, inside
    ``[lo, hi]`` where there is room, each as near its centre as the others allow."""
    clusters = []  # [first index, last index, left edge]

    def left_edge(first, last):
        offsets = np.concatenate([[0.0], np.cumsum(widths[first:last])])
        ideal = np.mean(
            centers[first : last + 1] - offsets - widths[first : last + 1] / 2
        )
        total = widths[first : last + 1].sum()
        return min(max(ideal, lo), max(hi - total, lo))

    for i in range(len(centers)):
        clusters.append([i, i, left_edge(i, i)])
        while len(clusters) > 1:
            (a, b, left_a), (_, d, left_c) = clusters[-2], clusters[-1]
            if left_a + widths[a : b + 1].sum() <= left_c:
                break
            clusters[-2:] = [[a, d, left_edge(a, d)]]
    lefts = np.empty(len(centers))
    for first, last, left in clusters:
        lefts[first : last + 1] = left + np.concatenate(
            [[0.0], np.cumsum(widths[first:last])]
        )
    return lefts


def _tint(color, amount=0.55):
    """``color`` mixed with white: the chevrons between segments of one colour."""
    return tuple(c + (1 - c) * amount for c in to_rgb(color))


class ForceDisplay:
    """Force plot of one prediction: contributions end to end from base value to output.

    Build it with :meth:`from_explanation` (a one-row ``shap.Explanation``) or from the
    segments of :func:`force_segments`; :meth:`plot` draws it.

    Parameters
    ----------
    segments : pandas.DataFrame
        As returned by :func:`force_segments`.
    base_value : float
        The output the contributions start from.

    Attributes
    ----------
    prediction : float
        ``base_value`` plus the sum of the contributions (where the two colours meet).
    ax_, figure_ : matplotlib Axes and Figure
        Where :meth:`plot` drew.
    bars_ : list of matplotlib.patches.Polygon
        One arrow-shaped segment per row of ``segments``, in the same order.
    labels_ : list of matplotlib.text.Annotation
        One label per segment (name, value and contribution), in the same order.
    """

    def __init__(self, *, segments, base_value):
        needed = {"feature", "contribution", "start", "end"}
        if not isinstance(segments, pd.DataFrame) or not needed <= set(segments):
            raise TypeError(
                "segments must be the DataFrame that force_segments returns"
            )
        self.segments = segments.reset_index(drop=True)
        self.base_value = _scalar(base_value)
        self.prediction = self.base_value + float(self.segments.contribution.sum())

    @classmethod
    def from_explanation(cls, explanation, *, max_display=10, ax=None, **kwargs):
        """Lay out and draw the force plot of one row of a ``shap.Explanation``.

        Parameters
        ----------
        explanation : shap.Explanation
            One prediction (``explanation[i]``): 1-D ``values``, its ``base_values``,
            ``data`` and ``feature_names``.
        max_display : int, default 10
            As in ``shap.plots.waterfall``: at most this many segments.
        ax : matplotlib Axes, optional
        **kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        ForceDisplay
        """
        values = getattr(explanation, "values", None)
        if values is None or np.ndim(values) != 1:
            raise ValueError(
                "explanation must be one row of a shap.Explanation (explanation[i]); "
                f"got values of shape {np.shape(values)}"
            )
        data = getattr(explanation, "data", None)
        segments = force_segments(
            values,
            explanation.base_values,
            names=getattr(explanation, "feature_names", None),
            data=None if data is None or np.ndim(data) != 1 else data,
            max_display=max_display,
        )
        return cls(segments=segments, base_value=explanation.base_values).plot(
            ax=ax, **kwargs
        )

    def plot(
        self,
        ax=None,
        *,
        fmt="{:,.4g}",
        value_fmt="{:.4g}",
        colors=(POSITIVE, NEGATIVE),
        fontsize=None,
    ):
        """Draw the segments, the base value and the prediction, and one label per segment.

        Red segments (``colors[0]``) point up the axis to the prediction, blue ones
        (``colors[1]``) point down to it. Each segment is labelled below with its
        feature, the feature value and its contribution; labels keep the segments'
        order and are moved apart (onto a second row when one is too short) so that
        none overlaps another. The axis has no ticks: the base value, the prediction
        and every contribution are written out.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (its width at the time of the call sets the label spacing);
            a new figure 6.4 inches wide, as tall as the labels need, when absent.
        fmt : str, default "{:,.4g}"
            Format of the output's numbers (base value, prediction, contributions),
            e.g. ``"${:,.0f}"``; contributions get their sign in front.
        value_fmt : str, default "{:.4g}"
            Format of the feature values.
        colors : pair of colors, default (POSITIVE, NEGATIVE)
            Segments that raise and that lower the output.
        fontsize : float, optional
            Size of all text; default the style's ``font.size``.

        Returns
        -------
        self : ForceDisplay
        """
        if len(colors) != 2:
            raise ValueError(
                f"colors must be a pair (raising, lowering); got {colors!r}"
            )
        fontsize = plt.rcParams["font.size"] if fontsize is None else float(fontsize)
        seg = self.segments
        n = len(seg)

        def color_of(c):
            return colors[0] if c > 0 else colors[1]

        def signed(v):
            return ("+" if v >= 0 else "\u2212") + fmt.format(abs(v))

        def width_pt(text, weight="normal"):
            font = FontProperties(size=fontsize, weight=weight)
            return max(
                TextPath((0, 0), line, prop=font).get_extents().width
                for line in text.split("\n")
            )

        values = seg["value"].to_numpy(float) if "value" in seg else np.full(n, np.nan)
        texts = [
            (name if np.isnan(v) else f"{name} = {value_fmt.format(v)}")
            + "\n"
            + signed(c)
            for name, v, c in zip(seg.feature, values, seg.contribution)
        ]
        # the base value's and the prediction's texts run away from each other
        base_left = self.base_value <= self.prediction
        markers = [
            (
                self.base_value,
                f"base value {fmt.format(self.base_value)}",
                "normal",
                base_left,
            ),
            (
                self.prediction,
                f"f(x) = {fmt.format(self.prediction)}",
                "bold",
                not base_left,
            ),
        ]

        # the x range: the band, a margin, and room for the two values' texts
        lo, hi = float(seg.start.min()), float(seg.end.max())
        axes_pt = (
            6.4 * 0.96 * 72
            if ax is None
            else ax.get_position().width * ax.figure.get_figwidth() * 72
        )
        xlo, xhi = lo, hi
        # a fixed point: the texts' widths in data units scale with the range
        for _ in range(30):
            per_pt = ((xhi - xlo) or 1.0) / axes_pt
            xlo, xhi = lo - 4 * fontsize * per_pt, hi + 4 * fontsize * per_pt
            for x, text, weight, left in markers:
                w = (width_pt(text, weight) + 4) * per_pt
                xlo, xhi = (min(xlo, x - w), xhi) if left else (xlo, max(xhi, x + w))
        per_pt = (xhi - xlo) / axes_pt

        # labels: in the segments' order, moved apart. When one row is too short, every
        # other label goes to a second row, and the first row leaves a gap above each
        # for its leader line to pass through.
        widths = np.array([width_pt(t) + 0.8 * fontsize for t in texts]) * per_pt
        centers = ((seg.start + seg.end) / 2).to_numpy()
        rows = np.zeros(n, dtype=int) if widths.sum() <= xhi - xlo else np.arange(n) % 2
        gaps = np.where(rows == 1, 1.2 * fontsize * per_pt, widths)
        lefts = _spread(centers, gaps, xlo, xhi)
        anchors = lefts + gaps / 2  # where each leader line crosses the first row
        lower = np.flatnonzero(rows == 1)
        if lower.size:
            lefts[lower] = _spread(anchors[lower], widths[lower], xlo, xhi)
        row_pt = 3.3 * fontsize  # two lines and a gap
        drop_pt = 1.6 * fontsize  # room for the leader lines to fan out
        labels_pt = drop_pt + (rows.max() + 1) * row_pt

        if ax is None:  # the layout makes room for the labels below the band
            band_pt = 4 * fontsize
            _, ax = plt.subplots(
                figsize=(6.4, (band_pt + labels_pt + 2.5 * fontsize) / 72)
            )
        figure = ax.figure
        ax.set_xlim(xlo, xhi)
        ax.set_ylim(-0.05, 1.8)  # band from 0 to 1, the values' marks up to 1.35

        # arrow-shaped segments: each points towards the prediction, flat where they meet
        tip = 0.6 * fontsize * per_pt
        self.bars_ = []
        for start, end, c in zip(seg.start, seg.end, seg.contribution):
            up = c > 0
            at_join = np.isclose(
                end if up else start,
                self.prediction,
                rtol=0,
                atol=1e-9 * (hi - lo or 1.0),
            )
            t_head = 0 if at_join else (tip if up else -tip)
            t_tail = tip if up else -tip
            x_head, x_tail = (end, start) if up else (start, end)
            points = [
                (x_tail, 0),
                (x_head, 0),
                (x_head + t_head, 0.5),
                (x_head, 1),
                (x_tail, 1),
                (x_tail + t_tail, 0.5),
            ]
            bar = Polygon(
                points, closed=True, facecolor=color_of(c), edgecolor="none", zorder=2
            )
            ax.add_patch(bar)
            self.bars_.append(bar)
            if not at_join:  # a light chevron where this segment meets the next one
                ax.plot(
                    [x_head, x_head + t_head, x_head],
                    [0, 0.5, 1],
                    color=_tint(color_of(c)),
                    lw=1.2,
                    zorder=3,
                )

        for x, text, weight, left in markers:
            ax.plot(
                [x, x],
                [-0.05, 1.35],
                color="0.25",
                lw=1,
                ls="--" if weight == "normal" else "-",
                zorder=4,
            )
            ax.annotate(
                text,
                (x, 1.35),
                xytext=(-2 if left else 2, 2),
                textcoords="offset points",
                ha="right" if left else "left",
                va="bottom",
                fontsize=fontsize,
                fontweight=weight,
                color="0.15",
            )

        self.labels_ = []
        for i, (text, x, row, c) in enumerate(
            zip(texts, lefts + widths / 2, rows, seg.contribution)
        ):
            # placed in points below the band, so that they keep their place whatever
            # the axes' height
            below = ScaledTranslation(
                0, -(drop_pt + row * row_pt) / 72, figure.dpi_scale_trans
            )
            leader = {
                "arrowstyle": "-",
                "color": color_of(c),
                "lw": 1,
                "relpos": (0.5, 1),
                "shrinkA": 1,
                "shrinkB": 0,
            }
            start, start_coords = (centers[i], 0), ax.transData
            if row:  # down to the first row's gap, then straight down through it
                gap = ax.transData + ScaledTranslation(
                    0, -drop_pt / 72, figure.dpi_scale_trans
                )
                ax.annotate(
                    "",
                    (centers[i], 0),
                    xytext=(anchors[i], 0),
                    textcoords=gap,
                    arrowprops=leader,
                )
                start, start_coords = (anchors[i], 0), gap
            label = ax.annotate(
                text,
                start,
                xycoords=start_coords,
                xytext=(x, 0),
                textcoords=ax.transData + below,
                ha="center",
                va="top",
                fontsize=fontsize,
                color="0.15",
                linespacing=1.15,
                annotation_clip=False,
                arrowprops=leader,
            )
            self.labels_.append(label)

        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        self.ax_, self.figure_ = ax, figure
        return self
