/**
 * `npm run bench`: times the engine's basic operations on the example models for every backend
 * that starts here, and prints one JSON document. Medians over repeats after a warm-up; model
 * loading is timed separately from compute.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/select';
import { loadCheckpoint, type Checkpoint } from '../src/engine/checkpoint/load';
import { forward } from '../src/engine/checkpoint/forward';
import type { BackendName } from '../src/protocol/model';

const ROOT = path.join(__dirname, '../..');
const MODELS = ['examples/mnist-cnn/model.json', 'examples/iris-mlp/model.json', 'examples/iris-graph/model.json'];
const BACKENDS: BackendName[] = ['tensorflow', 'wasm', 'cpu'];
const REPEATS = Number(process.env.BENCH_REPEATS ?? 20);
const BATCH = 32;

function timeMs(fn: () => void): { medianMs: number; p90Ms: number } {
  fn(); // warm-up: kernel compilation and first-use allocations
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    fn();
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

function benchModel(checkpoint: Checkpoint) {
  const one = inputOf(checkpoint, 1);
  const many = inputOf(checkpoint, BATCH);
  const run = (x: tf.Tensor) => () => tf.tidy(() => forward(checkpoint, x).dataSync());
  // Gradient of the top class score w.r.t. the input: the core of every saliency method.
  const grad = () =>
    tf.tidy(() => {
      const g = tf.grad((x: tf.Tensor) => forward(checkpoint, x).max(-1).sum())(one);
      g.dataSync();
    });
  const result = { predict1: timeMs(run(one)), [`predict${BATCH}`]: timeMs(run(many)), inputGradient: timeMs(grad) };
  tf.dispose([one, many]);
  return result;
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
      perModel[rel] = { loadMs, ...benchModel(checkpoint) };
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
