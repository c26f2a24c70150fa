/**
 * The Explain section: pick an input (the host's list; "Choose file…" asks the host for a dialog),
 * a method with its parameters, the target class and whether to compute faithfulness metrics; Run.
 * The result is drawn here, client-side: the heatmap over what the model sees on a <canvas> (so
 * colormap, opacity and signed/absolute toggles never recompute), or per-feature bars for tabular
 * inputs; the top classes, IG's completeness delta, deletion/insertion curves and the summary.
 */
import type { ModelSummary } from '../../../src/protocol/model';
import { SALIENCY_METHODS, type SaliencyMethod, type SaliencyResult } from '../../../src/protocol/saliency';
import {
  EXPLAIN_BASELINES,
  EXPLAIN_LIMITS,
  HEATMAP_COLORMAPS,
  SMOOTH_VARIANTS,
  type ExplainInput,
  type ExplainOptions,
  type ExplainRun,
  type HeatmapView,
  type ToWebview,
} from '../../../src/protocol/webview';
import { button, checkbox, dropdown, slider, textField, type Choice } from '../components';
import { formatNumber, h } from '../dom';
import { classChoices, field, inputDropdown, restoreFields, runControls } from './form';
import { fact, failedStatus, isLatest, mount, runningStatus, takeInputs } from './section';
import { BASE_BRIGHTNESS, cssGradient, featureValues, heatmapRGBA, resolveColormap, toGrid } from '../../../src/shared/heatmap';
import { METHOD_NAMES } from '../../../src/shared/methods';
import { post, saved } from '../messaging';

type ExplainMessage = Extract<ToWebview, { type: 'explainInputs' | 'explainRunning' | 'explainResult' | 'explainError' }>;

/** The form as the user typed it: numbers stay text until Run, so a half-typed value is not lost. */
interface Form {
  method: SaliencyMethod;
  target: string; // '' = predicted class
  steps: string;
  baseline: (typeof EXPLAIN_BASELINES)[number];
  samples: string;
  noise: string;
  smoothVariant: (typeof SMOOTH_VARIANTS)[number];
  layer: string; // '' = inferred
  relu: boolean;
  window: string;
  stride: string; // '' = the window
  fill: string;
  metrics: boolean;
}

const DEFAULT_FORM: Form = {
  method: 'integrated-gradients',
  target: '',
  steps: '64',
  baseline: 'zeros',
  samples: '25',
  noise: '0.15',
  smoothVariant: 'smoothgrad',
  layer: '',
  relu: true,
  window: '',
  stride: '',
  fill: '0',
  metrics: false,
};

const DEFAULT_VIEW: HeatmapView = { colormap: 'auto', signed: false, opacity: 0.7 };

const BASELINE_LABELS: Record<Form['baseline'], string> = { zeros: 'Zeros', blur: 'Blurred input', uniform: 'Uniform noise' };
const VARIANT_LABELS: Record<Form['smoothVariant'], string> = { smoothgrad: 'SmoothGrad', 'smoothgrad-squared': 'SmoothGrad²', vargrad: 'VarGrad' };
const COLORMAP_LABELS: Record<HeatmapView['colormap'], string> = {
  auto: 'Auto (viridis / diverging)',
  viridis: 'Viridis',
  inferno: 'Inferno',
  gray: 'Gray',
  'blue-white-red': 'Blue–white–red',
};
const CANVAS_SIZE = 280;

const store: {
  summary?: ModelSummary;
  inputs: ExplainInput[];
  selected: number;
  form: Form;
  view: HeatmapView;
  latestRun: number;
  running?: ExplainRun;
  result?: ExplainRun & { result: SaliencyResult };
  error?: ExplainRun & { code: string; message: string };
  formError?: string;
  root?: HTMLElement;
} = {
  inputs: [],
  selected: 0,
  form: restoreForm(),
  view: restoreView(),
  latestRun: 0,
};

function restoreForm(): Form {
  const form = restoreFields(saved.get().explainForm, DEFAULT_FORM);
  if (!SALIENCY_METHODS.includes(form.method)) form.method = DEFAULT_FORM.method;
  return form;
}

function restoreView(): HeatmapView {
  const v = saved.get().heatmap;
  return v && HEATMAP_COLORMAPS.includes(v.colormap) && typeof v.signed === 'boolean' && typeof v.opacity === 'number' ? v : { ...DEFAULT_VIEW };
}

/** The section inside the model summary; it redraws itself as the host's messages arrive. */
export function renderExplain(summary: ModelSummary): HTMLElement {
  return mount(store, summary, 'explain', update);
}

export function onExplainMessage(message: ExplainMessage): void {
  switch (message.type) {
    case 'explainInputs':
      takeInputs(store, message);
      break;
    case 'explainRunning':
      if (!isLatest(store, message.run)) return;
      store.running = run(message);
      store.error = undefined;
      if (message.input >= 0) store.selected = message.input;
      store.form = formFrom(message.options, store.form);
      saved.update({ explainForm: { ...store.form } });
      break;
    case 'explainResult':
      if (!isLatest(store, message.run)) return;
      store.running = undefined;
      store.error = undefined;
      store.result = { ...run(message), result: message.result };
      if (message.input >= 0) store.selected = message.input;
      store.form = formFrom(message.options, store.form);
      break;
    case 'explainError':
      if (!isLatest(store, message.run)) return;
      store.running = undefined;
      store.error = { ...run(message), code: message.code, message: message.message };
      break;
  }
  update();
}

function run(m: ExplainRun): ExplainRun {
  return { run: m.run, input: m.input, inputLabel: m.inputLabel, options: m.options };
}

/** Redraws the section from the store (if it is on screen). */
function update(): void {
  const root = store.root;
  if (!root) return;
  const parts = [
    h('h2', {}, 'Explain'),
    renderForm(),
    renderStatus(),
    store.result ? renderResult(store.result) : h('p', { class: 'explain-empty' }, 'Pick an input and a method, then Run: the heatmap shows which input features moved the target class.'),
  ];
  root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
}

// ---------------------------------------------------------------- form

function inputKind(): ExplainInput['kind'] {
  return store.inputs[store.selected]?.kind ?? (store.summary?.sidecar.sidecar.input?.kind === 'tabular' ? 'tabular' : 'image');
}

function setForm(patch: Partial<Form>, redraw = false): void {
  store.form = { ...store.form, ...patch };
  store.formError = undefined;
  saved.update({ explainForm: { ...store.form } });
  if (redraw) update();
}

function renderForm(): HTMLElement {
  const f = store.form;
  const input = inputDropdown(
    store.inputs,
    store.selected,
    (index) => {
      store.selected = index;
      update();
    },
    'Input to explain',
    'explain-input',
  );
  const methodDropdown = dropdown(
    SALIENCY_METHODS.map((m) => ({ value: m, label: METHOD_NAMES[m] })),
    f.method,
    (value) => setForm({ method: value as SaliencyMethod }, true),
    'Attribution method',
    'explain-method',
  );
  const targetDropdown = dropdown(classChoices(store.summary, 'Predicted class'), f.target, (value) => setForm({ target: value }), 'Target class', 'explain-target');
  const running = !!store.running;
  return h(
    'div',
    { class: 'explain-form' },
    field('Input', input),
    field('Method', methodDropdown),
    field('Target class', targetDropdown),
    ...methodFields(f),
    runControls(
      'explain',
      'Run',
      running,
      runClicked,
      () => post({ type: 'cancelExplain' }),
      store.formError,
      checkbox('Compute faithfulness metrics (deletion / insertion)', f.metrics, (checked) => setForm({ metrics: checked }), 'explain-metrics'),
    ),
  );
}

function numberField(label: string, key: keyof Form, placeholder?: string): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('span', { class: 'field-label' }, label),
    textField('', String(store.form[key]), (value) => setForm({ [key]: value } as Partial<Form>), { size: 8, placeholder, testId: `explain-${key}` }),
  );
}

function methodFields(f: Form): HTMLElement[] {
  switch (f.method) {
    case 'integrated-gradients':
      return [
        numberField('Steps', 'steps'),
        field(
          'Baseline',
          dropdown(
            EXPLAIN_BASELINES.map((b) => ({ value: b, label: BASELINE_LABELS[b] })),
            f.baseline,
            (value) => setForm({ baseline: value as Form['baseline'] }),
            'Baseline',
            'explain-baseline',
          ),
        ),
      ];
    case 'smoothgrad':
      return [
        numberField('Samples', 'samples'),
        numberField('Noise (σ, fraction of range)', 'noise'),
        field(
          'Variant',
          dropdown(
            SMOOTH_VARIANTS.map((v) => ({ value: v, label: VARIANT_LABELS[v] })),
            f.smoothVariant,
            (value) => setForm({ smoothVariant: value as Form['smoothVariant'] }),
            'SmoothGrad variant',
            'explain-variant',
          ),
        ),
      ];
    case 'grad-cam':
      return [
        field('Layer', dropdown(layerChoices(), f.layer, (value) => setForm({ layer: value }), 'Grad-CAM layer', 'explain-layer')),
        h('div', { class: 'field checkbox-field' }, checkbox('ReLU (positive evidence only)', f.relu, (checked) => setForm({ relu: checked }), 'explain-relu')),
      ];
    case 'occlusion':
      return [
        numberField('Window', 'window', String(defaultWindow())),
        numberField('Stride', 'stride', 'window'),
        numberField('Fill value', 'fill'),
      ];
    default:
      return [];
  }
}

function defaultWindow(): number {
  return inputKind() === 'image' ? 4 : 1;
}

function layerChoices(): Choice[] {
  const layers = (store.summary?.layers ?? []).filter((l) => l.outputShape.some((shape) => shape.length === 4));
  return [{ value: '', label: 'Automatic (last spatial layer)' }, ...layers.map((l) => ({ value: l.name, label: `${l.name} (${l.className})` }))];
}

/** Form → validated options, or the first problem found. */
function formOptions(f: Form): ExplainOptions | string {
  const L = EXPLAIN_LIMITS;
  const o: ExplainOptions = { method: f.method, metrics: f.metrics };
  const int = (text: string, name: string, [lo, hi]: readonly [number, number]): number | string => {
    const v = Number(text.trim());
    return text.trim() !== '' && Number.isInteger(v) && v >= lo && v <= hi ? v : `${name} must be a whole number from ${lo} to ${hi}.`;
  };
  const num = (text: string, name: string, [lo, hi]: readonly [number, number]): number | string => {
    const v = Number(text.trim());
    return text.trim() !== '' && Number.isFinite(v) && v >= lo && v <= hi ? v : `${name} must be a number from ${lo} to ${hi}.`;
  };
  const set = (key: keyof ExplainOptions, value: number | string): string | undefined => {
    if (typeof value === 'string') return value;
    (o as unknown as Record<string, unknown>)[key] = value;
    return undefined;
  };
  const problems: (string | undefined)[] = [];
  if (f.target !== '') problems.push(set('target', int(f.target, 'Target', L.target)));
  switch (f.method) {
    case 'integrated-gradients':
      problems.push(set('steps', int(f.steps, 'Steps', L.steps)));
      o.baseline = f.baseline;
      break;
    case 'smoothgrad':
      problems.push(set('samples', int(f.samples, 'Samples', L.samples)), set('noise', num(f.noise, 'Noise', L.noise)));
      o.smoothVariant = f.smoothVariant;
      break;
    case 'grad-cam':
      if (f.layer) o.layer = f.layer;
      o.relu = f.relu;
      break;
    case 'occlusion':
      problems.push(set('window', f.window.trim() === '' ? defaultWindow() : int(f.window, 'Window', L.window)));
      if (f.stride.trim() !== '') problems.push(set('stride', int(f.stride, 'Stride', L.stride)));
      problems.push(set('fill', num(f.fill, 'Fill value', L.fill)));
      break;
  }
  return problems.find((p) => p !== undefined) ?? o;
}

/** Options of a run (e.g. started by Explain Input…) → the form, keeping fields the run did not set. */
function formFrom(o: ExplainOptions, prev: Form): Form {
  const f: Form = { ...prev, method: o.method, target: o.target === undefined ? '' : String(o.target), metrics: !!o.metrics };
  if (o.steps !== undefined) f.steps = String(o.steps);
  if (o.baseline) f.baseline = o.baseline;
  if (o.samples !== undefined) f.samples = String(o.samples);
  if (o.noise !== undefined) f.noise = String(o.noise);
  if (o.smoothVariant) f.smoothVariant = o.smoothVariant;
  if (o.method === 'grad-cam') {
    f.layer = o.layer ?? '';
    f.relu = o.relu ?? true;
  }
  if (o.window !== undefined) f.window = String(o.window);
  if (o.stride !== undefined) f.stride = String(o.stride);
  if (o.fill !== undefined) f.fill = String(o.fill);
  return f;
}

/** A sample card's "Explain": select that sample (samples come first in the host's list) and run. */
export function explainSample(sample: number): void {
  if (sample >= store.inputs.length || store.inputs[sample].source !== 'sample') return;
  store.selected = sample;
  update();
  runClicked();
  store.root?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

function runClicked(): void {
  if (!store.inputs.length) {
    post({ type: 'chooseInput' });
    return;
  }
  const options = formOptions(store.form);
  if (typeof options === 'string') {
    store.formError = options;
    update();
    return;
  }
  post({ type: 'explain', input: store.selected, options });
}

// ---------------------------------------------------------------- status

function renderStatus(): HTMLElement | null {
  const r = store.running;
  if (r) return runningStatus('explain', `${METHOD_NAMES[r.options.method]} on ${r.inputLabel}`);
  const e = store.error;
  return e ? failedStatus('explain', `${METHOD_NAMES[e.options.method]} on ${e.inputLabel}`, e) : null;
}

// ---------------------------------------------------------------- result

function renderResult(run: ExplainRun & { result: SaliencyResult }): HTMLElement {
  const r = run.result;
  const grid = toGrid(r.attribution, store.view.signed);
  const visual = grid ? renderHeatmap(run) : renderBars(r);
  return h(
    'div',
    { class: `explain-result${store.running ? ' stale' : ''}`, 'data-testid': 'explain-result', 'data-run': String(run.run) },
    visual,
    renderDetails(run),
  );
}

function renderHeatmap(run: ExplainRun & { result: SaliencyResult }): HTMLElement {
  const canvas = h('canvas', { class: 'heatmap', 'data-testid': 'heatmap-canvas', role: 'img', 'aria-label': `${METHOD_NAMES[run.result.method]} heatmap over ${run.inputLabel}` });
  const legend = h('div', { class: 'legend', 'data-testid': 'heatmap-legend' });
  const redraw = () => void drawHeatmap(canvas, legend, run);
  const signed = checkbox('Signed', store.view.signed, (checked) => setView({ signed: checked }, true), 'heatmap-signed');
  const controls = h(
    'div',
    { class: 'heatmap-controls' },
    field(
      'Colormap',
      dropdown(
        HEATMAP_COLORMAPS.map((c) => ({ value: c, label: COLORMAP_LABELS[c] })),
        store.view.colormap,
        (value) => setView({ colormap: value as HeatmapView['colormap'] }, false, redraw),
        'Colormap',
        'heatmap-colormap',
      ),
    ),
    h(
      'label',
      { class: 'field' },
      h('span', { class: 'field-label' }, 'Opacity'),
      slider(0, 1, 0.05, store.view.opacity, (value) => setView({ opacity: value }, false, redraw), 'Heatmap opacity', 'heatmap-opacity'),
    ),
    h('div', { class: 'field checkbox-field' }, signed),
  );
  redraw();
  return h(
    'div',
    { class: 'heatmap-col' },
    canvas,
    legend,
    controls,
    h(
      'div',
      { class: 'actions' },
      button('Save PNG…', () => post({ type: 'exportExplanation', format: 'png', view: { ...store.view } }), 'secondary', 'export-png'),
      button('Save JSON…', () => post({ type: 'exportExplanation', format: 'json' }), 'secondary', 'export-json'),
    ),
  );
}

function setView(patch: Partial<HeatmapView>, rerender: boolean, redraw?: () => void): void {
  store.view = { ...store.view, ...patch };
  saved.update({ heatmap: { ...store.view } });
  if (rerender) update();
  else redraw?.();
}

const images = new Map<string, Promise<HTMLImageElement | null>>();

function loadImage(src: string): Promise<HTMLImageElement | null> {
  let p = images.get(src);
  if (!p) {
    p = new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => resolve(null);
      img.src = src;
    });
    if (images.size > 16) images.clear();
    images.set(src, p);
  }
  return p;
}

async function drawHeatmap(canvas: HTMLCanvasElement, legend: HTMLElement, run: ExplainRun & { result: SaliencyResult }): Promise<void> {
  const r = run.result;
  const view = store.view;
  const grid = toGrid(r.attribution, view.signed);
  const ctx = canvas.getContext('2d');
  if (!grid || !ctx) return;
  const img = r.input.preview ? await loadImage(r.input.preview) : null;
  const baseW = img?.naturalWidth || grid.width;
  const baseH = img?.naturalHeight || grid.height;
  const k = Math.max(1, Math.ceil(CANVAS_SIZE / Math.max(baseW, baseH)));
  canvas.width = baseW * k;
  canvas.height = baseH * k;
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (img) {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.globalAlpha = BASE_BRIGHTNESS;
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    ctx.globalAlpha = 1;
  }
  const heat = heatmapRGBA(grid, { ...view, overlay: !!img });
  const off = document.createElement('canvas');
  off.width = grid.width;
  off.height = grid.height;
  off.getContext('2d')?.putImageData(new ImageData(heat.rgba, grid.width, grid.height), 0, 0);
  // A coarser map than the input (Grad-CAM at the layer's resolution) is smoothed; a per-pixel map is not.
  ctx.imageSmoothingEnabled = grid.width < baseW;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  canvas.dataset.drawn = String(run.run);
  const scale = formatNumber(heat.scale);
  legend.replaceChildren(
    h('span', {}, view.signed ? `−${scale}` : '0'),
    h('span', { class: 'legend-bar', style: `background: ${cssGradient(heat.colormap)}` }),
    h('span', {}, view.signed ? `+${scale}` : `≥ ${scale}`),
    h('span', { class: 'legend-name' }, `${resolveColormap(view.colormap, view.signed)}${view.signed ? ', signed' : ', |attribution|'}`),
  );
  post({ type: 'explainRendered', run: run.run });
}

function renderBars(r: SaliencyResult): HTMLElement {
  const signed = store.view.signed;
  const values = featureValues(r.attribution, signed);
  const features = store.summary?.sidecar.sidecar.input?.features;
  // Text: one bar per token, in sentence order; tabular: the sidecar's feature names.
  const tokens = r.input.tokens?.length === values.length ? r.input.tokens : undefined;
  const names = tokens ?? (features && features.length === values.length ? features : values.map((_, i) => `x[${i}]`));
  let rows = values.map((v, i) => ({ name: names[i], v }));
  const total = rows.length;
  if (total > 40) rows = [...rows].sort((a, b) => Math.abs(b.v) - Math.abs(a.v)).slice(0, 40);
  const max = Math.max(1e-12, ...rows.map((row) => Math.abs(row.v)));
  const bars = h(
    'div',
    { class: `feature-bars${signed ? ' signed' : ''}`, 'data-testid': 'feature-bars' },
    ...rows.map((row) => {
      const pct = (Math.abs(row.v) / max) * (signed ? 50 : 100);
      const left = signed && row.v < 0 ? 50 - pct : signed ? 50 : 0;
      return h(
        'div',
        { class: 'feature-row' },
        h('span', { class: 'feature-name', title: row.name }, row.name),
        h('span', { class: 'feature-track' }, h('span', { class: `feature-bar ${row.v < 0 ? 'neg' : 'pos'}`, style: `left: ${left}%; width: ${pct}%` })),
        h('span', { class: 'feature-value' }, formatNumber(row.v)),
      );
    }),
  );
  queueMicrotask(() => post({ type: 'explainRendered', run: store.result?.run ?? 0 }));
  return h(
    'div',
    { class: 'heatmap-col' },
    bars,
    total > rows.length ? h('p', { class: 'muted' }, `The ${rows.length} largest of ${total} features.`) : null,
    h('div', { class: 'heatmap-controls' }, h('div', { class: 'field checkbox-field' }, checkbox('Signed', signed, (checked) => setView({ signed: checked }, true), 'heatmap-signed'))),
    h('div', { class: 'actions' }, button('Save JSON…', () => post({ type: 'exportExplanation', format: 'json' }), 'secondary', 'export-json')),
  );
}

function renderDetails(run: ExplainRun & { result: SaliencyResult }): HTMLElement {
  const r = run.result;
  const targetLabel = r.targetLabel && r.targetLabel !== String(r.target) ? `${r.target} (${r.targetLabel})` : String(r.target);
  return h(
    'div',
    { class: 'explain-details' },
    h('h3', { 'data-testid': 'explain-result-method' }, METHOD_NAMES[r.method], r.layer ? h('span', { class: 'muted' }, ` · layer ${r.layer}`) : null),
    h('p', { class: 'muted' }, run.inputLabel),
    h('p', { class: 'explain-summary', 'data-testid': 'explain-summary' }, r.summary),
    h(
      'dl',
      { class: 'explain-facts' },
      fact('Target', h('span', { 'data-testid': 'explain-result-target' }, targetLabel), `p = ${(r.targetProbability * 100).toFixed(1)}%`),
      r.completenessDelta !== undefined ? fact('Completeness Δ', h('span', { 'data-testid': 'explain-delta' }, formatNumber(r.completenessDelta)), 'Σ attribution − (F(x) − F(baseline))') : null,
      fact('Elapsed', h('span', { 'data-testid': 'explain-ms' }, `${Math.round(r.ms).toLocaleString('en-US')} ms`), r.backend),
    ),
    h('h4', {}, 'Top classes'),
    h(
      'ol',
      { class: 'classes', 'data-testid': 'explain-classes' },
      ...r.prediction.slice(0, 5).map((c) =>
        h(
          'li',
          { class: c.index === r.target ? 'is-target' : '' },
          h('span', { class: 'label' }, c.label),
          h('span', { class: 'bar', style: `width: ${(c.probability * 100).toFixed(1)}%` }),
          h('span', { class: 'prob' }, `${(c.probability * 100).toFixed(1)}%`),
        ),
      ),
    ),
    r.metrics ? renderMetrics(r) : null,
  );
}

function renderMetrics(r: SaliencyResult): HTMLElement {
  const m = r.metrics!;
  const row = (name: string, auc: number, random: number, curve: number[], better: 'lower' | 'higher', color: 'red' | 'green') => {
    const good = better === 'lower' ? auc < random : auc > random;
    const canvas = h('canvas', { class: 'curve', width: '180', height: '64', role: 'img', 'aria-label': `${name} curve` });
    drawCurve(canvas, curve, color);
    return h(
      'div',
      { class: 'metric' },
      h('div', {}, h('strong', {}, name), ` AUC ${auc.toFixed(3)} `, h('span', { class: good ? 'good' : 'bad' }, good ? `${better}` : `not ${better}`), ` than random ${random.toFixed(3)}`),
      canvas,
    );
  };
  return h(
    'div',
    { class: 'explain-metrics', 'data-testid': 'explain-metrics-result' },
    h('h4', {}, 'Faithfulness'),
    row('Deletion', m.deletionAuc, m.randomDeletionAuc, m.deletionCurve, 'lower', 'red'),
    row('Insertion', m.insertionAuc, m.randomInsertionAuc, m.insertionCurve, 'higher', 'green'),
    m.maxSensitivity !== undefined ? h('p', {}, `Max-sensitivity ${formatNumber(m.maxSensitivity)} (lower is steadier)`) : null,
  );
}

function drawCurve(canvas: HTMLCanvasElement, curve: number[], color: 'red' | 'green'): void {
  const ctx = canvas.getContext('2d');
  if (!ctx || curve.length < 2) return;
  const style = getComputedStyle(document.body);
  const stroke = style.getPropertyValue(`--vscode-charts-${color}`).trim() || (color === 'red' ? '#f14c4c' : '#89d185');
  const axis = style.getPropertyValue('--vscode-descriptionForeground').trim() || '#888';
  const w = canvas.width;
  const hgt = canvas.height;
  const pad = 4;
  ctx.clearRect(0, 0, w, hgt);
  ctx.strokeStyle = axis;
  ctx.globalAlpha = 0.5;
  ctx.beginPath();
  ctx.moveTo(pad, pad);
  ctx.lineTo(pad, hgt - pad);
  ctx.lineTo(w - pad, hgt - pad);
  ctx.stroke();
  ctx.globalAlpha = 1;
  const x = (i: number) => pad + ((w - 2 * pad) * i) / (curve.length - 1);
  const y = (v: number) => hgt - pad - (hgt - 2 * pad) * Math.max(0, Math.min(1, Number.isFinite(v) ? v : 0));
  ctx.fillStyle = stroke;
  ctx.globalAlpha = 0.15;
  ctx.beginPath();
  ctx.moveTo(x(0), y(0));
  curve.forEach((v, i) => ctx.lineTo(x(i), y(v)));
  ctx.lineTo(x(curve.length - 1), hgt - pad);
  ctx.lineTo(x(0), hgt - pad);
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  curve.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
  ctx.stroke();
}
