/**
 * Messages between the engine and its gradient helper: a second engine process that takes batches
 * of a long method's gradient evaluations (Integrated Gradients' path points), so that one request
 * uses both cores. The helper's batches are handed out one at a time, so a busy core takes fewer.
 */
import type { ErrorCode } from './errors';

/** Σₖ wₖ ∇F(b + αₖ (x − b)) over a batch of path nodes αₖ, for the model's output `target`. */
export interface PathGradientsJob {
  modelPath: string;
  target: number;
  /** The shape of x and of the baseline: [1, ...]. */
  shape: number[];
  x: Float32Array;
  baseline: Float32Array;
  nodes: number[];
  weights: number[];
}

/** Engine → helper. */
export type ToHelper = { type: 'job'; id: number; job: PathGradientsJob } | { type: 'cancel'; id: number };

/** Helper → engine. */
export type FromHelper =
  | { type: 'result'; id: number; sum: Float32Array }
  | { type: 'error'; id: number; code: ErrorCode; message: string };
