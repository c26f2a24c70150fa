/**
 * Influence functions (Koh & Liang 2017): I_up,loss(z, z_test) = −∇L(z_test)ᵀ (H + λI)⁻¹ ∇L(z).
 * We report score = −I_up,loss, so positive means a proponent: removing z raises the test loss by
 * ≈ score / n.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { InfluenceSolver } from '../../protocol/influence';
import { LensError } from '../errors';
import { hessianVectorProduct } from './hvp';
import { Objective, type Dataset, type GradientRows } from './objective';
import type { ParamScope } from './scope';
import { conjugateGradient } from './solvers/cg';
import { cachedArray } from './gradientCache';
import { exactSolver, explicitHessian } from './solvers/exact';
import { lissa, type LissaOptions } from './solvers/lissa';
import { raisedDamping, smallestEigenvalue, type IhvpSolver, type Solution } from './solvers/solver';

export interface SolverChoice {
  solver: InfluenceSolver;
  damping: number;
  /** The caller did not choose λ: raise it where H + λI is indefinite rather than fail (raisedDamping). */
  autoDamping?: boolean;
  lissa?: Omit<LissaOptions, 'damping'>;
}

/**
 * The chosen solver over train's Hessian at the objective's parameters. hessianFile caches the
 * exact solver's Hessian (see cachedArray); `cached` says whether it came from there.
 */
export async function makeSolver(
  objective: Objective,
  train: Dataset,
  choice: SolverChoice,
  ctx: RunContext,
  hessianFile?: string,
): Promise<IhvpSolver & { cached?: boolean }> {
  const hvpOn = (rows?: Int32Array) => hessianVectorProduct(objective, train, rows);
  const auto = choice.autoDamping ?? false;
  const size = objective.size;
  switch (choice.solver) {
    case 'exact': {
      const { value, cached } = await cachedArray(hessianFile, Float64Array, size * size, () => explicitHessian(hvpOn(), size, ctx));
      return Object.assign(exactSolver(value, size, choice.damping, auto), { cached });
    }
    case 'lissa': {
      // LiSSA cannot detect an indefinite Hessian (it just diverges), so check the spectrum first.
      const damping = auto ? raisedDamping(smallestEigenvalue(hvpOn(), objective.size), choice.damping) : choice.damping;
      if (!choice.lissa) throw new LensError('INTERNAL', 'The LiSSA solver needs its settings (the influence request defaults them).');
      return lissa(hvpOn, train.labels.length, objective.size, { ...choice.lissa, damping });
    }
    case 'cg':
      return conjugateGradient(hvpOn(), objective.size, { damping: choice.damping, autoDamping: auto });
  }
}

/** Scores of every training example against one test example (a Dataset of one row). */
export async function scoresAgainst(
  objective: Objective,
  solver: IhvpSolver,
  rows: GradientRows,
  test: Dataset,
  ctx: RunContext,
): Promise<{ scores: Float64Array; solution: Solution }> {
  const testGradient = Float64Array.from(objective.exampleGradient(test, 0));
  const solution = await solver.solve(testGradient, ctx);
  return { scores: project(rows, solution.x), solution };
}

/** rows · v: one dot product per training example. */
export function project(rows: GradientRows, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.n);
  for (let r = 0; r < rows.n; r++) {
    let s = 0;
    const offset = r * rows.p;
    for (let i = 0; i < rows.p; i++) s += rows.data[offset + i] * v[i];
    out[r] = s;
  }
  return out;
}

export interface InfluenceProblem extends SolverChoice {
  model: tf.LayersModel;
  scope: ParamScope;
  train: { x: tf.Tensor; labels: Int32Array };
  test: { x: tf.Tensor; label: number };
}

/**
 * Influence of every training example on one test example, from raw inputs: the whole computation
 * in one call (validation scripts use it; the engine's `influence` request adds caching and ranking).
 */
export async function influenceScores(problem: InfluenceProblem, ctx: RunContext): Promise<{ scores: Float64Array; solution: Solution; testLoss: number }> {
  const objective = new Objective(problem.model, problem.scope);
  const train = objective.embed(problem.train.x, problem.train.labels);
  const test = objective.embed(problem.test.x, Int32Array.of(problem.test.label));
  try {
    const rows = await objective.exampleGradients(train, ctx);
    const solver = await makeSolver(objective, train, problem, ctx);
    const { scores, solution } = await scoresAgainst(objective, solver, rows, test, ctx);
    return { scores, solution, testLoss: objective.losses(test)[0] };
  } finally {
    tf.dispose([train.features, test.features]);
  }
}
