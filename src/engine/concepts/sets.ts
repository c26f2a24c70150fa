/**
 * The example sets of a concept request and their values at the model's sites: activations of
 * concept, random and probe sets, and the class inputs' logit gradients. Both are cached by the
 * engine per (checkpoint, set files, site), so a second request on the same sets reads no file
 * and runs no model.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { Checkpoint } from '../checkpoint/load';
import { LensError } from '../errors';
import type { HandlerContext } from '../handler';
import type { ReadOptions, TrainingSet } from '../data/trainingSet';
import { setKey } from '../data/trainingSetCache';
import { batchedActivations, type Site } from '../model/sites';
import { logitGradients } from './sensitivity';
import { progressAs } from '../common/context';

/** A path from the sidecar, relative to it; null without a sidecar file. */
export function sidecarRelative(checkpoint: Checkpoint, rel: string): string | null {
  const file = checkpoint.sidecar.path;
  return file ? path.resolve(path.dirname(file), rel) : null;
}

/**
 * The activations of the set at `source` at each site, [n, features] each, owned by the caller:
 * from the engine's cache, else computed for the missing sites in one pass over the set.
 * `key` names the set's files (setKey); `set` is the loaded set where one was read (labels, ids);
 * `cached`, whether nothing was computed.
 */
export async function setActivations(
  engine: HandlerContext,
  checkpoint: Checkpoint,
  source: string,
  sites: readonly Site[],
  how: ReadOptions,
  ctx: RunContext,
): Promise<{ acts: tf.Tensor2D[]; key: string; set?: TrainingSet; cached: boolean }> {
  const key = await setKey(source, checkpoint, how);
  const acts = sites.map((s) => engine.activations.get(`${key}\0${s.name}`));
  const missing = sites.filter((_, i) => !acts[i]);
  if (missing.length === 0) return { acts: acts as tf.Tensor2D[], key, cached: true };
  let set: TrainingSet;
  try {
    set = await engine.exampleSet(source, checkpoint, ctx, how);
  } catch (err) {
    tf.dispose(acts.filter((a): a is tf.Tensor2D => a !== undefined));
    throw err;
  }
  const computed = await batchedActivations(checkpoint, missing, set.x, progressAs(ctx, `Activations of ${how.what ?? path.basename(source)}`), {}, 'TCAV');
  missing.forEach((site, k) => engine.activations.put(`${key}\0${site.name}`, computed[k]));
  let k = 0;
  return { acts: acts.map((a) => a ?? computed[k++]), key, set, cached: false };
}

/**
 * The class inputs' logit gradients at each site, [m, features] each, owned by the caller. With
 * `onlyClass`, the examples of the set labelled with it (a training or test set), else every
 * example of the set.
 */
export async function classGradients(
  engine: HandlerContext,
  checkpoint: Checkpoint,
  source: string,
  onlyClass: number | null,
  sites: readonly Site[],
  classIndex: number,
  ctx: RunContext,
): Promise<{ grads: tf.Tensor2D[]; cached: boolean }> {
  const how: ReadOptions = onlyClass === null ? { labels: 'none', what: 'class inputs' } : { labels: 'classes', what: 'class inputs' };
  const key = `${await setKey(source, checkpoint, how)}\0class ${onlyClass}\0∇ logit ${classIndex}`;
  const grads = sites.map((s) => engine.activations.get(`${key}\0${s.name}`));
  if (grads.every((g) => g)) return { grads: grads as tf.Tensor2D[], cached: true };
  const owned = () => grads.filter((g): g is tf.Tensor2D => g !== undefined);
  let x: tf.Tensor | undefined;
  try {
    const set = await engine.exampleSet(source, checkpoint, ctx, how);
    const rows = onlyClass === null ? null : Array.from(set.labels.keys()).filter((i) => set.labels[i] === onlyClass);
    if (rows?.length === 0) throw new LensError('INVALID_INPUT', `${source} has no examples labelled with class ${onlyClass}: pass the class's examples (--inputs).`);
    x = rows ? tf.gather(set.x, rows) : tf.clone(set.x);
    for (let i = 0; i < sites.length; i++) {
      if (grads[i]) continue;
      const g = await logitGradients(checkpoint, sites[i], x, classIndex, progressAs(ctx, `Gradients at ${sites[i].name}`));
      engine.activations.put(`${key}\0${sites[i].name}`, g);
      grads[i] = g;
    }
    return { grads: grads as tf.Tensor2D[], cached: false };
  } catch (err) {
    tf.dispose(owned());
    throw err;
  } finally {
    x?.dispose();
  }
}
