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

/** Normalizes a `[h, w] | n` attribute (strides, dilations, filter size) to a pair. */
export function pair(value: number | [number, number] | undefined, fallback = 1): [number, number] {
  if (value == null) return [fallback, fallback];
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

/**
 * Pads (positive amounts, with zeros) or crops (negative amounts) each axis of `t`:
 * `amounts[axis] = [before, after]`. One pad and at most one slice.
 */
export function padOrCrop(t: tf.Tensor, amounts: Array<[number, number]>): tf.Tensor {
  const padding = amounts.map(([b, a]) => [Math.max(b, 0), Math.max(a, 0)] as [number, number]);
  const padded = padding.some(([b, a]) => b > 0 || a > 0) ? tf.pad(t, padding) : t;
  if (!amounts.some(([b, a]) => b < 0 || a < 0)) return padded;
  const begin = amounts.map(([b]) => Math.max(-b, 0));
  const size = padded.shape.map((n, i) => n - begin[i] - Math.max(-amounts[i][1], 0));
  return tf.slice(padded, begin, size);
}

/**
 * `[size]` windows of `t` (rank 4, spatial axes 2 and 3) starting at `(row, col)` and
 * stepping by `(strideH, strideW)`: a plain slice where the strides are 1.
 */
export function spatialWindow(
  t: tf.Tensor4D,
  row: number,
  col: number,
  outH: number,
  outW: number,
  strideH: number,
  strideW: number,
): tf.Tensor4D {
  const [a, b] = t.shape;
  if (strideH === 1 && strideW === 1) return tf.slice(t, [0, 0, row, col], [a, b, outH, outW]);
  const end = [a, b, row + (outH - 1) * strideH + 1, col + (outW - 1) * strideW + 1];
  return tf.stridedSlice(t, [0, 0, row, col], end, [1, 1, strideH, strideW]) as tf.Tensor4D;
}
