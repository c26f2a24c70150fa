/**
 * The constraints of a tabular counterfactual, in raw units (the CSV's, before the sidecar's
 * mean/std): the sidecar's input.constraints and input.categorical with the request's overrides,
 * and the cost weights c_i of Σ c_i |x′_i − x_i| (the sidecar's or the request's, else 1/MAD over
 * the training set, else 1/std). Every method works inside the box [lower, upper] built here.
 */
import type { CostSource, CounterfactualOptions, FeatureConstraintInfo } from '../../protocol/counterfactual';
import type { FeatureConstraint, Sidecar } from '../../protocol/model';
import { LensError } from '../errors';
import { perChannel } from '../data/common';

export interface FeatureSpace {
  features: string[];
  /** The original row, raw units. */
  x: Float64Array;
  /** Where each counterfactual value may lie (range ∩ monotone ∩ immutable ∩ one-hot), raw units; ±Infinity when open. */
  lower: Float64Array;
  upper: Float64Array;
  cost: Float64Array;
  integer: boolean[];
  /** One-hot groups as feature indices. */
  groups: number[][];
  /** The model's input is (x − mean) / std. */
  mean: Float64Array;
  std: Float64Array;
  info: FeatureConstraintInfo[];
  categorical: string[][];
  warnings: string[];
}

/** Raw training rows (n × d, row-major) with their class labels. */
export interface RawTrainingRows {
  values: Float64Array;
  labels: Int32Array;
  rows: number;
}

type Overrides = Pick<CounterfactualOptions, 'immutable' | 'range' | 'cost'>;

/**
 * The feature space of one row. `train` (raw rows) gives the default costs; without it they come
 * from the sidecar's std. Throws INVALID_SIDECAR / BAD_REQUEST naming an unknown feature (with the
 * closest known one), and INVALID_INPUT when a one-hot group of the row is not one-hot.
 */
export function featureSpace(features: string[], row: ArrayLike<number>, sidecar: Sidecar, overrides: Overrides, train: RawTrainingRows | null): FeatureSpace {
  const d = features.length;
  const input = sidecar.input ?? { kind: 'tabular' as const };
  const given = input.constraints ?? {};
  checkNames(Object.keys(given), features, (f, hint) => new LensError('INVALID_SIDECAR', `The sidecar's input.constraints names '${f}', which is not a feature of the model${hint}.`));
  const asked = [...(overrides.immutable ?? []), ...Object.keys(overrides.range ?? {}), ...Object.keys(overrides.cost ?? {})];
  checkNames(asked, features, (f, hint) => new LensError('BAD_REQUEST', `'${f}' is not a feature of the model${hint}.`));
  const categorical = input.categorical ?? [];
  const groups = oneHotGroups(categorical, features, row);

  const warnings: string[] = [];
  const mean = Float64Array.from(perChannel(input.mean, d, 'mean', 0));
  const std = Float64Array.from(perChannel(input.std, d, 'std', 1));
  const spread = train ? trainingSpread(train, d) : null;
  const x = Float64Array.from(row);
  const lower = new Float64Array(d);
  const upper = new Float64Array(d);
  const cost = new Float64Array(d);
  const info: FeatureConstraintInfo[] = features.map((feature, i) => {
    const c: FeatureConstraint = given[feature] ?? {};
    const immutable = c.immutable === true || (overrides.immutable ?? []).includes(feature);
    const range = overrides.range?.[feature];
    const min = range ? range[0] : (c.min ?? null);
    const max = range ? range[1] : (c.max ?? null);
    if (!range && min !== null && max !== null && min > max) {
      throw new LensError('INVALID_SIDECAR', `The sidecar's input.constraints.${feature} has min ${min} above max ${max}.`);
    }
    const group = groups.findIndex((g) => g.includes(i));
    const integer = c.integer === true || group >= 0;
    const monotone = c.monotone ?? null;
    const { value, source } = costOf(overrides.cost?.[feature] ?? null, c.cost ?? null, spread && { mad: spread.mad[i], std: spread.std[i] }, std[i], !!input.std);
    if ((source === 'std' || source === 'unit') && !immutable) {
      warnings.push(
        source === 'std'
          ? `${feature}: its median absolute deviation over the training set is 0, so its cost is 1/std (${fmt(1 / value)}).`
          : `${feature}: no spread to scale its cost by (no training set, no sidecar std), so a change of 1 costs 1; set its cost in input.constraints.`,
      );
    }
    cost[i] = value;
    const constraint: FeatureConstraintInfo = { feature, immutable, min, max, cost: value, costSource: source, integer, monotone, group: group >= 0 ? group : null };
    [lower[i], upper[i]] = boundsOf(constraint, x[i]);
    return constraint;
  });
  return { features, x, lower, upper, cost, integer: info.map((f) => f.integer), groups, mean, std, info, categorical, warnings };
}

/** The kinds of constraint that bound a feature's value; a reason for "no counterfactual" names them. */
export type BoundKind = 'immutable' | 'min' | 'max' | 'monotone';

/** The bound kinds feature f is under. */
export function boundKinds(f: FeatureConstraintInfo): BoundKind[] {
  const kinds: BoundKind[] = [];
  if (f.immutable) kinds.push('immutable');
  if (f.min !== null) kinds.push('min');
  if (f.max !== null) kinds.push('max');
  if (f.monotone) kinds.push('monotone');
  return kinds;
}

/** [lower, upper] of feature f's counterfactual value, whose original value is x, without the `relaxed` kinds. */
export function boundsOf(f: FeatureConstraintInfo, x: number, relaxed: ReadonlySet<BoundKind> = new Set()): [number, number] {
  const on = (kind: BoundKind) => !relaxed.has(kind);
  let lo = Math.max(on('min') ? (f.min ?? -Infinity) : -Infinity, on('monotone') && f.monotone === 'increase' ? x : -Infinity, f.group !== null ? 0 : -Infinity);
  let hi = Math.min(on('max') ? (f.max ?? Infinity) : Infinity, on('monotone') && f.monotone === 'decrease' ? x : Infinity, f.group !== null ? 1 : Infinity);
  if (f.immutable && on('immutable')) [lo, hi] = [Math.max(lo, x), Math.min(hi, x)];
  return f.integer ? [Math.ceil(lo), Math.floor(hi)] : [lo, hi];
}

/** A bound kind of a feature in words, for the reason when no counterfactual exists. */
export function describeBound(f: FeatureConstraintInfo, kind: BoundKind): string {
  switch (kind) {
    case 'immutable':
      return `${f.feature} (immutable)`;
    case 'min':
      return `${f.feature} below its min ${fmt(f.min!)}`;
    case 'max':
      return `${f.feature} above its max ${fmt(f.max!)}`;
    case 'monotone':
      return `${f.feature} ${f.monotone === 'increase' ? 'decreasing (it may only increase)' : 'increasing (it may only decrease)'}`;
  }
}

/** Features whose constraints leave no value at all (lower > upper), with why: a counterfactual cannot exist. */
export function emptyIntervals(space: FeatureSpace): string[] {
  const out: string[] = [];
  space.info.forEach((f, i) => {
    if (space.lower[i] <= space.upper[i]) return;
    const reasons = [...new Set([...boundReasons(space, i, 'lower'), ...boundReasons(space, i, 'upper')])];
    out.push(`${f.feature} is ${fmt(space.x[i])}, but ${reasons.slice(0, -1).join(', ')}${reasons.length > 1 ? ' and ' : ''}${reasons.at(-1)}`);
  });
  return out;
}

/** Why feature i's lower or upper bound is where it is, in words ("its max 6300", "immutable", "may only increase"). */
export function boundReasons(space: FeatureSpace, i: number, side: 'lower' | 'upper'): string[] {
  const f = space.info[i];
  const out: string[] = [];
  if (f.immutable) out.push('it is immutable');
  if (side === 'lower' && f.min !== null) out.push(`its min is ${fmt(f.min)}`);
  if (side === 'upper' && f.max !== null) out.push(`its max is ${fmt(f.max)}`);
  if (side === 'lower' && f.monotone === 'increase') out.push('it may only increase');
  if (side === 'upper' && f.monotone === 'decrease') out.push('it may only decrease');
  if (f.group !== null) out.push('it is one-hot');
  return out;
}

/** The constraints `values` (raw, one row) break: none for a feasible counterfactual. */
export function violations(space: FeatureSpace, values: ArrayLike<number>): string[] {
  const out: string[] = [];
  space.features.forEach((feature, i) => {
    const v = values[i];
    if (!Number.isFinite(v)) out.push(`${feature} is not a number`);
    else if (v < space.lower[i]) out.push(`${feature} ${fmt(v)} is below ${fmt(space.lower[i])} (${boundReasons(space, i, 'lower').join(', ')})`);
    else if (v > space.upper[i]) out.push(`${feature} ${fmt(v)} is above ${fmt(space.upper[i])} (${boundReasons(space, i, 'upper').join(', ')})`);
    else if (space.integer[i] && !Number.isInteger(v)) out.push(`${feature} ${fmt(v)} is not a whole number`);
  });
  for (const g of space.groups) {
    if (g.reduce((s, i) => s + values[i], 0) !== 1) out.push(`${g.map((i) => space.features[i]).join(', ')} is not one-hot`);
  }
  return out;
}

/** Σ c_i |a_i − b_i|: the cost of moving from a to b. */
export function costDistance(cost: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < cost.length; i++) s += cost[i] * Math.abs(a[i] - b[i]);
  return s;
}

/** Median absolute deviation and (population) standard deviation of each training column. */
function trainingSpread(train: RawTrainingRows, d: number): { mad: number[]; std: number[] } {
  const mad: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < d; j++) {
    const column = Array.from({ length: train.rows }, (_, r) => train.values[r * d + j]);
    const med = median(column);
    mad.push(median(column.map((v) => Math.abs(v - med))));
    const mu = column.reduce((a, b) => a + b, 0) / column.length;
    std.push(Math.sqrt(column.reduce((s, v) => s + (v - mu) ** 2, 0) / column.length));
  }
  return { mad, std };
}

function costOf(
  requested: number | null,
  sidecar: number | null,
  spread: { mad: number; std: number } | null,
  sidecarStd: number,
  hasSidecarStd: boolean,
): { value: number; source: CostSource } {
  if (requested !== null) return { value: requested, source: 'request' };
  if (sidecar !== null) return { value: sidecar, source: 'sidecar' };
  if (spread && spread.mad > 0) return { value: 1 / spread.mad, source: 'mad' };
  if (spread && spread.std > 0) return { value: 1 / spread.std, source: 'std' };
  if (!spread && hasSidecarStd) return { value: 1 / sidecarStd, source: 'sidecar-std' };
  return { value: 1, source: 'unit' };
}

function oneHotGroups(categorical: string[][], features: string[], row: ArrayLike<number>): number[][] {
  const seen = new Set<string>();
  checkNames(categorical.flat(), features, (f, hint) => new LensError('INVALID_SIDECAR', `The sidecar's input.categorical names '${f}', which is not a feature of the model${hint}.`));
  return categorical.map((group) => {
    for (const f of group) {
      if (seen.has(f)) throw new LensError('INVALID_SIDECAR', `The sidecar's input.categorical lists '${f}' in two groups.`);
      seen.add(f);
    }
    const indices = group.map((f) => features.indexOf(f));
    const values = indices.map((i) => row[i]);
    if (!values.every((v) => v === 0 || v === 1) || values.filter((v) => v === 1).length !== 1) {
      throw new LensError('INVALID_INPUT', `The row's one-hot group ${group.join(', ')} is [${values.join(', ')}]: exactly one of them must be 1 and the others 0.`);
    }
    return indices;
  });
}

/** Throws make(name, hint) for the first name that is not a feature; the hint suggests the closest feature. */
function checkNames(names: string[], features: string[], make: (name: string, hint: string) => Error): void {
  const unknown = names.find((n) => !features.includes(n));
  if (unknown === undefined) return;
  const near = closest(unknown, features);
  throw make(unknown, near ? ` (did you mean '${near}'?)` : ` (the features are ${features.join(', ')})`);
}

/** The feature nearest to `name` by edit distance, when it is near enough to be a typo. */
function closest(name: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(prev[j] + 1, next[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = next;
  }
  return prev[b.length];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A number for messages: at most 6 significant digits. */
export function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
}
