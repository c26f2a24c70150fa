/**
 * Messages between the extension host and the model panel's webview. The host validates every
 * incoming message with parseFromWebview: a webview's content is never trusted.
 */
import type { ModelSummary, Prediction } from './model';
import type { ErrorCode } from './errors';

/** Host → webview. */
export type ToWebview =
  | { type: 'loading'; modelPath: string }
  | { type: 'summary'; summary: ModelSummary }
  | { type: 'error'; modelPath: string; code: ErrorCode; message: string }
  | { type: 'prediction'; sample: number; prediction: Prediction }
  | { type: 'predictionError'; sample: number; message: string };

/** Webview → host. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'rendered'; modelPath: string }
  | { type: 'reload' }
  | { type: 'openSidecar' }
  | { type: 'showLog' }
  /** Run the sidecar's data.samples[sample] through the model. */
  | { type: 'predict'; sample: number };

const NO_PAYLOAD = new Set(['ready', 'reload', 'openSidecar', 'showLog']);
const MAX_PATH = 4096;
const MAX_SAMPLES = 1000;

export function parseFromWebview(value: unknown): FromWebview | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const message = value as Record<string, unknown>;
  const keys = Object.keys(message);
  if (typeof message.type !== 'string') return null;
  if (NO_PAYLOAD.has(message.type)) return keys.length === 1 ? ({ type: message.type } as FromWebview) : null;
  if (message.type === 'rendered') {
    const ok = keys.length === 2 && typeof message.modelPath === 'string' && message.modelPath.length <= MAX_PATH;
    return ok ? { type: 'rendered', modelPath: message.modelPath as string } : null;
  }
  if (message.type === 'predict') {
    const sample = message.sample;
    const ok = keys.length === 2 && Number.isInteger(sample) && (sample as number) >= 0 && (sample as number) < MAX_SAMPLES;
    return ok ? { type: 'predict', sample: sample as number } : null;
  }
  return null;
}
