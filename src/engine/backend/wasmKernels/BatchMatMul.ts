/**
 * Wraps wasm's own for transposed operands, which it multiplies in plain loops 6–10× slower than its
 * XNNPACK path (a dense layer's input gradient is dy·Wᵀ and its weight gradient xᵀ·dy): the operand
 * is transposed explicitly and the built-in kernel runs untransposed.
 */
import * as tf from '@tensorflow/tfjs';
import { builtinKernel } from './builtins';
import { KernelParams, RefCountingBackend, requireInputs, runOps } from './tensorInfo';

/** t with its last two axes swapped. */
function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  perm.push(...perm.splice(-2).reverse());
  return tf.transpose(t, perm);
}

function batchMatMul(params: KernelParams): tf.TensorInfo | tf.TensorInfo[] {
  const { a, b } = requireInputs(tf.BatchMatMul, params.inputs, 'a', 'b');
  const { transposeA, transposeB } = params.attrs as unknown as tf.BatchMatMulAttrs;
  if (!transposeA && !transposeB) return builtinKernel(tf.BatchMatMul).kernelFunc(params);
  return runOps(params.backend as RefCountingBackend, [a, b], (a2, b2) =>
    tf.matMul(transposeA ? swapLast(a2) : a2, transposeB ? swapLast(b2) : b2));
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul,
};
