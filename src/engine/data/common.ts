/** Helpers shared by the input readers: reading files and comparing shapes. */
import { promises as fs } from 'fs';
import * as path from 'path';
import { LensError } from '../errors';

export type Shape = (number | null)[];

export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

/** Same rank, and every fixed model dimension equals ours (null = any). */
export function shapeFits(actual: readonly number[], expected: readonly (number | null)[]): boolean {
  return actual.length === expected.length && expected.every((d, i) => d === null || d === actual[i]);
}

export function assertShapeFits(
  file: string,
  actual: readonly number[],
  expected: readonly (number | null)[],
  hint = '',
): void {
  if (shapeFits(actual, expected)) return;
  throw new LensError(
    'INVALID_INPUT',
    `${base(file)}: input has shape ${formatShape(actual)} but the model expects ${formatShape(expected)}.${hint ? ' ' + hint : ''}`,
  );
}

/** Reads a whole input file; missing files and directories become LensErrors. */
export async function readInputFile(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new LensError('FILE_NOT_FOUND', `${file}: file not found.`);
    }
    if (code === 'EISDIR') throw new LensError('INVALID_INPUT', `${file}: is a directory, not an input file.`);
    throw new LensError('INVALID_INPUT', `${file}: cannot read (${(err as Error).message}).`);
  }
}

/** File name for messages: the path is long and the user knows which folder they picked. */
export function base(file: string): string {
  return path.basename(file);
}

/** mean/std from the sidecar, expanded to one value per channel/feature. */
export function perChannel(values: number[] | undefined, n: number, what: string, fallback: number): number[] {
  if (values === undefined) return new Array<number>(n).fill(fallback);
  if (values.length !== 1 && values.length !== n) {
    throw new LensError(
      'INVALID_SIDECAR',
      `Sidecar input.${what} has ${values.length} values but the input has ${n} channel(s)/feature(s); give one value, or one per channel/feature.`,
    );
  }
  if (what === 'std' && values.some((v) => !(v !== 0 && Number.isFinite(v)))) {
    throw new LensError('INVALID_SIDECAR', 'Sidecar input.std must be finite and non-zero.');
  }
  return values.length === n ? [...values] : new Array<number>(n).fill(values[0]);
}
