/**
 * Collects a training set's examples as the format readers find them: checks each example's shape
 * and label, records skipped rows with the reason, hashes what was read, and packs the result.
 */
import { headSettings } from '../../checkpoint/outputKinds';
import { createHash, type Hash } from 'crypto';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../../protocol/engine';
import type { ExampleLocation, ExamplePreview } from '../../../protocol/influence';
import type { Sidecar, TensorSpec } from '../../../protocol/model';
import type { Checkpoint } from '../../checkpoint/load';
import { LensError } from '../../errors';
import { base, formatShape, readInputFile, shapeFits } from '../common';
import type { LabelMode, TrainingSet, TrainingSetFormat } from '../trainingSet';

export interface Example {
  id: string;
  location: ExampleLocation;
  /** From labelOf (-1 without labels). */
  label: number;
  /** The preprocessed input, flat. */
  values: Float32Array | Int32Array;
  /** Its shape with a batch dimension of 1, as the single-input readers give it. */
  shape: number[];
  preview: () => ExamplePreview;
}

/** How often progress is reported and cancellation checked, in examples. */
const PROGRESS_EVERY = 100;

export class TrainingSetBuilder {
  readonly spec: TensorSpec;
  readonly sidecar: Sidecar;
  /** Folder that resolves the sidecar's relative paths (a text model's vocab), null without a sidecar file. */
  readonly sidecarDir: string | null;
  private readonly examples: Example[] = [];
  private readonly skipped: { id: string; reason: string }[] = [];
  private readonly hash: Hash = createHash('sha256');
  private readonly classes: number | null;
  /** The head's label names (sidecar), for 'classes' mode. */
  private readonly labelNames: string[];
  /** 'names' mode: the names read so far, by index. */
  private readonly names: string[] = [];
  private reported = 0;

  constructor(
    readonly root: string,
    checkpoint: Checkpoint,
    private readonly ctx: RunContext,
    readonly labelMode: LabelMode = 'classes',
    /** What the set is, for messages. */
    readonly what = 'training set',
  ) {
    if (checkpoint.inputs.length !== 1) {
      throw new LensError('INVALID_INPUT', `The model has ${checkpoint.inputs.length} inputs; training sets are read for models with one input only.`);
    }
    this.spec = checkpoint.inputs[0];
    this.sidecar = checkpoint.sidecar.sidecar;
    this.sidecarDir = checkpoint.sidecar.path ? path.dirname(checkpoint.sidecar.path) : null;
    // The classes and label names of the head the request reads (model/head.ts), default the first.
    const index = checkpoint.head?.index ?? 0;
    const head = checkpoint.outputs[index];
    this.classes = head?.kind === 'sigmoid' ? 2 : (head?.shape.at(-1) ?? null);
    this.labelNames = (head && headSettings(this.sidecar, index, head.name).labels) ?? [];
  }

  /** Feeds a source file (its path relative to the set, then its bytes) to the hash. */
  source(relative: string, bytes: Uint8Array): void {
    this.hash.update(`file\0${relative}\0${bytes.length}\0`).update(bytes);
  }

  /** Reads a single-file training set and hashes it. */
  async readSource(file: string): Promise<Buffer> {
    const bytes = await readInputFile(file);
    this.source(base(file), bytes);
    return bytes;
  }

  /** Whether examples carry labels (readers then require them: class sub-folders, a label column…). */
  get labelled(): boolean {
    return this.labelMode !== 'none';
  }

  /** The label of an example as the mode reads it: a class (classOf), a name's index, or -1 without labels. */
  labelOf(raw: unknown): number {
    if (this.labelMode === 'classes') return this.classOf(raw);
    if (this.labelMode === 'none') return -1;
    const name = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    if (name === '') throw new LensError('INVALID_INPUT', typeof raw === 'string' ? 'the label is empty.' : `label ${JSON.stringify(raw) ?? String(raw)} is not a name or number.`);
    const known = this.names.indexOf(name);
    return known >= 0 ? known : this.names.push(name) - 1;
  }

  /**
   * The class index of a label: a name from the sidecar's labels, else a class index (number or
   * digits). Throws a LensError with the reason when it is neither or outside the model's classes.
   */
  classOf(raw: unknown): number {
    const names = this.labelNames;
    let index: number;
    if (typeof raw === 'string' && names.includes(raw.trim())) index = names.indexOf(raw.trim());
    else if (typeof raw === 'string' && /^\d+$/.test(raw.trim())) index = Number(raw.trim());
    else if (typeof raw === 'number' && Number.isInteger(raw)) index = raw;
    else {
      const known = names.length ? `a name from the sidecar's labels (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}) or a class index` : 'a class index';
      const what = typeof raw === 'string' && raw.trim() === '' ? 'the label is empty' : `label ${JSON.stringify(raw) ?? String(raw)} is not a class`;
      throw new LensError('INVALID_INPUT', `${what}; use ${known}.`);
    }
    if (this.classes !== null && (index < 0 || index >= this.classes)) {
      throw new LensError('INVALID_INPUT', `label ${index} is outside the model's ${this.classes} classes (0–${this.classes - 1}).`);
    }
    return index;
  }

  /** Runs read() for one example; a LensError it throws skips the example with its message as the reason. */
  attempt(id: string, read: () => void): void {
    try {
      read();
    } catch (err) {
      if (!(err instanceof LensError)) throw err;
      this.skip(id, err.message);
    }
  }

  add(example: Example): void {
    const first = this.examples[0]?.shape;
    if (example.shape[0] !== 1) {
      this.skip(example.id, `holds ${example.shape[0]} examples (shape ${formatShape(example.shape)}); give one example per entry.`);
    } else if (!shapeFits(example.shape, this.spec.shape)) {
      this.skip(example.id, `shape ${formatShape(example.shape)} but the model expects ${formatShape(this.spec.shape)}.`);
    } else if (first && first.join() !== example.shape.join()) {
      this.skip(example.id, `shape ${formatShape(example.shape)} differs from the first example's ${formatShape(first)}.`);
    } else {
      this.examples.push(example);
    }
  }

  skip(id: string, reason: string): void {
    this.skipped.push({ id, reason });
  }

  /** After `done` of `total` items: progress and a cancellation check every PROGRESS_EVERY items. */
  async tick(done: number, total: number): Promise<void> {
    if (done - this.reported < PROGRESS_EVERY && done < total) return;
    this.reported = done;
    this.ctx.onProgress(done, total, `Reading ${this.what}`);
    // Yield so a cancel message can arrive, then honour it (the engine reports an AbortError as CANCELLED).
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.ctx.signal.throwIfAborted();
  }

  build(format: TrainingSetFormat): TrainingSet {
    const n = this.examples.length;
    if (n === 0) {
      const first = this.skipped[0];
      const why = first ? `all ${this.skipped.length} were skipped; the first, ${first.id}: ${first.reason}` : 'it holds no examples.';
      throw new LensError('INVALID_INPUT', `${base(this.root)}: no usable examples in the ${this.what}: ${why}`);
    }
    const shape = [n, ...this.examples[0].shape.slice(1)];
    const size = this.examples[0].values.length;
    const int = this.examples[0].values instanceof Int32Array;
    const data = int ? new Int32Array(n * size) : new Float32Array(n * size);
    const labels = new Int32Array(n);
    this.examples.forEach((e, i) => {
      data.set(e.values, i * size);
      labels[i] = e.label;
    });
    // The preprocessed values stand for every preprocessing setting (size, scale, mean/std,
    // features, vocab), so a change to any of them changes the hash.
    if (this.labelMode !== 'classes') this.hash.update(`${this.labelMode}\0${this.names.join('\0')}\0`);
    this.hash.update(`${format}\0${formatShape(shape)}\0${int ? 'int32' : 'float32'}\0${this.examples.map((e) => e.id).join('\0')}\0`);
    this.hash.update(new Uint8Array(data.buffer)).update(new Uint8Array(labels.buffer));
    // Keep only what the set needs: the per-example values now live in x.
    const previews = this.examples.map((e) => e.preview);
    const x = tf.tensor(data, shape, int ? 'int32' : 'float32');
    return {
      path: this.root,
      format,
      x,
      labels,
      ...(this.labelMode === 'names' && { labelNames: [...this.names] }),
      ids: this.examples.map((e) => e.id),
      locations: this.examples.map((e) => e.location),
      skipped: this.skipped,
      hash: this.hash.digest('hex'),
      preview: (i) => {
        if (!(i >= 0 && i < n)) throw new RangeError(`preview: index ${i} is outside the training set (0–${n - 1})`);
        return previews[i]();
      },
      dispose: () => x.dispose(),
    };
  }
}
