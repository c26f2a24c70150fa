/**
 * The exact path: the explicit Hessian (one Hessian-vector product per parameter), symmetrised,
 * damped and Cholesky-factored once; every solve afterwards is two triangular solves. Feasible for
 * scopes up to a few thousand parameters; it is what the iterative solvers are checked against.
 */
import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { RunContext } from '../../../protocol/engine';
import { LensError } from '../../errors';
import type { Hvp } from '../hvp';
import { checkpointed, notPositiveDefinite, raisedDamping, type IhvpSolver, type Solution } from './solver';

/** Largest scope the exact solver accepts: its Hessian takes size² doubles (128 MB at 4000). */
export const EXACT_MAX_PARAMS = 4000;

export interface ExactSolver extends IhvpSolver {
  /**
   * L⁻¹ for the Cholesky factor L of H + λI (row-major size × size, lower triangular), so that
   * gᵀ(H + λI)⁻¹g = ‖L⁻¹g‖²: many right-hand sides become one matrix product.
   */
  whitening: Float64Array;
}

/** The explicit Hessian, column by column (column-major size × size). */
export async function explicitHessian(hvp: Hvp, size: number, ctx: RunContext): Promise<Float64Array> {
  if (size > EXACT_MAX_PARAMS) {
    throw new LensError('BAD_REQUEST', `The exact solver handles at most ${EXACT_MAX_PARAMS} parameters; this scope has ${size}. Use the cg or lissa solver, or narrow the scope with layers.`);
  }
  const h = new Float64Array(size * size);
  const e = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    e[j] = 1;
    h.set(hvp(e), j * size);
    e[j] = 0;
    if (j % 16 === 15 || j === size - 1) {
      ctx.onProgress(j + 1, size, `Hessian column ${j + 1}/${size}`);
      await checkpointed(ctx);
    }
  }
  return h;
}

/**
 * Factors H + λI for the explicit Hessian `columns` (from explicitHessian, possibly cached).
 * autoDamping: raise λ past the most negative eigenvalue instead of failing (see raisedDamping).
 */
export function exactSolver(columns: Float64Array, size: number, asked: number, autoDamping: boolean): ExactSolver {
  const h = new Matrix(size, size);
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) h.set(i, j, columns[j * size + i]);
  // Finite differences leave H slightly asymmetric; the Hessian itself is symmetric.
  const symmetric = h.add(h.transpose()).mul(0.5);
  let damping = asked;
  let cholesky = factor(symmetric, damping);
  if (!cholesky.isPositiveDefinite()) {
    const smallest = Math.min(...new EigenvalueDecomposition(symmetric, { assumeSymmetric: true }).realEigenvalues);
    if (!autoDamping) throw notPositiveDefinite(`its smallest eigenvalue is ${(smallest + damping).toExponential(2)}; a damping above ${(-smallest).toExponential(2)} makes it so`, damping);
    damping = raisedDamping(smallest, asked);
    cholesky = factor(symmetric, damping);
  }
  const whitening = lowerInverse(Float64Array.from(cholesky.lowerTriangularMatrix.to1DArray()), size);
  return {
    damping,
    whitening,
    async solve(b: Float64Array): Promise<Solution> {
      // x = L⁻ᵀ (L⁻¹ b)
      const y = new Float64Array(size);
      for (let i = 0; i < size; i++) for (let k = 0; k <= i; k++) y[i] += whitening[i * size + k] * b[k];
      const x = new Float64Array(size);
      for (let i = 0; i < size; i++) for (let k = i; k < size; k++) x[i] += whitening[k * size + i] * y[k];
      return { x, iterations: 0 };
    },
  };
}

/**
 * Inverse of a lower-triangular matrix by forward substitution on flat arrays (ml-matrix's solve
 * goes through per-element accessors and is ~100× slower at these sizes).
 */
function lowerInverse(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    inv[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * n + k] * inv[k * n + j];
      inv[i * n + j] = -s / l[i * n + i];
    }
  }
  return inv;
}

function factor(symmetric: Matrix, damping: number): CholeskyDecomposition {
  const a = symmetric.clone();
  for (let i = 0; i < a.rows; i++) a.set(i, i, a.get(i, i) + damping);
  return new CholeskyDecomposition(a);
}
