import * as assert from 'assert';
import { assertCliFails, cli, requireBuiltCli } from '../../helpers/cli';
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs';
import { saveLayersModel } from '../../../src/engine/checkpoint/save';
import { tempDir } from '../../helpers/tempDir';

const MODEL = 'examples/mnist-cnn/model.json';
const SEVEN = 'examples/mnist-cnn/samples/digit-7-0.png';

describe('cli saliency (dist/cli.js)', function () {
  this.timeout(180_000);
  before(function () {
    requireBuiltCli();
  });

  it('--json prints the whole object through a pipe, however large (a 96×96×3 attribution is ≈0.5 MB)', async () => {
    const dir = tempDir();
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [96, 96, 3], filters: 2, kernelSize: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
    const file = await saveLayersModel(model, dir);
    model.dispose();
    const png = new PNG({ width: 96, height: 96 });
    png.data.fill(128);
    fs.writeFileSync(path.join(dir, 'x.png'), PNG.sync.write(png));
    const { code, stdout, stderr } = cli('saliency', file, '--input', path.join(dir, 'x.png'), '--method', 'gradient', '--json');
    assert.strictEqual(code, 0, stderr);
    assert.ok(stdout.length > 1 << 17, `only ${stdout.length} bytes`);
    assert.strictEqual(JSON.parse(stdout).attribution.data.length, 96 * 96 * 3);
  });

  it('a path long enough for the gradient helper: one object on stdout, then the CLI exits', () => {
    const { code, stdout, stderr } = cli('saliency', MODEL, '--input', SEVEN, '--method', 'integrated-gradients', '--steps', '720', '--backend', 'wasm', '--json');
    assert.strictEqual(code, 0, stderr || 'the CLI did not exit');
    const r = JSON.parse(stdout);
    assert.ok(Math.abs(r.completenessDelta) < 0.05, String(r.completenessDelta));
  });

  it('--repeat N times N runs after a warm-up: runsMs has N entries and ms is their median', () => {
    const { code, stdout, stderr } = cli('saliency', MODEL, '--input', SEVEN, '--method', 'gradient', '--backend', 'cpu', '--repeat', '3', '--json');
    assert.strictEqual(code, 0, stderr);
    const r = JSON.parse(stdout);
    assert.strictEqual(r.runsMs.length, 3);
    assert.ok(r.runsMs.every((ms: number) => ms > 0));
    assert.strictEqual(r.ms, [...r.runsMs].sort((a: number, b: number) => a - b)[1]);
  });

  it('--json prints one object with method, target, prediction, attribution, completeness delta, metrics, backend, ms', () => {
    const { code, stdout, stderr } = cli('saliency', MODEL, '--input', SEVEN, '--method', 'integrated-gradients', '--steps', '16', '--metrics', '--backend', 'cpu', '--json');
    assert.strictEqual(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.strictEqual(lines.length, 1);
    const r = JSON.parse(lines[0]);
    for (const key of ['method', 'target', 'prediction', 'attribution', 'completenessDelta', 'metrics', 'backend', 'ms', 'summary']) assert.ok(key in r, key);
    assert.strictEqual(r.method, 'integrated-gradients');
    assert.strictEqual(r.target, 7);
    assert.strictEqual(r.prediction[0].label, '7');
    assert.deepStrictEqual(r.attribution.shape, [28, 28, 1]);
    assert.strictEqual(r.attribution.data.length, 784);
    assert.strictEqual(typeof r.completenessDelta, 'number');
    assert.ok(r.metrics.deletionAuc < r.metrics.randomDeletionAuc, 'IG beats a random ordering on this digit');
    assert.strictEqual(r.backend, 'cpu');
    assert.strictEqual(r.input.preview, undefined, 'no image bytes in the JSON');
    // The options it was computed with, after defaults, the target as chosen.
    assert.deepStrictEqual(r.options, {
      modelPath: path.resolve(MODEL), inputPath: path.resolve(SEVEN), method: 'integrated-gradients', target: 7,
      steps: 16, quadrature: 'gauss-legendre', baseline: { kind: 'zeros' }, memoryBudgetMB: 1500, metrics: true, sensitivitySamples: 10,
    });
  });

  it('grad-cam --json names its layer; --no-upsample keeps the layer resolution', () => {
    const { code, stdout, stderr } = cli('saliency', MODEL, '--input', SEVEN, '--method', 'grad-cam', '--no-upsample', '--no-relu', '--target', '1', '--backend', 'cpu', '--json');
    assert.strictEqual(code, 0, stderr);
    const r = JSON.parse(stdout);
    assert.strictEqual(typeof r.layer, 'string');
    assert.strictEqual(r.target, 1);
    assert.strictEqual(r.attribution.shape.length, 2);
    assert.ok(!('completenessDelta' in r) && !('metrics' in r));
    assert.deepStrictEqual([r.options.layer, r.options.relu, r.options.upsample, r.options.target], [r.layer, false, false, 1]);
  });

  it('--out writes a decodable heatmap.png (the model input, enlarged) and result.json', () => {
    const out = path.join(tempDir(), 'explain');
    const { code, stdout, stderr } = cli('saliency', MODEL, '--input', SEVEN, '--method', 'occlusion', '--window', '7', '--backend', 'cpu', '--out', out);
    assert.strictEqual(code, 0, stderr);
    const png = PNG.sync.read(fs.readFileSync(path.join(out, 'heatmap.png')));
    assert.deepStrictEqual([png.width, png.height], [28 * 8, 28 * 8], 'the 28×28 input, enlarged ×8 for viewing');
    const r = JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8'));
    assert.strictEqual(r.method, 'occlusion');
    assert.deepStrictEqual(r.attribution.shape, [28, 28, 1]);
    assert.deepStrictEqual([r.options.window, r.options.stride, r.options.fill], [7, 7, 0], 'result.json says how it was made');
    // Human output: method, target with probability, summary, where files went.
    assert.match(stdout, /^occlusion\s+digit-7-0\.png/);
    assert.match(stdout, /target:\s+7\s+p = \d+\.\d%/);
    assert.match(stdout, /summary:\s+\d+% of \|occlusion\| in the /);
    assert.ok(stdout.includes(path.join(out, 'heatmap.png')) && stdout.includes(path.join(out, 'result.json')));
  });

  it('human output shows the completeness delta and the metrics', () => {
    const { code, stdout, stderr } = cli('saliency', 'examples/iris-mlp/model.json', '--input', 'examples/iris-mlp/samples/setosa.csv', '--method', 'integrated-gradients', '--metrics', '--backend', 'cpu');
    assert.strictEqual(code, 0, stderr);
    assert.match(stdout, /target:\s+setosa \(class 0\)/);
    assert.match(stdout, /summary:\s+\w+ carries \d+% of \|IG\|/);
    assert.match(stdout, /completeness delta: /);
    assert.match(stdout, /deletion AUC:\s+[\d.]+\s+\(random order [\d.]+/);
    assert.match(stdout, /insertion AUC:/);
    assert.match(stdout, /max-sensitivity:/);
  });

  const failures: [string, string[], RegExp, number][] = [
    ['no --input', ['saliency', MODEL, '--method', 'gradient'], /saliency needs --input/, 2],
    ['no --method', ['saliency', MODEL, '--input', SEVEN], /saliency needs --method/, 2],
    ['a bad method', ['saliency', MODEL, '--input', SEVEN, '--method', 'lime'], /--method: must be one of gradient, gradient-x-input/, 2],
    ['a non-numeric target', ['saliency', MODEL, '--input', SEVEN, '--method', 'gradient', '--target', 'seven'], /error: --target: must be an integer from 0 to 65535 \(see/, 2],
    ['a non-numeric noise', ['saliency', MODEL, '--input', SEVEN, '--method', 'smoothgrad', '--noise', 'lots'], /error: --noise: must be a number from 0 to 10 \(see/, 2],
    ['a misspelt baseline', ['saliency', MODEL, '--input', SEVEN, '--method', 'integrated-gradients', '--baseline', 'zero'], /--baseline: must be zeros, blur\[:sigma\], uniform\[:seed\] or a file; got 'zero'/, 2],
    ['two models', ['saliency', MODEL, MODEL, '--input', SEVEN, '--method', 'gradient'], /saliency takes exactly one model.json path/, 2],
    ['an out-of-range target', ['saliency', MODEL, '--input', SEVEN, '--method', 'gradient', '--target', '10', '--backend', 'cpu'], /target 10 is out of range: the model has 10 outputs \(0–9\)/, 1],
    ['zero steps', ['saliency', MODEL, '--input', SEVEN, '--method', 'integrated-gradients', '--steps', '0', '--backend', 'cpu'], /error: --steps: must be an integer from 1 to 10000 \(see model-lens --help\)\n$/, 2],
    ['steps past the bound', ['saliency', MODEL, '--input', SEVEN, '--method', 'integrated-gradients', '--steps', '10001'], /error: --steps: must be an integer from 1 to 10000 \(see/, 2],
    ['a window for grad-cam', ['saliency', MODEL, '--input', SEVEN, '--method', 'grad-cam', '--window', '3'], /error: --window applies to occlusion, not grad-cam \(see model-lens --help\)\n$/, 2],
    ['--no-relu for occlusion', ['saliency', MODEL, '--input', SEVEN, '--method', 'occlusion', '--no-relu'], /error: --no-relu applies to grad-cam, not occlusion \(see/, 2],
    ['an internal field name never shows', ['saliency', MODEL, '--input', SEVEN, '--method', 'smoothgrad', '--variant', 'mean'], /error: --variant: must be one of smoothgrad, smoothgrad-squared, vargrad \(see/, 2],
    ['a blur baseline on a table', ['saliency', 'examples/iris-mlp/model.json', '--input', 'examples/iris-mlp/samples/setosa.csv', '--method', 'integrated-gradients', '--baseline', 'blur', '--backend', 'cpu'], /blur baseline needs an image input/, 1],
    ['a missing input', ['saliency', MODEL, '--input', 'nope.png', '--method', 'gradient', '--backend', 'cpu'], /nope\.png: file not found/, 1],
  ];
  for (const [name, args, pattern, exit] of failures) {
    it(`${name}: one line on stderr, nothing on stdout, exit ${exit}`, () => assertCliFails(args, pattern, exit));
  }

  it('--help lists the saliency command and its options', () => {
    const { code, stdout } = cli('--help');
    assert.strictEqual(code, 0);
    assert.match(stdout, /saliency <model\.json> --input <file> --method <m>/);
    for (const flag of ['--steps', '--baseline', '--samples', '--noise', '--layer', '--no-relu', '--no-upsample', '--window', '--internal-batch', '--memory-budget', '--metrics', '--out']) {
      assert.ok(stdout.includes(flag), flag);
    }
  });
});
