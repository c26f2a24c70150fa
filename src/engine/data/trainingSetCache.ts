/**
 * Example sets stay loaded between requests on the same model: decoding thousands of images was
 * most of an influence query whose gradients came from the cache, and TCAV reads the same concept,
 * random and class sets again for every layer and class asked about. A set is read again when a
 * file of it (size or mtime), the checkpoint or its sidecar changes. The `entries` most recently
 * used sets are kept (one for influence's training set; several for concept sets).
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import type { RunContext } from '../../protocol/engine';
import type { Checkpoint } from '../checkpoint/load';
import { stampOf } from '../common/fileStamp';
import { loadTrainingSet, type ReadOptions, type TrainingSet } from './trainingSet';
import { listFiles } from './trainingSet/imageFolder';

export class TrainingSetCache {
  /** By key, least recently used first. */
  private readonly entries = new Map<string, Promise<TrainingSet>>();

  constructor(private readonly capacity = 1) {}

  /** The set at `source` for `checkpoint`'s input; owned by the cache (callers do not dispose it). */
  async get(source: string, checkpoint: Checkpoint, ctx: RunContext, how: ReadOptions = {}): Promise<TrainingSet> {
    const key = await setKey(source, checkpoint, how);
    let set = this.entries.get(key);
    if (set) {
      this.entries.delete(key); // re-inserted below as the most recent
    } else {
      set = loadTrainingSet(source, checkpoint, ctx, how);
      const loading = set;
      set.catch(() => {
        if (this.entries.get(key) === loading) this.entries.delete(key);
      });
    }
    this.entries.set(key, set);
    for (const [old, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(old);
      dispose(entry);
    }
    return set;
  }

  clear(): void {
    for (const entry of this.entries.values()) dispose(entry);
    this.entries.clear();
  }
}

/**
 * What a loaded set depends on: the checkpoint (its input), the sidecar (preprocessing), the
 * source's files (sizes and mtimes) and how labels are read. Equal keys, equal sets: a key also
 * names the set's activations without reading it (model/activationCache.ts).
 */
export async function setKey(source: string, checkpoint: Checkpoint, how: ReadOptions = {}): Promise<string> {
  // The head decides the classes and label names the set is read with.
  return JSON.stringify([checkpoint.path, checkpoint.stamp, checkpoint.sidecar.sidecar, source, how.labels ?? 'classes', checkpoint.head?.index ?? 0, await stamp(source)]);
}

function dispose(entry: Promise<TrainingSet>): void {
  entry.then((s) => s.dispose(), () => {});
}

/** Sizes and mtimes of the source's files (a missing source stamps as such; loading then says why). */
async function stamp(source: string): Promise<string> {
  try {
    const stat = await fs.stat(source);
    if (!stat.isDirectory()) return stampOf(stat);
    const files = await listFiles(source);
    const stats = await Promise.all(files.map((f) => fs.stat(path.join(source, f))));
    return files.map((f, i) => `${f}:${stampOf(stats[i])}`).join('\n');
  } catch {
    return 'missing';
  }
}
