/** The `tcav` and `probe` requests' options: one definition each (see field.ts). */
import { z } from 'zod';
import { option, type FieldTable } from './field';
import { MAX_SEED } from './saliency';

const path = z.string().min(1).max(4096);
const name = z.string().min(1).max(256).regex(/^[^\p{Cc}]+$/u);

const layerNames = z
  .array(name)
  .min(1)
  .max(1000)
  .refine((l) => new Set(l).size === l.length, { message: 'lists a layer twice' });

/** A concept: its name and its examples (an image folder, CSV, JSONL or tensor JSON). */
export const conceptSchema = z.strictObject({ name, path });
export type ConceptSource = z.output<typeof conceptSchema>;

const l2 = option({
  schema: z.number().gt(0).max(1e6),
  default: 0.01,
  type: 'number',
  label: 'L2 strength',
  description: "α of the linear classifiers' L2 penalty (α/2 ‖w‖², as tensorflow/tcav)",
  panel: false,
});

export const TCAV_FIELDS = {
  modelPath: option({ schema: path, type: 'path', label: 'Model', description: 'the model.json to test', required: true }),
  class: option({
    schema: z.union([z.int().min(0).max(65_535), name]),
    type: 'classIndex',
    label: 'Class',
    description: 'the class whose logit is differentiated: an index or a label name',
    required: true,
  }),
  layers: option({
    schema: layerNames,
    type: 'structured',
    label: 'Layers',
    description: 'layers (graph models: nodes) whose activations the concepts are read at',
    flag: 'layer',
    required: true,
  }),
  concepts: option({
    schema: z
      .array(conceptSchema)
      .min(1)
      .max(100)
      .refine((c) => new Set(c.map((x) => x.name)).size === c.length, { message: 'names a concept twice' }),
    type: 'structured',
    label: 'Concepts',
    description: "a concept's name and its examples (image folder, CSV, JSONL or tensor JSON); repeat for more",
    flag: 'concept',
    defaultText: "every concept of the sidecar's data.concepts",
    // The panel names concepts only: the host knows their folders (the sidecar's, or chosen through its dialog).
    panelSchema: z
      .array(name)
      .min(1)
      .max(100)
      .refine((c) => new Set(c).size === c.length, { message: 'names a concept twice' }),
    resolvePaths: (list: ConceptSource[], resolve: (p: string) => string): ConceptSource[] => list.map((c) => ({ ...c, path: resolve(c.path) })),
  }),
  random: option({
    schema: path,
    type: 'path',
    label: 'Random examples',
    description: 'a folder of random sets (sub-folders, CSV or JSONL files), or one pool of examples to draw random sets from',
    defaultText: "the sidecar's data.random",
  }),
  runs: option({
    schema: z.int().min(2).max(1000),
    type: 'integer',
    label: 'Runs',
    description: 'random sets, one CAV per concept and layer each',
    defaultText: 'every random set, or 20 drawn from a pool',
  }),
  inputs: option({
    schema: path,
    type: 'path',
    label: 'Class inputs',
    description: 'examples of the class whose sensitivity is measured (all of them are used)',
    defaultText: "the sidecar's data.test, else data.train, examples labelled with the class",
  }),
  alpha: option({ schema: z.number().gt(0).lt(1), default: 0.05, type: 'number', label: 'Significance level', description: 'significant when p < alpha' }),
  bonferroni: option({ schema: z.boolean(), default: false, type: 'boolean', label: 'Bonferroni', description: 'divide alpha by the number of concept × layer tests' }),
  seed: option({ schema: z.int().min(0).max(MAX_SEED), default: 0, type: 'integer', label: 'Seed', description: 'seed of random draws, subsampling and splits', panel: false }),
  l2,
} satisfies FieldTable;

export const PROBE_FIELDS = {
  modelPath: option({ schema: path, type: 'path', label: 'Model', description: 'the model.json to probe', required: true }),
  data: option({
    schema: path,
    type: 'path',
    label: 'Labelled data',
    description: 'examples labelled with what to read from the layers: an image folder with a sub-folder per label, CSV, JSONL or tensor JSON (any label names)',
    required: true,
  }),
  layers: option({
    schema: layerNames,
    type: 'structured',
    label: 'Layers',
    description: 'layers (graph models: nodes) to probe, or all',
    flag: 'layer',
    defaultText: 'all: the input, then every layer',
  }),
  maxExamples: option({
    schema: z.int().min(6).max(5000),
    default: 1000,
    type: 'integer',
    label: 'Max examples',
    description: 'examples used (a seeded stratified sample of larger sets): the cost of a probe grows with its cube',
    panel: false,
  }),
  seed: option({ schema: z.int().min(0).max(MAX_SEED), default: 0, type: 'integer', label: 'Seed', description: 'seed of the sample, the split and the control labels', panel: false }),
  l2,
} satisfies FieldTable;
