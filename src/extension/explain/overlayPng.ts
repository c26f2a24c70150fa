/**
 * Host-side PNG of an attribution: the input preview (what the model sees) with the heatmap over
 * it, the same pixels the panel draws (src/shared/heatmap is pure and shared). For hovers (small
 * thumbnails) and the panel's "Save PNG".
 */
import { PNG } from 'pngjs';
import type { SaliencyResult } from '../../protocol/saliency';
import type { HeatmapView } from '../../protocol/webview';
import { DEFAULT_VIEW, renderHeatmap, toGrid } from '../../shared/heatmap';

/** PNG bytes, at least `size` pixels on the longer side (integer upscaling, nearest neighbour); undefined for non-spatial attributions. */
export function renderOverlayPng(result: SaliencyResult, size: number, view: HeatmapView = DEFAULT_VIEW): Buffer | undefined {
  const base = decodePreview(result.input.preview);
  const grid = toGrid(result.attribution, view.signed, base ?? undefined);
  if (!grid) return undefined;
  const image = renderHeatmap(grid, base, view, size);
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength);
  return PNG.sync.write(png);
}

/** A PNG data: URI the panel drew, as the PNG's bytes; undefined unless they decode as a PNG. */
export function decodePngUri(uri: string): Buffer | undefined {
  const match = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(uri);
  if (!match) return undefined;
  const bytes = Buffer.from(match[1], 'base64');
  try {
    PNG.sync.read(bytes);
    return bytes;
  } catch {
    return undefined;
  }
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
