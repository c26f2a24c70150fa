/**
 * Counterfactuals for an image: perturbation (the smallest L1 + TV change of the pixels) or region
 * swap (feature cells copied from a training image of the target class). Images are reported at
 * the model's resolution, as PNGs; region swaps with their cells on both images.
 */
import * as tf from '@tensorflow/tfjs';
import type { Counterfactual } from '../../protocol/counterfactual';
import { LensError } from '../errors';
import type { TrainingSet } from '../data/trainingSet';
import { labelOf } from '../model/head';
import { decisionFor, judge, verdictOf } from './decision';
import { perturbation } from './perturbation';
import { PixelSpace } from './pixels';
import { regionSwap, swappedCells } from './regionSwap';
import { describeVerdict, refuseCurrentClass, type KindResult, type RunSetup } from './run';

export async function imageCounterfactuals(setup: RunSetup): Promise<KindResult> {
  const { checkpoint, params, input, target, train } = setup;
  const x = input.tensor;
  if (x.shape[0] !== 1 || !input.preview) throw new LensError('INVALID_INPUT', 'Counterfactuals change one image at a time.');
  const pixels = PixelSpace.of(checkpoint.inputs[0], checkpoint.sidecar.sidecar, x.shape, input.preview.height, input.preview.width);
  const p0 = pixels.quantize(pixels.toPixels(x.dataSync()));
  const decision = decisionFor(checkpoint, x, target);
  const verdictOn = (p: Float64Array) => judge(decision, pixels.toModel(p))[0];
  const original = verdictOn(p0);
  refuseCurrentClass(original, setup);
  const base = { original: { ...describeVerdict(original, setup), image: pixels.png(p0) }, diversity: null, warnings: [] };

  if (setup.method === 'region-swap') {
    if (!train) throw new LensError('BAD_REQUEST', "region-swap takes its cells from training images of the target class: name a training set in the sidecar's data.train, or pass --train.");
    const run = await regionSwap(checkpoint, labelOf(setup.head, target), x, target, train, { layer: params.layer, distractors: params.distractors!, maxEdits: params.maxEdits }, setup.ctx);
    const constraints = { kind: 'image' as const, pixelRange: [0, 255] as [number, number], layer: run.layer, grid: run.grid, maxEdits: run.maxEdits };
    const details = `region-swap: layer '${run.layer}' (${run.grid[0]}×${run.grid[1]} cells), ${run.tried} distractor${run.tried === 1 ? '' : 's'} tried`;
    if (!run.swapped) return { ...base, counterfactuals: [], reason: run.failure, constraints, details };
    const { swapped } = run;
    const cells = swappedCells(swapped.cells, run.grid, pixels.height, pixels.width);
    const distractorPixels = trainingPixels(train, swapped.distractor, pixels);
    const verdict = verdictOf(swapped.probabilities, target);
    const counterfactual: Counterfactual = {
      changes: [],
      ...describeVerdict(verdict, setup),
      validity: verdict.prediction === target,
      proximity: cells.length,
      sparsity: cells.length,
      plausibility: null,
      image: pixels.png(paste(pixels, p0, distractorPixels, cells)),
      cells,
      distractor: { id: train.ids[swapped.distractor], path: train.locations[swapped.distractor].path, label: train.labels[swapped.distractor], image: pixels.png(distractorPixels) },
    };
    return { ...base, counterfactuals: counterfactual.validity ? [counterfactual] : [], reason: counterfactual.validity ? null : 'The swap did not hold on the real model.', constraints, details };
  }

  const tvWeight = params.tvWeight!;
  const found = await perturbation(decision, pixels, p0, { epsilon: params.margin!, tvWeight, steps: params.steps! }, setup.ctx);
  const constraints = { kind: 'image' as const, pixelRange: [0, 255] as [number, number], tvWeight };
  const details = `perturbation: ${found.steps} steps`;
  const verdict = found.pixels && verdictOn(found.pixels);
  if (!found.pixels || !verdict || verdict.prediction !== target || verdict.margin < params.margin! / 2) {
    return { ...base, counterfactuals: [], reason: found.failure ?? 'The change did not hold on the real model once rounded to 8-bit pixels.', constraints, details };
  }
  const counterfactual: Counterfactual = {
    changes: [],
    ...describeVerdict(verdict, setup),
    validity: true,
    proximity: pixels.cost(found.pixels, p0, tvWeight),
    sparsity: pixels.changedPixels(found.pixels, p0),
    plausibility: train ? nearestCost(train, target, pixels, found.pixels, tvWeight) : null,
    image: pixels.png(found.pixels),
  };
  return { ...base, counterfactuals: [counterfactual], reason: null, constraints, details };
}

/** Training example i as pixels. */
function trainingPixels(train: TrainingSet, i: number, pixels: PixelSpace): Float64Array {
  return pixels.quantize(pixels.toPixels(tf.tidy(() => train.x.slice([i], [1]).dataSync())));
}

/** The query's pixels with each swapped distractor box pasted over its query box (for showing the swap). */
function paste(pixels: PixelSpace, query: Float64Array, distractor: Float64Array, cells: ReturnType<typeof swappedCells>): Float64Array {
  const out = query.slice();
  const { width, channels: c } = pixels;
  for (const { query: q, distractor: d } of cells) {
    for (let dy = 0; dy < q.height; dy++) {
      for (let dx = 0; dx < q.width; dx++) {
        const from = ((d.y + Math.min(dy, d.height - 1)) * width + d.x + Math.min(dx, d.width - 1)) * c;
        const to = ((q.y + dy) * width + q.x + dx) * c;
        for (let k = 0; k < c; k++) out[to + k] = distractor[from + k];
      }
    }
  }
  return out;
}

/** The L1 + TV cost from the counterfactual to the nearest training image of the target class. */
function nearestCost(train: TrainingSet, target: number, pixels: PixelSpace, p: Float64Array, tvWeight: number): number | null {
  const all = train.x.dataSync();
  let best = Infinity;
  train.labels.forEach((label, i) => {
    if (label === target) best = Math.min(best, pixels.cost(p, pixels.quantize(pixels.toPixels(all.subarray(i * pixels.size, (i + 1) * pixels.size))), tvWeight));
  });
  return Number.isFinite(best) ? best : null;
}
