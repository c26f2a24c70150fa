/**
 * linear-exact: for a model whose logits are affine in its input, the least-cost counterfactual
 *
 *   min Σ c_i t_i   s.t.  t_i ≥ |x′_i − x_i|,  z_t(x′) − z_j(x′) ≥ ε for every j ≠ t,  x′ in its box,
 *                         x′_i integer for integer features, Σ_{i∈g} x′_i = 1 for one-hot groups g,
 *
 * a linear program (mixed-integer with integer features or one-hot groups), solved by HiGHS. The
 * solver's answer is cleaned (integers rounded, values clamped into their box) and checked again
 * on the real model in float32; a solution that fails the check (solver tolerances) is solved
 * again with a wider margin. When the program is infeasible, a deletion filter over the
 * constraints finds a set of them that must be relaxed for a counterfactual to exist: the reason.
 */
import type { Checkpoint } from '../checkpoint/load';
import { LensError } from '../errors';
import { affineLogits, type AffineLogits } from './affine';
import { boundKinds, boundsOf, describeBound, emptyIntervals, type BoundKind, type FeatureSpace } from './constraints';
import { highsSolver, type Highs } from './highs';
import type { TabularProblem } from './tabular';
import type { TabularOutcome } from './outcome';

/** How often the margin is widened when the solver's optimum does not hold on the float32 model. */
const WIDENINGS = 3;
/** Longest a solve may run (seconds). */
const TIME_LIMIT = 60;

/** The affine logits in raw units: z(x) = Aᵀx + b with x the raw row. */
interface RawAffine {
  a: Float64Array;
  b: Float64Array;
  classes: number;
}

/** `name` is the target class's, for the reason when there is no counterfactual. */
export async function linearExact(problem: TabularProblem, checkpoint: Checkpoint, name: string): Promise<TabularOutcome> {
  const { space } = problem;
  const affine = affineLogits(checkpoint, problem.d);
  if ('reason' in affine) {
    throw new LensError('BAD_REQUEST', `linear-exact needs a model whose logits are affine in its input: ${affine.reason}. Use --method gradient.`);
  }
  const empty = emptyIntervals(space);
  if (empty.length) return { rows: [], reason: `No counterfactual within the constraints: ${empty.join('; ')}.`, details: 'linear-exact: no value satisfies the constraints' };
  const highs = await highsSolver();
  const raw = toRaw(affine, space);
  const target = problem.decision.target;
  let epsilon = problem.epsilon;
  for (let attempt = 0; attempt <= WIDENINGS; attempt++, epsilon *= 4) {
    const solved = solve(highs, space, raw, target, epsilon, space.lower, space.upper);
    if (solved.status === 'infeasible') {
      return { rows: [], reason: infeasibilityReason(highs, space, raw, target, epsilon, name), details: `linear-exact: HiGHS ${highs.version.major}.${highs.version.minor}, infeasible at margin ${epsilon}` };
    }
    const row = clean(space, solved.values);
    const verdict = problem.verdicts(row)[0];
    if (problem.accepts(row, verdict) && verdict.margin >= epsilon / 2) {
      const program = space.integer.some(Boolean) ? 'mixed-integer program' : 'linear program';
      return { rows: [row], reason: null, details: `linear-exact: ${program} solved by HiGHS ${highs.version.major}.${highs.version.minor} (optimal cost ${solved.objective.toPrecision(6)}, logit margin ${epsilon})` };
    }
  }
  return { rows: [], reason: `The solver's optimum did not hold on the float32 model even with a logit margin of ${epsilon / 4}.`, details: 'linear-exact: re-check failed' };
}

/** Aᵀx + b over raw x: the model's input is (x − mean) / std. */
function toRaw({ weights, bias, classes }: AffineLogits, space: FeatureSpace): RawAffine {
  const d = space.features.length;
  const a = new Float64Array(d * classes);
  const b = Float64Array.from(bias);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < classes; j++) {
      a[i * classes + j] = weights[i * classes + j] / space.std[i];
      b[j] -= (weights[i * classes + j] * space.mean[i]) / space.std[i];
    }
  }
  return { a, b, classes };
}

type Solved = { status: 'optimal'; values: Float64Array; objective: number } | { status: 'infeasible' };

/** Columns x′_0…x′_{d−1}, then t_0…t_{d−1}; rows: the two halves of each |x′_i − x_i|, the margins, the one-hot sums. */
function solve(highs: Highs, space: FeatureSpace, raw: RawAffine, target: number, epsilon: number, lower: Float64Array, upper: Float64Array): Solved {
  const d = space.features.length;
  const inf = highs.infinity;
  const bound = (v: number) => (v === Infinity ? inf : v === -Infinity ? -inf : v);
  const rows: { coefficients: [number, number][]; lower: number; upper: number }[] = [];
  for (let i = 0; i < d; i++) {
    rows.push({ coefficients: [[d + i, 1], [i, -1]], lower: -space.x[i], upper: inf });
    rows.push({ coefficients: [[d + i, 1], [i, 1]], lower: space.x[i], upper: inf });
  }
  const k = raw.classes;
  for (let j = 0; j < k; j++) {
    if (j === target) continue;
    const coefficients: [number, number][] = [];
    for (let i = 0; i < d; i++) coefficients.push([i, raw.a[i * k + target] - raw.a[i * k + j]]);
    rows.push({ coefficients, lower: epsilon - (raw.b[target] - raw.b[j]), upper: inf });
  }
  for (const g of space.groups) rows.push({ coefficients: g.map((i) => [i, 1]), lower: 1, upper: 1 });

  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const r of rows) {
    for (const [c, v] of r.coefficients) {
      indices.push(c);
      values.push(v);
    }
    starts.push(indices.length);
  }
  const integrality = [...space.integer.map((int) => (int ? highs.constants.variableType.integer : highs.constants.variableType.continuous)), ...space.features.map(() => highs.constants.variableType.continuous)];
  const data = {
    numCols: 2 * d,
    numRows: rows.length,
    colCost: [...space.features.map(() => 0), ...space.cost],
    colLower: [...Array.from(lower, bound), ...space.features.map(() => 0)],
    colUpper: [...Array.from(upper, bound), ...space.features.map(() => inf)],
    rowLower: rows.map((r) => bound(r.lower)),
    rowUpper: rows.map((r) => bound(r.upper)),
    matrix: { format: 'csr' as const, numRows: rows.length, numCols: 2 * d, starts, indices, values },
    ...(space.integer.some(Boolean) ? { integrality } : {}),
  };
  return highs.withModel(data, (model) => {
    model.options.set({ output_flag: false, time_limit: TIME_LIMIT, mip_rel_gap: 1e-9 });
    model.run();
    const status = model.getModelStatus();
    const codes = highs.constants.modelStatus;
    if (status === codes.infeasible || status === codes.unboundedOrInfeasible) return { status: 'infeasible' } as const;
    if (status !== codes.optimal) throw new LensError('INTERNAL', `HiGHS stopped without an optimum (model status ${status}).`);
    return { status: 'optimal', values: model.getSolution().colValue.slice(0, d), objective: model.getObjectiveValue() } as const;
  });
}

/** The solver's values with integers rounded, every value clamped into its box, and changes below the solver's tolerance undone. */
function clean(space: FeatureSpace, values: Float64Array): Float64Array {
  return values.map((v, i) => {
    let w = space.integer[i] ? Math.round(v) : v;
    if (Math.abs(w - space.x[i]) <= 1e-9 * Math.max(1, Math.abs(space.x[i]))) w = space.x[i];
    return Math.min(space.upper[i], Math.max(space.lower[i], w));
  });
}

/**
 * Why the program is infeasible: a set of constraints whose relaxation makes it feasible, each one
 * needed given the others (a deletion filter: start with every bound relaxed, put each back unless
 * the program becomes infeasible with it).
 */
function infeasibilityReason(highs: Highs, space: FeatureSpace, raw: RawAffine, target: number, epsilon: number, name: string): string {
  const atoms = space.info.flatMap((f, i) => boundKinds(f).map((kind) => ({ i, kind })));
  const relaxed = new Set(atoms);
  const feasible = () => {
    const lower = new Float64Array(space.features.length);
    const upper = new Float64Array(space.features.length);
    space.info.forEach((f, i) => {
      const off = new Set<BoundKind>([...relaxed].filter((a) => a.i === i).map((a) => a.kind));
      [lower[i], upper[i]] = boundsOf(f, space.x[i], off);
    });
    return solve(highs, space, raw, target, epsilon, lower, upper).status === 'optimal';
  };
  if (!feasible()) return `No input gets '${name}' by a logit margin of ${epsilon}, even with every range, immutable and monotone constraint relaxed.`;
  for (const atom of atoms) {
    relaxed.delete(atom);
    if (!feasible()) relaxed.add(atom);
  }
  const binding = [...relaxed].map((a) => describeBound(space.info[a.i], a.kind));
  return `No counterfactual within the constraints: the model predicts '${name}' only with ${binding.join(', ')}.`;
}
