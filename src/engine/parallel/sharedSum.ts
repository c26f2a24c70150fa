/**
 * A sum over batches (as sumOverBatches) that the gradient helper thread shares: the engine and the
 * helper each take the next batch whenever they are free, so a core that other work slows down
 * takes fewer. Batches the helper fails on are computed here; cancellation stops both.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import { sumOverBatches } from '../model/batching';

/** Batches a shared sum is cut into at least (more where memory bounds them smaller). */
const HELPER_SHARES = 4;
/**
 * Items × elements per item below which the helper is not asked: its messages and smaller batches
 * cost more than they save (cnn32: IG-50 ≈ 17M was slower with it, IG-100 ≈ 34M 1.2× faster).
 */
const HELPER_MIN_WORK = 25_000_000;

/**
 * The batch size for sharing `total` items of `elements` floats each (exampleElements) with the
 * helper, at most `bounded` (the memory budget's); undefined when the job is too small to share.
 */
export function sharedBatchSize(total: number, elements: number, bounded: number): number | undefined {
  return total * elements >= HELPER_MIN_WORK ? Math.min(bounded, Math.ceil(total / HELPER_SHARES)) : undefined;
}

/** Evaluates batch [start, end) in the helper; resolves to the batch's sum, of the shape `sumShape`. */
export type RemoteBatch = (start: number, end: number, signal: AbortSignal) => Promise<Float32Array>;

export async function sharedSum(
  total: number,
  batchSize: number,
  ctx: RunContext,
  local: (start: number, end: number) => tf.Tensor,
  remote: { sumShape: number[]; run: RemoteBatch } | undefined,
): Promise<tf.Tensor> {
  if (!remote || total <= batchSize) return sumOverBatches(total, batchSize, ctx, local);
  const batches: Array<[number, number]> = [];
  for (let start = 0; start < total; start += batchSize) batches.push([start, Math.min(total, start + batchSize)]);
  const retry: Array<[number, number]> = [];
  let next = 0;
  let done = 0;
  let sum: tf.Tensor | null = null;
  const add = (part: tf.Tensor, size: number) => {
    const previous: tf.Tensor | null = sum;
    sum = previous ? tf.tidy(() => tf.add(previous, part)) : part;
    if (previous) tf.dispose([previous, part]);
    done += size;
    ctx.onProgress(done, total);
  };
  const stop = new AbortController();
  const cancel = () => stop.abort();
  ctx.signal.addEventListener('abort', cancel, { once: true });
  let helperFailed = false;
  const lane = async () => {
    while (next < batches.length && !stop.signal.aborted && !helperFailed) {
      const [start, end] = batches[next++];
      try {
        const values = await remote.run(start, end, stop.signal);
        if (!stop.signal.aborted) add(tf.tensor(values, remote.sumShape), end - start);
      } catch {
        helperFailed = true;
        retry.push([start, end]); // computed here instead; the helper has logged why
      }
    }
  };
  // Two batches in flight: the helper starts its next one while the engine is still busy with
  // its own batch and cannot hand out work.
  const helper = Promise.all([lane(), lane()]);
  try {
    for (;;) {
      ctx.signal.throwIfAborted();
      const batch = next < batches.length ? batches[next++] : retry.pop();
      if (!batch) {
        await helper; // its batch in flight, if any
        if (retry.length === 0) break;
        continue;
      }
      const [start, end] = batch;
      add(tf.tidy(() => local(start, end)), end - start);
      // Lets the helper's results and cancellation messages in between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    ctx.signal.throwIfAborted();
    return sum as unknown as tf.Tensor;
  } catch (err) {
    stop.abort();
    await helper;
    (sum as tf.Tensor | null)?.dispose();
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', cancel);
  }
}
