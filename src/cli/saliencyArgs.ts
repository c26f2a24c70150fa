/** `model-lens saliency`: its flags, and how they become a saliency request (options from the schema). */
import * as fs from 'fs';
import * as path from 'path';
import type { Params } from '../protocol/engine';
import { fieldSpecs } from '../protocol/options';
import { SALIENCY_METHODS, type Baseline } from '../protocol/saliency';
import type { Flags, UsageError } from './flags';
import { argSpecs, flagError, helpLine, optionHelp, readOptions, validateOptions } from './options';

/** The CLI-only flags of saliency (what the command does with the result). */
const OUTPUT_FLAGS = {
  out: { type: 'string' },
  repeat: { type: 'string' },
} as const;

/** parseArgs option specs for the saliency flags: the schema's options, then the CLI's own. */
export const SALIENCY_FLAGS = { ...argSpecs('saliency'), ...OUTPUT_FLAGS };

export const SALIENCY_USAGE = `  saliency <model.json> --input <file> --method <m>
                                       Attribute the model's output to the input's features

Saliency options:
${optionHelp('saliency', { omit: ['inputPath'], hints: { baseline: '<b>' } })}
${helpLine('  --out <dir>', 'write heatmap.png (overlay) and result.json there')}
${helpLine('  --repeat <n>', 'benchmark: one warm-up run, then n timed runs on the loaded model; ms is their median and runsMs lists every run')}`;

export type SaliencyFlags = Flags;

export function saliencyParams(modelPath: string, inputPath: string | undefined, flags: SaliencyFlags, usage: UsageError): Params<'saliency'> {
  if (!inputPath) throw usage('saliency needs --input <file>');
  if (typeof flags.method !== 'string') throw usage(`saliency needs --method ${SALIENCY_METHODS.join('|')}`);
  const given = readOptions('saliency', { ...flags, input: inputPath }, usage, { baseline: (text) => parseBaseline(text, usage), objective: (text) => parseJsonFlag('objective', text, usage) });
  const params = { modelPath, ...given };
  validateOptions('saliency', params, usage);
  // Only what was given: the engine applies the defaults, and its result's options record them.
  return params as Params<'saliency'>;
}

/** zeros | blur[:sigma] | uniform[:seed] | a file preprocessed like the input. */
export function parseBaseline(value: string | undefined, usage: UsageError): Baseline | undefined {
  if (value === undefined) return undefined;
  const spec = fieldSpecs('saliency').find((f) => f.key === 'baseline')!;
  const [kind, arg, ...rest] = value.split(':');
  const number = (what: string): number => {
    const n = Number(arg);
    if (rest.length > 0 || arg === undefined || arg.trim() === '' || !Number.isFinite(n)) throw flagError(spec, usage, `${kind}:<${what}> takes a number`);
    return n;
  };
  if (kind === 'zeros' && arg === undefined) return { kind: 'zeros' };
  if (kind === 'blur') return arg === undefined ? { kind: 'blur' } : { kind: 'blur', sigma: number('sigma') };
  if (kind === 'uniform') return arg === undefined ? { kind: 'uniform' } : { kind: 'uniform', seed: number('seed') };
  // Anything else is a file; a bare word that is no file is more likely a misspelt kind.
  if (!fs.existsSync(value) && !/[./\\]/.test(value)) throw flagError(spec, usage, `must be zeros, blur[:sigma], uniform[:seed] or a file; got '${value}'`);
  return { kind: 'file', path: path.resolve(value) };
}

/** --repeat: how many timed runs (1 without the flag). */
export function repeatCount(flags: SaliencyFlags, usage: UsageError): number {
  if (flags.repeat === undefined) return 1;
  const n = Number(flags.repeat);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw usage('--repeat takes a whole number from 1 to 1000');
  return n;
}

/** A flag whose value is JSON (the objective); the engine checks its shape. */
function parseJsonFlag(flag: string, text: string, usage: UsageError): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw usage(`--${flag}: must be JSON, e.g. '{"kind":"margin","target":3,"against":"runner-up"}'`);
  }
}
