import type { ErrorCode, WireError } from '../protocol/errors';

/** An expected failure with a code and a one-line message that tells the user what to do. */
export class LensError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LensError';
  }
}

/** Anything thrown, as a wire error; unexpected errors keep their first line only. */
export function toWireError(err: unknown): WireError {
  if (err instanceof LensError) return { code: err.code, message: err.message };
  if (err instanceof Error && err.name === 'AbortError') return { code: 'CANCELLED', message: 'Cancelled.' };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `Internal error: ${message.split('\n')[0]}` };
}
