/** Saliency (input attribution) requests and results, shared by engine, CLI, extension and webview. */
import type { Objective } from './objective';
import type { BackendName, ClassScore } from './model';

export const SALIENCY_METHODS = [
  'gradient',
  'gradient-x-input',
  'integrated-gradients',
  'smoothgrad',
  'grad-cam',
  'occlusion',
] as const;
export type SaliencyMethod = (typeof SALIENCY_METHODS)[number];

/** What an attribution is compared against (IG's path start, occlusion's fill). */
export type Baseline =
  | { kind: 'zeros' }
  /** Gaussian blur of the input (images), sigma in pixels. */
  | { kind: 'blur'; sigma?: number }
  /** Uniform noise in the input's value range, seeded. */
  | { kind: 'uniform'; seed?: number }
  /** An input file, preprocessed like the input. */
  | { kind: 'file'; path: string };

/**
 * The memory a batch may hold while a gradient runs, by default (MiB): well inside the wasm heap's
 * ≈4 GB cap, with room for the model's weights and the engine's other tensors.
 */
export const DEFAULT_MEMORY_BUDGET_MB = 1500;

export interface SaliencyOptions {
  method: SaliencyMethod;
  /** Class index to explain; default: the predicted class. */
  target?: number;
  /**
   * What to explain instead of the target's output column (protocol/objective.ts): a class's
   * probability or logit, a margin between two classes, a continuation's log-probability.
   */
  objective?: Objective;
  /** Integrated Gradients: interpolation steps (default 64). */
  steps?: number;
  /** Integrated Gradients: quadrature rule (default gauss-legendre). */
  quadrature?: 'gauss-legendre' | 'riemann-trapezoid';
  baseline?: Baseline;
  /** SmoothGrad: noisy samples (default 25), noise std as a fraction of the input range (default 0.15). */
  samples?: number;
  noise?: number;
  smoothVariant?: 'smoothgrad' | 'smoothgrad-squared' | 'vargrad';
  /** Grad-CAM: layer name (default: the last 4-D spatial layer), ReLU (default true), upsample (default true). */
  layer?: string;
  relu?: boolean;
  upsample?: boolean;
  /** Occlusion: window and stride in input positions (default 4 / window), fill value (default 0). */
  window?: number;
  stride?: number;
  fill?: number;
  /** Interpolation points / samples / windows evaluated per batch (default: from the memory budget). */
  internalBatch?: number;
  /** MiB a batch's activations and gradient temporaries may hold; sets the batch size when internalBatch doesn't. */
  memoryBudgetMB?: number;
  /** Seed for sampling methods (SmoothGrad noise, uniform baselines, random orderings). */
  seed?: number;
  /** Compute faithfulness metrics too. */
  metrics?: boolean;
}

export interface WireTensor {
  shape: number[];
  /** Row-major values. */
  data: number[];
}

export interface FaithfulnessMetrics {
  /** Target probability as features are removed (deletion) or added (insertion) in attribution order. */
  deletionCurve: number[];
  insertionCurve: number[];
  /** Area under each curve, x in [0, 1]: lower deletion and higher insertion mean a more faithful map. */
  deletionAuc: number;
  insertionAuc: number;
  /** The same areas for a random ordering, for scale. */
  randomDeletionAuc: number;
  randomInsertionAuc: number;
  /** Max relative change of the attribution under small input perturbations (lower is steadier). */
  maxSensitivity?: number;
}

export interface SaliencyResult {
  method: SaliencyMethod;
  target: number;
  targetLabel: string;
  /** Top classes of the model's prediction on the input. */
  prediction: ClassScore[];
  /** Probability of the target class. */
  targetProbability: number;
  /**
   * Same shape as the input without its batch dimension (Grad-CAM without upsampling: the layer's
   * [h, w]); text inputs: [L], one value per token position, reduced over the embedding.
   */
  attribution: WireTensor;
  /** Integrated Gradients: Σ attribution − (F(x) − F(baseline)). */
  completenessDelta?: number;
  /** Grad-CAM: the layer used. */
  layer?: string;
  metrics?: FaithfulnessMetrics;
  /** One line about where the attribution mass lies, e.g. "62% of |IG| in the upper-left quadrant". */
  summary: string;
  input: {
    path: string;
    kind: 'image' | 'tabular' | 'tensor' | 'text';
    description: string;
    preview?: string;
    /** Text inputs: the token at each position the model sees (padding included), aligned with attribution. */
    tokens?: string[];
  };
  backend: BackendName;
  /** Compute time, input loading and model loading excluded (the median with `--repeat`). */
  ms: number;
  /** `--repeat N`: each timed run's ms. */
  runsMs?: number[];
}
