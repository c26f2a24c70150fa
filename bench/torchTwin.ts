/**
 * The PyTorch twin of a bench model (bench/paired.py), timed one run at a time on request so that
 * bench/paired.ts can put each of our timings right beside PyTorch's. Two python processes serve:
 * one with OpenMP's default (spinning) wait policy and one with OMP_WAIT_POLICY=PASSIVE. On a loaded
 * machine, two spinning threads can take 10× longer than one (another tenant holds the second core);
 * on a quiet one, spinning wins. A two-thread request is timed on both once, and then on the faster.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';
import type { BenchModel } from './models';

/** A run's wall time, and the CPU time its process spent (all its threads), in ms. */
export interface Timing {
  wall: number;
  cpu: number;
}

export interface TorchRequest {
  model: BenchModel;
  method: string;
  threads: number;
  /** Occlusion's window. */
  window?: number;
  /** Points, samples or windows per batch (Captum's internal_batch_size and its like). */
  batch?: number;
}

class Server {
  private readonly lines: AsyncIterator<string>;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`paired.py: ${chunk.toString()}`));
  }

  async ask<T>(request: object): Promise<T> {
    this.child.stdin.write(JSON.stringify(request) + '\n');
    const next = await this.lines.next();
    if (next.done) throw new Error(`bench/paired.py exited (code ${this.child.exitCode})`);
    return JSON.parse(next.value) as T;
  }

  close(): void {
    this.child.stdin.end();
  }
}

export class TorchTwin {
  /** The faster wait policy per two-thread request, decided on its first timing. */
  private readonly policy = new Map<string, 'spinning' | 'passive'>();

  private constructor(private readonly spinning: Server, private readonly passive: Server) {}

  /** The twin, or why there is none here (no python3 that imports torch). */
  static start(): TorchTwin | string {
    const env = { ...process.env };
    // Debian's OpenBLAS settings for other tenants slow torch's own kernels down.
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const python = ['python3', '/usr/bin/python3'].find((exe) => spawnSync(exe, ['-c', 'import torch, torchvision'], { env, stdio: 'ignore' }).status === 0);
    if (!python) return 'no python3 here imports torch and torchvision: install python3-torch and python3-torchvision (Debian) to compare';
    const script = path.join(__dirname, '../../bench/paired.py');
    const server = (extra: NodeJS.ProcessEnv) => new Server(spawn(python, [script], { env: { ...env, ...extra } }));
    return new TorchTwin(server({}), server({ OMP_WAIT_POLICY: 'PASSIVE' }));
  }

  info(): Promise<{ torch: string; defaultThreads: number }> {
    return this.spinning.ask({ info: true });
  }

  /** One timed run of the request, after an untimed warm-up the first time; with 2+ threads, on the faster wait policy. */
  async time(request: TorchRequest): Promise<Timing> {
    const ask = async (server: Server) => {
      const { ms, cpuMs } = await server.ask<{ ms: number; cpuMs: number }>(request);
      return { wall: ms, cpu: cpuMs };
    };
    if (request.threads === 1) return ask(this.spinning);
    const key = JSON.stringify(request);
    const chosen = this.policy.get(key);
    if (chosen) return ask(chosen === 'spinning' ? this.spinning : this.passive);
    const [spinning, passive] = [await ask(this.spinning), await ask(this.passive)];
    this.policy.set(key, spinning.wall <= passive.wall ? 'spinning' : 'passive');
    return spinning.wall <= passive.wall ? spinning : passive;
  }

  /** The wait policies chosen for two-thread requests, by method. */
  policies(): Record<string, string> {
    return Object.fromEntries([...this.policy].map(([key, p]) => [(JSON.parse(key) as TorchRequest).method, p]));
  }

  close(): void {
    this.spinning.close();
    this.passive.close();
  }
}
