/**
 * Counterfactual requests and results, shared by engine, CLI, extension and webview. A result holds
 * everything a diff view shows: the original and each counterfactual side by side (values, the
 * predicted class and its probability), what changed (from → to), the constraint each feature is
 * under, images (original, counterfactual, the swapped cells on both images) and text edits.
 */
import type { BackendName } from './model';
import type { RequestOptions } from './options';
import type { CounterfactualMethod } from './options/counterfactual';

export {
  AUTO_METHOD,
  COUNTERFACTUAL_METHOD_CHOICES,
  COUNTERFACTUAL_METHODS,
  type CounterfactualMethod,
  type CounterfactualMethodChoice,
} from './options/counterfactual';

/** A counterfactual request's options besides the model's path (defined once, in options/counterfactual.ts). */
export type CounterfactualOptions = Omit<RequestOptions<'counterfactual'>, 'modelPath'>;

/** Where a feature's cost weight came from. */
export type CostSource =
  /** the sidecar's input.constraints[f].cost */
  | 'sidecar'
  /** --cost (the request's cost option) */
  | 'request'
  /** 1 / the median absolute deviation over the training set */
  | 'mad'
  /** 1 / the training set's standard deviation (the feature's MAD is 0) */
  | 'std'
  /** 1 / the sidecar's input.std (no training set) */
  | 'sidecar-std'
  /** 1: nothing to scale by (a warning says so) */
  | 'unit';

/** The constraint one tabular feature was under in this run: the sidecar's, with the request's overrides. */
export interface FeatureConstraintInfo {
  feature: string;
  immutable: boolean;
  /** The range the counterfactual's value must lie in (raw units); null: open. */
  min: number | null;
  max: number | null;
  /** c_i of the cost Σ c_i |x′_i − x_i|, raw units. */
  cost: number;
  costSource: CostSource;
  integer: boolean;
  monotone: 'increase' | 'decrease' | null;
  /** Index into `categorical` for members of a one-hot group, else null. */
  group: number | null;
}

export type CounterfactualConstraints =
  | { kind: 'tabular'; features: FeatureConstraintInfo[]; categorical: string[][] }
  | {
      kind: 'image';
      /** Raw pixel values stay within this range (0–255). */
      pixelRange: [number, number];
      /** perturbation: the cost is Σ|Δp| + tvWeight · TV(Δp), p the pixel value / 255. */
      tvWeight?: number;
      /** region-swap: the layer split at, its grid of cells [rows, cols], and the most cells swapped. */
      layer?: string;
      grid?: [number, number];
      maxEdits?: number;
    }
  | { kind: 'text'; maxEdits: number; vocabulary: number };

export interface FeatureChange {
  feature: string;
  from: number;
  to: number;
}

/** A cell of a spatial feature layer's grid, and the pixels of the model's input it stands for. */
export interface CellBox {
  row: number;
  col: number;
  /** Pixel box at model resolution: [x, x + width) × [y, y + height). */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One region swap: the query's cell took the distractor's cell's features. */
export interface SwappedCell {
  query: CellBox;
  distractor: CellBox;
}

/** A replaced token: `position` in the model's token sequence. */
export interface TokenEdit {
  position: number;
  from: string;
  to: string;
}

/** The image whose cells a region swap copied: a training example of the target class. */
export interface Distractor {
  /** The training example's id (its path in the image folder). */
  id: string;
  path: string;
  label: number;
  /** PNG at model resolution: a data: URI from the engine; in the CLI's JSON a file under --out. */
  image: string;
}

/** What the model says about an input. */
export interface CounterfactualPrediction {
  /** The predicted class (argmax), its name and probability. */
  prediction: number;
  label: string;
  probability: number;
  /** The target class's probability. */
  targetProbability: number;
}

export interface Counterfactual extends CounterfactualPrediction {
  /** Tabular: every feature's value, raw units. */
  values?: Record<string, number>;
  /** Tabular: the features that changed, in feature order. */
  changes: FeatureChange[];
  /** The real model (float32) predicts the target: always true for a returned counterfactual. */
  validity: boolean;
  /** The cost of the change: Σ c_i |x′_i − x_i| (tabular); Σ|Δp| + tvWeight·TV(Δp) (perturbation); cells swapped (region-swap); tokens replaced (token-flip). */
  proximity: number;
  /** Features, pixels, cells or tokens changed. */
  sparsity: number;
  /** The same cost from the counterfactual to the nearest training example of the target class; null without a training set (and for region swaps). */
  plausibility: number | null;
  /** Images: the counterfactual at model resolution (region-swap: the query with the distractor's cells pasted in), as PNG: a data: URI from the engine; in the CLI's JSON a file under --out. */
  image?: string;
  /** region-swap: the swapped cells on both images, in swap order, and the image they came from. */
  cells?: SwappedCell[];
  distractor?: Distractor;
  /** Text: the counterfactual's tokens (without padding), and what was replaced. */
  text?: string;
  edits?: TokenEdit[];
}

export interface CounterfactualResult {
  /** The method that ran (auto resolved). */
  method: CounterfactualMethod;
  target: number;
  targetLabel: string;
  original: CounterfactualPrediction & {
    /** Tabular: the row's values (raw units) and its 1-based data row in the CSV. */
    values?: Record<string, number>;
    row?: number;
    /** Images: PNG at model resolution (data: URI; the CLI's JSON: a file under --out). */
    image?: string;
    /** Text: the tokens without padding. */
    text?: string;
  };
  /** Valid and feasible counterfactuals only, cheapest first; empty when none was found (see reason). */
  counterfactuals: Counterfactual[];
  /** Mean pairwise cost distance of two or more counterfactuals; null otherwise. */
  diversity: number | null;
  /** Why there is no counterfactual, naming the binding constraints; null when there is one. */
  reason: string | null;
  constraints: CounterfactualConstraints;
  /** How the method ran: the solver and its status, steps used, the layer, the margin used. */
  details: string;
  warnings: string[];
  /** The options it was computed with, after defaults: method and target resolved, paths resolved. */
  options: RequestOptions<'counterfactual'>;
  backend: BackendName;
  ms: number;
}
