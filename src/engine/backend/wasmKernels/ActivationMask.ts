/**
 * The compiled inference form's activation gradient (checkpoint/inference/affine.ts) in one pass:
 * dy · step(y) for ReLU and dy · step(y · (6 − y)) for ReLU6, where tfjs ops take two and four
 * whole-tensor kernels. Four lanes at a time in SIMD on the heap (simd.ts); the tail, or everything
 * where the heap is not reachable, in a typed-array loop with the same rule.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ACTIVATION_MASK } from '../../common/kernelNames';
import { simdKernels } from './simd';
import { KernelParams, requireInputs } from './tensorInfo';

interface ActivationMaskAttrs { activation: 'relu' | 'relu6' }

function activationMask({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, y } = requireInputs(ACTIVATION_MASK, inputs, 'dy', 'y');
  const { activation } = attrs as unknown as ActivationMaskAttrs;
  tf.util.assert(tf.util.arraysEqual(dy.shape, y.shape) && dy.dtype === 'float32' && y.dtype === 'float32', () => `${ACTIVATION_MASK}: dy and y must be float32 of one shape`);
  // mask = 1 where lo < y and not y ≥ hi (hi NaN: no upper bound), NaN where y is NaN, else 0.
  const [lo, hi] = activation === 'relu6' ? [0, 6] : [0, Number.NaN];
  const out = wasm.makeOutput(dy.shape, 'float32');
  const size = tf.util.sizeFromShape(dy.shape);
  const simd = simdKernels(wasm);
  const vectors = simd ? size - (size % 4) : 0;
  if (simd && vectors > 0) {
    const offset = (t: tf.TensorInfo) => wasm.dataIdMap.get(t.dataId)!.memoryOffset;
    simd.maskedGradient(offset(dy), offset(y), offset(out), vectors * 4, lo, hi);
  }
  // Views taken after the allocation above, which may grow (and so detach) the heap.
  const o = wasm.typedArrayFromHeap(out) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const v = wasm.typedArrayFromHeap(y) as Float32Array;
  for (let i = vectors; i < size; i++) o[i] = g[i] * (Number.isNaN(v[i]) ? NaN : v[i] > lo && !(v[i] >= hi) ? 1 : 0);
  return out;
}

export const activationMaskConfig: tf.KernelConfig = { kernelName: ACTIVATION_MASK, backendName: 'wasm', kernelFunc: activationMask };
