/**
 * Messages between the engine and its gradient helper: a worker thread with its own tfjs that takes
 * batches of a long method's gradient evaluations (Integrated Gradients' path points, SmoothGrad's
 * noisy samples), so that one request uses both cores. Batches are handed out one at a time, so a
 * busy core takes fewer.
 */
import type { ErrorCode } from './errors';
import type { SaliencyOptions } from './saliency';

/** What every job names: the model, the output explained and the input x [1, ...]. */
interface JobBase {
  modelPath: string;
  target: number;
  /** x's shape: [1, ...]. */
  shape: number[];
  x: Float32Array;
}

/** Σₖ wₖ ∇F(b + αₖ (x − b)) over a batch of path nodes αₖ. */
export interface PathGradientsJob extends JobBase {
  kind: 'path';
  baseline: Float32Array;
  nodes: number[];
  weights: number[];
}

/** SmoothGrad's sums over noisy samples [start, end) of x, each seeded by its index (smoothGrad.ts). */
export interface NoisyGradientsJob extends JobBase {
  kind: 'noise';
  sigma: number;
  seed: number;
  start: number;
  end: number;
  variant: NonNullable<SaliencyOptions['smoothVariant']>;
  /** VarGrad: the clean input's attribution, which the samples are centred on. */
  shift?: Float32Array;
}

export type HelperJob = PathGradientsJob | NoisyGradientsJob;

/** Engine → helper. */
export type ToHelper = { type: 'job'; id: number; job: HelperJob } | { type: 'cancel'; id: number };

/** Helper → engine. */
export type FromHelper =
  | { type: 'result'; id: number; sum: Float32Array }
  | { type: 'error'; id: number; code: ErrorCode; message: string };
