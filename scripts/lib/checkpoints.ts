/** Checkpoints of an example's training run, for TracIn: the weights after selected epochs. */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { TrainingCheckpoint } from '../../src/protocol/influence';
import { saveLayersModel } from '../../src/engine/checkpoint/save';

/**
 * Keeps copies of the weights after `epochs` (the last must be the final epoch) and writes them
 * once the example folder exists, since saveExampleModel empties it.
 */
export class CheckpointRecorder {
  private readonly kept = new Map<number, tf.Tensor[]>();

  /** `learningRate`: the optimizer's configured rate (Adam here), used in the steps after each checkpoint. */
  constructor(
    private readonly epochs: readonly number[],
    private readonly learningRate: number,
  ) {}

  /** Call after every epoch: copies the weights if `epoch` is a checkpoint. */
  afterEpoch(epoch: number, model: tf.LayersModel): void {
    if (this.epochs.includes(epoch)) this.kept.set(epoch, model.getWeights().map((w) => w.clone()));
  }

  /**
   * Writes each checkpoint as `dir`/checkpoints/epoch-<k>/model.json + weights.bin and returns the
   * sidecar's data.checkpoints. The final one must match `dir`/weights.bin byte for byte. `model`
   * ends with the weights it had before.
   */
  async write(model: tf.LayersModel, dir: string): Promise<TrainingCheckpoint[]> {
    const missing = this.epochs.filter((e) => !this.kept.has(e));
    if (missing.length) throw new Error(`no weights kept for epoch(s) ${missing.join(', ')}`);
    const current = model.getWeights().map((w) => w.clone());
    const checkpoints: TrainingCheckpoint[] = [];
    for (const epoch of this.epochs) {
      const rel = `checkpoints/epoch-${epoch}`;
      model.setWeights(this.kept.get(epoch)!);
      await saveLayersModel(model, path.join(dir, rel));
      checkpoints.push({ path: `${rel}/model.json`, learningRate: this.learningRate });
    }
    model.setWeights(current);
    tf.dispose([current, ...this.kept.values()]);
    this.kept.clear();

    const last = path.join(dir, path.dirname(checkpoints[checkpoints.length - 1].path), 'weights.bin');
    if (!fs.readFileSync(last).equals(fs.readFileSync(path.join(dir, 'weights.bin')))) {
      throw new Error(`${path.relative(dir, last)} differs from the final weights.bin`);
    }
    return checkpoints;
  }
}
