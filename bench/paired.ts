/**
 * `node out/bench/paired.js [cnn32|mobilenetv2] [--pairs n] [--no-torch]`: ratios measured back to back
 * in one process (and its PyTorch twin, bench/paired.py), prints one JSON object. On a shared machine
 * the load drifts between separate processes; here both sides of each ratio run within seconds of
 * each other, and the verdict is the median of the per-pair ratios. Each side is timed by the wall
 * clock and by its process's CPU time: where other tenants hold the cores, one-thread sides compare
 * better by CPU time, which their waits for a core do not inflate.
 * - `ours`: IG-50 against forward(50), and the input gradient against forward(1), on the wasm backend.
 * - `versusPyTorch`: each method against PyTorch on 1 and 2 threads, as Captum computes it (input
 *   gradients only). Ours runs on one core, and also as the product runs it where the gradient
 *   helper takes part (IG, SmoothGrad: both cores). Skipped, with the reason, where no python3 imports torch.
 */
import * as os from 'os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/select';
import { type Checkpoint, disposeCheckpoint, loadCheckpoint } from '../src/engine/checkpoint/load';
import { forward } from '../src/engine/checkpoint/forward';
import { quietContext } from '../src/engine/common/context';
import { batchSizeFor, exampleElements } from '../src/engine/model/batching';
import { GradientHelper } from '../src/engine/parallel/gradientHelper';
import { attributionMethod } from '../src/engine/saliency/registry';
import { occlusionGrid } from '../src/engine/saliency/occlusion';
import type { SaliencyOptions } from '../src/protocol/saliency';
import { withDefaults } from '../src/protocol/options';
import { BENCH_MODELS, benchModelPath, type BenchModel } from './models';
import { TorchTwin, type Timing } from './torchTwin';

const STEPS = 50;
/** Pairs per measurement, and the seconds after which a measurement stops once it has 3. */
const PAIRS: Record<BenchModel, { pairs: number; budgetS: number }> = { cnn32: { pairs: 20, budgetS: 15 }, mobilenetv2: { pairs: 5, budgetS: 60 } };

type Run = () => Promise<void> | void;

async function timed(f: Run): Promise<Timing> {
  const [start, cpu] = [performance.now(), process.cpuUsage()];
  await f();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 100) / 100;

/**
 * Runs the sides in turn, pair after pair, and returns each side's times. Stops at `pairs` pairs, or
 * once the budget is spent with at least 3.
 */
async function alternate<K extends string>(sides: Record<K, () => Promise<Timing>>, pairs: number, budgetS: number): Promise<Record<K, Timing[]>> {
  const names = Object.keys(sides) as K[];
  const ms = Object.fromEntries(names.map((k) => [k, [] as Timing[]])) as Record<K, Timing[]>;
  const stop = performance.now() + budgetS * 1000;
  for (let i = 0; i < pairs && (i < 3 || performance.now() < stop); i++) {
    for (const name of names) ms[name].push(await sides[name]());
  }
  return ms;
}

/** Median of the per-pair ratios a[i] / b[i], by wall clock or by CPU time. */
const ratio = (a: Timing[], b: Timing[], clock: keyof Timing = 'wall') => round(median(a.map((x, i) => x[clock] / b[i][clock])));
const medians = (ms: Record<string, Timing[]>, clock: keyof Timing = 'wall') => Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, round(median(v.map((t) => t[clock])))]));

class Ours {
  private helper: GradientHelper | undefined;
  readonly one: tf.Tensor;

  constructor(readonly checkpoint: Checkpoint, readonly model: BenchModel) {
    const shape = checkpoint.inputs[0].shape.slice(1).map((d) => d ?? 1);
    this.one = tf.randomUniform([1, ...shape], 0, 1, 'float32', 7);
  }

  forwardOf(n: number): Run {
    const x = n === 1 ? this.one : tf.tile(this.one, [n, 1, 1, 1]);
    return () => tf.tidy(() => { forward(this.checkpoint, x).dataSync(); });
  }

  /** The saliency method with the engine's defaults (memory-budgeted batches), on one core or with the gradient helper. */
  saliency(options: Partial<SaliencyOptions> & Pick<SaliencyOptions, 'method'>, bothCores = false): Run {
    return async () => {
      if (bothCores) this.helper ??= new GradientHelper('wasm', () => {});
      const inputs = { checkpoint: this.checkpoint, x: this.one, target: 0, ...(bothCores ? { helper: this.helper } : {}) };
      const { values } = await attributionMethod(options.method).run(inputs, withDefaults('saliency', options as SaliencyOptions), quietContext());
      values.dispose();
    };
  }

  /** Items per batch the engine's memory budget gives (what PyTorch's twin batches by too). */
  batch(): number {
    return batchSizeFor(exampleElements(this.checkpoint.model, this.one.size), withDefaults('saliency', {} as SaliencyOptions));
  }

  dispose(): void {
    this.helper?.dispose();
    this.one.dispose();
  }
}

/** Our side of each comparison, PyTorch's request, and whether the gradient helper takes part in the product. */
interface Comparison {
  ours: Run;
  bothCores?: Run;
  torch: { method: string; window?: number; batch?: number };
}

function comparisons(ours: Ours): Record<string, Comparison> {
  const batch = ours.batch();
  const window = occlusionGrid(ours.one.shape, {}).window;
  const ig = { method: 'integrated-gradients', steps: STEPS } as const;
  const smooth = { method: 'smoothgrad', samples: 25 } as const;
  return {
    predict1: { ours: ours.forwardOf(1), torch: { method: 'predict1' } },
    ...(ours.model === 'cnn32' ? { forward50: { ours: ours.forwardOf(STEPS), torch: { method: 'forward50' } } } : {}),
    inputGradient: { ours: ours.saliency({ method: 'gradient' }), torch: { method: 'inputGradient' } },
    ig50: { ours: ours.saliency(ig), bothCores: ours.saliency(ig, true), torch: { method: 'ig50', batch: Math.min(batch, STEPS) } },
    smoothGrad25: { ours: ours.saliency(smooth), bothCores: ours.saliency(smooth, true), torch: { method: 'smoothGrad25', batch: Math.min(batch, 25) } },
    gradCam: { ours: ours.saliency({ method: 'grad-cam' }), torch: { method: 'gradCam' } },
    occlusion: { ours: ours.saliency({ method: 'occlusion' }), torch: { method: 'occlusion', window, batch } },
  };
}

/** One method against PyTorch: medians of each side, and of the per-pair ratios. */
export interface TorchRow {
  medianMs: { ours: number; oursBothCores?: number; torch1: number; torch2: number };
  /** Each side's process CPU time (all its threads: the helper's, PyTorch's second). */
  medianCpuMs: { ours: number; oursBothCores?: number; torch1: number; torch2: number };
  pairs: number;
  batch?: number;
  window?: number;
  oneCoreOverTorch1: number;
  oneCoreOverTorch1Cpu: number;
  overTorch2: number;
}

export interface PairedReport {
  model: BenchModel;
  backend: 'wasm';
  loadAverage: { before: number[]; after: number[] };
  ours: { pairs: number; medianMs: Record<string, number>; ig50OverForward50: number; ig50OverForward50Cpu: number; gradientOverForward1: number };
  versusPyTorch: { torch: string; defaultThreads: number; ompWaitPolicy: Record<string, string>; rows: Record<string, TorchRow> } | { skipped: string };
}

/** Each method against PyTorch on 1 and 2 threads, pair by pair. */
async function versusPyTorch(ours: Ours, pairs: number, budgetS: number, log: (line: string) => void): Promise<PairedReport['versusPyTorch']> {
  const twin = TorchTwin.start();
  if (typeof twin === 'string') return { skipped: twin };
  try {
    const info = await twin.info(); // before any request sets the thread count
    const rows: Record<string, TorchRow> = {};
    for (const [name, c] of Object.entries(comparisons(ours))) {
      const torch = (threads: number) => () => twin.time({ model: ours.model, threads, ...c.torch });
      await c.ours();
      await c.bothCores?.();
      const bothCores = c.bothCores;
      const sides: Record<string, () => Promise<Timing>> = {
        ours: () => timed(c.ours),
        ...(bothCores ? { oursBothCores: () => timed(bothCores) } : {}),
        torch1: torch(1),
        torch2: torch(2),
      };
      const ms = await alternate(sides, pairs, budgetS);
      const best = ms.oursBothCores ?? ms.ours;
      const cpu = medians(ms, 'cpu');
      rows[name] = {
        medianMs: medians(ms) as TorchRow['medianMs'],
        medianCpuMs: cpu as TorchRow['medianCpuMs'],
        pairs: ms.ours.length,
        ...(c.torch.batch ? { batch: c.torch.batch } : {}),
        ...(c.torch.window ? { window: c.torch.window } : {}),
        // One core against one thread; as the product runs it against two threads.
        oneCoreOverTorch1: ratio(ms.ours, ms.torch1),
        oneCoreOverTorch1Cpu: ratio(ms.ours, ms.torch1, 'cpu'),
        overTorch2: ratio(best, ms.torch2),
      };
      log(`paired: ${ours.model} ${name} vs PyTorch: ${JSON.stringify(rows[name])}`);
    }
    return { ...info, ompWaitPolicy: twin.policies(), rows };
  } finally {
    twin.close();
  }
}

/** IG-50 against forward(50) and the input gradient against forward(1), alternating. */
async function ownRatios(ours: Ours, pairs: number, budgetS: number): Promise<PairedReport['ours']> {
  const run = (method: 'integrated-gradients' | 'gradient') => ours.saliency({ method, steps: STEPS });
  const sides = { ig: run('integrated-gradients'), forwardMany: ours.forwardOf(STEPS), gradient: run('gradient'), forwardOne: ours.forwardOf(1) };
  for (const f of Object.values(sides)) await f(); // warm-up
  const ms = await alternate(
    Object.fromEntries(Object.entries(sides).map(([k, f]) => [k, () => timed(f)])) as Record<keyof typeof sides, () => Promise<Timing>>,
    pairs * 2,
    budgetS * 2,
  );
  return {
    pairs: ms.ig.length,
    medianMs: medians(ms),
    ig50OverForward50: ratio(ms.ig, ms.forwardMany),
    ig50OverForward50Cpu: ratio(ms.ig, ms.forwardMany, 'cpu'),
    gradientOverForward1: ratio(ms.gradient, ms.forwardOne),
  };
}

export async function paired(model: BenchModel, options: { pairs?: number; torch?: boolean; log?: (line: string) => void } = {}): Promise<PairedReport> {
  const { pairs, budgetS } = { ...PAIRS[model], ...(options.pairs ? { pairs: options.pairs } : {}) };
  const log = options.log ?? (() => {});
  await initBackend('wasm');
  const checkpoint = await loadCheckpoint(await benchModelPath(model));
  const ours = new Ours(checkpoint, model);
  const loadBefore = os.loadavg().map(round);
  try {
    const own = await ownRatios(ours, pairs, budgetS);
    log(`paired: ${model} ours: ${JSON.stringify(own)}`);
    const torch = options.torch === false ? { skipped: '--no-torch' } : await versusPyTorch(ours, pairs, budgetS, log);
    return { model, backend: 'wasm', loadAverage: { before: loadBefore, after: os.loadavg().map(round) }, ours: own, versusPyTorch: torch };
  } finally {
    ours.dispose();
    disposeCheckpoint(checkpoint);
  }
}

/** The like-for-like table of `npm run bench`: markdown, one row per model and method. */
export function likeForLikeTable(reports: Record<string, PairedReport | { error: string }>): string {
  const lines = [
    '| model | method | ours, 1 core (ms) | ours, as run (ms) | PyTorch, 1 thread | PyTorch, 2 threads | ours ÷ PyTorch 1 thread (CPU time) | ours as run ÷ PyTorch 2 threads | pairs |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const notes: string[] = [];
  for (const [model, report] of Object.entries(reports)) {
    if ('error' in report) {
      notes.push(`${model}: ${report.error}`);
      continue;
    }
    const load = `load average ${report.loadAverage.before[0]} → ${report.loadAverage.after[0]}`;
    notes.push(`${model}: IG-50 ÷ forward(50) = ${report.ours.ig50OverForward50} by wall clock, ${report.ours.ig50OverForward50Cpu} by CPU time, on wasm (paired), ${load}`);
    const torch = report.versusPyTorch;
    if ('skipped' in torch) {
      notes.push(`${model}: PyTorch skipped: ${torch.skipped}`);
      continue;
    }
    for (const [method, row] of Object.entries(torch.rows)) {
      const m = row.medianMs;
      lines.push(`| ${model} | ${method} | ${m.ours} | ${m.oursBothCores ?? m.ours} | ${m.torch1} | ${m.torch2} | ${row.oneCoreOverTorch1}× (${row.oneCoreOverTorch1Cpu}×) | ${row.overTorch2}× | ${row.pairs} |`);
    }
  }
  return [...lines, '', ...notes].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const model = (argv.find((a) => !a.startsWith('--') && Number.isNaN(Number(a))) ?? 'cnn32') as BenchModel;
  if (!BENCH_MODELS.includes(model)) throw new Error(`unknown model ${model}: ${BENCH_MODELS.join(' | ')}`);
  const pairs = argv.includes('--pairs') ? Number(argv[argv.indexOf('--pairs') + 1]) : undefined;
  const result = await paired(model, { pairs, torch: !argv.includes('--no-torch'), log: (line) => process.stderr.write(line + '\n') });
  process.stdout.write(JSON.stringify(result) + '\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`paired: ${err.message}\n`);
    process.exit(1);
  });
}
