"""What the model-structure pages B1-B6 state, checked on the pages' own output.

Each test runs a page in quick mode (figures discarded), takes the numbers it formatted
into its prose and the objects it drew, and checks them against an independent source:
the raw data file, scikit-learn's own predictions and colour rule, PyTorch's FLOP
counter, gradients recomputed with ``torch.autograd.grad``. (B2-B4's model scores are
checked in ``test_classic_a_numbers.py``.)
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb

from mlviz.report import rounding_tolerance

from .conftest import PAGE_MARKS

pytestmark = PAGE_MARKS



def _raw_deny_share():
    """Share of denied applicants, counted in the CSV as published (empty decision)."""
    from mlviz.datasets import load_mba

    return load_mba()["admission"].isna().mean()


def _gender_race_splits(rules):
    """Splits on gender or race, counted in export_text's rules (each split has two lines)."""
    lines = [line for line in rules.splitlines() if re.search(r"\|--- (gender|race)_\S+ <=", line)]
    return len(lines)


def test_b1_path_colours_and_scores(run_page):
    from sklearn.metrics import accuracy_score

    from mlviz.inspect.trees import decision_path_steps
    from mlviz.plotting import SPECIES_COLORS

    ns = run_page("plot_01_decision_tree_iris.py")
    tree, X_test, y_test = ns["tree"], ns["X_test"], ns["y_test"]
    assert ns["right_small"].mean() == accuracy_score(y_test, tree.predict(X_test))
    assert ns["right_full"].mean() == accuracy_score(y_test, ns["full"].predict(X_test))
    low, high = ns["interval"].low, ns["interval"].high
    assert low <= ns["right_full"].mean() - ns["right_small"].mean() <= high
    assert ("indistinguishable" in ns["verdict"]) == (low <= 0 <= high)

    # The path in the table is the one an independent walk of tree_ finds.
    steps = decision_path_steps(tree, ns["flower"])
    assert list(ns["path"]) == [s.node for s in steps] + [tree.apply(ns["flower"])[0]]
    assert ns["predicted"] == tree.predict(ns["flower"])[0]
    # The path table (a DataFrame): one row per question, each answered as the tree does.
    table = ns["pd"].DataFrame(ns["rows"]).set_index("node")
    assert list(table.index) == [s.node for s in steps]
    for step, (_, row) in zip(steps, table.iterrows()):
        assert row["question about"] == step.feature_name and row["threshold"] == step.threshold
        assert row["goes"].startswith("left") == step.went_left
    counts = ns["counts"]
    assert ns["tie"] == (np.sort(counts)[-1] == np.sort(counts)[-2])

    # Boxes are painted with the species colours: a pure node in its species' colour,
    # a two-way tie white (plot_tree's rule: strength = lead over the runner-up).
    fig = ns["_figures"][0]
    boxes = [t.get_bbox_patch() for t in fig.axes[0].texts if t.get_bbox_patch() is not None]
    value = tree.tree_.value[:, 0]
    assert len(boxes) == len(value)
    for box, shares in zip(boxes, value):
        ranked = np.sort(shares)[::-1]
        if ranked[0] == 1.0:
            species = ns["class_names"][int(np.argmax(shares))]
            assert to_hex(box.get_facecolor()) == SPECIES_COLORS[species].lower()
        elif ranked[0] == ranked[1]:
            assert box.get_facecolor()[:3] == pytest.approx((1.0, 1.0, 1.0))
    assert any(np.sort(s)[-1] == 1.0 for s in value), "Iris has pure nodes"


def test_b2_shares_unweighted_tree_and_sensitive_splits(run_page):
    from mlviz.plotting import ADMISSION_COLORS

    ns = run_page("plot_02_decision_tree_mba.py")
    assert ns["shares"]["Deny"] == pytest.approx(_raw_deny_share())
    # The tree without class weights: which decision each of its leaves predicts.
    plain, X_train = ns["plain"], ns["X_train"]
    leaf_of = plain.apply(X_train)
    predicted = {leaf: plain.predict(X_train[leaf_of == leaf].iloc[[0]])[0] for leaf in np.unique(leaf_of)}
    assert ns["plain_deny"] == sum(p == "Deny" for p in predicted.values())
    # "looks accurate only because most are denied": its test accuracy exceeds that of
    # answering Deny to everyone by no more than two standard errors of their paired
    # difference (false for a tree that beats it on the same applicants)
    from sklearn.metrics import accuracy_score

    y_test = ns["y_test"]
    accuracy = accuracy_score(y_test, plain.predict(ns["X_test"]))
    baseline = np.mean(y_test.to_numpy() == "Deny")
    assert ns["plain_acc"] == accuracy and ns["always_deny"] == baseline
    deny = y_test.to_numpy() == "Deny"

    def no_better(right):
        d = right.astype(float) - deny
        return d.mean() <= 2 * d.std(ddof=1) / np.sqrt(len(d))

    assert no_better(plain.predict(ns["X_test"]) == y_test.to_numpy())
    # the opposite case: right wherever Deny is, and on 20 of the others besides (1.3
    # points; an unpaired band of two standard errors, 1.9 points, would let it through)
    better = deny.copy()
    better[np.flatnonzero(~deny)[:20]] = True
    assert not no_better(better)
    assert better.mean() < baseline + 2 * np.sqrt(baseline * (1 - baseline) / len(y_test))
    assert ns["plain_deny"] > plain.get_n_leaves() / 2
    assert len(ns["sensitive"]) == _gender_race_splits(ns["rules"])
    low, high = ns["interval"].low, ns["interval"].high
    assert low <= ns["bal_deep"] - ns["bal"] <= high
    # The majority colour of the purest leaf is its decision's colour.
    tree = ns["tree"]
    boxes = [t.get_bbox_patch() for t in ns["_figures"][0].axes[0].texts if t.get_bbox_patch() is not None]
    purest = int(np.argmax(tree.tree_.value[:, 0].max(axis=1)))
    decision = tree.classes_[np.argmax(tree.tree_.value[purest, 0])]
    if tree.tree_.value[purest, 0].max() == 1.0:
        assert to_hex(boxes[purest].get_facecolor()) == ADMISSION_COLORS[decision].lower()
    else:  # paler than the decision's colour, towards white
        base = np.array(to_rgb(ADMISSION_COLORS[decision]))
        # strength * rgb + (1 - strength): three float64 roundings of values <= 1
        rounding = rounding_tolerance("float64", 1.0, n_terms=3)
        assert np.all(np.array(boxes[purest].get_facecolor()[:3]) >= base - rounding)


def test_b3_denied_share_and_sensitive_splits(run_page):
    from sklearn.tree import export_text

    from mlviz.plotting import ADMISSION_COLORS

    ns = run_page("plot_03_decision_path.py")
    assert ns["denied"] == pytest.approx(_raw_deny_share())
    tree = ns["tree"]
    rules = export_text(tree, feature_names=list(ns["X"].columns))
    assert len(ns["sensitive"]) == _gender_race_splits(rules)
    # Histogram layers in the admission colours, in the tree's class order.
    ax = ns["axes"][0]
    drawn = [to_hex(c.patches[0].get_facecolor()) for c in ax.containers]
    assert drawn == [ADMISSION_COLORS[c].lower() for c in tree.classes_]


def test_b4_region_counts_and_error_trend(run_page):
    ns = run_page("plot_04_ensembles.py")
    # Regions of the forest's map, recounted by flood fill over the page's grid.
    labels = ns["forest"].predict(ns["pd"].DataFrame(ns["plane"], columns=ns["features"])).reshape(ns["gx"].shape)
    assert ns["forest_regions"] == _count_regions(labels)
    # "a typical member" is the middle half of the trees' region counts
    members = np.sort(ns["member_regions"])
    assert (ns["q1"], ns["q3"]) == tuple(np.quantile(members, [0.25, 0.75]))
    errors = ns["ada"].estimator_errors_
    assert (ns["late"] > ns["early"]) == (errors[-10:].mean() > errors[:10].mean())
    # "the last n stumps all have the same error": the same as printed, three decimals
    printed = [f"{e:.3f}" for e in errors[::-1]]
    assert ns["flat"] == next((i for i, e in enumerate(printed) if e != printed[0]), len(printed))


def _count_regions(labels):
    """Connected same-label regions (4-neighbourhood), by a plain breadth-first fill."""
    from collections import deque

    seen = np.zeros(labels.shape, dtype=bool)
    regions = 0
    for start in zip(*np.nonzero(~seen)):
        if seen[start]:
            continue
        regions += 1
        queue = deque([start])
        seen[start] = True
        while queue:
            r, c = queue.popleft()
            for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                inside = 0 <= nr < labels.shape[0] and 0 <= nc < labels.shape[1]
                if inside and not seen[nr, nc] and labels[nr, nc] == labels[r, c]:
                    seen[nr, nc] = True
                    queue.append((nr, nc))
    return regions


def test_b5_parameters_and_multiply_adds(run_page):
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    ns = run_page("plot_05_cnn_architecture.py")
    model = ns["model"]
    assert ns["total"] == sum(p.numel() for p in model.parameters())
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(ns["X_test"][:1])
    flops = counter.get_flop_counts()
    for name, macs in ns["macs"].items():
        assert 2 * macs == sum(flops[f"{type(model).__name__}.{name}"].values()), name
    # The table: each layer's output shape from running the layers one after another,
    # and its parameters counted from the module.
    layers, x = ns["layers"], ns["X_test"][:1]
    with torch.no_grad():
        for name, module in model.named_children():
            x = module(x)
            assert layers.loc[name, "output shape"] == " × ".join(map(str, x.shape[1:]))
            assert layers.loc[name, "parameters"] == sum(p.numel() for p in module.parameters())
    assert layers["parameters"].sum() == ns["total"]
    # The pitfall: a 32 x 32 image reaches fc1 with the wrong number of features.
    with pytest.raises(RuntimeError), torch.no_grad():
        model(torch.zeros(1, 1, 32, 32))


def test_b6_operations_and_gradients(run_page):
    import torch
    import torch.nn.functional as F

    ns = run_page("plot_06_autograd_graph.py")
    model, X, y = ns["model"], ns["X"], ns["y"]
    params = dict(model.named_parameters())
    reference = torch.autograd.grad(F.cross_entropy(model(X), y), list(params.values()))
    for (name, grad), expected in zip(ns["grads"].items(), reference):
        # float32 sums whose terms the gradient's own size stands for; the longest sum
        # of the forward and backward passes is fc1's, over its inputs
        rounding = rounding_tolerance("float32", expected.abs().max().item(), n_terms=model.fc1.in_features)
        assert (grad - expected).abs().max().item() <= rounding, name
    assert ns["n_leaves"] == len(params)
    # The gradient table: norms of the reference gradients, at their float32 rounding.
    for name, expected in zip(params, reference):
        norm = ns["gradients"].loc[name, "gradient norm"]
        rounding = rounding_tolerance("float32", expected.abs().max().item(), n_terms=model.fc1.in_features)
        assert norm == pytest.approx(expected.norm().item(), abs=rounding * np.sqrt(expected.numel()))
        assert ns["gradients"].loc[name, "gradient shape"] == " × ".join(map(str, expected.shape))
    # Operations: the graph's nodes that are not parameters, one per recorded op.
    kinds = [d["label"] for _, d in ns["graph"].nodes(data=True) if not d["leaf"]]
    assert kinds.count("Convolution") == 2 and kinds.count("Addmm") == 2
