/**
 * `node out/bench/practical.js`: every saliency method on the real MobileNetV2 at 224², as a user runs
 * it: the CLI (dist/cli.js, `npm run build` first) with its defaults, once with `--metrics` and, for
 * occlusion, once without. Prints one JSON object with each run's wall time (process start, model
 * load and the gradient helper included) and whether it is within the limits the performance issue
 * sets: 60 s with metrics, 30 s for occlusion alone. The input is seeded uniform noise: the model's
 * classes are adult-content categories.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodePng } from '../src/engine/data/encode';
import { makeRng } from '../src/engine/common/random';
import { SALIENCY_METHODS } from '../src/protocol/saliency';
import { benchModelPath } from './models';

const LIMIT_S = { metrics: 60, occlusion: 30 };
const CLI = path.join(__dirname, '../../dist/cli.js');

/** A 224×224 PNG of seeded uniform noise, written once beside the bench models. */
function noiseImage(): string {
  const file = path.join(os.tmpdir(), 'model-lens-bench', 'noise-224.png');
  if (fs.existsSync(file)) return file;
  const rng = makeRng(15);
  const rgba = new Uint8Array(224 * 224 * 4).map((_, i) => (i % 4 === 3 ? 255 : Math.floor(256 * rng())));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodePng({ width: 224, height: 224, rgba }));
  return file;
}

interface Run {
  wallS: number;
  /** The engine's own time for the request (result.ms). */
  engineS?: number;
  limitS: number;
  within: boolean;
  options?: object;
  error?: string;
}

function runCli(model: string, input: string, method: string, extra: string[], limitS: number): Run {
  const start = performance.now();
  const out = spawnSync(process.execPath, [CLI, 'saliency', model, '--input', input, '--method', method, '--backend', 'wasm', '--json', '--quiet', ...extra], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallS = Math.round((performance.now() - start) / 100) / 10;
  if (out.status !== 0) return { wallS, limitS, within: false, error: out.stderr.trim().split('\n').pop() };
  const result = JSON.parse(out.stdout) as { ms: number; options: { window?: number; sensitivitySamples?: number; steps?: number; samples?: number } };
  const { window, sensitivitySamples, steps, samples } = result.options;
  return { wallS, engineS: Math.round(result.ms / 100) / 10, limitS, within: wallS <= limitS, options: { window, sensitivitySamples, steps, samples } };
}

export async function practical(log: (line: string) => void = () => {}): Promise<object> {
  if (!fs.existsSync(CLI)) return { skipped: 'dist/cli.js is missing: npm run build first' };
  const model = await benchModelPath('mobilenetv2');
  const input = noiseImage();
  const runs: Record<string, Run> = {};
  const record = (name: string, run: Run) => {
    runs[name] = run;
    log(`practical: ${name}: ${JSON.stringify(run)}`);
  };
  record('occlusion', runCli(model, input, 'occlusion', [], LIMIT_S.occlusion));
  for (const method of SALIENCY_METHODS) record(`${method} --metrics`, runCli(model, input, method, ['--metrics'], LIMIT_S.metrics));
  return { model: 'mobilenetv2 (nsfwjs, 224×224×3)', loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10), runs };
}

if (require.main === module) {
  practical((line) => process.stderr.write(line + '\n')).then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (err: Error) => {
      process.stderr.write(`practical: ${err.message}\n`);
      process.exit(1);
    },
  );
}
