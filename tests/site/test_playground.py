"""The neural-network playground (docs/playground.md) in headless Chromium.

The page's training code (docs/assets/playground/nn.js) is checked against torch, the
play button against a falling loss, the URL against the settings, and the "copy as
PyTorch" code by running it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

pytestmark = pytest.mark.slow

PAGE = "playground/"


def open_playground(probe, site_url, query=""):
    response = probe.page.goto(site_url + PAGE + query, wait_until="networkidle")
    assert response.ok, f"HTTP {response.status}"
    probe.page.wait_for_function("window.nnPlayground !== undefined")
    return probe.page


def nn_module(page, site_url, script):
    """Run ``script`` (a JS function body with ``nn`` = the page's nn.js module) in the page."""
    return page.evaluate(f"async (arg) => {{ const nn = await import('{site_url}assets/playground/nn.js'); {script} }}", None)


def test_page_loads_offline_without_errors(probe, site_url):
    open_playground(probe, site_url)
    assert probe.errors == [], probe.errors
    assert probe.failed == [], probe.failed
    local = urlparse(site_url).netloc
    foreign = [u for u in probe.requests if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != local]
    assert foreign == []
    # the playground's files are requested by this page only, from the site itself
    assert any(u.endswith("assets/playground/nn.js") for u in probe.requests)
    assert any(u.endswith("assets/playground/playground.css") for u in probe.requests)


def test_playground_scripts_are_only_on_the_playground_page(quick_site):
    site, _ = quick_site
    assert "assets/playground/" in (site / "playground" / "index.html").read_text()
    assert "assets/playground/" not in (site / "index.html").read_text()


# -- the training step against torch -----------------------------------------------------

SIZES = [2, 8, 8, 1]


def initial_weights(seed):
    """Random weights and biases (biases non-zero, so that their gradients matter too)."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.8, size=(SIZES[k + 1], SIZES[k])) for k in range(len(SIZES) - 1)]
    biases = [rng.normal(0, 0.3, size=SIZES[k + 1]) for k in range(len(SIZES) - 1)]
    return weights, biases


def torch_steps(weights, biases, batches, *, activation, regularization, lam, lr):
    """The same SGD steps in torch (float64): BCEWithLogitsLoss + penalty on the weights."""
    import torch
    from torch import nn

    layers = []
    for k, (W, b) in enumerate(zip(weights, biases)):
        linear = nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if k < len(weights) - 1:
            layers.append({"relu": nn.ReLU(), "tanh": nn.Tanh(), "sigmoid": nn.Sigmoid(), "linear": nn.Identity()}[activation])
    model = nn.Sequential(*layers)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for X, y in batches:
        optimizer.zero_grad()
        loss = nn.BCEWithLogitsLoss()(model(torch.tensor(X)).squeeze(1), torch.tensor(y, dtype=torch.float64))
        if regularization == "L1":
            loss = loss + lam * sum(m.weight.abs().sum() for m in linears)
        elif regularization == "L2":
            loss = loss + lam * sum((m.weight**2).sum() / 2 for m in linears)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return [m.weight.detach().numpy() for m in linears], [m.bias.detach().numpy() for m in linears], losses


@pytest.mark.parametrize(
    ("activation", "regularization"),
    [("tanh", "none"), ("relu", "L2"), ("sigmoid", "L1"), ("linear", "L2"), ("relu", "L1")],
)
def test_training_steps_match_torch(probe, site_url, activation, regularization):
    page = open_playground(probe, site_url)
    weights, biases = initial_weights(seed=len(activation) + len(regularization))
    # the page's own data set (circles, seed 3): five mini-batches of 10 training points
    data = nn_module(page, site_url, "return nn.makeData({dataset: 'circles', noise: 0.1, seed: 3});")
    X, y = np.array(data["xTrain"]), np.array(data["yTrain"], dtype=float)
    batches = [(X[k : k + 10], y[k : k + 10]) for k in range(0, 50, 10)]
    settings = {"activation": activation, "regularization": regularization, "lambda": 0.01, "learningRate": 0.3}
    js = page.evaluate(
        """async ([url, net, batches, settings]) => {
            const nn = await import(url);
            const model = nn.fromJSON(net);
            const losses = batches.map(([X, y]) => nn.trainStep(model, X, y, settings));
            return {...nn.toJSON(model), losses};
        }""",
        [
            site_url + "assets/playground/nn.js",
            {"weights": [W.tolist() for W in weights], "biases": [b.tolist() for b in biases]},
            [[Xb.tolist(), yb.tolist()] for Xb, yb in batches],
            settings,
        ],
    )
    tW, tb, tlosses = torch_steps(
        weights, biases, batches, activation=activation, regularization=regularization, lam=0.01, lr=0.3
    )
    # the steps really changed the weights (otherwise equality would prove nothing)
    assert max(np.abs(a - b).max() for a, b in zip(tW, weights)) > 1e-3
    for k in range(len(tW)):
        np.testing.assert_allclose(np.array(js["weights"][k]), tW[k], rtol=0, atol=1e-5)
        np.testing.assert_allclose(np.array(js["biases"][k]), tb[k], rtol=0, atol=1e-5)
    np.testing.assert_allclose(js["losses"], tlosses, rtol=0, atol=1e-5)


# -- the page as a reader uses it ----------------------------------------------------------


def shown_loss(page, which):
    return float(page.locator(f".nnpg-{which}-loss").text_content())


def test_play_lowers_the_test_loss_on_circles(probe, site_url):
    page = open_playground(probe, site_url, "?data=circles")
    assert page.locator(".nnpg-epoch b").text_content() == "000"
    before = shown_loss(page, "test")
    assert before > 0.6  # untrained: about log(2)
    page.locator(".nnpg-play").click()
    page.wait_for_function("nnPlayground.session.epoch >= 60", timeout=60_000)
    page.locator(".nnpg-play").click()  # pause
    epoch = page.evaluate("nnPlayground.session.epoch")
    page.wait_for_timeout(300)
    assert page.evaluate("nnPlayground.session.epoch") == epoch, "pause did not stop training"
    after = shown_loss(page, "test")
    assert after < 0.5 * before, f"test loss {before:.3f} -> {after:.3f} after {epoch} epochs"
    assert after == pytest.approx(page.evaluate("nnPlayground.session.testLoss"), abs=5e-4)
    assert probe.errors == []


def test_step_trains_one_epoch_and_reset_restores_the_start(probe, site_url):
    page = open_playground(probe, site_url, "?data=xor&seed=4")
    start = shown_loss(page, "train")
    page.locator(".nnpg-step").click()
    page.locator(".nnpg-step").click()
    assert page.evaluate("nnPlayground.session.epoch") == 2
    assert page.locator(".nnpg-epoch b").text_content() == "002"
    assert shown_loss(page, "train") != start
    page.locator(".nnpg-reset").click()
    assert page.evaluate("nnPlayground.session.epoch") == 0
    assert shown_loss(page, "train") == start  # same seed: same initial weights


def test_settings_live_in_the_url(probe, site_url):
    query = "?data=spiral&noise=0.2&train=0.3&layers=8,3,5&act=relu&lr=0.003&reg=L2&lambda=0.001&batch=5&seed=7"
    page = open_playground(probe, site_url, query)
    s = page.evaluate("nnPlayground.settings")
    assert s["dataset"] == "spiral" and s["hidden"] == [8, 3, 5] and s["activation"] == "relu"
    assert (s["noise"], s["trainFraction"], s["learningRate"], s["lambda"]) == (0.2, 0.3, 0.003, 0.001)
    assert (s["regularization"], s["batchSize"], s["seed"]) == ("L2", 5, 7)
    # the controls show them
    assert page.locator("select[name=activation]").input_value() == "relu"
    assert page.locator("select[name=learningRate]").input_value() == "0.003"
    assert page.locator(".nnpg-neurons").count() == 3
    assert page.locator(".nnpg-datasets .nnpg-selected").get_attribute("data-dataset") == "spiral"
    # a change goes into the address bar ...
    page.locator("select[name=activation]").select_option("sigmoid")
    page.locator(".nnpg-neurons").nth(1).get_by_role("button", name="Add a neuron to layer 2").click()
    params = parse_qs(urlparse(page.url).query)
    assert params["act"] == ["sigmoid"] and params["layers"] == ["8,4,5"] and params["data"] == ["spiral"]
    # ... and the link reproduces the configuration
    shared = page.url
    page.goto(shared, wait_until="networkidle")
    s2 = page.evaluate("nnPlayground.settings")
    assert s2 == {**s, "activation": "sigmoid", "hidden": [8, 4, 5]}


def test_bad_url_values_fall_back_to_defaults(probe, site_url):
    page = open_playground(probe, site_url, "?data=moons&act=swish&lr=abc&layers=3,x&batch=-4&noise=9")
    s = page.evaluate("nnPlayground.settings")
    defaults = nn_module(page, site_url, "return nn.DEFAULTS;")
    assert s["dataset"] == defaults["dataset"] and s["activation"] == defaults["activation"]
    assert s["learningRate"] == defaults["learningRate"] and s["hidden"] == defaults["hidden"]
    assert s["batchSize"] == 1 and s["noise"] == 0.5  # numbers are clamped into range
    assert probe.errors == []


def test_copy_as_pytorch_runs_and_reproduces_the_page(probe, site_url, tmp_path):
    query = "?data=xor&noise=0.1&layers=5,3&act=relu&lr=0.3&reg=L1&lambda=0.001&batch=20&seed=11"
    page = open_playground(probe, site_url, query)
    for _ in range(3):
        page.locator(".nnpg-step").click()
    page.locator(".nnpg-copy-torch").click()
    code = page.locator(".nnpg-code code").text_content()
    assert page.locator(".nnpg-code").is_visible()
    assert "EPOCHS = 3" in code and "nn.ReLU()" in code and "w.abs().sum()" in code
    train, test = page.evaluate("[nnPlayground.session.trainLoss, nnPlayground.session.testLoss]")

    script = tmp_path / "playground_torch.py"
    script.write_text(code)
    env = dict(os.environ, MPLBACKEND="agg")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    match = re.search(r"after 3 epochs: train loss ([\d.]+), test loss ([\d.]+)", result.stdout)
    assert match, result.stdout
    # same data, same initial weights, same batches: the same losses
    assert float(match[1]) == pytest.approx(train, abs=2e-6)
    assert float(match[2]) == pytest.approx(test, abs=2e-6)


def test_the_loss_chart_uses_a_log_scale_that_a_spike_cannot_flatten(probe, site_url):
    page = open_playground(probe, site_url)
    steady = [0.69 * 0.97**k for k in range(100)]  # 0.69 down to 0.034
    scale = page.evaluate("(v) => window.nnPlayground.constructor.lossScale(v)", steady)
    assert scale["lo"] <= min(steady) and max(steady) <= scale["hi"] <= 1.1 * max(steady)
    assert scale["ticks"] == [0.05, 0.1, 0.2, 0.5], scale  # log-spaced: 1, 2, 5 per decade
    spiked = steady[:50] + [40.0, 25.0] + steady[50:]  # two epochs at a learning rate of 10
    scale = page.evaluate("(v) => window.nnPlayground.constructor.lossScale(v)", spiked)
    assert scale["hi"] < 2 and scale["lo"] <= min(steady), scale  # the rest keeps its room
    assert probe.errors == [], probe.errors


def test_a_tapped_neuron_opens_its_view_under_the_finger_on_a_phone(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site_url + PAGE, wait_until="networkidle")
    page.wait_for_function("window.nnPlayground && window.nnPlayground.columns")
    network = page.locator(".nnpg-network")
    network.scroll_into_view_if_needed()
    box = network.bounding_box()
    x, y = page.evaluate("[nnPlayground.columns[1].x, nnPlayground.columns[1].ys[1]]")
    tap = (box["x"] + x + 10, box["y"] + y + 10)
    output = page.locator(".nnpg-boundary").bounding_box()
    assert output["y"] + output["height"] > 844, "the output view is in sight: nothing to test"
    page.touchscreen.tap(*tap)
    popover = page.locator(".nnpg-popover")
    popover.wait_for(state="visible")
    view = popover.bounding_box()
    assert 0 <= view["y"] and view["y"] + view["height"] <= 844 and 0 <= view["x"] <= 390 - view["width"]
    assert abs(view["y"] - tap[1]) < 60 or abs(view["y"] + view["height"] - tap[1]) < 60, (view, tap)
    assert page.locator(".nnpg-output-title").inner_text() == "Layer 1, neuron 2: its output"
    page.touchscreen.tap(20, 300)  # a tap elsewhere closes it
    popover.wait_for(state="hidden")
    context.close()
