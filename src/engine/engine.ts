/**
 * The engine: owns the tfjs backend and the loaded checkpoints, and answers typed requests.
 * Runs in its own process under the extension host (main.ts) or in-process under the CLI.
 */
import type { BackendChoice, BackendName } from '../protocol/model';
import type { MethodName, Params, Result, RunContext } from '../protocol/engine';
import { backendAvailability, initBackend } from './backend/select';
import { CheckpointCache, type CheckpointLease } from './checkpoint/cache';
import type { Checkpoint } from './checkpoint/load';
import { summarize } from './checkpoint/summary';
import { LensError, toWireError } from './errors';
import { checkParams } from './params';
import { predict } from './predict';
import { explain } from './saliency/explain';
import { findInfluence } from './influence/find';
import { testConcepts } from './concepts/tcav';
import { probeLayers } from './concepts/probe';
import { ActivationCache } from './model/activationCache';
import { CavCache } from './concepts/cavCache';
import { compareIcl } from './lm/compare';
import { findCounterfactuals } from './counterfactuals/find';
import type { TrainingSet } from './data/trainingSet';
import { TrainingSetCache } from './data/trainingSetCache';
import { InputCache } from './data/inputCache';
import { GradientHelper, helperWanted } from './parallel/gradientHelper';
import type { HandlerContext, Logger } from './handler';

export type { HandlerContext, Logger } from './handler';

type Handler<M extends MethodName> = (engine: HandlerContext, params: Params<M>, run: RunContext) => Promise<Result<M>>;

const handlers: { [M in MethodName]: Handler<M> } = {
  info: async (engine, { modelPath }) => summarize(await engine.checkpoint(modelPath), engine.backend),
  predict: async (engine, { modelPath, inputPath, top, output }) => predict(await engine.checkpoint(modelPath), inputPath, engine.backend, engine.inputs, top!, output),
  saliency: async (engine, params, run) => explain(engine, params, run),
  influence: async (engine, params, run) => findInfluence(engine, params, run),
  tcav: async (engine, params, run) => testConcepts(engine, params, run),
  probe: async (engine, params, run) => probeLayers(engine, params, run),
  icl: async (engine, params, run) => compareIcl(engine, params, run),
  counterfactual: async (engine, params, run) => findCounterfactuals(engine, params, run),
  backend: async (engine, { choice }) => ({ backend: choice ? await engine.useBackend(choice) : engine.backend }),
  backends: async (engine) => ({ available: await backendAvailability(), active: engine.backend }),
};

export interface EngineOptions {
  /** `false` keeps every job on one core (by default a helper starts where helperWanted says). */
  helper?: boolean;
  /** Weight bytes of checkpoints kept loaded between requests (default 1 GiB). */
  checkpointBytes?: number;
}

export class Engine {
  private active: BackendName | null = null;
  /** Loaded models by path, reloaded when model.json changes on disk, bounded by weight bytes. */
  private readonly checkpoints: CheckpointCache;
  private readonly trainingSets = new TrainingSetCache();
  /** Concept, random, class-input and probe sets: a request reads several, one at a time. */
  private readonly exampleSets = new TrainingSetCache(4);
  private readonly activations = new ActivationCache();
  private readonly cavs = new CavCache();
  /** Inputs loaded for predict and saliency, with the model's output on them. */
  readonly inputs = new InputCache();
  /** The worker thread that shares long gradient jobs, on the active backend (none on one core). */
  helper: GradientHelper | undefined;

  constructor(
    private readonly log: Logger = () => {},
    private readonly options: EngineOptions = {},
  ) {
    this.checkpoints = new CheckpointCache({
      maxBytes: options.checkpointBytes,
      onLoad: (c) => this.log('info', `Loaded ${c.format} ${c.path}`),
    });
  }

  get backend(): BackendName {
    if (!this.active) throw new LensError('BACKEND_UNAVAILABLE', 'The engine has not started a backend yet.');
    return this.active;
  }

  /**
   * Switches to `choice`. A backend that cannot start leaves the engine on its current one and
   * throws BACKEND_UNAVAILABLE, saying why.
   */
  async useBackend(choice: BackendChoice): Promise<BackendName> {
    return (await this.switchBackend(choice)).backend;
  }

  /**
   * The backend at process start: `choice`, or, when it cannot start, `auto` with a warning
   * (an engine without a backend is of no use to anyone). Returns the warnings for `ready`.
   */
  async start(choice: BackendChoice): Promise<{ backend: BackendName; warnings: string[] }> {
    try {
      return await this.switchBackend(choice);
    } catch (err) {
      if (choice === 'auto') throw err;
      const status = await this.switchBackend('auto');
      return { backend: status.backend, warnings: [`${toWireError(err).message} Using ${status.backend} instead.`, ...status.warnings] };
    }
  }

  private async switchBackend(choice: BackendChoice): Promise<{ backend: BackendName; warnings: string[] }> {
    const status = await initBackend(choice);
    status.warnings.forEach((w) => this.log('info', w));
    if (this.active && this.active !== status.backend) this.forgetModels();
    if (this.helper?.backend !== status.backend) {
      this.helper?.dispose();
      const wanted = this.options.helper ?? helperWanted(status.backend);
      this.helper = wanted ? new GradientHelper(status.backend, this.log) : undefined;
    }
    this.active = status.backend;
    this.log('info', `Backend: ${status.backend}`);
    return status;
  }

  async run<M extends MethodName>(method: M, params: unknown, run: RunContext): Promise<Result<M>> {
    // Only the table's own keys: 'constructor' or 'toString' must not reach Object.prototype.
    if (typeof method !== 'string' || !Object.hasOwn(handlers, method)) {
      throw new LensError('BAD_REQUEST', `Unknown engine method '${String(method)}'.`);
    }
    const handler = handlers[method] as Handler<M>;
    const checked = checkParams(method, params);
    const lease = this.checkpoints.lease();
    try {
      return await handler(this.context(lease), checked, run);
    } finally {
      lease.release();
    }
  }

  /** The checkpoint at `modelPath`, loaded or from the cache (not leased: for callers outside a request). */
  checkpoint(modelPath: string): Promise<Checkpoint> {
    return this.checkpoints.get(modelPath);
  }

  /** The training set at `source` for the checkpoint's input, kept loaded between requests. */
  trainingSet(source: string, checkpoint: Checkpoint, run: RunContext): Promise<TrainingSet> {
    return this.trainingSets.get(source, checkpoint, run);
  }

  private context(lease: CheckpointLease): HandlerContext {
    return {
      backend: this.backend,
      checkpoint: (modelPath) => lease.get(modelPath),
      inputs: this.inputs,
      trainingSet: (source, checkpoint, run) => this.trainingSets.get(source, checkpoint, run),
      exampleSet: (source, checkpoint, run, how) => this.exampleSets.get(source, checkpoint, run, how),
      activations: this.activations,
      cavs: this.cavs,
      helper: this.helper,
      log: this.log,
      useBackend: (choice) => this.useBackend(choice),
    };
  }

  private forgetModels(): void {
    this.trainingSets.clear();
    this.exampleSets.clear();
    this.activations.clear();
    this.cavs.clear();
    this.inputs.clear();
    this.checkpoints.clear();
  }

  dispose(): void {
    this.helper?.dispose();
    this.forgetModels();
  }
}
