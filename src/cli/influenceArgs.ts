/** `model-lens influence`: its flags, and how they become an influence request (options from the schema). */
import * as os from 'os';
import * as path from 'path';
import type { Params } from '../protocol/engine';
import { defaultOf, requirement, specOf } from '../protocol/options';
import { learningRateSchema } from '../protocol/options/influence';
import { textFlag, type Flags, type UsageError } from './flags';
import { argSpecs, commaList, helpLine, optionHelp, readOptions, validateOptions } from './options';

/** The CLI-only flags of influence: --lr goes with --checkpoints; the cache and preview switches. */
const CLI_FLAGS = {
  lr: { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
  previews: { type: 'boolean', default: false },
} as const;

/** parseArgs option specs for the influence flags: the schema's options, then the CLI's own. */
export const INFLUENCE_FLAGS = { ...argSpecs('influence'), ...CLI_FLAGS };

/** Every flag `influence` takes besides the global ones. */
export const INFLUENCE_TAKES = Object.keys(INFLUENCE_FLAGS);

const CACHE_DEFAULT = "$XDG_CACHE_HOME/model-lens, else ~/.cache/model-lens; the result's cached says whether it was used";

export const INFLUENCE_USAGE = `  influence <model.json> --input <file> [--method influence|tracin|self]
                                       Rank training examples by their influence on a prediction

Influence options:
${optionHelp('influence', {
  defaults: { cacheDir: CACHE_DEFAULT },
  hints: { checkpoints: '<a,b>', layers: '<l1,l2>' },
  after: { checkpoints: helpLine('  --lr <η[,η…]>', 'tracin: the learning rate after each checkpoint, one for all or one each (needed with --checkpoints)') },
})}
${helpLine('  --no-cache', 'neither read nor write the gradient cache')}
${helpLine('  --previews', "--json: keep each example's preview (image data URIs can be large); without it scores carry the location but no preview")}`;

export type InfluenceFlags = Flags;

export function influenceParams(modelPath: string, flags: InfluenceFlags, usage: UsageError, env: NodeJS.ProcessEnv = process.env): Params<'influence'> {
  const method = textFlag(flags.method) ?? defaultOf('influence', 'method');
  if (method === 'influence' || method === 'tracin') {
    if (textFlag(flags.input) === undefined) throw usage(`influence --method ${method} needs --input <file>`);
  }
  if (flags['no-cache'] && flags['cache-dir'] !== undefined) throw usage('--cache-dir and --no-cache contradict each other');
  if (flags.lr !== undefined && flags.checkpoints === undefined) {
    throw usage(method === 'tracin' ? '--lr goes with --checkpoints' : `--lr applies to tracin, not ${method}`);
  }
  const given = readOptions('influence', flags, usage, {
    checkpoints: (text) => checkpointList(text, flags, usage),
    layers: (text) => commaList('influence', text, 'layers', usage),
  });
  const dir = textFlag(flags['cache-dir']);
  // An empty --cache-dir is left for the schema to refuse (it must be a non-empty path).
  const cacheDir = flags['no-cache'] ? undefined : dir === '' ? dir : path.resolve(dir ?? defaultCacheDir(env));
  const params = { modelPath, method, ...given, ...(cacheDir !== undefined && { cacheDir }) };
  validateOptions('influence', params, usage);
  // Only what was given: the engine applies the defaults (and raises λ only where it chose it).
  return params as Params<'influence'>;
}

/** The XDG cache folder for Model Lens. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'model-lens');
}

/** --checkpoints a.json,b.json with --lr 0.01 (for all) or --lr 0.01,0.005 (one each). */
function checkpointList(text: string, flags: Flags, usage: UsageError): { path: string; learningRate: number }[] {
  const paths = commaList('influence', text, 'checkpoints', usage);
  const lr = textFlag(flags.lr);
  if (lr === undefined) throw usage('--checkpoints needs --lr: the learning rate after each checkpoint (one for all, or one each)');
  // A learning rate as the sidecar's data.checkpoints takes it: the same schema.
  const rate = specOf('learningRate', { schema: learningRateSchema, type: 'number', label: 'Learning rate', description: 'learning rate' });
  const rates = commaList('influence', lr, 'lr', usage).map((r) => {
    const n = Number(r);
    if (r === '' || !learningRateSchema.safeParse(n).success) throw usage(`--lr: ${requirement(rate)}; got '${r}'`);
    return n;
  });
  if (rates.length !== 1 && rates.length !== paths.length) throw usage(`--lr gives ${rates.length} learning rates for ${paths.length} checkpoints: give one for all, or one each`);
  return paths.map((p, i) => ({ path: path.resolve(p), learningRate: rates[rates.length === 1 ? 0 : i] }));
}
