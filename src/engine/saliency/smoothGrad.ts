/**
 * SmoothGrad and its variants (Smilkov et al. 2017; Adebayo et al. 2018), a noise tunnel around
 * another method's per-example attribution A (Captum's NoiseTunnel): over `samples` noisy copies
 * x̃ = x + ε, ε ~ N(0, σ²), σ = noise × (max x − min x) (noise itself when x is constant),
 *   smoothgrad          mean A(x̃)
 *   smoothgrad-squared  mean A(x̃)²
 *   vargrad             variance of A(x̃) (population: mean of squares minus squared mean).
 * Each copy's noise comes from its own seed derived from options.seed and its index, so the result
 * does not depend on the internal batch size.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { SaliencyOptions } from '../../protocol/saliency';
import { LensError } from '../errors';
import type { NoisyGradientsJob } from '../../protocol/helper';
import { sharedBatchSize, sharedSum } from '../parallel/sharedSum';
import { batchSizeFor } from '../model/batching';
import { noisySums, type NoiseVariant } from '../model/noise';
import { gradientOfBatch, type BatchAttribution } from './gradient';
import { subjectOf, type Attribution, type AttributionInputs, type AttributionMethod } from './method';

export const DEFAULT_SEED = 1;

type Variant = NoiseVariant;

/**
 * The noise tunnel around any per-example gradient method (default: the vanilla gradient, which
 * is SmoothGrad), given as the method or as its batch attribution.
 */
export function noiseTunnel(base: AttributionMethod | BatchAttribution = gradientOfBatch): AttributionMethod {
  const ofBatch = typeof base === 'function' ? base : base.ofBatch;
  if (!ofBatch) throw new LensError('BAD_REQUEST', `The noise tunnel wraps per-example gradient methods; '${(base as AttributionMethod).id}' is not one.`);
  return {
    id: 'smoothgrad',
    usesBaseline: false,
    run: (inputs, options, ctx) => run(ofBatch, inputs, options, ctx),
  };
}

export const smoothGrad: AttributionMethod = noiseTunnel();

async function run(base: BatchAttribution, inputs: AttributionInputs, options: SaliencyOptions, ctx: RunContext): Promise<Attribution> {
  const { helper } = inputs;
  const subject = subjectOf(inputs);
  const { x } = subject;
  // The helper computes gradients at the input of the output column; other subjects and base attributions stay here.
  const at = subject.helper;
  const remote: RemoteSamples | undefined = helper && at && base === gradientOfBatch
    ? (job, signal) => helper.run({ kind: 'noise', modelPath: at.modelPath, target: at.target, shape: x.shape, x: x.dataSync() as Float32Array, ...job }, signal)
    : undefined;
  return smoothOver(x, subject.elements, (batch) => base(subject, batch), options, ctx, remote);
}

/** Evaluates samples [start, end) in the engine's gradient helper (noisySums there). */
export type RemoteSamples = (job: Omit<NoisyGradientsJob, 'kind' | 'modelPath' | 'target' | 'shape' | 'x'>, signal: AbortSignal) => Promise<Float32Array>;

/**
 * The noise tunnel around any per-example attribution `attribute` ([k, ...] → [k, ...],
 * synchronous, called inside a tidy) of the point x [1, ...]: in input space (above) or in a
 * layer's output space (token attribution at an embedding's output). `elements` sizes its batches
 * (exampleElements).
 */
export async function smoothOver(
  x: tf.Tensor,
  elements: number,
  attribute: (batch: tf.Tensor) => tf.Tensor,
  options: SaliencyOptions,
  ctx: RunContext,
  remote?: RemoteSamples,
): Promise<Attribution> {
  const samples = options.samples!;
  const noise = options.noise!;
  const variant: Variant = options.smoothVariant!;
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(samples) || samples < 1) throw new LensError('BAD_REQUEST', `Samples must be an integer ≥ 1 (got ${samples}).`);
  if (!Number.isFinite(noise) || noise < 0) throw new LensError('BAD_REQUEST', `Noise must be a finite number ≥ 0 (got ${noise}).`);
  if (!['smoothgrad', 'smoothgrad-squared', 'vargrad'].includes(variant)) {
    throw new LensError('BAD_REQUEST', `Unknown SmoothGrad variant '${variant}': use smoothgrad, smoothgrad-squared or vargrad.`);
  }

  ctx.signal.throwIfAborted();
  const sigma = await noiseScale(x, noise);
  // VarGrad sums deviations from the clean input's attribution: the shifted sums keep
  // E[a²] − E[a]² from cancelling catastrophically in float32 when the variance is small.
  const shift = variant === 'vargrad' ? tf.tidy(() => attribute(x)) : null;
  try {
    const bounded = batchSizeFor(elements, options);
    const shared = remote ? sharedBatchSize(samples, elements, bounded) : undefined;
    const shiftValues = shared && shift ? (shift.dataSync() as Float32Array) : undefined;
    const sums = await sharedSum(
      samples,
      shared ?? bounded,
      ctx,
      (start, end) => noisySums(attribute, x, { sigma, seed, start, end, variant, shift }),
      shared && remote
        ? {
          sumShape: [variant === 'vargrad' ? 2 : 1, ...x.shape.slice(1)],
          run: (start, end, signal) => remote({ sigma, seed, start, end, variant, ...(shiftValues ? { shift: shiftValues } : {}) }, signal),
        }
        : undefined,
    );
    const values = tf.tidy(() => {
      if (variant !== 'vargrad') return tf.div(sums, samples);
      const [first, second] = tf.unstack(tf.div(sums, samples));
      return tf.relu(tf.sub(second, tf.square(first))).reshape(x.shape);
    });
    sums.dispose();
    return { values };
  } finally {
    shift?.dispose();
  }
}

/** σ = noise × (max x − min x), or noise itself when x is constant. */
async function noiseScale(x: tf.Tensor, noise: number): Promise<number> {
  const extremes = tf.tidy(() => tf.stack([tf.min(x), tf.max(x)]));
  const [lo, hi] = await extremes.data();
  extremes.dispose();
  const range = hi - lo;
  return range > 0 ? noise * range : noise;
}
