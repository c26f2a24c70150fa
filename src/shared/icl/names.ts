/** How the panel, the quick picks and the log name the ICL variants and saliency methods. */
import type { IclSaliency, IclVariant } from '../../protocol/icl';

export const ICL_VARIANT_NAMES: Record<IclVariant, string> = { original: 'Original', flipped: 'Flipped labels', neutral: 'Neutral inputs', explained: 'With explanations' };

export const ICL_VARIANT_DESCRIPTIONS: Record<IclVariant, string> = {
  original: 'the demonstrations as written',
  flipped: "every demonstration's label replaced by the next label",
  neutral: "each demonstration's neutral text as its input",
  explained: 'each demonstration followed by its explanation',
};

export const ICL_SALIENCY_NAMES: Record<IclSaliency, string> = {
  gradient: 'Gradient × embedding',
  'integrated-gradients': 'Integrated Gradients',
  occlusion: 'Occlusion (word by word)',
};
