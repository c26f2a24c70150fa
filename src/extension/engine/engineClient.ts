/**
 * The extension host's side of the engine process: forks dist/engine.js, sends typed requests,
 * maps VS Code cancellation to engine cancellation and restarts the engine after a crash.
 */
import { fork, type ChildProcess } from 'child_process';
import * as vscode from 'vscode';
import type { BackendChoice, BackendName } from '../../protocol/model';
import type { FromEngine, MethodName, Params, Result, ToEngine } from '../../protocol/engine';
import type { ErrorCode } from '../../protocol/errors';

export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(err: EngineError): void;
  onProgress?: (done: number, total: number, message?: string) => void;
}

interface Running {
  child: ChildProcess;
  ready: Promise<BackendName>;
}

/** The settings the engine process starts with (changing one restarts it). */
export interface EngineSettings {
  backend: BackendChoice;
  /** Whether long Integrated Gradients and SmoothGrad runs may use a second thread (the engine's gradient helper). */
  useBothCores: boolean;
}

export class EngineClient implements vscode.Disposable {
  private running: Running | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly backendEmitter = new vscode.EventEmitter<BackendName | Error>();
  /** Fires with the backend once the engine is ready, or with the error that stopped it. */
  readonly onDidChangeBackend = this.backendEmitter.event;

  constructor(
    private readonly enginePath: string,
    private readonly output: vscode.LogOutputChannel,
    private readonly settings: () => EngineSettings,
  ) {}

  /** The active backend, starting the engine if needed. */
  backend(): Promise<BackendName> {
    return this.start().ready;
  }

  async request<M extends MethodName>(
    method: M,
    params: Params<M>,
    token?: vscode.CancellationToken,
    onProgress?: Pending['onProgress'],
  ): Promise<Result<M>> {
    const { child, ready } = this.start();
    await ready;
    const id = this.nextId++;
    const cancel = token?.onCancellationRequested(() => this.post(child, { type: 'cancel', id }));
    try {
      return await new Promise<Result<M>>((resolve, reject) => {
        this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, onProgress });
        this.post(child, { type: 'request', id, method, params });
      });
    } finally {
      cancel?.dispose();
    }
  }

  /** Stops the engine; the next request starts a fresh one (e.g. with another backend). */
  restart(): void {
    this.stop(new EngineError('CANCELLED', 'The engine was restarted.'));
    void this.backend().catch(() => {});
  }

  private start(): Running {
    if (this.running) return this.running;
    const { backend: choice, useBothCores } = this.settings();
    this.output.info(`Starting engine (backend: ${choice})`);
    const child = fork(this.enginePath, [], {
      // The extension host may be Electron: run the engine as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', MODEL_LENS_BACKEND: choice, ...(useBothCores ? {} : { MODEL_LENS_HELPER: '0' }) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout?.on('data', (d: Buffer) => this.output.info(d.toString().trimEnd()));
    child.stderr?.on('data', (d: Buffer) => this.output.warn(d.toString().trimEnd()));
    const ready = new Promise<BackendName>((resolve, reject) => {
      child.on('message', (message: FromEngine) => {
        if (message.type === 'ready') resolve(message.backend);
        this.receive(message);
      });
      child.on('exit', (code, signal) => {
        const err = new EngineError('ENGINE_CRASHED', `The Model Lens engine stopped (${signal ?? `exit code ${code}`}); see the Model Lens log.`);
        reject(err);
        if (this.running?.child !== child) return;
        this.output.error(err.message);
        this.stop(err);
        this.backendEmitter.fire(err);
      });
    });
    ready.then((backend) => this.backendEmitter.fire(backend), () => {});
    this.running = { child, ready };
    return this.running;
  }

  private receive(message: FromEngine): void {
    switch (message.type) {
      case 'ready':
        return;
      case 'log':
        this.output[message.level](message.message);
        return;
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.done, message.total, message.message);
        return;
      case 'result':
        this.pending.get(message.id)?.resolve(message.result);
        this.pending.delete(message.id);
        return;
      case 'error':
        this.pending.get(message.id)?.reject(new EngineError(message.code, message.message));
        this.pending.delete(message.id);
        return;
      default: {
        const unexpected: never = message;
        this.output.warn(`Ignored an unknown engine message: ${JSON.stringify(unexpected)}`);
      }
    }
  }

  private post(child: ChildProcess, message: ToEngine): void {
    if (child.connected) child.send(message);
  }

  private stop(reason: EngineError): void {
    const running = this.running;
    this.running = null;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    if (running && running.child.exitCode === null) running.child.kill();
  }

  dispose(): void {
    this.stop(new EngineError('CANCELLED', 'Model Lens was deactivated.'));
    this.backendEmitter.dispose();
  }
}
