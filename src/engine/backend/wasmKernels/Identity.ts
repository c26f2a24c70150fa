/**
 * Replaces wasm's own, which copies the data: the tape clones every tensor it saves for a gradient
 * through Identity, so each backward pass copied its saved activations once more. Tensors are
 * immutable, so the output shares the input's data with one more reference, as the cpu and webgl
 * backends' Identity and wasm's own Reshape do.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { builtinKernel } from './builtins';
import { KernelParams, requireInputs } from './tensorInfo';

function identity(params: KernelParams): tf.TensorInfo {
  const { x } = requireInputs(tf.Identity, params.inputs, 'x');
  // Strings live outside the heap, where wasm's own kernel handles them.
  if (x.dtype === 'string') return builtinKernel(tf.Identity).kernelFunc(params) as tf.TensorInfo;
  (params.backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity,
};
