import * as assert from 'assert';
import { gaussLegendre, quadrature, riemannTrapezoid, type QuadratureRule } from '../../../../src/engine/model/quadrature';
import { LensError } from '../../../../src/engine/errors';

/** Σ wᵢ αᵢᵏ, to compare with ∫₀¹ αᵏ dα = 1 / (k + 1). */
const moment = (rule: QuadratureRule, k: number) => rule.nodes.reduce((s, a, i) => s + rule.weights[i] * a ** k, 0);

function assertClose(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: ${actual} vs ${expected}`);
}

describe('model/quadrature', () => {
  describe('Gauss–Legendre on [0, 1]', () => {
    it('n = 1, 2, 3 match the closed forms', () => {
      assert.deepStrictEqual(gaussLegendre(1), { nodes: [0.5], weights: [1] });

      const two = gaussLegendre(2);
      const r = 1 / (2 * Math.sqrt(3));
      assertClose(two.nodes[0], 0.5 - r, 1e-15, 'n=2 node 0');
      assertClose(two.nodes[1], 0.5 + r, 1e-15, 'n=2 node 1');
      two.weights.forEach((w, i) => assertClose(w, 0.5, 1e-15, `n=2 weight ${i}`));

      const three = gaussLegendre(3);
      const s = Math.sqrt(3 / 5) / 2;
      [0.5 - s, 0.5, 0.5 + s].forEach((a, i) => assertClose(three.nodes[i], a, 1e-15, `n=3 node ${i}`));
      [5 / 18, 8 / 18, 5 / 18].forEach((w, i) => assertClose(three.weights[i], w, 1e-15, `n=3 weight ${i}`));
    });

    it('is exact on every monomial of degree ≤ 2n − 1 and not on degree 2n', () => {
      for (const n of [1, 2, 3, 4, 5, 7, 8, 16, 31, 64, 100]) {
        const rule = gaussLegendre(n);
        for (let k = 0; k <= 2 * n - 1; k++) assertClose(moment(rule, k), 1 / (k + 1), 1e-13, `n=${n}, α^${k}`);
        // The n-point rule's error on [0, 1] is (n!)⁴ / ((2n+1) ((2n)!)³) · f⁽²ⁿ⁾(ξ), and f⁽²ⁿ⁾ = (2n)! for α^(2n).
        if (n <= 8) {
          let fact = 1;
          let fact2 = 1;
          for (let i = 1; i <= n; i++) fact *= i;
          for (let i = 1; i <= 2 * n; i++) fact2 *= i;
          const error = fact ** 4 / ((2 * n + 1) * fact2 ** 2);
          assertClose(1 / (2 * n + 1) - moment(rule, 2 * n), error, 1e-13 + 1e-9 * error, `n=${n}, α^${2 * n} error`);
          assert.ok(error > 1e-12, `n=${n}: the degree-2n error is measurable`);
        }
      }
    });

    it('has ascending nodes inside (0, 1), symmetric about ½, and positive symmetric weights', () => {
      for (const n of [2, 9, 64, 257]) {
        const { nodes, weights } = gaussLegendre(n);
        assert.strictEqual(nodes.length, n);
        for (let i = 0; i < n; i++) {
          assert.ok(nodes[i] > 0 && nodes[i] < 1 && weights[i] > 0, `n=${n} i=${i}`);
          if (i > 0) assert.ok(nodes[i] > nodes[i - 1], `n=${n}: ascending at ${i}`);
          assertClose(nodes[i] + nodes[n - 1 - i], 1, 1e-15, `n=${n} symmetry ${i}`);
          assertClose(weights[i], weights[n - 1 - i], 1e-15, `n=${n} weight symmetry ${i}`);
        }
        assertClose(weights.reduce((a, b) => a + b, 0), 1, 1e-13, `n=${n} weights sum`);
      }
    });

    it('integrates smooth non-polynomials to machine precision (∫₀¹ eᵅ, ∫₀¹ cos 10α)', () => {
      const rule = gaussLegendre(20);
      const integrate = (f: (a: number) => number) => rule.nodes.reduce((s, a, i) => s + rule.weights[i] * f(a), 0);
      assertClose(integrate(Math.exp), Math.E - 1, 1e-14, 'exp');
      assertClose(integrate((a) => Math.cos(10 * a)), Math.sin(10) / 10, 1e-13, 'cos 10α');
    });
  });

  describe('Riemann trapezoid', () => {
    it('is Captum\'s rule: equally spaced 0…1, weights 1/(n−1) halved at the ends', () => {
      assert.deepStrictEqual(riemannTrapezoid(2), { nodes: [0, 1], weights: [0.5, 0.5] });
      assert.deepStrictEqual(riemannTrapezoid(5), { nodes: [0, 0.25, 0.5, 0.75, 1], weights: [0.125, 0.25, 0.25, 0.25, 0.125] });
    });

    it('is exact on linear functions and off by h²/6 on α²', () => {
      for (const n of [2, 3, 10, 64]) {
        const rule = riemannTrapezoid(n);
        assertClose(moment(rule, 0), 1, 1e-14, `n=${n} 1`);
        assertClose(moment(rule, 1), 0.5, 1e-14, `n=${n} α`);
        const h = 1 / (n - 1);
        assertClose(moment(rule, 2) - 1 / 3, (h * h) / 6, 1e-14, `n=${n} α²`);
      }
    });
  });

  it('dispatches by name and rejects bad step counts with BAD_REQUEST', () => {
    assert.deepStrictEqual(quadrature('gauss-legendre', 4), gaussLegendre(4));
    assert.deepStrictEqual(quadrature('riemann-trapezoid', 4), riemannTrapezoid(4));
    for (const [kind, n] of [['gauss-legendre', 0], ['gauss-legendre', 2.5], ['riemann-trapezoid', 1], ['gauss-legendre', NaN]] as const) {
      assert.throws(() => quadrature(kind, n), (err: unknown) => err instanceof LensError && err.code === 'BAD_REQUEST' && /Steps must be an integer/.test(err.message));
    }
  });
});
