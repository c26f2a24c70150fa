/** `model-lens counterfactual`: its flags, and how they become a counterfactual request (options from the schema). */
import type { Params } from '../protocol/engine';
import { fieldSpecs } from '../protocol/options';
import { textFlag, type Flags, type UsageError } from './flags';
import { argSpecs, flagError, helpLine, optionHelp, readOptions, validateOptions } from './options';

/** The CLI-only flag of counterfactual: where image results are written. */
const OUTPUT_FLAGS = { out: { type: 'string' } } as const;

/** parseArgs option specs for the counterfactual flags: the schema's options, then the CLI's own. */
export const COUNTERFACTUAL_FLAGS = { ...argSpecs('counterfactual'), ...OUTPUT_FLAGS };

export const COUNTERFACTUAL_USAGE = `  counterfactual <model.json> --input <file> --target <K|NAME>
                                       Find the least-cost feasible changes that make the model predict a class

Counterfactual options:
${optionHelp('counterfactual', {
  omit: ['inputPath'],
  hints: { target: '<K|NAME>', immutable: '<a,b>', range: '<f=lo:hi,…>', cost: '<f=c,…>' },
})}
${helpLine('  --out <dir>', 'images: write original.png, counterfactual-<n>.png (and distractor-<n>.png) there; the JSON names them (default: a new folder under the system temp folder)')}`;

export function counterfactualParams(modelPath: string, flags: Flags, usage: UsageError): Params<'counterfactual'> {
  if (textFlag(flags.input) === undefined) throw usage('counterfactual needs --input <file>');
  const target = textFlag(flags.target);
  if (target === undefined) throw usage('counterfactual needs --target <class index or label>');
  const given = readOptions('counterfactual', { ...flags, target: undefined }, usage, {
    immutable: (text) => list(text, 'immutable', usage),
    range: (text) => assignments(text, 'range', usage, (value, spec) => bounds(value, spec, usage)),
    cost: (text) => assignments(text, 'cost', usage, (value, spec) => number(value, spec, usage)),
  });
  const params = { modelPath, ...given, target: /^\s*\d+\s*$/.test(target) ? Number(target) : target };
  validateOptions('counterfactual', params, usage);
  // Only what was given: the engine applies the defaults, and its result's options record them.
  return params as Params<'counterfactual'>;
}

type Spec = ReturnType<typeof fieldSpecs>[number];

function specOf(flag: string): Spec {
  return fieldSpecs('counterfactual').find((f) => f.flag === flag)!;
}

/** A comma list with no empty items. */
function list(text: string, flag: string, usage: UsageError): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw flagError(specOf(flag), usage, 'must be a comma-separated list of features with no empty items');
  return items;
}

/** f=value[,g=value]: one entry per feature. */
function assignments<T>(text: string, flag: string, usage: UsageError, read: (value: string, spec: Spec) => T): Record<string, T> {
  const spec = specOf(flag);
  const out: Record<string, T> = {};
  for (const item of list(text, flag, usage)) {
    const at = item.indexOf('=');
    if (at <= 0) throw flagError(spec, usage, `takes feature=value items; got '${item}'`);
    const feature = item.slice(0, at).trim();
    if (Object.hasOwn(out, feature)) throw flagError(spec, usage, `names '${feature}' twice`);
    out[feature] = read(item.slice(at + 1).trim(), spec);
  }
  return out;
}

/** lo:hi with either end empty (open). */
function bounds(value: string, spec: Spec, usage: UsageError): [number | null, number | null] {
  const parts = value.split(':');
  if (parts.length !== 2) throw flagError(spec, usage, `takes feature=lo:hi (either end may be empty); got '${value}'`);
  const [lo, hi] = parts.map((p) => (p.trim() === '' ? null : number(p, spec, usage)));
  return [lo, hi];
}

function number(text: string, spec: Spec, usage: UsageError): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw flagError(spec, usage, `'${text}' is not a number`);
  return n;
}
