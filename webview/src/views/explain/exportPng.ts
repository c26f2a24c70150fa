/**
 * Save PNG: the picture the panel shows — the heatmap over the input with the same pixels
 * (nearest neighbour), a title (method, input, target) and the colour bar with its scale, unit and
 * meaning — drawn on a canvas in the editor's colours and sent to the host, which asks where to
 * save it.
 */
import { METHOD_NAMES } from '../../../../src/shared/methods';
import { post } from '../../messaging';
import { themeColors } from '../../theme';
import { drawColorBar, wrap } from '../../widgets/colorBar';
import { drawHeatmap, heatmapColorBar, type Run, CANVAS_SIZE } from './heatmap';
import { formatScore, scoreName } from './meaning';
import type { ExplainStore } from './store';

const PAD = 16;
/** The legend needs room for a readable caption even beside a small heatmap. */
const MIN_WIDTH = 320;

export async function exportPng(store: ExplainStore, run: Run): Promise<void> {
  const picture = await renderPicture(store, run);
  if (picture) post({ type: 'exportExplanation', format: 'png', view: { ...store.view }, run: run.run, png: picture.toDataURL('image/png') });
}

/** The exported picture as a canvas, or null when the attribution is not an image. */
export async function renderPicture(store: ExplainStore, run: Run): Promise<HTMLCanvasElement | null> {
  const r = run.result;
  const heat = document.createElement('canvas');
  const drawn = await drawHeatmap(heat, r, { view: store.view, size: CANVAS_SIZE });
  if (!drawn) return null;
  const theme = themeColors();
  const bar = heatmapColorBar(r, store.view, drawn.scale);
  const width = Math.max(MIN_WIDTH, heat.width) + 2 * PAD;
  const title = `${METHOD_NAMES[r.method]}${r.layer ? ` (${r.layer})` : ''} · ${run.inputLabel} · target ${r.targetLabel}, ${scoreName(r)} = ${formatScore(r)}`;
  // Measure first (text wraps to the width), then draw.
  const scratch = document.createElement('canvas').getContext('2d')!;
  const size = Math.max(11, theme.fontSize - 1);
  scratch.font = `600 ${size + 1}px ${theme.fontFamily}`;
  const titleLines = wrap(scratch, title, width - 2 * PAD);
  const line = Math.round((size + 1) * 1.4);
  const top = PAD + titleLines.length * line + 6;
  const probe = document.createElement('canvas');
  probe.width = width;
  probe.height = 400;
  const legendHeight = drawColorBar(probe.getContext('2d')!, bar, PAD, 0, width - 2 * PAD, theme);
  const out = document.createElement('canvas');
  out.width = width;
  out.height = top + heat.height + 12 + legendHeight + PAD;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = theme.foreground;
  ctx.font = `600 ${size + 1}px ${theme.fontFamily}`;
  ctx.textBaseline = 'top';
  titleLines.forEach((t, i) => ctx.fillText(t, PAD, PAD + i * line));
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(heat, PAD, top);
  drawColorBar(ctx, bar, PAD, top + heat.height + 12, width - 2 * PAD, theme);
  out.dataset.heatmap = JSON.stringify({ x: PAD, y: top, width: heat.width, height: heat.height });
  return out;
}
