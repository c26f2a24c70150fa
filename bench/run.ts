/**
 * `npm run bench`: times the engine's basic operations and IG-50 on the example models for every
 * backend that starts here, and prints one JSON document. Medians over repeats after a warm-up; model
 * loading is timed separately from compute.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/select';
import { loadCheckpoint, type Checkpoint } from '../src/engine/checkpoint/load';
import { forward } from '../src/engine/checkpoint/forward';
import type { BackendName } from '../src/protocol/model';
import { integratedGradients } from '../src/engine/saliency/integratedGradients';
import { quietContext } from '../src/engine/saliency/batching';

const ROOT = path.join(__dirname, '../..');
const MODELS = ['examples/mnist-cnn/model.json', 'examples/iris-mlp/model.json', 'examples/iris-graph/model.json'];
const BACKENDS: BackendName[] = ['tensorflow', 'wasm', 'cpu'];
const REPEATS = Number(process.env.BENCH_REPEATS ?? 20);
const BATCH = 32;
const IG_STEPS = 50;

async function timeMs(fn: () => unknown): Promise<{ medianMs: number; p90Ms: number }> {
  await fn(); // warm-up: kernel compilation and first-use allocations
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    await fn();
    runs.push(performance.now() - start);
  }
  runs.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { medianMs: round(runs[Math.floor(runs.length / 2)]), p90Ms: round(runs[Math.floor(runs.length * 0.9)]) };
}

function inputOf(checkpoint: Checkpoint, batch: number): tf.Tensor {
  const shape = checkpoint.inputs[0].shape.map((d, i) => (i === 0 ? batch : (d ?? 1)));
  return tf.randomUniform(shape, 0, 1, 'float32', 7);
}

async function benchModel(checkpoint: Checkpoint) {
  const one = inputOf(checkpoint, 1);
  const many = inputOf(checkpoint, BATCH);
  const igBatch = inputOf(checkpoint, IG_STEPS);
  const run = (x: tf.Tensor) => () => tf.tidy(() => forward(checkpoint, x).dataSync());
  // Gradient of the top class score w.r.t. the input: the core of every saliency method.
  const grad = () =>
    tf.tidy(() => {
      const g = tf.grad((x: tf.Tensor) => forward(checkpoint, x).max(-1).sum())(one);
      g.dataSync();
    });
  // IG with every interpolation point in one batch, against a forward pass of a batch that size:
  // one forward plus a backward of about two forwards puts the ratio's floor near 3.
  const ig = async () => {
    const { values } = await integratedGradients.run({ checkpoint, x: one, target: 0 }, { method: 'integrated-gradients', steps: IG_STEPS, internalBatch: IG_STEPS }, quietContext());
    values.dispose();
  };
  const predict1 = await timeMs(run(one));
  const predictBatch = await timeMs(run(many));
  const inputGradient = await timeMs(grad);
  const forwardIgBatch = await timeMs(run(igBatch));
  const ig50 = await timeMs(ig);
  tf.dispose([one, many, igBatch]);
  const ratio = Math.round((ig50.medianMs / forwardIgBatch.medianMs) * 100) / 100;
  return {
    predict1,
    [`predict${BATCH}`]: predictBatch,
    inputGradient,
    [`forward${IG_STEPS}`]: forwardIgBatch,
    [`ig${IG_STEPS}`]: ig50,
    [`ig${IG_STEPS}OverForward${IG_STEPS}`]: ratio,
  };
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  const results: Record<string, unknown> = {};
  for (const backend of BACKENDS) {
    try {
      await initBackend(backend);
    } catch (err) {
      results[backend] = { unavailable: (err as Error).message };
      continue;
    }
    const perModel: Record<string, unknown> = {};
    for (const rel of MODELS) {
      const start = performance.now();
      const checkpoint = await loadCheckpoint(path.join(ROOT, rel));
      const loadMs = Math.round((performance.now() - start) * 1000) / 1000;
      perModel[rel] = { loadMs, ...(await benchModel(checkpoint)) };
      checkpoint.model.dispose();
    }
    results[backend] = perModel;
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    tfjs: tf.version.tfjs,
    repeats: REPEATS,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    results,
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(`bench: error: ${(err as Error).message}\n`);
  process.exit(1);
});
