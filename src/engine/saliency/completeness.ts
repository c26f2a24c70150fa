/**
 * Integrated Gradients' completeness: Σ attribution should equal F(x) − F(baseline); the gap is the
 * quadrature's error. Above 1% of F(x) − F(baseline) the result warns, with the number of steps
 * that would bring the gap under 1%: the error of an n-point rule falls like n^(−p), so a second,
 * cheaper run at n/4 steps gives p = log(gap(n/4) / gap(n)) / log 4, and n · (gap(n) / 1%)^(1/p)
 * steps reach the bar.
 */
import type { SaliencyOptions } from '../../protocol/saliency';
import type { Attribution } from './method';

/** The share of F(x) − F(baseline) that the gap may reach before the result warns. */
export const COMPLETENESS_TOLERANCE = 0.01;
const MAX_STEPS = 10_000;

/** Relative gap |Δ| / |F(x) − F(b)|, or null when F(x) = F(b) (nothing to compare with). */
export function relativeGap(delta: number, scoreGap: number): number | null {
  return Math.abs(scoreGap) > 1e-12 ? Math.abs(delta) / Math.abs(scoreGap) : null;
}

/**
 * The steps an n-step rule with relative gap `gap` needs to reach `tolerance`, from a second run at
 * m < n steps with gap `coarse`; null when more steps did not shrink the gap (it is not quadrature error).
 */
export function stepsFor(n: number, gap: number, m: number, coarse: number, tolerance = COMPLETENESS_TOLERANCE): number | null {
  const order = Math.log(coarse / gap) / Math.log(n / m);
  if (!(order > 0.25)) return null;
  return Math.min(MAX_STEPS, Math.ceil(n * (gap / tolerance) ** (1 / order)));
}

/** The warning for an IG attribution whose gap is above the tolerance (none otherwise); `rerun` runs IG again at fewer steps. */
export async function completenessWarning(attribution: Attribution, options: SaliencyOptions, rerun: (steps: number) => Promise<Attribution>): Promise<string[]> {
  const { completenessDelta: delta, scoreGap } = attribution;
  if (delta === undefined || scoreGap === undefined) return [];
  const gap = relativeGap(delta, scoreGap);
  if (gap === null || gap <= COMPLETENESS_TOLERANCE) return [];
  const steps = options.steps!;
  const head = `Integrated Gradients' completeness gap is ${percent(gap)} of F(x) − F(baseline) at ${steps} steps (above ${percent(COMPLETENESS_TOLERANCE)})`;
  // Every rule takes 2 points; below 8 steps there is no cheaper run to compare with.
  const coarseSteps = Math.max(2, Math.floor(steps / 4));
  if (coarseSteps >= steps) return [`${head}: raise --steps.`];
  const coarse = await rerun(coarseSteps);
  coarse.values.dispose();
  const coarseGap = relativeGap(coarse.completenessDelta ?? NaN, coarse.scoreGap ?? NaN);
  const needed = coarseGap === null ? null : stepsFor(steps, gap, coarseSteps, coarseGap);
  if (needed === null) {
    return [`${head}; at ${coarseSteps} steps it was ${coarseGap === null ? 'undefined' : percent(coarseGap)}, so more steps barely help: the gap is not quadrature error (try another baseline or the riemann-trapezoid rule).`];
  }
  const capped = needed >= MAX_STEPS ? ` (the most allowed; it may not be enough)` : '';
  return [`${head}: about ${needed} steps would bring it under ${percent(COMPLETENESS_TOLERANCE)}${capped} (estimated from a second run at ${coarseSteps} steps, gap ${percent(coarseGap as number)}).`];
}

function percent(x: number): string {
  return `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
}
