"""What the advanced deep-learning pages G1-G4 state, checked on the pages' own output.

Each test runs a page in quick mode (figures discarded) and checks the numbers it
formatted into its prose against an independent computation: the loss recomputed with
``torch.func.functional_call`` at a grid point, attention rollout and mode coverage
written out with NumPy, attention scores read directly off the weight matrices.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("agg")
import numpy as np
import pytest

from mlviz.datasets import MIRROR_ENV

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)"),
]




def test_g1_landscape(run_page):
    import torch
    import torch.nn.functional as F

    from mlviz.models import evaluate, load_mnist_cnn

    ns = run_page("plot_01_loss_landscape.py")
    model, X, y = ns["model"], ns["X_eval"], ns["y_eval"]
    # "the run itself is identical": the checkpointed run has the shared CNN's weights.
    shared = load_mnist_cnn().model.state_dict()
    assert all(torch.equal(shared[k], v) for k, v in model.state_dict().items())
    assert ns["centre"] == pytest.approx(evaluate(model, X, y)["loss"], rel=1e-5)
    # One off-centre grid point, recomputed with the weights set by hand.
    i, j = 1, ns["n_grid"] - 2
    a, b = ns["coords"][i], ns["coords"][j]
    names = [name for name, _ in model.named_parameters()]
    moved = {n: w + a * d1 + b * d2 for n, w, d1, d2 in zip(names, ns["weights"], ns["d1"], ns["d2"])}
    with torch.no_grad():
        loss = F.cross_entropy(torch.func.functional_call(model, moved, (X,)), y).item()
    assert ns["grid"].loss[j, i] == pytest.approx(loss, rel=1e-4)
    # Cosines and the first epoch's share, from the flattened weights.
    start = np.concatenate([t.numpy().ravel() for t in ns["path"][0]])
    final = np.concatenate([t.numpy().ravel() for t in ns["weights"]])
    d1 = np.concatenate([t.numpy().ravel() for t in ns["d1"]])
    assert ns["cosines"][0] == pytest.approx(d1 @ start / np.linalg.norm(d1) / np.linalg.norm(start), abs=1e-6)
    assert ns["distance"] == pytest.approx(np.linalg.norm(start - final), rel=1e-5)


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
    assert ns["scores"]["accuracy"] == pytest.approx((predicted == ns["y_test"]).float().mean().item())
    reference = _rollout(attentions)[:, 0, 1:]
    reference /= reference.sum(axis=1, keepdims=True)
    ink = ns["has_ink"].reshape(n, -1)
    assert ns["on_ink"] == pytest.approx((reference * ink).sum(axis=1), abs=1e-6)
    last = attentions[-1].mean(axis=1)[:, 0, 1:]
    last /= last.sum(axis=1, keepdims=True)
    assert ns["on_ink_last"] == pytest.approx((last * ink).sum(axis=1), abs=1e-6)
    low, high = ns["interval"].low, ns["interval"].high
    assert low <= ns["on_ink"].mean() - ns["on_ink_last"].mean() <= high
    heads = ns["heads"]
    assert heads.loc[(1, 1), "on itself"] == pytest.approx(attentions[0][:, 0, 0, 0].mean())


def test_g3_mode_coverage(run_page):
    from scipy.spatial.distance import cdist

    ns = run_page("plot_03_gan_2d.py")
    centers, std = ns["centers"], ns["STD"]
    for step, samples in ns["samples"].items():
        distances = cdist(samples, centers)
        nearest = distances.argmin(axis=1)
        close = distances.min(axis=1) <= 3 * std
        counts = np.bincount(nearest[close], minlength=len(centers))
        assert ns["coverage"][step]["covered"] == (counts >= 0.01 * len(samples)).sum()
        assert ns["coverage"][step]["high_quality"] == pytest.approx(close.mean())
        near = np.bincount(nearest[distances.min(axis=1) <= 0.5], minlength=len(centers))
        assert ns["missed"][step] == (near < 0.01 * len(samples)).sum()
    losses = np.array(ns["losses"])
    assert ns["losses_end"] == pytest.approx(losses[-200:].mean(axis=0))


def test_g4_head_scores(run_page):
    ns = run_page("plot_04_text_attention.py")
    scores, encoded = ns["scores"], ns["encoded"]
    layer, head = ns["head_of"]["previous"]
    per_sentence = []
    for tokens, weights in encoded:
        words = [i for i, t in enumerate(tokens) if t not in ("[CLS]", "[SEP]")]
        pairs = [(i, i - 1) for i in words if i - 1 in words]
        per_sentence.append(np.mean([weights[layer, head, i, j] for i, j in pairs]))
    assert scores.loc[(layer, head), "previous"] == pytest.approx(np.mean(per_sentence))
    tokens, weights = encoded[0]
    layer, head = ns["head_of"]["same word"]
    where = [i for i, t in enumerate(tokens) if t == "cat"]
    assert len(where) == 2, "the first sentence says 'cat' twice"
    both = [weights[layer, head, where[0], where[1]], weights[layer, head, where[1], where[0]]]
    assert ns["per_word"]["cat"] == pytest.approx(np.mean(both))
