import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlviz.inspect.trees import decision_path_steps, samples_reaching


@pytest.fixture(scope="module")
def iris_tree():
    data = load_iris(as_frame=True)
    tree = DecisionTreeClassifier(max_depth=4, random_state=0).fit(data.data, data.target)
    return tree, data.data, data.target


def test_steps_match_sklearn_decision_path_for_every_row(iris_tree):
    tree, X, _ = iris_tree
    t = tree.tree_
    indicator = tree.decision_path(X)
    leaves = tree.apply(X)
    for i in range(len(X)):
        steps = decision_path_steps(tree, X.iloc[[i]])
        assert [s.node for s in steps] + [leaves[i]] == list(indicator[i].indices)
        for k, s in enumerate(steps):
            assert s.feature == t.feature[s.node] and s.threshold == t.threshold[s.node]
            assert s.feature_name == X.columns[s.feature]
            assert s.value == X.iloc[i, s.feature]
            child = (indicator[i].indices[k + 1])
            assert s.went_left == (child == t.children_left[s.node])
            assert s.went_left == (s.value <= s.threshold)


def test_one_dimensional_input_and_default_names():
    X, y = load_iris(return_X_y=True)
    tree = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, y)
    steps = decision_path_steps(tree, X[100])
    assert len(steps) == 2 and steps[0].node == 0
    assert steps[0].feature_name == f"x[{steps[0].feature}]"
    named = decision_path_steps(tree, X[100], feature_names=list("abcd"))
    assert named[0].feature_name == "abcd"[named[0].feature]


def test_samples_reaching_counts_match_node_samples(iris_tree):
    tree, X, _ = iris_tree
    steps = decision_path_steps(tree, X.iloc[[120]])
    reaches = samples_reaching(tree, X, [s.node for s in steps])
    assert reaches.dtype == bool and reaches.shape == (len(X), len(steps))
    assert reaches.sum(axis=0).tolist() == [tree.tree_.n_node_samples[s.node] for s in steps]
    assert reaches[:, 0].all(), "every row reaches the root"
    # each node's rows are a subset of its parent's
    assert not (reaches[:, 1:] & ~reaches[:, :-1]).any()


@pytest.mark.parametrize(
    ("call", "error", "msg"),
    [
        (lambda t, X: decision_path_steps("tree", X.iloc[0]), TypeError, "fitted scikit-learn decision tree"),
        (lambda t, X: decision_path_steps(t, [1.0, 2.0]), ValueError, "x must have 4 features (the tree's); got shape (2,)"),
        (lambda t, X: decision_path_steps(t, X.iloc[:2]), ValueError, "single observation; got 2 rows"),
        (lambda t, X: decision_path_steps(t, X.iloc[0], feature_names=["a"]), ValueError, "one name per feature (4); got 1"),
        (lambda t, X: samples_reaching(t, X, [0, 999]), ValueError, "got [999]"),
    ],
)
def test_errors_name_the_argument(iris_tree, call, error, msg):
    tree, X, _ = iris_tree
    with pytest.raises(error, match=pytest.importorskip("re").escape(msg)):
        call(tree, X)
