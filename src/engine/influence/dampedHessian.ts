/**
 * What influence functions and self-influence share: per-example training gradients and a solver
 * against the damped Hessian (H + λI) at this checkpoint, then scores for a test point or for every
 * training example against itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import { EXACT_DEFAULT_MAX_PARAMS, type InfluenceSolver } from '../../protocol/influence';
import { defaultedKeys } from '../../protocol/options';
import { gradientKey, trainingGradients } from './gradientCache';
import { makeSolver, scoresAgainst, type SolverChoice } from './influenceFunctions';
import type { InfluenceInputs, InfluenceParams, Scored } from './method';
import { objectiveOf, type Objective, type Dataset } from './objective';
import { hessianVectorProduct } from './hvp';
import type { ParamScope } from './scope';
import { selfInfluence } from './selfInfluence';

/** The solver a request gets before any cost is known: its own choice, else exact for small scopes and CG for the rest. */
export function solverOf(params: InfluenceParams, scope: ParamScope): InfluenceSolver {
  return params.solver ?? (scope.size <= EXACT_DEFAULT_MAX_PARAMS ? 'exact' : 'cg');
}

/**
 * The longest explicit Hessian the default solver builds for one test point: one Hessian-vector
 * product per parameter. Wide, so a scope's choice does not flip with the machine's load; what
 * it rules out is a whole network per product (MobileNetV2 unsplit: 645 × 7.5 s ≈ 80 minutes).
 */
export const EXACT_BUDGET_MS = 120_000;
/** CG's iteration cap (solvers/cg.ts). */
const CG_MAX_ITERATIONS = 500;

/**
 * The solver by cost, and what it is expected to cost: one Hessian-vector product is timed, and
 * for one test point the default is exact only where a product per parameter stays within
 * EXACT_BUDGET_MS (a scope whose suffix is a whole CNN makes them slow), else CG. Self-influence
 * solves once per training example: one explicit Hessian is always cheaper there. A Hessian
 * already in the cache costs nothing to build: exact then, so a repeated query reuses it.
 */
export function chooseSolver(
  objective: Objective,
  train: Dataset,
  params: InfluenceParams,
  scope: ParamScope,
  solves: number,
  hessianCached: boolean,
): { solver: InfluenceSolver; estimate: { hvpMs: number; hvps: number; seconds: number } } {
  const probe = Float64Array.from({ length: scope.size }, (_, i) => Math.sin(i + 1));
  const hvp = hessianVectorProduct(objective, train);
  hvp(probe); // the first product pays for kernel set-up: time the second
  const started = performance.now();
  hvp(probe);
  const hvpMs = performance.now() - started;
  const solver = params.solver ?? defaultSolver(scope.size, hvpMs, solves, hessianCached);
  const perSolve = Math.min(scope.size, CG_MAX_ITERATIONS);
  const hvps = solver === 'exact' ? (hessianCached ? 0 : scope.size) : solver === 'cg' ? perSolve * solves : params.lissaDepth! * params.lissaRepeats! * solves;
  return { solver, estimate: { hvpMs, hvps, seconds: (hvps * hvpMs) / 1000 } };
}

/** The default solver for a scope of `size` parameters whose Hessian-vector product takes hvpMs, for `solves` right-hand sides. */
export function defaultSolver(size: number, hvpMs: number, solves: number, hessianCached: boolean): InfluenceSolver {
  const exactFits = size <= EXACT_DEFAULT_MAX_PARAMS && (hessianCached || solves > 1 || size * hvpMs <= EXACT_BUDGET_MS);
  return exactFits ? 'exact' : 'cg';
}

/** Scores against the damped Hessian: of the test point when there is one, else self-influence. */
export async function dampedHessianScores({ checkpoint, model, scope, train: set, test, params }: InfluenceInputs, ctx: RunContext): Promise<Scored> {
  const objective = objectiveOf(model, scope, checkpoint);
  const train = objective.embed(set.x, set.labels);
  const testData = test && objective.embed(test.x, Int32Array.of(test.label));
  try {
    const key = gradientKey(objective, set.hash);
    const gradients = await trainingGradients(objective, train, key, params.cacheDir, ctx);
    const rows = gradients.rows;
    const hessianFile = params.cacheDir && path.join(params.cacheDir, `${key}.hessian.f64`);
    const hessianCached = !!hessianFile && isCached(hessianFile, scope.size * scope.size * Float64Array.BYTES_PER_ELEMENT);
    const { solver: chosen, estimate } = chooseSolver(objective, train, params, scope, testData ? 1 : set.labels.length, hessianCached);
    // Said before the solve starts: the editor's notification and the CLI's progress line show it.
    ctx.onProgress(0, 1, `${chosen} solver: about ${estimate.hvps} Hessian-vector products of ${estimate.hvpMs.toFixed(1)} ms, ≈ ${formatSeconds(estimate.seconds)}`);
    const choice: SolverChoice = {
      solver: chosen,
      // Defaulted at the engine's boundary; λ may be raised only where the caller did not choose it.
      damping: params.damping!,
      autoDamping: defaultedKeys(params).includes('damping'),
      lissa: { depth: params.lissaDepth!, scale: params.lissaScale, repeats: params.lissaRepeats!, batch: params.lissaBatch!, seed: params.seed },
    };
    const solver = await makeSolver(objective, train, choice, ctx, hessianFile);
    const cached = gradients.cached && solver.cached !== false;
    if (!testData) {
      const scores = await selfInfluence(solver, rows, ctx);
      return { scores, cached, solution: null, damping: solver.damping, solver: chosen, estimate };
    }
    const { scores, solution } = await scoresAgainst(objective, solver, rows, testData, ctx);
    return { scores, cached, solution, damping: solver.damping, testLoss: objective.losses(testData)[0], solver: chosen, estimate };
  } finally {
    tf.dispose([train.features, ...(testData ? [testData.features] : [])]);
  }
}

function formatSeconds(s: number): string {
  return s < 1 ? 'under a second' : s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`;
}

/** Whether `file` holds `bytes` bytes (cachedArray will then read it instead of computing). */
function isCached(file: string, bytes: number): boolean {
  try {
    return fs.statSync(file).size === bytes;
  } catch {
    return false;
  }
}
