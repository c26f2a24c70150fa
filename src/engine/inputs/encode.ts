import { PNG } from 'pngjs';
import type { Preview } from './image';

/** An RGBA preview as a PNG data: URI, which the webview's CSP allows for images. */
export function pngDataUri(preview: Preview): string {
  const png = new PNG({ width: preview.width, height: preview.height });
  png.data = Buffer.from(preview.rgba.buffer, preview.rgba.byteOffset, preview.rgba.byteLength);
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}
