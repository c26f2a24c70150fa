/**
 * Image folder sets: one sub-folder per class (a label name or class index; a probe's label
 * name), images inside; without labels (concept and random sets) every image below the folder.
 */
import { promises as fs, readFileSync } from 'fs';
import * as path from 'path';
import { LensError } from '../../errors';
import { pngDataUri } from '../encode';
import { planImage, prepareImage } from '../image';
import type { TrainingSetBuilder } from './builder';

/** Each image is preprocessed exactly as a single image input (planImage, prepareImage). */
export async function readImageFolder(dir: string, set: TrainingSetBuilder): Promise<void> {
  const plan = planImage(set.spec.shape, set.sidecar);
  const files = await listFiles(dir);
  for (let i = 0; i < files.length; i++) {
    const id = files[i];
    set.attempt(id, () => {
      const folders = id.split('/');
      const file = path.join(dir, id);
      // Synchronous reads: for thousands of small files fs.promises costs several times more.
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (err) {
        throw new LensError('INVALID_INPUT', `cannot read (${(err as Error).message}).`);
      }
      set.source(id, bytes);
      if (set.labelled && folders.length < 2) throw new LensError('INVALID_INPUT', 'not inside a class sub-folder (name each sub-folder by a label or class index).');
      let label: number;
      try {
        label = set.labelOf(folders[0]);
      } catch (err) {
        throw new LensError('INVALID_INPUT', `folder '${folders[0]}': ${(err as Error).message}`);
      }
      const img = prepareImage(file, bytes, plan.options);
      const preview = img.preview; // not img: its float data goes into the set's tensor
      set.add({
        id,
        location: { path: file },
        label,
        values: img.data,
        shape: plan.shapeFor(img.height, img.width, img.channels),
        preview: () => ({ kind: 'image', png: pngDataUri(preview) }),
      });
    });
    await set.tick(i + 1, files.length);
  }
}

/** Every file below dir, as sorted '/'-separated relative paths; hidden files and folders (.DS_Store, .git) are not data. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await fs.readdir(path.join(dir, prefix), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}
