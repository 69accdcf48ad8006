// The playground's page: controls, canvases and the animation loop.
// All numerics live in nn.js; this file only reads settings, runs epochs and draws.
import * as nn from "./nn.js";

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const LAMBDAS = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const SPEEDS = [1, 2, 5, 10, 20];
const DATASET_NAMES = { circles: "Circles", xor: "XOR", spiral: "Spiral", gauss: "Two Gaussians" };
const GRID = 50; // the plane is evaluated on GRID x GRID points per frame
const NODE = 30; // side of a neuron's heatmap in the network diagram (CSS pixels)

// ---------------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function select(name, label, options, value, format = String) {
  const s = el("select", { name, "aria-label": label });
  for (const o of options) {
    const opt = el("option", { value: String(o) }, format(o));
    if (String(o) === String(value)) opt.selected = true;
    s.append(opt);
  }
  if (!options.map(String).includes(String(value))) s.append(el("option", { value: String(value), selected: "" }, format(value)));
  return el("label", { class: "nnpg-field" }, el("span", {}, label), s);
}

/** Size a canvas for the screen's pixel ratio; drawing then uses CSS pixels. */
/** Side of the tapped neuron's view that opens under the finger, in CSS pixels. */
const POPOVER = 180;

/** Height of the loss chart in CSS pixels (its width is the boundary's, 300). */
const LOSS_HEIGHT = 120;

function fitCanvas(canvas, w, h) {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

function hexToRgb(hex) {
  const h = hex.trim().replace("#", "");
  const n = parseInt(h.length === 3 ? h.replace(/./g, "$&$&") : h, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The theme's colours, read from CSS custom properties (they change with dark mode). */
function themeColours(root) {
  const css = getComputedStyle(root);
  const get = (name) => css.getPropertyValue(name).trim();
  return {
    neg: hexToRgb(get("--nnpg-neg")),
    pos: hexToRgb(get("--nnpg-pos")),
    mid: hexToRgb(get("--nnpg-mid")),
    negCss: get("--nnpg-neg"),
    posCss: get("--nnpg-pos"),
    fg: get("--nnpg-fg"),
    muted: get("--nnpg-muted"),
    stroke: get("--nnpg-stroke"),
    testStroke: get("--nnpg-test-stroke"),
    test: get("--nnpg-test-line"),
  };
}

/** Write values in [-1, 1] as orange (-1) .. mid (0) .. blue (+1) pixels. */
function paint(image, values, colours, strength = 1) {
  const { neg, pos, mid } = colours;
  const px = image.data;
  for (let p = 0; p < values.length; p++) {
    let v = values[p];
    v = v > 1 ? 1 : v < -1 ? -1 : v;
    const c = v < 0 ? neg : pos;
    const t = Math.abs(v) * strength;
    px[4 * p] = mid[0] + (c[0] - mid[0]) * t;
    px[4 * p + 1] = mid[1] + (c[1] - mid[1]) * t;
    px[4 * p + 2] = mid[2] + (c[2] - mid[2]) * t;
    px[4 * p + 3] = 255;
  }
}

// ---------------------------------------------------------------------------------
// evaluation of every neuron over the plane (no allocation per point)
// ---------------------------------------------------------------------------------

const PLANE = (() => {
  const x1 = new Float64Array(GRID * GRID);
  const x2 = new Float64Array(GRID * GRID);
  const step = (2 * nn.DOMAIN) / GRID;
  for (let r = 0; r < GRID; r++)
    for (let c = 0; c < GRID; c++) {
      x1[r * GRID + c] = -nn.DOMAIN + (c + 0.5) * step;
      x2[r * GRID + c] = nn.DOMAIN - (r + 0.5) * step; // row 0 is the top: x2 grows upwards
    }
  return [x1, x2];
})();

/** Every node's output over the plane: layers[l][j] is a Float64Array(GRID * GRID). */
function evaluatePlane(net, activation) {
  const f = nn.ACTIVATIONS[activation].f;
  const layers = [PLANE];
  const L = net.weights.length;
  let prev = PLANE;
  for (let l = 0; l < L; l++) {
    const W = net.weights[l];
    const b = net.biases[l];
    const out = [];
    for (let j = 0; j < W.length; j++) {
      const o = new Float64Array(GRID * GRID).fill(b[j]);
      for (let i = 0; i < prev.length; i++) {
        const w = W[j][i];
        const a = prev[i];
        for (let p = 0; p < o.length; p++) o[p] += w * a[p];
      }
      const last = l === L - 1;
      for (let p = 0; p < o.length; p++) o[p] = last ? nn.sigmoid(o[p]) : f(o[p]);
      out.push(o);
    }
    layers.push(out);
    prev = out;
  }
  return layers;
}

/** Map a node's outputs to [-1, 1] for colouring. */
function toUnit(values, kind) {
  const out = new Float64Array(values.length);
  for (let p = 0; p < values.length; p++) {
    const v = values[p];
    out[p] = kind === "input" ? v / nn.DOMAIN : kind === "probability" ? 2 * v - 1 : v;
  }
  return out;
}

// ---------------------------------------------------------------------------------
// the playground
// ---------------------------------------------------------------------------------

class Playground {
  constructor(root) {
    this.root = root;
    this.settings = nn.decodeSettings(window.location.search);
    this.playing = false;
    this.speed = 1;
    this.stats = { epochs: 0, frames: 0 };
    this.hover = null; // [layer, neuron] under the pointer in the network diagram
    this.build();
    new MutationObserver(() => this.session && this.render()).observe(document.body, {
      attributes: true,
      attributeFilter: ["data-md-color-scheme"],
    });
  }

  // ---- DOM ------------------------------------------------------------------------
  build() {
    const s = this.settings;
    this.playButton = el("button", { class: "nnpg-play", type: "button", "aria-label": "Play", onclick: () => this.toggle() }, "▶");
    this.epochLabel = el("b", {}, "0");
    const bar = el(
      "div",
      { class: "nnpg-bar" },
      el("div", { class: "nnpg-buttons" },
        el("button", { type: "button", class: "nnpg-reset", title: "Reset the network to its initial weights", onclick: () => this.reset() }, "Reset"),
        this.playButton,
        el("button", { type: "button", class: "nnpg-step", title: "Train one epoch", onclick: () => this.stepOnce() }, "Step"),
      ),
      el("div", { class: "nnpg-epoch" }, el("span", {}, "Epoch"), this.epochLabel),
      select("learningRate", "Learning rate", LEARNING_RATES, s.learningRate),
      select("activation", "Activation", Object.keys(nn.ACTIVATIONS), s.activation, (a) => (a === "relu" ? "ReLU" : a)),
      select("regularization", "Regularization", ["none", "L1", "L2"], s.regularization),
      select("lambda", "Regularization rate", LAMBDAS, s.lambda),
      select("batchSize", "Batch size", [1, 5, 10, 20, 50, 100], s.batchSize),
      select("speed", "Epochs per frame", SPEEDS, this.speed),
    );

    // data column
    this.datasetButtons = {};
    const datasets = el("div", { class: "nnpg-datasets" });
    for (const name of nn.DATASETS) {
      const thumb = el("canvas", { class: "nnpg-thumb" });
      const b = el("button", { type: "button", "data-dataset": name, title: DATASET_NAMES[name], onclick: () => this.change({ dataset: name }) }, thumb, el("span", {}, DATASET_NAMES[name]));
      this.datasetButtons[name] = { button: b, thumb };
      datasets.append(b);
    }
    this.noiseOut = el("output");
    this.trainOut = el("output");
    this.seedOut = el("output");
    const range = (name, min, max, step, value, out, label) =>
      el("label", { class: "nnpg-range" },
        el("span", {}, label, " ", out),
        el("input", { type: "range", name, min, max, step, value: String(value), "aria-label": label }));
    const dataCol = el("section", { class: "nnpg-col nnpg-data" },
      el("h4", {}, "Data"),
      datasets,
      range("trainFraction", 0.1, 0.9, 0.1, s.trainFraction, this.trainOut, "Training share"),
      range("noise", 0, 0.5, 0.05, s.noise, this.noiseOut, "Noise"),
      el("div", { class: "nnpg-seed" },
        el("span", {}, "Seed ", this.seedOut),
        el("button", { type: "button", class: "nnpg-reseed", title: "New random data and initial weights", onclick: () => this.change({ seed: (this.settings.seed % 9999) + 1 }) }, "New seed")),
    );

    // network column
    this.layerCount = el("b");
    this.layerControls = el("div", { class: "nnpg-layerctl" });
    this.netCanvas = el("canvas", { class: "nnpg-network", role: "img", "aria-label": "The network: each square is a neuron's output over the plane; lines are weights" });
    this.netCanvas.addEventListener("mousemove", (e) => this.onNetHover(e));
    this.netCanvas.addEventListener("mouseleave", () => {
      this.hover = null;
      this.render();
    });
    // A finger has no hover: a tap picks the neuron, and when the output view is out of
    // sight (a phone stacks it far below the network) a copy opens under the finger.
    this.popover = el("canvas", { class: "nnpg-popover", hidden: "", role: "img", "aria-label": "The tapped neuron's output over the plane" });
    this.popoverCtx = fitCanvas(this.popover, POPOVER, POPOVER);
    this.netCanvas.addEventListener("pointerdown", (e) => {
      if (e.pointerType !== "mouse") this.onNetTap(e);
    });
    document.addEventListener("pointerdown", (e) => {
      if (!this.popover.hidden && e.target !== this.netCanvas) this.closePopover();
    });
    window.addEventListener("scroll", () => this.closePopover(), { passive: true });
    const netCol = el("section", { class: "nnpg-col nnpg-net" },
      el("h4", {},
        el("button", { type: "button", class: "nnpg-small", title: "Remove a hidden layer", "aria-label": "Remove a hidden layer", onclick: () => this.changeLayers(-1) }, "−"),
        el("button", { type: "button", class: "nnpg-small", title: "Add a hidden layer", "aria-label": "Add a hidden layer", onclick: () => this.changeLayers(+1) }, "+"),
        " ", this.layerCount, " hidden layers"),
      el("div", { class: "nnpg-netwrap" }, this.layerControls, this.netCanvas, this.popover),
      el("p", { class: "nnpg-legend" },
        "Squares: each neuron's output over the plane. Lines: weights, ",
        el("span", { class: "nnpg-pos" }, "blue"), " positive, ",
        el("span", { class: "nnpg-neg" }, "orange"), " negative, thicker = larger. Point at (or tap) a neuron to enlarge it."),
    );

    // output column
    this.trainLossLabel = el("b", { class: "nnpg-train-loss" });
    this.testLossLabel = el("b", { class: "nnpg-test-loss" });
    this.outputTitle = el("span");
    this.boundary = el("canvas", { class: "nnpg-boundary", role: "img", "aria-label": "Decision boundary with the data" });
    this.lossCanvas = el("canvas", { class: "nnpg-loss", role: "img", "aria-label": "Training and test loss per epoch" });
    this.showTest = el("input", { type: "checkbox", name: "showTest", onchange: () => this.render() });
    const outCol = el("section", { class: "nnpg-col nnpg-out" },
      el("h4", {}, "Output"),
      el("div", { class: "nnpg-losses" },
        el("span", { class: "nnpg-key-test" }, "Test loss ", this.testLossLabel),
        el("span", { class: "nnpg-key-train" }, "Training loss ", this.trainLossLabel)),
      this.lossCanvas,
      el("div", { class: "nnpg-output-title" }, this.outputTitle),
      this.boundary,
      el("label", { class: "nnpg-check" }, this.showTest, " Show test data"),
    );

    // export
    this.code = el("code");
    this.codeBlock = el("div", { class: "nnpg-code", hidden: "" }, el("pre", {}, this.code));
    this.status = el("span", { class: "nnpg-status", role: "status" });
    const actions = el("div", { class: "nnpg-actions" },
      el("button", { type: "button", class: "nnpg-copy-torch", onclick: () => this.copyTorch() }, "Copy as PyTorch"),
      el("button", { type: "button", class: "nnpg-copy-link", onclick: () => this.copyLink() }, "Copy link to these settings"),
      this.status);

    this.root.replaceChildren(bar, el("div", { class: "nnpg-main" }, dataCol, netCol, outCol), actions, this.codeBlock);
    this.root.classList.add("nnpg");

    // every control writes its value into the settings
    this.root.addEventListener("change", (e) => this.onControl(e.target));
    this.root.addEventListener("input", (e) => {
      if (e.target.type === "range") this.onControl(e.target);
    });

    this.lossCtx = fitCanvas(this.lossCanvas, 300, LOSS_HEIGHT);
    this.boundaryCtx = fitCanvas(this.boundary, 300, 300);
  }

  onControl(target) {
    const name = target.name;
    if (!name || name === "showTest") return;
    if (name === "speed") {
      this.speed = Number(target.value);
      return;
    }
    const numeric = ["learningRate", "lambda", "batchSize", "noise", "trainFraction"];
    this.change({ [name]: numeric.includes(name) ? Number(target.value) : target.value });
  }

  /** Apply new settings: any change restarts training from fresh weights (like the original). */
  change(patch) {
    Object.assign(this.settings, patch);
    this.newSession();
  }

  changeLayers(delta) {
    const hidden = this.settings.hidden.slice();
    if (delta > 0 && hidden.length < nn.LIMITS.maxLayers) hidden.push(hidden.length ? hidden[hidden.length - 1] : 4);
    if (delta < 0 && hidden.length > 0) hidden.pop();
    this.change({ hidden });
  }

  changeNeurons(layer, delta) {
    const hidden = this.settings.hidden.slice();
    hidden[layer] = Math.max(1, Math.min(nn.LIMITS.maxNeurons, hidden[layer] + delta));
    this.change({ hidden });
  }

  newSession() {
    this.session = new nn.Session(this.settings);
    const url = `${window.location.pathname}?${nn.encodeSettings(this.settings)}${window.location.hash}`;
    window.history.replaceState(null, "", url);
    this.syncControls();
    this.codeBlock.hidden = true;
    this.status.textContent = "";
    this.render();
  }

  /** Show the settings in the controls (after a change, or when they came from the URL). */
  syncControls() {
    const s = this.settings;
    for (const [name, { button }] of Object.entries(this.datasetButtons)) button.classList.toggle("nnpg-selected", name === s.dataset);
    for (const name of ["learningRate", "activation", "regularization", "lambda", "batchSize", "noise", "trainFraction"]) {
      const input = this.root.querySelector(`[name="${name}"]`);
      if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === String(s[name])))
        input.append(el("option", { value: String(s[name]) }, String(s[name])));
      input.value = String(s[name]);
    }
    this.noiseOut.textContent = s.noise.toFixed(2);
    this.trainOut.textContent = `${Math.round(s.trainFraction * 100)}%`;
    this.seedOut.textContent = String(s.seed);
    this.layerCount.textContent = String(s.hidden.length);
    this.drawThumbnails();
    this.layoutNetwork();
  }

  // ---- animation ------------------------------------------------------------------
  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  play() {
    if (this.playing) return;
    this.playing = true;
    this.playButton.textContent = "❚❚";
    this.playButton.setAttribute("aria-label", "Pause");
    const frame = () => {
      if (!this.playing) return;
      for (let k = 0; k < this.speed; k++) this.session.step();
      this.stats.epochs += this.speed;
      this.render();
      this.stats.frames += 1;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  pause() {
    this.playing = false;
    this.playButton.textContent = "▶";
    this.playButton.setAttribute("aria-label", "Play");
  }

  stepOnce() {
    this.pause();
    this.session.step();
    this.render();
  }

  reset() {
    this.newSession();
  }

  // ---- export ---------------------------------------------------------------------
  async copyTorch() {
    const epochs = this.session.epoch || 200;
    const code = nn.pytorchCode(this.settings, epochs, window.location.href);
    this.code.textContent = code;
    this.codeBlock.hidden = false;
    const what = this.session.epoch
      ? `It trains ${epochs} epochs, as the page has so far.`
      : "The page has not trained yet: it trains 200 epochs.";
    this.status.textContent = (await this.toClipboard(code)) ? `Copied. ${what}` : `Select the code below to copy it. ${what}`;
  }

  async copyLink() {
    const ok = await this.toClipboard(window.location.href);
    this.status.textContent = ok ? "Link copied." : `Link: ${window.location.href}`;
  }

  async toClipboard(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      return false; // no permission (e.g. not https): the code is shown on the page
    }
  }

  // ---- drawing --------------------------------------------------------------------
  drawThumbnails() {
    const colours = themeColours(this.root);
    for (const [name, { thumb }] of Object.entries(this.datasetButtons)) {
      const ctx = fitCanvas(thumb, 44, 44);
      const d = nn.makeData({ ...this.settings, dataset: name, n: 200, trainFraction: 1 });
      ctx.fillStyle = `rgb(${colours.mid.join(",")})`;
      ctx.fillRect(0, 0, 44, 44);
      d.xTrain.forEach(([x, y], k) => {
        ctx.fillStyle = d.yTrain[k] ? colours.posCss : colours.negCss;
        ctx.fillRect(22 + (x / nn.DOMAIN) * 22 - 1, 22 - (y / nn.DOMAIN) * 22 - 1, 2, 2);
      });
    }
  }

  /** Column positions of the network diagram and the per-layer +/- buttons. */
  layoutNetwork() {
    const sizes = [2, ...this.settings.hidden, 1];
    const width = Math.max(280, Math.min(560, 90 * (sizes.length - 1) + 80));
    const height = 40 * Math.max(4, ...sizes) + 10;
    this.netCtx = fitCanvas(this.netCanvas, width, height);
    const gap = (width - NODE - 60) / (sizes.length - 1);
    this.columns = sizes.map((n, l) => {
      const x = 30 + l * gap;
      const ys = Array.from({ length: n }, (_, j) => height / 2 + (j - (n - 1) / 2) * 40 - NODE / 2);
      return { x, ys };
    });
    this.netSize = [width, height];
    const roomy = gap >= 80; // room for "8 neurons" above each column, else just "8"
    this.layerControls.replaceChildren(
      ...this.settings.hidden.map((h, l) => {
        const x = this.columns[l + 1].x + NODE / 2;
        return el("div", { class: "nnpg-neurons", style: `left:${x}px` },
          el("button", { type: "button", class: "nnpg-small", "aria-label": `Remove a neuron from layer ${l + 1}`, onclick: () => this.changeNeurons(l, -1) }, "−"),
          el("button", { type: "button", class: "nnpg-small", "aria-label": `Add a neuron to layer ${l + 1}`, onclick: () => this.changeNeurons(l, +1) }, "+"),
          el("span", { title: `${h} neuron${h > 1 ? "s" : ""}` }, roomy ? `${h} neuron${h > 1 ? "s" : ""}` : String(h)));
      }),
    );
  }

  /** The [layer, neuron] whose square is at the pointer, or null. */
  neuronAt(e) {
    const rect = this.netCanvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    let hit = null;
    this.columns.forEach((col, l) =>
      col.ys.forEach((top, j) => {
        if (x >= col.x && x <= col.x + NODE && y >= top && y <= top + NODE) hit = [l, j];
      }),
    );
    return hit;
  }

  onNetHover(e) {
    const hit = this.neuronAt(e);
    if (String(hit) !== String(this.hover)) {
      this.hover = hit;
      this.render();
    }
  }

  onNetTap(e) {
    const hit = this.neuronAt(e);
    this.hover = hit;
    this.render();
    if (!hit) return this.closePopover();
    const view = this.boundary.getBoundingClientRect();
    if (view.top >= 0 && view.bottom <= window.innerHeight) return this.closePopover(); // in sight
    // open just below the tapped square (above it when there is no room), on screen
    const [l, j] = hit;
    const canvas = this.netCanvas.getBoundingClientRect();
    const square = { left: canvas.left + this.columns[l].x, top: canvas.top + this.columns[l].ys[j] };
    let top = square.top + NODE + 6;
    if (top + POPOVER > window.innerHeight - 8) top = Math.max(8, square.top - POPOVER - 6);
    const left = Math.max(8, Math.min(square.left + NODE / 2 - POPOVER / 2, window.innerWidth - POPOVER - 8));
    this.popover.style.left = `${left}px`;
    this.popover.style.top = `${top}px`;
    this.popover.hidden = false;
    this.drawPopover();
  }

  closePopover() {
    this.popover.hidden = true;
  }

  drawPopover() {
    if (this.popover.hidden) return;
    this.popoverCtx.clearRect(0, 0, POPOVER, POPOVER);
    this.popoverCtx.drawImage(this.boundary, 0, 0, POPOVER, POPOVER);
  }

  render() {
    const { session, settings } = this;
    const colours = themeColours(this.root);
    const plane = evaluatePlane(session.net, settings.activation);
    this.drawNetwork(plane, colours);
    this.drawBoundary(plane, colours);
    this.drawPopover();
    this.drawLoss(colours);
    this.epochLabel.textContent = session.epoch.toLocaleString("en-US", { minimumIntegerDigits: 3, useGrouping: true });
    this.trainLossLabel.textContent = session.trainLoss.toFixed(3);
    this.testLossLabel.textContent = session.testLoss.toFixed(3);
  }

  /** A node's outputs as a GRID x GRID image in an offscreen canvas. */
  nodeImage(values, kind, colours, strength = 1) {
    if (!this.scratch) {
      this.scratch = document.createElement("canvas");
      this.scratch.width = this.scratch.height = GRID;
      this.scratchCtx = this.scratch.getContext("2d");
      this.scratchImage = this.scratchCtx.createImageData(GRID, GRID);
    }
    paint(this.scratchImage, toUnit(values, kind), colours, strength);
    this.scratchCtx.putImageData(this.scratchImage, 0, 0);
    return this.scratch;
  }

  drawNetwork(plane, colours) {
    const ctx = this.netCtx;
    const [width, height] = this.netSize;
    const net = this.session.net;
    ctx.clearRect(0, 0, width, height);
    // connections first, under the nodes
    for (let l = 0; l < net.weights.length; l++) {
      const from = this.columns[l];
      const to = this.columns[l + 1];
      net.weights[l].forEach((row, j) =>
        row.forEach((w, i) => {
          ctx.strokeStyle = w >= 0 ? colours.posCss : colours.negCss;
          ctx.globalAlpha = 0.8;
          ctx.lineWidth = 0.4 + Math.min(Math.abs(w), 3) * 1.6;
          ctx.beginPath();
          ctx.moveTo(from.x + NODE, from.ys[i] + NODE / 2);
          ctx.bezierCurveTo(
            (from.x + NODE + to.x) / 2, from.ys[i] + NODE / 2,
            (from.x + NODE + to.x) / 2, to.ys[j] + NODE / 2,
            to.x, to.ys[j] + NODE / 2,
          );
          ctx.stroke();
        }),
      );
    }
    ctx.globalAlpha = 1;
    ctx.imageSmoothingEnabled = true;
    const last = this.columns.length - 1;
    this.columns.forEach((col, l) =>
      col.ys.forEach((top, j) => {
        const kind = l === 0 ? "input" : l === last ? "probability" : "hidden";
        ctx.drawImage(this.nodeImage(plane[l][j], kind, colours), col.x, top, NODE, NODE);
        const hovered = this.hover && this.hover[0] === l && this.hover[1] === j;
        ctx.strokeStyle = hovered ? colours.fg : colours.muted;
        ctx.lineWidth = hovered ? 2 : 1;
        ctx.strokeRect(col.x + 0.5, top + 0.5, NODE - 1, NODE - 1);
      }),
    );
    ctx.fillStyle = colours.fg;
    ctx.font = "12px sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    this.columns[0].ys.forEach((top, j) => ctx.fillText(`x${j + 1}`, this.columns[0].x - 4, top + NODE / 2));
    ctx.textAlign = "left";
    ctx.fillText("out", this.columns[last].x + NODE + 4, this.columns[last].ys[0] + NODE / 2);
  }

  drawBoundary(plane, colours) {
    const ctx = this.boundaryCtx;
    const size = 300;
    const last = plane.length - 1;
    let values = plane[last][0];
    let kind = "probability";
    if (this.hover) {
      const [l, j] = this.hover;
      values = plane[l][j];
      kind = l === 0 ? "input" : l === last ? "probability" : "hidden";
      this.outputTitle.textContent = l === 0 ? `Input x${j + 1}` : l === last ? "Output: P(blue)" : `Layer ${l}, neuron ${j + 1}: its output`;
    } else {
      this.outputTitle.textContent = "Output: P(blue) over the plane, with the data";
    }
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.nodeImage(values, kind, colours, 0.8), 0, 0, size, size);
    const { data } = this.session;
    const toPx = (v) => ((v + nn.DOMAIN) / (2 * nn.DOMAIN)) * size;
    const dots = (X, y, stroke) => {
      ctx.lineWidth = 1;
      ctx.strokeStyle = stroke;
      X.forEach(([a, b], k) => {
        ctx.fillStyle = y[k] ? colours.posCss : colours.negCss;
        ctx.beginPath();
        ctx.arc(toPx(a), size - toPx(b), 3, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      });
    };
    dots(data.xTrain, data.yTrain, colours.stroke);
    if (this.showTest.checked) dots(data.xTest, data.yTest, colours.testStroke);
    // axis ticks at -1, 0, 1
    ctx.fillStyle = colours.fg;
    ctx.font = "11px sans-serif";
    ctx.textBaseline = "bottom";
    ctx.textAlign = "center";
    for (const t of [-1, 0, 1]) ctx.fillText(String(t), toPx(t), size - 2);
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    for (const t of [-1, 1]) ctx.fillText(String(t), 3, size - toPx(t));
  }

  /**
   * The loss chart's vertical range, on a log scale: losses span decades (0.69 at the
   * start, 0.01 once fitted), and a few spiking epochs (learning rate 3 or 10) must not
   * flatten the rest. The top is 1.5x the 95th percentile (never above the highest
   * loss): the rare epochs above it are drawn clipped at the top edge.
   * @returns {{lo: number, hi: number, ticks: number[]}}
   */
  static lossScale(values) {
    const v = values.filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
    if (!v.length) return { lo: 0.1, hi: 1, ticks: [0.1, 1] };
    const q95 = v[Math.floor(0.95 * (v.length - 1))];
    const lo = Math.max(v[0] / 1.25, 1e-4);
    const hi = Math.max(Math.min(v[v.length - 1] * 1.1, q95 * 1.5), lo * 3);
    let ticks = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of [1, 2, 5]) {
        const t = m * 10 ** e;
        if (t >= lo && t <= hi) ticks.push(Number(t.toPrecision(1)));
      }
    }
    if (ticks.length > 4) ticks = ticks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
    return { lo, hi, ticks };
  }

  drawLoss(colours) {
    const ctx = this.lossCtx;
    const [w, h] = [300, LOSS_HEIGHT];
    const [left, right, top, bottom] = [34, 6, 16, 16];
    ctx.clearRect(0, 0, w, h);
    const { train, test } = this.session.history;
    const { lo, hi, ticks } = Playground.lossScale([...train, ...test]);
    const n = Math.max(train.length - 1, 1);
    const px = (k) => left + (k / n) * (w - left - right);
    const py = (v) => {
      const f = (Math.log(Math.min(Math.max(v, lo), hi)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
      return h - bottom - f * (h - top - bottom);
    };
    ctx.font = "10px sans-serif";
    ctx.lineWidth = 1;
    ctx.strokeStyle = colours.muted;
    ctx.fillStyle = colours.fg;
    ctx.strokeRect(left + 0.5, top + 0.5, w - left - right - 1, h - top - bottom - 1);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of ticks) {
      const y = Math.round(py(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left - 3, y);
      ctx.lineTo(left, y);
      ctx.stroke();
      ctx.fillText(String(t), left - 4, y);
    }
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText("loss (log scale)", 2, 2);
    ctx.textAlign = "center";
    ctx.fillText("epoch", (left + w - right) / 2, h - bottom + 3);
    ctx.textAlign = "left";
    ctx.fillText("0", left, h - bottom + 3);
    ctx.textAlign = "right";
    ctx.fillText(String(this.session.epoch), w - right, h - bottom + 3);
    const line = (values, colour, width, dash) => {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.beginPath();
      values.forEach((v, k) => (k ? ctx.lineTo(px(k), py(v)) : ctx.moveTo(px(k), py(v))));
      ctx.stroke();
      ctx.setLineDash([]);
    };
    line(train, colours.fg, 1.5, []);
    line(test, colours.test, 2, [5, 3]);
    // the key, in the chart's top right corner: solid = training, dashed = test
    const key = [["training", colours.fg, []], ["test", colours.test, [5, 3]]];
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    let x = w - right - 128;
    for (const [label, colour, dash] of key) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.beginPath();
      ctx.moveTo(x, 8);
      ctx.lineTo(x + 16, 8);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillText(label, x + 19, 8);
      x += 19 + ctx.measureText(label).width + 10;
    }
  }
}

const root = document.getElementById("nn-playground");
if (root) {
  const playground = new Playground(root); // the controls
  // The first network, its data and its drawings come in a task of their own: the page
  // answers the reader in between (one long task held a phone for a quarter second).
  setTimeout(() => {
    playground.newSession();
    window.nnPlayground = playground;
  }, 0);
}
