/**
 * Tabular models for the counterfactual tests, written as a checkpoint folder (model.json,
 * sidecar, a CSV of rows), and the exact optimum of the linear case computed independently of the
 * engine: for a binary softmax regression the least-cost counterfactual under ranges, immutables
 * and weighted-L1 costs is a fractional knapsack over features by |w_i| / (σ_i c_i).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { FeatureConstraint, Sidecar } from '../../src/protocol/model';
import { saveLayersModel } from '../../src/engine/checkpoint/save';
import { makeRng } from '../../src/engine/common/random';

export interface TabularToy {
  dir: string;
  modelPath: string;
  csvPath: string;
  features: string[];
  /** Raw rows as the CSV holds them (the engine reports values as written; the model sees them as float32). */
  rows: number[][];
  mean: number[];
  std: number[];
  /** Weights of the logit margin z₁ − z₀ over the model's (standardised) input, and its bias (binary models). */
  w?: number[];
  b?: number;
}

export interface ToySpec {
  model: tf.LayersModel;
  features: string[];
  rows: number[][];
  mean: number[];
  std: number[];
  labels: string[];
  constraints?: Record<string, FeatureConstraint>;
  categorical?: string[][];
  /** Training rows with labels (class names), written as data/train.csv. */
  train?: { rows: number[][]; labels: string[] };
}

/** Writes the model, its sidecar and rows.csv into dir. */
export async function writeTabularToy(dir: string, spec: ToySpec): Promise<TabularToy> {
  const modelPath = await saveLayersModel(spec.model, dir);
  const csvPath = path.join(dir, 'rows.csv');
  const csv = (rows: number[][], labels?: string[]) =>
    [[...spec.features, ...(labels ? ['label'] : [])].join(','), ...rows.map((r, i) => [...r.map(String), ...(labels ? [labels[i]] : [])].join(','))].join('\n') + '\n';
  fs.writeFileSync(csvPath, csv(spec.rows));
  const sidecar: Sidecar = {
    input: {
      kind: 'tabular',
      features: spec.features,
      labelColumn: 'label',
      mean: spec.mean,
      std: spec.std,
      ...(spec.constraints ? { constraints: spec.constraints } : {}),
      ...(spec.categorical ? { categorical: spec.categorical } : {}),
    },
    labels: spec.labels,
  };
  if (spec.train) {
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'data/train.csv'), csv(spec.train.rows, spec.train.labels));
    sidecar.data = { train: 'data/train.csv' };
  }
  fs.writeFileSync(path.join(dir, 'model.lens.json'), JSON.stringify(sidecar));
  return { dir, modelPath, csvPath, features: spec.features, rows: spec.rows, mean: spec.mean, std: spec.std };
}

/**
 * Binary logistic regression over d features with seeded random weights, its standardisation and
 * n rows (two decimals): two softmax units, or (`sigmoid`) one sigmoid unit, which the engine reads
 * as the classes [1 − p, p].
 */
export async function logisticToy(dir: string, d: number, n: number, seed: number, constraints?: Record<string, FeatureConstraint>, sigmoid = false): Promise<TabularToy> {
  const rng = makeRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
  const features = Array.from({ length: d }, (_, i) => `f${i}`);
  const mean = features.map(() => Number((10 * normal()).toFixed(3)));
  const std = features.map(() => Number((0.5 + 5 * rng()).toFixed(3)));
  const units = sigmoid ? 1 : 2;
  const model = tf.sequential({ layers: [tf.layers.dense({ units, activation: sigmoid ? 'sigmoid' : 'softmax', inputShape: [d] })] });
  const kernel = features.map(() => Array.from({ length: units }, normal));
  const bias = Array.from({ length: units }, () => 0.3 * normal());
  tf.tidy(() => model.layers[0].setWeights([tf.tensor2d(kernel), tf.tensor1d(bias)]));
  const rows = Array.from({ length: n }, () => mean.map((m, i) => Number((m + std[i] * 1.5 * normal()).toFixed(2))));
  const toy = await writeTabularToy(dir, { model, features, rows, mean, std, labels: ['no', 'yes'], constraints });
  // The margin z₁ − z₀ as the model holds its weights (float32): the sigmoid's logit, or the difference of the two logits.
  const [k, b] = model.layers[0].getWeights().map((t) => Array.from(t.dataSync()));
  model.dispose();
  return sigmoid ? { ...toy, w: k, b: b[0] } : { ...toy, w: features.map((_, i) => k[2 * i + 1] - k[2 * i]), b: b[1] - b[0] };
}

export interface Box {
  lower: number[];
  upper: number[];
  cost: number[];
}

/**
 * The least cost Σ c_i |x′_i − x_i| over x′ in the box with margin(x′) ≥ ε, for the margin of class
 * `target` of a binary toy (target 1: z₁ − z₀; target 0: its negative): the fractional knapsack.
 * Infinity when no x′ in the box reaches the margin.
 */
export function knapsackOptimum(toy: TabularToy, x: number[], target: 0 | 1, box: Box, epsilon: number): number {
  const sign = target === 1 ? 1 : -1;
  const a = toy.w!.map((w, i) => (sign * w) / toy.std[i]);
  const margin = (v: number[]) => sign * toy.b! + v.reduce((s, xi, i) => s + (sign * toy.w![i] * (xi - toy.mean[i])) / toy.std[i], 0);
  let deficit = epsilon - margin(x);
  if (deficit <= 0) return 0;
  const order = a.map((_, i) => i).filter((i) => a[i] !== 0).sort((p, q) => Math.abs(a[q]) / box.cost[q] - Math.abs(a[p]) / box.cost[p]);
  let cost = 0;
  for (const i of order) {
    const room = a[i] > 0 ? box.upper[i] - x[i] : x[i] - box.lower[i];
    const move = Math.min(Math.max(room, 0), deficit / Math.abs(a[i]));
    cost += box.cost[i] * move;
    deficit -= Math.abs(a[i]) * move;
    if (deficit <= 1e-12) return cost;
  }
  return Infinity;
}
