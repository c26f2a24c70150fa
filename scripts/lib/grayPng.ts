/** 8-bit grayscale PNGs of pixel values in [0, 1], as the example scripts write their images. */
import * as fs from 'fs';
import { PNG } from 'pngjs';

const GRAY = { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false } as const;

/** Writes `pixels` (row-major, height × width, values clamped to [0, 1]) to `file`. */
export function writeGrayPng(file: string, pixels: ArrayLike<number>, width: number, height = width): void {
  const png = new PNG({ width, height, ...GRAY });
  png.data = Buffer.from(Array.from(pixels, (x) => Math.round(Math.min(1, Math.max(0, x)) * 255)));
  fs.writeFileSync(file, PNG.sync.write(png, GRAY));
}
