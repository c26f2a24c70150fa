/**
 * Turns a valid point of a gradient search into a cheaper, sparser, feasible counterfactual:
 * one-hot groups snapped to one category, the change scaled back along its segment to the
 * smallest that still wins by the margin, features the decision does not need put back, integer
 * features rounded (towards the original first). Every step keeps the target's margin ≥ ε.
 */
import { costDistance } from './constraints';
import type { TabularProblem } from './tabular';

/** Bisection steps along the segment from the original: 2⁻¹⁶ of the change. */
const BISECTIONS = 16;

export function polish(problem: TabularProblem, start: Float64Array): Float64Array {
  const { space, epsilon } = problem;
  const wins = (row: Float64Array) => problem.margins(row)[0] >= epsilon;
  const clamp = (row: Float64Array) => row.map((v, i) => Math.min(space.upper[i], Math.max(space.lower[i], v)));
  let row = snapGroups(problem, clamp(start), wins);
  row = shrink(problem, row, wins, clamp);
  row = sparsify(problem, row, wins, clamp);
  row = shrink(problem, row, wins, clamp);
  return roundIntegers(problem, row, wins);
}

/** Each one-hot group at its largest member, or back at the original category when that loses. */
function snapGroups(problem: TabularProblem, row: Float64Array, wins: (r: Float64Array) => boolean): Float64Array {
  const { space } = problem;
  let out = row.slice();
  for (const g of space.groups) {
    const top = g.reduce((best, i) => (out[i] > out[best] ? i : best), g[0]);
    const snapped = out.slice();
    for (const i of g) snapped[i] = i === top ? 1 : 0;
    const original = out.slice();
    for (const i of g) original[i] = space.x[i];
    out = wins(snapped) || !wins(original) ? snapped : original;
  }
  return out;
}

/** The smallest t with x + t·(row − x) still winning (one-hot groups held where they are). */
function shrink(problem: TabularProblem, row: Float64Array, wins: (r: Float64Array) => boolean, clamp: (r: Float64Array) => Float64Array): Float64Array {
  const { space } = problem;
  if (!wins(row)) return row;
  const inGroup = new Set(space.groups.flat());
  const at = (t: number) => clamp(row.map((v, i) => (inGroup.has(i) ? v : space.x[i] + t * (v - space.x[i]))));
  let [lo, hi] = [0, 1];
  for (let n = 0; n < BISECTIONS; n++) {
    const mid = (lo + hi) / 2;
    if (wins(at(mid))) hi = mid;
    else lo = mid;
  }
  return at(hi);
}

/** Changed features put back to their original value, cheapest change first, while the target still wins. */
function sparsify(problem: TabularProblem, row: Float64Array, wins: (r: Float64Array) => boolean, clamp: (r: Float64Array) => Float64Array): Float64Array {
  const { space } = problem;
  if (!wins(row)) return row;
  const inGroup = new Set(space.groups.flat());
  const changed = space.features.map((_, i) => i).filter((i) => !inGroup.has(i) && row[i] !== space.x[i]);
  changed.sort((a, b) => space.cost[a] * Math.abs(row[a] - space.x[a]) - space.cost[b] * Math.abs(row[b] - space.x[b]));
  let out = row;
  for (const i of changed) {
    const reset = out.slice();
    reset[i] = space.x[i];
    const candidate = clamp(reset);
    if (costDistance(space.cost, candidate, space.x) < costDistance(space.cost, out, space.x) && wins(candidate)) out = candidate;
  }
  return out;
}

/** Integer features rounded: towards the original where the target still wins, else away from it. */
function roundIntegers(problem: TabularProblem, row: Float64Array, wins: (r: Float64Array) => boolean): Float64Array {
  const { space } = problem;
  let out = row.slice();
  for (let i = 0; i < out.length; i++) {
    if (!space.integer[i] || Number.isInteger(out[i])) continue;
    const toward = out[i] > space.x[i] ? Math.floor(out[i]) : Math.ceil(out[i]);
    const away = out[i] > space.x[i] ? Math.ceil(out[i]) : Math.floor(out[i]);
    const tryToward = out.slice();
    tryToward[i] = Math.min(space.upper[i], Math.max(space.lower[i], toward));
    const tryAway = out.slice();
    tryAway[i] = Math.min(space.upper[i], Math.max(space.lower[i], away));
    out = wins(tryToward) ? tryToward : tryAway;
  }
  return out;
}
