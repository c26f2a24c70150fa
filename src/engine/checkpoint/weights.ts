/** Reads weight shards from disk and checks them against the manifest before tfjs decodes them. */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { LensError } from '../errors';
import type { ModelJson } from './modelJson';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

export interface Weights {
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

export function readWeights(json: ModelJson, modelFile: string): Weights {
  const dir = path.dirname(modelFile);
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const shards = json.weightsManifest.flatMap((group) => group.paths).map((shard) => readShard(dir, shard));
  const data = concat(shards);
  const expected = expectedBytes(specs);
  if (expected !== null && expected !== data.byteLength) {
    const hint = data.byteLength < expected ? 'a shard is truncated or missing data' : 'the shards hold more data than the manifest lists';
    throw new LensError(
      'WEIGHTS_MISMATCH',
      `Weight shards hold ${data.byteLength} bytes but ${path.basename(modelFile)} lists ${expected} (${hint}); re-export the model.`,
    );
  }
  return { specs, data };
}

function readShard(dir: string, shard: string): Buffer {
  const file = path.resolve(dir, shard);
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(err as Error).message})`;
    throw new LensError('MISSING_WEIGHTS', `Weight shard '${shard}' listed in model.json ${reason}; keep the .bin files beside model.json.`);
  }
}

/** Bytes the manifest promises, or null when it holds strings (variable length). */
function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    if (!(dtype in BYTES)) return null;
    total += spec.shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
  }
  return total;
}

function concat(buffers: Buffer[]): ArrayBuffer {
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    out.set(b, offset);
    offset += b.byteLength;
  }
  return out.buffer;
}

/** Names of weights holding NaN or ±Inf: the model loads, but its outputs and gradients are suspect. */
export function nonFiniteWeights(weights: Weights): string[] {
  const tensors = tf.io.decodeWeights(weights.data, weights.specs);
  try {
    return Object.entries(tensors)
      .filter(([, t]) => t.dtype === 'float32' && !(t.dataSync() as Float32Array).every(Number.isFinite))
      .map(([name]) => name);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
