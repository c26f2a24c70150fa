/** Where the example scripts read and write (compiled to out/scripts/lib/, hence three levels up). */
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The folder of the bundled example `name`, under examples/. */
export function exampleDir(name: string): string {
  return path.join(ROOT, 'examples', name);
}
