/** Reading and writing the example models' model.json + weights files with fs. */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { saveLayersModel } from '../../src/engine/checkpoint/save';

/** The bundled examples must stay small: weights.bin under 1 MB. */
const MAX_WEIGHT_BYTES = 1 << 20;

export interface ModelFiles {
  json: { modelTopology: unknown; weightsManifest: tf.io.WeightsManifestConfig; format?: string };
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

/** Reads model.json and its weight shards from `dir`, the way the engine does. */
export function readModelFiles(dir: string): ModelFiles {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
  const weightSpecs = manifest.flatMap((g) => g.weights);
  const joined = Buffer.concat(manifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
  const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
  return { json, weightSpecs, weightData };
}

/** Loads the layers model saved in `dir`. */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const { json, weightSpecs, weightData } = readModelFiles(dir);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs, weightData }));
}

/**
 * Empties `dir` and saves `model` there as model.json + weights.bin; returns the size of
 * weights.bin, which must stay under 1 MB.
 */
export async function saveExampleModel(model: tf.LayersModel, dir: string): Promise<number> {
  fs.rmSync(dir, { recursive: true, force: true });
  await saveLayersModel(model, dir);
  const weightBytes = fs.statSync(path.join(dir, 'weights.bin')).size;
  if (weightBytes >= MAX_WEIGHT_BYTES) throw new Error(`weights.bin is ${weightBytes} bytes (limit 1 MB)`);
  return weightBytes;
}
