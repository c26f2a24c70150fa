/**
 * Requests between the extension host (or CLI) and the engine process.
 * Each capability adds one entry to EngineMethods; everything else is generic.
 */
import type { BackendChoice, BackendName, ModelSummary, Prediction } from './model';
import type { CounterfactualOptions, CounterfactualResult } from './counterfactual';
import type { ErrorCode } from './errors';
import type { IclOptions, IclResult } from './icl';
import type { InfluenceOptions, InfluenceResult } from './influence';
import type { ProbeOptions, ProbeResult, TcavOptions, TcavResult } from './concepts';
import type { SaliencyOptions, SaliencyResult } from './saliency';

export interface EngineMethods {
  /** Load a checkpoint with its weights and summarise it. */
  info: { params: { modelPath: string }; result: ModelSummary };
  /** Run one input file (image, CSV rows or tensor JSON) through the model. */
  predict: { params: { modelPath: string; inputPath: string; output?: string; top?: number }; result: Prediction };
  /** Attribute the model's output for one input to the input's features. */
  saliency: { params: { modelPath: string; inputPath: string } & SaliencyOptions; result: SaliencyResult };
  /** Rank training examples by their influence on one prediction (or by self-influence). */
  influence: { params: { modelPath: string } & InfluenceOptions; result: InfluenceResult };
  /** TCAV: how sensitive a class's logit is to concepts at layers, tested against random concepts. */
  tcav: { params: { modelPath: string } & TcavOptions; result: TcavResult };
  /** Linear probes: what each layer encodes about a labelled dataset, against a permuted-label control. */
  probe: { params: { modelPath: string } & ProbeOptions; result: ProbeResult };
  /**
   * Compare a language model's predictions and token saliency on an ICL prompt spec under
   * original, flipped, neutral and explained demonstrations. `apiKey` (an endpoint's, from the
   * environment or SecretStorage) goes to the server only: it is no option and in no result.
   */
  icl: { params: IclOptions & { apiKey?: string }; result: IclResult };
  /** The least-cost feasible changes to one input that make the model predict a target class. */
  counterfactual: { params: { modelPath: string } & CounterfactualOptions; result: CounterfactualResult };
  /** Which backend is active; switching re-initialises tfjs. */
  backend: { params: { choice?: BackendChoice }; result: { backend: BackendName } };
  /** Which backends can start here (and why not), and the active one; switches nothing. */
  backends: { params: Record<string, never>; result: BackendsResult };
}

/** Whether one backend can start on this machine; `reason` says why not. */
export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  reason?: string;
}

export interface BackendsResult {
  /** Every backend, in the order `auto` tries them. */
  available: BackendAvailability[];
  active: BackendName;
}

export type MethodName = keyof EngineMethods;
export type Params<M extends MethodName> = EngineMethods[M]['params'];
export type Result<M extends MethodName> = EngineMethods[M]['result'];

/** Host → engine. */
export type ToEngine =
  | { type: 'request'; id: number; method: MethodName; params: unknown }
  | { type: 'cancel'; id: number };

/** Engine → host. */
export type FromEngine =
  | { type: 'ready'; backend: BackendName; warnings: string[] }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; code: ErrorCode; message: string }
  | { type: 'progress'; id: number; done: number; total: number; message?: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** Progress and cancellation for one request, the same shape in-process (CLI) and out of process. */
export interface RunContext {
  signal: AbortSignal;
  onProgress(done: number, total: number, message?: string): void;
}
