/**
 * `node out/bench/profile.js [model…]`: tf.profile of the forward pass and of the input gradient at
 * batch 1 and batch n (n = IG's interpolation points in one batch) on wasm, time per kernel as markdown.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/select';
import { disposeCheckpoint, loadCheckpoint } from '../src/engine/checkpoint/load';
import { forward } from '../src/engine/checkpoint/forward';
import { inputGradient } from '../src/engine/model/objective';
import { BENCH_MODELS, benchModelPath, type BenchModel } from './models';

const IG_BATCH: Record<BenchModel, number> = { cnn32: 50, mobilenetv2: 10 };

async function kernelTable(label: string, f: () => tf.Tensor): Promise<string> {
  tf.tidy(() => { f().dataSync(); }); // warm-up
  const info = await tf.profile(() => tf.tidy(() => { f().dataSync(); }));
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const row = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    row.ms += (await k.kernelTimeMs) as number;
    row.calls += 1;
    byKernel.set(k.name, row);
  }
  const total = [...byKernel.values()].reduce((s, r) => s + r.ms, 0);
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)
    .map(([name, r]) => `| ${name} | ${r.calls} | ${r.ms.toFixed(1)} | ${((100 * r.ms) / total).toFixed(0)}% |`);
  return [`\n${label}: ${total.toFixed(1)} ms in kernels`, '', '| kernel | calls | ms | share |', '|---|---|---|---|', ...rows].join('\n');
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const names = (process.argv.slice(2) as BenchModel[]).filter((m) => BENCH_MODELS.includes(m));
  for (const name of names.length ? names : BENCH_MODELS) {
    const checkpoint = await loadCheckpoint(await benchModelPath(name));
    const shape = checkpoint.inputs[0].shape.slice(1) as number[];
    for (const n of [1, IG_BATCH[name]]) {
      const x = tf.randomUniform([n, ...shape], 0, 1, 'float32', 3);
      console.log(await kernelTable(`${name} forward ×${n}`, () => forward(checkpoint, x)));
      console.log(await kernelTable(`${name} input gradient ×${n}`, () => inputGradient(checkpoint, x, 0)));
      x.dispose();
    }
    disposeCheckpoint(checkpoint);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
