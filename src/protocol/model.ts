/** Shapes of what the engine says about a checkpoint. Shared by engine, extension, webview and CLI. */
import type { TrainingCheckpoint } from './influence';

import type { RequestOptions } from './options';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export type ModelFormat = 'layers-model' | 'graph-model';

/** A dimension of null is free (usually the batch). */
export interface TensorSpec {
  name: string;
  shape: (number | null)[];
  dtype: string;
}

/**
 * How a head's values are read: softmax (a distribution over classes), logits (class scores whose
 * softmax is the distribution), sigmoid (one unit: a binary classifier, p(1) = σ, p(0) = 1 − σ),
 * multilabel (several independent sigmoid units), regression (values, not probabilities).
 */
export const OUTPUT_KINDS = ['softmax', 'sigmoid', 'multilabel', 'logits', 'regression'] as const;
export type OutputKindName = (typeof OUTPUT_KINDS)[number];

/** One output of the model (a head), with its true shape and how its values are read. */
export interface OutputSpec extends TensorSpec {
  kind: OutputKindName;
  /** Why that kind: the final activation, the sidecar, or the labels ("sigmoid activation, one unit"). */
  kindReason: string;
  /** The final activation found in the model (softmax, sigmoid, or anything else: linear). */
  activation: 'softmax' | 'sigmoid' | 'linear';
}

/** The head a result is about. */
export interface HeadRef {
  index: number;
  name: string;
  kind: OutputKindName;
}

export interface LayerSummary {
  name: string;
  /** Keras class name for layers models, op name for graph-model nodes. */
  className: string;
  outputShape: (number | null)[][];
  params: number;
}

export type InputKind = 'image' | 'tabular' | 'text' | 'tensor';

/** `<name>.lens.json` beside the checkpoint; schema in media/lens.schema.json. */
export interface Sidecar {
  input?: {
    kind: InputKind;
    /** image: [height, width] the model expects; inputs are resized to it. */
    size?: [number, number];
    channels?: 1 | 3;
    /** Pixel values are multiplied by scale, then (x - mean) / std per channel. */
    scale?: number;
    mean?: number[];
    std?: number[];
    /** tabular: the feature columns, in model order. */
    features?: string[];
    /** tabular: the label column of data files. */
    labelColumn?: string;
    /**
     * text: path (relative to the sidecar) of a JSON array of strings, the token of each id
     * (index = id). Id 0 is padding, id 1 the unknown word.
     */
    vocab?: string;
    /** text: pad (with id 0) or truncate token ids to this length when the model's length is free. */
    maxLength?: number;
    /** text: lowercase the text before tokenizing. */
    lowercase?: boolean;
    /**
     * text: `words` (default) splits into runs of letters, digits and apostrophes, padded to
     * maxLength; `pieces` is a causal language model's (data/pieces.ts): a word keeps its leading
     * space, punctuation and newlines are pieces of their own, nothing is padded.
     */
    tokenizer?: 'words' | 'pieces';
    /** tabular: what a counterfactual may change, per feature, in raw units (the CSV's, before mean/std). */
    constraints?: Record<string, FeatureConstraint>;
    /** tabular: one-hot groups, each a list of feature columns of which exactly one is 1. */
    categorical?: string[][];
  };
  labels?: string[];
  /** How the first output's values are read (default: from its final activation and the labels). */
  output?: HeadSettings;
  /** Per output head, by name or index: its kind and labels. */
  outputs?: Record<string, HeadSettings>;
  data?: {
    train?: string;
    test?: string;
    samples?: string[];
    /** TCAV: concept name → its examples (an image folder, CSV, JSONL or tensor JSON). */
    concepts?: Record<string, string>;
    /** TCAV: random counterparts, a folder of random sets or one pool of examples to draw them from. */
    random?: string;
    /** TracIn: checkpoints of the training run (paths relative to the sidecar), in training order. */
    checkpoints?: TrainingCheckpoint[];
  };
  description?: string;
}

export interface HeadSettings {
  kind?: OutputKindName;
  labels?: string[];
}

/** How a counterfactual may change one feature (sidecar input.constraints), in the CSV's raw units. */
export interface FeatureConstraint {
  /** The feature may not change. */
  immutable?: boolean;
  /** The counterfactual's value lies within [min, max]. */
  min?: number;
  max?: number;
  /** c_i in the cost Σ c_i |x′_i − x_i| (default 1 / MAD over the training set). */
  cost?: number;
  /** The value is a whole number. */
  integer?: boolean;
  /** The value may only go up (increase) or down (decrease). */
  monotone?: 'increase' | 'decrease';
}

export interface SidecarInfo {
  /** Absolute path of the sidecar that was read, or null when none exists. */
  path: string | null;
  sidecar: Sidecar;
  /** What could not be known without a sidecar, or what the sidecar left open. */
  missing: string[];
  /** Why the sidecar beside the model could not be used (invalid JSON, an unknown key…): requests that need it fail with this. */
  error?: string;
}

export interface ModelSummary {
  path: string;
  format: ModelFormat;
  inputs: TensorSpec[];
  /** Every output head, with its probed shape and kind. */
  outputs: OutputSpec[];
  layers: LayerSummary[];
  params: number;
  weightBytes: number;
  backend: BackendName;
  sidecar: SidecarInfo;
  warnings: string[];
}

export interface ClassScore {
  index: number;
  label: string;
  probability: number;
}

export interface Prediction {
  modelPath: string;
  input: {
    path: string;
    kind: 'image' | 'tabular' | 'tensor' | 'text';
    description: string;
    shape: number[];
    /** Images: what the model sees, as a PNG data: URI. */
    preview?: string;
  };
  /** The head predicted from. */
  output: HeadRef;
  /**
   * 'logits' when the outputs were not probabilities and softmax (or σ) was applied for display;
   * 'values' for a regression head, whose values are reported as they are.
   */
  outputKind: 'probabilities' | 'logits' | 'values';
  /**
   * One entry per input row: classes sorted by probability, highest first (at most `top`; a
   * sigmoid head's two classes p(1) = σ and p(0) = 1 − σ); a regression head's `values` instead.
   */
  rows: { top: ClassScore[]; values?: number[]; trueLabel?: string }[];
  /** The options it was computed with, after defaults (paths resolved). */
  options: RequestOptions<'predict'>;
  backend: BackendName;
  ms: number;
}
