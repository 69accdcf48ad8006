r"""Comparing two models on the same cross-validation folds, and which rows each fold uses.

Two models scored on the same folds are compared fold by fold: each fold gives one
difference of scores, and the mean difference gets a confidence interval. The folds'
training sets overlap, so their differences are correlated and the textbook paired
t interval (which treats them as independent) is too narrow;
:func:`corrected_paired_interval` widens it as Nadeau and Bengio (2003) proposed, for
one k-fold cross-validation or for r repetitions of it (Bouckaert and Frank, 2004).

:func:`cv_split_matrix` records which rows a splitter puts in the training and test
part of each split (an array, for a page or a test to count on);
:func:`mlviz.plotting.plot_cv_splits` draws it.
"""

from __future__ import annotations

import warnings
from numbers import Real
from typing import NamedTuple

import numpy as np
from scipy import stats

__all__ = [
    "TEST",
    "TRAIN",
    "UNUSED",
    "PairedInterval",
    "corrected_paired_interval",
    "cv_split_matrix",
]

#: Code of a row that a split trains on (:func:`cv_split_matrix`).
TRAIN = 0
#: Code of a row that a split tests on.
TEST = 1
#: Code of a row that a split leaves out of both parts (e.g. the future in ``TimeSeriesSplit``).
UNUSED = -1


class PairedInterval(NamedTuple):
    """A mean difference of paired scores and the half-width of its confidence interval.

    Unpacks as ``mean, half_width = interval``. Both are floats for one comparison, or
    arrays for many (one per row of the differences given).
    """

    #: Mean of the per-fold differences.
    estimate: float | np.ndarray
    #: Half-width of the confidence interval around ``estimate``.
    half_width: float | np.ndarray

    @property
    def low(self):
        """Lower end of the interval."""
        return self.estimate - self.half_width

    @property
    def high(self):
        """Upper end of the interval."""
        return self.estimate + self.half_width

    def excludes(self, value: float = 0.0):
        """Whether ``value`` lies outside the interval (0: the folds can rank the two)."""
        return (self.low > value) | (self.high < value)

    def __format__(self, spec: str) -> str:
        """``f"{interval:.3f}"`` gives ``"0.012 [0.003, 0.021]"`` (one comparison)."""
        if np.ndim(self.estimate) != 0:
            return str(self)
        return (
            f"{format(float(self.estimate), spec)} "
            f"[{format(float(self.low), spec)}, {format(float(self.high), spec)}]"
        )


def _positive(name: str, value) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, Real)
        or not np.isfinite(value)
        or value <= 0
    ):
        raise ValueError(
            f"{name} must be a positive, finite number of rows; got {value!r}"
        )
    return float(value)


def corrected_paired_interval(
    differences, n_train, n_test, *, confidence_level: float = 0.95
) -> PairedInterval:
    r"""Mean of per-fold score differences with Nadeau and Bengio's corrected t interval.

    Two models are scored on the same :math:`J` splits (the :math:`k` folds of one
    cross-validation, or :math:`J = r k` splits of :math:`r` repetitions of it); split
    :math:`j` gives the difference :math:`d_j` of their scores. With

    .. math::

        \bar d = \frac{1}{J} \sum_{j=1}^{J} d_j, \qquad
        \hat\sigma^2 = \frac{1}{J - 1} \sum_{j=1}^{J} (d_j - \bar d)^2,

    the interval is

    .. math::

        \bar d \pm t_{J-1,\,(1+\gamma)/2}
        \sqrt{\left(\frac{1}{J} + \frac{n_\text{test}}{n_\text{train}}\right)\hat\sigma^2},

    where :math:`\gamma` is the confidence level and :math:`t_{J-1,q}` the
    :math:`q`-quantile of Student's t with :math:`J - 1` degrees of freedom. The plain
    paired t interval has :math:`1/J` alone in the bracket: it treats the differences as
    independent, but every two splits share most of their training rows, so their
    differences are correlated. Nadeau and Bengio model that correlation as
    :math:`\rho = n_\text{test}/n_\text{train}` (:math:`1/(k-1)` for k-fold), which
    adds the second term. Repeating the cross-validation grows :math:`J` and shrinks the
    first term only: no number of repetitions narrows the interval below
    :math:`t \sqrt{n_\text{test}/n_\text{train}}\,\hat\sigma`, since every repetition
    reuses the same rows. The correction is a heuristic (the true correlation is
    unknown); it brings the test's false-positive rate close to its nominal level where
    the plain test's is far above it (Nadeau and Bengio; Bouckaert and Frank).

    Parameters
    ----------
    differences : array-like of shape (..., J)
        Score of model A minus score of model B on each split, both models scored on the
        same splits (the same ``cv`` object with a fixed ``random_state``). The last
        axis holds the splits, all repetitions together; other axes are separate
        comparisons.
    n_train, n_test : float
        Rows in the training and test part of a split (their mean when the splits
        differ by a row, e.g. ``n / k`` and ``n - n / k``).
    confidence_level : float, default 0.95
        Coverage of the interval, in (0, 1).

    Returns
    -------
    PairedInterval
        ``estimate`` (:math:`\bar d`) and ``half_width``; ``low``, ``high`` and
        ``excludes(0)`` follow from them.

    Raises
    ------
    ValueError
        If ``differences`` has fewer than 2 splits on its last axis or a value that is
        not finite, ``n_train`` or ``n_test`` is not a positive number, or
        ``confidence_level`` is not in (0, 1).

    References
    ----------
    C. Nadeau and Y. Bengio, "Inference for the generalization error", *Machine
    Learning* 52 (3), 239-281, 2003 (the corrected resampled t-test).

    R. R. Bouckaert and E. Frank, "Evaluating the replicability of significance tests
    for comparing learning algorithms", *PAKDD 2004*, LNCS 3056, 3-12 (the correction
    applied to r times repeated k-fold cross-validation, :math:`J = r k`).

    Examples
    --------
    Ten-fold cross-validation on 1,000 rows (900 train, 100 test per fold):

    >>> d = [0.02, 0.01, 0.03, 0.00, 0.02, 0.01, 0.04, 0.02, 0.01, 0.03]
    >>> interval = corrected_paired_interval(d, n_train=900, n_test=100)
    >>> f"{interval:.3f}"
    '0.019 [0.007, 0.031]'
    >>> bool(interval.excludes(0))
    True
    """
    d = np.asarray(differences, dtype=float)
    if d.ndim == 0 or d.shape[-1] < 2:
        raise ValueError(
            "differences must hold at least 2 splits on its last axis; "
            f"got shape {d.shape}"
        )
    if not np.all(np.isfinite(d)):
        raise ValueError("differences must be finite; got NaN or infinite values")
    n_train = _positive("n_train", n_train)
    n_test = _positive("n_test", n_test)
    if not 0 < confidence_level < 1:
        raise ValueError(
            f"confidence_level must lie strictly between 0 and 1; got {confidence_level!r}"
        )
    splits = d.shape[-1]
    variance = np.var(d, axis=-1, ddof=1) * (1 / splits + n_test / n_train)
    quantile = stats.t.ppf(0.5 + confidence_level / 2, splits - 1)
    return PairedInterval(d.mean(axis=-1), quantile * np.sqrt(variance))


def _n_rows(X) -> int:
    if hasattr(X, "shape") and len(X.shape) > 0:
        return int(X.shape[0])
    try:
        return len(X)
    except TypeError:
        raise TypeError(
            f"X must be an array-like with one row per sample; got {type(X).__name__}"
        ) from None


def cv_split_matrix(cv, X, y=None, groups=None) -> np.ndarray:
    """Which rows each split of a cross-validation splitter trains and tests on.

    Parameters
    ----------
    cv : cross-validation splitter
        Anything with ``split(X, y, groups)`` yielding ``(train, test)`` row indices,
        such as :class:`~sklearn.model_selection.KFold`.
    X : array-like of shape (n_samples, ...)
        The rows to split.
    y : array-like of shape (n_samples,), optional
        Targets (needed by stratified splitters).
    groups : array-like of shape (n_samples,), optional
        Group labels (needed by group splitters; splitters that ignore them are not
        warned about them).

    Returns
    -------
    ndarray of shape (n_splits, n_samples), int8
        :data:`TRAIN` (0), :data:`TEST` (1) or :data:`UNUSED` (-1) for each split and
        row, rows in the order given.

    Raises
    ------
    TypeError
        If ``cv`` has no ``split`` method.
    ValueError
        If ``y`` or ``groups`` does not have one entry per row, or a split puts a row in
        both its training and its test part.

    Examples
    --------
    >>> from sklearn.model_selection import KFold
    >>> cv_split_matrix(KFold(3), list(range(6)))
    array([[1, 1, 0, 0, 0, 0],
           [0, 0, 1, 1, 0, 0],
           [0, 0, 0, 0, 1, 1]], dtype=int8)
    """
    if not callable(getattr(cv, "split", None)):
        raise TypeError(
            f"cv must be a splitter with a split(X, y, groups) method; got {type(cv).__name__}"
        )
    n = _n_rows(X)
    for name, values in (("y", y), ("groups", groups)):
        if values is not None and len(values) != n:
            raise ValueError(
                f"{name} must have one entry per row of X ({n}); got {len(values)}"
            )
    with warnings.catch_warnings():
        # groups are passed to every splitter alike; those that do not use them warn
        warnings.filterwarnings("ignore", message="The groups parameter is ignored")
        splits = list(cv.split(X, y, groups))
    rows = []
    for i, (train, test) in enumerate(splits):
        codes = np.full(n, UNUSED, dtype=np.int8)
        codes[train] = TRAIN
        if np.any(codes[test] == TRAIN):
            raise ValueError(
                f"split {i} of {type(cv).__name__} puts rows in both its training and test part"
            )
        codes[test] = TEST
        rows.append(codes)
    return np.array(rows, dtype=np.int8).reshape(len(rows), n)
