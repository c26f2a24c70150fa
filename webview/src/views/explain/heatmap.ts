/**
 * Image attributions, drawn client-side: the heatmap over what the model sees on a <canvas>
 * (nearest neighbour, as exported), its colour bar (scale, unit and sign), and the display
 * controls (colormap, opacity, signed/absolute: redrawn without recomputing) with Save PNG/JSON.
 */
import type { SaliencyResult } from '../../../../src/protocol/saliency';
import { HEATMAP_COLORMAPS, type HeatmapView, type SectionResult } from '../../../../src/protocol/webview';
import { BASE_BRIGHTNESS, heatmapRGBA, resolveColormap, toGrid, type Grid } from '../../../../src/shared/heatmap';
import { METHOD_NAMES } from '../../../../src/shared/methods';
import { button, checkbox, dropdown, slider } from '../../components';
import { h } from '../../dom';
import { post, saved } from '../../messaging';
import { colorBar, type ColorBarSpec } from '../../widgets/colorBar';
import { field } from '../form';
import { exportPng } from './exportPng';
import { attributionUnit } from './meaning';
import type { ExplainStore } from './store';

/** A result of the Explain section. */
export type Run = SectionResult<'explain'>;

const COLORMAP_LABELS: Record<HeatmapView['colormap'], string> = {
  auto: 'Auto (viridis / diverging)',
  viridis: 'Viridis',
  inferno: 'Inferno',
  gray: 'Gray',
  'blue-white-red': 'Blue–white–red',
};
export const CANVAS_SIZE = 280;

/** How a heatmap is drawn: the display choices, and optionally a grid and scale shared with other maps. */
export interface HeatmapDraw {
  view: HeatmapView;
  /** The grid to draw (default: the result's own, reduced as `view.signed` says). */
  grid?: Grid;
  /** The colormap's end (default: the grid's own robust scale). */
  scale?: number;
  /** The canvas's longer side, at least (whole enlargements of the input). */
  size: number;
}

/** The colour bar of a drawn heatmap. */
export function heatmapColorBar(r: SaliencyResult, view: HeatmapView, scale: number, unit = attributionUnit(r, view.signed), testId?: string): ColorBarSpec {
  return { colormap: resolveColormap(view.colormap, view.signed), signed: view.signed, scale, ...unit, ...(testId ? { testId } : {}) };
}

/** The full image view of a result: canvas, colour bar, display controls and Save. */
export function renderHeatmap(store: ExplainStore, run: Run, redrawAll: () => void): HTMLElement {
  const canvas = h('canvas', { class: 'heatmap', 'data-testid': 'heatmap-canvas', role: 'img', 'aria-label': `${METHOD_NAMES[run.result.method]} heatmap over ${run.inputLabel}` });
  const legend = h('div', { class: 'legend', 'data-testid': 'heatmap-legend' });
  const redraw = () =>
    void drawHeatmap(canvas, run.result, { view: store.view, size: CANVAS_SIZE }).then((drawn) => {
      if (!drawn) return;
      canvas.dataset.drawn = String(run.run);
      legend.replaceChildren(colorBar(heatmapColorBar(run.result, store.view, drawn.scale, undefined, 'heatmap-colorbar')));
    });
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
  return h('div', { class: 'heatmap-col' }, canvas, legend, controls, saveButtons(store, run));
}

/** Save PNG (the panel's picture with its colour bar) and Save JSON, for the result shown. */
export function saveButtons(store: ExplainStore, run: Run, png = true): HTMLElement {
  return h(
    'div',
    { class: 'actions' },
    png ? button('Save PNG…', () => void exportPng(store, run), 'secondary', 'export-png') : null,
    button('Save JSON…', () => post({ type: 'exportExplanation', format: 'json', run: run.run }), 'secondary', 'export-json'),
  );
}

/** A display choice changed: saved, then `redraw` (the canvas only, or the section for signed/absolute). */
function setView(store: ExplainStore, patch: Partial<HeatmapView>, redraw: () => void): void {
  store.view = { ...store.view, ...patch };
  saved.update({ heatmap: { ...store.view } });
  redraw();
}

const images = new Map<string, Promise<HTMLImageElement | null>>();

export function loadImage(src: string): Promise<HTMLImageElement | null> {
  let p = images.get(src);
  if (!p) {
    p = new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => resolve(null);
      img.src = src;
    });
    if (images.size > 32) images.clear();
    images.set(src, p);
  }
  return p;
}

/**
 * Draws the heatmap over the input (dimmed) on `canvas`, both enlarged by nearest neighbour to a
 * whole multiple of the input's size. Resolves with the scale used, or null for a non-spatial map.
 */
export async function drawHeatmap(canvas: HTMLCanvasElement, r: SaliencyResult, d: HeatmapDraw): Promise<{ scale: number } | null> {
  const grid = d.grid ?? toGrid(r.attribution, d.view.signed);
  const ctx = canvas.getContext('2d');
  if (!grid || !ctx) return null;
  const img = r.input.preview ? await loadImage(r.input.preview) : null;
  const baseW = img?.naturalWidth || grid.width;
  const baseH = img?.naturalHeight || grid.height;
  const k = Math.max(1, Math.ceil(d.size / Math.max(baseW, baseH)));
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
  const heat = heatmapRGBA(grid, { ...d.view, overlay: !!img, ...(d.scale !== undefined ? { scale: d.scale } : {}) });
  const off = document.createElement('canvas');
  off.width = grid.width;
  off.height = grid.height;
  off.getContext('2d')?.putImageData(new ImageData(heat.rgba, grid.width, grid.height), 0, 0);
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  return { scale: heat.scale };
}
