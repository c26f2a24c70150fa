/**
 * Self-influence ∇L(z)ᵀ (H + λI)⁻¹ ∇L(z): how much an example's own loss depends on itself being in
 * the training set. Mislabelled and atypical examples score high. The exact solver inverts once and
 * scores every example in one matrix product; the iterative ones solve once per example.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import { dot } from './hvp';
import type { GradientRows } from './objective';
import type { ExactSolver } from './solvers/exact';
import { checkpointed, type IhvpSolver } from './solvers/solver';

export async function selfInfluence(solver: IhvpSolver, rows: GradientRows, ctx: RunContext): Promise<Float64Array> {
  if (isExact(solver)) {
    // Every ‖L⁻¹gᵢ‖² at once: rowwise sums of squares of G L⁻ᵀ, one matrix product on the backend.
    const s = tf.tidy(() => {
      const g = tf.tensor2d(rows.data, [rows.n, rows.p]);
      const whitening = tf.tensor2d(Float32Array.from(solver.whitening), [rows.p, rows.p]);
      return tf.sum(tf.square(tf.matMul(g, whitening, false, true)), 1);
    });
    const scores = Float64Array.from(s.dataSync());
    s.dispose();
    return scores;
  }
  const scores = new Float64Array(rows.n);
  const quiet: RunContext = { signal: ctx.signal, onProgress: () => {} };
  for (let r = 0; r < rows.n; r++) {
    const g = Float64Array.from(rows.data.subarray(r * rows.p, (r + 1) * rows.p));
    scores[r] = dot(g, (await solver.solve(g, quiet)).x);
    ctx.onProgress(r + 1, rows.n, `Self-influence ${r + 1}/${rows.n}`);
    await checkpointed(ctx);
  }
  return scores;
}

function isExact(solver: IhvpSolver): solver is ExactSolver {
  return 'whitening' in solver;
}
