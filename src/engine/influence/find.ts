/** The `influence` request: loads the training set and the test point, runs one method, ranks. */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { ClassScore } from '../../protocol/model';
import {
  DEFAULT_DAMPING,
  EXACT_DEFAULT_MAX_PARAMS,
  type InfluenceOptions,
  type InfluenceResult,
  type InfluenceScore,
  type TrainingCheckpoint,
} from '../../protocol/influence';
import type { Checkpoint } from '../checkpoint/load';
import { forward } from '../checkpoint/forward';
import { outputKind, toProbabilities, rank } from '../model/probabilities';
import { LensError } from '../errors';
import type { HandlerContext } from '../handler';
import { loadInput } from '../data/input';
import { gradientKey, trainingGradients } from './gradientCache';
import { makeSolver, scoresAgainst, type SolverChoice } from './influenceFunctions';
import { Objective } from './objective';
import { chooseScope, type ParamScope } from './scope';
import { selfInfluence } from './selfInfluence';
import type { Solution } from './solvers/solver';
import { addTracInTerm } from './tracIn';
import { trainingSetPath, type TrainingSet } from '../data/trainingSet';

const DEFAULT_TOP = 10;

type Params = { modelPath: string } & InfluenceOptions;

interface TestPoint {
  x: tf.Tensor;
  label: number;
  labelFromPrediction: boolean;
  prediction: ClassScore[];
}

interface Scored {
  scores: Float64Array;
  cached: boolean;
  solution: Solution | null;
  /** The λ the solver used (null for TracIn). */
  damping: number | null;
  testLoss?: number;
  checkpoints?: TrainingCheckpoint[];
}

/** Other checkpoints of the run (TracIn) and the training set come from the engine, which keeps them loaded. */
export async function findInfluence(loaded: HandlerContext, params: Params, ctx: RunContext): Promise<InfluenceResult> {
  const started = performance.now();
  const { backend } = loaded;
  const checkpoint = await loaded.checkpoint(params.modelPath);
  const model = layersModel(checkpoint);
  const scope = chooseScope(model, params.layers);
  const test = params.method === 'self' ? null : await testPoint(checkpoint, params);
  try {
    const train = await loaded.trainingSet(trainingSetPath(checkpoint, params.train), checkpoint, ctx);
    const scored =
      params.method === 'tracin'
        ? await tracIn(checkpoint, scope, train, test as TestPoint, params, ctx, (p) => loaded.checkpoint(p))
        : await influenceFunctions(model, scope, train, test, params, ctx);
    const labels = checkpoint.sidecar.sidecar.labels;
    const labelName = (k: number) => labels?.[k] ?? String(k);
    return {
      method: params.method,
      solver: params.method === 'tracin' ? null : solverOf(params, scope),
      paramScope: { layers: scope.layers, params: scope.size, reason: scope.reason },
      damping: scored.damping,
      ...(test && {
        test: {
          inputPath: params.inputPath as string,
          label: test.label,
          labelName: labelName(test.label),
          labelFromPrediction: test.labelFromPrediction,
          prediction: test.prediction,
          loss: scored.testLoss ?? NaN,
        },
      }),
      scores: ranked(scored.scores, params.method === 'self', params.top ?? DEFAULT_TOP).map((index) => describe(train, index, scored.scores[index], labelName)),
      trainSize: train.labels.length,
      trainPath: train.path,
      skipped: train.skipped,
      ...(scored.checkpoints && { checkpoints: scored.checkpoints }),
      cached: scored.cached,
      warnings: warnings(scored, params),
      solverInfo: scored.solution?.residual === undefined ? null : { iterations: scored.solution.iterations, residual: scored.solution.residual },
      backend,
      ms: performance.now() - started,
    };
  } finally {
    test?.x.dispose();
  }
}

function warnings(scored: Scored, params: Params): string[] {
  const out: string[] = [];
  const asked = params.damping ?? DEFAULT_DAMPING;
  if (scored.damping !== null && scored.damping > asked) {
    out.push(`Damping raised from ${asked} to ${scored.damping.toPrecision(3)}: the Hessian has negative eigenvalues here (the model is not at a strict minimum of its training loss), and H + λI must be positive definite.`);
  }
  if (scored.solution?.residual !== undefined && scored.solution.residual > 0.01) {
    out.push(`The inverse-Hessian solve stopped at a relative residual of ${scored.solution.residual.toPrecision(2)}: scores are approximate; raise the LiSSA depth, or the damping, or use the exact solver.`);
  }
  return out;
}

function layersModel(checkpoint: Checkpoint): tf.LayersModel {
  if (checkpoint.model instanceof tf.LayersModel) return checkpoint.model;
  throw new LensError('INVALID_MODEL', `${path.basename(checkpoint.path)} is a graph model: it has no trainable weights, so training-data influence needs the Keras (layers) export of the model.`);
}

function solverOf(params: Params, scope: ParamScope): SolverChoice['solver'] {
  return params.solver ?? (scope.size <= EXACT_DEFAULT_MAX_PARAMS ? 'exact' : 'cg');
}

/** Influence functions and self-influence: both solve against the damped Hessian at this checkpoint. */
async function influenceFunctions(model: tf.LayersModel, scope: ParamScope, set: TrainingSet, test: TestPoint | null, params: Params, ctx: RunContext): Promise<Scored> {
  const objective = new Objective(model, scope);
  const train = objective.embed(set.x, set.labels);
  const testData = test && objective.embed(test.x, Int32Array.of(test.label));
  try {
    const key = gradientKey(objective, set.hash);
    const gradients = await trainingGradients(objective, train, key, params.cacheDir, ctx);
    const rows = gradients.rows;
    const choice: SolverChoice = {
      solver: solverOf(params, scope),
      damping: params.damping ?? DEFAULT_DAMPING,
      autoDamping: params.damping === undefined,
      lissa: { depth: params.lissaDepth, scale: params.lissaScale, repeats: params.lissaRepeats, batch: params.lissaBatch, seed: params.seed },
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

async function tracIn(
  checkpoint: Checkpoint,
  scope: ParamScope,
  set: TrainingSet,
  test: TestPoint,
  params: Params,
  ctx: RunContext,
  load: (modelPath: string) => Promise<Checkpoint>,
): Promise<Scored> {
  const checkpoints = params.checkpoints ?? sidecarCheckpoints(checkpoint);
  const scores = new Float64Array(set.labels.length);
  let cached = true;
  for (const [k, { path: file, learningRate }] of checkpoints.entries()) {
    const model = layersModel(await load(file));
    const objective = new Objective(model, sameScope(model, scope, file));
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
  const objective = new Objective(layersModel(checkpoint), scope);
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

async function testPoint(checkpoint: Checkpoint, params: Params): Promise<TestPoint> {
  if (!params.inputPath) throw new LensError('BAD_REQUEST', `${params.method} needs a test input (inputPath / --input).`);
  const input = await loadInput(params.inputPath, checkpoint.inputs[0], checkpoint.sidecar.sidecar, checkpoint.sidecar.path);
  const rows = input.tensor.shape[0];
  if (rows !== 1) {
    input.tensor.dispose();
    throw new LensError('INVALID_INPUT', `${path.basename(params.inputPath)} holds ${rows} examples; influence explains one prediction at a time: pass a file with one row.`);
  }
  const probabilities = tf.tidy(() => {
    const out = forward(checkpoint, input.tensor).reshape([1, -1]) as tf.Tensor2D;
    return toProbabilities(out, outputKind(out));
  });
  const p = Array.from(probabilities.dataSync());
  probabilities.dispose();
  const predicted = p.indexOf(Math.max(...p));
  const label = params.label ?? predicted;
  if (label >= p.length) {
    input.tensor.dispose();
    throw new LensError('BAD_REQUEST', `label ${label} is out of range: the model has ${p.length} classes (0–${p.length - 1}).`);
  }
  return { x: input.tensor, label, labelFromPrediction: params.label === undefined, prediction: rank(p, checkpoint.sidecar.sidecar.labels, 3) };
}

/** Indices to report: the `top` highest scores, then (unless self) the `top` lowest, highest first. */
function ranked(scores: Float64Array, self: boolean, top: number): number[] {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  if (self || 2 * top >= order.length) return order.slice(0, self ? top : order.length);
  return [...order.slice(0, top), ...order.slice(order.length - top)];
}

function describe(set: TrainingSet, index: number, score: number, labelName: (k: number) => string): InfluenceScore {
  const label = set.labels[index];
  return { index, id: set.ids[index], label, labelName: labelName(label), score, location: set.locations[index], preview: set.preview(index) };
}

