"""The ring-of-Gaussians data and the mode coverage measure."""

from __future__ import annotations

import numpy as np
import pytest

from mlviz.inspect.gan import mode_coverage, ring_centers, ring_of_gaussians


def test_ring_centers_lie_on_the_circle():
    centers = ring_centers(6, radius=3.0)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 3.0)
    np.testing.assert_allclose(centers[0], [3.0, 0.0])
    with pytest.raises(ValueError, match="modes must be a positive int; got 0"):
        ring_centers(0)


def test_samples_are_seeded_and_cover_all_modes():
    a = ring_of_gaussians(4000, seed=0)
    assert a.shape == (4000, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a, ring_of_gaussians(4000, seed=0))
    assert not np.array_equal(a, ring_of_gaussians(4000, seed=1))
    cov = mode_coverage(a, ring_centers(), std=0.05)
    assert cov["covered"] == 8
    assert cov["high_quality"] > 0.98  # 3 std in 2-D holds ~98.9 % of a Gaussian
    assert abs(cov["counts"] / 4000 - 1 / 8).max() < 0.03


def test_collapsed_generator_is_detected():
    centers = ring_centers()
    collapsed = np.repeat(centers[[0, 3]], 50, axis=0) + 0.01
    cov = mode_coverage(collapsed, centers, std=0.05)
    assert cov["covered"] == 2
    np.testing.assert_array_equal(cov["counts"], [50, 0, 0, 50, 0, 0, 0, 0])
    spread = np.zeros((10, 2))  # the ring's centre is far from every mode
    assert mode_coverage(spread, centers, std=0.05)["high_quality"] == 0.0
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        mode_coverage(np.zeros(5), centers, std=0.05)
