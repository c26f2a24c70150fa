/**
 * TracIn, checkpoint version (Pruthi et al. 2020): Σ_k η_k ∇L(z_test; θ_k) · ∇L(z; θ_k) over
 * checkpoints of one training run, η_k the learning rate used after checkpoint k. Callers add one
 * checkpoint's term at a time so only one checkpoint's gradients are in memory.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { TrainingCheckpoint } from '../../protocol/influence';
import type { Checkpoint } from '../checkpoint/load';
import { LensError } from '../errors';
import { gradientKey, trainingGradients } from './gradientCache';
import { project } from './influenceFunctions';
import type { InfluenceInputs, Scored } from './method';
import { objectiveOf, type Objective, type Dataset, type GradientRows } from './objective';
import { chooseScope, layersModel, type ParamScope } from './scope';

/** scores += η · rows · ∇L(test; θ_k). */
export function addTracInTerm(scores: Float64Array, objective: Objective, rows: GradientRows, test: Dataset, learningRate: number): void {
  const testGradient = objective.exampleGradient(test, 0);
  const term = project(rows, testGradient);
  for (let i = 0; i < scores.length; i++) scores[i] += learningRate * term[i];
}

/** The TracIn scores of every training example for the test point, over the run's checkpoints. */
export async function tracInScores({ checkpoint, scope, train: set, test: point, params, load }: InfluenceInputs, ctx: RunContext): Promise<Scored> {
  if (!point) throw new LensError('BAD_REQUEST', 'TracIn needs a test input (inputPath / --input).');
  const test = point;
  const checkpoints = params.checkpoints ?? sidecarCheckpoints(checkpoint);
  const scores = new Float64Array(set.labels.length);
  let cached = true;
  for (const [k, { path: file, learningRate }] of checkpoints.entries()) {
    const model = layersModel(await load(file));
    const objective = objectiveOf(model, sameScope(model, scope, file), checkpoint);
    const train = objective.embed(set.x, set.labels);
    const testData = objective.embed(test.x, Int32Array.of(test.label));
    try {
      const stage: RunContext = { signal: ctx.signal, onProgress: (done, total, message) => ctx.onProgress(done, total, `Checkpoint ${k + 1}/${checkpoints.length}: ${message ?? ''}`) };
      const gradients = await trainingGradients(objective, train, gradientKey(objective, set.hash), params.cacheDir, stage);
      cached &&= gradients.cached;
      addTracInTerm(scores, objective, gradients.rows, testData, learningRate);
    } finally {
      tf.dispose([train.features, testData.features]);
    }
  }
  const model = layersModel(checkpoint);
  const objective = objectiveOf(model, scope, checkpoint);
  const testData = objective.embed(test.x, Int32Array.of(test.label));
  const testLoss = objective.losses(testData)[0];
  testData.features.dispose();
  return { scores, cached, solution: null, damping: null, testLoss, checkpoints };
}

function sidecarCheckpoints(checkpoint: Checkpoint): TrainingCheckpoint[] {
  const { path: sidecarFile, sidecar } = checkpoint.sidecar;
  const listed = sidecar.data?.checkpoints;
  if (!listed?.length || !sidecarFile) {
    throw new LensError('INVALID_INPUT', "TracIn needs checkpoints of the training run: list them in the sidecar's data.checkpoints ({path, learningRate}), or pass them (--checkpoints).");
  }
  return listed.map((c) => ({ path: path.resolve(path.dirname(sidecarFile), c.path), learningRate: c.learningRate }));
}

/** The scope's layers in another checkpoint of the run, which must have the same parameter shapes. */
function sameScope(model: tf.LayersModel, scope: ParamScope, file: string): ParamScope {
  const other = chooseScope(model, scope.layers);
  const shapes = (s: ParamScope) => JSON.stringify(s.variables.map((v) => v.shape));
  if (shapes(other) !== shapes(scope)) {
    throw new LensError('WEIGHTS_MISMATCH', `${file}: its layers ${scope.layers.join(', ')} have different weight shapes; TracIn needs checkpoints of the same architecture.`);
  }
  return { ...other, reason: scope.reason };
}
