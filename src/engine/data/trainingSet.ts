/**
 * Training sets for influence analyses: an image folder (one sub-folder per class), CSV/TSV rows,
 * JSONL texts or tensor JSON, read into one tensor with every example preprocessed exactly as a
 * single input of that kind. Rows that cannot be read are listed in `skipped` with the reason.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import type * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { ExampleLocation, ExamplePreview } from '../../protocol/influence';
import type { Checkpoint } from '../checkpoint/load';
import { LensError } from '../errors';
import { quietContext } from '../common/context';
import { TrainingSetBuilder } from './trainingSet/builder';
import { readCsvSet } from './trainingSet/csvRows';
import { readImageFolder } from './trainingSet/imageFolder';
import { readJsonlSet } from './trainingSet/jsonl';
import { readTensorJsonSet } from './trainingSet/tensorJson';

export type TrainingSetFormat = 'image-folder' | 'csv' | 'jsonl' | 'tensor-json';

export interface TrainingSet {
  /** Absolute path of the folder or file. */
  path: string;
  format: TrainingSetFormat;
  /** [n, ...model input]: float32, or int32 token ids for text (and for tensor JSON when the model input is int32). */
  x: tf.Tensor;
  /** Class index of each example. */
  labels: Int32Array;
  /** Image path relative to the folder ('7/img-3.png'), `<file>:<line>` for CSV/JSONL rows, `<file>:<index>` for tensor JSON. */
  ids: string[];
  locations: ExampleLocation[];
  /** Examples that could not be read, in reading order, with why. */
  skipped: { id: string; reason: string }[];
  /** sha256 of the source files (relative paths and bytes), the ids, labels and preprocessed values: a cache key. */
  hash: string;
  /** What a gallery shows for example i (encoded on demand). */
  preview(i: number): ExamplePreview;
  /** Frees x. */
  dispose(): void;
}

/** Reads the training set at `source` (a folder or a .csv/.tsv, .jsonl or .json file) for `checkpoint`'s input. */
export async function loadTrainingSet(source: string, checkpoint: Checkpoint, ctx: RunContext = quietContext()): Promise<TrainingSet> {
  const root = path.resolve(source);
  const format = await formatOf(root);
  const set = new TrainingSetBuilder(root, checkpoint, ctx);
  const read = { 'image-folder': readImageFolder, csv: readCsvSet, jsonl: readJsonlSet, 'tensor-json': readTensorJsonSet }[format];
  await read(root, set);
  return set.build(format);
}

/**
 * The training set to use: `given` (relative to the working folder), else the sidecar's data.train
 * (relative to the sidecar).
 */
export function trainingSetPath(checkpoint: Checkpoint, given?: string): string {
  if (given) return path.resolve(given);
  const { path: sidecarFile, sidecar } = checkpoint.sidecar;
  const train = sidecar.data?.train;
  if (!train || !sidecarFile) {
    throw new LensError('INVALID_INPUT', "No training set: name one in the sidecar's data.train, or pass it (--train).");
  }
  return path.resolve(path.dirname(sidecarFile), train);
}

async function formatOf(root: string): Promise<TrainingSetFormat> {
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.stat(root)).isDirectory();
  } catch {
    throw new LensError('FILE_NOT_FOUND', `${root}: training set not found.`);
  }
  if (isDirectory) return 'image-folder';
  const ext = path.extname(root).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.jsonl') return 'jsonl';
  if (ext === '.json') return 'tensor-json';
  throw new LensError(
    'INVALID_INPUT',
    `${path.basename(root)}: unknown training-set format; use an image folder with one sub-folder per class, a .csv/.tsv, a .jsonl of {"text", "label"} or a tensor .json {"x", "y"}.`,
  );
}
