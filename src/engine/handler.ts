/**
 * What every request handler gets from the engine (engine.ts): its state for one request, in one
 * object. Types only, so that the method families can name it without importing the engine.
 */
import type { RunContext } from '../protocol/engine';
import type { BackendChoice, BackendName } from '../protocol/model';
import type { Checkpoint } from './checkpoint/load';
import type { InputCache } from './data/inputCache';
import type { ReadOptions, TrainingSet } from './data/trainingSet';
import type { ActivationCache } from './model/activationCache';
import type { CavCache } from './concepts/cavCache';
import type { GradientHelper } from './parallel/gradientHelper';

export type Logger = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface HandlerContext {
  backend: BackendName;
  /** The checkpoint at `modelPath`, kept loaded (and not disposed) until the request ends. */
  checkpoint(modelPath: string): Promise<Checkpoint>;
  /** Inputs loaded for predict and saliency, with the model's output on them (owned by the engine). */
  inputs: InputCache;
  /** The training set at `source` for the checkpoint's input, kept loaded between requests (owned by the engine). */
  trainingSet(source: string, checkpoint: Checkpoint, run: RunContext): Promise<TrainingSet>;
  /** Example sets (concept, random, class and probe sets) read as `how` says, the recently used kept loaded (owned by the engine). */
  exampleSet(source: string, checkpoint: Checkpoint, run: RunContext, how: ReadOptions): Promise<TrainingSet>;
  /** Activations and gradients of example sets at a model's sites, kept between requests (owned by the engine). */
  activations: ActivationCache;
  /** Trained CAVs, kept between requests (owned by the engine). */
  cavs: CavCache;
  /** The gradient helper thread, where one runs. */
  helper?: GradientHelper;
  log: Logger;
  /** Switches the backend (the `backend` request). */
  useBackend(choice: BackendChoice): Promise<BackendName>;
}
