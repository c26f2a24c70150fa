/**
 * A convolution or dense layer as one affine step, y = act(W ∗ x + b), with weights it owns (any
 * batch normalization after it is folded in, see fold.ts). The forward pass is always one fused
 * kernel. Under a gradient the step is a custom gradient with respect to x only: tfjs's fused ops
 * compute dW and db eagerly inside their own custom gradient even when only dx is wanted, and its
 * unfused ops cost three kernels forward and a slow ReLU6 mask backward.
 */
import * as tf from '@tensorflow/tfjs';
import { ACTIVATION_MASK } from '../../common/kernelNames';

/** Activations fused into the step; any other runs after it through the layer's own activation. */
export type FusedActivation = 'linear' | 'relu' | 'relu6';

export type AffineOp =
  | { kind: 'conv2d'; strides: [number, number]; pad: 'same' | 'valid'; dilations: [number, number] }
  | { kind: 'depthwise'; strides: [number, number]; pad: 'same' | 'valid' }
  /** depthwise then 1×1; `depthwiseKernel` is the layer's own, the pointwise kernel is the step's `kernel`. */
  | { kind: 'separable'; strides: [number, number]; pad: 'same' | 'valid'; dilations: [number, number]; depthwiseKernel: tf.Tensor4D }
  | { kind: 'dense' };

export interface Affine {
  op: AffineOp;
  /** Owned by the step (folded copies). */
  kernel: tf.Tensor;
  bias: tf.Tensor1D | null;
  activation: FusedActivation;
  /**
   * The kernel as an [out, in] matrix (owned), where the input gradient of the kernel's product is
   * one matMul, dx = dy · Wᵀ: dense steps, 1×1 stride-1 convolutions, the pointwise half of separable ones.
   */
  transposed?: tf.Tensor2D;
}

export function runAffine(step: Affine, x: tf.Tensor): tf.Tensor {
  if (step.op.kind === 'dense') return dense(step, x);
  if (tf.engine().state.gradientDepth === 0) return convForward(step, x);
  if (hasDilation(step.op)) return tapedConv(step, x);
  return withInputGradient(step, x, convForward, (g, input, out) => convInputGradient(step, g, input, out));
}

export function hasDilation(op: AffineOp): boolean {
  return 'dilations' in op && (op.dilations[0] > 1 || op.dilations[1] > 1);
}

/**
 * f(x) with the gradient flowing to x alone: dy is masked by the activation's derivative, read off
 * the output (y > 0 for ReLU, 0 < y < 6 for ReLU6), then `inputGradient` maps it back to x.
 */
function withInputGradient(
  step: Affine,
  x: tf.Tensor,
  forward: (step: Affine, x: tf.Tensor) => tf.Tensor,
  inputGradient: (g: tf.Tensor, x: tf.Tensor, y: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  const f = (input: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = forward(step, input);
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, [out]: tf.Tensor[]) => inputGradient(activationGradient(step.activation, dy, out), input, out) };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(x);
}

/** The step's forward pass as fused kernels, recorded or not (under a gradient, use runAffine). */
export function affineForward(step: Affine, x: tf.Tensor): tf.Tensor {
  return step.op.kind === 'dense' ? overRows(step, x, (rows) => denseForward(step, rows)) : convForward(step, x);
}

/** Lᵀg: the gradient of the step's linear part for g = dL/d(pre-activation), shaped like x (no dilation). */
export function affineInputGradient(step: Affine, g: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (step.op.kind !== 'dense') return convInputGradient(step, g, x, g);
  const transposed = step.transposed as tf.Tensor2D;
  return tf.matMul(g.reshape([-1, transposed.shape[0]]) as tf.Tensor2D, transposed).reshape(x.shape);
}

/** act(v), differentiable through the same mask as the fused steps' gradient. */
export function activate(activation: FusedActivation, v: tf.Tensor): tf.Tensor {
  if (activation === 'linear') return v;
  const f = (input: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = activation === 'relu' ? tf.relu(input) : tf.relu6(input);
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, [out]: tf.Tensor[]) => activationGradient(activation, dy, out) };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(v);
}

/**
 * dy · act'(pre-activation), from the output: one pass where the backend registers the mask kernel
 * (wasm), else step(), one fast unary kernel where comparisons are slow.
 */
function activationGradient(activation: FusedActivation, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (activation !== 'linear' && tf.getKernel(ACTIVATION_MASK, tf.getBackend())) {
    return tf.engine().runKernel(ACTIVATION_MASK, { dy, y }, { activation }) as tf.Tensor;
  }
  if (activation === 'relu') return tf.mul(dy, tf.step(y));
  if (activation === 'relu6') return tf.mul(dy, tf.step(tf.mul(y, tf.sub(6, y))));
  return dy;
}

/** One fused kernel; `bias` may be absent, which the kernels accept though the map's type does not. */
function runFused(kernel: string, inputs: Record<string, tf.Tensor | undefined>, attrs: tf.NamedAttrMap): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs as tf.NamedTensorMap, attrs) as tf.Tensor;
}

function convForward(step: Affine, x: tf.Tensor): tf.Tensor {
  const { op, activation } = step;
  const bias = step.bias ?? undefined;
  if (op.kind === 'dense') throw new Error('convForward: a dense step');
  if (op.kind === 'depthwise') {
    return runFused(tf.FusedDepthwiseConv2D, { x, filter: step.kernel, bias }, { strides: op.strides, pad: op.pad, dataFormat: 'NHWC', dilations: 1, activation });
  }
  const input = op.kind === 'separable' ? tf.depthwiseConv2d(x as tf.Tensor4D, op.depthwiseKernel, op.strides, op.pad, 'NHWC', op.dilations) : x;
  const conv = op.kind === 'separable' ? { strides: 1, pad: 'valid', dilations: 1 } : { strides: op.strides, pad: op.pad, dilations: op.dilations };
  return runFused(tf.FusedConv2D, { x: input, filter: step.kernel, bias }, { ...conv, dataFormat: 'NHWC', activation });
}

/** Dilated convolutions under a gradient: plain ops, which the tape differentiates (and prunes to dx). */
function tapedConv(step: Affine, x: tf.Tensor): tf.Tensor {
  const { op } = step as { op: Extract<AffineOp, { dilations: [number, number] }> };
  const input = op.kind === 'separable' ? tf.depthwiseConv2d(x as tf.Tensor4D, op.depthwiseKernel, op.strides, op.pad, 'NHWC', op.dilations) : x;
  const [strides, pad, dilations] = op.kind === 'separable' ? [1, 'valid' as const, 1] : [op.strides, op.pad, op.dilations];
  const y = tf.conv2d(input as tf.Tensor4D, step.kernel as tf.Tensor4D, strides, pad, 'NHWC', dilations);
  const biased = step.bias ? tf.add(y, step.bias) : y;
  return step.activation === 'relu' ? tf.relu(biased) : step.activation === 'relu6' ? tf.relu6(biased) : biased;
}

/** dx from g = dL/d(pre-activation), for the conv kinds (no dilation). */
function convInputGradient(step: Affine, g: tf.Tensor, x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const { op } = step;
  if (op.kind === 'depthwise') return depthwiseInputGradient(g, step.kernel, x.shape, op.strides, op.pad);
  if (op.kind === 'dense') throw new Error('convInputGradient: a dense step');
  if (op.kind === 'conv2d' && step.transposed) return pointwiseInputGradient(g, step.transposed, x.shape);
  if (op.kind === 'conv2d') return tf.conv2dTranspose(g as tf.Tensor4D, step.kernel as tf.Tensor4D, x.shape as [number, number, number, number], op.strides, op.pad);
  // separable: back through the 1×1 pointwise conv, then through the depthwise one.
  const [n, h, w] = y.shape;
  const dMiddle = pointwiseInputGradient(g, step.transposed as tf.Tensor2D, [n, h, w, step.kernel.shape[2] as number]);
  return depthwiseInputGradient(dMiddle, op.depthwiseKernel, x.shape, op.strides, op.pad);
}

/** A 1×1 stride-1 convolution's input gradient: each pixel's dy times Wᵀ. */
function pointwiseInputGradient(g: tf.Tensor, transposed: tf.Tensor2D, inputShape: number[]): tf.Tensor {
  return tf.matMul(g.reshape([-1, transposed.shape[0]]) as tf.Tensor2D, transposed).reshape(inputShape);
}

function depthwiseInputGradient(dy: tf.Tensor, filter: tf.Tensor, inputShape: number[], strides: [number, number], pad: 'same' | 'valid'): tf.Tensor {
  return tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter }, { strides, pad, dilations: 1, inputShape }) as tf.Tensor;
}

/** Dense layers multiply along the last axis. */
function dense(step: Affine, x: tf.Tensor): tf.Tensor {
  return overRows(step, x, (rows) =>
    tf.engine().state.gradientDepth === 0
      ? denseForward(step, rows)
      : withInputGradient(step, rows, denseForward, (g) => tf.matMul(g as tf.Tensor2D, step.transposed as tf.Tensor2D)));
}

/** f on x as rows [examples…, features] → [examples…, units]: dense layers take inputs of any rank. */
function overRows(step: Affine, x: tf.Tensor, f: (rows: tf.Tensor) => tf.Tensor): tf.Tensor {
  const units = step.kernel.shape[1] as number;
  const out = f(x.rank === 2 ? x : x.reshape([-1, x.shape[x.rank - 1]]));
  return x.rank === 2 ? out : out.reshape([...x.shape.slice(0, -1), units]);
}

/** The kernel multiplies batches of matrices: [1, m, k] · [1, k, n]. */
function denseForward(step: Affine, rows: tf.Tensor): tf.Tensor {
  const [m, k] = rows.shape;
  const n = step.kernel.shape[1] as number;
  const inputs = { a: rows.reshape([1, m, k]), b: step.kernel.reshape([1, k, n]), bias: step.bias ?? undefined };
  return runFused(tf._FusedMatMul, inputs, { transposeA: false, transposeB: false, activation: step.activation }).reshape([m, n]);
}
