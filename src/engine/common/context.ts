import type { RunContext } from '../../protocol/engine';

/** A RunContext for callers that need neither progress nor cancellation (tests, nested steps). */
export function quietContext(signal: AbortSignal = new AbortController().signal): RunContext {
  return { signal, onProgress: () => {} };
}
