/**
 * Quadrature rules on [0, 1] for path integrals (Integrated Gradients): ∫₀¹ f(α) dα ≈ Σ wᵢ f(αᵢ).
 * Pure numbers (float64), no tensors.
 */
import type { SaliencyOptions } from '../../protocol/saliency';
import { LensError } from '../errors';

export type QuadratureKind = NonNullable<SaliencyOptions['quadrature']>;

export interface QuadratureRule {
  /** Points αᵢ in [0, 1], ascending. */
  nodes: number[];
  /** Weights wᵢ, summing to 1. */
  weights: number[];
}

export function quadrature(kind: QuadratureKind, n: number): QuadratureRule {
  switch (kind) {
    case 'gauss-legendre':
      return gaussLegendre(n);
    case 'riemann-trapezoid':
      return riemannTrapezoid(n);
    default: {
      const unknown: never = kind;
      throw new LensError('BAD_REQUEST', `Unknown quadrature '${String(unknown)}': use gauss-legendre or riemann-trapezoid.`);
    }
  }
}

/**
 * n-point Gauss–Legendre rule mapped to [0, 1]: exact for polynomials of degree ≤ 2n − 1.
 * Roots of the Legendre polynomial Pₙ by Newton's method from Tricomi's initial guesses, using the
 * three-term recurrence for Pₙ and Pₙ' = n (x Pₙ − Pₙ₋₁) / (x² − 1); weights 2 / ((1 − x²) Pₙ'(x)²).
 */
export function gaussLegendre(n: number): QuadratureRule {
  checkCount(n, 1, 'gauss-legendre');
  const nodes = new Array<number>(n);
  const weights = new Array<number>(n);
  const half = Math.floor((n + 1) / 2);
  for (let i = 0; i < half; i++) {
    // The i-th largest root of Pₙ on [−1, 1]; odd n has its middle root at 0 exactly.
    let x = n % 2 === 1 && i === half - 1 ? 0 : Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = legendre(n, x).derivative;
    if (x !== 0) {
      for (let iteration = 0; iteration < 100; iteration++) {
        const { value, derivative: d } = legendre(n, x);
        const step = value / d;
        x -= step;
        if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(x))) break;
      }
      derivative = legendre(n, x).derivative;
    }
    const w = 2 / ((1 - x * x) * derivative * derivative);
    // Map [−1, 1] → [0, 1]: α = (1 ± x) / 2, weight w / 2; roots come largest first.
    nodes[n - 1 - i] = (1 + x) / 2;
    nodes[i] = (1 - x) / 2;
    weights[n - 1 - i] = w / 2;
    weights[i] = w / 2;
  }
  return { nodes, weights };
}

/** Pₙ(x) and Pₙ'(x) by the recurrence k Pₖ = (2k − 1) x Pₖ₋₁ − (k − 1) Pₖ₋₂. */
function legendre(n: number, x: number): { value: number; derivative: number } {
  let previous = 1; // P₀
  let value = x; // P₁
  if (n === 0) return { value: 1, derivative: 0 };
  for (let k = 2; k <= n; k++) {
    const next = ((2 * k - 1) * x * value - (k - 1) * previous) / k;
    previous = value;
    value = next;
  }
  return { value, derivative: (n * (x * value - previous)) / (x * x - 1) };
}

/**
 * Captum's riemann_trapezoid: n equally spaced points 0, 1/(n−1), …, 1 with weights 1/(n−1),
 * halved at both ends. Exact for linear integrands; error h²/12 · f'' otherwise.
 */
export function riemannTrapezoid(n: number): QuadratureRule {
  checkCount(n, 2, 'riemann-trapezoid');
  const h = 1 / (n - 1);
  const nodes = Array.from({ length: n }, (_, i) => (i === n - 1 ? 1 : i * h));
  const weights = nodes.map((_, i) => (i === 0 || i === n - 1 ? h / 2 : h));
  return { nodes, weights };
}

function checkCount(n: number, min: number, rule: string): void {
  if (!Number.isInteger(n) || n < min) {
    throw new LensError('BAD_REQUEST', `Steps must be an integer ≥ ${min} for ${rule} quadrature (got ${n}).`);
  }
}
