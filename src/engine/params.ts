/**
 * Validates request parameters at the process boundary: the engine trusts nothing it is sent.
 * Every option's type, bounds and default come from its one definition (src/protocol/options).
 */
import * as path from 'path';
import { BACKEND_CHOICES } from '../protocol/model';
import type { MethodName, Params } from '../protocol/engine';
import { OptionError, parseOptions } from '../protocol/options';
import { LensError } from './errors';
import { isObject } from './checkpoint/modelJson';
import { parseObjective } from './model/objective';

export function checkParams<M extends MethodName>(method: M, params: unknown): Params<M> {
  if (!isObject(params)) throw new LensError('BAD_REQUEST', `${method}: parameters must be an object.`);
  if (method === 'backend') return checkBackend(params) as Params<M>;
  if (method === 'backends') return checkNone(method, params) as Params<M>;
  // An endpoint's API key is a secret, not an option: checked here, kept out of the options (and so out of results).
  const { apiKey, ...rest } = params;
  if (method === 'icl' && apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.length === 0 || /[\r\n]/.test(apiKey))) {
    throw new LensError('BAD_REQUEST', 'icl: apiKey must be a non-empty string on one line.');
  }
  try {
    // Paths are resolved against the engine's working directory; defaults are applied here, once.
    const options = parseOptions(method as Exclude<M, 'backend' | 'backends'>, method === 'icl' ? rest : params, { resolvePath: (p) => path.resolve(p) });
    if (method === 'icl' && apiKey !== undefined) return { ...options, apiKey } as Params<M>;
    // The objective's shape is checked where it is defined (model/objective.ts).
    if ('objective' in options && options.objective !== undefined) options.objective = parseObjective(options.objective);
    return options as Params<M>;
  } catch (err) {
    if (err instanceof OptionError) throw new LensError('BAD_REQUEST', err.message);
    throw err;
  }
}

function checkNone(method: string, p: Record<string, unknown>): Record<string, never> {
  const extra = Object.keys(p)[0];
  if (extra !== undefined) throw new LensError('BAD_REQUEST', `${extra} is not an option of ${method}.`);
  return {};
}

function checkBackend(p: Record<string, unknown>): Params<'backend'> {
  const extra = Object.keys(p).find((k) => k !== 'choice');
  if (extra !== undefined) throw new LensError('BAD_REQUEST', `${extra} is not an option of backend.`);
  if (p.choice !== undefined && !BACKEND_CHOICES.includes(p.choice as never)) {
    throw new LensError('BAD_REQUEST', `choice must be one of ${BACKEND_CHOICES.join(', ')}.`);
  }
  return p.choice === undefined ? {} : { choice: p.choice as Params<'backend'>['choice'] };
}
