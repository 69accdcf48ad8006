"""evaluate() and predict_proba() of a network."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from mlviz.models import MnistCNN, evaluate, predict_proba


def test_probabilities_and_metrics():
    cnn = MnistCNN()
    x = torch.zeros(3, 1, 28, 28)
    probs = predict_proba(cnn, x)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    metrics = evaluate(cnn, x, torch.zeros(3, dtype=torch.long))
    assert set(metrics) == {"loss", "accuracy"}


def test_evaluate_matches_a_single_batch_computation_and_keeps_the_mode():
    torch.manual_seed(0)
    cnn = MnistCNN().train()
    X, y = torch.randn(25, 1, 28, 28), torch.randint(0, 10, (25,))
    metrics = evaluate(cnn, X, y, batch_size=7)  # batches of unequal size are weighted by their size
    assert cnn.training  # the mode is restored
    with torch.no_grad():
        logits = cnn.eval()(X)
    np.testing.assert_allclose(metrics["loss"], F.cross_entropy(logits, y).item(), rtol=1e-5)
    assert metrics["accuracy"] == (logits.argmax(1) == y).sum().item() / len(y)
    np.testing.assert_allclose(predict_proba(cnn, X, batch_size=7), F.softmax(logits, dim=1).numpy(), rtol=1e-5)
