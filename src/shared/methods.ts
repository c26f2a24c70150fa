/** Display names of the saliency methods, shared by the panel, hovers and exports. */
import type { SaliencyMethod } from '../protocol/saliency';

export const METHOD_NAMES: Record<SaliencyMethod, string> = {
  gradient: 'Gradient',
  'gradient-x-input': 'Gradient × Input',
  'integrated-gradients': 'Integrated Gradients',
  smoothgrad: 'SmoothGrad',
  'grad-cam': 'Grad-CAM',
  occlusion: 'Occlusion',
};
