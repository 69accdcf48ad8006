import numpy as np
import pytest

from mlviz.plotting._concepts import concept_overlay, upsample_bilinear
from mlviz.report import rounding_tolerance


@pytest.mark.parametrize("shape, size", [((7, 7), 224), ((3, 5), (8, 11)), ((14, 14), (224, 224))])
def test_upsampling_is_torch_s_bilinear_interpolation(shape, size):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    maps = rng.random((2, 3, *shape))
    out = upsample_bilinear(maps, size)
    size = (size, size) if np.ndim(size) == 0 else size
    expected = F.interpolate(torch.from_numpy(maps), size, mode="bilinear", align_corners=False).numpy()
    assert out.shape == (2, 3, *size)
    # each value is a mix of four float64 values with weights summing to one
    np.testing.assert_allclose(out, expected, rtol=0, atol=rounding_tolerance("float64", 1.0, 4))


def test_upsampling_keeps_constants_and_the_range():
    out = upsample_bilinear(np.full((3, 4), 2.5), (9, 13))
    np.testing.assert_allclose(out, 2.5)
    maps = np.random.default_rng(1).random((5, 6))
    up = upsample_bilinear(maps, 40)
    assert maps.min() <= up.min() and up.max() <= maps.max()


def test_upsampling_rejects_a_vector_and_a_zero_size():
    with pytest.raises(ValueError, match=r"maps must have shape \(\.\.\., h, w\)"):
        upsample_bilinear(np.zeros(4), 8)
    with pytest.raises(ValueError, match="size must be positive"):
        upsample_bilinear(np.zeros((2, 2)), (0, 4))


def two_concepts():
    """Concept 0 fills the left column of a 2x2 map, concept 1 the right one, at half."""
    maps = np.zeros((2, 2, 2))
    maps[0, :, 0] = 1.0
    maps[1, :, 1] = 0.5
    return maps


def test_each_pixel_takes_its_dominant_concept_s_colour():
    image = np.full((8, 8, 3), 0.5)
    colours = [(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)]
    out = concept_overlay(image, two_concepts(), colours, alpha=1.0)
    # the corners hold one concept each: full colour at the strongest, sqrt(1/2) at the other
    np.testing.assert_allclose(out[0, 0], [1.0, 0.0, 0.0])
    o = np.sqrt(0.5)
    np.testing.assert_allclose(out[0, -1], (1 - o) * 0.5 + o * np.array([0.0, 0.0, 1.0]))
    # at equal strengths the left half is red-dominated, the right half blue-dominated
    out = concept_overlay(image, two_concepts() * [[[1.0]], [[2.0]]], colours)
    assert (out[:, :4, 0] > out[:, :4, 2]).all() and (out[:, 4:, 2] > out[:, 4:, 0]).all()


def test_no_concept_leaves_the_photo_as_it_is():
    image = np.random.default_rng(2).random((6, 6, 3))
    np.testing.assert_array_equal(concept_overlay(image, np.zeros((3, 2, 2)), np.eye(3)), image)
    np.testing.assert_array_equal(concept_overlay(image, two_concepts(), np.eye(3)[:2], alpha=0), image)


@pytest.mark.parametrize(
    "image, heatmaps, colours, alpha, message",
    [
        (np.zeros((4, 4)), two_concepts(), np.eye(3)[:2], 0.7, r"image must be an RGB array"),
        (np.zeros((4, 4, 3)), np.zeros((2, 2)), np.eye(3)[:2], 0.7, r"heatmaps must have shape \(k, h, w\)"),
        (np.zeros((4, 4, 3)), -two_concepts(), np.eye(3)[:2], 0.7, r"heatmaps must be non-negative"),
        (np.zeros((4, 4, 3)), two_concepts(), np.eye(3), 0.7, r"one RGB colour per concept, shape \(2, 3\)"),
        (np.zeros((4, 4, 3)), two_concepts(), np.eye(3)[:2], 1.5, r"alpha must lie in \[0, 1\]"),
    ],
)
def test_bad_arguments_are_named(image, heatmaps, colours, alpha, message):
    with pytest.raises(ValueError, match=message):
        concept_overlay(image, heatmaps, colours, alpha=alpha)
