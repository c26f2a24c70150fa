/**
 * LiSSA (Agarwal et al. 2017, as used by Koh & Liang): the Neumann series of (H + λI)⁻¹ with
 * mini-batch Hessians, x_j = b + (I − (H_batch + λI)/scale) x_{j−1}, which converges to
 * scale·(H + λI)⁻¹ b when scale exceeds the largest eigenvalue. Repeats are averaged.
 */
import type { RunContext } from '../../../protocol/engine';
import { makeRng } from '../../common/random';
import { LensError } from '../../errors';
import { dot, type Hvp } from '../hvp';
import { checkpointed, damped, dominantEigenvalue, relativeResidual, type IhvpSolver, type Solution } from './solver';

export interface LissaOptions {
  damping: number;
  /** Recursion steps per repeat (defaults: the influence request's lissa* options). */
  depth: number;
  /** Must exceed the largest eigenvalue of H + λI; default: 1.5 × a power-iteration estimate. */
  scale?: number;
  repeats: number;
  /** Training examples per Hessian-vector product (at most n). */
  batch: number;
  seed?: number;
}

/** hvpOn(rows) is the Hessian of the mean loss over those training rows; n is the training-set size. */
export function lissa(hvpOn: (rows?: Int32Array) => Hvp, n: number, size: number, options: LissaOptions): IhvpSolver {
  const full = damped(hvpOn(), options.damping);
  const { depth, repeats } = options;
  const batch = Math.min(n, options.batch);
  return {
    damping: options.damping,
    async solve(b: Float64Array, ctx: RunContext): Promise<Solution> {
      const scale = options.scale ?? 1.5 * Math.max(dominantEigenvalue(full, size, options.seed ?? 0), Number.MIN_VALUE);
      const random = makeRng(options.seed ?? 0);
      const total = new Float64Array(b.length);
      const all = Int32Array.from({ length: n }, (_, i) => i);
      for (let repeat = 0; repeat < repeats; repeat++) {
        let x = Float64Array.from(b);
        for (let step = 0; step < depth; step++) {
          const rows = batch === n ? undefined : sample(all, batch, random);
          const hx = damped(hvpOn(rows), options.damping)(x);
          x = x.map((xi, i) => b[i] + xi - hx[i] / scale);
          if (step % 50 === 49) {
            if (!x.every(Number.isFinite) || Math.sqrt(dot(x, x)) > 1e12 * Math.sqrt(dot(b, b))) {
              throw new LensError('BAD_REQUEST', `LiSSA diverged at step ${step + 1}: its scale (${scale.toPrecision(3)}) must exceed the largest eigenvalue of the damped Hessian; raise lissaScale or use the cg solver.`);
            }
            ctx.onProgress(repeat * depth + step + 1, repeats * depth, `LiSSA: step ${step + 1}/${depth}`);
            await checkpointed(ctx);
          }
        }
        for (let i = 0; i < total.length; i++) total[i] += x[i] / scale / repeats;
      }
      return { x: total, iterations: depth * repeats, residual: relativeResidual(full, total, b) };
    },
  };
}

/** `k` distinct rows drawn without replacement (partial Fisher–Yates). */
function sample(all: Int32Array, k: number, random: () => number): Int32Array {
  const pool = Int32Array.from(all);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k);
}
