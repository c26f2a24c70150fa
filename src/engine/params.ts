/** Validates request parameters at the process boundary: the engine trusts nothing it is sent. */
import * as path from 'path';
import { BACKEND_CHOICES } from '../protocol/model';
import type { MethodName, Params } from '../protocol/engine';
import { SALIENCY_METHODS, type Baseline, type SaliencyOptions } from '../protocol/saliency';
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
  backend: (p) => {
    if (p.choice !== undefined && !BACKEND_CHOICES.includes(p.choice as never)) {
      throw new LensError('BAD_REQUEST', `choice must be one of ${BACKEND_CHOICES.join(', ')}.`);
    }
    return { choice: p.choice as Params<'backend'>['choice'] };
  },
};

export function checkParams<M extends MethodName>(method: M, params: unknown): Params<M> {
  if (!isObject(params)) throw new LensError('BAD_REQUEST', `${method}: parameters must be an object.`);
  return checks[method](params) as Params<M>;
}

function absolutePath(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new LensError('BAD_REQUEST', `${name} must be a non-empty path.`);
  return path.resolve(value);
}

const SALIENCY_KEYS = new Set([
  'modelPath', 'inputPath', 'method', 'target', 'steps', 'quadrature', 'baseline', 'samples', 'noise', 'smoothVariant',
  'layer', 'relu', 'upsample', 'window', 'stride', 'fill', 'internalBatch', 'seed', 'metrics',
]);
const QUADRATURES = ['gauss-legendre', 'riemann-trapezoid'] as const;
const SMOOTH_VARIANTS = ['smoothgrad', 'smoothgrad-squared', 'vargrad'] as const;
const MAX_SEED = 2 ** 32 - 1;

function checkSaliency(p: Record<string, unknown>): Params<'saliency'> {
  const unknown = Object.keys(p).filter((k) => !SALIENCY_KEYS.has(k));
  if (unknown.length > 0) throw new LensError('BAD_REQUEST', `saliency: unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}.`);
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
    seed: optionalInt(p.seed, 'seed', 0, MAX_SEED),
    metrics: optionalBoolean(p.metrics, 'metrics'),
  };
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as unknown as SaliencyOptions;
  return { modelPath: absolutePath(p.modelPath, 'modelPath'), inputPath: absolutePath(p.inputPath, 'inputPath'), ...defined };
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
