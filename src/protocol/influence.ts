/** Training-data influence requests and results, shared by engine, CLI, extension and webview. */
import type { BackendName, ClassScore } from './model';
import { defaultOf, type RequestOptions } from './options';
import type { InfluenceMethod, InfluenceSolver, TrainingCheckpoint } from './options/influence';

export {
  EXACT_DEFAULT_MAX_PARAMS,
  INFLUENCE_METHODS,
  INFLUENCE_SOLVERS,
  type InfluenceMethod,
  type InfluenceSolver,
  type TrainingCheckpoint,
} from './options/influence';

/** An influence request's options besides the model's path (defined once, in options/influence.ts). */
export type InfluenceOptions = Omit<RequestOptions<'influence'>, 'modelPath'>;

/** λ when the caller gives none (raised automatically where the Hessian is indefinite). */
export const DEFAULT_DAMPING = defaultOf('influence', 'damping');

/** Where a training example lives, so the editor can open it. */
export interface ExampleLocation {
  /** Absolute path of the file (the image, or the CSV / JSONL / tensor JSON that holds the row). */
  path: string;
  /** 1-based line in that file for rows; absent for image files. */
  line?: number;
}

/** What a gallery shows for a training example. */
export type ExamplePreview =
  /** A PNG data: URI of the image at model resolution. */
  | { kind: 'image'; png: string }
  | { kind: 'row'; cells: Record<string, string> }
  | { kind: 'text'; text: string }
  | { kind: 'tensor'; summary: string };

export interface InfluenceScore {
  /** Position in the training set as loaded (skipped rows excluded). */
  index: number;
  /** File path relative to the training set (image folders), or `<file>:<line>` for rows. */
  id: string;
  /** The example's class index and name. */
  label: number;
  labelName: string;
  /**
   * Positive: a proponent (removing it would raise the test loss; for influence functions this is
   * −I_up,loss(z, z_test), and removing z changes the test loss by ≈ score / n). Negative: an
   * opponent. tracin: Σ_k η_k ∇L(z_test; θ_k) · ∇L(z; θ_k) over the run's checkpoints.
   * self: ∇L(z)ᵀ (H + λI)⁻¹ ∇L(z) at this checkpoint (the damped Hessian of the training loss),
   * high = suspicious.
   */
  score: number;
  location: ExampleLocation;
  preview: ExamplePreview;
}

export interface InfluenceResult {
  method: InfluenceMethod;
  /** influence/self: the IHVP solver used; null for tracin. */
  solver: InfluenceSolver | null;
  paramScope: {
    layers: string[];
    params: number;
    /** Why this scope (e.g. "the last 2 dense layers (default: it has 14410 trainable parameters, over 5000; …)"). */
    reason: string;
  };
  /** The λ used (null for TracIn); more than asked when the default had to be raised (see warnings). */
  damping: number | null;
  /** The test point (absent for self). */
  test?: {
    inputPath: string;
    label: number;
    labelName: string;
    /** Whether label came from the model's prediction rather than the caller. */
    labelFromPrediction: boolean;
    prediction: ClassScore[];
    loss: number;
  };
  /**
   * Sorted by score, highest first: the `top` strongest proponents then the `top` strongest
   * opponents (self: the `top` most self-influential examples).
   */
  scores: InfluenceScore[];
  /** Size of the training set used, and the rows that could not be read (with where and why). */
  trainSize: number;
  trainPath: string;
  skipped: { id: string; reason: string }[];
  /** tracin: the checkpoints used. */
  checkpoints?: TrainingCheckpoint[];
  /** Whether cached training gradients were used (no training example's gradient was recomputed). */
  cached: boolean;
  /** What the user should know about these numbers (e.g. damping raised, a solve that did not converge). */
  warnings: string[];
  /**
   * influence/self: what the solve was expected to cost, said before it started: one measured
   * Hessian-vector product's time and how many the solver needs (the exact solver one per
   * parameter; CG at most one per parameter, 500 at most). The default solver is exact only where
   * that is cheap.
   */
  estimate?: { hvpMs: number; hvps: number; seconds: number };
  /** Iterative solvers' diagnostics (cg, lissa): iterations and final relative residual; null otherwise. */
  solverInfo: { iterations: number; residual: number } | null;
  /**
   * The options it was computed with, after defaults: paths resolved, and the values chosen at run
   * time (label, train, layers, solver, TracIn's checkpoints) as resolved; `damping` above is the λ used.
   */
  options: RequestOptions<'influence'>;
  backend: BackendName;
  ms: number;
}
