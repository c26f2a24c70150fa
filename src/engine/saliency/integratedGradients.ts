/**
 * Integrated Gradients (Sundararajan et al. 2017; Captum's IntegratedGradients): along the straight
 * path from the baseline b to x,
 *   attribution = (x − b) ⊙ ∫₀¹ ∇F(b + α (x − b)) dα ≈ (x − b) ⊙ Σᵢ wᵢ ∇F(b + αᵢ (x − b)),
 * with the interpolation points evaluated a batch at a time. Completeness says Σ attribution equals
 * F(x) − F(b); the result reports the quadrature's shortfall as completenessDelta.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { SaliencyOptions } from '../../protocol/saliency';
import { LensError } from '../errors';
import { sharedBatchSize, sharedSum, type RemoteBatch } from '../parallel/sharedSum';
import { batchSizeFor } from '../model/batching';
import { subjectOf, type Attribution, type AttributionInputs, type AttributionMethod } from './method';
import { quadrature } from './quadrature';
import { weightedPathGradients, type PathGradients } from '../model/pathGradients';


export const integratedGradients: AttributionMethod = {
  id: 'integrated-gradients',
  usesBaseline: true,
  run,
};

async function run(inputs: AttributionInputs, options: SaliencyOptions, ctx: RunContext): Promise<Attribution> {
  const { helper } = inputs;
  const subject = subjectOf(inputs);
  const { x } = subject;
  const at = subject.helper;
  return integrate(
    {
      x,
      baseline: inputs.baseline,
      gradientOf: subject.gradient,
      pathGradients: subject.pathGradients,
      scoreOf: subject.forward,
      elements: subject.elements,
      ...(helper && at ? { remote: (nodes, weights, b, signal) => helper.run({ kind: 'path', modelPath: at.modelPath, target: at.target, shape: x.shape, x: x.dataSync() as Float32Array, baseline: b, nodes, weights }, signal) } : {}),
    },
    options,
    ctx,
  );
}

/**
 * What Integrated Gradients integrates along the straight path from `baseline` (default zeros) to
 * `x` [1, ...]: in input space (the method above) or in a layer's output space (token attribution
 * at an embedding's output).
 */
export interface PathIntegrand {
  x: tf.Tensor;
  /** x's shape; owned by the caller. Default: zeros. */
  baseline?: tf.Tensor;
  /** ∇F at each of k points [k, ...] → [k, ...]; synchronous, called inside a tidy. */
  gradientOf(points: tf.Tensor): tf.Tensor;
  /** F at each of k points [k, ...] → [k]; synchronous, called inside a tidy. */
  scoreOf(points: tf.Tensor): tf.Tensor;
  /** Float32 elements one point occupies while its gradient runs (exampleElements): sizes the batches. */
  elements: number;
  /** Σᵢ wᵢ ∇F(b + αᵢ δ) for a batch of nodes, where something faster than gradientOf point by point knows how. */
  pathGradients?: PathGradients;
  /** Evaluates a batch of nodes in the engine's gradient helper (inputPathGradients there), given the baseline's values. */
  remote?: (nodes: number[], weights: number[], baseline: Float32Array, signal: AbortSignal) => Promise<Float32Array>;
}

/** (x − b) ⊙ Σᵢ wᵢ ∇F(b + αᵢ (x − b)) in batches of points, with the completeness delta. */
export async function integrate(f: PathIntegrand, options: SaliencyOptions, ctx: RunContext): Promise<Attribution> {
  ctx.signal.throwIfAborted();
  const { x } = f;
  // Defaulted at the engine's boundary (src/protocol/options), as are the other methods' options.
  const steps = options.steps!;
  const rule = quadrature(options.quadrature!, steps);
  if (f.baseline && !tf.util.arraysEqual(f.baseline.shape, x.shape)) {
    throw new LensError('BAD_REQUEST', `The baseline's shape [${f.baseline.shape}] differs from the input's [${x.shape}].`);
  }
  const exampleShape = x.shape.slice(1);
  const ownBaseline = f.baseline ? null : tf.zerosLike(x);
  const baseline = f.baseline ?? (ownBaseline as tf.Tensor);
  const created: tf.Tensor[] = ownBaseline ? [ownBaseline] : [];
  try {
    const delta = tf.tidy(() => tf.sub(x, baseline));
    created.push(delta);
    // Worth a helper only for long paths; then smaller batches let both threads share it.
    const pathGradients: PathGradients = f.pathGradients ?? ((...args) => weightedPathGradients(f.gradientOf, ...args));
    const bounded = batchSizeFor(f.elements, options);
    const shared = f.remote ? sharedBatchSize(steps, f.elements, bounded) : undefined;
    const remote = shared ? f.remote : undefined;
    const batchSize = shared ?? bounded;
    const baselineValues = remote ? (baseline.dataSync() as Float32Array) : undefined;
    const run: RemoteBatch | undefined = remote && baselineValues
      ? (start, end, signal) => remote(rule.nodes.slice(start, end), rule.weights.slice(start, end), baselineValues, signal)
      : undefined;
    // Σᵢ wᵢ ∇F(b + αᵢ δ), one batch of points per tidy: [1, ...].
    const weightedGradients = await sharedSum(
      steps,
      batchSize,
      ctx,
      (start, end) => pathGradients(baseline, delta, rule.nodes.slice(start, end), rule.weights.slice(start, end)),
      run ? { sumShape: [1, ...exampleShape], run } : undefined,
    );
    created.push(weightedGradients);
    const values = tf.tidy(() => tf.mul(delta, weightedGradients));
    try {
      // F(x) and F(b) one example at a time, so models with a fixed batch of one work with internalBatch 1.
      const check = tf.tidy(() => tf.concat([tf.reshape(tf.sum(values), [1]), tf.reshape(f.scoreOf(x), [1]), tf.reshape(f.scoreOf(baseline), [1])]));
      const [total, fx, fb] = await check.data();
      check.dispose();
      return { values, completenessDelta: total - (fx - fb), scoreGap: fx - fb };
    } catch (err) {
      values.dispose();
      throw err;
    }
  } finally {
    tf.dispose(created);
  }
}
