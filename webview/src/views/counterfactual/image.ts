/**
 * Image counterfactuals side by side, at model resolution enlarged by nearest neighbour: the
 * original, the counterfactual and their difference map (after − before, blue–white–red, with its
 * colour bar); for a region swap also the distractor, the training image of the target class the
 * cells came from. Swapped cells are outlined and numbered in swap order on the query images and on
 * the distractor, so cell n on one is cell n's source on the other.
 */
import type { CellBox, Counterfactual } from '../../../../src/protocol/counterfactual';
import { enlargeFactor, heatmapRGBA, pixelDifference, type Rgba } from '../../../../src/shared/heatmap';
import { h } from '../../dom';
import { colorBar } from '../../widgets/colorBar';
import { loadImage } from '../explain/heatmap';
import { changedUnit, copyButtons, metricFacts, percent, type Run } from './result';

/** Each picture's longer side, at least (whole enlargements). */
const SIZE = 140;
/** Cell outlines: amber inside a black line, visible on white, black and the diverging map alike. */
const OUTLINE = '#ffb000';

export function renderImages(run: Run): HTMLElement {
  return h('div', { class: 'cf-image-sets' }, ...run.result.counterfactuals.map((cf, i) => renderSet(run, cf, i)));
}

function renderSet(run: Run, cf: Counterfactual, index: number): HTMLElement {
  const r = run.result;
  const queryCells = cf.cells?.map((c) => c.query) ?? [];
  const picture = (testId: string, title: string, note: string) => {
    const canvas = h('canvas', { class: 'cf-canvas', 'data-testid': testId, role: 'img', 'aria-label': `${title}: ${note}` });
    return { canvas, figure: h('figure', { class: 'cf-figure' }, canvas, h('figcaption', {}, h('strong', {}, title), h('span', { class: 'muted' }, note))) };
  };
  const original = picture('counterfactual-original-image', 'Original', `${r.original.label} (${percent(r.original.probability)})`);
  const counterfactual = picture('counterfactual-image', `Counterfactual #${index + 1}`, `${cf.label} (${percent(cf.probability)})`);
  const difference = picture('counterfactual-difference', 'Difference', 'counterfactual − original');
  const legend = h('div', { class: 'cf-legend-box' });
  difference.figure.append(legend);
  const d = cf.distractor;
  const distractor = d ? picture('counterfactual-distractor', 'Distractor', `${d.id} (class ${r.targetLabel})`) : undefined;
  void (async () => {
    const [before, after, source] = await Promise.all([pixels(r.original.image), pixels(cf.image), pixels(d?.image)]);
    if (before) paint(original.canvas, before, queryCells);
    if (after) paint(counterfactual.canvas, after, queryCells);
    if (source && distractor) paint(distractor.canvas, source, cf.cells?.map((c) => c.distractor) ?? []);
    if (before && after && before.width === after.width && before.height === after.height) {
      const grid = pixelDifference(before, after);
      const scale = Math.max(1, ...Array.from(grid.values, Math.abs));
      const heat = heatmapRGBA(grid, { colormap: 'blue-white-red', signed: true, opacity: 1, overlay: false, scale });
      // Outlines only: a number would hide the change inside a small cell.
      paint(difference.canvas, { width: grid.width, height: grid.height, rgba: heat.rgba }, queryCells, false);
      legend.replaceChildren(colorBar({ colormap: 'blue-white-red', signed: true, scale, unit: 'change in pixel value (0–255)', positive: 'brighter', negative: 'darker', testId: 'counterfactual-colorbar' }));
    }
  })();
  const cells = cf.cells?.length ? `${changedUnit(r, cf.cells.length)} swapped in from ${d?.id ?? 'a training image'}; the numbers pair each cell with its source` : changedUnit(r, cf.sparsity) + ' changed';
  return h(
    'section',
    { class: 'cf-image-set', 'data-testid': 'counterfactual-image-set' },
    h('h4', {}, `#${index + 1} · ${cf.label} (${percent(cf.probability)})`, h('span', { class: 'muted' }, ` · ${cells}`)),
    h('div', { class: 'cf-images' }, original.figure, counterfactual.figure, difference.figure, distractor?.figure),
    metricFacts(r, cf),
    copyButtons(run, index),
  );
}

/** An image's pixels at its own size (null when it does not decode). */
async function pixels(src: string | undefined): Promise<Rgba | null> {
  const img = src?.startsWith('data:image/') ? await loadImage(src) : null;
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  if (!img || !ctx) return null;
  [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
  ctx.drawImage(img, 0, 0);
  return { width: canvas.width, height: canvas.height, rgba: ctx.getImageData(0, 0, canvas.width, canvas.height).data };
}

/** Draws the pixels enlarged by a whole factor, then outlines `cells` (pixel boxes at the image's size) and numbers them. */
function paint(canvas: HTMLCanvasElement, image: Rgba, cells: CellBox[], numbered = true): void {
  const k = enlargeFactor(image.width, image.height, SIZE);
  const off = document.createElement('canvas');
  [off.width, off.height] = [image.width, image.height];
  off.getContext('2d')?.putImageData(new ImageData(Uint8ClampedArray.from(image.rgba), image.width, image.height), 0, 0);
  [canvas.width, canvas.height] = [image.width * k, image.height * k];
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  ctx.font = 'bold 11px sans-serif';
  ctx.textBaseline = 'top';
  cells.forEach((c, i) => {
    const [x, y, w, hgt] = [c.x * k, c.y * k, c.width * k, c.height * k];
    for (const [width, color] of [[3, '#000'], [1.5, OUTLINE]] as const) {
      ctx.lineWidth = width;
      ctx.strokeStyle = color;
      ctx.strokeRect(x + 1.5, y + 1.5, w - 3, hgt - 3);
    }
    if (!numbered) return;
    const label = String(i + 1);
    ctx.fillStyle = '#000';
    ctx.fillRect(x + 2, y + 2, ctx.measureText(label).width + 4, 13);
    ctx.fillStyle = OUTLINE;
    ctx.fillText(label, x + 4, y + 3);
  });
  canvas.dataset.cells = String(cells.length);
  canvas.dataset.drawn = 'true';
}
