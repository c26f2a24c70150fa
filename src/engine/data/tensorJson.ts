/** Tensor JSON: a nested array of numbers, fed to the model as-is (no preprocessing). */
import * as tf from '@tensorflow/tfjs';
import { LensError } from '../errors';
import { assertShapeFits, base, formatShape, readInputFile } from './common';

export interface ModelInputSpec {
  shape: (number | null)[];
  dtype: string;
}

/** Deeper than any model input; bounds recursion on hostile files. */
const MAX_RANK = 16;

export function parseTensorJson(file: string, text: string, spec: ModelInputSpec): { tensor: tf.Tensor; description: string } {
  const { values, shape, batchAdded } = tensorValues(file, parseJson(file, text), spec);
  const tensor = tf.tensor(values, shape, values instanceof Int32Array ? 'int32' : 'float32');
  const description = `${base(file)}: tensor ${formatShape(shape)}${batchAdded ? ' (batch dimension added)' : ''}, used as-is`;
  return { tensor, description };
}

/** JSON.parse with messages that name the file, and say why Python's NaN/Infinity fail. */
export function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // Python's json.dumps writes NaN/Infinity, which JSON.parse rejects with a vague message.
    if (/\b(NaN|Infinity)\b/.test(text)) {
      throw new LensError('INVALID_INPUT', `${base(file)}: contains NaN or Infinity; tensor JSON must hold finite numbers only.`);
    }
    throw new LensError('INVALID_INPUT', `${base(file)}: not valid JSON (${(err as Error).message}).`);
  }
}

/**
 * A parsed nested array as flat values (int32 when the model input is) and its shape, checked
 * against the model input; a missing batch dimension is added.
 */
export function tensorValues(
  file: string,
  value: unknown,
  spec: ModelInputSpec,
): { values: Float32Array | Int32Array; shape: number[]; batchAdded: boolean } {
  const fail = (why: string): LensError => new LensError('INVALID_INPUT', `${base(file)}: ${why}`);
  if (!Array.isArray(value)) throw fail(`expected a nested array of numbers, got ${typeName(value)}.`);

  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) {
    if (shape.length === MAX_RANK) throw fail(`array is nested more than ${MAX_RANK} levels deep.`);
    if (v.length === 0) throw fail(`empty array at ${pathOf(new Array<number>(shape.length).fill(0))}.`);
    shape.push(v.length);
  }

  const int = spec.dtype === 'int32';
  const values: number[] = [];
  const walk = (v: unknown, path: number[]): void => {
    const d = path.length;
    if (d < shape.length) {
      if (!Array.isArray(v)) throw fail(`ragged array: ${pathOf(path)} is ${typeName(v)}, expected an array of ${shape[d]}.`);
      if (v.length !== shape[d]) {
        throw fail(`ragged array: ${pathOf(path)} has ${v.length} elements, expected ${shape[d]} like ${pathOf(path.map(() => 0))}.`);
      }
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i], path);
        path.pop();
      }
      return;
    }
    if (v === null) throw fail(`element ${pathOf(path)} is null (a NaN or missing value?); tensor JSON must hold numbers only.`);
    if (typeof v !== 'number') throw fail(`element ${pathOf(path)} is ${typeName(v)}, not a number.`);
    if (!Number.isFinite(v)) throw fail(`element ${pathOf(path)} is not a finite number.`);
    if (int && !Number.isInteger(v)) throw fail(`element ${pathOf(path)} is ${v}; the model input is int32.`);
    values.push(v);
  };
  walk(value, []);

  // Accept the sample with or without its batch dimension.
  const batchAdded = spec.shape.length === shape.length + 1;
  const full = batchAdded ? [1, ...shape] : shape;
  assertShapeFits(file, full, spec.shape);
  return { values: int ? Int32Array.from(values) : Float32Array.from(values), shape: full, batchAdded };
}

export async function loadTensorJson(file: string, spec: ModelInputSpec): Promise<{ tensor: tf.Tensor; description: string }> {
  const bytes = await readInputFile(file);
  return parseTensorJson(file, bytes.toString('utf8').replace(/^\uFEFF/, ''), spec);
}

function pathOf(path: number[]): string {
  return path.length ? path.map((i) => `[${i}]`).join('') : 'the top level';
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
