/** Conjugate gradients on (H + λI) x = b, one Hessian-vector product per iteration. */
import type { RunContext } from '../../../protocol/engine';
import { dot, type Hvp } from '../hvp';
import { checkpointed, damped, notPositiveDefinite, raisedDamping, relativeResidual, smallestEigenvalue, type IhvpSolver, type Solution } from './solver';

export interface CgOptions {
  damping: number;
  /** Raise λ (once, for every later solve too) when negative curvature shows H + λI is indefinite. */
  autoDamping?: boolean;
  /** Stop when ‖r‖ ≤ tolerance·‖b‖. */
  tolerance?: number;
  maxIterations?: number;
}

class NegativeCurvature extends Error {}

export function conjugateGradient(hvp: Hvp, size: number, options: CgOptions): IhvpSolver {
  const tolerance = options.tolerance ?? 1e-5;
  const maxIterations = options.maxIterations ?? Math.min(size, 500);
  let damping = options.damping;

  async function run(b: Float64Array, ctx: RunContext): Promise<Solution> {
    const a = damped(hvp, damping);
    const x = new Float64Array(b.length);
    const r = Float64Array.from(b);
    const p = Float64Array.from(b);
    let rs = dot(r, r);
    const stop = tolerance ** 2 * rs;
    let iterations = 0;
    while (iterations < maxIterations && rs > stop) {
      const ap = a(p);
      const curvature = dot(p, ap);
      if (!(curvature > 0)) throw new NegativeCurvature(curvature.toExponential(2));
      const alpha = rs / curvature;
      for (let i = 0; i < x.length; i++) {
        x[i] += alpha * p[i];
        r[i] -= alpha * ap[i];
      }
      const next = dot(r, r);
      for (let i = 0; i < p.length; i++) p[i] = r[i] + (next / rs) * p[i];
      rs = next;
      iterations++;
      ctx.onProgress(iterations, maxIterations, `Conjugate gradients: iteration ${iterations}`);
      await checkpointed(ctx);
    }
    return { x, iterations, residual: relativeResidual(a, x, b) };
  }

  return {
    get damping() {
      return damping;
    },
    async solve(b: Float64Array, ctx: RunContext): Promise<Solution> {
      try {
        return await run(b, ctx);
      } catch (err) {
        if (!(err instanceof NegativeCurvature)) throw err;
        if (!options.autoDamping || damping !== options.damping) throw notPositiveDefinite(`negative curvature ${err.message} along a search direction`, damping);
        damping = raisedDamping(smallestEigenvalue(hvp, size), options.damping);
        try {
          return await run(b, ctx);
        } catch (again) {
          if (again instanceof NegativeCurvature) throw notPositiveDefinite(`negative curvature ${again.message} even after raising it`, damping);
          throw again;
        }
      }
    },
  };
}

