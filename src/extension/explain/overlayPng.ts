/**
 * Host-side PNG of an attribution: the input preview (what the model sees) with the heatmap over
 * it, the same pixels the panel draws (webview/src/heatmap.ts is pure and shared). For hovers
 * (small thumbnails) and the panel's "Save PNG".
 */
import { PNG } from 'pngjs';
import type { SaliencyResult } from '../../protocol/saliency';
import type { HeatmapView } from '../../protocol/webview';
import { composite, heatmapRGBA, toGrid } from '../../../webview/src/heatmap';

export const DEFAULT_VIEW: HeatmapView = { colormap: 'auto', signed: false, opacity: 0.7 };

/** PNG bytes, about `size` pixels on the longer side (integer upscaling, nearest neighbour); undefined for non-spatial attributions. */
export function renderOverlayPng(result: SaliencyResult, size: number, view: HeatmapView = DEFAULT_VIEW): Buffer | undefined {
  const grid = toGrid(result.attribution, view.signed);
  if (!grid) return undefined;
  const base = decodePreview(result.input.preview);
  const heat = heatmapRGBA(grid, { ...view, overlay: !!base });
  const w = base?.width ?? grid.width;
  const h = base?.height ?? grid.height;
  const factor = Math.max(1, Math.round(size / Math.max(w, h)));
  const width = Math.min(4096, w * factor);
  const height = Math.min(4096, h * factor);
  const pixels = composite(base, { width: grid.width, height: grid.height, rgba: heat.rgba }, width, height);
  const png = new PNG({ width, height });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return PNG.sync.write(png);
}

function decodePreview(preview: string | undefined): { width: number; height: number; rgba: Uint8Array } | null {
  const match = preview && /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(preview);
  if (!match) return null;
  try {
    const png = PNG.sync.read(Buffer.from(match[1], 'base64'));
    return { width: png.width, height: png.height, rgba: png.data };
  } catch {
    return null;
  }
}
