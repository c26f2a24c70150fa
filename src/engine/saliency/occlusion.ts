/**
 * Occlusion (Zeiler & Fergus 2014; Captum's Occlusion): a window slides over the input; for each
 * position the window is filled with a constant and the drop of the objective F(x) − F(x_occluded)
 * is credited to every element the window covers. An element's attribution is the mean over the
 * windows covering it (Captum divides the summed differences by the per-element window count).
 *
 * Which dimensions the window slides over, for an input [1, ...]:
 *   - [1, h, w, c] images: height and width, all channels together (default window
 *     max(4, ⌈min(h, w) / 14⌉), see defaultImageWindow);
 *   - [1, f] tabular / 1-D: the features (default window 1);
 *   - any other rank: every dimension after the batch (default window 1).
 * Stride defaults to the window. Like Captum, a dimension of size n gets ⌈(n − window) / stride⌉ + 1
 * window positions, starting at multiples of the stride; windows reaching past the border are
 * clipped. Occluded copies are evaluated a batch at a time.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { SaliencyOptions } from '../../protocol/saliency';
import { LensError } from '../errors';
import { batchSizeFor } from '../model/batching';
import { occlusionGrid, occlusionSums, windowCounts } from '../model/occlusionWindows';
import { sharedBatchSize, sharedSum } from '../parallel/sharedSum';
import { subjectOf, type Attribution, type AttributionInputs, type AttributionMethod } from './method';

export { defaultImageWindow, occlusionGrid, type OcclusionGrid } from '../model/occlusionWindows';

export const occlusion: AttributionMethod = {
  id: 'occlusion',
  usesBaseline: false,
  run,
};

async function run(inputs: AttributionInputs, options: SaliencyOptions, ctx: RunContext): Promise<Attribution> {
  const subject = subjectOf(inputs);
  const { x } = subject;
  if (x.shape[0] !== 1) throw new LensError('BAD_REQUEST', `Occlusion explains one example at a time; the input's batch is ${x.shape[0]}.`);
  ctx.signal.throwIfAborted();
  const grid = occlusionGrid(x.shape, options);
  const fill = options.fill!;
  const original = { values: (await x.data()) as Float32Array | Int32Array, dtype: x.dtype as 'float32' | 'int32' };
  const scoreOfX = tf.tidy(() => subject.forward(x));
  const fx = (await scoreOfX.data())[0];
  scoreOfX.dispose();

  // Many windows on a large input are worth sharing with the gradient helper, which scores its batches on the other core.
  const { helper } = inputs;
  const at = subject.helper;
  const bounded = batchSizeFor(subject.elements, options);
  const shared = helper && at && x.dtype === 'float32' ? sharedBatchSize(grid.total, subject.elements, bounded) : undefined;
  const sums = await sharedSum(
    grid.total,
    shared ?? bounded,
    ctx,
    (start, end) => occlusionSums(subject.forward, original, fx, grid, fill, start, end),
    shared && helper && at
      ? {
        sumShape: x.shape,
        run: (start, end, signal) => helper.run({ kind: 'occlusion', modelPath: at.modelPath, target: at.target, shape: x.shape, x: original.values as Float32Array, fx, window: grid.window, stride: grid.stride, fill, start, end }, signal),
      }
      : undefined,
  );
  let summed: Float32Array;
  try {
    summed = (await sums.data()) as Float32Array;
  } finally {
    sums.dispose();
  }
  ctx.signal.throwIfAborted();
  const count = windowCounts(grid);
  const values = new Float32Array(summed.length);
  for (let i = 0; i < values.length; i++) values[i] = count[i] > 0 ? summed[i] / count[i] : 0;
  return { values: tf.tensor(values, x.shape, 'float32') };
}
