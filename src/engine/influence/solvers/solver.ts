/**
 * Inverse-Hessian-vector products: solve (H + λI) x = b, with H the mean training-loss Hessian over
 * the scope's parameters. One interface for the three solvers (cg, lissa, exact) so influence
 * functions and self-influence do not care which one runs.
 */
import type { RunContext } from '../../../protocol/engine';
import { LensError } from '../../errors';
import { makeRng } from '../../common/random';
import { dot, type Hvp } from '../hvp';

export interface Solution {
  x: Float64Array;
  iterations: number;
  /**
   * Iterative solvers: ‖(H + λI)x − b‖ / ‖b‖, measured with a full-data Hessian-vector product.
   * Absent for the exact solver, whose solve is exact for the Hessian it built.
   */
  residual?: number;
}

export interface IhvpSolver {
  solve(b: Float64Array, ctx: RunContext): Promise<Solution>;
  /** The λ in use: the one asked for, or more once automatic damping had to raise it (raisedDamping). */
  readonly damping: number;
}

/** v ↦ (H + λI) v. */
export function damped(hvp: Hvp, damping: number): Hvp {
  return (v) => {
    const hv = hvp(v);
    for (let i = 0; i < hv.length; i++) hv[i] += damping * v[i];
    return hv;
  };
}

export function relativeResidual(a: Hvp, x: Float64Array, b: Float64Array): number {
  const ax = a(x);
  let r = 0;
  for (let i = 0; i < b.length; i++) r += (ax[i] - b[i]) ** 2;
  return Math.sqrt(r) / Math.max(Math.sqrt(dot(b, b)), Number.MIN_VALUE);
}

/**
 * When the caller did not choose λ and H + λI is not positive definite (a model that is not at a
 * strict minimum: ReLU networks, early stopping), λ is raised just past the most negative
 * eigenvalue by this margin over the default, instead of failing. The result reports the λ used.
 */
export function raisedDamping(smallestEigenvalue: number, damping: number): number {
  return damping - 1.5 * Math.min(0, smallestEigenvalue) + Number.EPSILON;
}

const POWER_ITERATIONS = 30;

/**
 * The eigenvalue of largest magnitude of a symmetric operator, by power iteration: an estimate
 * (it converges slowly when the top two are close), which is all scale choices need.
 */
export function dominantEigenvalue(a: Hvp, size: number, seed: number): number {
  const random = makeRng(seed + 1);
  let v: Float64Array = Float64Array.from({ length: size }, () => random() - 0.5);
  let lambda = 0;
  for (let k = 0; k < POWER_ITERATIONS; k++) {
    const norm = Math.sqrt(dot(v, v));
    if (norm === 0) return 0;
    v = v.map((x) => x / norm);
    const av = a(v);
    lambda = dot(v, av);
    v = av;
  }
  return lambda;
}

/** The smallest eigenvalue of H, from the dominant one of (σI − H) with σ ≥ λ_max(H). */
export function smallestEigenvalue(hvp: Hvp, size: number): number {
  const sigma = Math.abs(dominantEigenvalue(hvp, size, 0));
  const shifted: Hvp = (v) => hvp(v).map((hv, i) => sigma * v[i] - hv);
  return sigma - dominantEigenvalue(shifted, size, 1);
}

export function notPositiveDefinite(detail: string, damping: number): LensError {
  return new LensError(
    'BAD_REQUEST',
    `The damped Hessian H + ${damping}·I is not positive definite (${detail}): the model is not at a minimum of its training loss, or the scope is non-convex there. Raise the damping (--damping / damping) or narrow the scope to the last layer.`,
  );
}

/** Yields to the event loop so cancellation can arrive, then throws if it did. */
export async function checkpointed(ctx: RunContext): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  ctx.signal.throwIfAborted();
}
