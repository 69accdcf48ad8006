// MNIST-style preprocessing of a drawing, the same arithmetic as
// mlviz.widgets.drawpad.preprocess_drawing (the browser tests compare the two).
//
// MNIST's digits were cropped to their bounding box, scaled so that the longer side is
// 20 px (keeping the aspect ratio, anti-aliased), then pasted into a 28 x 28 field
// with their centre of mass at the centre. Ink is bright on black.

/** Matrix (nOut x nIn, row-major) that resamples a line of pixels by area averaging. */
function areaWeights(nIn, nOut) {
  const scale = nIn / nOut;
  const weights = new Float64Array(nOut * nIn);
  for (let i = 0; i < nOut; i++) {
    const lo = i * scale;
    const hi = (i + 1) * scale;
    for (let s = Math.floor(lo); s < Math.min(nIn, Math.ceil(hi)); s++) {
      weights[i * nIn + s] = (Math.min(hi, s + 1) - Math.max(lo, s)) / scale;
    }
  }
  return weights;
}

/**
 * ink: flat array (height x width, row-major) of ink amounts in [0, 1].
 * Returns a Float64Array of size*size grey levels in [0, 1], or null when nothing
 * exceeds the threshold (an empty pad).
 */
export function preprocessDrawing(ink, width, height, { box = 20, size = 28, threshold = 0.1 } = {}) {
  let r0 = height, r1 = -1, c0 = width, c1 = -1;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (ink[r * width + c] > threshold) {
        if (r < r0) r0 = r;
        if (r > r1) r1 = r;
        if (c < c0) c0 = c;
        if (c > c1) c1 = c;
      }
    }
  }
  if (r1 < 0) return null;
  const h = r1 - r0 + 1;
  const w = c1 - c0 + 1;
  const scale = box / Math.max(h, w);
  const newH = Math.max(1, Math.floor(h * scale + 0.5));
  const newW = Math.max(1, Math.floor(w * scale + 0.5));
  const ry = areaWeights(h, newH);
  const rx = areaWeights(w, newW);
  // rows first: tmp = Ry @ crop  (newH x w), then scaled = tmp @ Rx^T  (newH x newW)
  const tmp = new Float64Array(newH * w);
  for (let i = 0; i < newH; i++) {
    for (let s = 0; s < h; s++) {
      const weight = ry[i * h + s];
      if (weight === 0) continue;
      for (let c = 0; c < w; c++) tmp[i * w + c] += weight * ink[(r0 + s) * width + c0 + c];
    }
  }
  const scaled = new Float64Array(newH * newW);
  for (let i = 0; i < newH; i++) {
    for (let j = 0; j < newW; j++) {
      let sum = 0;
      for (let c = 0; c < w; c++) sum += tmp[i * w + c] * rx[j * w + c];
      scaled[i * newW + j] = sum;
    }
  }
  let total = 0, rowMoment = 0, colMoment = 0;
  for (let i = 0; i < newH; i++) {
    for (let j = 0; j < newW; j++) {
      const v = scaled[i * newW + j];
      total += v;
      rowMoment += i * v;
      colMoment += j * v;
    }
  }
  const top = Math.floor(size / 2 - rowMoment / total);
  const left = Math.floor(size / 2 - colMoment / total);
  const image = new Float64Array(size * size);
  for (let i = 0; i < newH; i++) {
    const r = top + i;
    if (r < 0 || r >= size) continue;
    for (let j = 0; j < newW; j++) {
      const c = left + j;
      if (c < 0 || c >= size) continue;
      image[r * size + c] = Math.min(1, Math.max(0, scaled[i * newW + j]));
    }
  }
  return image;
}
