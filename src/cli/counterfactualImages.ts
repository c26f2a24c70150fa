/**
 * `counterfactual` on images: the engine returns PNGs as data: URIs; the CLI writes them as files
 * (original.png, counterfactual-<n>.png, distractor-<n>.png) and names the files instead.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CounterfactualResult } from '../protocol/counterfactual';

const PREFIX = 'data:image/png;base64,';

export function hasImages(r: CounterfactualResult): boolean {
  return r.original.image !== undefined;
}

/** `dir`, or a new folder under the system temp folder. */
export function imageFolder(dir: string | undefined): string {
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    return path.resolve(dir);
  }
  return fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-counterfactual-'));
}

/** The result with every image written into `dir` and replaced by its file's path. */
export function writeImages(r: CounterfactualResult, dir: string): CounterfactualResult {
  const write = (uri: string, name: string): string => {
    if (!uri.startsWith(PREFIX)) return uri;
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.from(uri.slice(PREFIX.length), 'base64'));
    return file;
  };
  return {
    ...r,
    original: { ...r.original, ...(r.original.image !== undefined && { image: write(r.original.image, 'original.png') }) },
    counterfactuals: r.counterfactuals.map((c, n) => ({
      ...c,
      ...(c.image !== undefined && { image: write(c.image, `counterfactual-${n + 1}.png`) }),
      ...(c.distractor && { distractor: { ...c.distractor, image: write(c.distractor.image, `distractor-${n + 1}.png`) } }),
    })),
  };
}
