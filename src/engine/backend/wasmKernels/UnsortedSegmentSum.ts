/**
 * Missing on wasm (gradient of gather, i.e. of embeddings): one typed-array pass adding each row of x
 * into its segment's row; ids outside [0, numSegments) are dropped, as on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelParams, requireInputs } from './tensorInfo';

function unsortedSegmentSum({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, segmentIds } = requireInputs(tf.UnsortedSegmentSum, inputs, 'x', 'segmentIds');
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const idRank = segmentIds.shape.length;
  tf.util.assert(
    tf.util.arraysEqual(x.shape.slice(0, idRank), segmentIds.shape),
    () => `unsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must prefix x shape [${x.shape}]`);
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const rowShape = x.shape.slice(idRank);
  const width = tf.util.sizeFromShape(rowShape);

  const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
  // Views taken after the allocation above, which may grow (and so detach) the heap.
  const sums = wasm.typedArrayFromHeap(out);
  const values = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  sums.fill(0);
  for (let i = 0; i < rows; i++) {
    const s = ids[i];
    if (!(s >= 0 && s < numSegments)) continue;
    const src = i * width;
    const dst = s * width;
    for (let j = 0; j < width; j++) sums[dst + j] += values[src + j];
  }
  return out;
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
