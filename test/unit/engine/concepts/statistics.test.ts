/** TCAV's significance test against scipy.stats.ttest_ind (pooled variance, two-sided; scipy 1.17.1). */
import * as assert from 'assert';
import { std, tTestPValue } from '../../../../src/engine/concepts/statistics';

describe('concepts: t-test of concept against random scores', () => {
  const cases: [string, number[], number[], number][] = [
    ['a clear difference', [0.9, 0.95, 1.0, 0.85, 0.9], [0.5, 0.4, 0.6, 0.55, 0.45, 0.5], 2.0732156573694887e-6],
    ['no difference', [0.52, 0.48, 0.55, 0.47, 0.5, 0.51], [0.5, 0.46, 0.58, 0.49, 0.53, 0.45], 0.8868068289224422],
    ['zero variance on one side', [1, 1, 1, 1], [0.4, 0.6, 0.5, 0.55], 2.7066525369742103e-5],
  ];
  for (const [what, a, b, scipy] of cases) {
    it(`${what}: p = ${scipy.toPrecision(4)} as scipy`, () => {
      const p = tTestPValue(a, b);
      assert.ok(Math.abs(p - scipy) <= 1e-9 + 1e-6 * scipy, `${p} vs scipy ${scipy}`);
      assert.strictEqual(tTestPValue(b, a), p, 'two-sided: symmetric');
    });
  }

  it('zero variance on both sides: different means are significant (p = 0, scipy: t = inf), identical scores are not (p = 1, scipy: NaN)', () => {
    assert.strictEqual(tTestPValue([1, 1, 1], [0, 0, 0]), 0);
    assert.strictEqual(tTestPValue([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]), 1);
    assert.strictEqual(tTestPValue([0, 0], [0, 0]), 1);
  });

  it('std is the population standard deviation (numpy, as tensorflow/tcav reports it)', () => {
    assert.ok(Math.abs(std([0.9, 0.95, 1.0, 0.85, 0.9]) - 0.05099019513592785) < 1e-12);
    assert.strictEqual(std([1, 1, 1]), 0);
  });
});
