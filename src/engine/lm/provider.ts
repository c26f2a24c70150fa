/**
 * One interface for every language model the ICL comparison asks: the probability of each label
 * word as the prompt's continuation, and the prompt's tokens. A local TF.js model (local.ts) also
 * attributes a label to its tokens by gradients; any model can be occluded word by word
 * (occlusion.ts), which only needs `score`.
 */
import type { RunContext } from '../../protocol/engine';

export interface LabelDistribution {
  /** Each label's probability renormalised over the labels; null for a label below the returned top-k. */
  probs: Record<string, number | null>;
  /** The raw probability mass the labels covered before renormalising. */
  coverage: number;
  /** Labels not among the top-k tokens returned: their probability is at most topKMin. */
  belowTopK: string[];
  /** The smallest probability among the returned top-k tokens; null where the whole distribution is known. */
  topKMin: number | null;
}

export interface PromptToken {
  text: string;
  /** [start, end) in the prompt. */
  start: number;
  end: number;
}

/** Gradient × embedding, or Integrated Gradients from zero embeddings with `steps` Gauss–Legendre nodes. */
export type GradientMethod = { kind: 'gradient' } | { kind: 'integrated-gradients'; steps: number };

export interface GradientSaliency {
  /** One value per token of the prompt (tokens(prompt)), for log p(label | prompt). */
  values: number[];
  /** Integrated Gradients: Σ attributions − (F(x) − F(baseline)). */
  completenessDelta?: number;
}

export interface LanguageModel {
  /** The model that answers: the server's name for it once it has answered, else what was asked for. */
  readonly model: string;
  /** Requests sent so far (0 for a local model). */
  readonly requests: number;
  /** Where requests go, for progress messages (a URL), or null for a local model. */
  readonly endpoint: string | null;
  /** The label words' distribution as the next word after `prompt`. */
  score(prompt: string, labels: readonly string[], signal: AbortSignal): Promise<LabelDistribution>;
  /** The prompt's tokens as the model reads them (endpoints: whitespace-separated words). */
  tokens(prompt: string): PromptToken[];
  /** Gradient saliency of log p(label | prompt) on the token embeddings; absent where the model exposes no gradients. */
  gradientSaliency?(prompt: string, label: string, method: GradientMethod, ctx: RunContext): Promise<GradientSaliency>;
  dispose(): void;
}

/** The label with the highest probability (the first on ties); null when none is known. */
export function predictedLabel(distribution: LabelDistribution, labels: readonly string[]): string | null {
  let best: string | null = null;
  for (const label of labels) {
    const p = distribution.probs[label];
    if (p !== null && p !== undefined && (best === null || p > (distribution.probs[best] as number))) best = label;
  }
  return best;
}

/** Each label's renormalised probability, with a label below the top-k counted as 0 (occlusion's p(label)). */
export function probabilityOf(distribution: LabelDistribution, label: string): number {
  return distribution.probs[label] ?? 0;
}
