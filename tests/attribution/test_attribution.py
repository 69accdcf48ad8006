"""Grad-CAM against a hand computation, completeness of integrated gradients, hooks released."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from mlviz.attribution import (
    ActivationsAndGradients,
    ClassifierOutputSoftmaxTarget,
    ClassifierOutputTarget,
    GradCAM,
    GradCAMPlusPlus,
    integrated_gradients,
    overlay,
    saliency,
    smoothgrad,
)
from mlviz.attribution._cam import EigenCAM
from mlviz.models import MnistCNN
from mlviz.report import rounding_tolerance


def tiny_net(seed=0):
    """conv(1->3) -> ReLU -> flatten -> linear(3*4*4 -> 2): the score is linear in the maps."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 2)).eval()


def test_gradcam_equals_hand_computation():
    net = tiny_net()
    x = torch.randn(2, 1, 4, 4, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        A = net[1](net[0](x)).double().numpy()  # (2, 3, 4, 4)
    W = net[3].weight.detach().double().numpy().reshape(2, 3, 4, 4)  # d logit_c / d A = W[c]
    with GradCAM(net, [net[1]]) as cam:
        raw = cam.layer_cams(x, targets=[ClassifierOutputTarget(1), ClassifierOutputTarget(0)])[0]
    for n, c in enumerate([1, 0]):
        weights = W[c].mean(axis=(1, 2))  # the average gradient of each map
        expected = np.maximum(np.tensordot(weights, A[n], axes=1), 0)
        # both in float64 from the same float32 values: a 16-term mean, a 3-term sum
        scale = np.tensordot(np.abs(W[c]).mean(axis=(1, 2)), np.abs(A[n]), axes=1).max()
        np.testing.assert_allclose(raw[n], expected, rtol=0, atol=rounding_tolerance("float64", scale, 16 + 3))


def test_gradcam_default_target_is_the_predicted_class_and_output_is_scaled():
    net = tiny_net()
    x = torch.randn(3, 1, 4, 4, generator=torch.Generator().manual_seed(2))
    with GradCAM(net, [net[1]]) as cam:
        maps = cam(x)
        predicted = net(x).argmax(1).tolist()
        assert [t.category for t in cam.targets_] == predicted
    assert maps.shape == (3, 4, 4)
    assert maps.min() >= 0 and maps.max() <= 1  # (x - lo) / (hi - lo) is at most 1 exactly


def test_gradcam_plus_plus_uses_positive_gradients_only():
    # For a score linear in the maps, alpha = 1 / (2 + sum(A) * g) and the weight of a map
    # with only negative gradients is 0.
    net = tiny_net()
    x = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        A = net[1](net[0](x)).double().numpy()[0]
    G = net[3].weight.detach().double().numpy().reshape(2, 3, 4, 4)[0]
    with GradCAMPlusPlus(net, [net[1]]) as cam:
        raw = cam.layer_cams(x, targets=ClassifierOutputTarget(0))[0][0]
    alpha = G**2 / (2 * G**2 + A.sum(axis=(1, 2))[:, None, None] * G**3 + 1e-7)
    weights = (np.maximum(G, 0) * alpha).sum(axis=(1, 2))
    # both in float64 from the same float32 values; a map with only negative gradients
    # (weight 0) would show as a plain sum of the others
    scale = np.tensordot(np.abs(weights), np.abs(A), axes=1).max()
    tolerance = rounding_tolerance("float64", scale, 16 * 4 + 3)
    np.testing.assert_allclose(raw, np.maximum(np.tensordot(weights, A, axes=1), 0), rtol=0, atol=tolerance)


def eigen_reference(P, center):
    """The projection on the first principal direction, from the Gram matrix's eigenvector."""
    P = P - P.mean(axis=0) if center else P
    values, vectors = np.linalg.eigh(P @ P.T)
    projection = np.sqrt(max(values[-1], 0.0)) * vectors[:, -1]
    return projection * np.sign(projection[np.argmax(np.abs(projection))]), P


def projection_tolerance(P):
    """What float64 rounding explains in ``P v``: SVD backward error over the gap (Wedin)."""
    s = np.linalg.svd(P, compute_uv=False)
    rows = np.linalg.norm(P, axis=1).max()
    moved = rounding_tolerance("float64", s[0], n_terms=max(P.shape)) / (s[0] - s[1])
    return rows * moved + rounding_tolerance("float64", rows, n_terms=P.shape[1])


@pytest.mark.parametrize("center", [False, True])
def test_eigencam_is_the_projection_on_the_first_singular_vector(center):
    net = tiny_net()
    x = torch.randn(3, 1, 4, 4, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        A = net[1](net[0](x)).double().numpy()  # (3, 3, 4, 4)
    with EigenCAM(net, [net[1]], center=center) as cam:
        raw = cam.layer_cams(x)[0]
        assert cam.recorder.gradients == [] and cam.targets_ is None
    for n in range(len(x)):
        expected, P = eigen_reference(A[n].reshape(3, 16).T, center)
        np.testing.assert_allclose(raw[n].ravel(), np.maximum(expected, 0), rtol=0, atol=projection_tolerance(P))


def test_eigencam_centred_is_the_first_principal_component():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    A = rng.standard_normal((1, 6, 5, 5)) + 3.0  # a large shared part, as after a ReLU
    P = A[0].reshape(6, 25).T
    scores = PCA(n_components=1).fit_transform(P)[:, 0]
    scores *= np.sign(scores[np.argmax(np.abs(scores))])
    net = nn.Sequential(nn.Identity())
    with EigenCAM(net, [net[0]], center=True) as cam:
        centred = cam.get_cam_image(A)[0].ravel()
    with EigenCAM(net, [net[0]]) as cam:
        uncentred = cam.get_cam_image(A)[0].ravel()
    Pc = P - P.mean(axis=0)
    np.testing.assert_allclose(centred, np.maximum(scores, 0), rtol=0, atol=projection_tolerance(Pc))
    # without centring the shared part dominates: every position projects positively,
    # so the ReLU keeps all of them; centred, the projections sum to zero (one side kept)
    assert (uncentred > 0).all()
    assert 0 < (centred > 0).sum() < centred.size


def test_eigencam_sign_does_not_depend_on_the_svd(monkeypatch):
    """Another LAPACK may return -v: the map must not change (pytorch-grad-cam issue #315)."""
    rng = np.random.default_rng(1)
    A = rng.standard_normal((2, 8, 4, 4))
    net = nn.Sequential(nn.Identity())
    with EigenCAM(net, [net[0]], center=True) as cam:
        before = cam.get_cam_image(A)
        svd = np.linalg.svd

        def flipped(*args, **kwargs):
            u, s, vt = svd(*args, **kwargs)
            return -u, s, -vt

        monkeypatch.setattr(np.linalg, "svd", flipped)
        after = cam.get_cam_image(A)
    np.testing.assert_array_equal(before, after)
    for m, a in zip(before, A):  # the kept side holds the largest |projection|
        P = a.reshape(8, 16).T
        projection = (P - P.mean(axis=0)) @ svd(P - P.mean(axis=0))[2][0]
        assert m.max() == pytest.approx(np.abs(projection).max(), rel=rounding_tolerance("float64", 1.0, 8 * 16))


def test_eigencam_explains_no_class_and_validates_center():
    net = MnistCNN()
    with EigenCAM(net, [net.relu2]) as cam:
        with pytest.raises(ValueError, match="EigenCAM explains no class: targets must be None; got \\[3\\]"):
            cam(torch.zeros(1, 1, 28, 28), targets=[3])
        maps = cam(torch.randn(2, 1, 28, 28, generator=torch.Generator().manual_seed(5)))
    assert maps.shape == (2, 28, 28) and maps.min() >= 0 and maps.max() <= 1
    assert len(net.relu2._forward_hooks) == 0
    with pytest.raises(TypeError, match="center must be True or False; got 'yes'"):
        EigenCAM(net, [net.relu2], center="yes")


def test_hooks_are_released():
    net = MnistCNN()
    with GradCAM(net, [net.relu2]) as cam:
        assert len(net.relu2._forward_hooks) == 1
        cam(torch.zeros(1, 1, 28, 28))
    assert len(net.relu2._forward_hooks) == 0
    recorder = ActivationsAndGradients(net, [net.conv1, net.relu3])
    assert len(net.conv1._forward_hooks) == len(net.relu3._forward_hooks) == 1
    recorder.release()
    recorder.release()  # twice is fine
    assert len(net.conv1._forward_hooks) == len(net.relu3._forward_hooks) == 0


def test_recorder_keeps_activations_and_gradients_in_forward_order():
    net = MnistCNN()
    with ActivationsAndGradients(net, [net.relu1, net.relu2]) as rec:
        out = rec(torch.randn(2, 1, 28, 28))
        out[:, 0].sum().backward()
    assert [a.shape[1:] for a in rec.activations] == [(16, 28, 28), (32, 14, 14)]
    assert [g.shape for g in rec.gradients] == [a.shape for a in rec.activations]


def test_recorder_rejects_a_foreign_layer():
    with pytest.raises(ValueError, match="sub-modules of model"):
        ActivationsAndGradients(MnistCNN(), [nn.ReLU()])
    with pytest.raises(ValueError, match="'relu9' is not one"):
        ActivationsAndGradients(MnistCNN(), ["relu1", "relu9"])
    with pytest.raises(ValueError, match="non-empty list"):
        ActivationsAndGradients(MnistCNN(), [])
    net = MnistCNN()
    with pytest.raises(TypeError, match="got one ReLU"):
        ActivationsAndGradients(net, net.relu1)


def test_recorder_takes_names_or_modules_and_matches_autograd():
    """Layers given by name or as modules; the recorded values equal a direct computation."""
    torch.manual_seed(0)
    net = MnistCNN(channels=(4, 8), hidden=16).eval()
    x = torch.randn(3, 1, 28, 28)
    with ActivationsAndGradients(net, [net.relu3, "relu1"]) as rec:
        out = rec(x)
        out[:, 2].sum().backward()
    assert rec.names == ["relu3", "relu1"]  # the order given, not the forward order
    h1 = net.relu1(net.conv1(x))
    h3 = net.embed(x)
    (g3,) = torch.autograd.grad(net.fc2(h3)[:, 2].sum(), h3)
    torch.testing.assert_close(rec.activations[0], h3.detach())
    torch.testing.assert_close(rec.activations[1], h1.detach())
    torch.testing.assert_close(rec.gradients[0], g3)
    assert rec.gradients[1].shape == h1.shape and not rec.activations[0].requires_grad


def test_recorder_without_gradients_and_after_release():
    net = MnistCNN(channels=(4, 8), hidden=16).eval()
    rec = ActivationsAndGradients(net, ["relu2"], gradients=False)
    out = rec(torch.randn(2, 1, 28, 28))
    out.sum().backward()
    assert rec.gradients == [] and rec.activations[0].shape == (2, 8, 14, 14)
    first = rec.activations[0]
    net(torch.randn(2, 1, 28, 28))  # a forward pass without rec(): recorded too
    assert not torch.equal(rec.activations[0], first)
    kept = rec.activations[0]
    rec.release()
    net(torch.randn(2, 1, 28, 28))  # released: nothing is recorded any more
    assert rec.activations[0] is kept


@pytest.fixture(scope="module")
def trained_tiny_cnn(tmp_path_factory):
    """A small CNN trained for two epochs on 512 digits (own cache, the real one untouched)."""
    from mlviz.models import TrainConfig, train

    mp = pytest.MonkeyPatch()
    mp.setenv("MLVIZ_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    try:
        config = TrainConfig(arch="mnist_cnn", arch_kwargs={"channels": (4, 8), "hidden": 16}, epochs=2,
                             n_train=512, n_val=128, batch_size=32, probe_size=32, n_bins=12)
        return train(config).model
    finally:
        mp.undo()


def test_integrated_gradients_completeness(trained_tiny_cnn):
    from mlviz.models import mnist_tensors, to_tensor

    net = trained_tiny_cnn
    X, _ = mnist_tensors("test", n=8)
    black = to_tensor(np.zeros((1, 28, 28), np.uint8))
    from mlviz._torch import one_thread

    result = integrated_gradients(net, X, baseline=black, n_steps=200)
    with torch.no_grad(), one_thread():  # the helper's threads: the same logits, bit for bit
        logits, base = net(X), net(black.expand_as(X))
    predicted = logits.argmax(1)
    rows = torch.arange(len(X))
    np.testing.assert_array_equal(result.score, logits[rows, predicted].numpy())
    np.testing.assert_array_equal(result.baseline_score, base[rows, predicted].numpy())
    np.testing.assert_allclose(result.total, result.score - result.baseline_score, rtol=0.01)
    assert np.all(result.relative_error < 0.01)


def test_integrated_gradients_with_too_few_steps_is_not_complete(trained_tiny_cnn):
    """The check can fail: one step (a single gradient) misses the network's curvature."""
    from mlviz.models import mnist_tensors

    X, _ = mnist_tensors("test", n=8)
    assert integrated_gradients(trained_tiny_cnn, X, n_steps=1).relative_error.max() > 0.01


def test_integrated_gradients_of_a_linear_model_is_exact():
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2)).eval()
    x = torch.randn(1, 1, 4, 4)
    result = integrated_gradients(net, x, targets=[1], n_steps=1)
    # the gradient of a linear layer is its weight row, exactly; x * w in float64 is exact
    expected = x.double().numpy()[0, 0] * net[1].weight.detach().double().numpy()[1].reshape(4, 4)
    np.testing.assert_allclose(result.attributions[0, 0], expected, rtol=rounding_tolerance("float64", 1.0, 2), atol=0)


def test_saliency_and_smoothgrad_of_a_linear_model_are_abs_weights():
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2)).eval()
    x = torch.randn(2, 1, 4, 4)
    w = np.abs(net[1].weight.detach().numpy()[1].reshape(4, 4))
    # the gradient is the weight row, exactly; SmoothGrad averages 3 copies of it in float64
    np.testing.assert_array_equal(saliency(net, x, ClassifierOutputTarget(1)), np.stack([w, w]))
    smooth = smoothgrad(net, x, ClassifierOutputTarget(1), n_samples=3)
    np.testing.assert_allclose(smooth, np.stack([w, w]), rtol=rounding_tolerance("float64", 1.0, 3), atol=0)


def test_softmax_target_is_a_probability():
    out = torch.tensor([[1.0, 2.0, 3.0]])
    assert torch.isclose(ClassifierOutputSoftmaxTarget(2)(out), torch.softmax(out, 1)[:, 2]).all()


def test_overlay_blends_and_validates():
    image = np.linspace(0, 1, 12).reshape(3, 4)
    heat = np.zeros((3, 4))
    np.testing.assert_allclose(overlay(image, heat, alpha=0), np.repeat(image[..., None], 3, axis=2))
    import matplotlib as mpl

    np.testing.assert_allclose(overlay(image, heat, alpha=1, cmap="viridis"), np.broadcast_to(mpl.colormaps["viridis"](0.0)[:3], (3, 4, 3)))
    with pytest.raises(ValueError, match=r"heatmap must have the image's shape \(3, 4\); got \(2, 2\)"):
        overlay(image, np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"heatmap values must lie in \[0, 1\]"):
        overlay(image, heat + 2)
    with pytest.raises(ValueError, match="alpha"):
        overlay(image, heat, alpha=1.5)
