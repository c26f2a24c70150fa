/**
 * The inputs last run through a model, decoded and preprocessed, with the model's output on them:
 * predicting a file and then explaining it with one method after another (gradient, IG, Grad-CAM…)
 * decodes it and runs the forward pass once. Entries are keyed by the checkpoint's version and the
 * input file's and the sidecar's sizes and times, so an edited file or model is loaded again; the
 * least recently used is dropped beyond a few. Requests run concurrently (the panel predicts its
 * samples while a run awaits its training set), so an entry in use is disposed only once its last
 * user is done.
 */
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../checkpoint/load';
import { forwardAsync } from '../checkpoint/forward';
import { fileStamp } from '../common/fileStamp';
import { loadInput, type LoadedInput } from './input';

const MAX_ENTRIES = 4;

export interface RunInput {
  /** Owned by the cache: callers must not dispose `input.tensor` or `output`. */
  input: LoadedInput;
  /** The model's selected head (checkpoint.head, default the first output), read, one row per example: [examples, outputs]. */
  output: tf.Tensor2D;
}

interface Entry extends RunInput {
  /** Runs of use() not yet settled. */
  users: number;
  /** Dropped from the cache while in use: disposed when the last user is done. */
  dropped: boolean;
}

export class InputCache {
  private readonly entries = new Map<string, Entry>();

  /**
   * Runs `fn` on `file` loaded for the checkpoint's (single) input and the selected head's output on
   * it. The entry stays alive until `fn` settles, even if other requests push it out meanwhile.
   */
  async use<T>(checkpoint: Checkpoint, file: string, fn: (entry: RunInput) => Promise<T> | T): Promise<T> {
    const entry = await this.get(checkpoint, file);
    entry.users++;
    try {
      return await fn(entry);
    } finally {
      entry.users--;
      if (entry.dropped && entry.users === 0) dispose(entry);
    }
  }

  private async get(checkpoint: Checkpoint, file: string): Promise<Entry> {
    const key = [checkpoint.path, checkpoint.stamp, stampOf(checkpoint.sidecar.path), file, stampOf(file), checkpoint.head?.index ?? 0].join('\n');
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key); // most recent last
      this.entries.set(key, hit);
      return hit;
    }
    const input = await loadInput(file, checkpoint.inputs[0], checkpoint.sidecar.sidecar, checkpoint.sidecar.path);
    let output: tf.Tensor2D;
    try {
      const raw = await forwardAsync(checkpoint, input.tensor);
      output = tf.tidy(() => raw.reshape([input.tensor.shape[0] ?? 1, -1]) as tf.Tensor2D);
      raw.dispose();
    } catch (err) {
      input.tensor.dispose();
      throw err;
    }
    const entry: Entry = { input, output, users: 0, dropped: false };
    this.entries.set(key, entry);
    while (this.entries.size > MAX_ENTRIES) this.drop(this.entries.keys().next().value as string);
    return entry;
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    if (!entry) return;
    if (entry.users > 0) entry.dropped = true;
    else dispose(entry);
  }
}

function dispose(entry: Entry): void {
  tf.dispose([entry.input.tensor, entry.output]);
}

function stampOf(file: string | null): string {
  if (!file) return '';
  try {
    return fileStamp(file);
  } catch {
    return 'missing';
  }
}
