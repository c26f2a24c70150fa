/** Validates request parameters at the process boundary: the engine trusts nothing it is sent. */
import * as path from 'path';
import { BACKEND_CHOICES } from '../protocol/model';
import type { MethodName, Params } from '../protocol/engine';
import { LensError } from './errors';
import { isObject } from './checkpoint/modelJson';

const checks: { [M in MethodName]: (p: Record<string, unknown>) => Params<M> } = {
  info: (p) => ({ modelPath: absolutePath(p.modelPath, 'modelPath') }),
  predict: (p) => ({
    modelPath: absolutePath(p.modelPath, 'modelPath'),
    inputPath: absolutePath(p.inputPath, 'inputPath'),
    top: optionalInt(p.top, 'top', 1, 1000),
  }),
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

function optionalInt(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LensError('BAD_REQUEST', `${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}
