import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { saveLayersModel } from '../../../src/engine/checkpoint/save';
import { mlp, tempDir } from '../../helpers/models';

const ROOT = path.join(__dirname, '../../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli (dist/cli.js)', () => {
  let model: string;
  before(async function () {
    if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm run build first');
    model = await saveLayersModel(mlp(), tempDir());
  });

  it('info --json prints exactly one JSON object with the summary fields', () => {
    const { code, stdout, stderr } = cli('info', model, '--json', '--backend', 'cpu');
    assert.strictEqual(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.strictEqual(lines.length, 1);
    const summary = JSON.parse(lines[0]);
    for (const key of ['format', 'inputs', 'outputs', 'layers', 'params', 'backend']) assert.ok(key in summary, key);
    assert.strictEqual(summary.format, 'layers-model');
    assert.strictEqual(summary.params, 67);
    assert.strictEqual(summary.backend, 'cpu');
  });

  it('info without --json prints a readable table', () => {
    const { code, stdout } = cli('info', model, '--backend', 'cpu');
    assert.strictEqual(code, 0);
    assert.match(stdout, /format: layers-model\s+backend: cpu\s+params: 67/);
    assert.match(stdout, /hidden\s+Dense\s+\[\?, 8\]\s+40/);
  });

  const failures: [string, string[], RegExp, number][] = [
    ['missing model', ['info', '/nonexistent/model.json', '--json'], /does not exist/, 1],
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/, 2],
    ['no command', [], /missing command/, 2],
    ['bad backend', ['info', 'x', '--backend', 'gpu'], /--backend must be one of auto, tensorflow, wasm, cpu/, 2],
    ['unknown flag', ['info', 'x', '--frob'], /Unknown option '--frob'/, 2],
  ];
  for (const [name, args, pattern, exit] of failures) {
    it(`${name}: one line on stderr, nothing on stdout, exit ${exit}`, () => {
      const { code, stdout, stderr } = cli(...args);
      assert.strictEqual(code, exit);
      assert.strictEqual(stdout, '');
      assert.strictEqual(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, /^model-lens: error: /);
      assert.match(stderr, pattern);
    });
  }

  it('a corrupt checkpoint is reported by info', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": {');
    const { code, stderr } = cli('info', path.join(dir, 'model.json'), '--json');
    assert.strictEqual(code, 1);
    assert.match(stderr, /model\.json is not valid JSON/);
  });
});
