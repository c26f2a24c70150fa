/**
 * gradient: Wachter et al.'s search with DiCE's loss, for tabular models. Each of the k candidates
 * minimises
 *
 *   max(0, ε − margin(x′)) + λ · Σ c_i |x′_i − x_i|  −  w · det K,   K_mn = 1 / (1 + cost(x′_m, x′_n))
 *
 * by proximal gradient steps in cost units (u_i = c_i (x′_i − x_i), so the cost is ‖u‖₁ and its
 * proximal step a soft threshold), all k candidates in one tensor per step, each step projected
 * onto the constraints (the box of ranges, monotone directions and immutables; one-hot groups onto
 * their simplex). λ and the step size follow a schedule per candidate (schedule.ts). The cheapest
 * winning point of each candidate is then polished (polish.ts) and checked on the real model.
 * Duplicates are searched again with the features of the counterfactuals found so far frozen.
 */
import type { RunContext } from '../../protocol/engine';
import { makeRng } from '../common/random';
import { boundReasons, costDistance, fmt } from './constraints';
import type { TabularOutcome } from './outcome';
import { polish } from './polish';
import { Schedule, STAGE } from './schedule';
import { rowOf, type TabularProblem } from './tabular';

export interface GradientSettings {
  count: number;
  steps: number;
  seed: number;
}

/** Largest move of one step, in cost units (one MAD of a feature whose cost is 1/MAD). */
const STEP = 0.05;
/** Weight of the diversity term, relative to the gradient scale (DiCE weighs diversity 1 against the hinge's 1). */
const DIVERSITY = 1;
/** Starting points of diverse candidates lie within ± this many cost units of the original. */
const JITTER = 0.5;
/** Two counterfactuals closer than this fraction of the smaller one's cost count as the same. */
const DUPLICATE = 0.05;

export async function gradientSearch(problem: TabularProblem, settings: GradientSettings, ctx: RunContext): Promise<TabularOutcome> {
  const { space } = problem;
  const accepted: Float64Array[] = [];
  let frozen: Set<number>[] = Array.from({ length: settings.count }, () => new Set<number>());
  let stepsUsed = 0;
  let failure: string | null = null;
  for (let round = 0; round < 3 && accepted.length < settings.count; round++) {
    const budget = Math.max(STAGE, Math.floor((settings.steps - stepsUsed) / (round === 0 ? 1 : 2)));
    const run = await search(problem, frozen, { ...settings, steps: budget, seed: settings.seed + round }, ctx, stepsUsed, settings.steps);
    stepsUsed += run.steps;
    failure ??= run.failure;
    for (const found of run.found) {
      const row = polish(problem, found);
      const verdict = problem.verdicts(row)[0];
      if (!problem.accepts(row, verdict) || problem.margins(row)[0] < problem.epsilon / 2) continue;
      const cost = costDistance(space.cost, row, space.x);
      const same = accepted.some((other) => costDistance(space.cost, other, row) < DUPLICATE * Math.min(cost, costDistance(space.cost, other, space.x)));
      if (!same && accepted.length < settings.count) accepted.push(row);
    }
    if (accepted.length === 0 || stepsUsed >= settings.steps) break;
    // Another round for the missing ones, each barred from what an accepted one changed (round 2: one each; round 3: all).
    const missing = settings.count - accepted.length;
    const changed = accepted.map((row) => new Set(space.features.map((_, i) => i).filter((i) => row[i] !== space.x[i])));
    frozen = Array.from({ length: missing }, (_, m) => (round === 0 ? changed[m % changed.length] : new Set(changed.flatMap((c) => [...c]))));
  }
  const details = `gradient: ${stepsUsed} steps, ${accepted.length} of ${settings.count} found`;
  if (accepted.length === 0) return { rows: [], reason: failure ?? `No counterfactual found within ${settings.steps} steps: raise --steps.`, details };
  const warnings = accepted.length < settings.count ? [`Found ${accepted.length} distinct counterfactuals of the ${settings.count} asked for.`] : [];
  return { rows: accepted, reason: null, details, warnings };
}

interface SearchRun {
  /** The cheapest winning point of each candidate that won. */
  found: Float64Array[];
  steps: number;
  /** When no candidate won: which constraints the search pressed against. */
  failure: string | null;
}

/** One batched search of frozen.length candidates; candidate m may not change the features in frozen[m]. */
async function search(problem: TabularProblem, frozen: Set<number>[], settings: GradientSettings, ctx: RunContext, done: number, total: number): Promise<SearchRun> {
  const { space, epsilon } = problem;
  const d = problem.d;
  const k = frozen.length;
  const c = space.cost;
  const lo = Float64Array.from(c, (ci, i) => ci * (space.lower[i] - space.x[i]));
  const hi = Float64Array.from(c, (ci, i) => ci * (space.upper[i] - space.x[i]));
  const fixed = (m: number, i: number) => frozen[m].has(i) || space.lower[i] === space.upper[i];
  const u = new Float64Array(k * d);
  const rng = makeRng(settings.seed);
  for (let m = 0; m < k; m++) {
    for (let i = 0; i < d; i++) u[m * d + i] = fixed(m, i) ? 0 : clip(k > 1 ? JITTER * (2 * rng() - 1) : 0, lo[i], hi[i]);
    projectGroups(problem, u, m);
  }
  const rows = () => Float64Array.from(u, (v, j) => space.x[j % d] + v / c[j % d]);

  const first = problem.marginsAndAscent(rows());
  const x0 = rows();
  const free = (x: Float64Array, ascent: Float64Array, m: number) => freeGradient(problem, rowOf(x, m, d), rowOf(ascent, m, d), frozen[m]);
  const schedules = Array.from({ length: k }, (_, m) => new Schedule(STEP, free(x0, first.ascent, m), first.margins[m], epsilon));
  if (!schedules.some((_, m) => free(x0, first.ascent, m) > 0)) {
    return { found: [], steps: 0, failure: `No counterfactual: the model's margin for the target does not change with any feature that may change (${stuck(problem, first.ascent, 0)}).` };
  }
  const best: (Float64Array | null)[] = new Array(k).fill(null);
  const bestCost = new Float64Array(k).fill(Infinity);
  let last = first;
  let step = 0;
  for (; step < settings.steps; step++) {
    const x = rows();
    const { margins, ascent } = step === 0 ? first : problem.marginsAndAscent(x);
    last = { margins, ascent };
    schedules.forEach((schedule, m) => {
      if (!schedule.observe(step, margins[m], free(x, ascent, m))) return;
      const cost = costDistance(c, rowOf(x, m, d), space.x);
      if (cost < bestCost[m]) [bestCost[m], best[m]] = [cost, rowOf(x, m, d).slice()];
    });
    const diversity = k > 1 ? diversityGradient(u, k, d) : null;
    schedules.forEach(({ eta, lambda, gradientScale }, m) => {
      for (let i = 0; i < d; i++) {
        const j = m * d + i;
        if (fixed(m, i)) continue;
        // Descent on the hinge raises the margin; the diversity term raises det K.
        let v = u[j] + eta * (ascent[j] / c[i] + (diversity ? DIVERSITY * gradientScale * diversity[j] : 0));
        v = Math.sign(v) * Math.max(0, Math.abs(v) - eta * lambda);
        u[j] = clip(v, lo[i], hi[i]);
      }
      projectGroups(problem, u, m);
    });
    if ((step + 1) % STAGE === 0) {
      schedules.forEach((schedule, m) => schedule.endStage(margins[m]));
      if (schedules.every((schedule) => schedule.done(step))) break;
      ctx.onProgress(done + step + 1, total, 'Searching for counterfactuals');
      await new Promise<void>((resolve) => setImmediate(resolve));
      ctx.signal.throwIfAborted();
    }
  }
  const found = best.filter((b): b is Float64Array => b !== null);
  if (found.length > 0) return { found, steps: step, failure: null };
  const closest = last.margins.indexOf(Math.max(...last.margins));
  const reached = `the closest candidate reached a margin of ${fmt(last.margins[closest])}`;
  return { found, steps: step, failure: `No counterfactual found within ${settings.steps} steps (${reached}; ${stuck(problem, last.ascent, closest, rowOf(rows(), closest, d))}).` };
}

/** Which constraints hold a candidate back: features whose gradient would raise the margin but whose bound stops them. */
function stuck(problem: TabularProblem, ascent: Float64Array, m: number, row: Float64Array = problem.space.x): string {
  const { space } = problem;
  const d = problem.d;
  const pressing: { i: number; push: number; why: string }[] = [];
  for (let i = 0; i < d; i++) {
    const g = ascent[m * d + i];
    if (g === 0) continue;
    const side = g > 0 ? 'upper' : 'lower';
    const bound = g > 0 ? space.upper[i] : space.lower[i];
    if (row[i] !== bound) continue;
    pressing.push({ i, push: Math.abs(g / space.cost[i]), why: boundReasons(space, i, side).join(', ') });
  }
  pressing.sort((a, b) => b.push - a.push);
  if (pressing.length === 0) return 'no constraint stopped it: raise --steps';
  return `held back by ${pressing.slice(0, 6).map((p) => `${space.features[p.i]} (${p.why})`).join(', ')}`;
}

/** The largest cost-weighted gradient among the features of a row that can still move in the direction that raises the margin. */
function freeGradient(problem: TabularProblem, row: Float64Array, gradient: Float64Array, frozen: Set<number>): number {
  const { space } = problem;
  let best = 0;
  for (let i = 0; i < row.length; i++) {
    const g = gradient[i] / space.cost[i];
    const blocked = frozen.has(i) || (g > 0 ? row[i] >= space.upper[i] : row[i] <= space.lower[i]);
    if (!blocked) best = Math.max(best, Math.abs(g));
  }
  return best;
}

/**
 * ∂ det K / ∂u for K_mn = 1 / (1 + ‖u_m − u_n‖₁) (the cost distance, since u is in cost units):
 * ∂det/∂K = det · K⁻¹ (K is symmetric), and each K_mn appears twice.
 */
function diversityGradient(u: Float64Array, k: number, d: number): Float64Array {
  const distance = (m: number, n: number) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += Math.abs(u[m * d + i] - u[n * d + i]);
    return s;
  };
  const K = Array.from({ length: k }, (_, m) => Array.from({ length: k }, (_, n) => (m === n ? 1 : 1 / (1 + distance(m, n)))));
  const inverse = invert(K);
  const out = new Float64Array(k * d);
  if (!inverse) return out;
  const det = inverse.det;
  for (let m = 0; m < k; m++) {
    for (let n = 0; n < k; n++) {
      if (m === n) continue;
      // d det / d D_mn = 2 · det · (K⁻¹)_mn · (−K_mn²)
      const dD = -2 * det * inverse.matrix[m][n] * K[m][n] * K[m][n];
      for (let i = 0; i < d; i++) out[m * d + i] += dD * Math.sign(u[m * d + i] - u[n * d + i]);
    }
  }
  return out;
}

/** Gauss–Jordan inverse and determinant of a small matrix; null when singular. */
function invert(a: number[][]): { matrix: number[][]; det: number } | null {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  let det = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-12) return null;
    if (pivot !== col) {
      [m[pivot], m[col]] = [m[col], m[pivot]];
      det = -det;
    }
    const p = m[col][col];
    det *= p;
    for (let j = 0; j < 2 * n; j++) m[col][j] /= p;
    for (let r = 0; r < n; r++) {
      if (r === col || m[r][col] === 0) continue;
      const f = m[r][col];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[col][j];
    }
  }
  return { matrix: m.map((row) => row.slice(n)), det };
}

/** Candidate m's one-hot groups projected onto {Σ x′ = 1, each within its bounds} (in raw units, by bisection on the shift). */
function projectGroups(problem: TabularProblem, u: Float64Array, m: number): void {
  const { space } = problem;
  const d = problem.d;
  for (const g of space.groups) {
    const raw = g.map((i) => space.x[i] + u[m * d + i] / space.cost[i]);
    const at = (tau: number) => g.map((i, n) => clip(raw[n] - tau, space.lower[i], space.upper[i]));
    let [a, b] = [-2, 2];
    for (let n = 0; n < 50; n++) {
      const mid = (a + b) / 2;
      if (at(mid).reduce((s, v) => s + v, 0) > 1) a = mid;
      else b = mid;
    }
    at((a + b) / 2).forEach((v, n) => (u[m * d + g[n]] = space.cost[g[n]] * (v - space.x[g[n]])));
  }
}

function clip(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
