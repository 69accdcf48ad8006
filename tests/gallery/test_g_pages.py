"""What the advanced deep-learning pages G1-G4 state, checked on the pages' own output.

Each test runs a page in quick mode (figures discarded) and checks the numbers it
formatted into its prose against an independent computation: the loss recomputed with
``torch.func.functional_call`` at a grid point, attention rollout and mode coverage
written out with NumPy, attention scores read directly off the weight matrices.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import numpy as np

from mlviz.report import rounding_tolerance

from .conftest import PAGE_MARKS

pytestmark = PAGE_MARKS


def test_g1_landscape(run_page):
    import torch
    import torch.nn.functional as F

    from mlviz.models import evaluate, mnist_cnn_config

    ns = run_page("plot_01_loss_landscape.py")
    model, X, y = ns["model"], ns["X_eval"], ns["y_eval"]
    # "the run itself is identical": that checkpoints do not perturb training is proved
    # in one process by tests/models/test_checkpoints_vit.py (the shared CNN in the cache
    # may come from a process with another thread count, so it is not compared here);
    # the page's model is the run's last checkpoint, and its configuration the shared one
    run = ns["run"]
    assert all(torch.equal(run.checkpoints[-1][k], v) for k, v in model.state_dict().items())
    assert run.config.replace(checkpoints=0) == mnist_cnn_config()
    # losses on the grid are stated with three decimals: agree to half the last one
    assert abs(ns["centre"] - evaluate(model, X, y)["loss"]) <= 0.0005
    # One off-centre grid point, recomputed with the weights set by hand.
    i, j = 1, ns["n_grid"] - 2
    a, b = ns["coords"][i], ns["coords"][j]
    names = [name for name, _ in model.named_parameters()]
    moved = {n: w + a * d1 + b * d2 for n, w, d1, d2 in zip(names, ns["weights"], ns["d1"], ns["d2"])}
    with torch.no_grad():
        loss = F.cross_entropy(torch.func.functional_call(model, moved, (X,)), y).item()
    assert abs(ns["grid"].loss[j, i] - loss) <= 0.0005
    # the per-image dip at the grid's lowest point averages to the grid's difference
    # (both stated with three decimals)
    low = ns["low"]
    if low != ns["middle"]:
        assert abs(ns["dip"].mean() - (ns["centre"] - ns["grid"].loss[low])) <= 0.0005
    # Cosines and the first epoch's share, from the flattened weights, in float64.
    start, final, d1 = (
        np.concatenate([t.numpy().ravel() for t in tensors]).astype(np.float64)
        for tensors in (ns["path"][0], ns["weights"], ns["d1"])
    )
    # the cosines are stated with three decimals
    assert abs(ns["cosines"][0] - d1 @ start / np.linalg.norm(d1) / np.linalg.norm(start)) <= 0.0005
    # a float32 norm of start.size differences: a sum of that many squares, square-rooted
    distance = np.linalg.norm(start - final)
    assert abs(ns["distance"] - distance) <= rounding_tolerance("float32", distance, n_terms=start.size)


def _rollout(attentions):
    """Abnar and Zuidema's rollout, written out: heads averaged, 0.5 A + 0.5 I, multiplied."""
    result = None
    for a in attentions:
        mixed = 0.5 * a.mean(axis=1) + 0.5 * np.eye(a.shape[-1])
        mixed /= mixed.sum(axis=-1, keepdims=True)
        result = mixed if result is None else np.einsum("nij,njk->nik", mixed, result)
    return result


def test_g2_attention(run_page):
    ns = run_page("plot_02_vit_attention.py")
    attentions, n = ns["attentions"], ns["n_images"]
    import torch

    model = ns["model"].eval()
    with torch.no_grad():
        predicted = model(ns["X_test"]).argmax(1)
    # the accuracy is stated to 0.1 %: agree to half of that (a near-tie may flip)
    assert abs(ns["scores"]["accuracy"] - (predicted == ns["y_test"]).float().mean().item()) <= 0.0005
    tokens = attentions[0].shape[-1]
    reference = _rollout([a.astype(np.float64) for a in attentions])[:, 0, 1:]
    reference /= reference.sum(axis=1, keepdims=True)
    ink = ns["has_ink"].reshape(n, -1)
    # shares of float32 attention weights (rows sum to 1): three products of 17 x 17
    # matrices, the heads' means and the renormalizations
    heads = attentions[0].shape[1]
    n_terms = len(attentions) * (tokens + heads + tokens) + 2 * tokens
    tolerance = rounding_tolerance("float32", 1.0, n_terms=n_terms)
    assert np.all(np.abs(ns["on_ink"] - (reference * ink).sum(axis=1)) <= tolerance)
    last = attentions[-1].astype(np.float64).mean(axis=1)[:, 0, 1:]
    last /= last.sum(axis=1, keepdims=True)
    tolerance = rounding_tolerance("float32", 1.0, n_terms=heads + 2 * tokens)
    assert np.all(np.abs(ns["on_ink_last"] - (last * ink).sum(axis=1)) <= tolerance)
    low, high = ns["interval"].low, ns["interval"].high
    assert low <= ns["on_ink"].mean() - ns["on_ink_last"].mean() <= high
    itself = attentions[0][:, 0, 0, 0].astype(np.float64).mean()  # a mean of n float32 weights
    assert abs(ns["heads"].loc[(1, 1), "on itself"] - itself) <= rounding_tolerance("float32", itself, n)


def test_g3_mode_coverage(run_page):
    from scipy.spatial.distance import cdist

    ns = run_page("plot_03_gan_2d.py")
    centers, std = ns["centers"], ns["STD"]
    for step, samples in ns["samples"].items():
        distances = cdist(samples.astype(np.float64), centers)
        nearest, closest = distances.argmin(axis=1), distances.min(axis=1)
        # the page measures these float64 distances in another order: a point within
        # rounding of a radius (a norm of two differences) may fall either side
        size = np.linalg.norm(samples, axis=1).max() + np.linalg.norm(centers, axis=1).max()
        slack = rounding_tolerance("float64", size, n_terms=4)

        def count_range(radius):
            """Points per mode within radius: surely inside, and possibly inside."""
            surely = np.bincount(nearest[closest < radius - slack], minlength=len(centers))
            maybe = np.bincount(nearest[closest <= radius + slack], minlength=len(centers))
            return surely, maybe

        enough = 0.01 * len(samples)
        surely, maybe = count_range(3 * std)
        assert (surely >= enough).sum() <= ns["coverage"][step]["covered"] <= (maybe >= enough).sum()
        points = ns["coverage"][step]["high_quality"] * len(samples)
        assert surely.sum() <= round(points) <= maybe.sum()
        surely, maybe = count_range(0.5)
        assert (maybe < enough).sum() <= ns["missed"][step] <= (surely < enough).sum()
        # the covered modes the verdict names are the ones counted
        assert len(ns["covered_modes"][step]) == ns["coverage"][step]["covered"]
    losses = np.array(ns["losses"])
    expected = losses[-200:].mean(axis=0)  # means of 200 float64 losses
    tolerance = rounding_tolerance("float64", np.abs(expected).max(), n_terms=200)
    assert np.all(np.abs(ns["losses_end"] - expected) <= tolerance)


def test_g4_head_scores(run_page):
    ns = run_page("plot_04_text_attention.py")
    scores, encoded = ns["scores"], ns["encoded"]
    layer, head = ns["head_of"]["previous"]
    per_sentence = []
    for tokens, weights in encoded:
        words = [i for i, t in enumerate(tokens) if t not in ("[CLS]", "[SEP]")]
        pairs = [(i, i - 1) for i in words if i - 1 in words]
        per_sentence.append(np.mean([weights[layer, head, i, j] for i, j in pairs], dtype=np.float64))
    # means of float32 weights (each at most 1) over a sentence's tokens, then the sentences
    longest = max(len(tokens) for tokens, _ in encoded)
    tolerance = rounding_tolerance("float32", 1.0, n_terms=longest + len(encoded))
    assert abs(scores.loc[(layer, head), "previous"] - np.mean(per_sentence)) <= tolerance
    tokens, weights = encoded[0]
    layer, head = ns["head_of"]["same word"]
    where = [i for i, t in enumerate(tokens) if t == "cat"]
    assert len(where) == 2, "the first sentence says 'cat' twice"
    both = [weights[layer, head, where[0], where[1]], weights[layer, head, where[1], where[0]]]
    tolerance = rounding_tolerance("float32", 1.0, n_terms=len(tokens))  # sums of weights <= 1
    assert abs(ns["per_word"]["cat"] - np.mean(both, dtype=np.float64)) <= tolerance
