/**
 * The `tcav` request (Kim et al., ICML 2018): how sensitive the class's logit is to each concept at
 * each layer, with a significance test against random concepts. Per layer and run i, a CAV
 * separates the concept from random set i (one run per random set); its TCAV score is the fraction
 * of class inputs whose directional derivative along it is positive. The random baseline is the
 * same score for CAVs of random set i against random set i+1; a concept's per-run scores are
 * compared with the baseline's by a two-sided pooled-variance t-test, as tensorflow/tcav and LIT do.
 * Every draw is seeded per (concept, run), so results depend neither on the order of the concepts
 * (captum #909) nor on the layers asked with them.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params, RunContext } from '../../protocol/engine';
import { NEAR_CHANCE_ACCURACY, type ConceptSource, type TcavRandomBaseline, type TcavResult, type TcavScore } from '../../protocol/concepts';
import type { Checkpoint } from '../checkpoint/load';
import { makeRng, sampleIndices, seedOf } from '../common/random';
import { setParts } from '../data/trainingSet';
import { LensError } from '../errors';
import type { HandlerContext } from '../handler';
import { logitsNode, nodeOf } from '../model/graph';
import { findSites, type Site } from '../model/sites';
import { cavSensitivities, SiteKernel, trainCav, type Cav, type Row } from './cav';
import { tcavScore } from './sensitivity';
import { classGradients, setActivations, sidecarRelative } from './sets';
import { mean, std, tTestPValue } from './statistics';

type TcavParams = Params<'tcav'>;

/** Random sets drawn from a pool when runs are not given (tensorflow/tcav's examples use 20 to 500). */
export const DEFAULT_POOL_RUNS = 20;
/** Examples a concept or random set needs: two to train on, one held out. */
const MIN_SET = 3;
/** Fewer class inputs than this make every score coarse (steps of 1/n). */
const FEW_CLASS_INPUTS = 10;

type Timings = TcavResult['timings'];

/** The random examples at each site (one set per random set, or the pool), and each run's rows among them. */
interface RandomSets {
  kind: 'sets' | 'pool';
  runs: number;
  size: number;
  /** Per site, the sets' [examples, features]; owned by the request. */
  acts: tf.Tensor2D[][];
  /** Per run, its random set's examples (set: an index into a site's acts). */
  rows: Row[][];
  /** Per run, what names its random set (for the CAV cache). */
  keys: string[];
  cached: boolean;
}

/** Per run, the scores of one CAV against the class inputs. */
interface RunScores {
  scores: number[];
  magnitudes: number[];
  accuracies: number[];
  size: number;
}

export async function testConcepts(engine: HandlerContext, params: TcavParams, ctx: RunContext): Promise<TcavResult> {
  const started = performance.now();
  const checkpoint = await engine.checkpoint(params.modelPath);
  const sites = findSites(checkpoint, params.layers, 'TCAV');
  sites.forEach((site) => refuseOutput(checkpoint, site));
  const { classIndex, className } = resolveClass(checkpoint, params.class);
  const concepts = params.concepts ?? sidecarConcepts(checkpoint);
  const randomPath = params.random ?? fromSidecar(checkpoint, checkpoint.sidecar.sidecar.data?.random, "TCAV needs random examples: pass --random PATH, or name them in the sidecar's data.random.");
  const inputs = classInputs(checkpoint, params.inputs, classIndex);
  const seed = params.seed!;
  const timings: Timings = { activationsMs: 0, gradientsMs: 0, cavMs: 0 };
  const timed = async <T>(part: keyof Timings, body: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await body();
    } finally {
      timings[part] += performance.now() - t0;
    }
  };
  const held: tf.Tensor[] = [];
  try {
    const { grads, cached: gradsCached } = await timed('gradientsMs', () => classGradients(engine, checkpoint, inputs.path, inputs.onlyClass, sites, classIndex, ctx));
    held.push(...grads);
    let cached = gradsCached;
    const conceptActs: tf.Tensor2D[][] = [];
    const conceptKeys: string[] = [];
    for (const concept of concepts) {
      const what = `concept '${concept.name}'`;
      const read = await timed('activationsMs', () => setActivations(engine, checkpoint, concept.path, sites, { labels: 'none', what }, ctx));
      held.push(...read.acts);
      checkSize(read.acts[0].shape[0], `${what} (${concept.path})`);
      conceptActs.push(read.acts);
      conceptKeys.push(read.key);
      cached &&= read.cached;
    }
    const largest = Math.max(...conceptActs.map((a) => a[0].shape[0]));
    const random = await timed('activationsMs', () => randomSets(engine, checkpoint, randomPath, sites, params, largest, ctx));
    held.push(...random.acts.flat());
    cached &&= random.cached;

    // The kernel's sets at each site: the concepts, then the random examples (one set per random set, or the pool).
    const conceptRows = conceptActs.map((acts, c) => Array.from({ length: acts[0].shape[0] }, (_, row): Row => ({ set: c, row })));
    const randomRows = random.rows.map((rows) => rows.map((r): Row => ({ set: concepts.length + r.set, row: r.row })));
    const total = sites.length * (concepts.length + 1) * random.runs;
    let done = 0;
    /**
     * One CAV per run of the examples positive(run) against negative(run) (each from one of the
     * kernel's sets), scored on the class inputs; from the engine's CAV cache where it was trained
     * before on the same sets (keys(run) names them), with the same seed and α.
     */
    const score = async (site: number, kernel: SiteKernel, positive: (run: number) => Row[], negative: (run: number) => Row[], keys: (run: number) => string[], runSeed: (run: number) => number): Promise<RunScores> => {
      const out: RunScores = { scores: [], magnitudes: [], accuracies: [], size: 0 };
      for (let run = 0; run < random.runs; run++) {
        const [p, n] = [positive(run), negative(run)];
        const sides: [number, number] = [p[0].set, n[0].set];
        const key = JSON.stringify([...keys(run), sites[site].name, runSeed(run), params.l2]);
        const known = engine.cavs.get(key);
        let cav: Cav;
        if (known) cav = onSets(known, [0, 1], sides);
        else {
          cav = trainCav(kernel, p, n, makeRng(runSeed(run)), params.l2!);
          engine.cavs.set(key, onSets(cav, sides, [0, 1]));
          cached = false;
        }
        const t = tcavScore(cavSensitivities(kernel, cav));
        out.scores.push(t.score);
        out.magnitudes.push(t.magnitude);
        out.accuracies.push(cav.accuracy);
        out.size = cav.size;
        ctx.onProgress(++done, total, 'Training CAVs');
      }
      // Let a cancel message in between sets of runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
      ctx.signal.throwIfAborted();
      return out;
    };

    const baselines: TcavRandomBaseline[] = [];
    const byConcept: TcavScore[][] = concepts.map(() => []);
    const tests = concepts.length * sites.length;
    const alpha = params.bonferroni ? params.alpha! / tests : params.alpha!;
    for (let site = 0; site < sites.length; site++) {
      const kernel = new SiteKernel([...conceptActs.map((a) => a[site]), ...random.acts[site]], grads[site]);
      const t0 = performance.now();
      const next = (run: number) => (run + 1) % random.runs;
      const r = await score(site, kernel, (run) => randomRows[run], (run) => randomRows[next(run)], (run) => [random.keys[run], random.keys[next(run)]], (run) => seedOf(seed, 'random cav', run));
      const baseline = { layer: sites[site].name, scores: r.scores, score: mean(r.scores), std: std(r.scores), magnitudes: r.magnitudes, cavAccuracy: mean(r.accuracies) };
      baselines.push(baseline);
      for (let c = 0; c < concepts.length; c++) {
        const runs = await score(site, kernel, () => conceptRows[c], (run) => randomRows[run], (run) => [conceptKeys[c], random.keys[run]], (run) => seedOf(seed, 'cav', concepts[c].name, run));
        byConcept[c].push(conceptScore(concepts[c].name, sites[site].name, runs, baseline.scores, alpha));
      }
      timings.cavMs += performance.now() - t0;
    }
    const count = grads[0].shape[0];
    const results = byConcept.flat();
    return {
      class: className,
      classIndex,
      results,
      random: baselines,
      gradientOf: 'logit',
      alpha,
      tests,
      classInputs: { path: inputs.path, count, filtered: inputs.onlyClass !== null },
      randomSets: { path: randomPath, kind: random.kind, runs: random.runs, size: random.size },
      timings,
      cached,
      warnings: warnings(results, count),
      options: { ...params, class: classIndex, concepts, random: randomPath, runs: random.runs, inputs: inputs.path },
      backend: engine.backend,
      ms: performance.now() - started,
    };
  } finally {
    tf.dispose(held);
  }
}

/** The CAV with its examples moved from the kernel sets `from` (positive, negative) to `to`: how the cache stores them independently of a request's sets. */
function onSets(cav: Cav, from: [number, number], to: [number, number]): Cav {
  return { ...cav, train: cav.train.map((x) => ({ set: x.set === from[0] ? to[0] : to[1], row: x.row })) };
}

/** A concept's runs at a layer, tested against the layer's random baseline at level alpha. */
function conceptScore(concept: string, layer: string, r: RunScores, baseline: number[], alpha: number): TcavScore {
  const pValue = tTestPValue(r.scores, baseline);
  const cavAccuracy = mean(r.accuracies);
  return {
    concept,
    layer,
    score: mean(r.scores),
    scores: r.scores,
    std: std(r.scores),
    magnitude: mean(r.magnitudes),
    magnitudes: r.magnitudes,
    pValue,
    significant: pValue < alpha,
    cavAccuracy,
    cavAccuracies: r.accuracies,
    cavNearChance: cavAccuracy < NEAR_CHANCE_ACCURACY,
    runs: r.scores.length,
    conceptSize: r.size,
  };
}

/**
 * The random sets: each sub-folder or set file of `source` (runs: how many of them; every one by
 * default), or `runs` draws from the pool `source` (DEFAULT_POOL_RUNS by default) of `size`
 * examples each, the largest concept's size where the pool has that many.
 */
async function randomSets(engine: HandlerContext, checkpoint: Checkpoint, source: string, sites: readonly Site[], params: TcavParams, size: number, ctx: RunContext): Promise<RandomSets> {
  const what = 'random examples';
  const parts = await setParts(source, what);
  if (parts) {
    const runs = params.runs ?? parts.length;
    if (parts.length < 2) throw new LensError('INVALID_INPUT', `${source} holds ${parts.length} random set; TCAV's significance test needs at least 2 (sub-folders or set files), or one pool of examples to draw them from.`);
    if (runs > parts.length) throw new LensError('BAD_REQUEST', `runs ${runs} asks for more random sets than ${source} holds (${parts.length}).`);
    const sets: tf.Tensor2D[][] = [];
    const keys: string[] = [];
    let cached = true;
    try {
      for (const part of parts.slice(0, runs)) {
        const read = await setActivations(engine, checkpoint, part, sites, { labels: 'none', what: `random set '${part}'` }, ctx);
        sets.push(read.acts);
        keys.push(read.key);
        cached &&= read.cached;
        checkSize(read.acts[0].shape[0], `random set ${part}`);
      }
    } catch (err) {
      tf.dispose(sets.flat());
      throw err;
    }
    const sizes = sets.map((acts) => acts[0].shape[0]);
    return {
      kind: 'sets',
      runs,
      size: Math.min(...sizes),
      acts: sites.map((_, site) => sets.map((set) => set[site])),
      rows: sizes.map((n, set) => Array.from({ length: n }, (_, row) => ({ set, row }))),
      keys,
      cached,
    };
  }
  const runs = params.runs ?? DEFAULT_POOL_RUNS;
  const read = await setActivations(engine, checkpoint, source, sites, { labels: 'none', what }, ctx);
  const n = read.acts[0].shape[0];
  try {
    checkSize(n, `the random pool ${source}`);
  } catch (err) {
    tf.dispose(read.acts);
    throw err;
  }
  const drawn = Math.min(size, n);
  // The same draws at every site, whatever the concepts: seeded by run alone.
  const draw = (run: number) => seedOf(params.seed!, 'random set', run);
  const rows = Array.from({ length: runs }, (_, run) => sampleIndices(n, drawn, makeRng(draw(run))).map((row) => ({ set: 0, row })));
  const keys = rows.map((_, run) => `${read.key}\0draw ${drawn} ${draw(run)}`);
  return { kind: 'pool', runs, size: drawn, acts: read.acts.map((a) => [a]), rows, keys, cached: read.cached };
}

function checkSize(n: number, what: string): void {
  if (n < MIN_SET) throw new LensError('INVALID_INPUT', `${what} has ${n} example${n === 1 ? '' : 's'}; a CAV needs at least ${MIN_SET} (two to train on, one held out).`);
}

/** The class as an index: an index within the model's outputs, or a label of the sidecar (digits are an index). */
function resolveClass(checkpoint: Checkpoint, given: number | string): { classIndex: number; className: string } {
  const labels = checkpoint.sidecar.sidecar.labels ?? [];
  const classes = checkpoint.outputs[0]?.shape.at(-1) ?? null;
  let index: number;
  if (typeof given === 'number' || /^\d+$/.test(given)) index = Number(given);
  else {
    index = labels.indexOf(given);
    if (index < 0) {
      const known = labels.length ? `its labels: ${labels.slice(0, 30).join(', ')}${labels.length > 30 ? ', …' : ''}` : 'the sidecar names no labels: give a class index';
      throw new LensError('BAD_REQUEST', `No class named '${given}'; ${known}.`);
    }
  }
  if (classes !== null && index >= classes) throw new LensError('BAD_REQUEST', `Class ${index} is out of range: the model has ${classes} outputs (0–${classes - 1}).`);
  return { classIndex: index, className: labels[index] ?? String(index) };
}

/** Neither the output nor the logits feeding its softmax: the logit's gradient there says nothing about concepts. */
function refuseOutput(checkpoint: Checkpoint, site: Site): void {
  const model = checkpoint.model;
  const output =
    model instanceof tf.LayersModel
      ? site.kind === 'layer' && model.outputs.some((o) => o.sourceLayer === site.layer)
      : site.kind === 'node' && [nodeOf(model.outputs[0].name), logitsNode(model, checkpoint.topology)].includes(site.name);
  if (output) throw new LensError('BAD_REQUEST', `'${site.name}' is the model's output: TCAV reads concepts at a layer before it and differentiates the class logit there; choose an earlier layer.`);
}

function sidecarConcepts(checkpoint: Checkpoint): ConceptSource[] {
  const named = Object.entries(checkpoint.sidecar.sidecar.data?.concepts ?? {});
  if (named.length === 0 || !checkpoint.sidecar.path) throw new LensError('BAD_REQUEST', "No concepts: pass --concept NAME=PATH, or name them in the sidecar's data.concepts.");
  return named.map(([name, rel]) => ({ name, path: sidecarRelative(checkpoint, rel) as string }));
}

function fromSidecar(checkpoint: Checkpoint, rel: string | undefined, missing: string): string {
  const resolved = rel === undefined ? null : sidecarRelative(checkpoint, rel);
  if (!resolved) throw new LensError('BAD_REQUEST', missing);
  return resolved;
}

/** The class inputs: `given` (every example), else the sidecar's data.test or data.train (the class's examples). */
function classInputs(checkpoint: Checkpoint, given: string | undefined, classIndex: number): { path: string; onlyClass: number | null } {
  if (given) return { path: given, onlyClass: null };
  const data = checkpoint.sidecar.sidecar.data;
  const source = fromSidecar(checkpoint, data?.test ?? data?.train, 'No class inputs: pass --inputs PATH (examples of the class), or name data.test or data.train in the sidecar.');
  return { path: source, onlyClass: classIndex };
}

function warnings(results: TcavScore[], classInputs: number): string[] {
  const out: string[] = [];
  for (const r of results.filter((x) => x.cavNearChance)) {
    out.push(`The CAVs of '${r.concept}' at '${r.layer}' are near chance (held-out accuracy ${r.cavAccuracy.toFixed(2)}): the layer barely separates the concept from random examples, so its score means little.`);
  }
  if (classInputs < FEW_CLASS_INPUTS) out.push(`Only ${classInputs} class inputs: each score moves in steps of ${(1 / classInputs).toFixed(2)}.`);
  return out;
}
