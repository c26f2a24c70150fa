/** JSONL sets for text models: one {"text": "…", "label": name or index} per line ("label" not needed without labels). */
import * as path from 'path';
import { LensError } from '../../errors';
import { textEncoder } from '../text';
import { parseJson } from '../tensorJson';
import type { TrainingSetBuilder } from './builder';

/** Texts are tokenized exactly as a single text input (textEncoder); ids are `<file>:<line>`; blank lines are not rows. */
export async function readJsonlSet(file: string, set: TrainingSetBuilder): Promise<void> {
  const name = path.basename(file);
  const bytes = await set.readSource(file);
  const fixed = set.spec.shape.length === 2 ? set.spec.shape[1] : null;
  const encode = textEncoder(file, set.sidecar, set.sidecarDir, fixed);
  const lines = bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let k = 0; k < lines.length; k++) {
    const id = `${name}:${k + 1}`;
    if (lines[k].trim() !== '') {
      set.attempt(id, () => {
        const row = parseJson(id, lines[k]);
        if (typeof row !== 'object' || row === null || Array.isArray(row)) {
          throw new LensError('INVALID_INPUT', 'expected an object {"text": "…", "label": …}.');
        }
        const { text, label } = row as { text?: unknown; label?: unknown };
        if (typeof text !== 'string') throw new LensError('INVALID_INPUT', `"text" is ${text === undefined ? 'missing' : 'not a string'}.`);
        if (label === undefined && set.labelled) throw new LensError('INVALID_INPUT', '"label" is missing.');
        const classIndex = set.labelOf(label);
        const { ids } = encode(id, text);
        set.add({
          id,
          location: { path: file, line: k + 1 },
          label: classIndex,
          values: ids,
          shape: [1, ids.length],
          preview: () => ({ kind: 'text', text }),
        });
      });
    }
    await set.tick(k + 1, lines.length);
  }
}
