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

/** Runs the CLI and asserts how it fails: exit `exit`, nothing on stdout, one stderr line `model-lens: error: …` matching `pattern`. */
export function assertCliFails(args: string[], pattern: RegExp, exit: number): void {
  const { code, stdout, stderr } = cli(...args);
  assert.strictEqual(code, exit, stderr);
  assert.strictEqual(stdout, '');
  assert.strictEqual(stderr.trim().split('\n').length, 1, stderr);
  assert.match(stderr, /^model-lens: error: /);
  assert.match(stderr, pattern);
}
