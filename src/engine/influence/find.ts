/** The `influence` request: loads the training set and the test point, runs one method, ranks. */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { InfluenceResult, InfluenceScore } from '../../protocol/influence';
import type { Checkpoint } from '../checkpoint/load';
import { forward } from '../checkpoint/forward';
import { requireSidecar } from '../checkpoint/sidecar';
import { outputKind, toProbabilities, rank } from '../model/probabilities';
import { LensError } from '../errors';
import type { HandlerContext } from '../handler';
import { loadInput } from '../data/input';
import { trainingSetPath, type TrainingSet } from '../data/trainingSet';
import { solverOf } from './dampedHessian';
import type { InfluenceParams, Scored, TestPoint } from './method';
import { predictExamples, testPreview } from './examples';
import { influenceMethod } from './registry';
import { chooseScope, layersModel } from './scope';
import { graphFeatures, graphTail } from './graphTail';
import { labelOf, selectHead } from '../model/head';

type Params = InfluenceParams;

/** Other checkpoints of the run (TracIn) and the training set come from the engine, which keeps them loaded. */
export async function findInfluence(loaded: HandlerContext, params: Params, ctx: RunContext): Promise<InfluenceResult> {
  const started = performance.now();
  const { backend } = loaded;
  const whole = await loaded.checkpoint(params.modelPath);
  requireSidecar(whole.sidecar);
  const { checkpoint, head } = selectHead(whole, params.output);
  // The loss is the softmax cross-entropy of the head's values (a head without labels: as logits),
  // or a sigmoid head's binary cross-entropy; a multilabel head would need label vectors, which
  // the training-set readers do not give.
  if (head.kind === 'multilabel') {
    throw new LensError('BAD_REQUEST', `Influence needs one class label per training example, and output '${head.name}' is a multilabel head (a label vector per example). Choose another head with --output.`);
  }
  const method = influenceMethod(params.method);
  // A graph model's trailing dense layer, rebuilt over its features (graphTail.ts), is its scope.
  const tail = checkpoint.model instanceof tf.GraphModel ? graphTail(checkpoint) : null;
  const owned: tf.Tensor[] = [];
  let test: TestPoint | null = null;
  try {
    if (tail && params.method === 'tracin') throw new LensError('BAD_REQUEST', "TracIn needs each checkpoint's trainable weights: run it on the Keras (layers) export of the model.");
    if (tail && params.layers?.length && params.layers.join() !== tail.matmul) throw new LensError('BAD_REQUEST', `A graph model's parameter scope is its trailing dense layer '${tail.matmul}'.`);
    const model = tail?.model ?? layersModel(checkpoint);
    const scope = tail ? { ...chooseScope(model), reason: tail.reason } : chooseScope(model, params.layers);
    const shownLayers = tail ? [tail.matmul] : scope.layers;
    test = method.needsTest ? await testPoint(checkpoint, params, head.labels) : null;
    const set = await loaded.trainingSet(trainingSetPath(checkpoint, params.train), checkpoint, ctx);
    const features = (x: tf.Tensor) => (tail ? (owned.push(graphFeatures(checkpoint, tail, x)), owned[owned.length - 1]) : x);
    // The model's version joins the hash: cached gradients are of these features, not of the raw set.
    const train: TrainingSet = tail ? { ...set, x: features(set.x), hash: `${set.hash}:${checkpoint.stamp}`, preview: (i) => set.preview(i) } : set;
    const point = test && { ...test, x: features(test.x) };
    const scored = await method.run({ checkpoint, model, scope, train, test: point, params, load: (p) => loaded.checkpoint(p) }, ctx);
    const labelName = (k: number) => labelOf(head, k);
    const order = ranked(scored.scores, !method.needsTest, params.top!);
    const predicted = predictExamples(checkpoint, model, scope, { features: train.x, inputs: set.x }, train.labels, order, head.labels);
    return {
      method: params.method,
      solver: method.usesSolver ? (scored.solver ?? solverOf(params, scope)) : null,
      paramScope: { layers: shownLayers, params: scope.size, reason: scope.reason },
      damping: scored.damping,
      ...(test && {
        test: {
          inputPath: params.inputPath as string,
          label: test.label,
          labelName: labelName(test.label),
          labelFromPrediction: test.labelFromPrediction,
          prediction: test.prediction,
          loss: scored.testLoss ?? NaN,
          preview: test.preview,
        },
      }),
      scores: order.map((index, k) => ({ ...describe(train, index, scored.scores[index], labelName), ...predicted[k] })),
      trainSize: train.labels.length,
      trainPath: train.path,
      skipped: train.skipped,
      ...(scored.checkpoints && { checkpoints: scored.checkpoints }),
      cached: scored.cached,
      warnings: warnings(scored, params),
      ...(scored.estimate && { estimate: scored.estimate }),
      solverInfo: scored.solution?.residual === undefined ? null : { iterations: scored.solution.iterations, residual: scored.solution.residual },
      options: {
        ...params,
        ...(test && { label: test.label }),
        train: train.path,
        layers: shownLayers,
        ...(method.usesSolver && { solver: scored.solver ?? solverOf(params, scope) }),
        ...(scored.checkpoints && { checkpoints: scored.checkpoints }),
      },
      backend,
      ms: performance.now() - started,
    };
  } finally {
    test?.x.dispose();
    tf.dispose(owned);
    tail?.model.dispose();
  }
}

function warnings(scored: Scored, params: Params): string[] {
  const out: string[] = [];
  const asked = params.damping!;
  if (scored.damping !== null && scored.damping > asked) {
    out.push(`Damping raised from ${asked} to ${scored.damping.toPrecision(3)}: the Hessian has negative eigenvalues here (the model is not at a strict minimum of its training loss), and H + λI must be positive definite.`);
  }
  if (scored.solution?.residual !== undefined && scored.solution.residual > 0.01) {
    out.push(`The inverse-Hessian solve stopped at a relative residual of ${scored.solution.residual.toPrecision(2)}: scores are approximate; raise the LiSSA depth, or the damping, or use the exact solver.`);
  }
  return out;
}

async function testPoint(checkpoint: Checkpoint, params: Params, labels: string[] | undefined): Promise<TestPoint> {
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
  return { x: input.tensor, label, labelFromPrediction: params.label === undefined, prediction: rank(p, labels, 3), preview: testPreview(input, checkpoint) };
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

