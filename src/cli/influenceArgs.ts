/** `model-lens influence`: its flags, and how they become an influence request. */
import * as os from 'os';
import * as path from 'path';
import type { Params } from '../protocol/engine';
import { DEFAULT_DAMPING, EXACT_DEFAULT_MAX_PARAMS, INFLUENCE_METHODS, INFLUENCE_SOLVERS, type InfluenceMethod, type InfluenceSolver, type TrainingCheckpoint } from '../protocol/influence';
import { realFlag, textFlag, wholeFlag, type UsageError } from './flags';

/** parseArgs option specs for the influence-only flags (it shares --input, --method, --top and --seed). */
export const INFLUENCE_FLAGS = {
  label: { type: 'string' },
  train: { type: 'string' },
  checkpoints: { type: 'string' },
  lr: { type: 'string' },
  layers: { type: 'string' },
  solver: { type: 'string' },
  damping: { type: 'string' },
  'lissa-depth': { type: 'string' },
  'lissa-scale': { type: 'string' },
  'lissa-repeats': { type: 'string' },
  'lissa-batch': { type: 'string' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
  previews: { type: 'boolean', default: false },
} as const;

/** Every flag `influence` takes besides the global ones. */
export const INFLUENCE_TAKES = ['input', 'method', 'top', 'seed', ...Object.keys(INFLUENCE_FLAGS)];

export const INFLUENCE_USAGE = `  influence <model.json> --input <file> [--method influence|tracin|self]
                                       Rank training examples by their influence on a prediction

Influence options:
  --method <m>        ${INFLUENCE_METHODS.join(' | ')} (default influence); self ranks the whole
                      training set by self-influence (likely mislabelled first) and takes no --input
  --input <file>      influence, tracin: the test input
  --label <k>         the test input's true class index (default: the predicted class)
  --train <path>      training set: image folder (a sub-folder per class), CSV, JSONL or tensor JSON
                      (default: the sidecar's data.train)
  --checkpoints <a,b> tracin: model.json of each checkpoint, in training order (default: the
                      sidecar's data.checkpoints); needs --lr
  --lr <η[,η…]>       tracin: the learning rate after each checkpoint, one for all or one each
  --layers <l1,l2>    layers whose weights are the parameters (default: all for small models,
                      else the last dense layer(s); the result says which)
  --solver <s>        influence, self: ${INFLUENCE_SOLVERS.join(' | ')} (default exact for scopes of at most
                      ${EXACT_DEFAULT_MAX_PARAMS} parameters, else cg)
  --damping <λ>       influence, self: λ added to the Hessian; for an L2-regularised model its
                      strength (default ${DEFAULT_DAMPING}, raised with a warning if H + λI is not
                      positive definite)
  --lissa-depth <n>   lissa: recursion depth; --lissa-scale <s> (≥ the Hessian's largest
                      eigenvalue); --lissa-repeats <n> runs to average; --lissa-batch <n> per step
  --top <k>           proponents and opponents to show (self: suspects) (default 10)
  --seed <n>          seed of LiSSA's sampling
  --cache-dir <dir>   cache of per-example training gradients (default: $XDG_CACHE_HOME/model-lens,
                      else ~/.cache/model-lens); the result's cached says whether it was used
  --no-cache          neither read nor write the gradient cache
  --previews          --json: keep each example's preview (image data URIs can be large);
                      without it scores carry the location but no preview`;

export type InfluenceFlags = { [K in keyof typeof INFLUENCE_FLAGS | 'input' | 'method' | 'top' | 'seed']?: string | boolean };

export function influenceParams(modelPath: string, flags: InfluenceFlags, usage: UsageError, env: NodeJS.ProcessEnv = process.env): Params<'influence'> {
  const method = (textFlag(flags.method) ?? 'influence') as InfluenceMethod;
  if (!INFLUENCE_METHODS.includes(method)) throw usage(`--method must be one of ${INFLUENCE_METHODS.join(', ')}`);
  const input = textFlag(flags.input);
  if (method === 'self' && (input !== undefined || flags.label !== undefined)) throw usage('--method self ranks the training set itself and takes no --input or --label');
  if (method !== 'self' && input === undefined) throw usage(`influence --method ${method} needs --input <file>`);
  const solver = textFlag(flags.solver) as InfluenceSolver | undefined;
  if (solver !== undefined && !INFLUENCE_SOLVERS.includes(solver)) throw usage(`--solver must be one of ${INFLUENCE_SOLVERS.join(', ')}`);
  if (method === 'tracin' && (solver !== undefined || flags.damping !== undefined)) throw usage('--method tracin uses no Hessian: drop --solver and --damping');
  if (method !== 'tracin' && (flags.checkpoints !== undefined || flags.lr !== undefined)) throw usage('--checkpoints and --lr are for --method tracin');
  const lissa = (['lissa-depth', 'lissa-scale', 'lissa-repeats', 'lissa-batch'] as const).find((f) => flags[f] !== undefined);
  if (lissa && solver !== 'lissa') throw usage(`--${lissa} needs --solver lissa`);
  if (flags['cache-dir'] === '') throw usage('--cache-dir takes a folder');
  if (flags['no-cache'] && flags['cache-dir'] !== undefined) throw usage('--cache-dir and --no-cache contradict each other');
  const params: Params<'influence'> = {
    modelPath,
    method,
    inputPath: input,
    label: wholeFlag(flags, 'label', usage),
    train: textFlag(flags.train),
    checkpoints: checkpointList(flags, usage),
    layers: list(flags, 'layers', usage),
    solver,
    damping: realFlag(flags, 'damping', usage),
    lissaDepth: wholeFlag(flags, 'lissa-depth', usage),
    lissaScale: realFlag(flags, 'lissa-scale', usage),
    lissaRepeats: wholeFlag(flags, 'lissa-repeats', usage),
    lissaBatch: wholeFlag(flags, 'lissa-batch', usage),
    top: wholeFlag(flags, 'top', usage),
    cacheDir: flags['no-cache'] ? undefined : path.resolve(textFlag(flags['cache-dir']) ?? defaultCacheDir(env)),
    seed: wholeFlag(flags, 'seed', usage),
  };
  // Drop what was not given, so the engine applies its defaults.
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Params<'influence'>;
}

/** The XDG cache folder for Model Lens. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'model-lens');
}

/** --checkpoints a.json,b.json with --lr 0.01 (for all) or --lr 0.01,0.005 (one each). */
function checkpointList(flags: InfluenceFlags, usage: UsageError): TrainingCheckpoint[] | undefined {
  const paths = list(flags, 'checkpoints', usage);
  const rates = list(flags, 'lr', usage)?.map((r) => {
    const n = Number(r);
    if (!Number.isFinite(n) || n <= 0) throw usage(`--lr takes positive numbers; got '${r}'`);
    return n;
  });
  if (!paths) {
    if (rates) throw usage('--lr goes with --checkpoints');
    return undefined;
  }
  if (!rates) throw usage('--checkpoints needs --lr: the learning rate after each checkpoint (one for all, or one each)');
  if (rates.length !== 1 && rates.length !== paths.length) throw usage(`--lr gives ${rates.length} learning rates for ${paths.length} checkpoints: give one for all, or one each`);
  return paths.map((p, i) => ({ path: path.resolve(p), learningRate: rates[rates.length === 1 ? 0 : i] }));
}

/** A comma list with no empty items. */
function list(flags: InfluenceFlags, name: keyof InfluenceFlags, usage: UsageError): string[] | undefined {
  const v = textFlag(flags[name]);
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw usage(`--${name} takes a comma-separated list with no empty items`);
  return items;
}
