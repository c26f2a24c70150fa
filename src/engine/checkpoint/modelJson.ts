/** Reads and checks `model.json` before tfjs sees it, so each defect gets its own actionable message. */
import * as fs from 'fs';
import * as path from 'path';
import type * as tf from '@tensorflow/tfjs';
import type { ModelFormat } from '../../protocol/model';
import { LensError } from '../errors';

export interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  trainingConfig?: tf.io.TrainingConfig;
  signature?: object;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: object;
}

export function readModelJson(file: string): { json: ModelJson; format: ModelFormat } {
  const name = path.basename(file);
  const text = readText(file, name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const hint = text.trim().length === 0 ? 'the file is empty' : (err as Error).message;
    throw new LensError('INVALID_JSON', `${name} is not valid JSON (${hint}); is it truncated? Re-export the model.`);
  }
  const json = checkShape(parsed, name);
  return { json, format: detectFormat(json, name) };
}

function readText(file: string, name: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LensError('FILE_NOT_FOUND', `${file} does not exist.`);
    if (code === 'EISDIR') throw new LensError('INVALID_MODEL', `${file} is a folder; choose its model.json.`);
    throw new LensError('FILE_NOT_FOUND', `Cannot read ${name}: ${(err as Error).message}`);
  }
}

function checkShape(value: unknown, name: string): ModelJson {
  const what = `${name} is not a TensorFlow.js model`;
  if (!isObject(value)) throw new LensError('INVALID_MODEL', `${what}: expected a JSON object.`);
  if (!isObject(value.modelTopology)) {
    throw new LensError('INVALID_MODEL', `${what}: it has no "modelTopology". Export with tfjs-converter or model.save().`);
  }
  const manifest = value.weightsManifest ?? [];
  if (!Array.isArray(manifest) || !manifest.every(isManifestGroup)) {
    throw new LensError('INVALID_MODEL', `${what}: "weightsManifest" must be a list of {paths, weights} groups.`);
  }
  return { ...(value as object), weightsManifest: manifest } as ModelJson;
}

function isManifestGroup(group: unknown): boolean {
  return (
    isObject(group) &&
    Array.isArray(group.paths) &&
    group.paths.every((p) => typeof p === 'string') &&
    Array.isArray(group.weights) &&
    group.weights.every((w) => isObject(w) && typeof w.name === 'string' && Array.isArray(w.shape) && typeof w.dtype === 'string')
  );
}

function detectFormat(json: ModelJson, name: string): ModelFormat {
  if (json.format === 'layers-model' || json.format === 'graph-model') return json.format;
  const topology = json.modelTopology;
  if (Array.isArray(topology.node)) return 'graph-model';
  if ('class_name' in topology || 'model_config' in topology) return 'layers-model';
  throw new LensError(
    'INVALID_MODEL',
    `${name}: cannot tell whether this is a layers or a graph model (format "${json.format ?? 'missing'}", no model_config or node list).`,
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
