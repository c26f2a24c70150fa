/**
 * Text inputs: a .txt file → token ids for a model that starts with an embedding.
 *
 * The text is lowercased (sidecar input.lowercase), split into tokens on every character that is
 * not a letter, a digit or an apostrophe, and each token is looked up in the sidecar's vocab
 * (a JSON array of strings, index = id). Unknown tokens get id 1, and the ids are padded with 0
 * or truncated to the model's fixed sequence length, else the sidecar's input.maxLength, else
 * left at the number of tokens. The result is an int32 tensor [1, L].
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Sidecar } from '../../protocol/model';
import { LensError } from '../errors';
import { base } from './common';
import { PieceTokenizer } from './pieces';

export const PAD_ID = 0;
export const UNKNOWN_ID = 1;

export interface TextInput {
  tensor: tf.Tensor2D;
  /** The token at each of the L positions: the text's words, then the vocab's padding token. */
  tokens: string[];
  description: string;
}

/** Splits text into tokens: runs of letters, digits and apostrophes. */
export function tokenize(text: string, lowercase: boolean): string[] {
  const source = lowercase ? text.toLowerCase() : text;
  return source.split(/[^\p{L}\p{N}']+/u).filter((t) => t.length > 0);
}

/** Reads and checks a vocab file: a JSON array of strings. */
export function readVocab(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new LensError('INVALID_SIDECAR', `The sidecar's input.vocab names ${file}, which cannot be read.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new LensError('INVALID_SIDECAR', `${base(file)} (the sidecar's input.vocab) is not valid JSON (${(err as Error).message}).`);
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new LensError('INVALID_SIDECAR', `${base(file)} (the sidecar's input.vocab) must be a non-empty JSON array of strings, the token of each id.`);
  }
  return value as string[];
}

/**
 * Turns `text` into token ids. `modelLength` is the model's fixed sequence length (null when free);
 * `sidecarDir` resolves input.vocab.
 */
export function textInput(file: string, text: string, sidecar: Sidecar, sidecarDir: string | null, modelLength: number | null): TextInput {
  const { ids, tokens, description } = textEncoder(file, sidecar, sidecarDir, modelLength)(file, text);
  return { tensor: tf.tensor2d(ids, [1, ids.length], 'int32'), tokens, description };
}

export interface EncodedText {
  ids: Int32Array;
  tokens: string[];
  description: string;
}

/**
 * Reads the sidecar's vocab once and returns the encoder of textInput, for many texts (training
 * sets). `file` names the source in messages about the sidecar; each text names its own.
 */
export function textEncoder(
  file: string,
  sidecar: Sidecar,
  sidecarDir: string | null,
  modelLength: number | null,
): (file: string, text: string) => EncodedText {
  const settings = sidecar.input;
  if (!settings?.vocab) {
    throw new LensError('INVALID_SIDECAR', `${base(file)} is text, but the model's sidecar names no vocabulary: set input.vocab to a JSON array of tokens (index = id).`);
  }
  if (sidecarDir === null) {
    throw new LensError('INVALID_SIDECAR', `The sidecar's input.vocab '${settings.vocab}' is relative to the sidecar, and there is no sidecar file.`);
  }
  const vocab = readVocab(path.resolve(sidecarDir, settings.vocab));
  const ids = new Map<string, number>();
  vocab.forEach((token, id) => {
    if (!ids.has(token)) ids.set(token, id);
  });
  const padToken = vocab[PAD_ID] ?? '<pad>';
  // A causal language model's pieces are read as they are, and never padded.
  const pieces = settings.tokenizer === 'pieces' ? new PieceTokenizer(vocab, UNKNOWN_ID) : null;

  return (file, text) => {
    const source = text.replace(/^\uFEFF/, '');
    const words = pieces ? pieces.encode(source).map((p) => p.text) : tokenize(source, settings.lowercase === true);
    if (words.length === 0) throw new LensError('INVALID_INPUT', `${base(file)} holds no words to explain.`);
    const length = modelLength ?? (pieces ? null : settings.maxLength) ?? words.length;
    const kept = words.slice(0, length);
    const data = new Int32Array(length).fill(PAD_ID);
    kept.forEach((w, i) => (data[i] = ids.get(w) ?? UNKNOWN_ID));
    const tokens = [...kept, ...new Array<string>(length - kept.length).fill(padToken)];
    const unknown = kept.filter((w) => !ids.has(w)).length;
    const notes = [
      `${words.length} token${words.length === 1 ? '' : 's'}`,
      ...(unknown > 0 ? [`${unknown} unknown`] : []),
      ...(words.length > length ? [`truncated to ${length}`] : words.length < length ? [`padded to ${length}`] : []),
    ];
    return { ids: data, tokens, description: `${base(file)} (text, ${notes.join(', ')})` };
  };
}
