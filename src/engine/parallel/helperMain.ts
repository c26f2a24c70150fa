/**
 * The gradient helper's worker-thread entry (gradientHelper.ts starts it): evaluates batches of
 * Integrated Gradients' path and SmoothGrad's samples for the engine, one job at a time, on the engine's backend, keeping the
 * last checkpoint loaded.
 */
import { parentPort } from 'worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice } from '../../protocol/model';
import type { FromHelper, HelperJob, ToHelper } from '../../protocol/helper';
import { initBackend } from '../backend/select';
import { disposeCheckpoint, loadCheckpoint, type Checkpoint } from '../checkpoint/load';
import { isObject } from '../checkpoint/modelJson';
import { fileStamp } from '../common/fileStamp';
import { toWireError } from '../errors';
import { inputGradient } from '../model/objective';
import { noisySums } from '../model/noise';
import { inputPathGradients } from '../model/pathGradients';

// Libraries that log to stdout would corrupt the CLI's --json output: their chatter goes to stderr.
console.log = console.info = (...args: unknown[]) => console.error(...args);

const send = (message: FromHelper): void => {
  parentPort?.postMessage(message);
};
const ready = initBackend((process.env.MODEL_LENS_BACKEND || 'auto') as BackendChoice);
/** Jobs received and not yet started; a cancelled one is skipped. */
const waiting = new Set<number>();
let loaded: { checkpoint: Checkpoint; stamp: string } | null = null;
/** Jobs run one after another, in the order they came. */
let queue: Promise<void> = Promise.resolve();

async function checkpointAt(file: string): Promise<Checkpoint> {
  const stamp = `${file}\n${fileStamp(file)}`;
  if (loaded?.stamp === stamp) return loaded.checkpoint;
  if (loaded) disposeCheckpoint(loaded.checkpoint);
  loaded = null;
  loaded = { checkpoint: await loadCheckpoint(file), stamp };
  return loaded.checkpoint;
}

/** The job's batch sum, by the same functions the engine runs for its own batches. */
function batchSum(checkpoint: Checkpoint, job: HelperJob): tf.Tensor {
  const x = tf.tensor(job.x, job.shape);
  if (job.kind === 'path') {
    const baseline = tf.tensor(job.baseline, job.shape);
    return inputPathGradients(checkpoint, job.target)(baseline, tf.sub(x, baseline), job.nodes, job.weights);
  }
  const shift = job.shift ? tf.tensor(job.shift, job.shape) : null;
  return noisySums((batch) => inputGradient(checkpoint, batch, job.target), x, { ...job, shift });
}

async function run(id: number, job: HelperJob): Promise<void> {
  try {
    if (!waiting.delete(id)) throw Object.assign(new Error('Cancelled.'), { name: 'AbortError' });
    await ready;
    const checkpoint = await checkpointAt(job.modelPath);
    const sum = tf.tidy(() => batchSum(checkpoint, job));
    const values = (await sum.data()) as Float32Array;
    sum.dispose();
    send({ type: 'result', id, sum: values });
  } catch (err) {
    send({ type: 'error', id, ...toWireError(err) });
  }
}

function isToHelper(value: unknown): value is ToHelper {
  if (!isObject(value) || typeof value.id !== 'number') return false;
  return value.type === 'cancel' || (value.type === 'job' && isObject(value.job));
}

parentPort?.on('message', (message: unknown) => {
  if (!isToHelper(message)) return;
  if (message.type === 'cancel') {
    waiting.delete(message.id);
    return;
  }
  const { id, job } = message;
  waiting.add(id);
  queue = queue.then(() => run(id, job));
});
