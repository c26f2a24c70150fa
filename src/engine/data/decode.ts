/** PNG/JPEG bytes → RGBA, in pure JS. Format comes from magic bytes, never the extension. */
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { LensError } from '../errors';
import { base } from './common';

export interface Rgba {
  width: number;
  height: number;
  /** width*height*4 bytes, row-major. */
  data: Uint8Array;
  format: 'PNG' | 'JPEG';
}

/** Decoded size cap: a few-KB file can declare a gigapixel canvas. */
const MAX_PIXELS = 64 * 1024 * 1024;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type ImageFormat = 'PNG' | 'JPEG' | 'GIF' | 'BMP' | 'WebP' | 'TIFF';

export function sniffImage(bytes: Uint8Array): ImageFormat | null {
  const starts = (sig: number[], at = 0): boolean => sig.every((b, i) => bytes[at + i] === b);
  if (starts(PNG_MAGIC)) return 'PNG';
  if (starts([0xff, 0xd8, 0xff])) return 'JPEG';
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'GIF';
  if (starts([0x42, 0x4d])) return 'BMP';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'WebP';
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  return null;
}

export function decodeImage(file: string, bytes: Uint8Array): Rgba {
  const format = sniffImage(bytes);
  try {
    if (format === 'PNG') return decodePng(bytes);
    if (format === 'JPEG') return decodeJpeg(bytes);
  } catch (err) {
    throw cannotDecode(file, `${format}: ${firstLine(err)}`);
  }
  if (bytes.length === 0) throw cannotDecode(file, 'empty file');
  throw cannotDecode(file, format ? `${format} is not supported` : 'not a PNG or JPEG file');
}

function decodePng(bytes: Uint8Array): Rgba {
  // IHDR is always first: width/height at bytes 16..23. Check before pngjs allocates.
  if (bytes.length < 33) throw new Error('truncated header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkSize(view.getUint32(16), view.getUint32(20));
  // pngjs normalises every colour type and bit depth to 8-bit RGBA.
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (png.data.length !== png.width * png.height * 4) throw new Error('unexpected pixel data length');
  return { width: png.width, height: png.height, data: new Uint8Array(png.data), format: 'PNG' };
}

function decodeJpeg(bytes: Uint8Array): Rgba {
  const img = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP: MAX_PIXELS / 1e6,
    maxMemoryUsageInMB: 1024,
  });
  checkSize(img.width, img.height);
  return { width: img.width, height: img.height, data: img.data, format: 'JPEG' };
}

function checkSize(width: number, height: number): void {
  if (width === 0 || height === 0) throw new Error(`zero-sized image ${width}×${height}`);
  if (width * height > MAX_PIXELS) throw new Error(`${width}×${height} is larger than ${MAX_PIXELS / 2 ** 20} MP`);
}

function cannotDecode(file: string, why: string): LensError {
  return new LensError('INVALID_INPUT', `${base(file)}: cannot decode image (${why}). Model Lens reads PNG and JPEG.`);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
