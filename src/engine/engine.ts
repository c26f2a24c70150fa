/**
 * The engine: owns the tfjs backend and the loaded checkpoints, and answers typed requests.
 * Runs in its own process under the extension host (main.ts) or in-process under the CLI.
 */
import type { BackendChoice, BackendName } from '../protocol/model';
import type { MethodName, Params, Result, RunContext } from '../protocol/engine';
import { initBackend } from './backend/select';
import { disposeCheckpoint, loadCheckpoint, type Checkpoint } from './checkpoint/load';
import { summarize } from './checkpoint/summary';
import { LensError } from './errors';
import { checkParams } from './params';
import { predict } from './predict';
import { explain } from './saliency/explain';
import { findInfluence } from './influence/find';
import type { TrainingSet } from './data/trainingSet';
import { TrainingSetCache } from './data/trainingSetCache';
import { InputCache } from './data/inputCache';
import { GradientHelper, helperWanted } from './parallel/gradientHelper';

export type Logger = (level: 'info' | 'warn' | 'error', message: string) => void;

type Handler<M extends MethodName> = (engine: Engine, params: Params<M>, ctx: RunContext) => Promise<Result<M>>;

const handlers: { [M in MethodName]: Handler<M> } = {
  info: async (engine, { modelPath }) => summarize(await engine.checkpoint(modelPath), engine.backend),
  predict: async (engine, { modelPath, inputPath, top }) => predict(await engine.checkpoint(modelPath), inputPath, engine.backend, engine.inputs, top),
  saliency: async (engine, params, ctx) => explain(await engine.checkpoint(params.modelPath), params, engine.backend, ctx, { inputs: engine.inputs, helper: engine.helper }),
  influence: async (engine, params, ctx) => findInfluence(await engine.checkpoint(params.modelPath), params, engine.backend, ctx, engine),
  backend: async (engine, { choice }) => ({ backend: choice ? await engine.useBackend(choice) : engine.backend }),
};

export class Engine {
  private active: BackendName | null = null;
  /** One loaded model per path, reloaded when its model.json changes on disk. */
  private readonly checkpoints = new Map<string, Promise<Checkpoint>>();
  private readonly trainingSets = new TrainingSetCache();
  /** Inputs loaded for predict and saliency, with the model's output on them. */
  readonly inputs = new InputCache();
  /** The second process that shares long gradient jobs, on the active backend (none on one core). */
  helper: GradientHelper | undefined;

  /** `helper: false` keeps every job on one core (by default a helper starts where helperWanted says). */
  constructor(
    private readonly log: Logger = () => {},
    private readonly options: { helper?: boolean } = {},
  ) {}

  get backend(): BackendName {
    if (!this.active) throw new LensError('BACKEND_UNAVAILABLE', 'The engine has not started a backend yet.');
    return this.active;
  }

  async useBackend(choice: BackendChoice): Promise<BackendName> {
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
    return status.backend;
  }

  async run<M extends MethodName>(method: M, params: unknown, ctx: RunContext): Promise<Result<M>> {
    const handler = handlers[method] as Handler<M> | undefined;
    if (!handler) throw new LensError('BAD_REQUEST', `Unknown engine method '${String(method)}'.`);
    return handler(this, checkParams(method, params), ctx);
  }

  async checkpoint(modelPath: string): Promise<Checkpoint> {
    const cached = this.checkpoints.get(modelPath);
    if (cached) {
      const checkpoint = await cached.catch(() => null);
      if (checkpoint && (await isCurrent(checkpoint))) return checkpoint;
      if (checkpoint) disposeCheckpoint(checkpoint);
    }
    const loading = loadCheckpoint(modelPath);
    this.checkpoints.set(modelPath, loading);
    loading.then(
      (c) => this.log('info', `Loaded ${c.format} ${modelPath}`),
      () => this.checkpoints.delete(modelPath),
    );
    return loading;
  }

  /** The training set at `source` for the checkpoint's input, kept loaded between requests. */
  trainingSet(source: string, checkpoint: Checkpoint, ctx: RunContext): Promise<TrainingSet> {
    return this.trainingSets.get(source, checkpoint, ctx);
  }

  private forgetModels(): void {
    this.trainingSets.clear();
    this.inputs.clear();
    for (const loading of this.checkpoints.values()) loading.then(disposeCheckpoint, () => {});
    this.checkpoints.clear();
  }

  dispose(): void {
    this.helper?.dispose();
    this.forgetModels();
  }
}

async function isCurrent(checkpoint: Checkpoint): Promise<boolean> {
  const { statSync } = await import('fs');
  try {
    const stat = statSync(checkpoint.path);
    return `${stat.size}:${stat.mtimeMs}` === checkpoint.stamp;
  } catch {
    return false;
  }
}
