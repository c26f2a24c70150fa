/**
 * Messages between the extension host and the model panel's webview. The host validates every
 * incoming message with parseFromWebview: a webview's content is never trusted. The webview never
 * sends paths: it names inputs by their index in the list the host sent (explainInputs), training
 * examples by their index in the last influence result, and asks the host for file dialogs
 * (chooseInput, chooseTrain).
 */
import type { ModelSummary, Prediction } from './model';
import type { ErrorCode } from './errors';
import { INFLUENCE_METHODS, type InfluenceMethod, type InfluenceResult } from './influence';
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

/** Bounds the host enforces on influence requests (the panel uses them for its fields too). */
export const INFLUENCE_LIMITS = {
  label: [0, 65_535],
  top: [1, 100],
} as const;
/** At most `top` proponents plus `top` opponents come back. */
export const MAX_INFLUENCE_SCORES = 2 * INFLUENCE_LIMITS.top[1];

/** Display names of the influence methods (panel, notifications, quick picks). */
export const INFLUENCE_METHOD_NAMES: Record<InfluenceMethod, string> = {
  influence: 'Influence functions',
  tracin: 'TracIn',
  self: 'Suspicious training examples (self-influence)',
};

/** An influence query the panel shows (or is computing). */
export interface InfluenceRun {
  run: number;
  method: InfluenceMethod;
  /** Index into the last explainInputs list; -1 for self-influence or an input not in it. */
  input: number;
  inputLabel: string;
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
  | ({ type: 'explainError'; code: ErrorCode; message: string } & ExplainRun)
  /** The training set influence queries use: the sidecar's data.train, one the user chose, or none. */
  | { type: 'influenceTrain'; source: 'sidecar' | 'chosen' | 'none'; label?: string }
  /** Sent again with each progress report from the engine. */
  | ({ type: 'influenceRunning'; progress?: { done: number; total: number; message?: string } } & InfluenceRun)
  | ({ type: 'influenceResult'; result: InfluenceResult } & InfluenceRun)
  /** code CANCELLED: the user cancelled; the panel keeps the previous result. */
  | ({ type: 'influenceError'; code: ErrorCode; message: string } & InfluenceRun);

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
  | { type: 'explainRendered'; run: number }
  /** Rank the training set: inputs[input] (the host's list; absent for self-influence) with this method. */
  | { type: 'findInfluence'; method: InfluenceMethod; input?: number; label?: number; top?: number }
  | { type: 'cancelInfluence' }
  /** Ask the host for a dialog to choose the training data (folder or file). */
  | { type: 'chooseTrain' }
  /** Open result.scores[index] of this run in the editor (the host knows where it lives). */
  | { type: 'openInfluenceExample'; run: number; index: number }
  /** The panel has drawn the galleries of this run. */
  | { type: 'influenceRendered'; run: number };

const NO_PAYLOAD = new Set(['ready', 'reload', 'openSidecar', 'showLog', 'chooseInput', 'cancelExplain', 'cancelInfluence', 'chooseTrain']);
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
    case 'explainRendered':
    case 'influenceRendered': {
      const ok = keys.length === 2 && isInt(message.run, 0, MAX_RUN);
      return ok ? { type: message.type, run: message.run as number } : null;
    }
    case 'findInfluence':
      return parseFindInfluence(message);
    case 'openInfluenceExample': {
      const ok = keys.length === 3 && isInt(message.run, 0, MAX_RUN) && isInt(message.index, 0, MAX_INFLUENCE_SCORES - 1);
      return ok ? { type: 'openInfluenceExample', run: message.run as number, index: message.index as number } : null;
    }
    default:
      return null;
  }
}

/** findInfluence: a known method, an input index unless self-influence (which takes none), bounded numbers. */
function parseFindInfluence(m: Fields): FromWebview | null {
  if (!hasOnly(m, ['type', 'method', 'input', 'label', 'top']) || !INFLUENCE_METHODS.includes(m.method as InfluenceMethod)) return null;
  const method = m.method as InfluenceMethod;
  const out: Extract<FromWebview, { type: 'findInfluence' }> = { type: 'findInfluence', method };
  if (method === 'self' ? m.input !== undefined || m.label !== undefined : !isInt(m.input, 0, MAX_EXPLAIN_INPUTS - 1)) return null;
  if (method !== 'self') out.input = m.input as number;
  const L = INFLUENCE_LIMITS;
  if (m.label !== undefined) {
    if (!isInt(m.label, L.label[0], L.label[1])) return null;
    out.label = m.label;
  }
  if (m.top !== undefined) {
    if (!isInt(m.top, L.top[0], L.top[1])) return null;
    out.top = m.top;
  }
  return out;
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
    // eslint-disable-next-line no-control-regex -- a layer name with control characters is refused
    optional('layer', (v) => typeof v === 'string' && v.length > 0 && v.length <= L.layerLength && !/[\u0000-\u001f\u007f]/.test(v)) &&
    optional('relu', (v) => typeof v === 'boolean') &&
    optional('window', (v) => isInt(v, L.window[0], L.window[1])) &&
    optional('stride', (v) => isInt(v, L.stride[0], L.stride[1])) &&
    optional('fill', (v) => isNum(v, L.fill[0], L.fill[1])) &&
    optional('metrics', (v) => typeof v === 'boolean');
  return valid ? out : null;
}
