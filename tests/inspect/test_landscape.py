"""Filter-normalized directions, PCA directions and the loss grid."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlviz.inspect.landscape import (
    filter_normalized_direction,
    flatten,
    loss_grid,
    parameters_of,
    pca_directions,
    project_onto,
)
from mlviz.models import MnistCNN


@pytest.fixture
def net():
    torch.manual_seed(0)
    return MnistCNN(channels=(4, 8), hidden=16).eval()


def test_filter_norms_equal_the_weights_filter_norms(net):
    weights = parameters_of(net)
    direction = filter_normalized_direction(weights, seed=0)
    for w, d in zip(weights, direction):
        assert d.shape == w.shape
        if w.dim() > 1:
            np.testing.assert_allclose(d.flatten(1).norm(dim=1), w.flatten(1).norm(dim=1), rtol=1e-5)
            assert not torch.allclose(d, w)  # a random direction, not the weights themselves
        else:
            assert torch.count_nonzero(d) == 0  # biases ignored
    with_bias = filter_normalized_direction(weights, seed=0, ignore_1d=False)
    np.testing.assert_allclose(with_bias[1].norm(), weights[1].norm(), rtol=1e-5)
    other = filter_normalized_direction(weights, seed=1)
    assert not torch.allclose(other[0], direction[0])


def test_grid_shape_and_centre_is_the_trained_loss(net):
    X, y = torch.randn(40, 1, 28, 28), torch.randint(0, 10, (40,))
    weights = parameters_of(net)
    d1, d2 = (filter_normalized_direction(weights, seed=s) for s in (0, 1))
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-0.5, 0.5, 3)
    grid = loss_grid(net, [d1, d2], X, y, alphas, betas, batch_size=16)
    assert grid.loss.shape == grid.accuracy.shape == (3, 5)
    with torch.no_grad():
        expected = F.cross_entropy(net(X), y).item()
    assert grid.loss[1, 2] == pytest.approx(expected, rel=1e-5)
    assert grid.loss[0, 0] != pytest.approx(expected, rel=1e-3)
    # The model itself is untouched.
    for w, p in zip(weights, net.parameters()):
        assert torch.equal(w, p)
    # A grid point equals the loss of the moved weights, computed directly.
    moved = MnistCNN(channels=(4, 8), hidden=16).eval()
    with torch.no_grad():
        for p, w, a, b in zip(moved.parameters(), weights, d1, d2):
            p.copy_(w + alphas[4] * a + betas[0] * b)
        assert grid.loss[0, 4] == pytest.approx(F.cross_entropy(moved(X), y).item(), rel=1e-5)


def test_loss_grid_errors(net):
    weights = parameters_of(net)
    X, y = torch.randn(4, 1, 28, 28), torch.zeros(4, dtype=torch.long)
    with pytest.raises(ValueError, match="two weight lists"):
        loss_grid(net, [weights], X, y, [0], [0])
    with pytest.raises(ValueError, match="d2 must match"):
        loss_grid(net, [weights, weights[:-1]], X, y, [0], [0])


def test_pca_directions_and_projection_recover_a_planar_path(net):
    final = parameters_of(net)
    e1 = [torch.randn_like(w) for w in final]
    e2 = [torch.randn_like(w) for w in final]
    coords = np.array([[3.0, 1.0], [2.0, -1.0], [1.0, 0.5], [0.5, 0.2], [0.0, 0.0]])
    path = [[w + a * u + b * v for w, u, v in zip(final, e1, e2)] for a, b in coords]
    dirs, explained = pca_directions(path, final)
    assert explained.sum() == pytest.approx(1.0)
    assert explained[0] >= explained[1]
    assert abs(flatten(dirs[0]) @ flatten(dirs[1])) < 1e-8
    assert np.linalg.norm(flatten(dirs[0])) == pytest.approx(1.0)
    projected = project_onto(path, final, dirs)
    # Distances within the plane are preserved by an orthonormal basis.
    moved = np.stack([flatten(p) - flatten(final) for p in path])
    np.testing.assert_allclose(np.linalg.norm(projected, axis=1), np.linalg.norm(moved, axis=1), rtol=1e-4)
    with pytest.raises(ValueError, match="at least n \\+ 1 = 3"):
        pca_directions(path[:2], final)


def test_parameters_of_a_state_dict(net):
    state = net.state_dict()
    np.testing.assert_array_equal(flatten(parameters_of(state, net)), flatten(parameters_of(net)))
    with pytest.raises(TypeError, match="model is required"):
        parameters_of(state)


def _page_function(relative: str, name: str):
    """Return the function ``name`` as defined on a gallery page (run alone, not the page)."""
    import ast

    from ..conftest import ROOT

    source = (ROOT / "gallery" / relative).read_text(encoding="utf-8")
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name)
    namespace = {"torch": torch}
    exec(compile(ast.Module(body=[node], type_ignores=[]), relative, "exec"), namespace)
    return namespace[name]


def test_the_loss_landscape_pages_normalization_equals_the_helper_and_a_reference(net):
    """G1 writes the filter normalization out; it must give the helper's directions exactly."""
    page_direction = _page_function("07_advanced_deep_learning/plot_01_loss_landscape.py", "filter_normalized_direction")
    weights = parameters_of(net)
    for seed in (0, 1):
        on_page = page_direction(weights, seed=seed)
        helper = filter_normalized_direction(weights, seed=seed)
        assert all(torch.equal(a, b) for a, b in zip(on_page, helper))
        # Reference: the same Gaussian draws, each filter scaled in a NumPy loop.
        generator = torch.Generator().manual_seed(seed)
        for w, d in zip(weights, on_page):
            g = torch.randn(w.shape, generator=generator).numpy().astype(np.float64)
            w64 = w.numpy().astype(np.float64)
            if w.dim() == 1:
                np.testing.assert_array_equal(d.numpy(), 0.0)
                continue
            for i in range(w.shape[0]):
                expected = g[i] / np.linalg.norm(g[i]) * np.linalg.norm(w64[i])
                np.testing.assert_allclose(d[i].numpy(), expected, rtol=1e-5, atol=1e-7)
