/**
 * `node out/bench/paired.js [model] [pairs]`: IG-50 and forward(50) alternating in one process on the
 * wasm backend, and the input gradient with forward(1), prints one JSON object. On a shared machine
 * the load drifts between the separate processes of `npm run bench`; here both sides of each ratio
 * run back to back, so the median of the per-pair ratios is what the ratio target reads.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/select';
import { disposeCheckpoint, loadCheckpoint } from '../src/engine/checkpoint/load';
import { forward } from '../src/engine/checkpoint/forward';
import { quietContext } from '../src/engine/common/context';
import { attributionMethod } from '../src/engine/saliency/registry';
import { BENCH_MODELS, benchModelPath, type BenchModel } from './models';
import { withDefaults } from '../src/protocol/options';

const STEPS = 50;

async function timed(f: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await f();
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const model = (process.argv[2] ?? 'cnn32') as BenchModel;
  if (!BENCH_MODELS.includes(model)) throw new Error(`unknown model ${model}: ${BENCH_MODELS.join(' | ')}`);
  const pairs = Number(process.argv[3] ?? (model === 'cnn32' ? 40 : 6));
  await initBackend('wasm');
  const checkpoint = await loadCheckpoint(await benchModelPath(model));
  const shape = checkpoint.inputs[0].shape.slice(1).map((d) => d ?? 1);
  const one = tf.randomUniform([1, ...shape], 0, 1, 'float32', 7);
  const many = tf.randomUniform([STEPS, ...shape], 0, 1, 'float32', 8);
  const run = async (method: 'integrated-gradients' | 'gradient') => {
    const { values } = await attributionMethod(method).run({ checkpoint, x: one, target: 0 }, withDefaults('saliency', { method, steps: STEPS }), quietContext());
    values.dispose();
  };
  const forwardOf = (x: tf.Tensor) => () => tf.tidy(() => { forward(checkpoint, x).dataSync(); });
  const sides = {
    ig: () => run('integrated-gradients'),
    forwardMany: forwardOf(many),
    gradient: () => run('gradient'),
    forwardOne: forwardOf(one),
  };
  for (const f of Object.values(sides)) await f(); // warm-up
  const ms: Record<keyof typeof sides, number[]> = { ig: [], forwardMany: [], gradient: [], forwardOne: [] };
  for (let i = 0; i < pairs; i++) {
    for (const [name, f] of Object.entries(sides) as Array<[keyof typeof sides, () => Promise<void> | void]>) ms[name].push(await timed(f));
  }
  const ratio = (a: number[], b: number[]) => round(median(a.map((x, i) => x / b[i])));
  process.stdout.write(JSON.stringify({
    model,
    pairs,
    loadAverage: (await import('os')).loadavg().map(round),
    medianMs: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, round(median(v))])),
    ig50OverForward50: ratio(ms.ig, ms.forwardMany),
    gradientOverForward1: ratio(ms.gradient, ms.forwardOne),
  }) + '\n');
  tf.dispose([one, many]);
  disposeCheckpoint(checkpoint);
}

main().catch((err: Error) => {
  process.stderr.write(`paired: ${err.message}\n`);
  process.exit(1);
});
