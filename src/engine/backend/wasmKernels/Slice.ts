/**
 * Replaces wasm's own, which copies a strided slice one innermost row at a time: a ZeroPadding2D's
 * gradient (a [1,225,225,3] → [1,224,224,3] slice in MobileNetV2) made 50k copies of 3 values, ≈38 ns per
 * element. Here the trailing axes the slice keeps whole merge into one run, copied with one `set`.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { builtinKernel } from './builtins';
import { KernelParams, requireInputs } from './tensorInfo';

type Buffer = Float32Array | Int32Array | Uint8Array;

function slice(params: KernelParams): tf.TensorInfo | tf.TensorInfo[] {
  const wasm = params.backend as BackendWasm;
  const { x } = requireInputs(tf.Slice, params.inputs, 'x');
  const { begin, size } = params.attrs as unknown as tf.SliceAttrs;
  const [start, extent] = tf.slice_util.parseSliceParams(x, begin, size);
  // Strings live outside the heap. Contiguous slices come here too: wasm's own copies the whole
  // input out of the heap first (a tile gradient's thousand slices of one dy copied it each time).
  if (x.dtype === 'string' || x.shape.length === 0) {
    return builtinKernel(tf.Slice).kernelFunc(params);
  }
  const out = wasm.makeOutput(extent, x.dtype);
  // Views taken after the allocation above, which may grow (and so detach) the heap.
  const dst = wasm.typedArrayFromHeap(out) as Buffer;
  const src = wasm.typedArrayFromHeap(x) as Buffer;
  const strides = [...tf.util.computeStrides(x.shape), 1];
  // Axes after `inner` are kept whole, so each index of the axes up to `inner` starts one contiguous run.
  let inner = x.shape.length - 1;
  while (inner > 0 && extent[inner] === x.shape[inner]) inner--;
  const run = extent[inner] * strides[inner];
  let at = 0;
  const copy = (axis: number, from: number): void => {
    if (axis === inner) {
      const first = from + start[inner] * strides[inner];
      dst.set(src.subarray(first, first + run), at);
      at += run;
      return;
    }
    for (let i = 0; i < extent[axis]; i++) copy(axis + 1, from + (start[axis] + i) * strides[axis]);
  };
  copy(0, 0);
  return out;
}

export const sliceConfig: tf.KernelConfig = {
  kernelName: tf.Slice,
  backendName: 'wasm',
  kernelFunc: slice,
};
