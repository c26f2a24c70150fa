/**
 * Token saliency by occlusion, for any language model (endpoints have no gradients): each
 * whitespace-separated word of the prompt is deleted in turn (with the spaces before it), and its
 * saliency is p(predicted | prompt) − p(predicted | prompt without the word), p the label's
 * probability renormalised over the labels (a label that drops below the returned top-k counts 0).
 */
import { promptWords, withoutWord } from '../../shared/icl/prompt';
import { probabilityOf, type LabelDistribution, type PromptToken } from './provider';

/** The prompts occluding `prompt` sends: one per word, without it. */
export function occlusionPrompts(prompt: string): { word: PromptToken; prompt: string }[] {
  return promptWords(prompt).map((word) => ({ word, prompt: withoutWord(prompt, word.start, word.end) }));
}

/**
 * Each word's saliency for `predicted`, from the prompt's own distribution and those of the
 * prompts occlusionPrompts made (in order): one value per word of the prompt.
 */
export function occlusionSaliency(distribution: LabelDistribution, predicted: string, without: readonly LabelDistribution[]): number[] {
  const base = probabilityOf(distribution, predicted);
  return without.map((d) => base - probabilityOf(d, predicted));
}
