/**
 * The Explain result's visual, drawn client-side: the heatmap over what the model sees on a
 * <canvas> (colormap, opacity and signed/absolute redraw it without recomputing), or per-feature
 * bars for tabular and text inputs; then the details (plots.ts). Save PNG / JSON ask the host.
 */
import type { SaliencyResult } from '../../../../src/protocol/saliency';
import { HEATMAP_COLORMAPS, type HeatmapView, type SectionMessage } from '../../../../src/protocol/webview';
import { BASE_BRIGHTNESS, cssGradient, featureValues, heatmapRGBA, resolveColormap, toGrid } from '../../../../src/shared/heatmap';
import { METHOD_NAMES } from '../../../../src/shared/methods';
import { button, checkbox, dropdown, slider } from '../../components';
import { formatNumber, h } from '../../dom';
import { post, saved } from '../../messaging';
import { field } from '../form';
import { rendered } from '../section';
import { renderDetails } from './plots';
import type { ExplainStore } from './store';

/** A result of the Explain section. */
export type Run = Extract<SectionMessage<'explain'>, { type: 'sectionResult' }> & { result: SaliencyResult };

const COLORMAP_LABELS: Record<HeatmapView['colormap'], string> = {
  auto: 'Auto (viridis / diverging)',
  viridis: 'Viridis',
  inferno: 'Inferno',
  gray: 'Gray',
  'blue-white-red': 'Blue–white–red',
};
const CANVAS_SIZE = 280;

export function renderResult(store: ExplainStore, run: Run, redrawAll: () => void): HTMLElement {
  const r = run.result;
  const grid = toGrid(r.attribution, store.view.signed);
  const visual = grid ? renderHeatmap(store, run, redrawAll) : renderBars(store, run, redrawAll);
  return h(
    'div',
    { class: `explain-result${store.running ? ' stale' : ''}`, 'data-testid': 'explain-result', 'data-run': String(run.run) },
    visual,
    renderDetails(run),
  );
}

function renderHeatmap(store: ExplainStore, run: Run, redrawAll: () => void): HTMLElement {
  const canvas = h('canvas', { class: 'heatmap', 'data-testid': 'heatmap-canvas', role: 'img', 'aria-label': `${METHOD_NAMES[run.result.method]} heatmap over ${run.inputLabel}` });
  const legend = h('div', { class: 'legend', 'data-testid': 'heatmap-legend' });
  const redraw = () => void drawHeatmap(canvas, legend, run, store.view);
  const signed = checkbox('Signed', store.view.signed, (checked) => setView(store, { signed: checked }, redrawAll), 'heatmap-signed');
  const controls = h(
    'div',
    { class: 'heatmap-controls' },
    field(
      'Colormap',
      dropdown(
        HEATMAP_COLORMAPS.map((c) => ({ value: c, label: COLORMAP_LABELS[c] })),
        store.view.colormap,
        (value) => setView(store, { colormap: value as HeatmapView['colormap'] }, redraw),
        'Colormap',
        'heatmap-colormap',
      ),
    ),
    h(
      'label',
      { class: 'field' },
      h('span', { class: 'field-label' }, 'Opacity'),
      slider(0, 1, 0.05, store.view.opacity, (value) => setView(store, { opacity: value }, redraw), 'Heatmap opacity', 'heatmap-opacity'),
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

/** A display choice changed: saved, then `redraw` (the canvas only, or the section for signed/absolute). */
function setView(store: ExplainStore, patch: Partial<HeatmapView>, redraw: () => void): void {
  store.view = { ...store.view, ...patch };
  saved.update({ heatmap: { ...store.view } });
  redraw();
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

async function drawHeatmap(canvas: HTMLCanvasElement, legend: HTMLElement, run: Run, view: HeatmapView): Promise<void> {
  const r = run.result;
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
  rendered('explain', run.run);
}

function renderBars(store: ExplainStore, run: Run, redrawAll: () => void): HTMLElement {
  const r = run.result;
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
  queueMicrotask(() => rendered('explain', run.run));
  return h(
    'div',
    { class: 'heatmap-col' },
    bars,
    total > rows.length ? h('p', { class: 'muted' }, `The ${rows.length} largest of ${total} features.`) : null,
    h('div', { class: 'heatmap-controls' }, h('div', { class: 'field checkbox-field' }, checkbox('Signed', signed, (checked) => setView(store, { signed: checked }, redrawAll), 'heatmap-signed'))),
    h('div', { class: 'actions' }, button('Save JSON…', () => post({ type: 'exportExplanation', format: 'json' }), 'secondary', 'export-json')),
  );
}

