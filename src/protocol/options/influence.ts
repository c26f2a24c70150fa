/** The `influence` request's options: one definition each (see field.ts). */
import { z } from 'zod';
import { option, type FieldTable } from './field';
import { MAX_SEED } from './saliency';
import { outputOption } from './predict';

/**
 * influence: influence functions (Koh & Liang) for one test input;
 * tracin: TracIn over the sidecar's (or --checkpoints') checkpoints for one test input;
 * self: self-influence of every training example (no test input), to surface mislabelled ones.
 */
export const INFLUENCE_METHODS = ['influence', 'tracin', 'self'] as const;
export type InfluenceMethod = (typeof INFLUENCE_METHODS)[number];

/** Inverse-Hessian-vector product solvers. exact: explicit Hessian + Cholesky (small scopes only). */
export const INFLUENCE_SOLVERS = ['cg', 'lissa', 'exact'] as const;
export type InfluenceSolver = (typeof INFLUENCE_SOLVERS)[number];

/** The scope's parameter count at or below which `solver` defaults to exact. */
export const EXACT_DEFAULT_MAX_PARAMS = 2000;

const path = z.string().min(1).max(4096);

/** A learning rate: positive, as in the sidecar's data.checkpoints. */
export const learningRateSchema = z.number().gt(0).max(1e6);

/** One checkpoint of a training run, for TracIn: its model.json and the learning rate used after it. */
export const trainingCheckpointSchema = z.strictObject({ path, learningRate: learningRateSchema });
export type TrainingCheckpoint = z.output<typeof trainingCheckpointSchema>;

const layerNames = z
  .array(z.string().min(1).max(256))
  .min(1)
  .max(10_000)
  .refine((l) => new Set(l).size === l.length, { message: 'lists a layer twice' });

const WITH_TEST = ['influence', 'tracin'] as const;
const WITH_HESSIAN = ['influence', 'self'] as const;
const LISSA = { solver: 'lissa' } as const;

export const INFLUENCE_FIELDS = {
  modelPath: option({ schema: path, type: 'path', label: 'Model', description: 'the model.json whose training data is ranked', required: true }),
  method: option({
    schema: z.enum(INFLUENCE_METHODS),
    default: 'influence',
    type: 'enum',
    label: 'Method',
    description: 'influence functions, TracIn over checkpoints, or self-influence (likely mislabelled first)',
  }),
  inputPath: option({ schema: path, type: 'path', label: 'Input', description: 'the test input', flag: 'input', methods: WITH_TEST, required: WITH_TEST }),
  output: outputOption,
  label: option({
    schema: z.int().min(0).max(65_535),
    type: 'classIndex',
    label: 'True label',
    description: "the test input's true class",
    defaultText: 'the predicted class',
    methods: WITH_TEST,
  }),
  train: option({
    schema: path,
    type: 'path',
    label: 'Training set',
    description: 'image folder (a sub-folder per class), CSV, JSONL or tensor JSON',
    defaultText: "the sidecar's data.train",
  }),
  checkpoints: option({
    schema: z.array(trainingCheckpointSchema).min(1).max(1000),
    type: 'structured',
    label: 'Checkpoints',
    description: 'model.json of each checkpoint in training order, with the learning rate after it',
    defaultText: "the sidecar's data.checkpoints",
    methods: ['tracin'],
    panel: false,
    resolvePaths: (list: TrainingCheckpoint[], resolve: (p: string) => string): TrainingCheckpoint[] => list.map((c) => ({ ...c, path: resolve(c.path) })),
  }),
  layers: option({
    schema: layerNames,
    type: 'structured',
    label: 'Parameter scope',
    description: 'layers whose weights are the parameters',
    defaultText: 'all for small dense models, else the trailing dense layers within 5,000 parameters',
    panel: false,
  }),
  solver: option({
    schema: z.enum(INFLUENCE_SOLVERS),
    type: 'enum',
    label: 'Solver',
    description: 'inverse-Hessian-vector product solver',
    defaultText: `exact for scopes of at most ${EXACT_DEFAULT_MAX_PARAMS} parameters whose Hessian is cheap to build, else cg`,
    methods: WITH_HESSIAN,
  }),
  damping: option({
    schema: z.number().min(0).max(1e6),
    default: 0.01,
    type: 'number',
    label: 'Damping',
    description: 'λ added to the Hessian (raised with a warning where H + λI is not positive definite)',
    methods: WITH_HESSIAN,
  }),
  lissaDepth: option({ schema: z.int().min(1).max(1_000_000), default: 1000, type: 'integer', label: 'LiSSA depth', description: 'recursion depth', methods: WITH_HESSIAN, requires: LISSA, panel: false }),
  lissaScale: option({
    schema: z.number().gt(0).max(1e12),
    type: 'number',
    label: 'LiSSA scale',
    description: "at least the Hessian's largest eigenvalue",
    defaultText: '1.5 × the largest eigenvalue, estimated',
    methods: WITH_HESSIAN,
    requires: LISSA,
    panel: false,
  }),
  lissaRepeats: option({ schema: z.int().min(1).max(1000), default: 1, type: 'integer', label: 'LiSSA repeats', description: 'runs to average', methods: WITH_HESSIAN, requires: LISSA, panel: false }),
  lissaBatch: option({ schema: z.int().min(1).max(100_000), default: 128, type: 'integer', label: 'LiSSA batch', description: 'training examples per step', methods: WITH_HESSIAN, requires: LISSA, panel: false }),
  top: option({
    schema: z.int().min(1).max(10_000),
    default: 10,
    type: 'integer',
    label: 'Top',
    description: 'proponents and opponents to show (self: suspects)',
  }),
  cacheDir: option({ schema: path, type: 'path', label: 'Gradient cache', description: 'folder of cached per-example training gradients', defaultText: 'no cache' }),
  seed: option({ schema: z.int().min(0).max(MAX_SEED), default: 0, type: 'integer', label: 'Seed', description: "seed of LiSSA's sampling", panel: false }),
} satisfies FieldTable;
