/**
 * Hessian-vector products of the mean training loss by central differences of gradients:
 * Hv ≈ (∇L(θ + hv) − ∇L(θ − hv)) / 2h. Nested tf.grad is unreliable in tfjs 4.22 (fails through
 * conv layers, silently wrong for log-sum-exp), so second order comes from first order here.
 * The damping λ of H + λI is added by the solvers, not here.
 */
import type { Dataset, Objective } from './objective';

export type Hvp = (v: Float64Array) => Float64Array;

/**
 * Length of the parameter step h·v. Float32 gradients carry rounding noise ≈ 1e-7 relative, so the
 * step must be large enough that the difference of gradients dominates it; the central difference's
 * truncation error (∝ step²) stays far below that at this size (checked against analytic Hessians).
 */
export const FD_STEP = 1e-2;

/** v ↦ H v over data (over `rows` of it when given: LiSSA's mini-batches). */
export function hessianVectorProduct(objective: Objective, data: Dataset, rows?: Int32Array): Hvp {
  const theta = objective.getParams();
  return (v) => {
    const norm = Math.sqrt(dot(v, v));
    if (norm === 0) return new Float64Array(v.length);
    const h = FD_STEP / norm;
    try {
      objective.setParams(theta.map((t, i) => t + h * v[i]));
      const plus = objective.meanGradient(data, rows);
      objective.setParams(theta.map((t, i) => t - h * v[i]));
      const minus = objective.meanGradient(data, rows);
      return plus.map((g, i) => (g - minus[i]) / (2 * h));
    } finally {
      objective.setParams(theta);
    }
  };
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
