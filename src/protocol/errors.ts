/** Every failure the engine reports carries one of these codes and a one-line, actionable message. */
export type ErrorCode =
  | 'FILE_NOT_FOUND'
  | 'INVALID_JSON'
  | 'INVALID_MODEL'
  | 'MISSING_WEIGHTS'
  | 'WEIGHTS_MISMATCH'
  | 'UNSUPPORTED_OP'
  | 'INVALID_SIDECAR'
  | 'INVALID_INPUT'
  | 'BACKEND_UNAVAILABLE'
  /** A language-model server failed, timed out, or answered without what was asked (ICL endpoints). */
  | 'PROVIDER_ERROR'
  | 'CANCELLED'
  | 'BAD_REQUEST'
  | 'ENGINE_CRASHED'
  | 'INTERNAL';

export interface WireError {
  code: ErrorCode;
  message: string;
}
