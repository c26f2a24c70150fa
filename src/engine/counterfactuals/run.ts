/** What the counterfactual request hands each input kind's runner, and what a runner gives back. */
import type { RunContext, Params } from '../../protocol/engine';
import type { CounterfactualMethod, CounterfactualPrediction, CounterfactualResult } from '../../protocol/counterfactual';
import type { Checkpoint } from '../checkpoint/load';
import { labelOf, type Head } from '../model/head';
import type { LoadedInput } from '../data/input';
import type { TrainingSet } from '../data/trainingSet';
import { LensError } from '../errors';
import type { Verdict } from './decision';

export interface RunSetup {
  /** The checkpoint reading the request's output head. */
  checkpoint: Checkpoint;
  head: Head;
  method: CounterfactualMethod;
  params: Params<'counterfactual'>;
  /** The input as loaded (owned by the engine's input cache). */
  input: LoadedInput;
  target: number;
  /** The training set, where there is one (owned by the engine's cache). */
  train: TrainingSet | null;
  ctx: RunContext;
}

export type KindResult = Pick<CounterfactualResult, 'original' | 'counterfactuals' | 'diversity' | 'reason' | 'constraints' | 'details' | 'warnings'>;

/** A verdict as the result reports it: the predicted class, its name and probability, and the target's. */
export function describeVerdict(verdict: Verdict, setup: Pick<RunSetup, 'head' | 'target'>): CounterfactualPrediction {
  return {
    prediction: verdict.prediction,
    label: labelOf(setup.head, verdict.prediction),
    probability: verdict.probabilities[verdict.prediction],
    targetProbability: verdict.probabilities[setup.target],
  };
}

/** A counterfactual must change the decision: refuses a target the model already predicts. */
export function refuseCurrentClass(original: Verdict, setup: RunSetup): void {
  if (original.prediction !== setup.target) return;
  const p = original.probabilities[setup.target];
  throw new LensError('BAD_REQUEST', `The model already predicts '${labelOf(setup.head, setup.target)}' for this input (p = ${p.toFixed(3)}): choose another target.`);
}

/** Mean pairwise distance of two or more items; null for fewer. */
export function meanPairwise<T>(items: T[], distance: (a: T, b: T) => number): number | null {
  if (items.length < 2) return null;
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < items.length; a++) {
    for (let b = a + 1; b < items.length; b++) {
      sum += distance(items[a], items[b]);
      pairs++;
    }
  }
  return sum / pairs;
}
