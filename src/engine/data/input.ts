/** Turns a user's input file into a model-ready tensor: images, CSV rows, text or tensor JSON. */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Sidecar } from '../../protocol/model';
import { LensError } from '../errors';
import { assertShapeFits, base, readInputFile } from './common';
import { csvInput } from './csv';
import { sniffImage } from './decode';
import { planImage, prepareImage, type Preview } from './image';
import { parseTensorJson, type ModelInputSpec } from './tensorJson';
import { textInput } from './text';

export interface LoadedInput {
  tensor: tf.Tensor;
  kind: 'image' | 'tabular' | 'tensor' | 'text';
  description: string;
  /** Text: the token at each position of the tensor (padding included). */
  tokens?: string[];
  /** Row labels (the sidecar's labelColumn) for tabular inputs that have them. */
  labels?: string[];
  /** Images: what the model sees, as RGBA at model resolution. */
  preview?: Preview;
}

export type { Preview } from './image';
export type { ModelInputSpec } from './tensorJson';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

const HINTS: Record<LoadedInput['kind'], string> = {
  image: 'Set input.size and input.channels in the sidecar to match the model.',
  tabular: "List the model's columns in the sidecar's input.features.",
  tensor: '',
  text: "Set input.maxLength in the sidecar to the model's sequence length.",
};

/**
 * Loads `file` for a model input of `spec`. Kind comes from content first (PNG/JPEG magic bytes),
 * then the extension, then the sidecar's input.kind. The result's shape is checked against spec.
 * `sidecarPath` (the sidecar file, null when there is none) resolves the sidecar's relative paths
 * (a text model's vocab).
 */
export async function loadInput(file: string, spec: ModelInputSpec, sidecar: Sidecar, sidecarPath: string | null = null): Promise<LoadedInput> {
  const bytes = await readInputFile(file);
  const kind = chooseKind(file, bytes, sidecar);
  const loaded = castTo(load(kind, file, bytes, spec, sidecar, sidecarPath), spec.dtype);
  try {
    assertShapeFits(file, loaded.tensor.shape, spec.shape, HINTS[kind]);
  } catch (err) {
    loaded.tensor.dispose();
    throw err;
  }
  return loaded;
}

/** Images and CSV rows decode to float32: an integer input (MoveNet's pixels) gets them rounded to its dtype. */
function castTo(loaded: LoadedInput, dtype: string): LoadedInput {
  if (loaded.tensor.dtype === dtype || (dtype !== 'int32' && dtype !== 'float32')) return loaded;
  const cast = tf.tidy(() => (dtype === 'int32' ? tf.round(loaded.tensor).toInt() : loaded.tensor.toFloat()));
  loaded.tensor.dispose();
  return { ...loaded, tensor: cast, description: `${loaded.description}, as ${dtype}` };
}

function chooseKind(file: string, bytes: Buffer, sidecar: Sidecar): LoadedInput['kind'] {
  if (sniffImage(bytes) !== null) return 'image';
  const ext = path.extname(file).toLowerCase();
  if (IMAGE_EXT.has(ext)) return 'image'; // decoding then reports why it is not a PNG/JPEG
  if (ext === '.csv' || ext === '.tsv') return 'tabular';
  if (ext === '.json') return 'tensor';
  const declared = sidecar.input?.kind;
  if (declared === 'image' || declared === 'tabular' || declared === 'tensor' || declared === 'text') return declared;
  // A .txt file is text unless the sidecar declares another kind (CSV rows saved as .txt).
  if (ext === '.txt') return 'text';
  throw new LensError(
    'INVALID_INPUT',
    `${base(file)}: unknown input type. Model Lens reads PNG and JPEG images, CSV rows (.csv), text (.txt) and tensor JSON (.json).`,
  );
}

function load(
  kind: LoadedInput['kind'],
  file: string,
  bytes: Buffer,
  spec: ModelInputSpec,
  sidecar: Sidecar,
  sidecarPath: string | null,
): LoadedInput {
  if (kind === 'text') {
    const fixed = spec.shape.length === 2 ? spec.shape[1] : null;
    const { tensor, tokens, description } = textInput(file, bytes.toString('utf8'), sidecar, sidecarPath ? path.dirname(sidecarPath) : null, fixed);
    return { tensor, kind, description, tokens };
  }
  if (kind === 'image') {
    // Integer image inputs (MoveNet) take raw 0–255 pixels unless the sidecar scales them.
    const raw = spec.dtype === 'int32' && sidecar.input?.scale === undefined;
    const plan = planImage(spec.shape, raw ? { ...sidecar, input: { kind: 'image', ...sidecar.input, scale: 1 } } : sidecar);
    const img = prepareImage(file, bytes, plan.options);
    const tensor = tf.tensor(img.data, plan.shapeFor(img.height, img.width, img.channels), 'float32');
    return { tensor, kind, description: img.description, preview: img.preview };
  }
  if (kind === 'tabular') {
    const { tensor, labels, description } = csvInput(file, bytes.toString('utf8'), sidecar.input);
    return labels ? { tensor, kind, description, labels } : { tensor, kind, description };
  }
  const { tensor, description } = parseTensorJson(file, bytes.toString('utf8').replace(/^\uFEFF/, ''), spec);
  return { tensor, kind, description };
}
