/**
 * `node out/bench/profile.js [model…]`: tf.profile of the forward pass and of the input gradient at
 * batch 1 and batch n (n = IG's interpolation points in one batch), and of one batch of IG's path, on
 * wasm, time per kernel as markdown.
 * Each kernel's time is its fastest over REPEATS profiled runs: on a shared machine, a run that another
 * tenant preempts inflates whichever kernel it lands in.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/select';
import { disposeCheckpoint, loadCheckpoint } from '../src/engine/checkpoint/load';
import { forward } from '../src/engine/checkpoint/forward';
import { inputGradient } from '../src/engine/model/objective';
import { inputPathGradients } from '../src/engine/model/pathGradients';
import { gaussLegendre } from '../src/engine/model/quadrature';
import { BENCH_MODELS, benchModelPath, type BenchModel } from './models';

const IG_BATCH: Record<BenchModel, number> = { cnn32: 50, mobilenetv2: 10 };

const REPEATS = 7;

async function kernelTable(label: string, f: () => tf.Tensor): Promise<string> {
  tf.tidy(() => { f().dataSync(); }); // warm-up
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (let r = 0; r < REPEATS; r++) {
    const info = await tf.profile(() => tf.tidy(() => { f().dataSync(); }));
    const run = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const row = run.get(k.name) ?? { ms: 0, calls: 0 };
      row.ms += (await k.kernelTimeMs) as number;
      row.calls += 1;
      run.set(k.name, row);
    }
    for (const [name, row] of run) {
      const best = byKernel.get(name);
      if (!best || row.ms < best.ms) byKernel.set(name, row);
    }
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
    // One batch of IG's path as the method runs it (through the first layer's linearity where it can).
    const n = IG_BATCH[name];
    const [b, d] = [tf.zeros([1, ...shape]), tf.randomUniform([1, ...shape], 0, 1, 'float32', 3)];
    const rule = gaussLegendre(n);
    console.log(await kernelTable(`${name} IG path ×${n}`, () => inputPathGradients(checkpoint, 0)(b, d, rule.nodes, rule.weights)));
    tf.dispose([b, d]);
    disposeCheckpoint(checkpoint);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
