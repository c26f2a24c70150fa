/** Validates request parameters at the process boundary: the engine trusts nothing it is sent. */
import * as path from 'path';
import { BACKEND_CHOICES } from '../protocol/model';
import type { MethodName, Params } from '../protocol/engine';
import { LensError } from './errors';
import { isObject } from './checkpoint/modelJson';

const checks: { [M in MethodName]: (p: Record<string, unknown>) => Params<M> } = {
  info: (p) => ({ modelPath: absolutePath(p.modelPath, 'modelPath') }),
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
