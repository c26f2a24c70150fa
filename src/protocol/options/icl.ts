/** The `icl` request's options: one definition each (see field.ts). */
import { z } from 'zod';
import { ICL_SALIENCY, ICL_VARIANTS, type IclVariant } from '../icl';
import { option, type FieldTable } from './field';

/** The providers: a local TF.js causal LM, or an OpenAI-compatible server's completions or chat endpoint. */
export const PROVIDER_KINDS = ['local', 'openai', 'openai-chat'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

const PROVIDER = /^(?:local:.+|openai(?:-chat)?:https?:\/\/\S+)$/;

/** `kind:target`, split at the first colon; the target is a path (local) or a base URL. */
export function splitProvider(provider: string): { kind: ProviderKind; target: string } {
  const at = provider.indexOf(':');
  return { kind: provider.slice(0, at) as ProviderKind, target: provider.slice(at + 1) };
}

export const ICL_FIELDS = {
  specPath: option({ schema: z.string().min(1).max(4096), type: 'path', label: 'Prompt spec', description: 'the *.icl.json prompt spec', required: true }),
  provider: option({
    schema: z.string().max(4096).regex(PROVIDER, { message: 'must be local:<model.json>, openai:<base-url> or openai-chat:<base-url> (http or https)' }),
    type: 'string',
    label: 'Provider',
    description: 'local:<model.json> (a TF.js causal LM), openai:<base-url> (/completions) or openai-chat:<base-url> (/chat/completions)',
    required: true,
    panel: false,
    resolvePaths: (value: string, resolve: (p: string) => string): string => {
      const { kind, target } = splitProvider(value);
      return kind === 'local' ? `local:${resolve(target)}` : value;
    },
  }),
  model: option({
    schema: z.string().min(1).max(256),
    type: 'string',
    label: 'Model',
    description: "the model name sent to the server (the result names the one that answered)",
    defaultText: "none sent: the server's default model",
    // The panel's endpoint and its model come from the settings, together.
    panel: false,
  }),
  variants: option({
    schema: z
      .array(z.enum(ICL_VARIANTS))
      .min(1)
      .max(ICL_VARIANTS.length)
      .refine((v) => new Set(v).size === v.length, { message: 'lists a variant twice' }),
    default: ['original', 'flipped'] as IclVariant[],
    type: 'structured',
    label: 'Variants',
    description: `prompt variants to compare, comma-separated: ${ICL_VARIANTS.join(', ')}`,
    choices: ICL_VARIANTS,
  }),
  flipCount: option({
    schema: z.int().min(1).max(1000),
    type: 'integer',
    label: 'Flip count',
    description: 'flipped: flip the labels of only the first K demonstrations',
    defaultText: 'every demonstration',
  }),
  saliency: option({
    schema: z.enum(ICL_SALIENCY),
    type: 'enum',
    label: 'Saliency',
    description: 'token saliency of the predicted label: gradient (× embedding) and integrated-gradients need a local model; occlusion deletes one word at a time',
    defaultText: 'none',
  }),
  steps: option({
    schema: z.int().min(1).max(1000),
    default: 64,
    type: 'integer',
    label: 'Steps',
    description: "integrated-gradients: Gauss–Legendre nodes on the path from zero embeddings (ReLU kinks make the integrand jump: the result's completenessDelta says how close)",
    requires: { saliency: 'integrated-gradients' },
  }),
  topLogprobs: option({
    schema: z.int().min(5).max(20),
    default: 5,
    type: 'integer',
    label: 'Top log-probabilities',
    description: "endpoints: how many of the first token's most probable tokens to ask for (OpenAI allows 5 on /completions)",
  }),
  timeout: option({ schema: z.number().gt(0).max(3600), default: 60, type: 'number', label: 'Timeout (s)', description: 'endpoints: seconds to wait for each response' }),
  concurrency: option({ schema: z.int().min(1).max(64), default: 4, type: 'integer', label: 'Concurrency', description: 'endpoints: requests in flight at once' }),
} satisfies FieldTable;
