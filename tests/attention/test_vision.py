"""Attention capture on the TinyViT and attention rollout against hand computations."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlviz.attention import AttentionCapture, attention_rollout, patch_map
from mlviz.attribution import ActivationsAndGradients
from mlviz.models import TinyViT


def _random_attention(rng, shape):
    logits = rng.normal(size=shape)
    e = np.exp(logits)
    return e / e.sum(-1, keepdims=True)


def test_rollout_rows_sum_to_one():
    rng = np.random.default_rng(0)
    layers = [_random_attention(rng, (4, 5, 5)) for _ in range(3)]
    rollout = attention_rollout(layers)
    assert rollout.shape == (5, 5)
    np.testing.assert_allclose(rollout.sum(1), 1.0)
    assert (rollout >= 0).all()


def test_rollout_of_identity_attention_is_identity():
    eye = np.broadcast_to(np.eye(6), (3, 6, 6))
    np.testing.assert_allclose(attention_rollout([eye] * 4), np.eye(6))
    np.testing.assert_allclose(attention_rollout([eye] * 4, residual=False), np.eye(6))


def test_rollout_matches_hand_computation_for_two_layers():
    a1 = np.array([[[0.5, 0.5], [0.0, 1.0]], [[1.0, 0.0], [1.0, 0.0]]])  # two heads
    a2 = np.array([[[0.2, 0.8], [0.6, 0.4]], [[0.2, 0.8], [0.6, 0.4]]])
    # Head means: m1 = [[.75, .25], [.5, .5]], m2 = [[.2, .8], [.6, .4]]; with the residual
    # 0.5 m + 0.5 I (rows already sum to 1): r1 = [[.875, .125], [.25, .75]],
    # r2 = [[.6, .4], [.3, .7]]; rollout = r2 @ r1.
    expected = np.array([[0.6 * 0.875 + 0.4 * 0.25, 0.6 * 0.125 + 0.4 * 0.75],
                         [0.3 * 0.875 + 0.7 * 0.25, 0.3 * 0.125 + 0.7 * 0.75]])
    np.testing.assert_allclose(attention_rollout([a1, a2]), expected)
    m1, m2 = a1.mean(0), a2.mean(0)
    np.testing.assert_allclose(attention_rollout([a1, a2], residual=False), m2 @ m1)


def test_rollout_batched_equals_one_by_one():
    rng = np.random.default_rng(1)
    layers = [_random_attention(rng, (3, 2, 4, 4)) for _ in range(2)]
    batched = attention_rollout(layers)
    for n in range(3):
        np.testing.assert_allclose(batched[n], attention_rollout([a[n] for a in layers]))


@pytest.mark.parametrize(
    "layers, message",
    [
        ([], "at least one layer"),
        ([np.ones((2, 3, 4)) / 4], r"shape \(heads, T, T\)"),
        ([np.eye(3)[None], np.eye(4)[None]], "same shape"),
        ([np.ones((1, 3, 3))], "sum to 1"),
    ],
)
def test_rollout_errors(layers, message):
    with pytest.raises(ValueError, match=message):
        attention_rollout(layers)


def test_capture_records_softmax_of_every_layer():
    torch.manual_seed(0)
    net = TinyViT(patch=7, dim=16, depth=3, heads=2).eval()
    with AttentionCapture(net) as capture:
        logits = net(torch.randn(2, 1, 28, 28))
    assert isinstance(capture, ActivationsAndGradients)  # the package's one hook recorder
    assert capture.names == ["blocks.0.attn.attend", "blocks.1.attn.attend", "blocks.2.attn.attend"]
    assert [a.shape for a in capture.attentions] == [(2, 2, 17, 17)] * 3
    np.testing.assert_allclose(capture.attentions[1].sum(-1), 1.0, atol=1e-5)
    # Released: a new forward pass does not overwrite what was captured.
    before = capture.attentions[0].copy()
    net(torch.randn(2, 1, 28, 28))
    np.testing.assert_array_equal(capture.attentions[0], before)
    assert logits.shape == (2, 10)


def test_capture_error_names_suffix():
    with pytest.raises(ValueError, match="suffix='nope'"):
        AttentionCapture(TinyViT(dim=8, depth=1, heads=2), suffix="nope")


def test_patch_map():
    row = np.r_[0.5, np.arange(1, 5) / 20]
    grid = patch_map(row, 2)
    np.testing.assert_allclose(grid, np.array([[1, 2], [3, 4]]) / 10)
    with pytest.raises(ValueError, match=r"shape \(5,\)"):
        patch_map(np.ones(4), 2)


def test_vit_patches_are_row_major():
    net = TinyViT(patch=7, dim=8, depth=1, heads=2)
    x = torch.arange(28 * 28, dtype=torch.float32).view(1, 1, 28, 28)
    patches = net.patches(x)
    assert patches.shape == (1, 16, 49)
    np.testing.assert_array_equal(patches[0, 1].view(7, 7), x[0, 0, :7, 7:14])
    np.testing.assert_array_equal(patches[0, 4].view(7, 7), x[0, 0, 7:14, :7])
    with pytest.raises(ValueError, match="patch must divide"):
        TinyViT(patch=5)
