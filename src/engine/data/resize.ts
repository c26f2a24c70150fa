/**
 * Bilinear resize of an HWC float image, with half-pixel centres and edge clamping: the
 * convention of TF2's tf.image.resize (antialias off), OpenCV INTER_LINEAR and Keras
 * preprocessing, so inputs match what the model was trained on. Written on typed arrays so the
 * result is the same on every tfjs backend.
 */
export function resizeBilinear(
  src: Float32Array,
  inH: number,
  inW: number,
  channels: number,
  outH: number,
  outW: number,
): Float32Array {
  if (inH === outH && inW === outW) return src.slice();
  const out = new Float32Array(outH * outW * channels);
  const xs = axisWeights(inW, outW);
  const ys = axisWeights(inH, outH);
  for (let y = 0; y < outH; y++) {
    const row0 = ys.lo[y] * inW;
    const row1 = ys.hi[y] * inW;
    const fy = ys.frac[y];
    for (let x = 0; x < outW; x++) {
      const x0 = xs.lo[x];
      const x1 = xs.hi[x];
      const fx = xs.frac[x];
      const o = (y * outW + x) * channels;
      for (let c = 0; c < channels; c++) {
        const top = src[(row0 + x0) * channels + c] * (1 - fx) + src[(row0 + x1) * channels + c] * fx;
        const bottom = src[(row1 + x0) * channels + c] * (1 - fx) + src[(row1 + x1) * channels + c] * fx;
        out[o + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** For each output index: the two source indices and the weight of the upper one. */
function axisWeights(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; frac: Float32Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const s = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), inSize - 1);
    lo[i] = Math.floor(s);
    hi[i] = Math.min(lo[i] + 1, inSize - 1);
    frac[i] = s - lo[i];
  }
  return { lo, hi, frac };
}
