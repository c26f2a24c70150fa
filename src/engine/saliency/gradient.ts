/** Vanilla gradient saliency: ∂F/∂x for the target score F (Simonyan et al. 2014; Captum's Saliency, unsigned=false). */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { SaliencyMethod } from '../../protocol/saliency';
import type { Runnable } from '../checkpoint/forward';
import { sumOverBatches } from '../model/batching';
import type { Attribution, AttributionInputs, AttributionMethod } from './method';
import { inputGradient } from '../model/objective';

/**
 * A per-example attribution evaluated on a whole batch at once: [k, ...] → [k, ...]. Synchronous,
 * so it runs inside the caller's tidy. Wrappers (SmoothGrad) evaluate it on many perturbed copies.
 */
export type BatchAttribution = (checkpoint: Runnable, x: tf.Tensor, target: number) => tf.Tensor;

export const gradientOfBatch: BatchAttribution = inputGradient;

/** An AttributionMethod that evaluates `attribute` once on the input (one step of progress). */
export function singleShotMethod(id: SaliencyMethod, attribute: BatchAttribution): AttributionMethod {
  return {
    id,
    usesBaseline: false,
    async run(inputs: AttributionInputs, _options, ctx: RunContext): Promise<Attribution> {
      const values = await sumOverBatches(1, 1, ctx, () => attribute(inputs.checkpoint, inputs.x, inputs.target));
      return { values };
    },
  };
}

export const gradient: AttributionMethod = singleShotMethod('gradient', gradientOfBatch);
