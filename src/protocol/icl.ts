/**
 * In-context-learning label-flip comparisons (Li, Xu, Liu & Song 2023, "Towards understanding
 * in-context learning with contrastive demonstrations and saliency maps"): the prompt spec
 * (`*.icl.json`, whose JSON Schema media/icl.schema.json is generated from the zod schema here),
 * the prompt variants, and the result of the `icl` request.
 */
import { z } from 'zod';
import type { RequestOptions } from './options';

export const ICL_VARIANTS = ['original', 'flipped', 'neutral', 'explained'] as const;
export type IclVariant = (typeof ICL_VARIANTS)[number];

/** gradient: gradient × embedding; integrated-gradients: on the embeddings from zero; occlusion: one word deleted at a time. */
export const ICL_SALIENCY = ['gradient', 'integrated-gradients', 'occlusion'] as const;
export type IclSaliency = (typeof ICL_SALIENCY)[number];

/** What a prompt token belongs to; `demo-explanation` only in the explained variant. */
export const TOKEN_PARTS = ['demo-input', 'demo-label', 'demo-explanation', 'query', 'template'] as const;
export type TokenPart = (typeof TOKEN_PARTS)[number];

export const DEFAULT_EXPLANATION_TEMPLATE = 'Explanation: {explanation}\n';

const text = (description: string) => z.string().min(1).max(100_000).meta({ description });

export const iclDemonstrationSchema = z
  .strictObject({
    input: text('The demonstration\'s input, put where the template says {input}.'),
    label: text('Its label: one of labels.'),
    neutral: text('The input with its label-bearing words neutralised (the neutral variant).').optional(),
    explanation: text('Why the input has its label (the explained variant, formatted with explanationTemplate).').optional(),
  })
  .meta({ defaultSnippets: [{ label: 'demonstration', body: { input: '$1', label: '$2' } }] });

export const iclQuerySchema = z
  .strictObject({
    input: text('The query\'s input; the model continues the prompt with a label.'),
    label: text('The true label (for accuracy and flip-following); one of labels.').optional(),
  })
  .meta({ defaultSnippets: [{ label: 'query', body: { input: '$1', label: '$2' } }] });

export const iclSpecSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().max(10_000).optional().meta({ description: 'One line about the experiment.' }),
    template: z
      .string()
      .max(10_000)
      .regex(/\{input\}[\s\S]*\{label\}/, { message: 'must contain {input} and, after it, {label}' })
      .meta({
        description: 'How one demonstration is formatted, with {input} and then {label}; the query uses it cut just before {label}, trailing whitespace removed.',
        examples: ['Review: {input}\nlabel: {label}\n'],
      }),
    explanationTemplate: z
      .string()
      .max(10_000)
      .regex(/\{explanation\}/, { message: 'must contain {explanation}' })
      .optional()
      .meta({ description: 'The explained variant: appended after each formatted demonstration.', default: DEFAULT_EXPLANATION_TEMPLATE }),
    labels: z
      .array(z.string().min(1).max(1000))
      .min(2)
      .max(100)
      .refine((l) => new Set(l).size === l.length, { message: 'lists a label twice' })
      .meta({ description: 'The label words, in order: the flipped variant replaces each demonstration\'s label by the next one (cyclically).' }),
    demonstrations: z.array(iclDemonstrationSchema).min(1).max(1000).meta({ description: 'The in-context examples, in prompt order.' }),
    queries: z.array(iclQuerySchema).min(1).max(10_000).meta({ description: 'The inputs the model labels, each after all demonstrations.' }),
  })
  .meta({
    title: 'Model Lens in-context-learning prompt spec',
    description: 'Demonstrations and queries for comparing a language model\'s predictions and token saliency under original, flipped, neutralised and explained demonstrations (model-lens icl).',
  });

export type IclSpec = z.output<typeof iclSpecSchema>;
export type IclDemonstration = z.output<typeof iclDemonstrationSchema>;
export type IclQuery = z.output<typeof iclQuerySchema>;

/** One token of a prompt: a model's token (local) or a whitespace-separated word (endpoints). */
export interface IclToken {
  text: string;
  /** [start, end): its characters in the prompt. */
  start: number;
  end: number;
  part: TokenPart;
  /** The demonstration it belongs to (index into the spec's demonstrations); absent for the query and the template's text. */
  demo?: number;
  /** Its attribution to the predicted label; null without saliency. */
  saliency: number | null;
}

/** Shares of Σ|saliency| over the prompt's parts (mean over the variant's queries); sum to 1. */
export type SaliencyShares = Partial<Record<TokenPart, number>>;

export interface IclQueryResult {
  input: string;
  /** The query's true label, or null when the spec gives none. */
  label: string | null;
  /** The exact text sent to the model. */
  prompt: string;
  /** Each label's probability renormalised over the labels; null for a label below the returned top-k. */
  probs: Record<string, number | null>;
  /** The raw probability mass the labels covered before renormalising. */
  coverage: number;
  /** Labels that were not among the top-k tokens the server returned: their probability is at most topKMin. */
  belowTopK: string[];
  /** The smallest probability among the returned top-k tokens (endpoints); null for a local model's full distribution. */
  topKMin: number | null;
  /** The most probable label; null when every label is below the top-k. */
  predicted: string | null;
  /** predicted = label; null without a true label. */
  correct: boolean | null;
  /** flipped variant: predicted = the flip of the true label (the next label); null otherwise. */
  followsFlip: boolean | null;
  tokens: IclToken[];
  /** Σ saliency over each demonstration's tokens, by demonstration index; null without saliency. */
  demoContributions: number[] | null;
  /** integrated-gradients: Σ saliency − (F(prompt) − F(zero embeddings)), F = log p(predicted). */
  completenessDelta?: number;
}

/** A demonstration as the variant put it in the prompt, and what the variant changed in it. */
export interface IclShownDemonstration {
  input: string;
  label: string;
  explanation?: string;
  changed: ('label' | 'input' | 'explanation')[];
}

export interface IclVariantResult {
  /** Share of queries with a true label predicted correctly; null when no query has a label. */
  accuracy: number | null;
  /** flipped: share of labelled queries whose prediction follows the flip; null for other variants. */
  flipFollowingRate: number | null;
  /** null without saliency. */
  saliencyShares: SaliencyShares | null;
  demonstrations: IclShownDemonstration[];
  queries: IclQueryResult[];
}

/** One token aligned between the original and the flipped prompt of a query. */
export interface IclTokenDifference {
  /** The token in the original prompt (its span there) and in the flipped one; null where one side has no counterpart. */
  original: { text: string; start: number; end: number; saliency: number } | null;
  flipped: { text: string; start: number; end: number; saliency: number } | null;
  part: TokenPart;
  demo?: number;
  /** flipped − original saliency (a missing side counts 0). */
  difference: number;
}

/** The original-vs-flipped comparison, when both variants ran with saliency. */
export interface IclFlipDifference {
  /** Per part: flipped share − original share. */
  shares: SaliencyShares;
  queries: { input: string; tokens: IclTokenDifference[] }[];
}

export interface IclResult {
  /** The provider as given, e.g. `local:examples/tiny-decoder/model.json` or `openai:http://127.0.0.1:8080/v1`. */
  provider: string;
  /** The model that answered: the server's name for it, --model, or the local model's path. */
  model: string;
  variants: Partial<Record<IclVariant, IclVariantResult>>;
  difference: IclFlipDifference | null;
  /** Requests sent to an endpoint (0 for a local model). */
  requests: number;
  /** What the numbers may not show, e.g. prompt pieces outside a local model's vocabulary. */
  warnings: string[];
  options: IclOptions;
  backend: string;
  ms: number;
}

/** The `icl` request's options, as the result records them after defaults (never the API key). */
export type IclOptions = RequestOptions<'icl'>;
