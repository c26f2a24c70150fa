/**
 * The `probe` request: what each layer encodes about a labelled dataset (representation reading).
 * Per layer, a linear probe (one-vs-rest L2 logistic regression) is trained on a stratified 2/3 of
 * the examples' activations and tested on the other 1/3; beside it a control probe is trained and
 * tested on permuted labels, so that selectivity, probe minus control accuracy, says what the layer
 * encodes beyond what a linear probe fits to noise (Hewitt & Liang 2019).
 */
import * as tf from '@tensorflow/tfjs';
import type { Params, RunContext } from '../../protocol/engine';
import type { ProbeLayer, ProbeResult } from '../../protocol/concepts';
import { progressAs } from '../common/context';
import { makeRng, seedOf, shuffleInPlace } from '../common/random';
import { LensError } from '../errors';
import type { HandlerContext } from '../handler';
import { batchedActivations, findSites, modelSites, type Site } from '../model/sites';
import { accuracy, fitMulticlass, scores, stratifiedSplit } from './linear';

/** Sites whose activations are read in one pass over the examples (bounds the memory of a pass). */
const SITES_PER_PASS = 8;

export async function probeLayers(engine: HandlerContext, params: Params<'probe'>, ctx: RunContext): Promise<ProbeResult> {
  const started = performance.now();
  const checkpoint = await engine.checkpoint(params.modelPath);
  const sites = params.layers ? findSites(checkpoint, params.layers, 'Probing') : modelSites(checkpoint, 'Probing');
  const set = await engine.exampleSet(params.data, checkpoint, ctx, { labels: 'names', what: 'probe data' });
  const names = set.labelNames ?? [];
  if (names.length < 2) throw new LensError('INVALID_INPUT', `${params.data}: probing needs examples of at least 2 labels; it has ${names.length} (${names.join(', ') || 'none'}).`);
  const seed = params.seed!;
  const chosen = stratifiedSample(set.labels, params.maxExamples!, makeRng(seedOf(seed, 'probe sample')));
  const labels = chosen.map((i) => set.labels[i]);
  const { train, test } = stratifiedSplit(labels, makeRng(seedOf(seed, 'probe split')));
  // The control task: the same examples with their labels permuted, split the same way.
  const permuted = shuffleInPlace(labels.slice(), makeRng(seedOf(seed, 'probe control')));
  const pick = (xs: number[], at: number[]) => at.map((i) => xs[i]);

  const x = tf.gather(set.x, chosen);
  const layers: ProbeLayer[] = [];
  try {
    for (let first = 0; first < sites.length; first += SITES_PER_PASS) {
      const group: Site[] = sites.slice(first, first + SITES_PER_PASS);
      const acts = await batchedActivations(checkpoint, group, x, progressAs(ctx, 'Activations'), {}, 'Probing');
      try {
        group.forEach((site, k) => {
          const [xTrain, xTest] = tf.tidy(() => [tf.gather(acts[k], train), tf.gather(acts[k], test)] as tf.Tensor2D[]);
          try {
            const fit = (y: number[]) => {
              const model = fitMulticlass(xTrain, pick(y, train), names.length, params.l2!);
              try {
                return accuracy(scores(model, xTest), pick(y, test));
              } finally {
                model.weights.dispose();
              }
            };
            const probe = fit(labels);
            const control = fit(permuted);
            layers.push({ layer: site.name, features: acts[k].shape[1], accuracy: probe, controlAccuracy: control, selectivity: probe - control });
          } finally {
            tf.dispose([xTrain, xTest]);
          }
          ctx.onProgress(first + k + 1, sites.length, 'Training probes');
        });
      } finally {
        tf.dispose(acts);
      }
      ctx.signal.throwIfAborted();
    }
  } finally {
    x.dispose();
  }
  const testLabels = pick(labels, test);
  const majority = Math.max(...names.map((_, c) => testLabels.filter((l) => l === c).length)) / testLabels.length;
  const warnings = chosen.length < set.labels.length ? [`Probed ${chosen.length} of the ${set.labels.length} examples (a stratified sample; raise --max-examples for more).`] : [];
  return {
    data: { path: set.path, labels: names, examples: chosen.length, read: set.labels.length },
    majorityAccuracy: majority,
    layers,
    warnings,
    options: { ...params, layers: sites.map((s) => s.name) },
    backend: engine.backend,
    ms: performance.now() - started,
  };
}

/** At most `max` indices, each label keeping its share (at least 3, to train on two and hold one out); all when they fit. */
function stratifiedSample(labels: Int32Array, max: number, rng: () => number): number[] {
  const all = Array.from(labels.keys());
  if (all.length <= max) return all;
  const byLabel = new Map<number, number[]>();
  for (const i of all) {
    if (!byLabel.has(labels[i])) byLabel.set(labels[i], []);
    byLabel.get(labels[i])!.push(i);
  }
  const out: number[] = [];
  for (const members of byLabel.values()) {
    const share = Math.max(3, Math.round((members.length * max) / all.length));
    out.push(...shuffleInPlace(members, rng).slice(0, share));
  }
  return out.sort((a, b) => a - b);
}
