/**
 * Koh & Liang's (2017, §5.1) check of influence functions on a non-convex model: train a small
 * CNN on MNIST digits to a tight optimum θ̂, score every training example against one test example
 * with the engine's influence functions, then remove each of the most influential examples in turn,
 * retrain warm-started from θ̂, and correlate the predicted change in test loss (score / n) with
 * the actual one. Used by `npm run validate:influence` and, smaller, by the unit tests.
 */
import * as tf from '@tensorflow/tfjs';
import { sampleCorrelation } from 'simple-statistics';
import { influenceScores } from '../../src/engine/influence/influenceFunctions';
import { chooseScope } from '../../src/engine/influence/scope';
import { quietContext } from '../../src/engine/common/context';
import { mnistSubset } from './mnistSubset';
import { minimise, RegularisedLoss, type MinimiseOptions } from './retrain';
import { buildTinyCnn, pooledPatches, tinyCnnLogits } from './tinyCnn';

export interface ValidationConfig {
  /** Training digits per class (n = 10 × this) and held-out digits per class to pick the test point from. */
  trainPerClass: number;
  testPerClass: number;
  /** L2 strength: the objective is mean CE + (λ/2)‖θ‖², so λ is also the influence damping. */
  lambda: number;
  /** How many of the most influential examples (by |score|) are removed and retrained without. */
  removals: number;
  /** ‖∇‖ at which training and each retraining stop. */
  gradientTolerance: number;
  seed: number;
}

/** The full validation: 1,000 digits, 50 retrainings. */
export const FULL_CONFIG: ValidationConfig = { trainPerClass: 100, testPerClass: 20, lambda: 0.01, removals: 50, gradientTolerance: 1e-5, seed: 1 };

/** Images downsampled 28 → 14 (2×2 means) keep the thousands of training passes cheap. */
const DOWNSAMPLE = 2;
/** Held-out digits come from index 800 of each digit on (digit 5 has only 863): training uses fewer. */
const TEST_FROM = 800;
const TRAIN_MAX_ITERATIONS = 5000;
const RETRAIN_MAX_ITERATIONS = 1000;
const MEMORY = 50;

export interface Retraining {
  /** Index of the removed training example, its label and influence score. */
  index: number;
  label: number;
  score: number;
  /** score / n. */
  predicted: number;
  /** Test loss after retraining without it, minus the test loss at θ̂. */
  actual: number;
  iterations: number;
  gradientNorm: number;
}

export interface ValidationResult {
  r: number;
  n: number;
  params: number;
  lambda: number;
  model: string;
  accuracy: { train: number; test: number };
  optimum: { objective: number; gradientNorm: number; iterations: number };
  test: { index: number; label: number; predicted: number; loss: number; engineLoss: number };
  solver: { name: string; iterations: number; residual: number | null };
  retrainings: Retraining[];
  timingsMs: { train: number; influence: number; retrain: number; total: number };
}

export async function validateInfluence(config: ValidationConfig, log: (line: string) => void = () => {}): Promise<ValidationResult> {
  const started = performance.now();
  const train = mnistSubset(config.trainPerClass, 0, DOWNSAMPLE, config.seed);
  const test = mnistSubset(config.testPerClass, TEST_FROM, DOWNSAMPLE, config.seed + 1);
  const model = buildTinyCnn(train.x.shape[1], config.seed);
  const trainPatches = pooledPatches(train.x);
  const testPatches = pooledPatches(test.x);
  const loss = new RegularisedLoss(model, (f) => tinyCnnLogits(model, f as tf.Tensor3D), trainPatches, train.labels, config.lambda);
  const n = train.labels.length;
  try {
    const weights = new Float32Array(n).fill(1 / n);
    const options: MinimiseOptions = { gradientTolerance: config.gradientTolerance, maxIterations: TRAIN_MAX_ITERATIONS, memory: MEMORY };
    const optimum = minimise((theta) => loss.valueAndGradient(theta, weights), loss.getParams(), options);
    if (optimum.gradientNorm > config.gradientTolerance) throw new Error(`training stopped at ‖∇‖ = ${optimum.gradientNorm} after ${optimum.iterations} iterations`);
    loss.setParams(optimum.theta);
    const trained = performance.now();
    log(`trained to ‖∇‖ = ${optimum.gradientNorm.toExponential(2)} in ${optimum.iterations} iterations, ${((trained - started) / 1000).toFixed(1)} s`);

    const testLosses = loss.losses(testPatches, test.labels);
    const t = argMax(testLosses);
    const testLabel = test.labels[t];
    const testPredictions = predictedClasses(model, test.x);
    const predictedClass = testPredictions[t];
    log(`test point ${t}: label ${testLabel}, predicted ${predictedClass}, loss ${testLosses[t].toFixed(4)}`);

    const testX = test.x.slice(t, 1);
    const influence = await influenceScores(
      { model, scope: chooseScope(model), train: { x: train.x, labels: train.labels }, test: { x: testX, label: testLabel }, solver: 'cg', damping: config.lambda },
      quietContext(),
    ).finally(() => testX.dispose());
    loss.setParams(optimum.theta);
    const scored = performance.now();
    log(`influence (cg, ${influence.solution.iterations} iterations, residual ${influence.solution.residual?.toExponential(2)}) in ${((scored - trained) / 1000).toFixed(1)} s`);

    const top = Array.from(influence.scores.keys())
      .sort((a, b) => Math.abs(influence.scores[b]) - Math.abs(influence.scores[a]))
      .slice(0, config.removals);
    const retrainings: Retraining[] = [];
    for (const i of top) {
      const without = Float32Array.from(weights);
      without[i] = 0;
      const retrained = minimise((theta) => loss.valueAndGradient(theta, without), optimum.theta, { ...options, maxIterations: RETRAIN_MAX_ITERATIONS });
      if (retrained.gradientNorm > config.gradientTolerance) throw new Error(`retraining without ${i} stopped at ‖∇‖ = ${retrained.gradientNorm} after ${retrained.iterations} iterations`);
      loss.setParams(retrained.theta);
      const actual = loss.losses(testPatches, test.labels)[t] - testLosses[t];
      const score = influence.scores[i];
      retrainings.push({ index: i, label: train.labels[i], score, predicted: score / n, actual, iterations: retrained.iterations, gradientNorm: retrained.gradientNorm });
      log(`removed ${i} (label ${train.labels[i]}): predicted ${(score / n).toExponential(3)}, actual ${actual.toExponential(3)}, ${retrained.iterations} iterations`);
    }
    loss.setParams(optimum.theta);
    const done = performance.now();

    const r = sampleCorrelation(
      retrainings.map((x) => x.predicted),
      retrainings.map((x) => x.actual),
    );
    return {
      r,
      n,
      params: loss.size,
      lambda: config.lambda,
      model: `${model.layers.map((l) => l.getClassName()).join(' → ')} (${loss.size} parameters; input ${train.x.shape.slice(1).join('×')})`,
      accuracy: { train: accuracy(predictedClasses(model, train.x), train.labels), test: accuracy(testPredictions, test.labels) },
      optimum: { objective: optimum.value, gradientNorm: optimum.gradientNorm, iterations: optimum.iterations },
      test: { index: t, label: testLabel, predicted: predictedClass, loss: testLosses[t], engineLoss: influence.testLoss },
      solver: { name: 'cg', iterations: influence.solution.iterations, residual: influence.solution.residual ?? null },
      retrainings,
      timingsMs: { train: trained - started, influence: scored - trained, retrain: done - scored, total: done - started },
    };
  } finally {
    loss.dispose();
    model.dispose();
    tf.dispose([train.x, test.x, trainPatches, testPatches]);
  }
}

function argMax(values: Float64Array): number {
  return values.reduce((best, v, i) => (v > values[best] ? i : best), 0);
}

function predictedClasses(model: tf.LayersModel, x: tf.Tensor): Int32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(-1).dataSync() as Int32Array);
}

function accuracy(predicted: Int32Array, labels: Int32Array): number {
  return predicted.filter((p, i) => p === labels[i]).length / labels.length;
}
