/**
 * The training set stays loaded between influence queries on the same model: decoding thousands
 * of images was most of a query whose gradients came from the cache. It is read again when a file
 * of the set (size or mtime), the checkpoint or its sidecar changes. One set is kept, the last used.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import type { RunContext } from '../../protocol/engine';
import type { Checkpoint } from '../checkpoint/load';
import { stampOf } from '../common/fileStamp';
import { loadTrainingSet, type TrainingSet } from './trainingSet';
import { listFiles } from './trainingSet/imageFolder';

export class TrainingSetCache {
  private entry: { key: string; set: Promise<TrainingSet> } | null = null;

  /** The set at `source` for `checkpoint`'s input; owned by the cache (callers do not dispose it). */
  async get(source: string, checkpoint: Checkpoint, ctx: RunContext): Promise<TrainingSet> {
    const key = JSON.stringify([checkpoint.path, checkpoint.stamp, checkpoint.sidecar.sidecar, source, await stamp(source), checkpoint.head?.index ?? 0]);
    if (this.entry?.key !== key) {
      this.clear();
      const set = loadTrainingSet(source, checkpoint, ctx);
      const entry = { key, set };
      this.entry = entry;
      set.catch(() => {
        if (this.entry === entry) this.entry = null;
      });
    }
    return this.entry.set;
  }

  clear(): void {
    this.entry?.set.then((s) => s.dispose(), () => {});
    this.entry = null;
  }
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
