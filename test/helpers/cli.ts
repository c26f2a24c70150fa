/** Runs the built CLI (dist/cli.js) from the repo root, as a user's shell would. */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.join(__dirname, '../../..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A mocha before-hook body: the CLI tests need `npm run build` first. */
export function requireBuiltCli(): void {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm run build first');
}

/** A progress line of a run past a second, without a terminal (src/cli/progress.ts): not an error or a warning. */
const PROGRESS_LINE = /^model-lens: (?!error: |warn: )/;

/**
 * Runs the CLI and asserts how it fails: exit `exit`, nothing on stdout, one stderr line
 * `model-lens: error: …` matching `pattern`, after the progress lines of a run that got past a second.
 */
export function assertCliFails(args: string[], pattern: RegExp, exit: number): void {
  const { code, stdout, stderr } = cli(...args);
  assert.strictEqual(code, exit, stderr);
  assert.strictEqual(stdout, '');
  const lines = stderr.trim().split('\n');
  const error = lines.pop() as string;
  assert.ok(lines.every((line) => PROGRESS_LINE.test(line)), stderr);
  assert.match(error, /^model-lens: error: /);
  assert.match(`${error}\n`, pattern); // the line as printed, so patterns can anchor at its end
}
