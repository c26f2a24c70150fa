/**
 * Deletion and insertion curves (RISE, Petsiuk et al. 2018): remove (or add) features in
 * attribution order and track the target's probability. A faithful map makes the deletion curve
 * fall fast (low AUC) and the insertion curve rise fast (high AUC); a seeded random ordering gives
 * the scale.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { FaithfulnessMetrics } from '../../protocol/saliency';
import { forward, forwardAsync, type Runnable } from '../checkpoint/forward';
import { outputKind, toProbabilities, type OutputKind } from '../model/probabilities';
import { makeRng, shuffleInPlace } from '../common/random';
import { batchSizeFor, concatOverBatchesAsync, exampleElements } from '../model/batching';

export const DEFAULT_CURVE_STEPS = 20;

/** How an example's elements group into features: pixel positions × channels, or single columns. */
export interface FeatureLayout {
  /** Number of features: pixel positions (h·w) for images, elements otherwise. */
  features: number;
  /** Consecutive elements per feature: the image's channels, else 1. */
  channels: number;
}

/** Layout of an example of `shape` ([1, ...]): images group their channels per pixel position. */
export function featureLayout(shape: readonly number[], image?: { height: number; width: number }): FeatureLayout {
  const size = shape.slice(1).reduce((a, b) => a * b, 1);
  if (image && size % (image.height * image.width) === 0) {
    return { features: image.height * image.width, channels: size / (image.height * image.width) };
  }
  return { features: size, channels: 1 };
}

/** One score per feature: Σ |attribution| over the feature's channels. */
export function featureScores(attribution: ArrayLike<number>, layout: FeatureLayout): Float32Array {
  const { features, channels } = layout;
  if (attribution.length !== features * channels) {
    throw new Error(`featureScores: ${attribution.length} values do not fill ${features} features × ${channels} channels`);
  }
  const scores = new Float32Array(features);
  for (let f = 0; f < features; f++) {
    let s = 0;
    for (let k = 0; k < channels; k++) s += Math.abs(attribution[f * channels + k]);
    scores[f] = s;
  }
  return scores;
}

/** Feature indices by descending score; ties keep index order. */
export function orderByScore(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}

export interface CurveOptions {
  /** Removal steps (default 20; at most one per feature). The curves have steps + 1 points. */
  steps?: number;
  /** Seed of the random ordering (default 0). */
  seed?: number;
  /** Perturbed inputs per forward batch (default: from the memory budget). */
  internalBatch?: number;
  memoryBudgetMB?: number;
  /** What deleted features become (default zeros), shape of x. */
  deletionBaseline?: tf.Tensor;
  /** Where insertion starts (default zeros; pass a blurred copy for images), shape of x. */
  insertionBaseline?: tf.Tensor;
  /** Whether the outputs are logits or probabilities ('probabilities': read as they are, e.g. a regression's values); default: decided on x's own output. */
  outputKind?: OutputKind;
}

export type CurveMetrics = Omit<FaithfulnessMetrics, 'maxSensitivity' | 'sensitivityRadius'>;

/**
 * Deletion and insertion curves and their AUCs for x ([1, ...]) and one score per feature, plus
 * the AUCs of a seeded random ordering. Point i has the top round(i·F/k) features removed/added;
 * its x coordinate is that fraction of the F features.
 */
export async function deletionInsertion(
  checkpoint: Runnable,
  x: tf.Tensor,
  target: number,
  scores: ArrayLike<number>,
  layout: FeatureLayout,
  options: CurveOptions,
  ctx: RunContext,
): Promise<CurveMetrics> {
  const { features } = layout;
  if (scores.length !== features) throw new Error(`deletionInsertion: ${scores.length} scores for ${features} features`);
  if (x.shape[0] !== 1) throw new Error(`deletionInsertion: x must be one example, got shape [${x.shape}]`);
  const steps = Math.max(1, Math.min(options.steps ?? DEFAULT_CURVE_STEPS, features));
  const counts = Array.from({ length: steps + 1 }, (_, i) => Math.round((i * features) / steps));
  const fractions = counts.map((n) => n / features);
  const kind = options.outputKind ?? tf.tidy(() => outputKind(forward(checkpoint, x).reshape([1, -1]) as tf.Tensor2D));

  const owned: tf.Tensor[] = [];
  const own = (t: tf.Tensor): tf.Tensor => (owned.push(t), t);
  try {
    const deletionBase = options.deletionBaseline ?? own(tf.zerosLike(x));
    const insertionBase = options.insertionBaseline ?? own(tf.zerosLike(x));
    const attributed = ranks(orderByScore(scores));
    const random = ranks(shuffleInPlace(Array.from({ length: features }, (_, i) => i), makeRng(options.seed ?? 0)));
    const runs: [rank: Int32Array, from: tf.Tensor, to: tf.Tensor][] = [
      [attributed, x, deletionBase],
      [attributed, insertionBase, x],
      [random, x, deletionBase],
      [random, insertionBase, x],
    ];
    // The four curves' points are one list of runs × (steps + 1) forward passes, batched together.
    const points = counts.length;
    const batch = batchSizeFor(exampleElements(checkpoint.model, x.size), options);
    const progress: RunContext = { signal: ctx.signal, onProgress: (done, total) => ctx.onProgress(done, total, 'deletion/insertion') };
    const probs = await concatOverBatchesAsync(runs.length * points, batch, progress, async (start, end) => {
      const inputs = tf.tidy(() => {
        const parts: tf.Tensor[] = [];
        for (let r = Math.floor(start / points); r * points < end; r++) {
          const [rank, from, to] = runs[r];
          const [lo, hi] = [Math.max(start, r * points) - r * points, Math.min(end, (r + 1) * points) - r * points];
          const mask = tf.tensor(swapMask(rank, counts.slice(lo, hi), layout), [hi - lo, ...x.shape.slice(1)]);
          // Features ranked below the step's count come from `to`, the rest from `from`.
          parts.push(tf.add(tf.mul(from, tf.sub(1, mask)), tf.mul(to, mask)));
        }
        return (parts.length === 1 ? parts[0] : tf.concat(parts)).cast(x.dtype);
      });
      // Through executeAsync where the model needs it.
      const out = await forwardAsync(checkpoint, inputs).finally(() => inputs.dispose());
      try {
        return tf.tidy(() => toProbabilities(out.reshape([end - start, -1]) as tf.Tensor2D, kind).slice([0, target], [-1, 1]).reshape([-1]));
      } finally {
        out.dispose();
      }
    });
    const all = Array.from(await probs.data());
    probs.dispose();
    const [deletionCurve, insertionCurve, randomDeletion, randomInsertion] = runs.map((_, r) => all.slice(r * points, (r + 1) * points));
    return {
      deletionCurve,
      insertionCurve,
      deletionAuc: trapezoidAuc(fractions, deletionCurve),
      insertionAuc: trapezoidAuc(fractions, insertionCurve),
      randomDeletionAuc: trapezoidAuc(fractions, randomDeletion),
      randomInsertionAuc: trapezoidAuc(fractions, randomInsertion),
      randomDeletionCurve: randomDeletion,
      randomInsertionCurve: randomInsertion,
    };
  } finally {
    tf.dispose(owned);
  }
}

/** Area under y(x) by the trapezoid rule. */
export function trapezoidAuc(xs: readonly number[], ys: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < xs.length; i++) area += ((xs[i] - xs[i - 1]) * (ys[i] + ys[i - 1])) / 2;
  return area;
}

/** rank[f] = position of feature f in `order`. */
function ranks(order: readonly number[]): Int32Array {
  const rank = new Int32Array(order.length);
  order.forEach((f, i) => (rank[f] = i));
  return rank;
}

/** Masks for a batch of steps: 1 where the feature is among the step's first `count` in rank order. */
function swapMask(rank: Int32Array, counts: readonly number[], layout: FeatureLayout): Float32Array {
  const { features, channels } = layout;
  const per = features * channels;
  const mask = new Float32Array(counts.length * per);
  counts.forEach((count, b) => {
    for (let f = 0; f < features; f++) {
      if (rank[f] < count) mask.fill(1, b * per + f * channels, b * per + (f + 1) * channels);
    }
  });
  return mask;
}
