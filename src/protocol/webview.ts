/**
 * Messages between the extension host and the model panel's webview. The host validates every
 * incoming message with parseFromWebview: a webview's content is never trusted. The webview never
 * sends paths: it names inputs by their index in the list the host sent (explainInputs), training
 * examples by their index in the last influence result, and asks the host for file dialogs
 * (chooseInput, chooseTrain).
 */
import type { ModelSummary, Prediction } from './model';
import type { CounterfactualMethodChoice, CounterfactualOptions, CounterfactualResult } from './counterfactual';
import type { ProbeOptions, ProbeResult, TcavOptions, TcavResult } from './concepts';
import type { ErrorCode } from './errors';
import type { IclOptions, IclResult, IclVariant } from './icl';
import type { InfluenceMethod, InfluenceOptions, InfluenceResult } from './influence';
import { fieldSpecs, OptionError, parseOptions, REQUEST_FIELDS, type OptionRequest } from './options';
import type { ProviderKind } from './options/icl';
import type { SaliencyOptions, SaliencyResult } from './saliency';

/** One input the panel can explain: the sidecar's samples first, then files the user chose. */
export interface ExplainInput {
  /** Path relative to the workspace (or the file name), for display only. */
  label: string;
  source: 'sample' | 'file';
  kind: 'image' | 'tabular' | 'tensor' | 'text';
}

/**
 * What the Explain form sends: the saliency request's panel options (defined once in
 * options/saliency.ts; no paths). The host validates them with parseOptions(origin 'webview') and
 * passes on what was given; the engine applies the defaults.
 */
export type ExplainOptions = SaliencyOptions;

/** What the Influence form sends: the influence request's panel options (no paths). */
export type InfluencePanelOptions = Omit<InfluenceOptions, 'inputPath' | 'train' | 'cacheDir'>;

/**
 * What the Concepts form sends: TCAV's panel options with the concepts by name (the host knows
 * their folders: the sidecar's data.concepts and folders chosen through its dialog), or a probe's
 * options (the labelled data is the host's choice too).
 */
export type ConceptsPanelOptions =
  | ({ method: 'tcav'; concepts?: string[] } & Omit<TcavOptions, 'concepts' | 'random' | 'inputs'>)
  | ({ method: 'probe' } & Omit<ProbeOptions, 'data'>);
export type ConceptsMethod = ConceptsPanelOptions['method'];
export const CONCEPTS_METHOD_NAMES: Record<ConceptsMethod, string> = { tcav: 'TCAV', probe: 'Linear probes' };

/** A concept the Concepts section offers: the sidecar's, or a folder the user chose (by its name; `label`: its path relative to the workspace). */
export interface ConceptChoice {
  name: string;
  label: string;
  source: 'sidecar' | 'chosen';
}

/** Data a section reads that the host chooses (a training set, random sets, labelled data): the sidecar's, one the user chose, or none. */
export interface DataChoice {
  source: 'sidecar' | 'chosen' | 'none';
  /** Its path relative to the workspace. */
  label?: string;
}

/**
 * What the Counterfactuals form sends: the request's panel options (no paths). Without a target the
 * host picks the input's runner-up class (the option's hostDefault).
 */
export type CounterfactualPanelOptions = Omit<CounterfactualOptions, 'inputPath' | 'train' | 'target'> & { target?: CounterfactualOptions['target'] };

/** Display names of the counterfactual methods (panel, quick picks). */
export const COUNTERFACTUAL_METHOD_NAMES: Record<CounterfactualMethodChoice, string> = {
  auto: 'Automatic',
  'linear-exact': 'Exact (linear program)',
  gradient: 'Gradient search (DiCE)',
  perturbation: 'Pixel perturbation (L1 + TV)',
  'region-swap': 'Region swap',
  'token-flip': 'Token flip (HotFlip)',
};

/**
 * What the ICL form sends: the icl request's panel options (no paths). The spec is the panel's, the
 * provider is named by the run's `input` (its index in the host's iclProviders list), and an
 * endpoint's model name comes from the settings.
 */
export type IclPanelOptions = Omit<IclOptions, 'specPath' | 'provider' | 'model'>;

/** A language model an ICL panel offers; a run names it by its index in the list (the run's `input`). */
export interface IclProviderChoice {
  /** "tiny-decoder/model.json", "http://127.0.0.1:8080/v1 · llama3 (chat)". */
  label: string;
  kind: ProviderKind;
  /** Where it comes from: "a causal LM in the workspace", "endpoint from your user settings". */
  detail: string;
}

/** The prompt spec an ICL panel shows: what it holds, and which variants it can build. */
export interface IclSpecView {
  /** The spec file (absolute; the selection's spec lives in the extension's storage). */
  path: string;
  /** "sentiment.icl.json", or "selection in notes.md (lines 3–12)". */
  name: string;
  /** A spec built from a prompt selected in an editor. */
  fromSelection: boolean;
  description?: string;
  template?: string;
  labels: string[];
  demonstrations: number;
  queries: number;
  /** Variants the spec cannot build, and why ("demonstrations[2] has no 'neutral'"). */
  unavailable: Partial<Record<IclVariant, string>>;
  /** The spec does not parse: one line naming the field. */
  problem?: string;
}

/** What the ICL panel's buttons ask the host for. */
export const ICL_ACTIONS = ['chooseProvider', 'openSpec', 'setApiKey', 'openSettings'] as const;
export type IclAction = (typeof ICL_ACTIONS)[number];

export const HEATMAP_COLORMAPS = ['auto', 'viridis', 'inferno', 'gray', 'blue-white-red'] as const;

/** How the panel draws a heatmap (client-side; the host uses it for exported PNGs). */
export interface HeatmapView {
  /** 'auto': viridis for absolute maps, blue-white-red for signed maps. */
  colormap: (typeof HEATMAP_COLORMAPS)[number];
  signed: boolean;
  /** 0..1 */
  opacity: number;
}

/** At most `top` proponents plus `top` opponents come back (the panel asks for at most 100 each). */
export const MAX_INFLUENCE_SCORES = 2 * 10_000;

/** Display names of the influence methods (panel, notifications, quick picks). */
export const INFLUENCE_METHOD_NAMES: Record<InfluenceMethod, string> = {
  influence: 'Influence functions',
  tracin: 'TracIn',
  self: 'Suspicious training examples (self-influence)',
};

/**
 * The panel's run sections. Each runs one engine request with the options its form sends, one run
 * at a time, through the same messages (sectionRun → sectionRunning… → sectionResult | sectionError);
 * a section the next issues add is one entry here.
 */
export interface Sections {
  explain: { request: 'saliency'; options: ExplainOptions; result: SaliencyResult };
  influence: { request: 'influence'; options: InfluencePanelOptions; result: InfluenceResult };
  concepts: { request: 'tcav' | 'probe'; options: ConceptsPanelOptions; result: TcavResult | ProbeResult };
  /** In an ICL panel (one per prompt spec); its runs' `input` is the provider's index. */
  icl: { request: 'icl'; options: IclPanelOptions; result: IclResult };
  counterfactual: { request: 'counterfactual'; options: CounterfactualPanelOptions; result: CounterfactualResult };
}
export type SectionId = keyof Sections;
export const SECTION_IDS = ['explain', 'influence', 'concepts', 'icl', 'counterfactual'] as const satisfies readonly SectionId[];
/**
 * The engine request whose options a section's form sends: one per section (whose options name
 * their method, if it has methods), or one per method where the section's methods are requests of their own.
 */
export const SECTION_REQUESTS = {
  explain: 'saliency',
  influence: 'influence',
  concepts: { tcav: 'tcav', probe: 'probe' },
  icl: 'icl',
  counterfactual: 'counterfactual',
} as const satisfies { [S in SectionId]: Sections[S]['request'] | { [M in MethodOf<S> & string]: Sections[S]['request'] } };

/** A section's method (undefined for a request without methods, such as icl). */
export type MethodOf<S extends SectionId> = Sections[S]['options'] extends { method: infer M extends string } ? M : undefined;

/** The request a run of `section` with `method` makes (undefined: the section has no such method). */
export function sectionRequest(section: SectionId, method: string | undefined): OptionRequest | undefined {
  const requests: OptionRequest | Record<string, OptionRequest> = SECTION_REQUESTS[section];
  if (typeof requests === 'string') return requests;
  return method !== undefined && Object.prototype.hasOwnProperty.call(requests, method) ? requests[method] : undefined;
}

/** Sections whose runs take no input from the panel's list: self-influence, concepts. (An ICL run's input is its provider.) */
export function takesInput(section: SectionId, method: string | undefined): boolean {
  return !(section === 'influence' && method === 'self') && section !== 'concepts';
}

/**
 * Runs started together to be shown side by side (Compare methods; influence functions beside
 * TracIn): the group's id (its first run's number), this run's place in it and the group's size.
 */
export interface RunGroup {
  id: number;
  index: number;
  size: number;
}

/** At most this many runs in a group, and variants in a sectionCompare. */
export const MAX_GROUP = 8;

/** One run of a section, as the panel shows it: which input, what was asked. */
export interface SectionRun<S extends SectionId = SectionId> {
  section: S;
  run: number;
  /** Index into the last explainInputs list, or -1 when the input is not in it (or there is none). */
  input: number;
  inputLabel: string;
  options: Sections[S]['options'];
  group?: RunGroup;
}

/** A section's result message (what its history keeps). */
export type SectionResult<S extends SectionId = SectionId> = Extract<SectionMessage<S>, { type: 'sectionResult' }>;

/** One kept result of a section, as its history lists it. */
export interface HistoryEntry {
  run: number;
  /** When it finished, ms since the epoch. */
  at: number;
  inputLabel: string;
  /** The options it was computed with (the result's, after defaults and run-time choices), without paths. */
  options: Record<string, unknown>;
  group?: RunGroup;
}

/** Results a section's history keeps, newest first. */
export const MAX_HISTORY = 12;

export interface SectionProgress {
  done: number;
  total: number;
  message?: string;
}

type SectionMessageOf<S extends SectionId> =
  /** Sent again with each progress report from the engine. */
  | ({ type: 'sectionRunning'; progress?: SectionProgress } & SectionRun<S>)
  | ({ type: 'sectionResult'; result: Sections[S]['result'] } & SectionRun<S>)
  /** code CANCELLED: the user cancelled (or a new run replaced it); the panel keeps the previous result. */
  | ({ type: 'sectionError'; code: ErrorCode; message: string } & SectionRun<S>);
export type SectionMessage<S extends SectionId = SectionId> = { [K in S]: SectionMessageOf<K> }[S];

/** Host → webview. */
export type ToWebview =
  | { type: 'loading'; modelPath: string }
  | { type: 'summary'; summary: ModelSummary }
  | { type: 'error'; modelPath: string; code: ErrorCode; message: string }
  /** `text`: a text sample's sentence, for its card. */
  | { type: 'prediction'; sample: number; prediction: Prediction; text?: string }
  | { type: 'predictionError'; sample: number; message: string }
  /** The inputs the Explain section offers, and which one is selected. */
  | { type: 'explainInputs'; inputs: ExplainInput[]; selected: number }
  /** A section's run: running (with progress), its result or its failure. */
  | SectionMessage
  /** The training set influence queries use: the sidecar's data.train, one the user chose, or none. */
  | { type: 'influenceTrain'; source: 'sidecar' | 'chosen' | 'none'; label?: string }
  /** A section's kept results, newest first (sent again whenever one is added). */
  | { type: 'sectionHistory'; section: SectionId; entries: HistoryEntry[] }
  /** Kept results the panel asked for (sectionRecall), in the order asked. */
  | { [S in SectionId]: { type: 'sectionRecalled'; section: S; results: SectionResult<S>[] } }[SectionId]
  /** The workspace's folders, so the panel shows paths relative to them. */
  | { type: 'workspaceFolders'; folders: string[] }
  /** What the Concepts section can run on: its concepts, the random sets (TCAV) and the labelled data (probes). */
  | { type: 'conceptData'; concepts: ConceptChoice[]; random: DataChoice; probeData: DataChoice }
  /** An ICL panel's spec (drawn instead of a model summary). */
  | { type: 'iclSpec'; spec: IclSpecView }
  /** The language models an ICL panel offers, the selected one, and why some are not offered. */
  | { type: 'iclProviders'; providers: IclProviderChoice[]; selected: number; notes: string[] }
  ;

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
  /**
   * Run a section on inputs[input] (the host's list; absent for self-influence, which takes none)
   * with its form's options; a new run replaces the section's running one.
   */
  | SectionRunRequest
  /** Run the section once per variant of the options on the same input, as one group shown side by side. */
  | SectionCompareRequest
  /** Show kept results again (1: instead of the latest; more: side by side). */
  | { type: 'sectionRecall'; section: SectionId; runs: number[] }
  | { type: 'sectionCancel'; section: SectionId }
  /** The panel has drawn this run's result. */
  | { type: 'sectionRendered'; section: SectionId; run: number }
  /**
   * Save an explanation (`run`: a kept one; default the latest) as JSON, or as PNG: `png` is the
   * panel's own picture (heatmap and colour bar, as a PNG data: URI; the host checks it decodes),
   * else the host draws the overlay with `view`. The host shows a save dialog.
   */
  | { type: 'exportExplanation'; format: 'png' | 'json'; view?: HeatmapView; run?: number; png?: string }
  /** Ask the host for a dialog to choose the training data (folder or file). */
  | { type: 'chooseTrain' }
  /** Open result.scores[index] of this run in the editor (the host knows where it lives). */
  | { type: 'openInfluenceExample'; run: number; index: number }
  /** Ask the host for a dialog to choose concept folders, the random sets or the probes' labelled data. */
  | { type: 'chooseConceptData'; what: 'concepts' | 'random' | 'probeData' }
  /** Forget a concept folder the user chose (by its name). */
  | { type: 'removeConcept'; name: string }
  /** An ICL panel's buttons: choose a local model, open the spec, set the endpoint's API key, open the settings. */
  | { type: 'iclAction'; action: IclAction }
  /** Copy result.counterfactuals[index] of a kept run to the clipboard: a CSV row as the input file writes its rows, or JSON. */
  | { type: 'copyCounterfactual'; run: number; index: number; format: 'csv' | 'json' };

export type SectionRunRequest = { [S in SectionId]: { type: 'sectionRun'; section: S; input?: number; options: Sections[S]['options'] } }[SectionId];
export type SectionCompareRequest = { [S in SectionId]: { type: 'sectionCompare'; section: S; input?: number; variants: Sections[S]['options'][] } }[SectionId];

const NO_PAYLOAD = new Set(['ready', 'reload', 'openSidecar', 'showLog', 'chooseInput', 'chooseTrain']);
const MAX_PATH = 4096;
const MAX_SAMPLES = 1000;
/** Sidecar samples plus chosen files. */
export const MAX_EXPLAIN_INPUTS = 1100;
const MAX_RUN = 2 ** 31 - 1;
/** A PNG the panel drew (data: URI, base64): at most this many characters. */
export const MAX_PNG_URI = 24 * 1024 * 1024;

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
    case 'sectionRun':
      return parseSectionRun(message);
    case 'sectionCompare':
      return parseSectionCompare(message);
    case 'sectionRecall': {
      const runs = message.runs;
      const ok = keys.length === 3 && isSection(message.section) && Array.isArray(runs) && runs.length >= 1 && runs.length <= MAX_GROUP && runs.every((r) => isInt(r, 0, MAX_RUN));
      return ok ? { type: 'sectionRecall', section: message.section as SectionId, runs: [...(runs as number[])] } : null;
    }
    case 'sectionCancel': {
      const ok = keys.length === 2 && isSection(message.section);
      return ok ? { type: 'sectionCancel', section: message.section as SectionId } : null;
    }
    case 'sectionRendered': {
      const ok = keys.length === 3 && isSection(message.section) && isInt(message.run, 0, MAX_RUN);
      return ok ? { type: 'sectionRendered', section: message.section as SectionId, run: message.run as number } : null;
    }
    case 'exportExplanation': {
      if (!hasOnly(message, ['type', 'format', 'view', 'run', 'png']) || (message.format !== 'png' && message.format !== 'json')) return null;
      const out: Extract<FromWebview, { type: 'exportExplanation' }> = { type: 'exportExplanation', format: message.format };
      if (message.view !== undefined) {
        const view = parseHeatmapView(message.view);
        if (!view) return null;
        out.view = view;
      }
      if (message.run !== undefined) {
        if (!isInt(message.run, 0, MAX_RUN)) return null;
        out.run = message.run;
      }
      if (message.png !== undefined) {
        const png = message.png;
        if (message.format !== 'png' || typeof png !== 'string' || png.length > MAX_PNG_URI || !/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/.test(png)) return null;
        out.png = png;
      }
      return out;
    }
    case 'openInfluenceExample': {
      const ok = keys.length === 3 && isInt(message.run, 0, MAX_RUN) && isInt(message.index, 0, MAX_INFLUENCE_SCORES - 1);
      return ok ? { type: 'openInfluenceExample', run: message.run as number, index: message.index as number } : null;
    }
    case 'chooseConceptData': {
      const ok = keys.length === 2 && (['concepts', 'random', 'probeData'] as unknown[]).includes(message.what);
      return ok ? { type: 'chooseConceptData', what: message.what as 'concepts' | 'random' | 'probeData' } : null;
    }
    case 'removeConcept': {
      const ok = keys.length === 2 && typeof message.name === 'string' && message.name.length > 0 && message.name.length <= 256;
      return ok ? { type: 'removeConcept', name: message.name as string } : null;
    }
    case 'iclAction': {
      const ok = keys.length === 2 && ICL_ACTIONS.includes(message.action as IclAction);
      return ok ? { type: 'iclAction', action: message.action as IclAction } : null;
    }
    case 'copyCounterfactual': {
      const ok = keys.length === 4 && isInt(message.run, 0, MAX_RUN) && isInt(message.index, 0, MAX_RUN) && (message.format === 'csv' || message.format === 'json');
      return ok ? { type: 'copyCounterfactual', run: message.run as number, index: message.index as number, format: message.format as 'csv' | 'json' } : null;
    }
    default:
      return null;
  }
}

const isSection = (v: unknown): v is SectionId => SECTION_IDS.includes(v as SectionId);
const hasMethods = (s: SectionId): boolean => {
  const requests = SECTION_REQUESTS[s];
  return typeof requests !== 'string' || 'method' in REQUEST_FIELDS[requests];
};

/**
 * sectionRun: a known section, an input index (none for self-influence, which takes none), and
 * options that parseOptions accepts for the section's request as the panel may send them: every
 * key known, offered by the panel (no paths), typed and in range. Options not given stay absent.
 */
function parseSectionRun(m: Fields): SectionRunRequest | null {
  if (!hasOnly(m, ['type', 'section', 'input', 'options']) || !isSection(m.section)) return null;
  // A plain object naming its method, where the request has methods: the form always sends it (no inherited keys, no defaulted method).
  if (!isRecord(m.options) || (hasMethods(m.section) && typeof m.options.method !== 'string')) return null;
  const options = parseSectionOptions(m.section, m.options);
  if (!options) return null;
  const needsInput = takesInput(m.section, (options as { method?: string }).method);
  if (needsInput ? !isInt(m.input, 0, MAX_EXPLAIN_INPUTS - 1) : m.input !== undefined) return null;
  const out = { type: 'sectionRun', section: m.section, options } as SectionRunRequest;
  if (needsInput) out.input = m.input as number;
  return out;
}

/** sectionCompare: a known section, an input index (as sectionRun), and 2..MAX_GROUP variants that each pass as a run's options. */
function parseSectionCompare(m: Fields): SectionCompareRequest | null {
  if (!hasOnly(m, ['type', 'section', 'input', 'variants']) || !isSection(m.section)) return null;
  const variants = m.variants;
  if (!Array.isArray(variants) || variants.length < 2 || variants.length > MAX_GROUP) return null;
  const runs = variants.map((options) => parseSectionRun({ type: 'sectionRun', section: m.section, ...(m.input === undefined ? {} : { input: m.input }), options }));
  if (runs.some((r) => r === null)) return null;
  const out = { type: 'sectionCompare', section: m.section, variants: runs.map((r) => r!.options) } as SectionCompareRequest;
  if (m.input !== undefined) out.input = m.input as number;
  // One input for the whole group: every variant must agree on needing it.
  return runs.every((r) => r!.input === out.input) ? out : null;
}

/** A section form's options, validated (null when anything is wrong); those not given stay absent. */
export function parseSectionOptions<S extends SectionId>(section: S, raw: unknown): Sections[S]['options'] | null {
  return checkSectionOptions(section, raw).options ?? null;
}

/** Like parseSectionOptions, with the first problem in words ("Steps must be an integer from 1 to 10000."). */
export function checkSectionOptions<S extends SectionId>(section: S, raw: unknown): { options?: Sections[S]['options']; problem?: string } {
  const given = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const request = sectionRequest(section, given.method === undefined ? undefined : String(given.method));
  if (!request) return { problem: `${JSON.stringify(given.method)} is not a method of the ${section} section.` };
  try {
    // Where the section's methods are requests of their own (tcav, probe), the method names the
    // request and is not one of its options; elsewhere the request validates it (or, without methods, refuses one).
    const { method, ...rest } = given;
    const parsed: Record<string, unknown> =
      typeof SECTION_REQUESTS[section] === 'string' ? parseOptions(request, raw, { origin: 'webview' }) : { method, ...parseOptions(request, rest, { origin: 'webview' }) };
    // Only what was given (and the method): the engine applies the defaults, and for some options
    // (damping) an explicit value means something else than none (no automatic raise).
    const options = Object.fromEntries(Object.keys(parsed).filter((k) => (k === 'method' && parsed[k] !== undefined) || given[k] !== undefined).map((k) => [k, parsed[k]]));
    return { options: options as Sections[S]['options'] };
  } catch (err) {
    if (!(err instanceof OptionError)) return { problem: String(err) };
    const label = err.key ? fieldSpecs(request).find((f) => f.key === err.key)?.label : undefined;
    return { problem: label ? `${label} ${err.problem}` : err.message };
  }
}

export function parseHeatmapView(value: unknown): HeatmapView | null {
  if (!isRecord(value) || Object.keys(value).length !== 3 || !hasOnly(value, ['colormap', 'signed', 'opacity'])) return null;
  const { colormap, signed, opacity } = value;
  if (!HEATMAP_COLORMAPS.includes(colormap as never) || typeof signed !== 'boolean' || !isNum(opacity, 0, 1)) return null;
  return { colormap: colormap as HeatmapView['colormap'], signed, opacity };
}

/**
 * The webview's saved state (getState) as the panel serializer reads it after a window reload:
 * the model the panel showed and the latest run each section saw. Everything else in it is the
 * webview's own (drawn again at once); the host's results come from the extension's storage.
 */
export interface SavedPanelState {
  modelPath: string;
  runs: Partial<Record<SectionId, number>>;
}

/** An ICL panel's saved state: its spec file and the latest run it saw. */
export interface SavedIclPanelState {
  specPath: string;
  run?: number;
}

export function parseSavedIclPanelState(value: unknown): SavedIclPanelState | null {
  if (!isRecord(value)) return null;
  const { specPath, runs } = value;
  if (typeof specPath !== 'string' || specPath.length === 0 || specPath.length > MAX_PATH || !/\.json$/i.test(specPath)) return null;
  return { specPath, ...(isRecord(runs) && isInt(runs.icl, 0, MAX_RUN) ? { run: runs.icl as number } : {}) };
}

export function parseSavedPanelState(value: unknown): SavedPanelState | null {
  if (!isRecord(value)) return null;
  const { modelPath, runs } = value;
  if (typeof modelPath !== 'string' || modelPath.length === 0 || modelPath.length > MAX_PATH || !/model\.json$/i.test(modelPath)) return null;
  const out: SavedPanelState = { modelPath, runs: {} };
  if (isRecord(runs)) for (const s of SECTION_IDS) if (isInt(runs[s], 0, MAX_RUN)) out.runs[s] = runs[s] as number;
  return out;
}
