/**
 * Per-example training gradients (and the exact solver's Hessian), cached on disk per model
 * weights, scope and training-set hash: the first query on a model pays one backward pass per
 * training example, later queries only the test gradient and dot products. Files are written
 * atomically (temp file + rename); a missing, short or unwritable file only costs speed.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { RunContext } from '../../protocol/engine';
import type { Dataset, GradientRows, Objective } from './objective';

/** Bump when the loss or the gradient layout changes, so old files are not reused. */
const FORMAT = 'model-lens-gradients-v2';
/** The cache folder keeps the most recently used files within this size; older ones are deleted. */
const CACHE_MAX_BYTES = 512 * 1024 * 1024;

/** Identifies the gradients of `objective` over a training set whose content hashes to trainHash. */
export function gradientKey(objective: Objective, trainHash: string): string {
  const hash = createHash('sha256').update(FORMAT).update(trainHash).update(JSON.stringify(objective.scope.layers)).update(String(objective.output)).update(objective.loss.squash);
  hash.update(JSON.stringify(objective.model.toJSON(null, false)));
  for (const w of objective.model.getWeights()) hash.update(new Uint8Array((w.dataSync() as Float32Array).slice().buffer));
  return hash.digest('hex').slice(0, 32);
}

export async function trainingGradients(
  objective: Objective,
  train: Dataset,
  key: string,
  cacheDir: string | undefined,
  ctx: RunContext,
): Promise<{ rows: GradientRows; cached: boolean }> {
  const n = train.labels.length;
  const p = objective.size;
  const { value, cached } = await cachedArray(cacheDir && path.join(cacheDir, `${key}.f32`), Float32Array, n * p, async () => (await objective.exampleGradients(train, ctx)).data);
  return { rows: { n, p, data: value }, cached };
}

type ArrayKind<T> = { new (length: number): T; BYTES_PER_ELEMENT: number };

/** The array stored in `file` if it has `length` elements, else compute() (stored when file is set). */
export async function cachedArray<T extends Float32Array | Float64Array>(
  file: string | undefined,
  kind: ArrayKind<T>,
  length: number,
  compute: () => Promise<T>,
): Promise<{ value: T; cached: boolean }> {
  const hit = file ? read(file, kind, length) : null;
  if (hit) return { value: hit, cached: true };
  const value = await compute();
  if (file) {
    write(file, value);
    prune(path.dirname(file), CACHE_MAX_BYTES);
  }
  return { value, cached: false };
}

function read<T extends Float32Array | Float64Array>(file: string, kind: ArrayKind<T>, length: number): T | null {
  try {
    const bytes = fs.readFileSync(file);
    if (bytes.byteLength !== length * kind.BYTES_PER_ELEMENT) return null;
    const value = new kind(length);
    new Uint8Array(value.buffer).set(bytes);
    const now = new Date();
    fs.utimesSync(file, now, now); // recently used: pruning keeps it
    return value;
  } catch {
    return null;
  }
}

function write(file: string, value: Float32Array | Float64Array): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temp, new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    fs.renameSync(temp, file);
  } catch {
    fs.rmSync(temp, { force: true });
  }
}

/** Deletes the least recently used files of `dir` until the rest fit in maxBytes. */
export function prune(dir: string, maxBytes: number): void {
  try {
    const files = fs
      .readdirSync(dir)
      .map((name) => path.join(dir, name))
      .map((file) => ({ file, stat: fs.statSync(file) }))
      .filter(({ stat }) => stat.isFile())
      .sort((a, b) => b.stat.mtimeMs - a.stat.mtimeMs);
    let total = 0;
    for (const { file, stat } of files) {
      total += stat.size;
      if (total > maxBytes) fs.rmSync(file, { force: true });
    }
  } catch {
    // Another process pruning at the same time, or a folder we cannot list: nothing to lose.
  }
}
