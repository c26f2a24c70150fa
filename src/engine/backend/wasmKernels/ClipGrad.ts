/**
 * The gradient of clipByValue and relu6 (MobileNets' ReLU6 layers) as one pass over x and dy. tfjs
 * builds it from four or five whole-tensor kernels (GreaterEqual, LessEqual, LogicalAnd, Select,
 * ZerosLike; or LessEqual, Step, Multiply, Cast), and wasm's comparisons cost ≈20 ns per element:
 * ≈200 ms for one [2,112,112,96] activation. The gradient configs below send wasm here and every
 * other backend to tfjs's own gradient, with the same values, NaN handling included.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelParams, requireInputs } from './tensorInfo';

export const CLIP_GRAD = 'ModelLensClipGrad';

/**
 * 'clip': dy where min ≤ x ≤ max, else 0 (tfjs's where(…, dy, 0)).
 * 'relu6': dy · [min < x ≤ max], the mask NaN where x is (tfjs's mul(dy, lessEqual(x, 6) · step(x))).
 */
interface ClipGradAttrs { min: number; max: number; mode: 'clip' | 'relu6' }

type Buffer = Float32Array | Int32Array | Uint8Array;

function clipGrad({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, x } = requireInputs(CLIP_GRAD, inputs, 'dy', 'x');
  const { min, max, mode } = attrs as unknown as ClipGradAttrs;
  tf.util.assert(tf.util.arraysEqual(dy.shape, x.shape), () => `${CLIP_GRAD}: dy [${dy.shape}] and x [${x.shape}] differ`);
  const out = wasm.makeOutput(dy.shape, dy.dtype);
  if (tf.util.sizeFromShape(dy.shape) === 0) return out;
  // Views taken after the allocation above, which may grow (and so detach) the heap.
  const o = wasm.typedArrayFromHeap(out) as Buffer;
  const g = wasm.typedArrayFromHeap(dy) as Buffer;
  const v = wasm.typedArrayFromHeap(x) as Buffer;
  if (mode === 'clip') {
    for (let i = 0; i < o.length; i++) o[i] = v[i] >= min && v[i] <= max ? g[i] : 0;
  } else {
    for (let i = 0; i < o.length; i++) o[i] = g[i] * (v[i] > min && v[i] <= max ? 1 : Number.isNaN(v[i]) ? NaN : 0);
  }
  return out;
}

export const clipGradConfig: tf.KernelConfig = { kernelName: CLIP_GRAD, backendName: 'wasm', kernelFunc: clipGrad };

function maskedGradient(dy: tf.Tensor, x: tf.Tensor, attrs: ClipGradAttrs): tf.Tensor {
  return tf.engine().runKernel(CLIP_GRAD, { dy, x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** The mask is linear in dy and flat in x, so a second derivative masks again (tfjs's own allows one too). */
export const clipGradGradConfig: tf.GradConfig = {
  kernelName: CLIP_GRAD,
  inputsToSave: ['x'],
  gradFunc: (ddx, [x], attrs) => ({
    dy: () => maskedGradient(ddx as tf.Tensor, x, attrs as unknown as ClipGradAttrs),
    x: () => tf.zerosLike(x),
  }),
};

/** `kernelName`'s gradient through our kernel on wasm, through `builtin` (tfjs's config) elsewhere. */
function onWasm(builtin: tf.GradConfig, attrsOf: (attrs: tf.NamedAttrMap) => ClipGradAttrs): tf.GradConfig {
  return {
    kernelName: builtin.kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== 'wasm') return builtin.gradFunc(dy, saved, attrs);
      const [x] = saved;
      return { x: () => maskedGradient(dy as tf.Tensor, x, attrsOf(attrs)) };
    },
  };
}

/** Our ClipByValue and Relu6 gradients wrapping tfjs's, which must be the ones registered now. */
export function clipGradients(builtinClip: tf.GradConfig, builtinRelu6: tf.GradConfig): tf.GradConfig[] {
  return [
    onWasm(builtinClip, (attrs) => {
      const { clipValueMin, clipValueMax } = attrs as unknown as tf.ClipByValueAttrs;
      return { min: clipValueMin, max: clipValueMax, mode: 'clip' };
    }),
    onWasm(builtinRelu6, () => ({ min: 0, max: 6, mode: 'relu6' })),
  ];
}
