/**
 * What a gallery shows beside each ranked training example and the test point: the model's top
 * class and its loss (the influence objective's cross-entropy, as the test point's loss is
 * computed), and what the test input looks like.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExamplePreview } from '../../protocol/influence';
import type { ClassScore } from '../../protocol/model';
import type { Checkpoint } from '../checkpoint/load';
import { forward } from '../checkpoint/forward';
import { unstandardise } from '../data/csv';
import { pngDataUri } from '../data/encode';
import type { LoadedInput } from '../data/input';
import { PAD_ID } from '../data/text';
import { outputKind, rank, toProbabilities } from '../model/probabilities';
import { objectiveOf } from './objective';
import type { ParamScope } from './scope';

/** Examples per forward pass. */
const BATCH = 256;

/**
 * The model's top class and loss on training examples `indices` (labels: the whole set's): the loss
 * of `model` (the influence model: for a graph model, its trailing dense layer) on `x.features`,
 * the prediction of the checkpoint's head on `x.inputs` (the same examples as the model takes them).
 */
export function predictExamples(
  checkpoint: Checkpoint,
  model: tf.LayersModel,
  scope: ParamScope,
  x: { features: tf.Tensor; inputs: tf.Tensor },
  labels: Int32Array,
  indices: number[],
  names: string[] | undefined,
): { prediction: ClassScore; loss: number }[] {
  const objective = objectiveOf(model, scope, checkpoint);
  const out: { prediction: ClassScore; loss: number }[] = [];
  for (let start = 0; start < indices.length; start += BATCH) {
    const part = indices.slice(start, start + BATCH);
    const at = tf.tensor1d(part, 'int32');
    const rows = tf.gather(x.inputs, at);
    const features = x.features === x.inputs ? rows : tf.gather(x.features, at);
    at.dispose();
    const data = objective.embed(features, Int32Array.from(part, (i) => labels[i]));
    try {
      const losses = objective.losses(data);
      const probabilities = tf.tidy(() => {
        const y = forward(checkpoint, rows).reshape([part.length, -1]) as tf.Tensor2D;
        return toProbabilities(y, outputKind(y));
      });
      const p = probabilities.arraySync();
      probabilities.dispose();
      part.forEach((_, k) => out.push({ prediction: rank(p[k], names, 1)[0], loss: losses[k] }));
    } finally {
      tf.dispose([rows, features, data.features]); // features may be rows: disposing twice is harmless
    }
  }
  return out;
}

/** The test input as a gallery shows it: the image the model sees, the row, the sentence (padding dropped), or the tensor's description. */
export function testPreview(input: LoadedInput, checkpoint: Checkpoint): ExamplePreview {
  if (input.preview) return { kind: 'image', png: pngDataUri(input.preview) };
  if (input.tokens) {
    const ids = input.tensor.dataSync();
    return { kind: 'text', text: input.tokens.filter((_, i) => ids[i] !== PAD_ID).join(' ') };
  }
  if (input.kind === 'tabular' && input.features) {
    const values = unstandardise(input.tensor.dataSync(), input.features.length, checkpoint.sidecar.sidecar.input);
    return { kind: 'row', cells: Object.fromEntries(input.features.map((f, i) => [f, String(Number(values[i].toPrecision(6)))])) };
  }
  return { kind: 'tensor', summary: input.description };
}
