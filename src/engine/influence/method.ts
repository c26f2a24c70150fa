/**
 * One shape for every influence method (Captum's DataInfluence, one config per file, like
 * saliency/method.ts): run(inputs, ctx) → a score per training example.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { ClassScore } from '../../protocol/model';
import type { InfluenceMethod as InfluenceMethodId, InfluenceOptions, InfluenceSolver, TrainingCheckpoint } from '../../protocol/influence';
import type { Checkpoint } from '../checkpoint/load';
import type { TrainingSet } from '../data/trainingSet';
import type { ParamScope } from './scope';
import type { Solution } from './solvers/solver';

export type InfluenceParams = { modelPath: string } & InfluenceOptions;

/** The prediction being explained. */
export interface TestPoint {
  /** [1, ...]; owned by the request. */
  x: tf.Tensor;
  label: number;
  labelFromPrediction: boolean;
  prediction: ClassScore[];
}

export interface InfluenceInputs {
  checkpoint: Checkpoint;
  model: tf.LayersModel;
  /** The parameters θ the method differentiates with respect to. */
  scope: ParamScope;
  /** Owned by the engine. */
  train: TrainingSet;
  /** Null for methods that need none (self-influence). */
  test: TestPoint | null;
  params: InfluenceParams;
  /** Other checkpoints of the training run (TracIn), kept loaded for the request. */
  load(modelPath: string): Promise<Checkpoint>;
}

export interface Scored {
  /** One per training example, in the training set's order. */
  scores: Float64Array;
  cached: boolean;
  solution: Solution | null;
  /** The λ the solver used (null for methods without a Hessian: TracIn). */
  damping: number | null;
  testLoss?: number;
  checkpoints?: TrainingCheckpoint[];
  /** The solver used, where the request left the choice to the cost (dampedHessian.ts). */
  solver?: InfluenceSolver;
  /** What the solve was expected to cost, said before it started. */
  estimate?: { hvpMs: number; hvps: number; seconds: number };
}

export interface InfluenceMethod {
  id: InfluenceMethodId;
  /** Whether the method explains a test prediction (else it scores the training set alone). */
  needsTest: boolean;
  /** Whether it solves against the damped Hessian (so the result names the solver). */
  usesSolver: boolean;
  run(inputs: InfluenceInputs, ctx: RunContext): Promise<Scored>;
}
