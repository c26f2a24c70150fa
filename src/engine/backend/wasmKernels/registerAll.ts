/**
 * The only side-effect file for wasm kernels: registers our replacements for the wasm
 * backend. Call it after `@tensorflow/tfjs-backend-wasm` has been imported (which registers
 * the built-in kernels) and before `tf.setBackend('wasm')`. Idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput';
import { maxPoolGradConfig } from './MaxPoolGrad';
import { unsortedSegmentSumConfig } from './UnsortedSegmentSum';

/**
 * Gradient kernels wasm lacks, plus replacements for two built-in ones: MaxPoolGrad (wrong on
 * all-negative windows) and Conv2DBackpropInput (plain C loops, ~10x slower than XNNPACK).
 */
export const wasmKernelConfigs: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
];

export function registerWasmKernels(): void {
  for (const config of wasmKernelConfigs) {
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
