/**
 * Replaces wasm's own, which routes an all-negative window's gradient to its first element: a typed-array
 * loop sending each dy to its window's first strict maximum (NaN never wins), exactly as the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelParams, requireInputs } from './tensorInfo';

function maxPoolGrad({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, input } = requireInputs(tf.MaxPoolGrad, inputs, 'dy', 'input');
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const { top, left } = info.padInfo;

  const out = wasm.makeOutput(input.shape, 'float32');
  // Views taken after the allocation above, which may grow (and so detach) the heap.
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  const x = wasm.typedArrayFromHeap(input);
  const g = wasm.typedArrayFromHeap(dy);
  dx.fill(0);
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * ch;
    for (let yR = 0; yR < outHeight; yR++) {
      const rCorner = yR * strideHeight - top;
      const rMin = Math.max(0, rCorner);
      const rMax = Math.min(inHeight, rCorner + effectiveFilterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const cCorner = yC * strideWidth - left;
        const cMin = Math.max(0, cCorner);
        const cMax = Math.min(inWidth, cCorner + effectiveFilterWidth);
        const yBase = ((b * outHeight + yR) * outWidth + yC) * ch;
        for (let d = 0; d < ch; d++) {
          // Row-major scan; only a strictly greater value moves the maximum, so ties keep the first.
          let best = -Infinity;
          let at = -1;
          for (let r = rMin; r < rMax; r++) {
            for (let c = cMin, i = xBatch + (r * inWidth + cMin) * ch + d; c < cMax; c++, i += ch) {
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += g[yBase + d];
        }
      }
    }
  }
  return out;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
