/**
 * What influence functions and self-influence share: per-example training gradients and a solver
 * against the damped Hessian (H + λI) at this checkpoint, then scores for a test point or for every
 * training example against itself.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import { EXACT_DEFAULT_MAX_PARAMS, type InfluenceSolver } from '../../protocol/influence';
import { defaultedKeys } from '../../protocol/options';
import { gradientKey, trainingGradients } from './gradientCache';
import { makeSolver, scoresAgainst, type SolverChoice } from './influenceFunctions';
import type { InfluenceInputs, InfluenceParams, Scored } from './method';
import { Objective } from './objective';
import type { ParamScope } from './scope';
import { selfInfluence } from './selfInfluence';

/** The solver a request gets: its own choice, else exact for small scopes and CG for the rest. */
export function solverOf(params: InfluenceParams, scope: ParamScope): InfluenceSolver {
  return params.solver ?? (scope.size <= EXACT_DEFAULT_MAX_PARAMS ? 'exact' : 'cg');
}

/** Scores against the damped Hessian: of the test point when there is one, else self-influence. */
export async function dampedHessianScores({ model, scope, train: set, test, params }: InfluenceInputs, ctx: RunContext): Promise<Scored> {
  const objective = new Objective(model, scope);
  const train = objective.embed(set.x, set.labels);
  const testData = test && objective.embed(test.x, Int32Array.of(test.label));
  try {
    const key = gradientKey(objective, set.hash);
    const gradients = await trainingGradients(objective, train, key, params.cacheDir, ctx);
    const rows = gradients.rows;
    const choice: SolverChoice = {
      solver: solverOf(params, scope),
      // Defaulted at the engine's boundary; λ may be raised only where the caller did not choose it.
      damping: params.damping!,
      autoDamping: defaultedKeys(params).includes('damping'),
      lissa: { depth: params.lissaDepth!, scale: params.lissaScale, repeats: params.lissaRepeats!, batch: params.lissaBatch!, seed: params.seed },
    };
    const solver = await makeSolver(objective, train, choice, ctx, params.cacheDir && path.join(params.cacheDir, `${key}.hessian.f64`));
    const cached = gradients.cached && solver.cached !== false;
    if (!testData) {
      const scores = await selfInfluence(solver, rows, ctx);
      return { scores, cached, solution: null, damping: solver.damping };
    }
    const { scores, solution } = await scoresAgainst(objective, solver, rows, testData, ctx);
    return { scores, cached, solution, damping: solver.damping, testLoss: objective.losses(testData)[0] };
  } finally {
    tf.dispose([train.features, ...(testData ? [testData.features] : [])]);
  }
}
