/**
 * One shape for every attribution method (Captum's `attribute`, one config per file):
 * run(inputs, options, ctx) → an attribution tensor the caller owns.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { SaliencyMethod, SaliencyOptions } from '../../protocol/saliency';
import type { Checkpoint } from '../checkpoint/load';
import type { GradientHelper } from '../parallel/gradientHelper';

export interface AttributionInputs {
  checkpoint: Checkpoint;
  /** The preprocessed input, batch of one: [1, ...]. Not disposed by the method. */
  x: tf.Tensor;
  /** Class index to explain. */
  target: number;
  /** Baseline tensor of x's shape where the method uses one (IG); owned by the caller. */
  baseline?: tf.Tensor;
  /** The engine's gradient helper thread, which takes a share of long IG paths and SmoothGrad runs when present. */
  helper?: GradientHelper;
}

export interface Attribution {
  /** Same shape as x (Grad-CAM without upsampling: [1, h, w]). The caller disposes it. */
  values: tf.Tensor;
  completenessDelta?: number;
  layer?: string;
}

export interface AttributionMethod {
  id: SaliencyMethod;
  /** Whether the method multiplies by (x − baseline), so it needs a baseline. */
  usesBaseline: boolean;
  /**
   * Runs inside no tidy of the caller's: the method tidies each batch itself, awaits only between
   * batches (checking ctx.signal there) and reports progress through ctx.
   */
  run(inputs: AttributionInputs, options: SaliencyOptions, ctx: RunContext): Promise<Attribution>;
}
