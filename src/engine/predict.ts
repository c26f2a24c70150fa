/** Runs an input through a checkpoint and ranks the classes: the first thing anyone asks of a model. */
import * as tf from '@tensorflow/tfjs';
import type { BackendName, Prediction } from '../protocol/model';
import type { Checkpoint } from './checkpoint/load';
import { requireSidecar } from './checkpoint/sidecar';
import type { InputCache } from './data/inputCache';
import { LensError } from './errors';
import { pngDataUri } from './data/encode';
import { headRef, readingOf, selectHead } from './model/head';
import { outputKind as kindOf, rank, toProbabilities } from './model/probabilities';

/** `top` is the request's, defaulted at the engine's boundary (src/protocol/options); `output` names the head. */
export async function predict(loaded: Checkpoint, inputPath: string, backend: BackendName, inputs: InputCache, top: number, output?: string): Promise<Prediction> {
  if (loaded.inputs.length !== 1) {
    throw new LensError('INVALID_INPUT', `The model has ${loaded.inputs.length} inputs; Model Lens predicts from one input file only.`);
  }
  requireSidecar(loaded.sidecar);
  const { checkpoint, head } = selectHead(loaded, output);
  const started = performance.now();
  // The input and the model's output on it are the cache's, not ours to dispose.
  return inputs.use(checkpoint, inputPath, async ({ input, output: out }) => {
    const regression = head.kind === 'regression';
    const reading = readingOf(head, () => kindOf(out));
    const scores = regression ? out.clone() : tf.tidy(() => toProbabilities(out, reading));
    const rows = (await scores.array()) as number[][];
    scores.dispose();
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
      output: headRef(head),
      outputKind: regression ? 'values' : reading,
      rows: rows.map((p, i) => ({
        ...(regression ? { top: [], values: p } : { top: rank(p, head.labels, top) }),
        ...(input.labels ? { trueLabel: input.labels[i] } : {}),
      })),
      options: { modelPath: checkpoint.path, inputPath, ...(output !== undefined ? { output } : {}), top },
      backend,
      ms,
    };
  });
}
