"""The path one observation takes through a fitted decision tree.

:func:`decision_path_steps` lists the questions the tree asks the observation;
:func:`samples_reaching` says which training rows reach each of those nodes, so that a
drawing can show each threshold on the distribution of the feature *at that node*
(the idea behind dtreeviz).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["PathStep", "decision_path_steps", "samples_reaching"]


class PathStep(NamedTuple):
    """One internal node on an observation's path.

    Attributes
    ----------
    node : int
        The node's id in ``tree.tree_`` (0 is the root).
    feature : int
        Index of the feature the node splits on.
    feature_name : str
        Its name (``"x[i]"`` when the tree has no feature names).
    threshold : float
        The split: rows with ``value <= threshold`` go left.
    value : float
        The observation's value of that feature.
    went_left : bool
        Whether the observation went to the left child.
    """

    node: int
    feature: int
    feature_name: str
    threshold: float
    value: float
    went_left: bool


def _check_tree(tree):
    if not hasattr(tree, "tree_"):
        raise TypeError(
            f"tree must be a fitted scikit-learn decision tree (an object with a tree_ attribute); "
            f"got {type(tree).__name__}"
        )
    return tree.tree_


def _as_2d(X, n_features, name):
    values = np.asarray(X, dtype=float)
    if values.ndim == 1:
        values = values[None, :]
    if values.ndim != 2 or values.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} features (the tree's); got shape {np.shape(X)}")
    return values


def decision_path_steps(tree, x, *, feature_names=None) -> list[PathStep]:
    """List the splits a single observation passes through, from the root to its leaf.

    Parameters
    ----------
    tree : fitted DecisionTreeClassifier or DecisionTreeRegressor
        The tree to follow (one of a forest's ``estimators_`` works too).
    x : array-like of shape (n_features,) or (1, n_features), or a one-row DataFrame
        The observation.
    feature_names : sequence of str, optional
        Names of the features. Default: the tree's ``feature_names_in_`` when it was fitted
        on a DataFrame, else ``x[0]``, ``x[1]``, ...

    Returns
    -------
    steps : list of PathStep
        One entry per internal node on the path, root first. The leaf is not included: it
        is ``tree.apply`` of the observation, and the child of the last step.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    >>> [step.went_left for step in decision_path_steps(tree, X[0])]
    [True]
    """
    t = _check_tree(tree)
    values = _as_2d(x, tree.n_features_in_, "x")
    if values.shape[0] != 1:
        raise ValueError(f"x must be a single observation; got {values.shape[0]} rows")
    if feature_names is None:
        feature_names = getattr(tree, "feature_names_in_", None)
    if feature_names is None:
        feature_names = [f"x[{i}]" for i in range(tree.n_features_in_)]
    feature_names = [str(n) for n in feature_names]
    if len(feature_names) != tree.n_features_in_:
        raise ValueError(
            f"feature_names must have one name per feature ({tree.n_features_in_}); got {len(feature_names)}"
        )

    steps = []
    node = 0
    while t.children_left[node] != t.children_right[node]:  # both are -1 at a leaf
        feature = int(t.feature[node])
        threshold = float(t.threshold[node])
        value = float(values[0, feature])
        went_left = bool(value <= threshold)
        steps.append(PathStep(node, feature, feature_names[feature], threshold, value, went_left))
        node = int(t.children_left[node] if went_left else t.children_right[node])
    return steps


def samples_reaching(tree, X, nodes) -> np.ndarray:
    """Say which rows of ``X`` pass through each of ``nodes``.

    Parameters
    ----------
    tree : fitted decision tree
    X : array-like of shape (n_samples, n_features)
        Usually the training rows, so that each node's rows are the ones its split was
        chosen on.
    nodes : sequence of int
        Node ids, e.g. ``[s.node for s in steps]``.

    Returns
    -------
    reaches : ndarray of bool, shape (n_samples, len(nodes))
        ``reaches[i, j]`` is True when row ``i`` passes through ``nodes[j]``.
    """
    t = _check_tree(tree)
    values = _as_2d(X, tree.n_features_in_, "X")
    nodes = np.asarray(nodes, dtype=int).reshape(-1)
    bad = nodes[(nodes < 0) | (nodes >= t.node_count)]
    if bad.size:
        raise ValueError(f"nodes must be ids between 0 and {t.node_count - 1}; got {bad.tolist()}")
    indicator = tree.decision_path(_like_fit(tree, values))
    return indicator[:, nodes].toarray().astype(bool)


def _like_fit(tree, values):
    # decision_path warns when a tree fitted on a DataFrame gets a bare array: rebuild one.
    names = getattr(tree, "feature_names_in_", None)
    if names is None:
        return values
    import pandas as pd

    return pd.DataFrame(values, columns=names)
