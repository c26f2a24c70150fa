/** Fixture files for the input tests, written into a fresh temp dir. */
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import * as tf from '@tensorflow/tfjs';
import * as assert from 'assert';
import { tempDir } from '../../../helpers/tempDir';
import { makeRng } from '../../../../src/engine/common/random';

export { rejectsLens } from '../../../helpers/assertLens';

/** 2×2 RGB pixels for pngBytes(2, 2, RGBW): red, green (top row), blue, white (bottom row). */
export const RGBW = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 255],
];

/** RGBA pixels (one [r,g,b,a?] per pixel, row-major) → PNG bytes. */
export function pngBytes(width: number, height: number, pixels: number[][]): Buffer {
  const png = new PNG({ width, height });
  pixels.forEach((p, i) => png.data.set([p[0], p[1], p[2], p[3] ?? 255], 4 * i));
  return PNG.sync.write(png);
}

export function jpegBytes(width: number, height: number, rgba: Uint8Array, quality = 95): Buffer {
  return jpeg.encode({ width, height, data: Buffer.from(rgba) }, quality).data;
}

export function write(dir: string, name: string, data: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

export function near(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  assert.strictEqual(actual.length, expected.length, `length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}]: ${actual[i]} ≠ ${expected[i]} (±${tol})\n${Array.from(actual).join(',')}`);
  }
}

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * Call inside a `describe`: before its tests, selects the cpu backend and makes a fresh temp dir
 * (`.dir`), removed when the run ends.
 */
export function useTempDir(): { readonly dir: string } {
  let dir: string | undefined;
  before(async () => {
    await useCpu();
    dir = tempDir('lens-inputs-');
  });
  return {
    get dir(): string {
      if (dir === undefined) throw new Error('useTempDir: the temp dir exists only while the suite runs');
      return dir;
    },
  };
}

/** Deterministic bytes, so failures reproduce. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const rng = makeRng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
}
