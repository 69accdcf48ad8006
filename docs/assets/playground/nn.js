// The playground's numerics: seeded random numbers, the 2-D data sets, a small
// multilayer perceptron with its forward and backward passes, mini-batch SGD, the
// settings <-> URL encoding and the "copy as PyTorch" code generator.
//
// No DOM access here: the page (playground.js) draws, the tests import this module
// and compare its training steps with torch. Numbers are JavaScript doubles (float64).

// ---------------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------------

/**
 * mulberry32: a tiny, fast 32-bit generator. The "copy as PyTorch" code carries a
 * Python port of it, so a notebook reproduces the page's data, weights and batches.
 */
export class Rng {
  constructor(seed) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  uniform() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** A float in [lo, hi). */
  between(lo, hi) {
    return lo + (hi - lo) * this.uniform();
  }
  /** A standard normal draw (Box-Muller, one value per pair of uniforms). */
  normal() {
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n) {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}

// ---------------------------------------------------------------------------------
// Data sets: n points in about [-1, 1]^2, labels 0 (orange) and 1 (blue)
// ---------------------------------------------------------------------------------

/** Half the side of the square drawn on the page. */
export const DOMAIN = 1.5;

const GENERATORS = {
  /** A blue disc inside an orange ring. */
  circles(n, rng) {
    const pts = [];
    for (let i = 0; i < n; i++) {
      const inner = i < n / 2;
      const r = inner ? rng.between(0, 0.5) : rng.between(0.7, 1.0);
      const a = rng.between(0, 2 * Math.PI);
      pts.push([r * Math.sin(a), r * Math.cos(a), inner ? 1 : 0]);
    }
    return pts;
  },
  /** Blue where x1 and x2 have the same sign. */
  xor(n, rng) {
    const pts = [];
    const pad = 0.05; // keep points off the axes, where the label flips
    for (let i = 0; i < n; i++) {
      let x = rng.between(-1, 1);
      let y = rng.between(-1, 1);
      x += x > 0 ? pad : -pad;
      y += y > 0 ? pad : -pad;
      pts.push([x, y, x * y >= 0 ? 1 : 0]);
    }
    return pts;
  },
  /** Two interleaved spiral arms, 1.75 turns each. */
  spiral(n, rng) {
    const pts = [];
    const m = Math.floor(n / 2);
    for (const [label, delta] of [[1, 0], [0, Math.PI]]) {
      for (let i = 0; i < m; i++) {
        const r = i / m;
        const t = 1.75 * 2 * Math.PI * r + delta;
        pts.push([r * Math.sin(t), r * Math.cos(t), label]);
      }
    }
    return pts;
  },
  /** Two Gaussian blobs. */
  gauss(n, rng) {
    const pts = [];
    for (let i = 0; i < n; i++) {
      const blue = i < n / 2;
      const c = blue ? 0.45 : -0.45;
      pts.push([c + 0.25 * rng.normal(), c + 0.25 * rng.normal(), blue ? 1 : 0]);
    }
    return pts;
  },
};

export const DATASETS = Object.keys(GENERATORS);

/**
 * Make a data set and split it into training and test points.
 *
 * The points are drawn, then every coordinate gets Gaussian noise of standard
 * deviation `noise`, then a random permutation puts the first round(n * trainFraction)
 * points in the training set. All of it from one Rng(seed) stream, in this order.
 *
 * @returns {{xTrain: number[][], yTrain: number[], xTest: number[][], yTest: number[]}}
 */
export function makeData({ dataset, n = 400, noise = 0, trainFraction = 0.5, seed = 1 }) {
  const gen = GENERATORS[dataset];
  if (!gen) throw new Error(`dataset must be one of ${DATASETS.join(", ")}; got ${JSON.stringify(dataset)}`);
  const rng = new Rng(seed);
  const pts = gen(n, rng);
  for (const p of pts) {
    p[0] += noise * rng.normal();
    p[1] += noise * rng.normal();
  }
  const order = rng.permutation(pts.length);
  const nTrain = Math.round(pts.length * trainFraction);
  const pick = (idx) => ({ x: idx.map((i) => [pts[i][0], pts[i][1]]), y: idx.map((i) => pts[i][2]) });
  const train = pick(order.slice(0, nTrain));
  const test = pick(order.slice(nTrain));
  return { xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y };
}

// ---------------------------------------------------------------------------------
// The network: sizes [2, h1, ..., hk, 1], hidden activation, sigmoid on the output
// ---------------------------------------------------------------------------------

export const ACTIVATIONS = {
  relu: { f: (z) => (z > 0 ? z : 0), df: (z, a) => (z > 0 ? 1 : 0), torch: "nn.ReLU()" },
  tanh: { f: Math.tanh, df: (z, a) => 1 - a * a, torch: "nn.Tanh()" },
  sigmoid: { f: (z) => 1 / (1 + Math.exp(-z)), df: (z, a) => a * (1 - a), torch: "nn.Sigmoid()" },
  linear: { f: (z) => z, df: () => 1, torch: null },
};

/** Numerically stable binary cross-entropy of a logit z against label y. */
export function bceWithLogits(z, y) {
  return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
}

export function sigmoid(z) {
  return 1 / (1 + Math.exp(-z));
}

/**
 * A new network with Glorot-uniform weights and zero biases.
 * Weights of layer l are rows (one per output unit) like torch's nn.Linear.weight.
 * The Rng is consumed layer by layer, row by row, which the PyTorch export mirrors.
 */
export function initNetwork(sizes, rng) {
  const weights = [];
  const biases = [];
  for (let l = 1; l < sizes.length; l++) {
    const fanIn = sizes[l - 1];
    const fanOut = sizes[l];
    const a = Math.sqrt(6 / (fanIn + fanOut));
    const W = [];
    for (let j = 0; j < fanOut; j++) {
      const row = new Float64Array(fanIn);
      for (let i = 0; i < fanIn; i++) row[i] = rng.between(-a, a);
      W.push(row);
    }
    weights.push(W);
    biases.push(new Float64Array(fanOut));
  }
  return { sizes: sizes.slice(), weights, biases };
}

/** The network as plain JSON-able arrays. */
export function toJSON(net) {
  return {
    sizes: net.sizes.slice(),
    weights: net.weights.map((W) => W.map((row) => Array.from(row))),
    biases: net.biases.map((b) => Array.from(b)),
  };
}

/** A network from {weights, biases} arrays (e.g. from the tests, or toJSON). */
export function fromJSON(obj) {
  const weights = obj.weights.map((W) => W.map((row) => Float64Array.from(row)));
  const biases = obj.biases.map((b) => Float64Array.from(b));
  const sizes = [weights[0][0].length, ...weights.map((W) => W.length)];
  weights.forEach((W, l) => {
    if (W[0].length !== sizes[l] || biases[l].length !== W.length)
      throw new Error(`layer ${l}: weights ${W.length}x${W[0].length} do not fit biases ${biases[l].length} or the previous layer`);
  });
  return { sizes, weights, biases };
}

/**
 * Forward pass of one input point. Returns every layer's pre-activations `zs` and
 * outputs `as` (as[0] is the input; the last `as` entry is the sigmoid probability).
 */
export function forward(net, x, activation) {
  const act = ACTIVATIONS[activation];
  const L = net.weights.length;
  const zs = [];
  const as = [x];
  let a = x;
  for (let l = 0; l < L; l++) {
    const W = net.weights[l];
    const b = net.biases[l];
    const z = new Float64Array(W.length);
    const out = new Float64Array(W.length);
    const last = l === L - 1;
    for (let j = 0; j < W.length; j++) {
      const row = W[j];
      let s = b[j];
      for (let i = 0; i < row.length; i++) s += row[i] * a[i];
      z[j] = s;
      out[j] = last ? sigmoid(s) : act.f(s);
    }
    zs.push(z);
    as.push(out);
    a = out;
  }
  return { zs, as };
}

/** The logit (pre-sigmoid output) for one point. */
export function logit(net, x, activation) {
  const { zs } = forward(net, x, activation);
  return zs[zs.length - 1][0];
}

/** Mean binary cross-entropy over a set of points (no regularization term). */
export function meanLoss(net, X, y, activation) {
  if (X.length === 0) return NaN;
  let s = 0;
  for (let k = 0; k < X.length; k++) s += bceWithLogits(logit(net, X[k], activation), y[k]);
  return s / X.length;
}

/** The regularization penalty: lambda * sum|w| (L1) or lambda * sum w^2 / 2 (L2), biases excluded. */
export function penalty(net, regularization, lambda) {
  if (regularization === "none" || !lambda) return 0;
  let s = 0;
  for (const W of net.weights)
    for (const row of W) for (const w of row) s += regularization === "L1" ? Math.abs(w) : (w * w) / 2;
  return lambda * s;
}

/**
 * Gradients of mean BCE over the batch plus the penalty, with respect to every
 * weight and bias (backpropagation). Returns {gW, gb, loss}.
 */
export function gradients(net, X, y, { activation, regularization = "none", lambda = 0 }) {
  const act = ACTIVATIONS[activation];
  const L = net.weights.length;
  const gW = net.weights.map((W) => W.map((row) => new Float64Array(row.length)));
  const gb = net.biases.map((b) => new Float64Array(b.length));
  const B = X.length;
  let loss = 0;
  for (let k = 0; k < B; k++) {
    const { zs, as } = forward(net, X[k], activation);
    const zOut = zs[L - 1][0];
    loss += bceWithLogits(zOut, y[k]);
    let delta = Float64Array.of((sigmoid(zOut) - y[k]) / B); // d loss / d z of the output
    for (let l = L - 1; l >= 0; l--) {
      const W = net.weights[l];
      const aPrev = as[l];
      for (let j = 0; j < W.length; j++) {
        gb[l][j] += delta[j];
        const g = gW[l][j];
        for (let i = 0; i < aPrev.length; i++) g[i] += delta[j] * aPrev[i];
      }
      if (l > 0) {
        const next = new Float64Array(aPrev.length);
        for (let i = 0; i < aPrev.length; i++) {
          let s = 0;
          for (let j = 0; j < W.length; j++) s += W[j][i] * delta[j];
          next[i] = s * act.df(zs[l - 1][i], aPrev[i]);
        }
        delta = next;
      }
    }
  }
  loss /= B;
  if (regularization !== "none" && lambda) {
    net.weights.forEach((W, l) =>
      W.forEach((row, j) => {
        for (let i = 0; i < row.length; i++)
          gW[l][j][i] += lambda * (regularization === "L1" ? Math.sign(row[i]) : row[i]);
      }),
    );
    loss += penalty(net, regularization, lambda);
  }
  return { gW, gb, loss };
}

/**
 * One SGD step on one mini-batch, in place: w <- w - learningRate * grad.
 * This is torch.optim.SGD(lr=learningRate) on BCEWithLogitsLoss() + penalty.
 * @returns {number} the batch's loss before the step (penalty included)
 */
export function trainStep(net, X, y, { activation, learningRate, regularization = "none", lambda = 0 }) {
  const { gW, gb, loss } = gradients(net, X, y, { activation, regularization, lambda });
  net.weights.forEach((W, l) =>
    W.forEach((row, j) => {
      for (let i = 0; i < row.length; i++) row[i] -= learningRate * gW[l][j][i];
    }),
  );
  net.biases.forEach((b, l) => {
    for (let j = 0; j < b.length; j++) b[j] -= learningRate * gb[l][j];
  });
  return loss;
}

/**
 * One epoch: shuffle the training points with `rng`, then one trainStep per
 * mini-batch of `batchSize` points (the last batch may be smaller).
 */
export function trainEpoch(net, X, y, rng, settings) {
  const order = rng.permutation(X.length);
  for (let start = 0; start < X.length; start += settings.batchSize) {
    const idx = order.slice(start, start + settings.batchSize);
    trainStep(
      net,
      idx.map((i) => X[i]),
      idx.map((i) => y[i]),
      settings,
    );
  }
}

// ---------------------------------------------------------------------------------
// Settings: defaults, validation, and the URL query string
// ---------------------------------------------------------------------------------

export const DEFAULTS = Object.freeze({
  dataset: "circles",
  noise: 0.05,
  trainFraction: 0.5,
  n: 400,
  hidden: [4, 4],
  activation: "tanh",
  learningRate: 0.1,
  regularization: "none",
  lambda: 0,
  batchSize: 10,
  seed: 1,
});

export const LIMITS = Object.freeze({ maxLayers: 6, maxNeurons: 8 });

const KEYS = {
  dataset: "data",
  noise: "noise",
  trainFraction: "train",
  hidden: "layers",
  activation: "act",
  learningRate: "lr",
  regularization: "reg",
  lambda: "lambda",
  batchSize: "batch",
  seed: "seed",
};

/** Settings -> "data=circles&noise=0.05&...". */
export function encodeSettings(s) {
  const q = new URLSearchParams();
  for (const [key, short] of Object.entries(KEYS)) {
    const v = s[key];
    q.set(short, Array.isArray(v) ? v.join(",") : String(v));
  }
  return q.toString().replace(/%2C/g, ","); // keep "layers=8,8" readable
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

/** A query string -> complete, valid settings (unknown or bad values fall back to defaults). */
export function decodeSettings(query) {
  const q = new URLSearchParams(query);
  const s = { ...DEFAULTS, hidden: DEFAULTS.hidden.slice() };
  const num = (short, lo, hi) => {
    const v = Number(q.get(short));
    return q.has(short) && q.get(short) !== "" && Number.isFinite(v) ? clamp(v, lo, hi) : undefined;
  };
  if (DATASETS.includes(q.get("data"))) s.dataset = q.get("data");
  if (q.get("act") in ACTIVATIONS) s.activation = q.get("act");
  if (["none", "L1", "L2"].includes(q.get("reg"))) s.regularization = q.get("reg");
  const set = (key, v) => {
    if (v !== undefined) s[key] = v;
  };
  set("noise", num("noise", 0, 0.5));
  set("trainFraction", num("train", 0.1, 0.9));
  set("learningRate", num("lr", 1e-5, 10));
  set("lambda", num("lambda", 0, 1));
  const batch = num("batch", 1, 400);
  if (batch !== undefined) s.batchSize = Math.round(batch);
  const seed = num("seed", 0, 2 ** 32 - 1);
  if (seed !== undefined) s.seed = Math.round(seed);
  if (q.has("layers")) {
    const raw = q.get("layers");
    const layers = raw === "" ? [] : raw.split(",").map(Number);
    if (layers.every((h) => Number.isInteger(h) && h >= 1) && layers.length <= LIMITS.maxLayers)
      s.hidden = layers.map((h) => Math.min(h, LIMITS.maxNeurons));
  }
  return s;
}

// ---------------------------------------------------------------------------------
// A training session: data + network + its random stream + loss history
// ---------------------------------------------------------------------------------

export class Session {
  constructor(settings) {
    this.settings = settings;
    this.data = makeData(settings);
    // Data come from Rng(seed); weights and then every epoch's shuffle from Rng(seed + 1).
    this.rng = new Rng(settings.seed + 1);
    this.net = initNetwork([2, ...settings.hidden, 1], this.rng);
    this.epoch = 0;
    this.history = { train: [], test: [] };
    this.record();
  }
  record() {
    const { data, net, settings } = this;
    this.history.train.push(meanLoss(net, data.xTrain, data.yTrain, settings.activation));
    this.history.test.push(meanLoss(net, data.xTest, data.yTest, settings.activation));
  }
  step() {
    trainEpoch(this.net, this.data.xTrain, this.data.yTrain, this.rng, this.settings);
    this.epoch += 1;
    this.record();
  }
  get trainLoss() {
    return this.history.train[this.history.train.length - 1];
  }
  get testLoss() {
    return this.history.test[this.history.test.length - 1];
  }
}

// ---------------------------------------------------------------------------------
// Copy as PyTorch
// ---------------------------------------------------------------------------------

const PY_DATASETS = {
  circles: `def make_points(n, rng):
    """A blue disc (label 1) inside an orange ring (label 0)."""
    points = []
    for i in range(n):
        inner = i < n / 2
        r = rng.between(0, 0.5) if inner else rng.between(0.7, 1.0)
        a = rng.between(0, 2 * math.pi)
        points.append([r * math.sin(a), r * math.cos(a), 1 if inner else 0])
    return points`,
  xor: `def make_points(n, rng):
    """Label 1 where x1 and x2 have the same sign."""
    points = []
    for i in range(n):
        x, y = rng.between(-1, 1), rng.between(-1, 1)
        x += 0.05 if x > 0 else -0.05  # keep points off the axes
        y += 0.05 if y > 0 else -0.05
        points.append([x, y, 1 if x * y >= 0 else 0])
    return points`,
  spiral: `def make_points(n, rng):
    """Two interleaved spiral arms, 1.75 turns each."""
    points = []
    m = n // 2
    for label, delta in [(1, 0.0), (0, math.pi)]:
        for i in range(m):
            r = i / m
            t = 1.75 * 2 * math.pi * r + delta
            points.append([r * math.sin(t), r * math.cos(t), label])
    return points`,
  gauss: `def make_points(n, rng):
    """Two Gaussian blobs."""
    points = []
    for i in range(n):
        blue = i < n / 2
        c = 0.45 if blue else -0.45
        points.append([c + 0.25 * rng.normal(), c + 0.25 * rng.normal(), 1 if blue else 0])
    return points`,
};

/**
 * Python code that rebuilds the current data set and network in PyTorch and trains it
 * exactly as the page does (same random stream, same initial weights, same batches).
 *
 * @param {object} settings the page's settings
 * @param {number} epochs how many epochs the script trains
 * @param {string} [url] the page's address, quoted in a comment
 */
export function pytorchCode(settings, epochs, url = "") {
  const s = settings;
  const sizes = [2, ...s.hidden, 1];
  const act = ACTIVATIONS[s.activation].torch;
  const layers = [];
  for (let l = 1; l < sizes.length; l++) {
    layers.push(`nn.Linear(${sizes[l - 1]}, ${sizes[l]})`);
    if (l < sizes.length - 1 && act) layers.push(act);
  }
  const reg =
    s.regularization === "none" || !s.lambda
      ? "def penalty(model):\n    return 0.0"
      : `def penalty(model):
    """${s.regularization} penalty on the weights (not the biases), as on the page."""
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]
    return LAMBDA * sum(${s.regularization === "L1" ? "w.abs().sum()" : "(w**2).sum() / 2"} for w in weights)`;
  return `# The playground's network in PyTorch${url ? ` -- settings: ${url}` : ""}
# Same data, initial weights and mini-batches as the page: the losses printed at the
# end match the page's after the same number of epochs (up to rounding).
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

torch.set_default_dtype(torch.float64)  # the page computes in float64 too

DATASET, N_POINTS, NOISE, TRAIN_FRACTION, SEED = "${s.dataset}", ${s.n}, ${String(s.noise)}, ${String(s.trainFraction)}, ${s.seed}
HIDDEN = [${s.hidden.join(", ")}]
LEARNING_RATE, BATCH_SIZE, LAMBDA = ${String(s.learningRate)}, ${s.batchSize}, ${String(s.lambda)}
EPOCHS = ${epochs}


class Mulberry32:
    """The page's random-number generator, so that this script draws the same numbers."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def uniform(self):
        self.state = (self.state + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + ((t ^ (t >> 7)) * (t | 61))) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    def between(self, lo, hi):
        return lo + (hi - lo) * self.uniform()

    def normal(self):
        u1, u2 = 1 - self.uniform(), self.uniform()
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)

    def permutation(self, n):
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = math.floor(self.uniform() * (i + 1))
            p[i], p[j] = p[j], p[i]
        return p


# ---- data: draw the points, add noise, split (one random stream, in this order) ----
${PY_DATASETS[s.dataset]}


rng = Mulberry32(SEED)
points = make_points(N_POINTS, rng)
for p in points:
    p[0] += NOISE * rng.normal()
    p[1] += NOISE * rng.normal()
order = rng.permutation(len(points))
n_train = round(len(points) * TRAIN_FRACTION)
data = torch.tensor(points)
X_train, y_train = data[order[:n_train], :2], data[order[:n_train], 2]
X_test, y_test = data[order[n_train:], :2], data[order[n_train:], 2]

# ---- the network: ${s.activation} hidden layers, one logit out (sigmoid inside the loss) ----
model = nn.Sequential(
${layers.map((l) => `    ${l},`).join("\n")}
)
rng = Mulberry32(SEED + 1)  # the page's second stream: initial weights, then batch order
with torch.no_grad():
    for layer in (m for m in model if isinstance(m, nn.Linear)):
        a = math.sqrt(6 / (layer.in_features + layer.out_features))  # Glorot uniform
        for j in range(layer.out_features):
            for i in range(layer.in_features):
                layer.weight[j, i] = rng.between(-a, a)
        layer.bias.zero_()

loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)


${reg}


history = {"train": [], "test": []}
for epoch in range(EPOCHS):
    batch_order = rng.permutation(n_train)
    for start in range(0, n_train, BATCH_SIZE):
        idx = batch_order[start : start + BATCH_SIZE]
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[idx]).squeeze(1), y_train[idx]) + penalty(model)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        history["train"].append(loss_fn(model(X_train).squeeze(1), y_train).item())
        history["test"].append(loss_fn(model(X_test).squeeze(1), y_test).item())

print(f"after {EPOCHS} epochs: train loss {history['train'][-1]:.6f}, test loss {history['test'][-1]:.6f}")

# ---- the decision boundary and the loss curves ----
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(10, 4.5))
grid = torch.linspace(-${DOMAIN}, ${DOMAIN}, 200)
gx, gy = torch.meshgrid(grid, grid, indexing="xy")
with torch.no_grad():
    proba = torch.sigmoid(model(torch.stack([gx.ravel(), gy.ravel()], 1))).reshape(gx.shape)
ax.contourf(gx, gy, proba, levels=20, cmap="RdBu", vmin=0, vmax=1, alpha=0.7)
ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train, cmap="RdBu", vmin=0, vmax=1, edgecolor="white", s=18, label="train")
ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap="RdBu", vmin=0, vmax=1, edgecolor="black", s=18, label="test")
ax.set(xlabel="x1", ylabel="x2", title="P(blue) over the plane", aspect="equal")
ax.legend(loc="lower right")
ax_loss.plot(history["train"], label="train")
ax_loss.plot(history["test"], label="test")
ax_loss.set(xlabel="epoch", ylabel="binary cross-entropy", title="Loss")
ax_loss.legend()
fig.tight_layout()
plt.show()
`;
}
