/**
 * Which backends the engine can start on. The host checks cheaply, without loading anything:
 * native TensorFlow needs `@tensorflow/tfjs-node` (an optional dependency) to resolve; wasm and cpu
 * are bundled. Everything asks availability() only, so the check can become the engine's own
 * `backends` request without touching the callers.
 */
import { BACKEND_CHOICES, type BackendChoice, type BackendName } from '../../protocol/model';

export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  /** Why not, when not available. */
  reason?: string;
}

type Resolve = (id: string) => string;

export function availability(resolve: Resolve = require.resolve): BackendAvailability[] {
  return BACKEND_CHOICES.filter((c): c is BackendName => c !== 'auto').map((name) => {
    if (name !== 'tensorflow') return { name, available: true };
    try {
      resolve('@tensorflow/tfjs-node');
      return { name, available: true };
    } catch {
      return { name, available: false, reason: '@tensorflow/tfjs-node is not installed' };
    }
  });
}

/** Why the engine cannot start on `choice`, or undefined when it can ('auto' always can). */
export function unavailableReason(choice: BackendChoice, list: BackendAvailability[] = availability()): string | undefined {
  const entry = list.find((b) => b.name === choice);
  return entry && !entry.available ? (entry.reason ?? 'not available') : undefined;
}
