"""Exporting a network for the browser (mlviz.widgets.export)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from mlviz.models import MLP, MNIST_MEAN, MNIST_STD, MnistCNN
from mlviz.widgets.export import FORMAT, decode_array, encode_array, export_cnn, load_cnn_export, site_output_dir


@pytest.fixture
def small_cnn():
    torch.manual_seed(0)
    return MnistCNN(channels=(4, 8), hidden=16).eval()


def test_round_trip_reproduces_the_state_dict_exactly(small_cnn, tmp_path):
    path = export_cnn(small_cnn, tmp_path / "sub" / "net.json")
    loaded = load_cnn_export(path)
    expected = {k: v.numpy() for k, v in small_cnn.state_dict().items()}
    assert loaded["state_dict"].keys() == expected.keys()
    for key, value in expected.items():
        assert loaded["state_dict"][key].dtype == np.float32
        np.testing.assert_array_equal(loaded["state_dict"][key], value, err_msg=key)
    assert loaded["format"] == FORMAT
    assert (loaded["mean"], loaded["std"]) == (MNIST_MEAN, MNIST_STD)
    assert loaded["class_names"] == [str(i) for i in range(10)]


def test_layer_specs_follow_the_children_in_order(small_cnn, tmp_path):
    layers = load_cnn_export(export_cnn(small_cnn, tmp_path / "net.json"))["layers"]
    assert [(s["name"], s["type"]) for s in layers] == [
        ("conv1", "conv2d"), ("relu1", "relu"), ("pool1", "maxpool2d"), ("conv2", "conv2d"), ("relu2", "relu"),
        ("pool2", "maxpool2d"), ("flatten", "flatten"), ("fc1", "linear"), ("relu3", "relu"), ("fc2", "linear"),
    ]  # fmt: skip
    conv2 = layers[3]
    assert (conv2["in_channels"], conv2["out_channels"], conv2["kernel_size"], conv2["padding"], conv2["stride"]) == (4, 8, 3, 1, 1)
    assert (layers[2]["kernel_size"], layers[2]["stride"]) == (2, 2)
    assert (layers[7]["in_features"], layers[7]["out_features"]) == (8 * 7 * 7, 16)


def test_examples_are_stored_as_uint8_with_labels(small_cnn, tmp_path):
    images = np.arange(3 * 28 * 28, dtype=np.int64).reshape(3, 28, 28).astype(np.uint8)
    loaded = load_cnn_export(export_cnn(small_cnn, tmp_path / "net.json", examples=images, example_labels=[7, 1, 4]))
    np.testing.assert_array_equal(loaded["examples"], images)
    assert loaded["example_labels"] == [7, 1, 4]


def test_an_mlp_with_sigmoids_exports_too(tmp_path):
    net = MLP(hidden=(5,), activation="sigmoid")
    loaded = load_cnn_export(export_cnn(net, tmp_path / "mlp.json"))
    assert [s["type"] for s in loaded["layers"]] == ["flatten", "linear", "sigmoid", "linear"]


def test_weights_are_little_endian_float32_in_base64(small_cnn, tmp_path):
    import base64

    payload = json.loads(export_cnn(small_cnn, tmp_path / "net.json").read_text())
    bias = payload["layers"][0]["bias"]
    raw = base64.b64decode(bias["data"])
    np.testing.assert_array_equal(np.frombuffer(raw, "<f4"), small_cnn.conv1.bias.detach().numpy())


def test_encode_decode_rejects_unknown_dtypes():
    with pytest.raises(ValueError, match="dtype must be one of"):
        encode_array(np.zeros(3), "float64")
    spec = encode_array(np.zeros(3))
    spec["dtype"] = "int16"
    with pytest.raises(ValueError, match=r"spec\['dtype'\] must be one of"):
        decode_array(spec)


def test_unsupported_layer_is_named_in_the_error(tmp_path):
    model = nn.Sequential()
    model.add_module("conv", nn.Conv2d(1, 2, 3))
    model.add_module("norm", nn.BatchNorm2d(2))
    with pytest.raises(TypeError, match="layer 'norm' is a BatchNorm2d"):
        export_cnn(model, tmp_path / "x.json")


def test_bad_arguments_are_reported(small_cnn, tmp_path):
    with pytest.raises(TypeError, match="model must be a torch.nn.Module; got str"):
        export_cnn("net", tmp_path / "x.json")
    with pytest.raises(ValueError, match="class_names must have 10 entries"):
        export_cnn(small_cnn, tmp_path / "x.json", class_names=["a", "b"])
    with pytest.raises(ValueError, match="examples must be uint8 images"):
        export_cnn(small_cnn, tmp_path / "x.json", examples=np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="example_labels must have 2 entries"):
        export_cnn(small_cnn, tmp_path / "x.json", examples=np.zeros((2, 28, 28), np.uint8), example_labels=[1])


def test_loading_another_format_fails(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"format": "keras"}')
    with pytest.raises(ValueError, match="is not a 'mlviz-cnn/1' file; its format is 'keras'"):
        load_cnn_export(path)


def test_site_output_dir_is_the_generated_section_inside_a_checkout(tmp_path, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    (tmp_path / "gallery" / "08_interactive").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "gallery" / "08_interactive")  # where mkdocs-gallery runs examples
    assert site_output_dir("08_interactive") == tmp_path / "docs" / "gallery" / "08_interactive"
    assert (tmp_path / "docs" / "gallery" / "08_interactive").is_dir()


def test_site_output_dir_outside_a_checkout_is_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert site_output_dir("08_interactive") == tmp_path.resolve()
