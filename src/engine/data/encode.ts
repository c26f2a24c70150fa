import { PNG } from 'pngjs';
import type { Preview } from './image';

/** RGBA pixels as PNG bytes. */
export function encodePng(image: Preview): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength);
  return PNG.sync.write(png);
}

/** PNG bytes as a data: URI, which the webview's CSP allows for images. */
export function pngBytesDataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** An RGBA preview as a PNG data: URI. */
export function pngDataUri(preview: Preview): string {
  return pngBytesDataUri(encodePng(preview));
}

/** The inverse of pngDataUri: a PNG data: URI back to RGBA pixels. */
export function decodePngDataUri(uri: string): Preview {
  const prefix = 'data:image/png;base64,';
  if (!uri.startsWith(prefix)) throw new Error('decodePngDataUri: not a PNG data: URI');
  const png = PNG.sync.read(Buffer.from(uri.slice(prefix.length), 'base64'));
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}
