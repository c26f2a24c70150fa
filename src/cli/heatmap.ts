/**
 * The CLI's `saliency --out` heatmap.png: the shared heatmap (src/shared/heatmap, the same pixels
 * the panel draws and the extension exports) over the input's preview, else a grid of cells for
 * tabular and tensor inputs, encoded as PNG.
 */
import type { SaliencyResult } from '../protocol/saliency';
import type { HeatmapView } from '../protocol/webview';
import { decodePngDataUri, encodePng } from '../engine/data/encode';
import { defaultSigned, DEFAULT_VIEW, featureGrid, renderHeatmap, toGrid } from '../shared/heatmap';

/** Small inputs (MNIST's 28×28) are enlarged to at least this many pixels per side, pixel by pixel. */
const MIN_SIDE = 224;
/** Pixels per side of a cell when a map has no image under it. */
const CELL = 24;

/** A saliency result as a PNG. By default signed when the method's map has meaningful negative values. */
export function heatmapPng(result: SaliencyResult, view: Partial<HeatmapView> = {}): Buffer {
  const { shape, data } = result.attribution;
  const full: HeatmapView = { ...DEFAULT_VIEW, signed: defaultSigned(result.method, data), ...view };
  const preview = result.input.preview ? decodePngDataUri(result.input.preview) : null;
  const grid = toGrid(result.attribution, full.signed, preview ?? undefined);
  const cells = grid ? null : featureGrid({ shape, data }, full.signed);
  const image = cells ? renderHeatmap(cells, null, full, Math.max(cells.width, cells.height) * CELL) : renderHeatmap(grid!, preview, full, MIN_SIDE);
  return encodePng({ width: image.width, height: image.height, rgba: new Uint8Array(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength) });
}
