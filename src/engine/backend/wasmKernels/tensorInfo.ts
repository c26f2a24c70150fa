/**
 * Memory ownership helpers shared by the wasm replacement kernels.
 *
 * A kernel receives bare `TensorInfo`s that its caller owns, and must return `TensorInfo`s
 * whose data it hands over (one backend reference each). To compose fast wasm kernels
 * through ordinary tf ops we wrap the inputs as tensors (adding a reference first, so that
 * disposing the wrapper leaves the caller's data alone), run the ops in a `tidy`, and hand
 * the result's data over by adding a reference before disposing the result's wrapper.
 * Kernels run with the tape off (the engine's kernelDepth > 0), so nothing here is recorded.
 */
import * as tf from '@tensorflow/tfjs';

/** The argument every kernelFunc receives. */
export type KernelParams = Parameters<tf.KernelFunc>[0];

/** The named inputs of a kernel call, each checked to be present. */
export function requireInputs<K extends string>(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  ...names: K[]
): Record<K, tf.TensorInfo> {
  const found = {} as Record<K, tf.TensorInfo>;
  for (const name of names) {
    const info = inputs[name];
    if (info == null) throw new Error(`${kernelName}: missing input '${name}'`);
    found[name] = info;
  }
  return found;
}

/** What the helpers need from a backend: the reference count every tfjs backend keeps. */
export interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

/** A tensor sharing `info`'s data; disposing it drops only its own reference. */
export function wrap(backend: RefCountingBackend, info: tf.TensorInfo): tf.Tensor {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** Disposes the wrapper `t` but keeps its data alive for the caller that receives the info. */
export function unwrap(backend: RefCountingBackend, t: tf.Tensor): tf.TensorInfo {
  backend.incRef(t.dataId);
  const info: tf.TensorInfo = { dataId: t.dataId, shape: t.shape.slice(), dtype: t.dtype };
  t.dispose();
  return info;
}

/**
 * Runs `f` (tf ops only, synchronous) on tensors wrapping `inputs`; returns the output's
 * TensorInfo owned by the caller, with every intermediate and wrapper disposed.
 */
export function runOps(
  backend: RefCountingBackend,
  inputs: tf.TensorInfo[],
  f: (...tensors: tf.Tensor[]) => tf.Tensor,
): tf.TensorInfo {
  const wrapped = inputs.map((info) => wrap(backend, info));
  try {
    return unwrap(backend, tf.tidy(() => f(...wrapped)));
  } finally {
    tf.dispose(wrapped);
  }
}

/**
 * Bottom and right padding that makes a conv's input exactly as tall and wide as its
 * windows reach (negative: trailing rows/columns no window reads; more than 'same'
 * asks for where ceil rounding lets the last window hang over the edge).
 */
export function trailingPadding(info: tf.backend_util.Conv2DInfo): [number, number] {
  const reachH = (info.outHeight - 1) * info.strideHeight + (info.filterHeight - 1) * info.dilationHeight + 1;
  const reachW = (info.outWidth - 1) * info.strideWidth + (info.filterWidth - 1) * info.dilationWidth + 1;
  return [reachH - info.inHeight - info.padInfo.top, reachW - info.inWidth - info.padInfo.left];
}

/**
 * Frames an NHWC tensor for a 'valid' conv: negative amounts crop it (one slice), positive
 * ones come back as the conv's explicit padding, so no padded copy is made.
 */
export function frame(
  t: tf.Tensor4D,
  [top, bottom]: [number, number],
  [left, right]: [number, number],
): { input: tf.Tensor4D; pad: tf.backend_util.ExplicitPadding } {
  const [n, h, w, c] = t.shape;
  const [cropTop, cropLeft] = [Math.max(-top, 0), Math.max(-left, 0)];
  const [keepH, keepW] = [h - cropTop - Math.max(-bottom, 0), w - cropLeft - Math.max(-right, 0)];
  const input = keepH === h && keepW === w ? t : tf.slice(t, [0, cropTop, cropLeft, 0], [n, keepH, keepW, c]);
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]];
  return { input, pad };
}
