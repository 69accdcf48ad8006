// The drawing pad of gallery page H1: draw a digit, see the network's probabilities
// and its layers' activations, all computed here, in the browser (no server).
//
// The page holds <div class="mlviz-drawpad" data-model="URL of the exported network">
// (written by mlviz.widgets.drawpad.DrawingPad). Each bar shows a class's probability
// and its natural logarithm; when the network file holds a feature distance
// (metadata.distance), a line under the prediction says whether the drawing is unlike
// the digits the network learnt from. window.mlvizDrawpad exposes the computation for
// tests: predict(pixels) takes 784 grey levels in [0, 1].
import { featureProfile, forward, loadNetwork, mahalanobis, normalize } from "./cnn.js";
import { preprocessDrawing } from "./preprocess.js";

const SIZE = 28;
const PEN_WIDTH = 22; // in canvas pixels (the canvas is 280 x 280): about 2 px after scaling
// viridis, sampled at 5 points and interpolated linearly
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function colour(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return VIRIDIS[i].map((v, k) => Math.round(v + f * (VIRIDIS[i + 1][k] - v)));
}

function paintMap(canvas, values, h, w, max) {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  for (let p = 0; p < h * w; p++) {
    const [r, g, b] = colour(max > 0 ? values[p] / max : 0);
    img.data.set([r, g, b, 255], 4 * p);
  }
  ctx.putImageData(img, 0, 0);
}

function paintGrey(canvas, pixels) {
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(SIZE, SIZE);
  for (let p = 0; p < SIZE * SIZE; p++) {
    const v = Math.round(255 * pixels[p]);
    img.data.set([v, v, v, 255], 4 * p);
  }
  ctx.putImageData(img, 0, 0);
}

function predict(net, pixels) {
  const result = forward(net, normalize(pixels, net.mean, net.std));
  const probabilities = Array.from(result.probabilities);
  const prediction = probabilities.indexOf(Math.max(...probabilities));
  const out = { ...result, probabilities, prediction, logProbabilities: Array.from(result.logProbabilities) };
  if (net.distance) {
    const { distance, nearest } = mahalanobis(featureProfile(result.activations, net.distance.layers), net.distance);
    Object.assign(out, { distance, nearest, flagged: distance > net.distance.threshold });
  }
  return out;
}

const MINUS = "\u2212";

/** A log-probability in a few characters: -3e-7, -0.42, -13.8. */
function formatLog(v) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  const text = a < 0.01 ? a.toExponential(0) : a < 10 ? a.toFixed(2) : a.toFixed(1);
  return (v < 0 ? MINUS : "") + text;
}

const formatDistance = (d) => (d < 10 ? d.toFixed(1) : d.toFixed(0));

class Pad {
  constructor(root, net) {
    this.root = root;
    this.net = net;
    this.canvas = root.querySelector(".dp-canvas");
    this.ctx = this.canvas.getContext("2d", { willReadFrequently: true });
    this.exact = null; // the pixels of a loaded test digit, used as they are
    this.last = null;
    this.pending = false;
    this.buildBars();
    this.buildExamples();
    this.bindPointer();
    root.querySelector(".dp-clear").addEventListener("click", () => this.clear());
    this.clear();
  }

  buildBars() {
    const bars = this.root.querySelector(".dp-bars");
    bars.replaceChildren();
    const head = document.createElement("div");
    head.className = "dp-bars-head";
    head.setAttribute("aria-hidden", "true");
    head.innerHTML = "<span></span><span>probability</span><span>%</span><span>log p</span>";
    bars.append(head);
    this.bars = this.net.classNames.map((name) => {
      const row = document.createElement("div");
      row.className = "dp-bar";
      row.setAttribute("role", "listitem");
      row.innerHTML =
        '<span class="dp-label"></span><span class="dp-track"><span class="dp-fill"></span></span>' +
        '<span class="dp-value"></span><span class="dp-log"></span>';
      row.querySelector(".dp-label").textContent = name;
      bars.append(row);
      return row;
    });
  }

  buildExamples() {
    const box = this.root.querySelector(".dp-examples");
    this.net.examples.forEach((example, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "dp-example";
      button.textContent = example.label ?? `#${i}`;
      button.title = `Test digit #${i} (true label ${example.label})`;
      button.addEventListener("click", () => this.loadExample(i));
      box.append(button);
    });
  }

  bindPointer() {
    const c = this.canvas;
    let drawing = false;
    let prev = null;
    const point = (e) => {
      const rect = c.getBoundingClientRect();
      return [(e.clientX - rect.left) * (c.width / rect.width), (e.clientY - rect.top) * (c.height / rect.height)];
    };
    c.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      c.setPointerCapture?.(e.pointerId);
      drawing = true;
      this.exact = null;
      prev = point(e);
      this.stroke(prev, prev);
    });
    c.addEventListener("pointermove", (e) => {
      if (!drawing) return;
      e.preventDefault();
      const p = point(e);
      this.stroke(prev, p);
      prev = p;
    });
    const stop = () => {
      drawing = false;
      prev = null;
    };
    c.addEventListener("pointerup", stop);
    c.addEventListener("pointercancel", stop);
    c.addEventListener("lostpointercapture", stop);
  }

  stroke(a, b) {
    const ctx = this.ctx;
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = PEN_WIDTH;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.fillStyle = "#fff";
    ctx.beginPath();
    if (a[0] === b[0] && a[1] === b[1]) {
      // a tap or a click: canvases skip zero-length lines, so draw the dot itself
      ctx.arc(a[0], a[1], PEN_WIDTH / 2, 0, 2 * Math.PI);
      ctx.fill();
    } else {
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
      ctx.stroke();
    }
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.update();
    });
  }

  clear() {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.exact = null;
    this.update();
  }

  loadExample(i) {
    const pixels = this.net.examples[i].pixels;
    const { width, height } = this.canvas;
    const img = this.ctx.createImageData(width, height);
    const scale = width / SIZE;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = pixels[Math.floor(y / scale) * SIZE + Math.floor(x / scale)];
        img.data.set([255, 255, 255, v], 4 * (y * width + x));
      }
    }
    this.ctx.putImageData(img, 0, 0);
    this.exact = Float64Array.from(pixels, (v) => v / 255);
    this.update();
  }

  /** The network's input: a loaded test digit as it is, or the drawing preprocessed. */
  input() {
    if (this.exact) return this.exact;
    const { width, height } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    const ink = new Float64Array(width * height);
    for (let p = 0; p < ink.length; p++) ink[p] = rgba[4 * p + 3] / 255; // alpha = ink
    return preprocessDrawing(ink, width, height);
  }

  update() {
    const pixels = this.input();
    const seen = this.root.querySelector(".dp-input");
    paintGrey(seen, pixels || new Float64Array(SIZE * SIZE));
    const digit = this.root.querySelector(".dp-digit");
    const confidence = this.root.querySelector(".dp-confidence");
    if (!pixels) {
      digit.textContent = "–";
      confidence.textContent = "Draw a digit in the black box.";
      this.showDistance(null);
      this.showBars(null);
      this.showLayers(null);
      this.root.dataset.state = "empty";
      return;
    }
    const result = predict(this.net, pixels);
    this.last = result;
    digit.textContent = this.net.classNames[result.prediction];
    confidence.textContent = `with probability ${(100 * result.probabilities[result.prediction]).toFixed(1)} %`;
    this.showDistance(result);
    this.showBars(result);
    this.showLayers(result);
    this.root.dataset.state = "predicted";
  }

  /** The out-of-distribution line: the feature distance against its threshold. */
  showDistance(result) {
    const line = this.root.querySelector(".dp-ood");
    const spec = this.net.distance;
    if (!result || !spec) {
      line.textContent = "";
      delete this.root.dataset.ood;
      return;
    }
    const d = formatDistance(result.distance);
    const t = formatDistance(spec.threshold);
    const share = `${Math.round(100 * spec.quantile)} % of MNIST's digits stay under ${t}`;
    line.textContent = result.flagged
      ? `Not like any digit: feature distance ${d}, where ${share}. The prediction means little here.`
      : `Like a digit: feature distance ${d}; ${share}.`;
    line.title = "Squared Mahalanobis distance of the mean responses of conv1's and conv2's maps to the nearest digit class";
    this.root.dataset.ood = result.flagged ? "flagged" : "digit";
  }

  showBars(result) {
    this.bars.forEach((row, k) => {
      const p = result ? result.probabilities[k] : 0;
      row.querySelector(".dp-fill").style.width = `${(100 * p).toFixed(2)}%`;
      row.querySelector(".dp-value").textContent = result ? `${(100 * p).toFixed(1)} %` : "";
      row.querySelector(".dp-log").textContent = result ? formatLog(result.logProbabilities[k]) : "";
      row.title = result ? `${this.net.classNames[k]}: logit ${result.logits[k].toFixed(2)}, log-probability ${result.logProbabilities[k].toFixed(4)}` : "";
      row.classList.toggle("dp-top", !!result && k === result.prediction);
    });
  }

  showLayers(result) {
    for (const section of this.root.querySelectorAll(".dp-layer")) {
      const maps = section.querySelector(".dp-maps");
      const act = result && result.activations.find((a) => a.name === section.dataset.layer);
      if (!act) {
        maps.querySelectorAll("canvas").forEach((cv) => cv.getContext("2d").clearRect(0, 0, cv.width, cv.height));
        continue;
      }
      const max = act.data.reduce((m, v) => Math.max(m, v), 0);
      section.querySelector(".dp-shape").textContent = ` · ${act.shape.join(" × ")}, colour scale 0 to ${max.toFixed(2)}`;
      const planes = act.shape.length === 3 ? act.shape[0] : 1;
      const [h, w] = act.shape.length === 3 ? act.shape.slice(1) : [1, act.shape[0]];
      maps.classList.toggle("dp-vector", act.shape.length !== 3);
      while (maps.children.length < planes) maps.append(document.createElement("canvas"));
      while (maps.children.length > planes) maps.lastChild.remove();
      for (let k = 0; k < planes; k++) {
        const cv = maps.children[k];
        cv.title = act.shape.length === 3 ? `${act.name}, channel ${k}` : `${act.name}, ${w} units`;
        paintMap(cv, act.data.subarray(k * h * w, (k + 1) * h * w), h, w, max);
      }
    }
  }
}

async function loadNet(url) {
  const response = await fetch(new URL(url, document.baseURI));
  if (!response.ok) throw new Error(`could not load the network from ${url}: HTTP ${response.status}`);
  return loadNetwork(await response.json());
}

const roots = Array.from(document.querySelectorAll(".mlviz-drawpad"));
const ready = roots.length
  ? loadNet(roots[0].dataset.model).then((net) => {
      roots.forEach((root) => new Pad(root, net));
      return net;
    })
  : Promise.reject(new Error("no .mlviz-drawpad element on this page"));

ready.catch((error) => {
  roots.forEach((root) => {
    root.querySelector(".dp-confidence").textContent = `The network could not be loaded: ${error.message}`;
  });
  console.error(error);
});

window.mlvizDrawpad = {
  ready,
  /** 784 grey levels in [0, 1] -> {probabilities, logProbabilities, prediction, logits, distance, nearest, flagged}. */
  async predict(pixels) {
    const net = await ready;
    const r = predict(net, Float64Array.from(pixels));
    const { probabilities, logProbabilities, prediction, distance, nearest, flagged } = r;
    return { probabilities, logProbabilities, prediction, logits: Array.from(r.logits), distance, nearest, flagged };
  },
  /** The feature distance's threshold and the share of validation digits under it (or null). */
  async distanceSpec() {
    const net = await ready;
    return net.distance && { threshold: net.distance.threshold, quantile: net.distance.quantile, layers: net.distance.layers };
  },
  /** Ink amounts (height x width, flat) -> 784 grey levels, or null for an empty drawing. */
  preprocess(ink, width, height) {
    const image = preprocessDrawing(Float64Array.from(ink), width, height);
    return image && Array.from(image);
  },
  /** The examples stored with the network: [{label, pixels (0-255)}]. */
  async examples() {
    const net = await ready;
    return net.examples.map((e) => ({ label: e.label, pixels: Array.from(e.pixels) }));
  },
};
