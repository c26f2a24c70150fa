/** Saliency (input attribution) requests and results, shared by engine, CLI, extension and webview. */
import type { BackendName, ClassScore, HeadRef } from './model';
import { defaultOf, type RequestOptions } from './options';
import type { SaliencyMethod } from './options/saliency';

export { SALIENCY_METHODS, type Baseline, type SaliencyMethod } from './options/saliency';

/** The memory a batch may hold while a gradient runs, by default (MiB). */
export const DEFAULT_MEMORY_BUDGET_MB = defaultOf('saliency', 'memoryBudgetMB');

/** A saliency request's options besides its paths (defined once, in options/saliency.ts). */
export type SaliencyOptions = Omit<RequestOptions<'saliency'>, 'modelPath' | 'inputPath'>;

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
  /** The head explained. */
  output: HeadRef;
  /** The class explained (a regression head: the output unit). */
  target: number;
  targetLabel: string;
  /** Top classes of the model's prediction on the input (none for a regression head). */
  prediction: ClassScore[];
  /** Probability of the target class; absent for a regression head. */
  targetProbability?: number;
  /** A regression head: the target unit's value. */
  targetValue?: number;
  /**
   * Same shape as the input without its batch dimension (Grad-CAM without upsampling: the layer's
   * [h, w]); text inputs: [L], one value per token position, reduced over the embedding.
   */
  attribution: WireTensor;
  /** Integrated Gradients: Σ attribution − (F(x) − F(baseline)). */
  completenessDelta?: number;
  /** What the result's reader should know (IG's completeness gap and the steps that would close it). */
  warnings?: string[];
  /** Grad-CAM: the layer used. */
  layer?: string;
  metrics?: FaithfulnessMetrics;
  /** One line about where the attribution mass lies, e.g. "62% of |IG| in the upper-left quadrant". */
  summary: string;
  /**
   * The options it was computed with, after defaults: paths resolved, and the values chosen at run
   * time (target, Grad-CAM's layer, occlusion's window and stride) as resolved.
   */
  options: RequestOptions<'saliency'>;
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
