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
import { batchSizeFor, exampleElements, sumOverBatches } from './batching';
import type { Attribution, AttributionInputs, AttributionMethod } from './method';
import { quadrature } from './quadrature';
import { inputGradient, targetScore } from './score';

export const DEFAULT_STEPS = 64;

export const integratedGradients: AttributionMethod = {
  id: 'integrated-gradients',
  usesBaseline: true,
  run,
};

async function run(inputs: AttributionInputs, options: SaliencyOptions, ctx: RunContext): Promise<Attribution> {
  const { checkpoint, x, target } = inputs;
  return integrate(
    {
      x,
      baseline: inputs.baseline,
      gradientOf: (points) => inputGradient(checkpoint, points, target),
      scoreOf: (points) => targetScore(checkpoint, points, target),
      elements: exampleElements(checkpoint.model, x.size),
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
}

/** (x − b) ⊙ Σᵢ wᵢ ∇F(b + αᵢ (x − b)) in batches of points, with the completeness delta. */
export async function integrate(f: PathIntegrand, options: SaliencyOptions, ctx: RunContext): Promise<Attribution> {
  ctx.signal.throwIfAborted();
  const { x } = f;
  const steps = options.steps ?? DEFAULT_STEPS;
  const rule = quadrature(options.quadrature ?? 'gauss-legendre', steps);
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
    const batchSize = batchSizeFor(f.elements, options.internalBatch);
    // Σᵢ wᵢ ∇F(b + αᵢ δ), one batch of points per tidy: [1, ...].
    const weightedGradients = await sumOverBatches(steps, batchSize, ctx, (start, end) => {
      const column = [end - start, ...exampleShape.map(() => 1)];
      const alphas = tf.tensor(rule.nodes.slice(start, end), column, 'float32');
      const weights = tf.tensor(rule.weights.slice(start, end), column, 'float32');
      const points = tf.add(baseline, tf.mul(alphas, delta));
      const gradients = f.gradientOf(points);
      return tf.sum(tf.mul(gradients, weights), 0, true);
    });
    created.push(weightedGradients);
    const values = tf.tidy(() => tf.mul(delta, weightedGradients));
    try {
      // F(x) and F(b) one example at a time, so models with a fixed batch of one work with internalBatch 1.
      const check = tf.tidy(() => tf.concat([tf.reshape(tf.sum(values), [1]), tf.reshape(f.scoreOf(x), [1]), tf.reshape(f.scoreOf(baseline), [1])]));
      const [total, fx, fb] = await check.data();
      check.dispose();
      return { values, completenessDelta: total - (fx - fb) };
    } catch (err) {
      values.dispose();
      throw err;
    }
  } finally {
    tf.dispose(created);
  }
}
