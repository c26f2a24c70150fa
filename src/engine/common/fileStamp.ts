/**
 * A file's version as `size:mtimeMs`: what every cache compares to know that a file changed on disk
 * (checkpoints, inputs, training sets, the gradient helper's model).
 */
import * as fs from 'fs';

/** The stamp of a stat result (fs.statSync or fs.promises.stat). */
export function stampOf(stat: Pick<fs.Stats, 'size' | 'mtimeMs'>): string {
  return `${stat.size}:${stat.mtimeMs}`;
}

/** The stamp of `file`; throws fs's error when it cannot be read. */
export function fileStamp(file: string): string {
  return stampOf(fs.statSync(file));
}

/** Whether `file` still has `stamp` (false once it is gone). */
export function hasStamp(file: string, stamp: string): boolean {
  try {
    return fileStamp(file) === stamp;
  } catch {
    return false;
  }
}
