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

/**
 * What an example's label is: 'classes', a class of the model (training and test sets); 'names',
 * any name, numbered in the order first read (a probe's labels, which need not be the model's
 * classes); 'none', no label at all (concept and random sets: an image folder needs no class
 * sub-folders, a CSV no label column, JSONL no "label", tensor JSON no "y").
 */
export type LabelMode = 'classes' | 'names' | 'none';

export interface ReadOptions {
  labels?: LabelMode;
  /** What the set is, for messages ('training set', "concept 'striped'"). */
  what?: string;
}

export interface TrainingSet {
  /** Absolute path of the folder or file. */
  path: string;
  format: TrainingSetFormat;
  /** [n, ...model input]: float32, or int32 token ids for text (and for tensor JSON when the model input is int32). */
  x: tf.Tensor;
  /** Class index of each example ('names': index into labelNames; 'none': -1). */
  labels: Int32Array;
  /** 'names' mode: the label names, in the order first read. */
  labelNames?: string[];
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
export async function loadTrainingSet(source: string, checkpoint: Checkpoint, ctx: RunContext = quietContext(), how: ReadOptions = {}): Promise<TrainingSet> {
  const root = path.resolve(source);
  const what = how.what ?? 'training set';
  const format = await formatOf(root, what);
  const set = new TrainingSetBuilder(root, checkpoint, ctx, how.labels ?? 'classes', what);
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

/** The format of a set's file by its extension; null for anything else. */
export function fileFormat(file: string): Exclude<TrainingSetFormat, 'image-folder'> | null {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.jsonl') return 'jsonl';
  if (ext === '.json') return 'tensor-json';
  return null;
}

async function formatOf(root: string, what: string): Promise<TrainingSetFormat> {
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.stat(root)).isDirectory();
  } catch {
    throw new LensError('FILE_NOT_FOUND', `${root}: ${what} not found.`);
  }
  if (isDirectory) return 'image-folder';
  const format = fileFormat(root);
  if (format) return format;
  throw new LensError(
    'INVALID_INPUT',
    `${path.basename(root)}: unknown format of ${what}; use an image folder${what === 'training set' ? ' with one sub-folder per class' : ''}, a .csv/.tsv, a .jsonl of {"text", "label"} or a tensor .json {"x", "y"}.`,
  );
}

/**
 * The sets that `source` holds when it holds several (random counterparts for TCAV): its
 * sub-folders and set files (.csv/.tsv, .jsonl, .json), sorted by name; null when it is one set (a
 * file, or a folder of images). A folder that mixes images with sets is refused, naming both.
 */
export async function setParts(source: string, what: string): Promise<string[] | null> {
  const root = path.resolve(source);
  let entries;
  try {
    if (!(await fs.stat(root)).isDirectory()) return null;
    entries = (await fs.readdir(root, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  } catch {
    throw new LensError('FILE_NOT_FOUND', `${root}: ${what} not found.`);
  }
  const parts = entries.filter((e) => e.isDirectory() || (e.isFile() && fileFormat(e.name) !== null)).map((e) => e.name);
  if (parts.length === 0) return null;
  const loose = entries.find((e) => e.isFile() && fileFormat(e.name) === null);
  if (loose) {
    throw new LensError('INVALID_INPUT', `${root}: ${what} mixes sets (${parts[0]}) with loose files (${loose.name}); give a folder of sets, or one folder of examples.`);
  }
  return parts.sort().map((p) => path.join(root, p));
}
