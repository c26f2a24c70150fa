/**
 * The only side-effect file for wasm kernels: registers our replacements for the wasm
 * backend. Call it after `@tensorflow/tfjs-backend-wasm` has been imported (which registers
 * the built-in kernels) and before `tf.setBackend('wasm')`. Idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { activationMaskConfig } from './ActivationMask';
import { batchMatMulConfig } from './BatchMatMul';
import { keepBuiltin } from './builtins';
import { clipGradConfig, clipGradGradConfig, clipGradients } from './ClipGrad';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput';
import { identityConfig } from './Identity';
import { maxPoolGradConfig } from './MaxPoolGrad';
import { reverseConfig } from './Reverse';
import { sliceConfig } from './Slice';
import { tileConfig } from './Tile';
import { tileGradConfig } from './TileGrad';
import { unsortedSegmentSumConfig } from './UnsortedSegmentSum';

/**
 * Gradient kernels wasm lacks, plus replacements for built-in ones: MaxPoolGrad (wrong on
 * all-negative windows), Conv2DBackpropInput (plain C loops, ~10x slower than XNNPACK), and Tile
 * and Reverse (per-element index arithmetic; batch-norm and conv gradients call them); one kernel
 * for the gradient of clipByValue and relu6, which their gradients use on wasm; BatchMatMul wraps
 * the built-in one for transposed operands; Slice copies whole runs where wasm's copies innermost rows;
 * Identity shares its input's data where wasm's copies it (the tape clones every tensor it saves);
 * and the compiled inference form's ReLU/ReLU6 gradient mask in one pass.
 */
export const wasmKernelConfigs: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
  tileConfig,
  reverseConfig,
  sliceConfig,
  clipGradConfig,
  batchMatMulConfig,
  identityConfig,
  activationMaskConfig,
];

/** Whether tfjs's ClipByValue and Relu6 gradients are wrapped, and Tile's replaced, yet (gradients are global, not per backend). */
let gradientsWrapped = false;

export function registerWasmKernels(): void {
  for (const config of wasmKernelConfigs) {
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing) tf.unregisterKernel(config.kernelName, config.backendName);
    if (existing) keepBuiltin(existing); // ours may delegate to it
    // A built-in binds its wasm function in setupFunc, which other built-ins call too (Sum transposes): keep it.
    tf.registerKernel(existing?.setupFunc ? { ...config, setupFunc: existing.setupFunc } : config);
  }
  if (gradientsWrapped) return;
  const wrapped = clipGradients(tf.getGradient(tf.ClipByValue), tf.getGradient(tf.Relu6));
  for (const config of [...wrapped, clipGradGradConfig, tileGradConfig]) tf.registerGradient(config);
  gradientsWrapped = true;
}
