/** Tensor JSON sets: {"x": [n, ...input shape] nested arrays, "y": [n labels]} ("y" not needed without labels), used as-is. */
import * as path from 'path';
import { LensError } from '../../errors';
import { formatShape } from '../common';
import { parseJson, tensorValues } from '../tensorJson';
import type { TrainingSetBuilder } from './builder';

/** Each x[i] is read as a single tensor JSON input (tensorValues); ids are `<file>:<index>`. */
export async function readTensorJsonSet(file: string, set: TrainingSetBuilder): Promise<void> {
  const name = path.basename(file);
  const bytes = await set.readSource(file);
  const value = parseJson(file, bytes.toString('utf8').replace(/^\uFEFF/, ''));
  const { x, y } = (typeof value === 'object' && value !== null ? value : {}) as { x?: unknown; y?: unknown };
  if (!Array.isArray(x) || (set.labelled && !Array.isArray(y))) {
    throw new LensError('INVALID_INPUT', `${name}: expected an object {"x": [one nested array per example]${set.labelled ? ', "y": [one label per example]' : ''}}.`);
  }
  if (Array.isArray(y) && x.length !== y.length) throw new LensError('INVALID_INPUT', `${name}: "x" has ${x.length} examples but "y" has ${y.length} labels.`);
  for (let i = 0; i < x.length; i++) {
    const id = `${name}:${i}`;
    set.attempt(id, () => {
      const label = set.labelOf(Array.isArray(y) ? y[i] : undefined);
      const { values, shape } = tensorValues(`${name} x[${i}]`, x[i], set.spec);
      const summary = summarise(values, shape.slice(1));
      set.add({ id, location: { path: file }, label, values, shape, preview: () => ({ kind: 'tensor', summary }) });
    });
    await set.tick(i + 1, x.length);
  }
}

/** Shape and value range, e.g. "[28,28,1], min 0, max 1, mean 0.1307". */
function summarise(values: Float32Array | Int32Array, shape: number[]): string {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const round = (v: number): string => String(Number(v.toPrecision(4)));
  return `${formatShape(shape)}, min ${round(min)}, max ${round(max)}, mean ${round(sum / values.length)}`;
}
