/**
 * Picks the tfjs backend at engine start: native TensorFlow where `@tensorflow/tfjs-node`
 * installed, else wasm (SIMD) with our gradient kernels, else the pure-JS cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import type { BackendAvailability } from '../../protocol/engine';
import type { BackendChoice, BackendName } from '../../protocol/model';
import { LensError } from '../errors';
import { registerWasmKernels } from './wasmKernels/registerAll';

export interface BackendStatus {
  backend: BackendName;
  /** Why preferred backends were skipped, for the log. */
  warnings: string[];
}

const ORDER: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Quiet tfjs's console banner ("install our node backend"): we report the backend ourselves. */
tf.env().set('PROD', true);

export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendStatus> {
  const candidates = choice === 'auto' ? ORDER : [choice];
  const warnings: string[] = [];
  for (const name of candidates) {
    try {
      await activate(name);
      return { backend: name, warnings };
    } catch (err) {
      warnings.push(`${name} backend unavailable: ${firstLine(err)}`);
    }
  }
  throw new LensError('BACKEND_UNAVAILABLE', `Backend '${choice}' could not start: ${warnings.join('; ')}`);
}

/**
 * Which backends could start here, and why not, without switching: each is loaded (the native
 * addon required, the wasm module prepared) but not activated. A backend that failed to activate
 * before reports that failure.
 */
export async function backendAvailability(): Promise<BackendAvailability[]> {
  const out: BackendAvailability[] = [];
  for (const name of ORDER) {
    try {
      if (failures.has(name)) throw new Error(failures.get(name));
      if (tf.getBackend() !== name) await prepare(name);
      out.push({ name, available: true });
    } catch (err) {
      out.push({ name, available: false, reason: firstLine(err) });
    }
  }
  return out;
}

/** Why a backend's last activation failed, for backendAvailability. */
const failures = new Map<BackendName, string>();

async function prepare(name: BackendName): Promise<void> {
  if (name === 'tensorflow') loadNative();
  if (name === 'wasm') await loadWasm();
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
}

async function activate(name: BackendName): Promise<void> {
  try {
    await switchTo(name);
    failures.delete(name);
  } catch (err) {
    failures.set(name, firstLine(err));
    throw err;
  }
}

async function switchTo(name: BackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  await prepare(name);
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

function loadNative(): void {
  // Optional dependency: absent where its install script could not download libtensorflow.
  // Any failure (missing module, missing native addon, ABI mismatch) means "not available".
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional: loaded only when installed, and a failure must be caught
    require('@tensorflow/tfjs-node');
  } catch (err) {
    const absent = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes("'@tensorflow/tfjs-node'");
    throw absent ? new Error('@tensorflow/tfjs-node is not installed') : err;
  }
  if (!tf.findBackend('tensorflow')) throw new Error('@tensorflow/tfjs-node loaded but registered no backend');
}

let wasmPrepared = false;
async function loadWasm(): Promise<void> {
  if (wasmPrepared) return;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmDir() + path.sep);
  registerWasmKernels();
  wasmPrepared = true;
}

/** The folder holding tfjs-backend-wasm*.wasm, in the source tree and in the packaged extension. */
function wasmDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0];
}
