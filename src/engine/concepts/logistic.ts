/**
 * L2-regularised logistic regression, the classifier behind CAVs and linear probes:
 *
 *   minimise (1/n) Σᵢ log(1 + exp(−yᵢ (w·xᵢ + b))) + (α/2) ‖w‖²,   yᵢ ∈ {−1, +1}, b not penalised
 *
 * (scikit-learn's SGDClassifier objective with loss='log_loss', which tensorflow/tcav trains with
 * α = 0.01), solved exactly by Newton's method. Activations have far more features than a concept
 * set has examples, so it is solved in kernel form: the optimum has w = Xᵀa (the representer
 * theorem), and with K = XXᵀ the margins are Ka + b. Each Newton step then solves an (n+1)×(n+1)
 * system instead of a d×d one:
 *
 *   (SK + nαI) Δa + s Δb = −(r + nα a),   Σ (a + Δa) = 0
 *
 * with r = σ(z) − t, s = σ(z)(1 − σ(z)) at z = Ka + b (t the 0/1 labels): the Newton system of the
 * objective in (a, b) with K factored out (the last row is its b-row, given the others). A
 * backtracking line search keeps every step a descent.
 */

export interface KernelFit {
  /** w = Xᵀa over the training examples. */
  a: Float64Array;
  b: number;
  iterations: number;
}

const MAX_ITERATIONS = 100;
/** Stop when half the squared Newton decrement (the predicted decrease of the objective) is below this. */
const TOLERANCE = 1e-12;

/** log(1 + exp(z)), without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Fits the model on n examples given their Gram matrix K (row-major n×n, Kᵢⱼ = xᵢ·xⱼ) and labels
 * (true: the positive class). α > 0.
 */
export function fitLogistic(gram: ArrayLike<number>, labels: readonly boolean[], alpha: number): KernelFit {
  const n = labels.length;
  if (gram.length !== n * n) throw new Error(`fitLogistic: a ${n}×${n} Gram matrix has ${n * n} entries, not ${gram.length}`);
  const t = labels.map((l) => (l ? 1 : 0));
  const K = (i: number, j: number) => gram[i * n + j];
  const margins = (a: Float64Array, b: number): Float64Array => {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = b;
      for (let j = 0; j < n; j++) sum += K(i, j) * a[j];
      z[i] = sum;
    }
    return z;
  };
  // The objective at (a, b) with z = Ka + b: (1/n) Σ loss + (α/2) aᵀKa.
  const objective = (a: Float64Array, z: Float64Array, b: number): number => {
    let loss = 0;
    let aKa = 0;
    for (let i = 0; i < n; i++) {
      loss += softplus(t[i] ? -z[i] : z[i]);
      aKa += a[i] * (z[i] - b);
    }
    return loss / n + (alpha / 2) * aKa;
  };

  const positives = t.reduce((s: number, v) => s + v, 0);
  let a = new Float64Array(n);
  // Start at the best constant: the log-odds of the labels (0 when a class is missing).
  let b = positives > 0 && positives < n ? Math.log(positives / (n - positives)) : 0;
  let z = margins(a, b);
  let f = objective(a, z, b);
  let iterations = 0;
  for (; iterations < MAX_ITERATIONS; iterations++) {
    const r = new Float64Array(n);
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(z[i]);
      r[i] = p - t[i];
      s[i] = p * (1 - p);
    }
    const size = n + 1;
    const M = new Float64Array(size * size);
    const rhs = new Float64Array(size);
    let sumA = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) M[i * size + j] = s[i] * K(i, j) + (i === j ? n * alpha : 0);
      M[i * size + n] = s[i];
      M[n * size + i] = 1;
      rhs[i] = -(r[i] + n * alpha * a[i]);
      sumA += a[i];
    }
    rhs[n] = -sumA;
    const step = solveDense(M, rhs, size);
    const da = step.subarray(0, n);
    const db = step[n];
    // gᵀΔ, with g = [K(r/n + αa); Σr/n]: the directional derivative along the step (negative).
    const Kda = margins(da, 0);
    let slope = 0;
    for (let i = 0; i < n; i++) slope += Kda[i] * (r[i] / n + alpha * a[i]) + (db * r[i]) / n;
    if (-slope / 2 < TOLERANCE) break;
    let scale = 1;
    for (;;) {
      const a2 = a.map((v, i) => v + scale * da[i]);
      const b2 = b + scale * db;
      const z2 = margins(a2, b2);
      const f2 = objective(a2, z2, b2);
      if (f2 <= f + 1e-4 * scale * slope || scale < 1e-10) {
        [a, b, z, f] = [a2, b2, z2, f2];
        break;
      }
      scale /= 2;
    }
  }
  return { a, b, iterations };
}

/**
 * Solves A x = b (A row-major size × size, overwritten; b overwritten by x) by Gaussian elimination
 * with partial pivoting. Hand-written: ml-matrix's LU took 1.5–3 ms on the 67 × 67 systems of a
 * CAV (its row arrays and accessors), most of a run; this takes a tenth of that.
 */
export function solveDense(A: Float64Array, b: Float64Array, size: number): Float64Array {
  for (let k = 0; k < size; k++) {
    let pivot = k;
    for (let i = k + 1; i < size; i++) if (Math.abs(A[i * size + k]) > Math.abs(A[pivot * size + k])) pivot = i;
    if (A[pivot * size + k] === 0) throw new Error('solveDense: the matrix is singular');
    const rowK = k * size;
    if (pivot !== k) {
      const rowP = pivot * size;
      for (let j = k; j < size; j++) {
        const t = A[rowK + j];
        A[rowK + j] = A[rowP + j];
        A[rowP + j] = t;
      }
      const t = b[k];
      b[k] = b[pivot];
      b[pivot] = t;
    }
    const diagonal = A[rowK + k];
    for (let i = k + 1; i < size; i++) {
      const rowI = i * size;
      const factor = A[rowI + k] / diagonal;
      if (factor === 0) continue;
      for (let j = k + 1; j < size; j++) A[rowI + j] -= factor * A[rowK + j];
      b[i] -= factor * b[k];
    }
  }
  for (let i = size - 1; i >= 0; i--) {
    const rowI = i * size;
    let sum = b[i];
    for (let j = i + 1; j < size; j++) sum -= A[rowI + j] * b[j];
    b[i] = sum / A[rowI + i];
  }
  return b;
}
