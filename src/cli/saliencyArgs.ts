/** `model-lens saliency`: its flags, and how they become a saliency request. */
import * as fs from 'fs';
import * as path from 'path';
import type { Params } from '../protocol/engine';
import { SALIENCY_METHODS, type Baseline, type SaliencyMethod } from '../protocol/saliency';
import { realFlag, textFlag, wholeFlag, type UsageError } from './flags';

/** parseArgs option specs for the saliency flags (numbers arrive as strings and are checked here). */
export const SALIENCY_FLAGS = {
  method: { type: 'string' },
  target: { type: 'string' },
  steps: { type: 'string' },
  quadrature: { type: 'string' },
  baseline: { type: 'string' },
  samples: { type: 'string' },
  noise: { type: 'string' },
  variant: { type: 'string' },
  layer: { type: 'string' },
  'no-relu': { type: 'boolean', default: false },
  'no-upsample': { type: 'boolean', default: false },
  window: { type: 'string' },
  stride: { type: 'string' },
  fill: { type: 'string' },
  'internal-batch': { type: 'string' },
  'memory-budget': { type: 'string' },
  seed: { type: 'string' },
  metrics: { type: 'boolean', default: false },
  out: { type: 'string' },
  repeat: { type: 'string' },
} as const;

export const SALIENCY_USAGE = `  saliency <model.json> --input <file> --method <m>
                                       Attribute the model's output to the input's features

Saliency options:
  --method <m>        ${SALIENCY_METHODS.join(' | ')}
  --target <k>        class to explain (default: the predicted one)
  --steps <n>         integrated-gradients: interpolation steps (default 64)
  --quadrature <q>    integrated-gradients: gauss-legendre | riemann-trapezoid
  --baseline <b>      zeros | blur[:sigma] | uniform[:seed] | <file> (default zeros)
  --samples <n>       smoothgrad: noisy samples (default 25)
  --noise <s>         smoothgrad: noise std as a fraction of the input range (default 0.15)
  --variant <v>       smoothgrad | smoothgrad-squared | vargrad
  --layer <name>      grad-cam: layer (default: the last 4-D spatial one)
  --no-relu           grad-cam: keep the signed map
  --no-upsample       grad-cam: keep the layer's resolution
  --window <n>        occlusion: window size (default 4); --stride <n> (default: the window)
  --fill <v>          occlusion: value of occluded features (default 0)
  --internal-batch <n>  points / samples / windows per batch (default: from the memory budget)
  --memory-budget <MB>  memory a batch may hold, which sizes the batches (default 1500)
  --seed <n>          seed of noise and random orderings
  --metrics           also compute deletion/insertion AUC and max-sensitivity
  --out <dir>         write heatmap.png (overlay) and result.json there
  --repeat <n>        benchmark: one warm-up run, then n timed runs on the loaded model;
                      ms is their median and runsMs lists every run`;

export type SaliencyFlags = { [K in keyof typeof SALIENCY_FLAGS]?: string | boolean };

export function saliencyParams(modelPath: string, inputPath: string | undefined, flags: SaliencyFlags, usage: UsageError): Params<'saliency'> {
  if (!inputPath) throw usage('saliency needs --input <file>');
  const method = flags.method;
  if (typeof method !== 'string') throw usage(`saliency needs --method ${SALIENCY_METHODS.join('|')}`);
  if (!SALIENCY_METHODS.includes(method as SaliencyMethod)) throw usage(`--method must be one of ${SALIENCY_METHODS.join(', ')}`);
  const whole = (name: keyof SaliencyFlags) => wholeFlag(flags, name, usage);
  const real = (name: keyof SaliencyFlags) => realFlag(flags, name, usage);
  const text = (name: keyof SaliencyFlags) => textFlag(flags[name]);
  const params: Params<'saliency'> = {
    modelPath,
    inputPath,
    method: method as SaliencyMethod,
    target: whole('target'),
    steps: whole('steps'),
    quadrature: text('quadrature') as Params<'saliency'>['quadrature'],
    baseline: parseBaseline(text('baseline'), usage),
    samples: whole('samples'),
    noise: real('noise'),
    smoothVariant: text('variant') as Params<'saliency'>['smoothVariant'],
    layer: text('layer'),
    relu: flags['no-relu'] ? false : undefined,
    upsample: flags['no-upsample'] ? false : undefined,
    window: whole('window'),
    stride: whole('stride'),
    fill: real('fill'),
    internalBatch: whole('internal-batch'),
    memoryBudgetMB: whole('memory-budget'),
    seed: whole('seed'),
    metrics: flags.metrics ? true : undefined,
  };
  // Drop what was not given, so the engine applies its defaults.
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Params<'saliency'>;
}

/** zeros | blur[:sigma] | uniform[:seed] | a file preprocessed like the input. */
export function parseBaseline(value: string | undefined, usage: UsageError): Baseline | undefined {
  if (value === undefined) return undefined;
  const [kind, arg, ...rest] = value.split(':');
  const number = (what: string): number => {
    const n = Number(arg);
    if (rest.length > 0 || arg === undefined || arg.trim() === '' || !Number.isFinite(n)) throw usage(`--baseline ${kind}:<${what}> takes a number`);
    return n;
  };
  if (kind === 'zeros' && arg === undefined) return { kind: 'zeros' };
  if (kind === 'blur') return arg === undefined ? { kind: 'blur' } : { kind: 'blur', sigma: number('sigma') };
  if (kind === 'uniform') return arg === undefined ? { kind: 'uniform' } : { kind: 'uniform', seed: number('seed') };
  // Anything else is a file; a bare word that is no file is more likely a misspelt kind.
  if (!fs.existsSync(value) && !/[./\\]/.test(value)) throw usage(`--baseline must be zeros, blur[:sigma], uniform[:seed] or a file; got '${value}'`);
  return { kind: 'file', path: path.resolve(value) };
}

/** --repeat: how many timed runs (1 without the flag). */
export function repeatCount(flags: SaliencyFlags, usage: UsageError): number {
  if (flags.repeat === undefined) return 1;
  const n = Number(flags.repeat);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw usage('--repeat takes a whole number from 1 to 1000');
  return n;
}
