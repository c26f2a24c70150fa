/** metrics.json of a trained example: split sizes, accuracies, hyperparameters and the tfjs setup. */
import * as tf from '@tensorflow/tfjs';
import { writeJson } from './json';

export interface TrainingRun {
  train: readonly unknown[];
  test: readonly unknown[];
  testAccuracy: number;
  trainAccuracy: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

/** The fraction of rows whose argmax prediction is their label. */
export function accuracy(model: tf.LayersModel, x: tf.Tensor, labels: number[]): number {
  return tf.tidy(() => {
    const predicted = (model.predict(x) as tf.Tensor).argMax(-1).arraySync() as number[];
    return predicted.filter((p, i) => p === labels[i]).length / labels.length;
  });
}

/**
 * Writes the metrics of `run` to `file` with the current backend and tfjs version, then the
 * script's own `extra` entries. The key order is fixed, so a re-run writes the same file.
 */
export function writeMetrics(file: string, run: TrainingRun, extra: Record<string, unknown> = {}): void {
  writeJson(file, {
    trainExamples: run.train.length,
    testExamples: run.test.length,
    testAccuracy: run.testAccuracy,
    trainAccuracy: run.trainAccuracy,
    epochs: run.epochs,
    batchSize: run.batchSize,
    learningRate: run.learningRate,
    seed: run.seed,
    backend: tf.getBackend(),
    tfjsVersion: tf.version.tfjs,
    ...extra,
  });
}
