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
 * Frames an NHWC tensor for a 'valid' conv: row r of the frame is row r - top of `t`
 * (zero outside it), and the frame is `top + h + bottom` rows tall; likewise columns.
 * Negative amounts crop `t` (one slice); positive ones come back as the conv's explicit
 * padding, so no padded copy is made. Null where the frame holds none of `t`: the conv is zero.
 */
export function frame(
  t: tf.Tensor4D,
  [top, bottom]: [number, number],
  [left, right]: [number, number],
): { input: tf.Tensor4D; pad: tf.backend_util.ExplicitPadding } | null {
  const [n, h, w, c] = t.shape;
  const clamp = (v: number, size: number) => Math.min(Math.max(v, 0), size);
  // The frame covers rows [-top, h + bottom) and columns [-left, w + right) of t.
  const [r0, r1] = [clamp(-top, h), clamp(h + bottom, h)];
  const [c0, c1] = [clamp(-left, w), clamp(w + right, w)];
  if (r1 <= r0 || c1 <= c0) return null;
  const input = r1 - r0 === h && c1 - c0 === w ? t : tf.slice(t, [0, r0, c0, 0], [n, r1 - r0, c1 - c0, c]);
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0], [r0 + top, h + bottom - r1], [c0 + left, w + right - c1], [0, 0]];
  return { input, pad };
}

/**
 * The input-gradient trick shared by conv and depthwise conv: dy with (stride − 1) zeros inserted
 * between rows and columns, framed so that a stride-1 conv with the flipped filter gives dx.
 * Null where no window reaches dy (dx is zero).
 */
export function spreadForInputGradient(
  dy: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
): { input: tf.Tensor4D; pad: tf.backend_util.ExplicitPadding } | null {
  const { batchSize: n, inHeight: h, inWidth: w, outChannels, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, padInfo, effectiveFilterHeight: eh, effectiveFilterWidth: ew } = info;
  // Zero insertion: [n, oh, 1, ow, 1, c] padded to [n, oh, sh, ow, sw, c].
  let spread = dy;
  if (sh > 1 || sw > 1) {
    const cells = tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, outChannels]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    spread = tf.reshape(cells, [n, oh * sh, ow * sw, outChannels]);
  }
  // Full convolution: the window of dx row r starts at spread row r - (eh - 1 - top).
  const top = eh - 1 - padInfo.top;
  const left = ew - 1 - padInfo.left;
  return frame(spread, [top, h + eh - 1 - top - oh * sh], [left, w + ew - 1 - left - ow * sw]);
}
