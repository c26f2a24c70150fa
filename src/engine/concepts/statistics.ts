/**
 * The statistics of TCAV's significance test, as tensorflow/tcav and LIT compute it
 * (scipy.stats.ttest_ind): a two-sided two-sample t-test with pooled variance between the concept's
 * per-run scores and the random baseline's. The t distribution's CDF is stdlib's.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { mean, sampleVariance, standardDeviation } from 'simple-statistics';

export { mean };

/** The population standard deviation (numpy's default, which tcav reports); 0 for one value. */
export function std(xs: readonly number[]): number {
  return xs.length < 2 ? 0 : standardDeviation(xs as number[]);
}

/**
 * The two-sided p-value of the pooled-variance two-sample t-test of a against b (each at least 2
 * values). Where both samples have zero variance, t is undefined (tcav prints "undefined"): equal
 * means are no evidence of a difference (p = 1), different means are certain (p = 0), never NaN.
 */
export function tTestPValue(a: readonly number[], b: readonly number[]): number {
  const [n1, n2] = [a.length, b.length];
  if (n1 < 2 || n2 < 2) throw new Error(`tTestPValue: each sample needs 2 values (got ${n1} and ${n2})`);
  const difference = mean(a as number[]) - mean(b as number[]);
  const df = n1 + n2 - 2;
  const pooled = ((n1 - 1) * sampleVariance(a as number[]) + (n2 - 1) * sampleVariance(b as number[])) / df;
  const se = Math.sqrt(pooled * (1 / n1 + 1 / n2));
  // A difference within rounding of the scores' scale is no difference.
  const scale = Math.max(...a.map(Math.abs), ...b.map(Math.abs), 1e-300);
  if (!(se > 1e-12 * scale)) return Math.abs(difference) <= 1e-12 * scale ? 1 : 0;
  const t = Math.abs(difference) / se;
  return Math.min(1, 2 * tCdf(-t, df));
}
