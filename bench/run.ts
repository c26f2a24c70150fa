/**
 * `npm run bench [-- --quick] [-- --model cnn32|mobilenetv2] [-- --concepts]`: prints one JSON
 * document timing, per bench model and per backend that starts here, predict, gradients and the
 * saliency methods, and the counterfactual requests of bench/counterfactuals.ts, each in its own
 * child process so that its peak RSS is its own. Medians and p90s after one warm-up; model loading
 * is left out. Then, in children of their own: the paired ratios and the like-for-like PyTorch
 * comparison (bench/paired.ts, where torch imports), every method on MobileNetV2 224² as the CLI
 * runs it (bench/practical.ts), TCAV on examples/concepts-cnn (bench/concepts.ts, on the wasm
 * backend; `--concepts` runs only that), and the ICL comparison's timings (bench/icl.ts) unless a
 * single model is chosen. The like-for-like table goes to stderr at the end.
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/select';
import { type Checkpoint, disposeCheckpoint, loadCheckpoint } from '../src/engine/checkpoint/load';
import { forward } from '../src/engine/checkpoint/forward';
import type { BackendName } from '../src/protocol/model';
import type { SaliencyOptions } from '../src/protocol/saliency';
import { quietContext } from '../src/engine/common/context';
import { GradientHelper } from '../src/engine/parallel/gradientHelper';
import { attributionMethod } from '../src/engine/saliency/registry';
import { targetScore } from '../src/engine/model/objective';
import { BENCH_MODELS, benchModelPath, type BenchModel } from './models';
import { likeForLikeTable, type PairedReport } from './paired';
import { withDefaults } from '../src/protocol/options';
import { benchConcepts } from './concepts';
import { influenceScores } from '../src/engine/influence/influenceFunctions';
import { chooseScope } from '../src/engine/influence/scope';
import { iclBench } from './icl';
import { COUNTERFACTUAL_BENCH, counterfactualBench } from './counterfactuals';

const BACKENDS: BackendName[] = ['tensorflow', 'wasm', 'cpu'];
/** The child's "model" argument for the counterfactual requests (bench/counterfactuals.ts). */
const COUNTERFACTUALS = 'counterfactuals';
const BATCH = 32;
const IG_STEPS = 50;
/** Training examples of the influence benchmark (synthetic inputs, labels cycling through the classes). */
const INFLUENCE_TRAIN = 64;


type Timing = { medianMs: number; p90Ms: number; runs: number; peakRssMiB: number } | { skipped: string };

/** What each child times: sync work returns nothing, async work a promise. */
function methods(checkpoint: Checkpoint, backend: BackendName): Record<string, () => unknown> {
  const shape = checkpoint.inputs[0].shape.slice(1).map((d) => d ?? 1);
  const input = (n: number) => tf.randomUniform([n, ...shape], 0, 1, 'float32', 7);
  const one = input(1);
  const many = input(BATCH);
  const igPoints = input(IG_STEPS);
  const forwardOf = (x: tf.Tensor) => () => tf.tidy(() => { forward(checkpoint, x).dataSync(); });
  let helper: GradientHelper | undefined; // started by the method that uses it, in its own child
  const saliency = (options: SaliencyOptions, bothCores = false) => async () => {
    if (bothCores) helper ??= new GradientHelper(backend, () => {});
    const inputs = { checkpoint, x: one, target: 0, ...(bothCores ? { helper } : {}) };
    const { values } = await attributionMethod(options.method).run(inputs, withDefaults('saliency', options), quietContext());
    values.dispose();
  };
  const weights = (checkpoint.model as tf.LayersModel).trainableWeights.map((w) => w.read() as tf.Variable);
  const classes = checkpoint.outputs[0].shape.at(-1) as number;
  const train = { x: input(INFLUENCE_TRAIN), labels: Int32Array.from({ length: INFLUENCE_TRAIN }, (_, i) => i % classes) };
  return {
    predict1: forwardOf(one),
    [`predict${BATCH}`]: forwardOf(many),
    // Forward of as many inputs as IG-50 evaluates: the denominator of the ratio.
    [`forward${IG_STEPS}`]: forwardOf(igPoints),
    inputGradient: saliency({ method: 'gradient' }),
    parameterGradient: () => tf.tidy(() => {
      // Through model.predict: the compiled form's folded weights are copies, not the model's variables.
      const { grads } = tf.variableGrads(() => targetScore({ model: checkpoint.model }, one, 0).sum() as tf.Scalar, weights);
      tf.dispose(Object.values(grads));
    }),
    ig10: saliency({ method: 'integrated-gradients', steps: 10 }),
    [`ig${IG_STEPS}`]: saliency({ method: 'integrated-gradients', steps: IG_STEPS }),
    // As the product runs it: the engine's gradient helper takes a share of long jobs (cnn32's are too short and stay local).
    [`ig${IG_STEPS}BothCores`]: saliency({ method: 'integrated-gradients', steps: IG_STEPS }, true),
    smoothGrad25: saliency({ method: 'smoothgrad', samples: 25 }),
    smoothGrad25BothCores: saliency({ method: 'smoothgrad', samples: 25 }, true),
    gradCam: saliency({ method: 'grad-cam' }),
    occlusion: saliency({ method: 'occlusion' }), // the default window: 64 windows on cnn32, 196 on MobileNetV2
    // Influence functions with CG over the default scope (MobileNetV2: its last dense layer, 645
    // parameters), all of it: the prefix over the training set once, per-example gradients, the solve.
    influenceCg: async () => {
      const model = checkpoint.model as tf.LayersModel;
      await influenceScores({ model, scope: chooseScope(model), train, test: { x: one, label: 0 }, solver: 'cg', damping: 0.01, autoDamping: true }, quietContext());
    },
  };
}

/** Child: times one method of one model (or one counterfactual request) on one backend, prints one JSON line. */
async function child(backend: BackendName, model: BenchModel | typeof COUNTERFACTUALS, method: string, repeats: number, budgetMs: number): Promise<void> {
  await initBackend(backend);
  const f = model === COUNTERFACTUALS ? await counterfactualBench(backend, method) : methods(await loadCheckpoint(await benchModelPath(model)), backend)[method];
  await f(); // warm-up: kernel setup and first-use allocations
  const runs: number[] = [];
  const stop = performance.now() + budgetMs;
  while (runs.length < repeats && (runs.length < 3 || performance.now() < stop)) {
    const start = performance.now();
    await f();
    runs.push(performance.now() - start);
  }
  runs.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  const timing: Timing = {
    medianMs: round(runs[Math.floor(runs.length / 2)]),
    p90Ms: round(runs[Math.min(runs.length - 1, Math.floor(runs.length * 0.9))]),
    runs: runs.length,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(JSON.stringify(timing) + '\n');
}

/** Too slow to be worth minutes of bench time: the pure-JS backend on MobileNetV2 beyond one forward pass. */
function skipReason(backend: BackendName, model: BenchModel, method: string): string | null {
  if (backend === 'cpu' && model === 'mobilenetv2' && method !== 'predict1') return 'cpu backend on MobileNetV2: minutes per run';
  return null;
}

function runChild(args: string[]): Timing | { error: string } {
  const out = spawnSync(process.execPath, [__filename, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (out.status !== 0) return { error: (out.stderr || `exit ${out.status}`).trim().split('\n').slice(-1)[0] };
  return JSON.parse(out.stdout.trim().split('\n').slice(-1)[0]) as Timing;
}

/** A bench script's one JSON line, run as a child (its memory and its failures its own). */
function jsonChild(script: string, args: string[]): unknown {
  const out = spawnSync(process.execPath, [`${__dirname}/${script}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (out.status !== 0) return { error: `${script} exited ${out.status}` };
  return JSON.parse(out.stdout.trim().split('\n').slice(-1)[0]);
}

/** TCAV's timings, from a child process of their own (a fresh engine, caches empty). */
function concepts(): unknown {
  const out = spawnSync(process.execPath, [__filename, '--concepts-child'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (out.status !== 0) return { error: (out.stderr || `exit ${out.status}`).trim().split('\n').slice(-1)[0] };
  return JSON.parse(out.stdout.trim().split('\n').slice(-1)[0]);
}

async function parent(argv: string[]): Promise<void> {
  if (argv.includes('--concepts')) {
    process.stdout.write(JSON.stringify({ date: new Date().toISOString(), node: process.version, loadAverage: os.loadavg().map((l: number) => Math.round(l * 10) / 10), tcav: concepts() }, null, 2) + '\n');
    return;
  }
  const quick = argv.includes('--quick');
  const only = argv.includes('--model') ? [argv[argv.indexOf('--model') + 1] as BenchModel] : [...BENCH_MODELS];
  const repeats = Number(process.env.BENCH_REPEATS ?? (quick ? 5 : 20));
  const budgetMs = quick ? 5000 : 20000;
  const results: Record<string, unknown> = {};
  for (const backend of BACKENDS) {
    try {
      await initBackend(backend); // availability only: the timing happens in children
    } catch (err) {
      results[backend] = { unavailable: (err as Error).message };
      continue;
    }
    const perModel: Record<string, Record<string, unknown>> = {};
    for (const model of only) {
      await benchModelPath(model);
      const checkpoint = await loadCheckpoint(await benchModelPath(model));
      const names = Object.keys(methods(checkpoint, backend));
      disposeCheckpoint(checkpoint);
      const timings: Record<string, unknown> = {};
      for (const method of names) {
        const skip = skipReason(backend, model, method);
        timings[method] = skip ? { skipped: skip } : runChild([backend, model, method, String(repeats), String(budgetMs)]);
        process.stderr.write(`bench: ${backend} ${model} ${method}: ${JSON.stringify(timings[method])}\n`);
      }
      const ms = (name: string) => (timings[name] as { medianMs?: number }).medianMs;
      const ig = ms(`ig${IG_STEPS}`);
      const fwd = ms(`forward${IG_STEPS}`);
      perModel[model] = { ...timings, [`ig${IG_STEPS}OverForward${IG_STEPS}`]: ig && fwd ? Math.round((ig / fwd) * 100) / 100 : null };
    }
    const counterfactuals: Record<string, unknown> = {};
    for (const name of Object.keys(COUNTERFACTUAL_BENCH)) {
      counterfactuals[name] = runChild([backend, COUNTERFACTUALS, name, String(repeats), String(budgetMs)]);
      process.stderr.write(`bench: ${backend} counterfactual ${name}: ${JSON.stringify(counterfactuals[name])}\n`);
    }
    results[backend] = { ...perModel, counterfactuals };
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    tfjs: tf.version.tfjs,
    cores: os.cpus().length,
    loadAverage: os.loadavg().map((l: number) => Math.round(l * 10) / 10),
    repeats,
    results,
    paired: Object.fromEntries(only.map((model) => [model, jsonChild('paired.js', [model, ...(quick ? ['--pairs', '3'] : [])])])),
    practical: only.includes('mobilenetv2') ? jsonChild('practical.js', []) : { skipped: 'mobilenetv2 not selected' },
    tcav: concepts(),
    icl: argv.includes('--model') ? { skipped: 'a single model selected' } : await iclBench(quick ? 3 : 5),
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.stderr.write(likeForLikeTable(report.paired as Record<string, PairedReport>) + '\n');
}

const argv = process.argv.slice(2);
const main =
  argv[0] === '--child'
    ? child(argv[1] as BackendName, argv[2] as BenchModel | typeof COUNTERFACTUALS, argv[3], Number(argv[4]), Number(argv[5]))
    : argv[0] === '--concepts-child'
      ? benchConcepts('wasm').then((r) => void process.stdout.write(JSON.stringify(r) + '\n'))
      : parent(argv);
main.catch((err) => {
  process.stderr.write(`bench: error: ${(err as Error).message}\n`);
  process.exit(1);
});
