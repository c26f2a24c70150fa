/** Validates request parameters at the process boundary: the engine trusts nothing it is sent. */
import * as path from 'path';
import { BACKEND_CHOICES } from '../protocol/model';
import type { MethodName, Params } from '../protocol/engine';
import { SALIENCY_METHODS, type Baseline, type SaliencyOptions } from '../protocol/saliency';
import { INFLUENCE_METHODS, INFLUENCE_SOLVERS, type InfluenceOptions, type TrainingCheckpoint } from '../protocol/influence';
import { LensError } from './errors';
import { isObject } from './checkpoint/modelJson';

const checks: { [M in MethodName]: (p: Record<string, unknown>) => Params<M> } = {
  info: (p) => ({ modelPath: absolutePath(p.modelPath, 'modelPath') }),
  predict: (p) => ({
    modelPath: absolutePath(p.modelPath, 'modelPath'),
    inputPath: absolutePath(p.inputPath, 'inputPath'),
    top: optionalInt(p.top, 'top', 1, 1000),
  }),
  saliency: (p) => checkSaliency(p),
  influence: (p) => checkInfluence(p),
  backend: (p) => {
    if (p.choice !== undefined && !BACKEND_CHOICES.includes(p.choice as never)) {
      throw new LensError('BAD_REQUEST', `choice must be one of ${BACKEND_CHOICES.join(', ')}.`);
    }
    return { choice: p.choice as Params<'backend'>['choice'] };
  },
  backends: () => ({}),
};

export function checkParams<M extends MethodName>(method: M, params: unknown): Params<M> {
  if (!isObject(params)) throw new LensError('BAD_REQUEST', `${method}: parameters must be an object.`);
  return checks[method](params) as Params<M>;
}

function absolutePath(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new LensError('BAD_REQUEST', `${name} must be a non-empty path.`);
  return path.resolve(value);
}

const INFLUENCE_KEYS = new Set([
  'modelPath', 'method', 'inputPath', 'label', 'train', 'checkpoints', 'layers', 'solver', 'damping',
  'lissaDepth', 'lissaScale', 'lissaRepeats', 'lissaBatch', 'top', 'cacheDir', 'seed',
]);
const LISSA_KEYS = ['lissaDepth', 'lissaScale', 'lissaRepeats', 'lissaBatch'] as const;

function checkInfluence(p: Record<string, unknown>): Params<'influence'> {
  rejectUnknown('influence', p, INFLUENCE_KEYS);
  const method = oneOf(p.method, 'method', INFLUENCE_METHODS, true);
  // The test point belongs to influence and tracin; self scores the training set against itself.
  if (method === 'self' && (p.inputPath !== undefined || p.label !== undefined)) {
    throw new LensError('BAD_REQUEST', "method 'self' ranks the training set itself and takes no inputPath or label.");
  }
  if (method === 'tracin' && (p.solver !== undefined || p.damping !== undefined)) {
    throw new LensError('BAD_REQUEST', "method 'tracin' uses no Hessian and takes no solver or damping.");
  }
  if (method !== 'tracin' && p.checkpoints !== undefined) throw new LensError('BAD_REQUEST', `method '${method}' takes no checkpoints: they are for 'tracin'.`);
  if (method !== 'self' && p.inputPath === undefined) throw new LensError('BAD_REQUEST', `method '${method}' needs inputPath: the test input.`);
  const lissa = LISSA_KEYS.find((k) => p[k] !== undefined);
  if (lissa && p.solver !== 'lissa') throw new LensError('BAD_REQUEST', `${lissa} needs solver 'lissa'.`);
  const lissaScale = optionalNumber(p.lissaScale, 'lissaScale', 0, 1e12);
  if (lissaScale === 0) throw new LensError('BAD_REQUEST', 'lissaScale must be positive (at least the Hessian\'s largest eigenvalue).');
  const options: InfluenceOptions = {
    method,
    inputPath: method === 'self' ? undefined : absolutePath(p.inputPath, 'inputPath'),
    label: optionalInt(p.label, 'label', 0, 1_000_000),
    train: p.train === undefined ? undefined : absolutePath(p.train, 'train'),
    checkpoints: optionalCheckpoints(p.checkpoints),
    layers: optionalLayers(p.layers),
    solver: oneOf(p.solver, 'solver', INFLUENCE_SOLVERS),
    damping: optionalNumber(p.damping, 'damping', 0, 1e6),
    lissaDepth: optionalInt(p.lissaDepth, 'lissaDepth', 1, 1_000_000),
    lissaScale,
    lissaRepeats: optionalInt(p.lissaRepeats, 'lissaRepeats', 1, 1000),
    lissaBatch: optionalInt(p.lissaBatch, 'lissaBatch', 1, 100_000),
    top: optionalInt(p.top, 'top', 1, 100_000),
    cacheDir: p.cacheDir === undefined ? undefined : absolutePath(p.cacheDir, 'cacheDir'),
    seed: optionalInt(p.seed, 'seed', 0, MAX_SEED),
  };
  return { modelPath: absolutePath(p.modelPath, 'modelPath'), ...definedOnly(options) };
}

/** TracIn checkpoints: [{path, learningRate > 0}, …] in training order. */
function optionalCheckpoints(value: unknown): TrainingCheckpoint[] | undefined {
  if (value === undefined) return undefined;
  const shape = 'checkpoints must be a non-empty array of {path, learningRate}';
  if (!Array.isArray(value) || value.length === 0 || value.length > 1000) throw new LensError('BAD_REQUEST', `${shape} (at most 1000).`);
  return value.map((c, i) => {
    if (!isObject(c)) throw new LensError('BAD_REQUEST', `${shape}; checkpoints[${i}] is not an object.`);
    const extra = Object.keys(c).find((k) => k !== 'path' && k !== 'learningRate');
    if (extra) throw new LensError('BAD_REQUEST', `${shape}; checkpoints[${i}] has an unknown field '${extra}'.`);
    const learningRate = optionalNumber(c.learningRate, `checkpoints[${i}].learningRate`, 0, 1e6);
    if (!learningRate) throw new LensError('BAD_REQUEST', `checkpoints[${i}].learningRate must be a positive number.`);
    return { path: absolutePath(c.path, `checkpoints[${i}].path`), learningRate };
  });
}

function optionalLayers(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > 10_000 || value.some((l) => typeof l !== 'string' || l.length === 0)) {
    throw new LensError('BAD_REQUEST', 'layers must be a non-empty array of layer names.');
  }
  const repeated = value.find((l, i) => value.indexOf(l) !== i);
  if (repeated !== undefined) throw new LensError('BAD_REQUEST', `layers lists '${repeated}' twice.`);
  return value as string[];
}

const SALIENCY_KEYS = new Set([
  'modelPath', 'inputPath', 'method', 'target', 'steps', 'quadrature', 'baseline', 'samples', 'noise', 'smoothVariant',
  'layer', 'relu', 'upsample', 'window', 'stride', 'fill', 'internalBatch', 'memoryBudgetMB', 'seed', 'metrics',
]);
const QUADRATURES = ['gauss-legendre', 'riemann-trapezoid'] as const;
const SMOOTH_VARIANTS = ['smoothgrad', 'smoothgrad-squared', 'vargrad'] as const;
const MAX_SEED = 2 ** 32 - 1;

function checkSaliency(p: Record<string, unknown>): Params<'saliency'> {
  rejectUnknown('saliency', p, SALIENCY_KEYS);
  const options: SaliencyOptions = {
    method: oneOf(p.method, 'method', SALIENCY_METHODS, true),
    target: optionalInt(p.target, 'target', 0, 1_000_000),
    steps: optionalInt(p.steps, 'steps', 1, 10_000),
    quadrature: oneOf(p.quadrature, 'quadrature', QUADRATURES),
    baseline: optionalBaseline(p.baseline),
    samples: optionalInt(p.samples, 'samples', 1, 10_000),
    noise: optionalNumber(p.noise, 'noise', 0, 10),
    smoothVariant: oneOf(p.smoothVariant, 'smoothVariant', SMOOTH_VARIANTS),
    layer: optionalString(p.layer, 'layer'),
    relu: optionalBoolean(p.relu, 'relu'),
    upsample: optionalBoolean(p.upsample, 'upsample'),
    window: optionalInt(p.window, 'window', 1, 100_000),
    stride: optionalInt(p.stride, 'stride', 1, 100_000),
    fill: optionalNumber(p.fill, 'fill', -1e30, 1e30),
    internalBatch: optionalInt(p.internalBatch, 'internalBatch', 1, 4096),
    // Below the wasm heap's 4 GB cap, with room for the model and the engine's other tensors.
    memoryBudgetMB: optionalInt(p.memoryBudgetMB, 'memoryBudgetMB', 64, 3000),
    seed: optionalInt(p.seed, 'seed', 0, MAX_SEED),
    metrics: optionalBoolean(p.metrics, 'metrics'),
  };
  return { modelPath: absolutePath(p.modelPath, 'modelPath'), inputPath: absolutePath(p.inputPath, 'inputPath'), ...definedOnly(options) };
}

function rejectUnknown(method: string, p: Record<string, unknown>, known: Set<string>): void {
  const unknown = Object.keys(p).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new LensError('BAD_REQUEST', `${method}: unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}.`);
}

/** The options that were given, so the method applies its defaults to the rest. */
function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T;
}

function optionalBaseline(value: unknown): Baseline | undefined {
  if (value === undefined) return undefined;
  const shapes = "baseline must be {kind: 'zeros'}, {kind: 'blur', sigma?}, {kind: 'uniform', seed?} or {kind: 'file', path}";
  if (!isObject(value)) throw new LensError('BAD_REQUEST', `${shapes}.`);
  const extra = (allowed: string[]) => Object.keys(value).filter((k) => k !== 'kind' && !allowed.includes(k));
  const only = (allowed: string[]) => {
    const bad = extra(allowed);
    if (bad.length > 0) throw new LensError('BAD_REQUEST', `baseline of kind '${String(value.kind)}' takes no '${bad[0]}'; ${shapes}.`);
  };
  switch (value.kind) {
    case 'zeros':
      only([]);
      return { kind: 'zeros' };
    case 'blur': {
      only(['sigma']);
      const sigma = optionalNumber(value.sigma, 'baseline.sigma', 0, 1000);
      if (sigma === 0) throw new LensError('BAD_REQUEST', 'baseline.sigma must be a positive number of pixels.');
      return sigma === undefined ? { kind: 'blur' } : { kind: 'blur', sigma };
    }
    case 'uniform': {
      only(['seed']);
      const seed = optionalInt(value.seed, 'baseline.seed', 0, MAX_SEED);
      return seed === undefined ? { kind: 'uniform' } : { kind: 'uniform', seed };
    }
    case 'file':
      only(['path']);
      return { kind: 'file', path: absolutePath(value.path, 'baseline.path') };
    default:
      throw new LensError('BAD_REQUEST', `${shapes}.`);
  }
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], required: true): T;
function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], required?: false): T | undefined;
function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], required = false): T | undefined {
  if (value === undefined && !required) return undefined;
  if (!allowed.includes(value as T)) throw new LensError('BAD_REQUEST', `${name} must be one of ${allowed.join(', ')}.`);
  return value as T;
}

function optionalNumber(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new LensError('BAD_REQUEST', `${name} must be a number from ${min} to ${max}.`);
  }
  return value;
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new LensError('BAD_REQUEST', `${name} must be true or false.`);
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new LensError('BAD_REQUEST', `${name} must be a non-empty string.`);
  return value;
}

function optionalInt(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LensError('BAD_REQUEST', `${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}
