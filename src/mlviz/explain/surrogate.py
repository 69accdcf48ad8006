"""Global surrogates: a greedy rule list, and a tree's splits drawn on two features.

A global surrogate is an interpretable model fitted to a black box's *predictions*
rather than the true labels (page J5). A tree comes from scikit-learn; this module adds
what scikit-learn lacks: an ordered **rule list** (a decision list, read from the top:
the first rule a row meets decides, and the last line is the default), learned greedily
by sequential covering with scikit-learn stumps, and a drawing of a fitted tree's splits
on the plane of two of its features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

__all__ = ["Rule", "RuleList", "fit_rule_list", "plot_tree_splits"]

_OPS = ("<=", ">")


@dataclass(frozen=True)
class Rule:
    """One line of a rule list: ``if feature op threshold then decision``.

    The comparison is made in float32, as scikit-learn's trees make it, so that a rule
    taken from a stump covers exactly the rows that the stump sends to that side.
    """

    feature: str
    op: str
    threshold: float
    decision: object

    def __post_init__(self):
        if self.op not in _OPS:
            raise ValueError(f"op must be one of {_OPS}; got {self.op!r}")

    def covers(self, X: pd.DataFrame) -> np.ndarray:
        """Boolean mask of the rows of ``X`` that meet the condition."""
        values = np.asarray(X[self.feature], dtype=np.float32)
        return values <= self.threshold if self.op == "<=" else values > self.threshold

    def __str__(self) -> str:
        return f"if {self.feature} {self.op} {self.threshold:.4g}"


@dataclass(frozen=True)
class RuleList:
    """An ordered list of :class:`Rule` and a default decision."""

    rules: tuple
    default: object

    def first_rule(self, X: pd.DataFrame) -> np.ndarray:
        """Index of the first rule each row meets; ``len(rules)`` for the default."""
        first = np.full(len(X), len(self.rules))
        for i in reversed(range(len(self.rules))):  # earlier rules overwrite later ones
            first[self.rules[i].covers(X)] = i
        return first

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The decision of the first rule each row meets (the default if none)."""
        decisions = np.array([r.decision for r in self.rules] + [self.default])
        return decisions[self.first_rule(X)]

    def to_frame(self) -> pd.DataFrame:
        """The list as a table: one row per rule, and ``else`` for the default."""
        return pd.DataFrame(
            {
                "rule": [str(r) for r in self.rules] + ["else"],
                "then": [r.decision for r in self.rules] + [self.default],
            }
        )


def _majority(y):
    values, counts = np.unique(y, return_counts=True)
    return values[np.argmax(counts)], counts.max() / counts.sum()


def fit_rule_list(
    X, y, *, max_rules: int = 4, min_share: float = 0.01, random_state: int = 0
) -> RuleList:
    """Learn an ordered rule list by greedy sequential covering.

    At each step a depth-1 ``DecisionTreeClassifier`` (a stump) asks the best single
    question of the rows that no rule covers yet; the purer of its two answers (the
    larger share of its majority label; ``<=`` on a tie) becomes the next rule, with
    that majority as its decision, and its rows are set aside. The default is the
    majority label of the rows left. The list stops early when no stump can split the
    rows left (they all have one label, or are too few).

    Parameters
    ----------
    X : DataFrame of shape (n_rows, n_features)
        Numeric features; the rules name its columns.
    y : array-like of shape (n_rows,)
        The labels to mimic (for a surrogate, the black box's decisions).
    max_rules : int, default 4
        The most rules before the default.
    min_share : float, default 0.01
        Each rule covers at least this share of all the rows of ``X`` (the stump's
        ``min_samples_leaf``, counted on all rows, not only on those left).
    random_state : int, default 0
        Passed to the stumps (it only breaks ties between equally good questions).

    Returns
    -------
    RuleList

    Raises
    ------
    TypeError
        If ``X`` is not a DataFrame.
    ValueError
        If ``y`` does not have one label per row, ``max_rules`` is not a positive
        integer, or ``min_share`` is not in (0, 0.5).

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    >>> rules = fit_rule_list(X, [0, 0, 0, 1, 1, 1], max_rules=1, min_share=0.2)
    >>> print(rules.to_frame().to_string(index=False))
           rule  then
    if a <= 3.5     0
           else     1
    """
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"X must be a pandas DataFrame (the rules name its columns); got {type(X).__name__}"
        )
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(
            f"y must have one label per row of X ({len(X)}); got shape {y.shape}"
        )
    if not isinstance(max_rules, (int, np.integer)) or max_rules < 1:
        raise ValueError(f"max_rules must be a positive integer; got {max_rules!r}")
    if not 0 < min_share < 0.5:
        raise ValueError(
            f"min_share must lie strictly between 0 and 0.5; got {min_share!r}"
        )
    min_rows = int(np.ceil(min_share * len(y)))
    rules, uncovered = [], np.ones(len(y), bool)
    for _ in range(max_rules):
        stump = DecisionTreeClassifier(
            max_depth=1, min_samples_leaf=min_rows, random_state=random_state
        )
        stump.fit(X[uncovered], y[uncovered])
        if stump.tree_.node_count == 1:  # no question splits the rows left
            break
        feature, threshold = (
            X.columns[stump.tree_.feature[0]],
            float(stump.tree_.threshold[0]),
        )
        sides = [Rule(feature, op, threshold, None) for op in _OPS]
        answers = [_majority(y[uncovered & side.covers(X)]) for side in sides]
        best = int(
            np.argmax([purity for _, purity in answers])
        )  # argmax: "<=" on a tie
        rule = Rule(feature, _OPS[best], threshold, answers[best][0].item())
        rules.append(rule)
        uncovered &= ~rule.covers(X)
    return RuleList(tuple(rules), _majority(y[uncovered])[0].item())


def plot_tree_splits(tree, x: str, y: str, *, ax=None, feature_names=None, **line_kw):
    """Draw a fitted tree's splits on ``x`` and ``y`` over the plane of the two features.

    Walks the tree from the root: a split on ``x`` is a vertical line, one on ``y`` a
    horizontal line, each drawn only over the part of the plane that reaches its node;
    splits on other features are passed through (both children keep the same part).
    The lines end at the Axes' current limits, which are then frozen (draw the data
    first); they do not count as data, so Axes that share limits keep theirs.

    Parameters
    ----------
    tree : fitted DecisionTreeClassifier or DecisionTreeRegressor
    x, y : str
        The features on the horizontal and vertical axes.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.
    feature_names : sequence of str, optional
        The tree's features, in the order it was fitted on; by default the column
        names it was fitted on (``tree.feature_names_in_``).
    **line_kw
        Passed to :class:`matplotlib.lines.Line2D` (e.g. ``color``, ``lw``).

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if not hasattr(tree, "tree_"):
        raise TypeError(
            f"tree must be a fitted scikit-learn tree; got {type(tree).__name__}"
        )
    if feature_names is None:
        if not hasattr(tree, "feature_names_in_"):
            raise ValueError(
                "feature_names is needed: the tree was not fitted on a DataFrame"
            )
        feature_names = tree.feature_names_in_
    names = list(feature_names)
    if len(names) != tree.n_features_in_:
        raise ValueError(
            f"feature_names must name the tree's {tree.n_features_in_} features; "
            f"got {len(names)}"
        )
    for name, value in (("x", x), ("y", y)):
        if value not in names:
            raise ValueError(f"{name} must be one of feature_names; got {value!r}")
    if ax is None:
        _, ax = plt.subplots()
    limits = ax.get_xlim(), ax.get_ylim()  # reading them settles a pending autoscale
    ax.autoscale(False)
    t = tree.tree_

    def walk(node, xs, ys):
        if t.children_left[node] < 0:  # a leaf
            return
        name, cut = names[t.feature[node]], t.threshold[node]
        low, high = (xs, ys), (xs, ys)
        if name == x:
            ax.add_artist(Line2D([cut, cut], ys, **line_kw))
            low, high = ((xs[0], cut), ys), ((cut, xs[1]), ys)
        elif name == y:
            ax.add_artist(Line2D(xs, [cut, cut], **line_kw))
            low, high = (xs, (ys[0], cut)), (xs, (cut, ys[1]))
        walk(t.children_left[node], *low)
        walk(t.children_right[node], *high)

    walk(0, *limits)
    return ax
