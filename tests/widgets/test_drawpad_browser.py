"""Catalog page H1 in headless Chromium: the drawing pad computes what torch computes,
flags a drawing unlike any digit, and keeps its bars in view on a phone."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlviz.models import MNIST_MEAN, MNIST_STD, MnistCNN, to_tensor
from mlviz.widgets.drawpad import feature_profile, preprocess_drawing, render_strokes
from mlviz.widgets.export import decode_array, load_cnn_export

pytestmark = pytest.mark.slow

PAGE = "gallery/08_interactive/plot_01_drawing_pad/"


@pytest.fixture(scope="module")
def exported(quick_site):
    """The network file the quick build published next to the page."""
    site, _ = quick_site
    return load_cnn_export(site / "gallery" / "08_interactive" / "drawpad_cnn.json")


@pytest.fixture(scope="module")
def net(exported):
    """The exported network, loaded back into torch."""
    state = exported["state_dict"]
    model = MnistCNN(
        channels=(state["conv1.weight"].shape[0], state["conv2.weight"].shape[0]), hidden=state["fc1.weight"].shape[0]
    )
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    return model.eval()


def torch_proba(model, x: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return torch.softmax(model(x), dim=1).numpy().astype(np.float64)


def torch_log_proba(model, x: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return torch.log_softmax(model(x).double(), dim=1).numpy()


def python_distance(exported, net, images) -> np.ndarray:
    """The page's out-of-distribution distance, from the file's own arrays (float32)."""
    spec = exported["metadata"]["distance"]
    means, precision = decode_array(spec["class_means"]), decode_array(spec["precision"])
    d = feature_profile(net, images, layers=spec["layers"])[:, None, :] - means.astype(np.float64)
    return np.einsum("nki,ij,nkj->nk", d, precision.astype(np.float64), d).min(axis=1)


@pytest.fixture
def pad(probe, site_url):
    probe.page.goto(site_url + PAGE, wait_until="networkidle")
    probe.page.evaluate("() => window.mlvizDrawpad.ready.then(() => true)")
    probe.page.locator(".mlviz-drawpad").scroll_into_view_if_needed()
    return probe


def test_the_page_ships_the_builds_cnn(exported, monkeypatch):
    from mlviz.models import load_mnist_cnn

    monkeypatch.setenv("MLVIZ_QUICK", "1")  # the test site is the quick build
    expected = load_mnist_cnn().model.state_dict()
    assert exported["state_dict"].keys() == expected.keys()
    for key, value in expected.items():
        np.testing.assert_array_equal(exported["state_dict"][key], value.numpy(), err_msg=key)
    assert len(exported["examples"]) == 10 and sorted(exported["example_labels"]) == list(range(10))


def test_probabilities_equal_torchs_on_test_digits(pad, exported, net):
    images = exported["examples"][:5]
    expected = torch_proba(net, to_tensor(images))
    for image, p_torch in zip(images, expected):
        result = pad.page.evaluate("px => window.mlvizDrawpad.predict(px)", (image.ravel() / 255.0).tolist())
        p_page = np.array(result["probabilities"])
        assert p_page.shape == (10,)
        np.testing.assert_allclose(p_page, p_torch, atol=1e-4, rtol=0)
        assert result["prediction"] == int(p_torch.argmax())
    # log-probabilities: torch's float32 logits, each off by float32 rounding (about
    # 1e-6 of the logits' size, under 50 here)
    log_torch = torch_log_proba(net, to_tensor(images))
    for image, expected_log in zip(images, log_torch):
        result = pad.page.evaluate("px => window.mlvizDrawpad.predict(px)", (image.ravel() / 255.0).tolist())
        np.testing.assert_allclose(result["logProbabilities"], expected_log, atol=1e-4, rtol=0)
    assert pad.errors == []


def test_test_digit_buttons_show_torchs_prediction(pad, exported, net):
    buttons = pad.page.locator(".dp-example")
    assert buttons.count() == len(exported["examples"])
    expected = torch_proba(net, to_tensor(exported["examples"]))
    for i in (0, 3, 7):
        buttons.nth(i).click()
        k = int(expected[i].argmax())
        assert pad.page.locator(".dp-digit").inner_text() == str(k)
        top = pad.page.locator(".dp-bar.dp-top")
        assert top.count() == 1
        assert top.locator(".dp-value").inner_text() == f"{100 * expected[i][k]:.1f} %"


def ring_drawing() -> np.ndarray:
    """An 'O' with soft edges and a tail, off-centre on a 150 x 120 canvas."""
    yy, xx = np.mgrid[:150, :120]
    ink = np.clip(1 - np.abs(np.hypot(yy - 60, (xx - 45) * 1.3) - 30) / 7, 0, 1)
    ink[85:140, 70:78] = 0.8
    return ink


def test_preprocessing_equals_the_python_reference(pad, net):
    ink = ring_drawing()
    page_image = pad.page.evaluate(
        "([ink, w, h]) => window.mlvizDrawpad.preprocess(ink, w, h)", [ink.ravel().tolist(), ink.shape[1], ink.shape[0]]
    )
    reference = preprocess_drawing(ink)
    np.testing.assert_allclose(np.array(page_image).reshape(28, 28), reference, atol=1e-9, rtol=0)
    # and end to end, from ink to probabilities
    result = pad.page.evaluate("px => window.mlvizDrawpad.predict(px)", page_image)
    x = ((torch.from_numpy(reference).float() - MNIST_MEAN) / MNIST_STD)[None, None]
    np.testing.assert_allclose(result["probabilities"], torch_proba(net, x)[0], atol=1e-4, rtol=0)
    empty = pad.page.evaluate("() => window.mlvizDrawpad.preprocess(new Array(100).fill(0), 10, 10)")
    assert empty is None


def drag(page, points):
    box = page.locator(".dp-canvas").bounding_box()
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
    page.mouse.up()


def test_a_mouse_stroke_gives_a_prediction_and_clear_resets(pad, exported):
    page = pad.page
    assert page.locator(".mlviz-drawpad").get_attribute("data-state") == "empty"
    drag(page, [(90, 60), (200, 60), (150, 140), (120, 230)])  # a 7
    page.wait_for_selector(".mlviz-drawpad[data-state='predicted']", timeout=5000)
    assert page.locator(".dp-digit").inner_text() in exported["class_names"]
    bars = page.locator(".dp-bar")
    assert bars.count() == 10
    values = [float(t.rstrip(" %")) for t in bars.locator(".dp-value").all_inner_texts()]
    assert sum(values) == pytest.approx(100, abs=0.6)  # ten values rounded to 0.1
    state = exported["state_dict"]
    counts = [page.locator(f".dp-layer[data-layer='{name}'] canvas").count() for name in ("relu1", "relu2", "relu3")]
    assert counts == [state["conv1.weight"].shape[0], state["conv2.weight"].shape[0], 1]
    seen = page.evaluate("() => Array.from(document.querySelector('.dp-input').getContext('2d').getImageData(0, 0, 28, 28).data)")
    assert max(seen) == 255  # the network's input was drawn
    page.locator(".dp-clear").click()
    assert page.locator(".mlviz-drawpad").get_attribute("data-state") == "empty"
    assert page.locator(".dp-digit").inner_text() == "–"
    assert pad.errors == [] and pad.failed == []


def test_a_finger_can_draw(browser, site_url):
    context = browser.new_context(viewport={"width": 800, "height": 900}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(site_url + PAGE, wait_until="networkidle")
        page.evaluate("() => window.mlvizDrawpad.ready.then(() => true)")
        canvas = page.locator(".dp-canvas")
        canvas.scroll_into_view_if_needed()
        canvas.tap(position={"x": 140, "y": 140})
        page.wait_for_selector(".mlviz-drawpad[data-state='predicted']", timeout=5000)
    finally:
        context.close()


def test_the_distance_equals_pythons(pad, exported, net):
    """The browser's feature distance, on test digits and on drawings that are none."""
    spec = exported["metadata"]["distance"]
    assert pad.page.evaluate("() => window.mlvizDrawpad.distanceSpec()") == {
        "threshold": spec["threshold"],
        "quantile": spec["quantile"],
        "layers": spec["layers"],
    }
    dot = preprocess_drawing(render_strokes([[(20, 20)]]))
    images = np.concatenate([exported["examples"] / 255.0, dot[None]])
    expected = python_distance(exported, net, images)
    for image, d in zip(images, expected):
        result = pad.page.evaluate("px => window.mlvizDrawpad.predict(px)", image.ravel().tolist())
        # torch's float32 features against the browser's float64: agree to 1e-4 of the distance
        assert result["distance"] == pytest.approx(d, rel=1e-4)
        if abs(d - spec["threshold"]) > 1e-4 * d:
            assert result["flagged"] == bool(d > spec["threshold"])
    assert expected[-1] > spec["threshold"]  # the dot is beyond the threshold
    assert pad.errors == []


def test_a_dot_is_flagged_and_a_test_digit_is_not(pad, exported, net):
    page = pad.page
    root = page.locator(".mlviz-drawpad")
    box = page.locator(".dp-canvas").bounding_box()
    page.mouse.click(box["x"] + 25, box["y"] + 25)  # a tiny dot in the top left corner
    page.wait_for_selector(".mlviz-drawpad[data-state='predicted']", timeout=5000)
    assert root.get_attribute("data-ood") == "flagged"
    assert page.locator(".dp-ood").inner_text().startswith("Not like any digit")
    # every test digit gets the verdict Python gives it; those under the threshold pass
    spec = exported["metadata"]["distance"]
    distances = python_distance(exported, net, exported["examples"] / 255.0)
    assert np.sum(distances < spec["threshold"]) >= 8  # 95 % of digits pass; these 10 too, mostly
    for i, d in enumerate(distances):
        page.locator(".dp-example").nth(i).click()
        assert root.get_attribute("data-ood") == ("flagged" if d > spec["threshold"] else "digit")
        if d < spec["threshold"]:
            assert page.locator(".dp-ood").inner_text().startswith("Like a digit")
    page.locator(".dp-clear").click()
    assert root.get_attribute("data-ood") is None and page.locator(".dp-ood").inner_text() == ""
    assert pad.errors == []


def test_the_bars_show_log_probabilities(pad, exported, net):
    pad.page.locator(".dp-example").nth(3).click()
    expected = torch_log_proba(net, to_tensor(exported["examples"][3:4]))[0]
    shown = pad.page.locator(".dp-bar .dp-log").all_inner_texts()
    assert len(shown) == 10
    for text, value in zip(shown, expected):
        number = float(text.replace("\u2212", "-"))
        # printed with 2 decimals, 1 past -10, or 1 significant digit below 0.01
        assert number == pytest.approx(value, abs=0.051 if abs(value) >= 0.01 else abs(value) / 2 + 1e-4)
    titles = pad.page.locator(".dp-bar").evaluate_all("rows => rows.map(r => r.title)")
    assert all("logit" in t and "log-probability" in t for t in titles)


def test_on_a_phone_the_bars_stay_in_view_with_the_canvas(browser, site_url):
    """390 x 844 (an iPhone 12 to 15): with the canvas in view, so are the ten bars."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto(site_url + PAGE, wait_until="networkidle")
        page.evaluate("() => window.mlvizDrawpad.ready.then(() => true)")
        # scroll the canvas up to just under the page's sticky header, as a reader would
        header = page.evaluate("() => document.querySelector('.md-header')?.getBoundingClientRect().bottom ?? 0")
        page.evaluate(
            "h => window.scrollBy(0, document.querySelector('.dp-canvas').getBoundingClientRect().top - h - 8)", header
        )
        page.locator(".dp-canvas").tap(position={"x": 30, "y": 30})  # a dot, with a finger
        page.wait_for_selector(".mlviz-drawpad[data-state='predicted']", timeout=5000)
        canvas = page.locator(".dp-canvas").bounding_box()
        assert header <= canvas["y"] and canvas["y"] + canvas["height"] <= 844
        rows = [page.locator(".dp-bar").nth(k).bounding_box() for k in range(10)]
        for row in rows:
            assert header <= row["y"] and row["y"] + row["height"] <= 844, row
        # under the canvas (one column) or beside it, never overlapping it
        assert rows[0]["y"] >= canvas["y"] + canvas["height"] or rows[0]["x"] >= canvas["x"] + canvas["width"]
        # and the verdict on the dot is in view too
        verdict = page.locator(".dp-ood").bounding_box()
        assert header <= verdict["y"] and verdict["y"] + verdict["height"] <= 844
        assert page.locator(".mlviz-drawpad").get_attribute("data-ood") == "flagged"
    finally:
        context.close()
