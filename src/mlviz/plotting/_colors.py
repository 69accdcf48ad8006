"""One meaning per colour across the gallery.

Every page that colours the same thing uses the same colours, so that a reader who has
learnt them on one page can read the next:

* **Attribution sign** (coefficients, importances with a sign, SHAP, LIME, integrated
  gradients, saliency with sign): :data:`POSITIVE` (red) pushes the prediction *up*,
  :data:`NEGATIVE` (blue) pushes it *down*, as in shap's own plots; maps use
  :data:`DIVERGING` (``"RdBu_r"``, white at zero) with limits symmetric around zero.
  A size without a sign (an importance) is :data:`MAGNITUDE` (purple), never red or blue.
* **Classes** keep their colour on every page: :data:`SPECIES_COLORS` (Iris),
  :data:`ADMISSION_COLORS` (MBA) and :data:`DIGIT_COLORS` (MNIST; matplotlib's
  ``tab10``, chosen because it separates the digits most often confused, 4 from 9 and 3
  from 8, which plotly's default palette draws in near-identical hues).
"""

from __future__ import annotations

from matplotlib.colors import ListedColormap

__all__ = [
    "ADMISSION_COLORS",
    "DIGIT_CMAP",
    "DIGIT_COLORS",
    "DIVERGING",
    "MAGNITUDE",
    "NEGATIVE",
    "POSITIVE",
    "SPECIES_COLORS",
    "sign_colors",
]

#: Attribution that raises the prediction (the same red as ``RdBu_r``'s positive end).
POSITIVE = "#C44E52"
#: Attribution that lowers the prediction.
NEGATIVE = "#4C72B0"
#: A size without a sign (an importance, a mean |SHAP| value): neither red nor blue.
MAGNITUDE = "#8172B3"
#: Colormap for signed maps: red positive, blue negative, white at zero.
DIVERGING = "RdBu_r"

#: Iris species, in scikit-learn's class order (the first three colours of the style).
SPECIES_COLORS = {"setosa": "#4C72B0", "versicolor": "#DD8452", "virginica": "#55A868"}
#: MBA admission outcomes.
ADMISSION_COLORS = {"Admit": "#55A868", "Waitlist": "#DD8452", "Deny": "#8C8C8C"}
#: MNIST digits 0-9 (matplotlib's tab10): 3 red / 8 olive, 4 purple / 9 cyan.
DIGIT_COLORS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
#: :data:`DIGIT_COLORS` as a colormap (``c=labels, cmap=DIGIT_CMAP, vmin=0, vmax=9``).
DIGIT_CMAP = ListedColormap(DIGIT_COLORS, name="mlviz_digits")


def sign_colors(values) -> list[str]:
    """:data:`POSITIVE` for each value above zero, :data:`NEGATIVE` otherwise."""
    return [POSITIVE if v > 0 else NEGATIVE for v in values]
