/**
 * The engine's gradient helper: a worker thread, started on first use, with its own tfjs and wasm
 * heap, that evaluates batches of Integrated Gradients' path and SmoothGrad's samples (sharedSum.ts)
 * so one request uses both cores. A thread, not a process: a process's pipe passes a large message
 * only while the engine's own event loop runs, which it does not while it computes a batch; a
 * thread's messages queue without it. If the helper cannot start or dies, it says so once in the log and the engine goes on
 * with one core.
 */
import * as os from 'os';
import * as path from 'path';
import type { BackendName } from '../../protocol/model';
import type { FromHelper, HelperJob, ToHelper } from '../../protocol/helper';
import { Worker } from 'worker_threads';
import { isObject } from '../checkpoint/modelJson';

type Logger = (level: 'info' | 'warn' | 'error', message: string) => void;

interface Pending {
  resolve(sum: Float32Array): void;
  reject(err: Error): void;
}

/**
 * Whether a helper is worth starting on `backend`: more than one core, not switched off by
 * MODEL_LENS_HELPER=0, and not the native backend (tfjs-node runs its kernels on every core already).
 */
export function helperWanted(backend: BackendName): boolean {
  return backend !== 'tensorflow' && os.availableParallelism() > 1 && process.env.MODEL_LENS_HELPER !== '0';
}

export class GradientHelper {
  private worker: Worker | null = null;
  /** Why the helper is unavailable, once it is. */
  private down: string | null = null;
  private nextId = 1;
  /** Batches the helper has evaluated (the log and the tests read it). */
  jobsDone = 0;
  private readonly pending = new Map<number, Pending>();

  /** `script` is the helper's entry, bundled beside the engine (dist/helperMain.js). */
  constructor(
    readonly backend: BackendName,
    private readonly log: Logger,
    private readonly script = path.join(__dirname, 'helperMain.js'),
  ) {}

  /** The job's batch sum, computed in the helper thread. */
  run(job: HelperJob, signal: AbortSignal): Promise<Float32Array> {
    if (this.down) return Promise.reject(new Error(this.down));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      const cancel = () => this.send(worker, { type: 'cancel', id });
      signal.addEventListener('abort', cancel, { once: true });
      const settle = () => signal.removeEventListener('abort', cancel);
      this.pending.set(id, {
        resolve: (sum) => (settle(), resolve(sum)),
        reject: (err) => (settle(), reject(err)),
      });
      worker.ref(); // a job in flight keeps the process alive until its answer
      this.send(worker, { type: 'job', id, job });
    });
  }

  dispose(): void {
    this.down = 'the gradient helper was stopped';
    const worker = this.worker;
    this.worker = null;
    this.rejectAll(this.down);
    void worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // Its console writes to stderr (helperMain.ts): the CLI's stdout carries exactly one JSON object.
    const worker = new Worker(this.script, { env: { ...process.env, MODEL_LENS_BACKEND: this.backend } });
    worker.on('message', (message: unknown) => this.receive(message));
    worker.on('error', (err) => this.fail(`the gradient helper failed (${err.message})`));
    worker.on('exit', (code) => this.fail(`the gradient helper exited (code ${code})`));
    // Idle, it never keeps a CLI run alive (after the listeners: adding a 'message' listener refs it).
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private send(worker: Worker, message: ToHelper): void {
    worker.postMessage(message);
  }

  private receive(message: unknown): void {
    if (!isFromHelper(message)) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (message.type === 'result') {
      this.jobsDone++;
      pending.resolve(message.sum);
    }
    else pending.reject(new Error(message.message));
  }

  private fail(reason: string): void {
    if (this.down) return;
    this.down = reason;
    this.worker = null;
    this.log('warn', `${reason}: computing on one core from now on.`);
    this.rejectAll(reason);
  }

  private rejectAll(reason: string): void {
    for (const pending of this.pending.values()) pending.reject(new Error(reason));
    this.pending.clear();
  }
}

function isFromHelper(value: unknown): value is FromHelper {
  if (!isObject(value) || typeof value.id !== 'number') return false;
  return (value.type === 'result' && value.sum instanceof Float32Array) || (value.type === 'error' && typeof value.message === 'string');
}
