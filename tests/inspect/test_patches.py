"""The patch a unit sees: sizes against convolutions whose reach is known by hand."""

import numpy as np
import pytest
import torch
from torch import nn

from mlviz.inspect.patches import effective_patch_side, peak_crop


def _box_conv(kernel, layers=1):
    """`layers` convolutions with a `kernel` x `kernel` box of ones, 'same' padding."""
    convs = []
    for _ in range(layers):
        conv = nn.Conv2d(3, 2, kernel, padding=kernel // 2, bias=False)
        nn.init.ones_(conv.weight)
        convs += [conv, nn.Conv2d(2, 3, 1, bias=False)]
        nn.init.ones_(convs[-1].weight)
    return nn.Sequential(*convs[:-1])


def test_the_side_covers_the_kernel_of_one_convolution():
    # a 5x5 box reads pixels c-2 .. c+2 of the central position: all of its gradient
    # lies there, so the smallest centred square [c - half, c + half) holding it has
    # half = 3 (step 1) or 4 (step 4)
    x = torch.rand((2, 3, 32, 32), generator=torch.Generator().manual_seed(0))
    forward = _box_conv(5)
    assert effective_patch_side(forward, x, mass=1.0, step=1) == 6
    assert effective_patch_side(forward, x, mass=1.0) == 8
    # two stacked 5x5 boxes reach 4 pixels each side, weighted towards the centre:
    # all of it needs half = 5, 90% of it less
    deep = _box_conv(5, layers=2)
    assert effective_patch_side(deep, x, mass=1.0, step=1) == 10
    assert effective_patch_side(deep, x, mass=0.9, step=1) < 10


def test_a_global_unit_sees_the_whole_image():
    def pooled(x):  # every position is the image's mean: the whole image counts
        return x.mean(dim=(1, 2, 3), keepdim=True).expand(-1, 4, 3, 3)

    x = torch.rand((1, 3, 20, 20))
    assert effective_patch_side(pooled, x, mass=0.95, step=1) == 20
    assert effective_patch_side(pooled, x, mass=0.95, step=3) == 20  # never past it


def test_side_errors_name_the_argument():
    forward = _box_conv(3)
    with pytest.raises(ValueError, match="x must be a square"):
        effective_patch_side(forward, torch.zeros((1, 3, 8, 9)))
    with pytest.raises(ValueError, match="mass must be in"):
        effective_patch_side(forward, torch.zeros((1, 3, 8, 8)), mass=0)
    with pytest.raises(ValueError, match="step must be a positive integer"):
        effective_patch_side(forward, torch.zeros((1, 3, 8, 8)), step=0)
    with pytest.raises(ValueError, match=r"forward must return \(N, C, h, w\)"):
        effective_patch_side(lambda x: x.sum(1), torch.zeros((1, 3, 8, 8)))


def test_the_crop_is_centred_on_the_cell_and_kept_inside():
    image = np.arange(32 * 32).reshape(32, 32)
    crop, (top, left) = peak_crop(image, 2, 3, stride=4, side=8)
    # the cell of position (2, 3) is rows 8..11, columns 12..15; centred: 6..13, 10..17
    assert (top, left) == (6, 10)
    np.testing.assert_array_equal(crop, image[6:14, 10:18])
    # at the corner the square moves inside the image
    crop, (top, left) = peak_crop(image, 0, 7, stride=4, side=12)
    assert (top, left) == (0, 20) and crop.shape == (12, 12)
    np.testing.assert_array_equal(crop, image[:12, 20:])
    rgb = np.zeros((32, 32, 3))
    assert peak_crop(rgb, 1, 1, stride=8, side=32)[0].shape == (32, 32, 3)


def test_crop_errors_name_the_argument():
    image = np.zeros((16, 16, 3))
    with pytest.raises(ValueError, match="side must be between 1 and 16"):
        peak_crop(image, 0, 0, stride=4, side=17)
    with pytest.raises(ValueError, match="stride must be >= 1"):
        peak_crop(image, 0, 0, stride=0, side=4)
    with pytest.raises(ValueError, match=r"position \(4, 0\) at stride 4 lies outside"):
        peak_crop(image, 4, 0, stride=4, side=4)
