import * as assert from 'assert';
import { assertCliFails, cli, requireBuiltCli, ROOT } from '../../helpers/cli';
import * as fs from 'fs';
import * as path from 'path';
import { saveLayersModel } from '../../../src/engine/checkpoint/save';
import { mlp } from '../../helpers/models';
import { tempDir } from '../../helpers/tempDir';

describe('cli (dist/cli.js)', () => {
  let model: string;
  before(async function () {
    requireBuiltCli();
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

  it('predict --json runs an example image through the example CNN as one JSON object', () => {
    const mnist = path.join(ROOT, 'examples/mnist-cnn');
    const { code, stdout, stderr } = cli('predict', path.join(mnist, 'model.json'), '--input', path.join(mnist, 'samples/digit-7-0.png'), '--json', '--top', '2');
    assert.strictEqual(code, 0, stderr);
    const p = JSON.parse(stdout);
    assert.strictEqual(p.input.kind, 'image');
    assert.deepStrictEqual(p.input.shape, [1, 28, 28, 1]);
    assert.strictEqual(p.outputKind, 'probabilities');
    assert.strictEqual(p.rows[0].top.length, 2);
    assert.deepStrictEqual(p.options, { modelPath: path.join(mnist, 'model.json'), inputPath: path.join(mnist, 'samples/digit-7-0.png'), top: 2 });
    assert.strictEqual(p.rows[0].top[0].label, '7', 'the example CNN reads its sample 7 as a 7');
  });

  it('predict reads CSV rows with their true labels', () => {
    const iris = path.join(ROOT, 'examples/iris-mlp');
    const { code, stdout, stderr } = cli('predict', path.join(iris, 'model.json'), '--input', path.join(iris, 'data/test.csv'), '--json', '--top', '1');
    assert.strictEqual(code, 0, stderr);
    const rows: { top: { label: string }[]; trueLabel: string }[] = JSON.parse(stdout).rows;
    assert.strictEqual(rows.length, 30);
    const correct = rows.filter((r) => r.top[0].label === r.trueLabel).length;
    assert.ok(correct >= 29, `README reports 29/30 test rows right; got ${correct}`);
  });

  const failures: [string, string[], RegExp, number][] = [
    ['predict without --input', ['predict', 'model.json'], /predict needs --input/, 2],
    ['predict with a bad --top', ['predict', 'x/model.json', '--input', 'x.png', '--top', 'many'], /error: --top: must be an integer from 1 to 1000 \(see/, 2],
    ['predict with an out-of-range --top', ['predict', 'examples/iris-mlp/model.json', '--input', 'examples/iris-mlp/samples/setosa.csv', '--top', '0'], /error: --top: must be an integer from 1 to 1000 \(see/, 2],
    ['missing model', ['info', '/nonexistent/model.json', '--json'], /does not exist/, 1],
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/, 2],
    ['no command', [], /missing command/, 2],
    ['bad backend', ['info', 'x', '--backend', 'gpu'], /--backend must be one of auto, tensorflow, wasm, cpu/, 2],
    ['unknown flag', ['info', 'x', '--frob'], /Unknown option '--frob'/, 2],
  ];
  for (const [name, args, pattern, exit] of failures) {
    it(`${name}: one line on stderr, nothing on stdout, exit ${exit}`, () => assertCliFails(args, pattern, exit));
  }

  it('a corrupt checkpoint is reported by info', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": {');
    const { code, stderr } = cli('info', path.join(dir, 'model.json'), '--json');
    assert.strictEqual(code, 1);
    assert.match(stderr, /model\.json is not valid JSON/);
  });
});
