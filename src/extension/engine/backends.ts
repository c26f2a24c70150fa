/**
 * Which backends the engine can start on. backendList() asks the engine (its `backends` request,
 * which loads what it tries) and, where the engine cannot answer (it is not running), checks in the
 * host, cheaply and without loading anything: native TensorFlow needs `@tensorflow/tfjs-node` (an
 * optional dependency) to resolve; wasm and cpu are bundled. availability() is that host check, for
 * where no engine runs yet (its start settings).
 */
import type { BackendAvailability } from '../../protocol/engine';
import { BACKEND_CHOICES, type BackendChoice, type BackendName } from '../../protocol/model';
import type { EngineClient } from './engineClient';

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

/** The engine's answer to `backends` where it has that request, else the host's check. */
export async function backendList(engine: EngineClient): Promise<BackendAvailability[]> {
  try {
    return (await engine.request('backends', {})).available;
  } catch {
    return availability(); // the engine is not running: the host's check
  }
}
