/**
 * Turns a layer graph into steps for inference: every convolution and dense layer becomes an affine
 * step (affine.ts), with an inference-mode batch normalization that only it feeds folded into its
 * weights, and a ReLU/ReLU6 that only it feeds fused into it, as TensorFlow Lite and ONNX Runtime do.
 * The batch-norm kernels, their gradients and the layers' tape copies disappear from every forward
 * and backward pass. Other layers run as themselves.
 */
import * as tf from '@tensorflow/tfjs';
import type { Affine, AffineOp, FusedActivation } from './affine';
import type { LayerCall, LayerGraph } from './graph';

/** The parts of tfjs-layers' (typed-internal) layer fields read here. */
interface LayerVariableLike {
  read(): tf.Variable;
}
interface ActivationLike {
  getClassName(): string;
  apply(x: tf.Tensor): tf.Tensor;
}
interface LayerFields {
  kernel?: LayerVariableLike;
  depthwiseKernel?: LayerVariableLike;
  pointwiseKernel?: LayerVariableLike;
  bias?: LayerVariableLike | null;
  useBias?: boolean;
  strides?: number[];
  padding?: string;
  dilationRate?: number | number[];
  dataFormat?: string;
  rank?: number;
  activation?: ActivationLike;
  // BatchNormalization
  axis?: number;
  epsilon?: number;
  gamma?: LayerVariableLike | null;
  beta?: LayerVariableLike | null;
  movingMean?: LayerVariableLike;
  movingVariance?: LayerVariableLike;
  // ReLU
  maxValue?: number | null;
}
type Layer = tf.layers.Layer & LayerFields;

/** Holds an activation that runs after a step, read when it runs (influence's withLogits swaps it). */
export interface ActivationHolder {
  activation?: ActivationLike;
}

export type Step =
  | { kind: 'affine'; affine: Affine; input: number; output: number; /** the layer's own activation, when it is not fusable */ then?: ActivationHolder }
  | { kind: 'layer'; layer: tf.layers.Layer; inputs: number[]; output: number };

export interface Plan {
  steps: Step[];
  /** Tensors the plan owns (folded kernels and biases). */
  owned: tf.Tensor[];
  /** The layer variables the folded weights were computed from: a write to any makes the plan stale. */
  sources: tf.Variable[];
}

/** What folding one affine layer needs from the whole plan. */
interface Folding {
  plan: Plan;
  /** Calls merged into an earlier step. */
  absorbed: Set<LayerCall>;
  /** The one call reading a tensor, when nothing else (not even the model's output) does. */
  soleReader(id: number): LayerCall | undefined;
  /** Reads a layer variable, recording it as a source of the plan. */
  read(v: LayerVariableLike): tf.Variable;
}

export function planSteps(graph: LayerGraph): Plan {
  const readersOf = new Map<number, LayerCall[]>();
  for (const call of graph.calls) for (const id of call.inputs) readersOf.set(id, [...(readersOf.get(id) ?? []), call]);
  const plan: Plan = { steps: [], owned: [], sources: [] };
  const folding: Folding = {
    plan,
    absorbed: new Set(),
    soleReader: (id) => (graph.readers.get(id) === 1 && id !== graph.output ? readersOf.get(id)?.[0] : undefined),
    read: (v) => {
      const value = v.read();
      plan.sources.push(value);
      return value;
    },
  };
  for (const call of graph.calls) {
    if (folding.absorbed.has(call)) continue;
    const op = affineOp(call.layer as Layer);
    plan.steps.push(op ? affineStep(call, op, folding) : { kind: 'layer', layer: call.layer, inputs: call.inputs, output: call.output });
  }
  return plan;
}

/** The affine layer `call`, with the batch norm and then the ReLU that only it feeds absorbed. */
function affineStep(call: LayerCall, op: AffineOp, folding: Folding): Step {
  const layer = call.layer as Layer;
  let activation = fusable(layer.activation?.getClassName() ?? 'linear');
  let output = call.output;
  let scale: tf.Tensor1D | undefined;
  let shift: tf.Tensor1D | undefined;
  const bn = activation === 'linear' ? folding.soleReader(output) : undefined;
  if (bn && isFoldableBatchNorm(bn.layer as Layer)) {
    folding.absorbed.add(bn);
    output = bn.output;
    [scale, shift] = batchNormAffine(bn.layer as Layer, folding.read);
  }
  const next = activation === 'linear' ? folding.soleReader(output) : undefined;
  const nextActivation = next ? activationLayer(next.layer as Layer) : undefined;
  if (next && nextActivation) {
    folding.absorbed.add(next);
    output = next.output;
    activation = nextActivation;
  }
  const [kernel, bias] = tf.tidy<[tf.Tensor, tf.Tensor1D | undefined]>(() => foldedWeights(layer, op, folding.read, scale, shift));
  tf.dispose([scale, shift].filter((t): t is tf.Tensor1D => t !== undefined));
  const transposed = isPointwise(op, kernel) ? tf.tidy(() => kernel.reshape([-1, kernel.shape[kernel.rank - 1]]).transpose() as tf.Tensor2D) : undefined;
  // Kept: a refold may happen inside the caller's tidy, which must not free the plan's weights.
  folding.plan.owned.push(...[kernel, bias, transposed].filter((t): t is tf.Tensor => t !== undefined).map((t) => tf.keep(t)));
  const affine: Affine = { op, kernel, bias: bias ?? null, activation: activation ?? 'linear', ...(transposed ? { transposed } : {}) };
  return { kind: 'affine', affine, input: call.inputs[0], output, ...(activation === undefined ? { then: layer } : {}) };
}

/** Whether the op's product is one matMul per pixel (see Affine.transposed). */
function isPointwise(op: AffineOp, kernel: tf.Tensor): boolean {
  if (op.kind === 'dense' || op.kind === 'separable') return true;
  return op.kind === 'conv2d' && kernel.shape[0] === 1 && kernel.shape[1] === 1 && op.strides[0] === 1 && op.strides[1] === 1;
}

/** The affine op a layer computes, or undefined when it is not one this file folds. */
function affineOp(layer: Layer): AffineOp | undefined {
  const name = layer.getClassName();
  if (name === 'Dense') return { kind: 'dense' };
  if (layer.dataFormat !== 'channelsLast' || layer.rank !== 2) return undefined;
  const strides = pair(layer.strides);
  const pad = layer.padding as 'same' | 'valid';
  if (pad !== 'same' && pad !== 'valid') return undefined;
  if (name === 'Conv2D') return { kind: 'conv2d', strides, pad, dilations: pair(layer.dilationRate) };
  // tfjs's DepthwiseConv2D ignores its dilation rate; so does this.
  if (name === 'DepthwiseConv2D') return { kind: 'depthwise', strides, pad };
  if (name === 'SeparableConv2D' && layer.depthwiseKernel) {
    return { kind: 'separable', strides, pad, dilations: pair(layer.dilationRate), depthwiseKernel: layer.depthwiseKernel.read() as tf.Tensor4D };
  }
  return undefined;
}

function pair(value: number | number[] | undefined): [number, number] {
  const v = value ?? 1;
  return typeof v === 'number' ? [v, v] : [v[0], v[1] ?? v[0]];
}

/** The fused form of an activation, or undefined when it must run on its own. */
function fusable(name: string): FusedActivation | undefined {
  if (name === 'linear' || name === 'relu' || name === 'relu6') return name;
  return undefined;
}

/** An activation-only layer that a preceding affine step can absorb. */
function activationLayer(layer: Layer): FusedActivation | undefined {
  const name = layer.getClassName();
  if (name === 'ReLU') return layer.maxValue == null ? 'relu' : layer.maxValue === 6 ? 'relu6' : undefined;
  if (name === 'Activation') {
    const fused = fusable(layer.activation?.getClassName() ?? '');
    return fused === 'linear' ? undefined : fused;
  }
  return undefined;
}

/** Inference-mode batch normalization over the last axis. */
function isFoldableBatchNorm(layer: Layer): boolean {
  if (layer.getClassName() !== 'BatchNormalization' || !layer.movingMean || !layer.movingVariance) return false;
  const rank = layer.outputShape.length;
  return layer.axis === -1 || layer.axis === rank - 1;
}

/** BN(y) = y·s + t with s = γ/√(σ² + ε), t = β − μ·s (γ = 1 and β = 0 when the layer has none). */
function batchNormAffine(layer: Layer, read: (v: LayerVariableLike) => tf.Variable): [tf.Tensor1D, tf.Tensor1D] {
  return tf.tidy(() => {
    const mean = read(layer.movingMean as LayerVariableLike);
    const variance = read(layer.movingVariance as LayerVariableLike);
    const inverse = tf.rsqrt(tf.add(variance, layer.epsilon ?? 1e-3));
    const scale = (layer.gamma ? tf.mul(read(layer.gamma), inverse) : inverse) as tf.Tensor1D;
    const shifted = tf.neg(tf.mul(mean, scale));
    const shift = (layer.beta ? tf.add(read(layer.beta), shifted) : shifted) as tf.Tensor1D;
    return [scale, shift];
  });
}

/** The step's own kernel and bias, with BN's per-output-channel scale and shift folded in. */
function foldedWeights(
  layer: Layer,
  op: AffineOp,
  read: (v: LayerVariableLike) => tf.Variable,
  scale: tf.Tensor1D | undefined,
  shift: tf.Tensor1D | undefined,
): [tf.Tensor, tf.Tensor1D | undefined] {
  const source = op.kind === 'depthwise' ? layer.depthwiseKernel : op.kind === 'separable' ? layer.pointwiseKernel : layer.kernel;
  const raw = read(source as LayerVariableLike);
  // Output channels lie along the kernel's last axis, except depthwise: [h, w, in, multiplier].
  const channelScale = scale && op.kind === 'depthwise' ? scale.reshape(raw.shape.slice(2)) : scale;
  const kernel = channelScale ? tf.mul(raw, channelScale) : tf.clone(raw);
  const bias = layer.useBias !== false && layer.bias ? read(layer.bias) : null;
  let folded: tf.Tensor | undefined = bias ? tf.clone(bias) : undefined;
  if (scale && shift) folded = bias ? tf.add(tf.mul(bias, scale), shift) : shift.clone();
  return [kernel, folded as tf.Tensor1D | undefined];
}
