/** Fixture files for the input tests, written into a fresh temp dir. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import * as tf from '@tensorflow/tfjs';
import * as assert from 'assert';
import { LensError } from '../../../../src/engine/errors';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lens-inputs-'));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

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

/** Asserts the promise/function rejects with a LensError of `code` whose message matches every pattern. */
export async function rejectsLens(run: () => unknown, code: string, ...patterns: (string | RegExp)[]): Promise<LensError> {
  let caught: unknown;
  try {
    await run();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof LensError, `expected LensError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  assert.strictEqual(caught.code, code, caught.message);
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(caught.message.includes(p), `"${caught.message}" lacks "${p}"`);
    else assert.match(caught.message, p);
  }
  return caught;
}

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * Call inside a `describe`: before its tests, selects the cpu backend and makes a fresh temp dir
 * (`.dir`), removed after them.
 */
export function useTempDir(): { readonly dir: string } {
  let dir: string | undefined;
  before(async () => {
    await useCpu();
    dir = tempDir();
  });
  after(() => {
    if (dir !== undefined) removeDir(dir);
  });
  return {
    get dir(): string {
      if (dir === undefined) throw new Error('useTempDir: the temp dir exists only while the suite runs');
      return dir;
    },
  };
}

/** Deterministic bytes (mulberry32) so failures reproduce. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}
