/**
 * Messages between the extension host and the model panel's webview. The host validates every
 * incoming message with parseFromWebview: a webview's content is never trusted. The webview never
 * sends paths: it names inputs by their index in the list the host sent (explainInputs) and asks
 * the host to show a file dialog (chooseInput).
 */
import type { ModelSummary, Prediction } from './model';
import type { ErrorCode } from './errors';
import { SALIENCY_METHODS, type SaliencyMethod, type SaliencyResult } from './saliency';

/** One input the panel can explain: the sidecar's samples first, then files the user chose. */
export interface ExplainInput {
  /** Path relative to the workspace (or the file name), for display only. */
  label: string;
  source: 'sample' | 'file';
  kind: 'image' | 'tabular' | 'tensor' | 'text';
}

export const EXPLAIN_BASELINES = ['zeros', 'blur', 'uniform'] as const;
export const SMOOTH_VARIANTS = ['smoothgrad', 'smoothgrad-squared', 'vargrad'] as const;

/**
 * What the panel may ask the engine for: SaliencyOptions without paths (no file baselines), every
 * number bounded. The host maps it to SaliencyOptions (toSaliencyOptions).
 */
export interface ExplainOptions {
  method: SaliencyMethod;
  /** Class to explain; absent: the predicted class. */
  target?: number;
  /** Integrated Gradients. */
  steps?: number;
  baseline?: (typeof EXPLAIN_BASELINES)[number];
  /** SmoothGrad. */
  samples?: number;
  noise?: number;
  smoothVariant?: (typeof SMOOTH_VARIANTS)[number];
  /** Grad-CAM: a layer name from the model summary (the host checks it); absent: inferred. */
  layer?: string;
  /** Grad-CAM: false gives the signed map. */
  relu?: boolean;
  /** Occlusion. */
  window?: number;
  stride?: number;
  fill?: number;
  /** Compute deletion/insertion curves too. */
  metrics?: boolean;
}

/** Bounds the host enforces on ExplainOptions (the panel uses them for its fields too). */
export const EXPLAIN_LIMITS = {
  target: [0, 65_535],
  steps: [1, 512],
  samples: [1, 256],
  noise: [0.001, 1],
  window: [1, 1024],
  stride: [1, 1024],
  fill: [-1e6, 1e6],
  layerLength: 256,
} as const;

export const HEATMAP_COLORMAPS = ['auto', 'viridis', 'inferno', 'gray', 'blue-white-red'] as const;

/** How the panel draws a heatmap (client-side; the host uses it for exported PNGs). */
export interface HeatmapView {
  /** 'auto': viridis for absolute maps, blue-white-red for signed maps. */
  colormap: (typeof HEATMAP_COLORMAPS)[number];
  signed: boolean;
  /** 0..1 */
  opacity: number;
}

/** An explanation the panel shows (or is computing): which input, what was asked, what came back. */
export interface ExplainRun {
  run: number;
  /** Index into the last explainInputs list, or -1 when the input is not in it. */
  input: number;
  inputLabel: string;
  options: ExplainOptions;
}

/** Host → webview. */
export type ToWebview =
  | { type: 'loading'; modelPath: string }
  | { type: 'summary'; summary: ModelSummary }
  | { type: 'error'; modelPath: string; code: ErrorCode; message: string }
  | { type: 'prediction'; sample: number; prediction: Prediction }
  | { type: 'predictionError'; sample: number; message: string }
  /** The inputs the Explain section offers, and which one is selected. */
  | { type: 'explainInputs'; inputs: ExplainInput[]; selected: number }
  | ({ type: 'explainRunning' } & ExplainRun)
  | ({ type: 'explainResult'; result: SaliencyResult } & ExplainRun)
  /** code CANCELLED: the user cancelled; the panel keeps the previous result. */
  | ({ type: 'explainError'; code: ErrorCode; message: string } & ExplainRun);

/** Webview → host. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'rendered'; modelPath: string }
  | { type: 'reload' }
  | { type: 'openSidecar' }
  | { type: 'showLog' }
  /** Run the sidecar's data.samples[sample] through the model. */
  | { type: 'predict'; sample: number }
  /** Ask the host to show a file dialog and add the chosen file to the inputs. */
  | { type: 'chooseInput' }
  /** Explain inputs[input] (the host's list) with these options. */
  | { type: 'explain'; input: number; options: ExplainOptions }
  | { type: 'cancelExplain' }
  /** Save the latest explanation: the heatmap overlay as PNG or the result as JSON (host shows a save dialog). */
  | { type: 'exportExplanation'; format: 'png' | 'json'; view?: HeatmapView }
  /** The panel has drawn the heatmap of this run. */
  | { type: 'explainRendered'; run: number };

const NO_PAYLOAD = new Set(['ready', 'reload', 'openSidecar', 'showLog', 'chooseInput', 'cancelExplain']);
const MAX_PATH = 4096;
const MAX_SAMPLES = 1000;
/** Sidecar samples plus chosen files. */
export const MAX_EXPLAIN_INPUTS = 1100;
const MAX_RUN = 2 ** 31 - 1;

type Fields = Record<string, unknown>;

const isRecord = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
const isNum = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;
const hasOnly = (m: Fields, allowed: readonly string[]) => Object.keys(m).every((k) => allowed.includes(k));

export function parseFromWebview(value: unknown): FromWebview | null {
  if (!isRecord(value)) return null;
  const message = value;
  const keys = Object.keys(message);
  if (typeof message.type !== 'string') return null;
  if (NO_PAYLOAD.has(message.type)) return keys.length === 1 ? ({ type: message.type } as FromWebview) : null;
  switch (message.type) {
    case 'rendered': {
      const ok = keys.length === 2 && typeof message.modelPath === 'string' && message.modelPath.length <= MAX_PATH;
      return ok ? { type: 'rendered', modelPath: message.modelPath as string } : null;
    }
    case 'predict': {
      const ok = keys.length === 2 && isInt(message.sample, 0, MAX_SAMPLES - 1);
      return ok ? { type: 'predict', sample: message.sample as number } : null;
    }
    case 'explain': {
      if (!hasOnly(message, ['type', 'input', 'options']) || !isInt(message.input, 0, MAX_EXPLAIN_INPUTS - 1)) return null;
      const options = parseExplainOptions(message.options);
      return options ? { type: 'explain', input: message.input, options } : null;
    }
    case 'exportExplanation': {
      if (!hasOnly(message, ['type', 'format', 'view']) || (message.format !== 'png' && message.format !== 'json')) return null;
      if (message.view === undefined) return { type: 'exportExplanation', format: message.format };
      const view = parseHeatmapView(message.view);
      return view ? { type: 'exportExplanation', format: message.format, view } : null;
    }
    case 'explainRendered': {
      const ok = keys.length === 2 && isInt(message.run, 0, MAX_RUN);
      return ok ? { type: 'explainRendered', run: message.run as number } : null;
    }
    default:
      return null;
  }
}

export function parseHeatmapView(value: unknown): HeatmapView | null {
  if (!isRecord(value) || Object.keys(value).length !== 3 || !hasOnly(value, ['colormap', 'signed', 'opacity'])) return null;
  const { colormap, signed, opacity } = value;
  if (!HEATMAP_COLORMAPS.includes(colormap as never) || typeof signed !== 'boolean' || !isNum(opacity, 0, 1)) return null;
  return { colormap: colormap as HeatmapView['colormap'], signed, opacity };
}

const OPTION_KEYS = ['method', 'target', 'steps', 'baseline', 'samples', 'noise', 'smoothVariant', 'layer', 'relu', 'window', 'stride', 'fill', 'metrics'] as const;

/** Validates ExplainOptions field by field; null when anything is unknown, mistyped or out of range. */
export function parseExplainOptions(value: unknown): ExplainOptions | null {
  if (!isRecord(value) || !hasOnly(value, OPTION_KEYS)) return null;
  const o = value;
  const L = EXPLAIN_LIMITS;
  if (!SALIENCY_METHODS.includes(o.method as SaliencyMethod)) return null;
  const out: ExplainOptions = { method: o.method as SaliencyMethod };
  const optional = (key: keyof ExplainOptions, ok: (v: unknown) => boolean): boolean => {
    if (o[key] === undefined) return true;
    if (!ok(o[key])) return false;
    (out as unknown as Fields)[key] = o[key];
    return true;
  };
  const valid =
    optional('target', (v) => isInt(v, L.target[0], L.target[1])) &&
    optional('steps', (v) => isInt(v, L.steps[0], L.steps[1])) &&
    optional('baseline', (v) => EXPLAIN_BASELINES.includes(v as never)) &&
    optional('samples', (v) => isInt(v, L.samples[0], L.samples[1])) &&
    optional('noise', (v) => isNum(v, L.noise[0], L.noise[1])) &&
    optional('smoothVariant', (v) => SMOOTH_VARIANTS.includes(v as never)) &&
    optional('layer', (v) => typeof v === 'string' && v.length > 0 && v.length <= L.layerLength && !/[\u0000-\u001f\u007f]/.test(v)) &&
    optional('relu', (v) => typeof v === 'boolean') &&
    optional('window', (v) => isInt(v, L.window[0], L.window[1])) &&
    optional('stride', (v) => isInt(v, L.stride[0], L.stride[1])) &&
    optional('fill', (v) => isNum(v, L.fill[0], L.fill[1])) &&
    optional('metrics', (v) => typeof v === 'boolean');
  return valid ? out : null;
}
