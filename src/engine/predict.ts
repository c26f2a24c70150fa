/** Runs an input through a checkpoint and ranks the classes: the first thing anyone asks of a model. */
import * as tf from '@tensorflow/tfjs';
import type { BackendName, Prediction } from '../protocol/model';
import type { Checkpoint } from './checkpoint/load';
import type { InputCache } from './data/inputCache';
import { LensError } from './errors';
import { pngDataUri } from './data/encode';
import { outputKind as kindOf, rank, toProbabilities } from './model/probabilities';

/** `top` is the request's, defaulted at the engine's boundary (src/protocol/options). */
export async function predict(checkpoint: Checkpoint, inputPath: string, backend: BackendName, inputs: InputCache, top: number): Promise<Prediction> {
  if (checkpoint.inputs.length !== 1) {
    throw new LensError('INVALID_INPUT', `The model has ${checkpoint.inputs.length} inputs; Model Lens predicts from one input file only.`);
  }
  const { sidecar } = checkpoint.sidecar;
  const started = performance.now();
  const { input, output } = await inputs.get(checkpoint, inputPath); // the cache's, not ours to dispose
  const outputKind = kindOf(output);
  const probabilities = tf.tidy(() => toProbabilities(output, outputKind));
  const rows = (await probabilities.array()) as number[][];
  probabilities.dispose();
  const ms = performance.now() - started;
  return {
    modelPath: checkpoint.path,
    input: {
      path: inputPath,
      kind: input.kind,
      description: input.description,
      shape: input.tensor.shape,
      ...(input.preview ? { preview: pngDataUri(input.preview) } : {}),
    },
    outputKind,
    rows: rows.map((p, i) => ({ top: rank(p, sidecar.labels, top), ...(input.labels ? { trueLabel: input.labels[i] } : {}) })),
    options: { modelPath: checkpoint.path, inputPath, top },
    backend,
    ms,
  };
}
