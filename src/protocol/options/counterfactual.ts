/** The `counterfactual` request's options: one definition each (see field.ts). */
import { z } from 'zod';
import { option, type FieldTable } from './field';
import { outputOption } from './predict';
import { MAX_SEED } from './saliency';

/**
 * linear-exact: the least-cost counterfactual of a model whose logits are affine in the input, by
 * (mixed-integer) linear programming; gradient: Wachter et al. / DiCE's search (tabular);
 * perturbation: the smallest L1 + total-variation change of an image; region-swap: Goyal et al.'s
 * feature-cell swaps from a training image of the target class; token-flip: HotFlip substitutions.
 */
export const COUNTERFACTUAL_METHODS = ['linear-exact', 'gradient', 'perturbation', 'region-swap', 'token-flip'] as const;
export type CounterfactualMethod = (typeof COUNTERFACTUAL_METHODS)[number];

/** `auto` picks by the input and the model: see AUTO_METHOD. */
export const COUNTERFACTUAL_METHOD_CHOICES = ['auto', ...COUNTERFACTUAL_METHODS] as const;
export type CounterfactualMethodChoice = (typeof COUNTERFACTUAL_METHOD_CHOICES)[number];

export const AUTO_METHOD = 'linear-exact for tabular models with affine logits, else gradient (also with --count above 1); region-swap for images with a training set, else perturbation; token-flip for text';

const path = z.string().min(1).max(4096);
const feature = z.string().min(1).max(256);

/** A feature's range for one run, in raw units; either end may be open (null). */
export const rangeSchema = z
  .tuple([z.number().nullable(), z.number().nullable()])
  .refine(([lo, hi]) => lo === null || hi === null || lo <= hi, { message: 'the lower end is above the upper end' });

/** Which methods an option applies to; `auto` takes them all, and the engine checks them against its choice. */
const TABULAR = ['auto', 'linear-exact', 'gradient'] as const;
const SEARCH = ['auto', 'gradient', 'perturbation'] as const;
const MARGIN = ['auto', 'linear-exact', 'gradient', 'perturbation'] as const;
const SEEDED = ['auto', 'gradient'] as const;

export const COUNTERFACTUAL_FIELDS = {
  modelPath: option({ schema: path, type: 'path', label: 'Model', description: 'the model.json whose decision is changed', required: true }),
  inputPath: option({ schema: path, type: 'path', label: 'Input', description: 'the input: CSV rows, an image or a .txt', flag: 'input', required: true }),
  output: outputOption,
  target: option({
    schema: z.union([z.int().min(0).max(65_535), z.string().min(1).max(256)]),
    type: 'classIndex',
    label: 'Target class',
    description: 'the class the counterfactual must get: an index or a label',
    required: true,
  }),
  method: option({
    schema: z.enum(COUNTERFACTUAL_METHOD_CHOICES),
    default: 'auto',
    type: 'enum',
    label: 'Method',
    description: `how to search (auto: ${AUTO_METHOD})`,
  }),
  row: option({
    schema: z.int().min(1).max(1_000_000_000),
    type: 'integer',
    label: 'Row',
    description: 'the CSV data row to change (1 = the first row under the header)',
    defaultText: 'the only row',
    inputKinds: ['tabular'],
  }),
  count: option({ schema: z.int().min(1).max(20), default: 1, type: 'integer', label: 'Count', description: 'diverse counterfactuals to find', methods: SEEDED }),
  immutable: option({
    schema: z.array(feature).min(1).max(10_000),
    type: 'structured',
    label: 'Immutable',
    description: "features that may not change, besides the sidecar's",
    methods: TABULAR,
    inputKinds: ['tabular'],
    panel: false,
  }),
  range: option({
    schema: z.record(feature, rangeSchema),
    type: 'structured',
    label: 'Ranges',
    description: "feature ranges in raw units, replacing the sidecar's (f=lo:hi, either end may be empty)",
    methods: TABULAR,
    inputKinds: ['tabular'],
    panel: false,
  }),
  cost: option({
    schema: z.record(feature, z.number().gt(0).max(1e12)),
    type: 'structured',
    label: 'Costs',
    description: "cost of a change of one raw unit, replacing the sidecar's or the 1/MAD default (f=c)",
    methods: TABULAR,
    inputKinds: ['tabular'],
    panel: false,
  }),
  margin: option({
    schema: z.number().gt(0).max(100),
    default: 0.05,
    type: 'number',
    label: 'Margin',
    description: "logit margin the target class must win by, so the decision holds on the float32 model",
    methods: MARGIN,
  }),
  steps: option({ schema: z.int().min(10).max(100_000), default: 1000, type: 'integer', label: 'Steps', description: 'optimisation steps at most', methods: SEARCH }),
  tvWeight: option({
    schema: z.number().min(0).max(100),
    default: 0.5,
    type: 'number',
    label: 'TV weight',
    description: "weight of the change's total variation beside its L1 norm",
    methods: ['auto', 'perturbation'],
  }),
  layer: option({
    schema: z.string().min(1).max(256).regex(/^[^\p{Cc}]+$/u),
    type: 'layer',
    label: 'Layer',
    description: 'spatial feature layer whose cells are swapped',
    defaultText: 'the last 4-D spatial layer',
    methods: ['auto', 'region-swap'],
  }),
  distractors: option({
    schema: z.int().min(1).max(1000),
    default: 5,
    type: 'integer',
    label: 'Distractors',
    description: "training images of the target class tried, the nearest in the layer's features first",
    methods: ['auto', 'region-swap'],
  }),
  maxEdits: option({
    schema: z.int().min(1).max(10_000),
    type: 'integer',
    label: 'Max edits',
    description: 'cells swapped (region-swap) or tokens replaced (token-flip) at most',
    defaultText: 'every cell; 5 tokens',
    methods: ['auto', 'region-swap', 'token-flip'],
  }),
  train: option({
    schema: path,
    type: 'path',
    label: 'Training set',
    description: 'training set for the default costs (1/MAD), plausibility and distractors',
    defaultText: "the sidecar's data.train",
  }),
  seed: option({ schema: z.int().min(0).max(MAX_SEED), default: 0, type: 'integer', label: 'Seed', description: 'seed of the starting points of diverse counterfactuals', methods: SEEDED, panel: false }),
} satisfies FieldTable;
