import type { RunContext } from '../../protocol/engine';

/** A RunContext for callers that need neither progress nor cancellation (tests, nested steps). */
export function quietContext(signal: AbortSignal = new AbortController().signal): RunContext {
  return { signal, onProgress: () => {} };
}

/** The caller's context with every progress report labelled `message` (as the editor's notification shows it). */
export function progressAs(ctx: RunContext, message: string): RunContext {
  return { signal: ctx.signal, onProgress: (done, total) => ctx.onProgress(done, total, message) };
}
