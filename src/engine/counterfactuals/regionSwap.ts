/**
 * region-swap (Goyal et al., ICML 2019, as facebookresearch/visual-counterfactuals does it): split
 * the model at a spatial feature layer into f (input → h × w × c cells) and g (the rest). For a
 * distractor image I′ of the target class, greedily pick the (query cell, distractor cell) pair
 * whose swap — the query's cell taking the distractor cell's features — most raises log p(target)
 * of g, remove both cells from further use, and repeat until g predicts the target. Distractors
 * are training images the model itself gives the target, the nearest to the query in the layer's
 * features first; the one that needs the fewest swaps is reported, with its cells on both images.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { CellBox, SwappedCell } from '../../protocol/counterfactual';
import { forward, headOutput } from '../checkpoint/forward';
import type { Checkpoint } from '../checkpoint/load';
import type { TrainingSet } from '../data/trainingSet';
import { LensError } from '../errors';
import { runFromLayer, type FromLayer } from '../model/fromLayer';
import { layerOutput } from '../model/layerTap';
import { hasFinalSoftmax } from '../model/logits';
import { outputKind, toProbabilities, type OutputKind } from '../model/probabilities';
import { spatialLayer } from '../model/spatialLayer';

export interface SwapSettings {
  layer?: string;
  distractors: number;
  maxEdits?: number;
}

export interface Swapped {
  /** The training example the cells came from. */
  distractor: number;
  /** In swap order. */
  cells: { query: number; distractor: number }[];
  /** The model's probabilities from the edited feature map. */
  probabilities: number[];
}

export interface SwapRun {
  swapped: Swapped | null;
  layer: string;
  grid: [number, number];
  maxEdits: number;
  tried: number;
  failure: string | null;
}

/** Floats of the candidate feature maps evaluated at once. */
const CHUNK_FLOATS = 1 << 22;

export async function regionSwap(checkpoint: Checkpoint, name: string, x: tf.Tensor, target: number, train: TrainingSet, settings: SwapSettings, ctx: RunContext): Promise<SwapRun> {
  const model = checkpoint.model;
  if (!(model instanceof tf.LayersModel)) throw new LensError('BAD_REQUEST', 'region-swap needs a layers model (it runs the model from a layer); use --method perturbation.');
  const layer = spatialLayer(model, settings.layer, 'region-swap', { skipPooling: false });
  const query = layerOutput(model, layer, x, 'region-swap');
  try {
    const [, h, w, c] = query.shape;
    const cells = h * w;
    const maxEdits = Math.min(settings.maxEdits ?? cells, cells);
    const chosen = nearestDistractors(checkpoint, layer, query, target, train, settings.distractors);
    const base = { layer: layer.name, grid: [h, w] as [number, number], maxEdits, tried: chosen.length };
    if (chosen.length === 0) return { ...base, swapped: null, failure: `No counterfactual: the training set has no image labelled '${name}' that the model predicts as '${name}', to take cells from.` };
    const run: FromLayer = { model, layer, x, logits: hasFinalSoftmax(model), output: (out) => headOutput(checkpoint, out), what: 'region-swap' };
    const kind: OutputKind = run.logits ? 'logits' : tf.tidy(() => outputKind(forward(checkpoint, x).reshape([1, -1]) as tf.Tensor2D));
    const q = Float32Array.from(query.dataSync());
    let best: Swapped | null = null;
    for (const [n, { index, features }] of chosen.entries()) {
      const found = await greedy(run, kind, q, features, [h, w, c], target, maxEdits, ctx);
      if (found && (!best || found.cells.length < best.cells.length)) best = { distractor: index, ...found };
      ctx.onProgress(n + 1, chosen.length, 'Swapping regions');
    }
    const failure = best ? null : `No counterfactual: swapping up to ${maxEdits} of the ${cells} cells of layer '${layer.name}' with those of the ${chosen.length} nearest '${name}' training images did not make the model predict '${name}'.`;
    return { ...base, swapped: best, failure };
  } finally {
    query.dispose();
  }
}

/** Up to `count` training images labelled `target` that the model predicts as `target`, nearest to the query's features first. */
function nearestDistractors(checkpoint: Checkpoint, layer: tf.layers.Layer, query: tf.Tensor, target: number, train: TrainingSet, count: number): { index: number; features: Float32Array }[] {
  const ofClass = Array.from(train.labels.keys()).filter((i) => train.labels[i] === target);
  const model = checkpoint.model as tf.LayersModel;
  const scored: { index: number; distance: number; features: Float32Array }[] = [];
  const q = query.dataSync();
  const batch = 128;
  for (let start = 0; start < ofClass.length; start += batch) {
    const indices = ofClass.slice(start, start + batch);
    const [features, predicted] = tf.tidy(() => {
      const images = tf.gather(train.x, indices);
      const out = forward(checkpoint, images);
      return [layerOutput(model, layer, images, 'region-swap'), tf.argMax(out.reshape([indices.length, -1]), 1)];
    });
    const f = features.dataSync() as Float32Array;
    const p = predicted.dataSync();
    const size = q.length;
    indices.forEach((index, n) => {
      if (p[n] !== target) return;
      const own = f.slice(n * size, (n + 1) * size);
      let distance = 0;
      for (let i = 0; i < size; i++) distance += (own[i] - q[i]) ** 2;
      scored.push({ index, distance, features: own });
    });
    tf.dispose([features, predicted]);
  }
  return scored.sort((a, b) => a.distance - b.distance).slice(0, count);
}

/** Goyal et al.'s greedy search for one distractor; null when `maxEdits` swaps do not flip the decision. */
async function greedy(run: FromLayer, kind: OutputKind, query: Float32Array, distractor: Float32Array, [h, w, c]: number[], target: number, maxEdits: number, ctx: RunContext): Promise<Omit<Swapped, 'distractor'> | null> {
  const cells = h * w;
  const edited = query.slice();
  const usedQuery = new Set<number>();
  const usedDistractor = new Set<number>();
  const swaps: { query: number; distractor: number }[] = [];
  for (let edit = 0; edit < maxEdits; edit++) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < cells; i++) if (!usedQuery.has(i)) for (let j = 0; j < cells; j++) if (!usedDistractor.has(j)) pairs.push([i, j]);
    let bestPair = -1;
    let bestScore = -Infinity;
    let bestProbabilities: number[] = [];
    const chunk = Math.max(1, Math.floor(CHUNK_FLOATS / edited.length));
    for (let start = 0; start < pairs.length; start += chunk) {
      const slice = pairs.slice(start, start + chunk);
      const maps = new Float32Array(slice.length * edited.length);
      slice.forEach(([i, j], n) => {
        maps.set(edited, n * edited.length);
        maps.set(distractor.subarray(j * c, (j + 1) * c), n * edited.length + i * c);
      });
      const scores = tf.tidy(() => toProbabilities(runFromLayer(run, tf.tensor4d(maps, [slice.length, h, w, c])).reshape([slice.length, -1]) as tf.Tensor2D, kind).arraySync() as number[][]);
      scores.forEach((p, n) => {
        const score = Math.log(Math.max(p[target], 1e-45));
        if (score > bestScore) [bestScore, bestPair, bestProbabilities] = [score, start + n, p];
      });
    }
    const [i, j] = pairs[bestPair];
    edited.set(distractor.subarray(j * c, (j + 1) * c), i * c);
    usedQuery.add(i);
    usedDistractor.add(j);
    swaps.push({ query: i, distractor: j });
    if (bestProbabilities.indexOf(Math.max(...bestProbabilities)) === target) return { cells: swaps, probabilities: bestProbabilities };
    await new Promise<void>((resolve) => setImmediate(resolve));
    ctx.signal.throwIfAborted();
  }
  return null;
}

/** A cell of the h × w grid as the pixels of an H × W image it stands for (proportionally). */
export function cellBox(cell: number, [h, w]: [number, number], height: number, width: number): CellBox {
  const row = Math.floor(cell / w);
  const col = cell % w;
  const y = Math.round((row * height) / h);
  const x = Math.round((col * width) / w);
  return { row, col, x, y, width: Math.round(((col + 1) * width) / w) - x, height: Math.round(((row + 1) * height) / h) - y };
}

/** Cell pairs as boxes on both images. */
export function swappedCells(cells: { query: number; distractor: number }[], grid: [number, number], height: number, width: number): SwappedCell[] {
  return cells.map((s) => ({ query: cellBox(s.query, grid, height, width), distractor: cellBox(s.distractor, grid, height, width) }));
}
