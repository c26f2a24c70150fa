/** Temporary folders for tests, all removed when the mocha run ends (see test/unit/setup.ts). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const created: string[] = [];

export function tempDir(prefix = 'model-lens-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
