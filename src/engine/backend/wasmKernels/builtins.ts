/**
 * wasm's own kernels that ours replace, kept by registerWasmKernels for ours to delegate the cases they
 * leave to them (registerAll keeps their setupFunc, which binds their wasm function).
 */
import * as tf from '@tensorflow/tfjs';

const kept = new Map<string, tf.KernelConfig>();

/** Keeps `config`, the built-in kernel registered before ours. */
export function keepBuiltin(config: tf.KernelConfig): void {
  kept.set(config.kernelName, config);
}

/** The kept built-in kernel `name`. */
export function builtinKernel(name: string): tf.KernelConfig {
  const config = kept.get(name);
  if (!config) throw new Error(`${name}: the built-in wasm kernel was not kept before ours replaced it`);
  return config;
}
