/**
 * Replaces wasm's own (an index computation per element: ≈400 ms to tile [1,1,1,16] to
 * [50,32,32,16], which every batch-norm input gradient does): x's rows copied into place, then each
 * block copied along its tiled axis, doubling (copyWithin) so a block of n repeats takes log n copies.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelParams, requireInputs } from './tensorInfo';

type Buffer = Float32Array | Int32Array | Uint8Array;

/** Fills buf[start + len, start + len·times) with `times − 1` more copies of buf[start, start + len). */
function repeatBlock(buf: Buffer, start: number, len: number, times: number): void {
  for (let filled = 1; filled < times; ) {
    const copies = Math.min(filled, times - filled);
    buf.copyWithin(start + filled * len, start, start + copies * len);
    filled += copies;
  }
}

function tile({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x } = requireInputs(tf.Tile, inputs, 'x');
  const { reps } = attrs as unknown as tf.TileAttrs;
  const rank = x.shape.length;
  tf.util.assert(reps.length === rank, () => `tile: reps [${reps}] must have one entry per axis of x [${x.shape}]`);
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = wasm.makeOutput(outShape, x.dtype);
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  if (rank === 0) {
    (wasm.typedArrayFromHeap(out) as Buffer).set(wasm.typedArrayFromHeap(x) as Buffer);
    return out;
  }
  // Views taken after the allocation above, which may grow (and so detach) the heap.
  const dst = wasm.typedArrayFromHeap(out) as Buffer;
  const src = wasm.typedArrayFromHeap(x) as Buffer;
  const xStrides = [...tf.util.computeStrides(x.shape), 1];
  const outStrides = [...tf.util.computeStrides(outShape), 1];
  const last = rank - 1;
  // Writes x's sub-block at axis d (from xAt) tiled into out (at outAt): x's own extent first, then its repeats.
  const fill = (d: number, xAt: number, outAt: number): void => {
    if (d === last) {
      dst.set(src.subarray(xAt, xAt + x.shape[d]), outAt);
    } else {
      for (let i = 0; i < x.shape[d]; i++) fill(d + 1, xAt + i * xStrides[d], outAt + i * outStrides[d]);
    }
    repeatBlock(dst, outAt, x.shape[d] * outStrides[d], reps[d]);
  };
  fill(0, 0, 0);
  return out;
}

export const tileConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: 'wasm',
  kernelFunc: tile,
};
