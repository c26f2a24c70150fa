/**
 * Gradient methods on models whose input is integer (MoveNet takes int32 pixels): no gradient
 * exists with respect to integers, so the method runs at the first float tensor — a graph model's
 * Cast of its input, which has the input's shape, so the map lands on the input as it is. Models
 * without one are refused with the reason. (Text models' token ids go to tokenAttribution.ts.)
 */
import type { SaliencyMethod } from '../../protocol/saliency';
import type { Checkpoint } from '../checkpoint/load';
import { LensError } from '../errors';
import { classObjective } from '../model/objective';
import { graphNodeSubject, inputCastNode } from '../model/subject';
import type { AttributionMethod } from './method';

/** Methods that differentiate with respect to the input (Grad-CAM differentiates at a layer, occlusion not at all). */
export function needsInputGradient(id: SaliencyMethod): boolean {
  return id !== 'occlusion' && id !== 'grad-cam';
}

/** `method` attributing at the Cast of the model's integer input, or a refusal saying why it cannot. */
export function atFirstFloat(method: AttributionMethod, checkpoint: Checkpoint): AttributionMethod {
  const node = inputCastNode(checkpoint);
  if (!node) {
    const input = checkpoint.inputs[0];
    throw new LensError(
      'BAD_REQUEST',
      `${method.id} differentiates with respect to the input, and '${input.name}' is ${input.dtype}: integers have no gradient, and the model has no float cast of its input to attribute at. Use occlusion (forward passes only) or grad-cam.`,
    );
  }
  return {
    ...method,
    run: async (inputs, options, ctx) => {
      const subject = graphNodeSubject(checkpoint, node, inputs.x, inputs.objective ?? classObjective(inputs.target));
      try {
        // The baseline was made like the input (integers): in the subject's space it is its float copy.
        const baseline = inputs.baseline?.toFloat();
        try {
          return await method.run({ ...inputs, subject, baseline }, options, ctx);
        } finally {
          baseline?.dispose();
        }
      } finally {
        subject.dispose();
      }
    },
  };
}
