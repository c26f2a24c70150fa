/** The `saliency` request's options: one definition each (see field.ts). */
import { z } from 'zod';
import type { Objective } from '../objective';
import { option, type FieldTable } from './field';
import { outputOption } from './predict';

export const SALIENCY_METHODS = [
  'gradient',
  'gradient-x-input',
  'integrated-gradients',
  'smoothgrad',
  'grad-cam',
  'occlusion',
] as const;
export type SaliencyMethod = (typeof SALIENCY_METHODS)[number];

export const QUADRATURES = ['gauss-legendre', 'riemann-trapezoid'] as const;
export const SMOOTH_VARIANTS = ['smoothgrad', 'smoothgrad-squared', 'vargrad'] as const;
export const MAX_SEED = 2 ** 32 - 1;
const path = z.string().min(1).max(4096);

/** What an attribution is compared against (IG's path start). */
export const baselineSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('zeros') }),
  /** Gaussian blur of the input (images), sigma in pixels. */
  z.strictObject({ kind: z.literal('blur'), sigma: z.number().gt(0).max(1000).optional() }),
  /** Uniform noise in the input's value range, seeded. */
  z.strictObject({ kind: z.literal('uniform'), seed: z.int().min(0).max(MAX_SEED).optional() }),
  /** An input file, preprocessed like the input. */
  z.strictObject({ kind: z.literal('file'), path }),
]);
export type Baseline = z.output<typeof baselineSchema>;
/** The baselines the panel offers (it never sends paths). */
export const PANEL_BASELINES = ['zeros', 'blur', 'uniform'] as const;
const panelBaselineSchema = baselineSchema.refine((b) => b.kind !== 'file', { message: 'the panel offers no file baselines' });

const IG = ['integrated-gradients'] as const;
const SMOOTH = ['smoothgrad'] as const;
const CAM = ['grad-cam'] as const;
const OCCLUSION = ['occlusion'] as const;

export const SALIENCY_FIELDS = {
  modelPath: option({ schema: path, type: 'path', label: 'Model', description: 'the model.json to explain', required: true }),
  inputPath: option({ schema: path, type: 'path', label: 'Input', description: 'the input file to explain', flag: 'input', required: true }),
  method: option({ schema: z.enum(SALIENCY_METHODS), type: 'enum', label: 'Method', description: 'attribution method', required: true }),
  output: outputOption,
  target: option({
    schema: z.int().min(0).max(65_535),
    type: 'classIndex',
    label: 'Target class',
    description: 'class to explain (a regression head: the output unit, by default its largest)',
    defaultText: 'the predicted class',
  }),
  objective: option({
    // Its shape is checked by the engine's parseObjective, beside the code that computes it.
    schema: z.custom<Objective>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: "expected an object with a 'kind'" }),
    type: 'structured',
    label: 'Objective',
    description: "what to explain instead of the target's output column: {kind: class|margin|continuation, …} as JSON",
    defaultText: "the target's output column",
    panel: false,
  }),
  steps: option({ schema: z.int().min(1).max(10_000), default: 64, type: 'integer', label: 'Steps', description: 'interpolation steps', methods: IG }),
  quadrature: option({
    schema: z.enum(QUADRATURES),
    default: 'gauss-legendre',
    type: 'enum',
    label: 'Quadrature',
    description: 'quadrature rule of the path integral',
    methods: IG,
    panel: false,
  }),
  baseline: option({
    schema: baselineSchema,
    default: { kind: 'zeros' },
    type: 'structured',
    label: 'Baseline',
    description: 'the path start: zeros | blur[:sigma] | uniform[:seed] | <file>',
    methods: IG,
    choices: PANEL_BASELINES,
    panelSchema: panelBaselineSchema,
    resolvePaths: (b: Baseline, resolve: (p: string) => string): Baseline => (b.kind === 'file' ? { ...b, path: resolve(b.path) } : b),
  }),
  samples: option({ schema: z.int().min(1).max(10_000), default: 25, type: 'integer', label: 'Samples', description: 'noisy samples', methods: SMOOTH }),
  noise: option({
    schema: z.number().min(0).max(10),
    default: 0.15,
    type: 'number',
    label: 'Noise',
    description: 'noise std as a fraction of the input range',
    methods: SMOOTH,
  }),
  smoothVariant: option({
    schema: z.enum(SMOOTH_VARIANTS),
    default: 'smoothgrad',
    type: 'enum',
    label: 'Variant',
    description: 'mean gradient, mean squared gradient, or gradient variance',
    flag: 'variant',
    methods: SMOOTH,
  }),
  layer: option({
    schema: z.string().min(1).max(256).regex(/^[^\p{Cc}]+$/u),
    type: 'layer',
    label: 'Layer',
    description: 'layer whose activations are weighted',
    defaultText: 'the last 4-D spatial layer',
    methods: CAM,
  }),
  relu: option({ schema: z.boolean(), default: true, type: 'boolean', label: 'ReLU', description: 'keep only positive evidence (off: the signed map)', methods: CAM }),
  upsample: option({
    schema: z.boolean(),
    default: true,
    type: 'boolean',
    label: 'Upsample',
    description: "upsample the map to the input (off: the layer's resolution)",
    methods: CAM,
    panel: false,
  }),
  window: option({
    schema: z.int().min(1).max(100_000),
    type: 'integer',
    label: 'Window',
    description: 'occluded window size, in input positions; each window costs one forward pass',
    defaultText: 'images: max(4, ⌈min(height, width) / 14⌉), about 14 × 14 windows (16 on a 224² image: 196 windows); other inputs: 1',
    methods: OCCLUSION,
  }),
  stride: option({ schema: z.int().min(1).max(100_000), type: 'integer', label: 'Stride', description: 'step between windows', defaultText: 'the window', methods: OCCLUSION }),
  fill: option({ schema: z.number().min(-1e30).max(1e30), default: 0, type: 'number', label: 'Fill', description: 'value of occluded features', methods: OCCLUSION }),
  internalBatch: option({
    schema: z.int().min(1).max(4096),
    type: 'integer',
    label: 'Internal batch',
    description: 'points, samples or windows evaluated per batch',
    defaultText: 'as many as the memory budget allows',
    panel: false,
  }),
  memoryBudgetMB: option({
    // Below the wasm heap's 4 GB cap, with room for the model and the engine's other tensors.
    schema: z.int().min(64).max(3000),
    default: 1500,
    type: 'integer',
    label: 'Memory budget (MiB)',
    description: 'memory one internal batch may hold, which sizes the batches',
    flag: 'memory-budget',
    panel: false,
  }),
  seed: option({
    schema: z.int().min(0).max(MAX_SEED),
    type: 'integer',
    label: 'Seed',
    description: 'seed of noise, uniform baselines and random orderings',
    defaultText: 'fixed, so runs repeat',
    panel: false,
  }),
  metrics: option({
    schema: z.boolean(),
    default: false,
    type: 'boolean',
    label: 'Faithfulness metrics',
    description: 'also compute deletion/insertion AUC and max-sensitivity',
  }),
  sensitivitySamples: option({
    schema: z.int().min(0).max(1000),
    type: 'integer',
    label: 'Sensitivity samples',
    description: 'with metrics: perturbed inputs max-sensitivity re-explains, each costing one more run of the method (0 skips it)',
    defaultText: 'as many runs as about ten input gradients of a 224² MobileNetV2 cost, 1–10: 10 on small models; 1 for IG, SmoothGrad or occlusion on a 224² MobileNetV2',
    panel: false,
  }),
} satisfies FieldTable;
