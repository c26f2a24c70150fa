/**
 * Concept requests and results (TCAV, linear probes), shared by engine, CLI, extension and
 * webview. Results carry every number a chart needs: per concept × layer the mean score, its std,
 * every run's score, the p-value and significance, the CAV accuracy; per layer the random baseline.
 */
import type { BackendName } from './model';
import type { RequestOptions } from './options';

export { type ConceptSource } from './options/concepts';

/** A TCAV request's options besides the model's path (defined once, in options/concepts.ts). */
export type TcavOptions = Omit<RequestOptions<'tcav'>, 'modelPath'>;
/** A probe request's options besides the model's path. */
export type ProbeOptions = Omit<RequestOptions<'probe'>, 'modelPath'>;

/**
 * Held-out CAV accuracy below which a CAV is flagged as near chance: with 2 × 50 examples a third
 * is 34 held out, and 20 of 34 right (0.59) is what a coin does once in six tries.
 */
export const NEAR_CHANCE_ACCURACY = 0.6;

/** One concept at one layer, over the runs (one CAV per random set). */
export interface TcavScore {
  concept: string;
  layer: string;
  /** Mean over runs of the fraction of class inputs whose sensitivity S is positive. */
  score: number;
  /** Each run's score, in run order (run i: the concept against random set i). */
  scores: number[];
  /** Standard deviation of `scores` (population, as tensorflow/tcav reports it). */
  std: number;
  /** Mean over runs of Σ max(S, 0) / Σ |S| (0 where every S is 0). */
  magnitude: number;
  magnitudes: number[];
  /** Two-sided pooled-variance t-test of `scores` against the layer's random baseline scores. */
  pValue: number;
  /** pValue < the result's `alpha` (after Bonferroni, when asked). */
  significant: boolean;
  /** Mean held-out accuracy of the CAVs (concept vs random set i, tested on a held-out third). */
  cavAccuracy: number;
  cavAccuracies: number[];
  /** cavAccuracy < NEAR_CHANCE_ACCURACY: the concept is barely separable from random at this layer, and its score means little. */
  cavNearChance: boolean;
  runs: number;
  /** Examples of the concept used per run (it and each random set are cut to the same size). */
  conceptSize: number;
}

/** The random baseline at a layer: CAVs of random set i against random set i+1 (the last against the first). */
export interface TcavRandomBaseline {
  layer: string;
  scores: number[];
  /** Mean and std of `scores`, for the baseline's bar and error bar. */
  score: number;
  std: number;
  magnitudes: number[];
  cavAccuracy: number;
}

export interface TcavResult {
  /** The class's name (its label, else its index as text) and index. */
  class: string;
  classIndex: number;
  /** Concepts × layers, concepts in the order given, layers in the order given within each. */
  results: TcavScore[];
  /** One per layer, in the order given. */
  random: TcavRandomBaseline[];
  /** S is the directional derivative of the class logit (the input of a final softmax), counted S > 0; not of the loss. */
  gradientOf: 'logit';
  /** The significance level each p-value was compared with: alpha, divided by `tests` with Bonferroni. */
  alpha: number;
  /** concepts × layers. */
  tests: number;
  /** The examples of the class that S was measured on. */
  classInputs: { path: string; count: number; filtered: boolean };
  /** Where the random sets came from: sub-sets of a folder, or draws from one pool. */
  randomSets: { path: string; kind: 'sets' | 'pool'; runs: number; size: number };
  /** Where the time went (activations include reading the sets; cached ones cost nothing). */
  timings: { activationsMs: number; gradientsMs: number; cavMs: number };
  /** Whether every activation and gradient came from the engine's cache. */
  cached: boolean;
  warnings: string[];
  /** The options it was computed with, after defaults: the concepts, random folder, runs and class inputs as resolved. */
  options: RequestOptions<'tcav'>;
  backend: BackendName;
  ms: number;
}

/** A linear probe at one layer, against its control (the same probe on permuted labels). */
export interface ProbeLayer {
  layer: string;
  /** Features of the layer's output per example. */
  features: number;
  /** Held-out accuracy of the probe (trained on a stratified 2/3, tested on the other 1/3). */
  accuracy: number;
  /** Held-out accuracy of the same probe trained and tested on permuted labels. */
  controlAccuracy: number;
  /** accuracy − controlAccuracy: what the layer encodes beyond what a linear probe fits to noise. */
  selectivity: number;
}

export interface ProbeResult {
  /** The data's path, its label names (index order), and the examples used and read. */
  data: { path: string; labels: string[]; examples: number; read: number };
  /** The accuracy of always guessing the most common label of the test part. */
  majorityAccuracy: number;
  /** In execution order (the input first) or the order given. */
  layers: ProbeLayer[];
  warnings: string[];
  options: RequestOptions<'probe'>;
  backend: BackendName;
  ms: number;
}
