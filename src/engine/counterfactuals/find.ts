/**
 * The `counterfactual` request: loads the input, resolves the target class and the method (auto
 * picks by input kind and model), checks that every option given applies to that method, and
 * hands over to the runner of the input's kind. A result without counterfactuals is an answer
 * (with its reason), not an error.
 */
import * as path from 'path';
import type { Params, RunContext } from '../../protocol/engine';
import type { CounterfactualMethod, CounterfactualResult } from '../../protocol/counterfactual';
import { COUNTERFACTUAL_FIELDS, COUNTERFACTUAL_KIND_METHODS } from '../../protocol/options/counterfactual';
import { defaultedKeys, type OptionDef } from '../../protocol/options';
import type { Checkpoint } from '../checkpoint/load';
import { LensError } from '../errors';
import type { HandlerContext } from '../handler';
import type { LoadedInput } from '../data/input';
import { trainingSetPath, type TrainingSet } from '../data/trainingSet';
import { labelOf, selectHead } from '../model/head';
import { affineLogits } from './affine';
import { imageCounterfactuals } from './imageRun';
import type { KindResult, RunSetup } from './run';
import { tabularCounterfactuals } from './tabularRun';
import { textCounterfactuals } from './textRun';

type Request = Params<'counterfactual'>;

export async function findCounterfactuals(engine: HandlerContext, params: Request, ctx: RunContext): Promise<CounterfactualResult> {
  const started = performance.now();
  const { checkpoint, head } = selectHead(await engine.checkpoint(params.modelPath), params.output);
  if (head.kind === 'regression' || head.kind === 'multilabel') {
    throw new LensError('BAD_REQUEST', `Counterfactuals change a classification, and output '${head.name}' is a ${head.kind} head: choose a classification head (--output).`);
  }
  if (checkpoint.inputs.length !== 1) {
    throw new LensError('INVALID_INPUT', `The model has ${checkpoint.inputs.length} inputs; Model Lens finds counterfactuals for models with one input only.`);
  }
  // The input belongs to the cache, shared with other requests.
  return engine.inputs.use(checkpoint, params.inputPath, async ({ input }) => {
    const target = resolveTarget(params.target, head.labels, head.classes);
    const trainPath = trainingPath(checkpoint, params.train);
    const method = chooseMethod(params, input, checkpoint, trainPath !== null);
    checkApplicable(params, method, input.kind);
    const train = trainPath ? await engine.trainingSet(trainPath, checkpoint, ctx) : null;
    const setup: RunSetup = { checkpoint, head, method, params, input, target, train, ctx };
    const run: KindResult = input.kind === 'tabular' ? await tabularCounterfactuals(setup) : input.kind === 'image' ? await imageCounterfactuals(setup) : await textCounterfactuals(setup);
    return {
      method,
      target,
      targetLabel: labelOf(head, target),
      ...run,
      options: resolvedOptions(params, method, target, train),
      backend: engine.backend,
      ms: performance.now() - started,
    };
  });
}

/** A class index, or a label of the sidecar's (exact, else ignoring case). */
function resolveTarget(target: number | string, labels: string[] | undefined, classes: number): number {
  let index: number;
  if (typeof target === 'number') index = target;
  else if (/^\d+$/.test(target)) index = Number(target);
  else {
    index = labels?.indexOf(target) ?? -1;
    if (index < 0) index = labels?.findIndex((l) => l.toLowerCase() === target.toLowerCase()) ?? -1;
    if (index < 0) throw new LensError('BAD_REQUEST', `target '${target}' is not a class of the model: ${labels ? `use one of ${labels.join(', ')} or a class index` : 'the sidecar names no labels; use a class index'}.`);
  }
  if (index >= classes) throw new LensError('BAD_REQUEST', `target ${index} is out of range: the model has ${classes} classes (0–${classes - 1}).`);
  return index;
}

/** The training set to use: the request's, else the sidecar's data.train, else none. */
function trainingPath(checkpoint: Checkpoint, given: string | undefined): string | null {
  return given || checkpoint.sidecar.sidecar.data?.train ? trainingSetPath(checkpoint, given) : null;
}

/** The method asked for, checked against the input kind; or auto's choice. */
function chooseMethod(params: Request, input: LoadedInput, checkpoint: Checkpoint, hasTrain: boolean): CounterfactualMethod {
  const allowed = COUNTERFACTUAL_KIND_METHODS[input.kind];
  if (allowed.length === 0) throw new LensError('BAD_REQUEST', `Counterfactuals take CSV rows, images or text; ${path.basename(params.inputPath)} is a ${input.kind} input.`);
  if (params.method !== 'auto') {
    if (!allowed.includes(params.method)) throw new LensError('BAD_REQUEST', `${params.method} does not take ${input.kind} inputs: use ${allowed.join(' or ')}.`);
    return params.method;
  }
  if (input.kind === 'text') return 'token-flip';
  if (input.kind === 'image') return hasTrain ? 'region-swap' : 'perturbation';
  if (params.count! > 1) return 'gradient';
  return 'reason' in affineLogits(checkpoint, input.tensor.shape[1] ?? 0) ? 'gradient' : 'linear-exact';
}

/** Every option the caller gave must apply to the method that runs and to the input's kind. */
function checkApplicable(params: Request, method: CounterfactualMethod, kind: LoadedInput['kind']): void {
  const defaulted = new Set(defaultedKeys(params));
  for (const [key, def] of Object.entries(COUNTERFACTUAL_FIELDS) as [string, OptionDef][]) {
    if (params[key as keyof Request] === undefined || defaulted.has(key)) continue;
    if (def.methods && !def.methods.includes(method)) {
      const chosen = params.method === 'auto' ? ` (chosen for this ${kind} input)` : '';
      throw new LensError('BAD_REQUEST', `${key} applies to ${def.methods.filter((m) => m !== 'auto').join(', ')}, not ${method}${chosen}.`);
    }
    if (def.inputKinds && !def.inputKinds.includes(kind)) throw new LensError('BAD_REQUEST', `${key} applies to ${def.inputKinds.join(', ')} inputs, not ${kind}.`);
  }
}

/** The options as computed with: method and target resolved, the training set used, defaults of other methods dropped. */
function resolvedOptions(params: Request, method: CounterfactualMethod, target: number, train: TrainingSet | null): CounterfactualResult['options'] {
  const applies = ([key]: [string, unknown]) => {
    const def = (COUNTERFACTUAL_FIELDS as Record<string, OptionDef>)[key];
    return !def?.methods || def.methods.includes(method);
  };
  const kept = Object.fromEntries(Object.entries(params).filter(applies)) as CounterfactualResult['options'];
  return { ...kept, method, target, ...(train ? { train: train.path } : {}) };
}
