// The forward pass of a small convolutional network in plain JavaScript.
//
// Reads the "mlviz-cnn/1" files written by mlviz.widgets.export.export_cnn: a list of
// layers (conv2d, relu, sigmoid, tanh, maxpool2d, flatten, linear) with float32
// weights stored as base64 little-endian bytes. Every function is pure and works on
// flat Float64Array tensors in (channels, height, width) order, the order of PyTorch's
// contiguous tensors, so results can be compared with torch number by number.

export const FORMAT = "mlviz-cnn/1";

/** Decode {shape, dtype, data} (base64 little-endian bytes) into a typed array. */
export function decodeArray(spec) {
  const binary = atob(spec.data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (spec.dtype === "uint8") return bytes;
  if (spec.dtype === "float32") {
    const view = new DataView(bytes.buffer);
    const out = new Float32Array(bytes.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  throw new Error(`unsupported dtype ${spec.dtype}`);
}

/** Turn the exported JSON into a network: layer specs with decoded weights. */
export function loadNetwork(json) {
  if (json.format !== FORMAT) throw new Error(`expected a ${FORMAT} file, got ${json.format}`);
  const layers = json.layers.map((spec) => {
    const layer = { ...spec };
    if (spec.weight) layer.weight = decodeArray(spec.weight);
    if (spec.bias) layer.bias = decodeArray(spec.bias);
    return layer;
  });
  const examples = (json.examples || []).map((e) => ({ label: e.label, pixels: decodeArray(e.pixels) }));
  const metadata = json.metadata || {};
  return {
    layers,
    examples,
    inputShape: json.input_shape,
    mean: json.mean,
    std: json.std,
    classNames: json.class_names,
    metadata,
    distance: metadata.distance ? loadDistance(metadata.distance) : null,
  };
}

/**
 * The out-of-distribution distance stored under metadata.distance (written by gallery
 * page H1): the mean of each feature map of `layers`, compared with `class_means`
 * (classes x features) through `precision` (the inverse of a shared covariance).
 */
export function loadDistance(spec) {
  const [nClasses, dim] = spec.class_means.shape;
  if (spec.precision.shape.join() !== [dim, dim].join()) {
    throw new Error(`distance: precision must be ${dim} x ${dim}, got ${spec.precision.shape.join(" x ")}`);
  }
  return {
    layers: spec.layers,
    classMeans: decodeArray(spec.class_means),
    precision: decodeArray(spec.precision),
    nClasses,
    dim,
    threshold: spec.threshold,
    quantile: spec.quantile,
    flagged: spec.flagged || {},
  };
}

/** The mean of each channel of the named layers' outputs, concatenated in order. */
export function featureProfile(activations, layers) {
  const profile = [];
  for (const name of layers) {
    const act = activations.find((a) => a.name === name);
    if (!act) throw new Error(`distance: the network has no layer ${name}`);
    const channels = act.shape.length === 3 ? act.shape[0] : act.data.length;
    const size = act.data.length / channels;
    for (let k = 0; k < channels; k++) {
      let sum = 0;
      for (let p = k * size; p < (k + 1) * size; p++) sum += act.data[p];
      profile.push(sum / size);
    }
  }
  return Float64Array.from(profile);
}

/** Squared Mahalanobis distance of a profile to the nearest class mean: {distance, nearest}. */
export function mahalanobis(profile, dist) {
  const n = dist.dim;
  if (profile.length !== n) throw new Error(`distance: expected ${n} features, got ${profile.length}`);
  const d = new Float64Array(n);
  let best = Infinity;
  let nearest = -1;
  for (let k = 0; k < dist.nClasses; k++) {
    for (let i = 0; i < n; i++) d[i] = profile[i] - dist.classMeans[k * n + i];
    let q = 0;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) row += dist.precision[i * n + j] * d[j];
      q += d[i] * row;
    }
    if (q < best) {
      best = q;
      nearest = k;
    }
  }
  return { distance: best, nearest };
}

/** 2-D convolution (cross-correlation, as in PyTorch) with zero padding. */
export function conv2d(x, [c, h, w], weight, bias, outChannels, k, stride = 1, pad = 0) {
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
  const out = new Float64Array(outChannels * oh * ow);
  for (let o = 0; o < outChannels; o++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let sum = bias ? bias[o] : 0;
        for (let ci = 0; ci < c; ci++) {
          for (let ki = 0; ki < k; ki++) {
            const y = i * stride + ki - pad;
            if (y < 0 || y >= h) continue;
            for (let kj = 0; kj < k; kj++) {
              const xx = j * stride + kj - pad;
              if (xx < 0 || xx >= w) continue;
              sum += weight[((o * c + ci) * k + ki) * k + kj] * x[(ci * h + y) * w + xx];
            }
          }
        }
        out[(o * oh + i) * ow + j] = sum;
      }
    }
  }
  return { data: out, shape: [outChannels, oh, ow] };
}

/** Max pooling over k x k windows (no padding; windows that do not fit are dropped). */
export function maxpool2d(x, [c, h, w], k, stride = k) {
  const oh = Math.floor((h - k) / stride) + 1;
  const ow = Math.floor((w - k) / stride) + 1;
  const out = new Float64Array(c * oh * ow);
  for (let ci = 0; ci < c; ci++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        for (let a = 0; a < k; a++) {
          for (let b = 0; b < k; b++) {
            const v = x[(ci * h + i * stride + a) * w + j * stride + b];
            if (v > best) best = v;
          }
        }
        out[(ci * oh + i) * ow + j] = best;
      }
    }
  }
  return { data: out, shape: [c, oh, ow] };
}

/** Dense layer: weight has shape (outFeatures, inFeatures), as in torch.nn.Linear. */
export function linear(x, weight, bias, outFeatures) {
  const n = x.length;
  const out = new Float64Array(outFeatures);
  for (let o = 0; o < outFeatures; o++) {
    let sum = bias ? bias[o] : 0;
    const row = o * n;
    for (let i = 0; i < n; i++) sum += weight[row + i] * x[i];
    out[o] = sum;
  }
  return out;
}

export const relu = (x) => x.map((v) => (v > 0 ? v : 0));
export const sigmoid = (x) => x.map((v) => 1 / (1 + Math.exp(-v)));
export const tanh = (x) => x.map((v) => Math.tanh(v));

/** Softmax, shifted by the maximum so that large logits do not overflow. */
export function softmax(logits) {
  const m = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - m));
  const total = e.reduce((a, b) => a + b, 0);
  return Float64Array.from(e, (v) => v / total);
}

/** Log-softmax: the natural logarithms of the probabilities, exact even where they round to 0. */
export function logSoftmax(logits) {
  const m = Math.max(...logits);
  const logTotal = Math.log(Array.from(logits, (v) => Math.exp(v - m)).reduce((a, b) => a + b, 0));
  return Float64Array.from(logits, (v) => v - m - logTotal);
}

/** Grey levels in [0, 1] -> the standardized input the network was trained on. */
export function normalize(pixels, mean, std) {
  return Float64Array.from(pixels, (v) => (v - mean) / std);
}

/**
 * Run the network on one input (already normalized, flat, channels first).
 * Returns every layer's output (name, type, shape, data), the logits, the softmax
 * probabilities and their logarithms.
 */
export function forward(net, input) {
  let data = Float64Array.from(input);
  let shape = [...net.inputShape];
  const activations = [];
  for (const layer of net.layers) {
    switch (layer.type) {
      case "conv2d":
        ({ data, shape } = conv2d(data, shape, layer.weight, layer.bias, layer.out_channels,
          layer.kernel_size, layer.stride, layer.padding));
        break;
      case "maxpool2d":
        ({ data, shape } = maxpool2d(data, shape, layer.kernel_size, layer.stride));
        break;
      case "linear":
        data = linear(data, layer.weight, layer.bias, layer.out_features);
        shape = [layer.out_features];
        break;
      case "flatten":
        shape = [data.length];
        break;
      case "relu": data = relu(data); break;
      case "sigmoid": data = sigmoid(data); break;
      case "tanh": data = tanh(data); break;
      default:
        throw new Error(`unsupported layer type ${layer.type} (${layer.name})`);
    }
    activations.push({ name: layer.name, type: layer.type, shape: [...shape], data });
  }
  return { activations, logits: data, probabilities: softmax(data), logProbabilities: logSoftmax(data) };
}
