/** Vanilla gradient saliency: ∂F/∂x for the objective F (Simonyan et al. 2014; Captum's Saliency, unsigned=false). */
import type { RunContext } from '../../protocol/engine';
import type { SaliencyMethod } from '../../protocol/saliency';
import { sumOverBatches } from '../model/batching';
import { subjectOf, type Attribution, type AttributionInputs, type AttributionMethod, type BatchAttribution } from './method';

export type { BatchAttribution } from './method';

export const gradientOfBatch: BatchAttribution = (subject, points) => subject.gradient(points);

/** An AttributionMethod that evaluates `attribute` once on the subject's point (one step of progress). */
export function singleShotMethod(id: SaliencyMethod, attribute: BatchAttribution): AttributionMethod {
  return {
    id,
    usesBaseline: false,
    ofBatch: attribute,
    async run(inputs: AttributionInputs, _options, ctx: RunContext): Promise<Attribution> {
      const subject = subjectOf(inputs);
      const values = await sumOverBatches(1, 1, ctx, () => attribute(subject, subject.x));
      return { values };
    },
  };
}

export const gradient: AttributionMethod = singleShotMethod('gradient', gradientOfBatch);
