/**
 * Activations (and gradients) of example sets at a model's sites, kept between requests: TCAV reads
 * the same concept and random sets at the same layers for every class and concept asked about, and
 * a model's forward and backward passes are most of its cost. Keys are opaque to the cache (the
 * caller names the checkpoint, the set's files and the site); values are [n, features] tensors.
 * The most recently used are kept within a byte budget.
 */
import * as tf from '@tensorflow/tfjs';

/** Default budget: a few large layers of a few hundred examples. */
const DEFAULT_BYTES = 512 * 2 ** 20;

export class ActivationCache {
  /** By key, least recently used first. */
  private readonly entries = new Map<string, tf.Tensor2D>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_BYTES) {}

  /** A copy of the cached tensor (the caller disposes it; eviction never frees what a caller holds), or undefined. */
  get(key: string): tf.Tensor2D | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return tf.clone(hit);
  }

  /** Keeps a copy of `value` (the caller still owns and disposes its own). */
  put(key: string, value: tf.Tensor2D): void {
    this.drop(key);
    const size = value.size * 4;
    if (size > this.maxBytes) return;
    this.entries.set(key, tf.clone(value));
    this.bytes += size;
    for (const [old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(old);
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes -= entry.size * 4;
    entry.dispose();
    this.entries.delete(key);
  }

  clear(): void {
    tf.dispose([...this.entries.values()]);
    this.entries.clear();
    this.bytes = 0;
  }
}
