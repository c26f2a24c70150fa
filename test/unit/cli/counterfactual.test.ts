import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { counterfactualParams } from '../../../src/cli/counterfactualArgs';
import type { Flags } from '../../../src/cli/flags';
import { checkParams } from '../../../src/engine/params';
import type { CounterfactualResult } from '../../../src/protocol/counterfactual';
import { assertCliFails, CLI, cli, requireBuiltCli, ROOT } from '../../helpers/cli';
import { tempDir } from '../../helpers/tempDir';

const PENGUINS = 'examples/penguins-logreg/model.json';
const ADELIE = 'examples/penguins-logreg/samples/adelie.csv';
const MNIST = 'examples/mnist-cnn/model.json';
const usage = (message: string) => new Error(message);

describe('counterfactual flags → request', () => {
  it('maps every flag to its request field: a class index or label, lists, ranges with open ends, costs', () => {
    const flags: Flags = {
      input: 'x.csv', target: 'Gentoo', method: 'gradient', row: '3', count: '2', immutable: 'a, b', range: 'c=0:10,d=:5,e=-1:', cost: 'a=2,c=0.5',
      margin: '0.1', steps: '500', train: 't.csv', seed: '4',
    };
    assert.deepStrictEqual(counterfactualParams('m.json', flags, usage), {
      modelPath: 'm.json', inputPath: 'x.csv', target: 'Gentoo', method: 'gradient', row: 3, count: 2, immutable: ['a', 'b'],
      range: { c: [0, 10], d: [null, 5], e: [-1, null] }, cost: { a: 2, c: 0.5 }, margin: 0.1, steps: 500, train: 't.csv', seed: 4,
    });
    assert.strictEqual(counterfactualParams('m', { input: 'x', target: '2' }, usage).target, 2);
  });

  it('what it builds passes the engine\'s validation, which fills in the defaults', () => {
    const params = counterfactualParams('m', { input: 'x', target: 'Gentoo' }, usage);
    const checked = checkParams('counterfactual', params);
    assert.strictEqual(checked.method, 'auto');
    assert.strictEqual(checked.margin, 0.05);
    assert.strictEqual(checked.count, 1);
  });

  const bad: [Flags, RegExp][] = [
    [{ input: 'x' }, /needs --target/],
    [{ target: '1' }, /needs --input/],
    [{ input: 'x', target: '1', range: 'a=1' }, /--range: takes feature=lo:hi/],
    [{ input: 'x', target: '1', range: 'a=3:1' }, /--range: is malformed.*lower end is above the upper end/],
    [{ input: 'x', target: '1', range: 'a=x:1' }, /--range: 'x' is not a number/],
    [{ input: 'x', target: '1', cost: 'a=0' }, /--cost: is malformed/],
    [{ input: 'x', target: '1', cost: 'a' }, /--cost: takes feature=value items/],
    [{ input: 'x', target: '1', immutable: 'a,,b' }, /--immutable: must be a comma-separated list/],
    [{ input: 'x', target: '1', method: 'linear-exact', count: '3' }, /--count applies to auto, gradient, not linear-exact/],
    [{ input: 'x', target: '1', method: 'annealing' }, /--method: must be one of auto, linear-exact/],
    [{ input: 'x', target: '1', count: '0' }, /--count: must be an integer from 1 to 20/],
  ];
  for (const [flags, pattern] of bad) {
    it(`refuses ${JSON.stringify(flags)}`, () => assert.throws(() => counterfactualParams('m', flags, usage), pattern));
  }
});

describe('cli counterfactual', function () {
  this.timeout(240_000);
  before(requireBuiltCli);

  it('--json prints one object with the contract\'s fields; linear-exact on the penguins keeps island and sex', () => {
    const { code, stdout, stderr } = cli('counterfactual', PENGUINS, '--input', ADELIE, '--target', 'Gentoo', '--method', 'linear-exact', '--json');
    assert.strictEqual(code, 0, stderr);
    const r = JSON.parse(stdout) as CounterfactualResult;
    for (const key of ['method', 'target', 'original', 'counterfactuals', 'diversity', 'reason', 'constraints', 'backend', 'ms']) assert.ok(key in r, key);
    for (const key of ['values', 'prediction', 'probability']) assert.ok(key in r.original, `original.${key}`);
    const cf = r.counterfactuals[0];
    for (const key of ['values', 'changes', 'prediction', 'probability', 'validity', 'proximity', 'sparsity', 'plausibility']) assert.ok(key in cf, `counterfactuals[0].${key}`);
    assert.strictEqual(r.method, 'linear-exact');
    assert.strictEqual(r.target, 2);
    assert.strictEqual(cf.label, 'Gentoo');
    assert.strictEqual(cf.validity, true);
    assert.deepStrictEqual(Object.keys(cf.changes[0]), ['feature', 'from', 'to']);
    for (const f of ['island_Torgersen', 'sex_female']) assert.strictEqual(cf.values![f], r.original.values![f]);
    assert.strictEqual(r.reason, null);
    const mass = r.constraints.kind === 'tabular' && r.constraints.features.find((f) => f.feature === 'body_mass_g');
    assert.deepStrictEqual(mass && [mass.min, mass.max], [2700, 6300]);
    assert.strictEqual(r.options.method, 'linear-exact');
  });

  it('prints the original and each counterfactual side by side', () => {
    const { code, stdout, stderr } = cli('counterfactual', PENGUINS, '--input', ADELIE, '--target', 'Chinstrap', '--method', 'gradient', '--count', '2');
    assert.strictEqual(code, 0, stderr);
    assert.match(stdout, /^gradient {3}.*adelie\.csv row 1/);
    assert.match(stdout, /feature\s+constraint\s+original\s+#1\s+#2/);
    assert.match(stdout, /island_Torgersen\s+immutable\s+1\s+1\s+1/);
    assert.match(stdout, /beak_length_mm\s+cost [\d.]+ \(1\/MAD\)\s+39\.5\s+[\d.]+ \(\+[\d.]+\)/);
    assert.match(stdout, /prediction\s+Adelie [\d.]+%\s+Chinstrap/);
    assert.match(stdout, /^diversity: /m);
  });

  it('no counterfactual within the constraints is an answer: exit 0, an empty list and the binding constraints', () => {
    const args = ['counterfactual', PENGUINS, '--input', ADELIE, '--target', 'Gentoo', '--immutable', 'beak_length_mm,beak_depth_mm', '--range', 'body_mass_g=3700:3900,flipper_length_mm=180:200', '--json'];
    const { code, stdout, stderr } = cli(...args);
    assert.strictEqual(code, 0, stderr);
    const r = JSON.parse(stdout) as CounterfactualResult;
    assert.deepStrictEqual(r.counterfactuals, []);
    assert.match(r.reason ?? '', /No counterfactual within the constraints: the model predicts 'Gentoo' only with .*(beak_length_mm \(immutable\)|beak_depth_mm \(immutable\)|above its max)/);
    const text = cli(...args.slice(0, -1));
    assert.strictEqual(text.code, 0);
    assert.match(text.stdout, /^reason: {3}No counterfactual within the constraints/m);
  });

  it('refuses what cannot be: the current class, an unknown label, linear-exact on a model that is not affine', () => {
    assertCliFails(['counterfactual', PENGUINS, '--input', ADELIE, '--target', 'Adelie'], /already predicts 'Adelie'/, 1);
    assertCliFails(['counterfactual', PENGUINS, '--input', ADELIE, '--target', 'Emperor'], /target 'Emperor' is not a class of the model: use one of Adelie, Chinstrap, Gentoo/, 1);
    assertCliFails(['counterfactual', 'examples/iris-mlp/model.json', '--input', 'examples/iris-mlp/samples/setosa.csv', '--target', 'virginica', '--method', 'linear-exact'], /linear-exact needs a model whose logits are affine in its input: layer 'dense1' applies relu\. Use --method gradient\./, 1);
    assertCliFails(['counterfactual', PENGUINS, '--input', ADELIE, '--target', 'Gentoo', '--immutable', 'beak_lenght_mm'], /'beak_lenght_mm' is not a feature of the model \(did you mean 'beak_length_mm'\?\)/, 1);
    assertCliFails(['counterfactual', PENGUINS, '--input', 'examples/penguins-logreg/data/test.csv', '--target', 'Gentoo'], /holds 67 rows: pick the one to change \(--row 1 to 67\)/, 1);
    assertCliFails(['counterfactual', MNIST, '--input', 'examples/mnist-cnn/samples/digit-7-0.png', '--target', '9', '--method', 'gradient'], /gradient does not take image inputs: use perturbation or region-swap/, 1);
    assertCliFails(['counterfactual', MNIST, '--input', 'examples/mnist-cnn/samples/digit-7-0.png', '--target', '9', '--steps', '50'], /steps applies to gradient, perturbation, not region-swap \(chosen for this image input\)/, 1);
  });

  it('images: writes the original, the counterfactual and the distractor as PNGs under --out, and the counterfactual PNG is what the model judged', () => {
    const out = tempDir();
    const { code, stdout, stderr } = cli('counterfactual', MNIST, '--input', 'examples/mnist-cnn/samples/digit-7-0.png', '--target', '9', '--out', out, '--json');
    assert.strictEqual(code, 0, stderr);
    const r = JSON.parse(stdout) as CounterfactualResult;
    assert.strictEqual(r.method, 'region-swap');
    const cf = r.counterfactuals[0];
    assert.deepStrictEqual([r.original.image, cf.image, cf.distractor!.image], ['original.png', 'counterfactual-1.png', 'distractor-1.png'].map((f) => path.join(out, f)));
    for (const f of [r.original.image!, cf.image!, cf.distractor!.image]) assert.deepStrictEqual([...fs.readFileSync(f).subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.ok(cf.cells!.length >= 1);
    const perturbed = tempDir();
    const p = cli('counterfactual', MNIST, '--input', 'examples/mnist-cnn/samples/digit-7-0.png', '--target', '9', '--method', 'perturbation', '--out', perturbed, '--json');
    assert.strictEqual(p.code, 0, p.stderr);
    const file = (JSON.parse(p.stdout) as CounterfactualResult).counterfactuals[0].image!;
    const predicted = cli('predict', MNIST, '--input', file, '--top', '1', '--json');
    assert.strictEqual(JSON.parse(predicted.stdout).rows[0].top[0].label, '9', 'the saved 8-bit image is predicted as the target');
  });

  it('text: the edited text and its edits', () => {
    const { code, stdout, stderr } = cli('counterfactual', 'examples/text-sentiment/model.json', '--input', 'examples/text-sentiment/samples/negative.txt', '--target', 'positive', '--json');
    assert.strictEqual(code, 0, stderr);
    const cf = (JSON.parse(stdout) as CounterfactualResult).counterfactuals[0];
    assert.strictEqual(cf.label, 'positive');
    assert.ok(cf.text && cf.edits && cf.edits.length >= 1);
    assert.deepStrictEqual(Object.keys(cf.edits[0]), ['position', 'from', 'to']);
  });

  it('the bundled CLI finds highs.wasm beside itself, as in the .vsix (dist/ without node_modules/highs)', () => {
    const pkg = tempDir();
    fs.mkdirSync(path.join(pkg, 'dist'));
    fs.mkdirSync(path.join(pkg, 'node_modules'));
    for (const f of ['cli.js', 'helperMain.js', 'highs.wasm']) fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(pkg, 'dist', f));
    fs.symlinkSync(path.join(ROOT, 'node_modules/@tensorflow'), path.join(pkg, 'node_modules/@tensorflow'), 'dir');
    const run = () => spawnSync(process.execPath, [path.join(pkg, 'dist/cli.js'), 'counterfactual', path.join(ROOT, PENGUINS), '--input', path.join(ROOT, ADELIE), '--target', 'Gentoo', '--method', 'linear-exact', '--json'], { cwd: pkg, encoding: 'utf8' });
    const ok = run();
    assert.strictEqual(ok.status, 0, ok.stderr);
    assert.strictEqual((JSON.parse(ok.stdout) as CounterfactualResult).counterfactuals.length, 1);
    // Without it the solver cannot start: nothing else supplied it.
    fs.rmSync(path.join(pkg, 'dist/highs.wasm'));
    const missing = run();
    assert.strictEqual(missing.status, 1);
    assert.match(missing.stderr, /The linear-programming solver \(HiGHS\) could not start/);
    assert.ok(fs.existsSync(CLI));
  });
});
