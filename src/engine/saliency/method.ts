/**
 * One shape for every attribution method (Captum's `attribute`, one config per file):
 * run(inputs, options, ctx) → an attribution tensor the caller owns. Methods differentiate a
 * subject (model/subject.ts): the objective as a function of the input, or of a layer's output.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { Objective } from '../../protocol/objective';
import type { SaliencyMethod, SaliencyOptions } from '../../protocol/saliency';
import type { Checkpoint } from '../checkpoint/load';
import { classObjective } from '../model/objective';
import { inputSubject, type Subject } from '../model/subject';
import type { GradientHelper } from '../parallel/gradientHelper';

export interface AttributionInputs {
  checkpoint: Checkpoint;
  /** The preprocessed input, batch of one: [1, ...]. Not disposed by the method. */
  x: tf.Tensor;
  /** Class index to explain (the class objective in output space, unless `objective` says otherwise). */
  target: number;
  /** What to differentiate; default: the output column `target`. */
  objective?: Objective;
  /** Where to differentiate it; default: at the input x. Owned by the caller. */
  subject?: Subject;
  /** Baseline tensor of the subject's point's shape where the method uses one (IG); owned by the caller. */
  baseline?: tf.Tensor;
  /** The engine's gradient helper thread, which takes a share of long IG paths and SmoothGrad runs when present. */
  helper?: GradientHelper;
}

/** The subject the inputs name, or the objective at the input (which needs no disposing). */
export function subjectOf(inputs: AttributionInputs): Subject {
  return inputs.subject ?? inputSubject(inputs.checkpoint, inputs.x, inputs.objective ?? classObjective(inputs.target));
}

/**
 * A per-example attribution evaluated on a whole batch of the subject's points at once:
 * [k, ...] → [k, ...]. Synchronous, so it runs inside the caller's tidy. Wrappers (the noise
 * tunnel) evaluate it on many perturbed copies.
 */
export type BatchAttribution = (subject: Subject, points: tf.Tensor) => tf.Tensor;

export interface Attribution {
  /** Same shape as the subject's point (Grad-CAM without upsampling: [1, h, w]). The caller disposes it. */
  values: tf.Tensor;
  completenessDelta?: number;
  /** Integrated Gradients: F(x) − F(baseline), which Σ attribution should equal. */
  scoreGap?: number;
  layer?: string;
}

export interface AttributionMethod {
  id: SaliencyMethod;
  /** Whether the method multiplies by (x − baseline), so it needs a baseline. */
  usesBaseline: boolean;
  /** The method as a per-example batch attribution, where it is one (gradient, gradient × input): what the noise tunnel wraps. */
  ofBatch?: BatchAttribution;
  /**
   * Runs inside no tidy of the caller's: the method tidies each batch itself, awaits only between
   * batches (checking ctx.signal there) and reports progress through ctx.
   */
  run(inputs: AttributionInputs, options: SaliencyOptions, ctx: RunContext): Promise<Attribution>;
}
