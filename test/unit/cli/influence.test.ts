import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { assertCliFails, CLI, cli, requireBuiltCli, ROOT } from '../../helpers/cli';
import { tempDir } from '../../helpers/tempDir';
import { disposeCheckpoint, loadCheckpoint } from '../../../src/engine/checkpoint/load';
import { rejectsLens } from '../../helpers/assertLens';
import { defaultCacheDir, influenceParams, type InfluenceFlags } from '../../../src/cli/influenceArgs';
import { formatInfluence, formatProgress, influenceJson } from '../../../src/cli/format';
import { checkParams } from '../../../src/engine/params';
import type { InfluenceResult, InfluenceScore } from '../../../src/protocol/influence';

const MODEL = 'examples/iris-mlp/model.json';
const SETOSA = 'examples/iris-mlp/samples/setosa.csv';
const VERSICOLOR = 'examples/iris-mlp/samples/versicolor.csv';
const VIRGINICA = 'examples/iris-mlp/samples/virginica.csv';
const TRAIN = 'examples/iris-mlp/data/train.csv';

/** The CLI's usage error, as a plain Error whose message the tests match. */
const usage = (message: string) => new Error(message);
const env = { HOME: '/home/u' };

describe('influence flags → request', () => {
  it('maps every flag to its request field, resolving paths', () => {
    const flags: InfluenceFlags = {
      input: 'x.csv', method: 'influence', label: '2', train: 'd/train.csv', layers: 'dense_1, dense_2', solver: 'lissa',
      damping: '0.01', 'lissa-depth': '500', 'lissa-scale': '20', 'lissa-repeats': '3', 'lissa-batch': '16', top: '7', seed: '9',
      'cache-dir': 'c',
    };
    assert.deepStrictEqual(influenceParams('m/model.json', flags, usage, env), {
      modelPath: 'm/model.json',
      method: 'influence',
      inputPath: 'x.csv',
      label: 2,
      train: 'd/train.csv',
      layers: ['dense_1', 'dense_2'],
      solver: 'lissa',
      damping: 0.01,
      lissaDepth: 500,
      lissaScale: 20,
      lissaRepeats: 3,
      lissaBatch: 16,
      top: 7,
      cacheDir: path.resolve('c'),
      seed: 9,
    });
  });

  it('defaults: method influence, the XDG cache folder, nothing else (the engine fills in the rest)', () => {
    assert.deepStrictEqual(influenceParams('m', { input: 'x' }, usage, env), {
      modelPath: 'm', method: 'influence', inputPath: 'x', cacheDir: '/home/u/.cache/model-lens',
    });
    assert.deepStrictEqual(influenceParams('m', { method: 'self', 'no-cache': true }, usage, env), { modelPath: 'm', method: 'self' });
  });

  it('the cache folder is $XDG_CACHE_HOME/model-lens, else ~/.cache/model-lens (a relative XDG_CACHE_HOME is ignored, per the spec)', () => {
    assert.strictEqual(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me', HOME: '/home/u' }), '/var/cache/me/model-lens');
    assert.strictEqual(defaultCacheDir({ XDG_CACHE_HOME: 'rel/cache', HOME: '/home/u' }), '/home/u/.cache/model-lens');
    assert.strictEqual(defaultCacheDir({ HOME: '/home/u' }), '/home/u/.cache/model-lens');
  });

  it('tracin: --checkpoints pairs with --lr, one rate for all or one each, in the order given', () => {
    const one = influenceParams('m', { input: 'x', method: 'tracin', checkpoints: 'a.json,b.json', lr: '0.1', 'no-cache': true }, usage, env);
    assert.deepStrictEqual(one.checkpoints, [
      { path: path.resolve('a.json'), learningRate: 0.1 },
      { path: path.resolve('b.json'), learningRate: 0.1 },
    ]);
    const each = influenceParams('m', { input: 'x', method: 'tracin', checkpoints: 'b.json,a.json', lr: '0.5,1e-3', 'no-cache': true }, usage, env);
    assert.deepStrictEqual(each.checkpoints?.map((c) => [path.basename(c.path), c.learningRate]), [['b.json', 0.5], ['a.json', 0.001]]);
  });

  it('what it builds passes the engine\'s own validation', () => {
    const params = influenceParams('m', { input: 'x', method: 'tracin', checkpoints: 'a.json,b.json', lr: '0.1', layers: 'd', top: '3' }, usage, env);
    // The engine adds the defaults of what applies to tracin, and changes nothing it was given.
    assert.deepStrictEqual(checkParams('influence', params), { ...params, modelPath: path.resolve('m'), inputPath: path.resolve('x'), seed: 0 });
  });

  const bad: [string, InfluenceFlags, RegExp][] = [
    ['no --input for influence', {}, /influence --method influence needs --input <file>/],
    ['no --input for tracin', { method: 'tracin' }, /influence --method tracin needs --input <file>/],
    ['--input with self', { method: 'self', input: 'x' }, /^--input applies to influence, tracin, not self$/],
    ['--label with self', { method: 'self', label: '1' }, /^--label applies to influence, tracin, not self$/],
    ['an unknown method', { input: 'x', method: 'trak' }, /^--method: must be one of influence, tracin, self$/],
    ['an unknown solver', { input: 'x', solver: 'arnoldi' }, /^--solver: must be one of cg, lissa, exact$/],
    ['--solver with tracin', { input: 'x', method: 'tracin', solver: 'cg' }, /^--solver applies to influence, self, not tracin$/],
    ['--damping with tracin', { input: 'x', method: 'tracin', damping: '0.1' }, /^--damping applies to influence, self, not tracin$/],
    ['LiSSA settings without --solver lissa', { input: 'x', solver: 'cg', 'lissa-depth': '10' }, /--lissa-depth needs --solver lissa/],
    ['LiSSA scale without a solver', { input: 'x', 'lissa-scale': '10' }, /--lissa-scale needs --solver lissa/],
    ['a fractional --top', { input: 'x', top: '2.5' }, /^--top: must be an integer from 1 to 10000$/],
    ['a word for --top', { input: 'x', top: 'x' }, /^--top: must be an integer from 1 to 10000$/],
    ['zero --top', { input: 'x', top: '0' }, /^--top: must be an integer from 1 to 10000$/],
    ['a word for --label', { input: 'x', label: 'setosa' }, /^--label: must be an integer from 0 to 65535$/],
    ['a word for --damping', { input: 'x', damping: 'some' }, /^--damping: must be a number from 0 to 1000000$/],
    ['an empty --damping', { input: 'x', damping: ' ' }, /^--damping: must be a number from 0 to 1000000$/],
    ['an infinite --lissa-scale', { input: 'x', solver: 'lissa', 'lissa-scale': 'Infinity' }, /^--lissa-scale: must be a number above 0 up to 1000000000000$/],
    ['an empty layer name', { input: 'x', layers: 'dense_1,,dense_2' }, /^--layers: must be a comma-separated list with no empty items$/],
    ['--checkpoints without --lr', { input: 'x', method: 'tracin', checkpoints: 'a.json' }, /--checkpoints needs --lr/],
    ['--lr without --checkpoints', { input: 'x', method: 'tracin', lr: '0.1' }, /--lr goes with --checkpoints/],
    ['two rates for three checkpoints', { input: 'x', method: 'tracin', checkpoints: 'a,b,c', lr: '0.1,0.2' }, /--lr gives 2 learning rates for 3 checkpoints/],
    ['a zero learning rate', { input: 'x', method: 'tracin', checkpoints: 'a', lr: '0' }, /^--lr: must be a number above 0 up to 1000000; got '0'$/],
    ['a word for a learning rate', { input: 'x', method: 'tracin', checkpoints: 'a', lr: 'fast' }, /^--lr: must be a number above 0 up to 1000000; got 'fast'$/],
    ['--checkpoints with influence', { input: 'x', checkpoints: 'a.json', lr: '0.1' }, /^--checkpoints applies to tracin, not influence$/],
    ['--lr with self', { method: 'self', lr: '0.1' }, /^--lr applies to tracin, not self$/],
    ['an empty --cache-dir', { input: 'x', 'cache-dir': '' }, /^--cache-dir: must be a non-empty path$/],
    ['--cache-dir with --no-cache', { input: 'x', 'cache-dir': 'c', 'no-cache': true }, /--cache-dir and --no-cache contradict/],
  ];
  for (const [name, flags, pattern] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(() => influenceParams('m', flags, usage, env), (err: Error) => {
        assert.match(err.message, pattern);
        return true;
      });
    });
  }
});

describe('influence parameters (engine boundary)', () => {
  const ok = { modelPath: 'm/model.json', inputPath: 'x.csv', method: 'influence' };

  it('accepts every option, resolves every path, drops nothing it was given and applies the defaults', () => {
    const p = checkParams('influence', {
      ...ok,
      label: 1, train: 'd/train.csv', layers: ['dense_1'], solver: 'lissa',
      damping: 0, lissaDepth: 100, lissaScale: 10, lissaRepeats: 2, lissaBatch: 8, top: 5, cacheDir: 'cache', seed: 1,
    });
    assert.deepStrictEqual(p, {
      modelPath: path.resolve('m/model.json'), inputPath: path.resolve('x.csv'), method: 'influence',
      label: 1, train: path.resolve('d/train.csv'), layers: ['dense_1'],
      solver: 'lissa', damping: 0, lissaDepth: 100, lissaScale: 10, lissaRepeats: 2, lissaBatch: 8, top: 5, cacheDir: path.resolve('cache'), seed: 1,
    });
    assert.deepStrictEqual(checkParams('influence', ok), { modelPath: path.resolve('m/model.json'), inputPath: path.resolve('x.csv'), method: 'influence', damping: 0.01, top: 10, seed: 0 });
    const tracin = checkParams('influence', { ...ok, method: 'tracin', checkpoints: [{ path: 'c1.json', learningRate: 0.1 }, { path: 'c2.json', learningRate: 0.05 }] });
    assert.deepStrictEqual(tracin.checkpoints, [{ path: path.resolve('c1.json'), learningRate: 0.1 }, { path: path.resolve('c2.json'), learningRate: 0.05 }]);
    assert.deepStrictEqual(checkParams('influence', { modelPath: 'm', method: 'self' }), { modelPath: path.resolve('m'), method: 'self', damping: 0.01, top: 10, seed: 0 });
    assert.strictEqual(checkParams('influence', { modelPath: 'm', inputPath: 'x' }).method, 'influence', 'method defaults to influence');
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['an unknown method', { ...ok, method: 'trak' }, 'method must be one of influence, tracin, self'],
    ['no model', { method: 'self' }, 'modelPath is required'],
    ['no test input for influence', { modelPath: 'm', method: 'influence' }, 'inputPath is required for influence'],
    ['no test input for tracin', { modelPath: 'm', method: 'tracin' }, 'inputPath is required for tracin'],
    ['an empty test input', { ...ok, inputPath: '' }, 'inputPath must be a non-empty path'],
    ['a test input for self', { ...ok, method: 'self' }, 'inputPath applies to influence, tracin, not self'],
    ['a label for self', { modelPath: 'm', method: 'self', label: 0 }, 'label applies to influence, tracin, not self'],
    ['a negative label', { ...ok, label: -1 }, 'label must be an integer from 0'],
    ['a label as a string', { ...ok, label: '1' }, 'label must be an integer'],
    ['a train path that is not a string', { ...ok, train: 42 }, 'train must be a non-empty path'],
    ['an empty train path', { ...ok, train: '' }, 'train must be a non-empty path'],
    ['checkpoints as a string', { ...ok, method: 'tracin', checkpoints: 'a.json' }, 'checkpoints is malformed: Invalid input: expected array'],
    ['no checkpoints', { ...ok, method: 'tracin', checkpoints: [] }, 'checkpoints is malformed'],
    ['a checkpoint that is a path', { ...ok, method: 'tracin', checkpoints: ['a.json'] }, 'checkpoints is malformed at 0'],
    ['a checkpoint without a learning rate', { ...ok, method: 'tracin', checkpoints: [{ path: 'a' }] }, 'checkpoints is malformed at 0.learningRate'],
    ['a zero learning rate', { ...ok, method: 'tracin', checkpoints: [{ path: 'a', learningRate: 0.1 }, { path: 'b', learningRate: 0 }] }, 'checkpoints is malformed at 1.learningRate: Too small'],
    ['a negative learning rate', { ...ok, method: 'tracin', checkpoints: [{ path: 'a', learningRate: -0.1 }] }, 'checkpoints is malformed at 0.learningRate'],
    ['a NaN learning rate', { ...ok, method: 'tracin', checkpoints: [{ path: 'a', learningRate: NaN }] }, 'checkpoints is malformed at 0.learningRate'],
    ['a checkpoint without a path', { ...ok, method: 'tracin', checkpoints: [{ learningRate: 0.1 }] }, 'checkpoints is malformed at 0.path'],
    ['an extra checkpoint field', { ...ok, method: 'tracin', checkpoints: [{ path: 'a', learningRate: 0.1, epoch: 2 }] }, 'checkpoints is malformed at 0: Unrecognized key: "epoch"'],
    ['checkpoints for influence', { ...ok, checkpoints: [{ path: 'a', learningRate: 0.1 }] }, 'checkpoints applies to tracin, not influence'],
    ['checkpoints for self', { modelPath: 'm', method: 'self', checkpoints: [{ path: 'a', learningRate: 0.1 }] }, 'checkpoints applies to tracin, not self'],
    ['layers as a string', { ...ok, layers: 'dense_1' }, 'layers is malformed'],
    ['no layers', { ...ok, layers: [] }, 'layers is malformed'],
    ['an empty layer name', { ...ok, layers: ['dense_1', ''] }, 'layers is malformed at 1'],
    ['a layer that is not a name', { ...ok, layers: [3] }, 'layers is malformed at 0'],
    ['a layer named twice', { ...ok, layers: ['d', 'e', 'd'] }, 'layers is malformed: lists a layer twice'],
    ['an unknown solver', { ...ok, solver: 'arnoldi' }, 'solver must be one of cg, lissa, exact'],
    ['a solver for tracin', { ...ok, method: 'tracin', solver: 'cg' }, 'solver applies to influence, self, not tracin'],
    ['damping for tracin', { ...ok, method: 'tracin', damping: 0.1 }, 'damping applies to influence, self, not tracin'],
    ['negative damping', { ...ok, damping: -1e-3 }, 'damping must be a number from 0 to 1000000'],
    ['infinite damping', { ...ok, damping: Infinity }, 'damping must be a number'],
    ['damping as a string', { ...ok, damping: '0.1' }, 'damping must be a number'],
    ['LiSSA depth with cg', { ...ok, solver: 'cg', lissaDepth: 10 }, 'lissaDepth needs solver lissa'],
    ['LiSSA repeats with the default solver', { ...ok, lissaRepeats: 2 }, 'lissaRepeats needs solver lissa'],
    ['zero LiSSA depth', { ...ok, solver: 'lissa', lissaDepth: 0 }, 'lissaDepth must be an integer from 1'],
    ['a fractional LiSSA depth', { ...ok, solver: 'lissa', lissaDepth: 1.5 }, 'lissaDepth must be an integer'],
    ['zero LiSSA scale', { ...ok, solver: 'lissa', lissaScale: 0 }, 'lissaScale must be a number above 0'],
    ['negative LiSSA scale', { ...ok, solver: 'lissa', lissaScale: -5 }, 'lissaScale must be a number above 0'],
    ['zero LiSSA repeats', { ...ok, solver: 'lissa', lissaRepeats: 0 }, 'lissaRepeats must be an integer from 1 to 1000'],
    ['a huge LiSSA batch', { ...ok, solver: 'lissa', lissaBatch: 1e9 }, 'lissaBatch must be an integer from 1 to 100000'],
    ['zero top', { ...ok, top: 0 }, 'top must be an integer from 1 to 10000'],
    ['a fractional top', { ...ok, top: 2.5 }, 'top must be an integer'],
    ['an empty cache folder', { ...ok, cacheDir: '' }, 'cacheDir must be a non-empty path'],
    ['a cache folder that is not a string', { ...ok, cacheDir: { path: '/tmp' } }, 'cacheDir must be a non-empty path'],
    ['a negative seed', { ...ok, seed: -1 }, 'seed must be an integer from 0'],
    ['a seed above 2^32', { ...ok, seed: 2 ** 32 }, 'seed must be an integer from 0 to 4294967295'],
    ['a misspelt option', { ...ok, dampng: 0.1 }, 'dampng is not an option of influence'],
    ['two unknown options', { ...ok, __proto__x: 1, constructor: 1 }, '__proto__x is not an option of influence (nor constructor)'],
  ];
  for (const [name, params, message] of bad) {
    it(`rejects ${name}`, async () => {
      await rejectsLens(() => checkParams('influence', params), 'BAD_REQUEST', message);
    });
  }
});

describe('influence output', () => {
  const score = (index: number, s: number, label: number, labelName: string): InfluenceScore => ({
    index, id: `train.csv:${index + 2}`, label, labelName, score: s,
    location: { path: '/d/train.csv', line: index + 2 },
    preview: { kind: 'image', png: 'data:image/png;base64,AAAA' },
  });
  const result: InfluenceResult = {
    method: 'influence',
    solver: 'cg',
    options: { modelPath: '/m/model.json', method: 'influence', inputPath: '/x.csv', top: 10 },
    paramScope: { layers: ['dense_Dense2'], params: 51, reason: 'the last dense layer' },
    damping: 0.001,
    test: { inputPath: '/s/setosa.csv', label: 0, labelName: 'setosa', labelFromPrediction: true, prediction: [{ index: 0, label: 'setosa', probability: 0.97 }], loss: 0.03 },
    scores: [score(4, 0.5, 0, 'setosa'), score(9, 0.25, 0, 'setosa'), score(30, -0.125, 1, 'versicolor'), score(61, -2, 2, 'virginica')],
    trainSize: 120,
    trainPath: '/d/train.csv',
    skipped: [{ id: 'train.csv:50', reason: "column petal_width: 'n/a' is not a number" }],
    cached: true,
    warnings: ['Damping raised from 0.01 to 0.0316: the Hessian has negative eigenvalues here.'],
    solverInfo: { iterations: 12, residual: 1e-7 },
    backend: 'cpu',
    ms: 42,
  };

  it('--json keeps each score\'s location but drops its preview unless --previews', () => {
    const slim = influenceJson(result, false) as InfluenceResult;
    assert.deepStrictEqual(slim.scores.map((s) => 'preview' in s), [false, false, false, false]);
    assert.deepStrictEqual(slim.scores[0], { index: 4, id: 'train.csv:6', label: 0, labelName: 'setosa', score: 0.5, location: { path: '/d/train.csv', line: 6 } });
    assert.deepStrictEqual({ ...slim, scores: [] }, { ...result, scores: [] }, 'everything else is the result as is');
    assert.strictEqual(influenceJson(result, true), result);
  });

  it('the text output names the test point, scope and solver, and splits proponents from opponents, strongest first', () => {
    const text = formatInfluence(result);
    assert.match(text, /^influence\s+\/s\/setosa\.csv\s+\(cpu, 42\.0 ms\)/);
    assert.match(text, /test:\s+setosa \(class 0, predicted\)\s+loss 0\.0300/);
    assert.match(text, /scope:\s+dense_Dense2 \(51 params\): the last dense layer/);
    assert.match(text, /solver:\s+cg\s+damping 0\.001\s+\(12 iterations, residual 1\.00e-7\)/);
    assert.match(text, /train:\s+\/d\/train\.csv: 120 examples, gradients from the cache/);
    assert.match(text, /skipped:\s+train\.csv:50: column petal_width/);
    assert.match(text, /warning:\s+Damping raised from 0\.01 to 0\.0316/);
    const [, proponents, opponents] = text.split(/\n(?=proponents|opponents)/);
    assert.deepStrictEqual(rowIds(proponents), ['train.csv:6', 'train.csv:11']);
    assert.deepStrictEqual(rowIds(opponents), ['train.csv:63', 'train.csv:32'], 'the most negative first');
    assert.match(opponents, /train\.csv:63\s+virginica\s+-2\.000/);
  });

  it('self: one table of suspects; no test point, no empty opponents table', () => {
    const { test: _test, ...rest } = result;
    const text = formatInfluence({ ...rest, method: 'self', scores: result.scores.slice(0, 2) });
    assert.match(text, /^self\s+self-influence of the training set/);
    assert.ok(!/test:|proponents|opponents/.test(text), text);
    assert.deepStrictEqual(rowIds(text.split(/\nsuspects/)[1]), ['train.csv:6', 'train.csv:11']);
  });

  it('a side with no examples says none', () => {
    const text = formatInfluence({ ...result, scores: result.scores.slice(0, 2) });
    assert.match(text, /opponents[^\n]*\n {2}none$/);
  });

  it('progress reads as the editor\'s notification does (the message, else done/total), then the percentage', () => {
    assert.strictEqual(formatProgress(1200, 6000, 'Training gradients 1200/6000'), 'Training gradients 1200/6000 20%');
    assert.strictEqual(formatProgress(3, 8), '3/8 37%');
    assert.strictEqual(formatProgress(0, 0, 'Reading training set'), 'Reading training set');
  });
});

/** The ids in a score table's rows (after its title and header). */
function rowIds(table: string): string[] {
  return table.trim().split('\n').slice(2).map((line) => line.trim().split(/\s+/)[0]);
}

describe('cli influence (dist/cli.js): usage', function () {
  this.timeout(60_000);
  before(function () {
    requireBuiltCli();
  });

  const failures: [string, string[], RegExp, number][] = [
    ['no --input', ['influence', MODEL, '--train', TRAIN], /influence --method influence needs --input <file>/, 2],
    ['tracin without --input', ['influence', MODEL, '--method', 'tracin'], /needs --input <file>/, 2],
    ['self with --input', ['influence', MODEL, '--method', 'self', '--input', SETOSA], /--input applies to influence, tracin, not self/, 2],
    ['no model', ['influence', '--input', SETOSA], /influence takes exactly one model\.json path/, 2],
    ['two models', ['influence', MODEL, MODEL, '--input', SETOSA], /influence takes exactly one model\.json path/, 2],
    ['a bad method', ['influence', MODEL, '--input', SETOSA, '--method', 'trak'], /--method: must be one of influence, tracin, self/, 2],
    ['a bad solver', ['influence', MODEL, '--input', SETOSA, '--solver', 'newton'], /--solver: must be one of cg, lissa, exact/, 2],
    ['a non-numeric --damping', ['influence', MODEL, '--input', SETOSA, '--damping', 'lots'], /--damping: must be a number from 0 to 1000000/, 2],
    ['--checkpoints without --lr', ['influence', MODEL, '--input', SETOSA, '--method', 'tracin', '--checkpoints', 'a.json,b.json'], /--checkpoints needs --lr/, 2],
    ['a saliency flag', ['influence', MODEL, '--input', SETOSA, '--steps', '8'], /influence takes no --steps/, 2],
    ['an influence flag on saliency', ['saliency', MODEL, '--input', SETOSA, '--method', 'gradient', '--damping', '0.1'], /saliency takes no --damping/, 2],
    ['an influence flag on predict', ['predict', MODEL, '--input', SETOSA, '--train', TRAIN], /predict takes no --train/, 2],
    ['an unknown flag', ['influence', MODEL, '--input', SETOSA, '--dampng', '0.1'], /Unknown option '--dampng'/, 2],
    // The CLI checks values against the same schema as the engine: a usage error naming the flag.
    ['zero --top', ['influence', MODEL, '--input', SETOSA, '--top', '0', '--no-cache', '--backend', 'cpu'], /error: --top: must be an integer from 1 to 10000 \(see model-lens --help\)\n$/, 2],
    ['a word for --top', ['influence', MODEL, '--input', SETOSA, '--top', 'x', '--no-cache', '--backend', 'cpu'], /error: --top: must be an integer from 1 to 10000 \(see model-lens --help\)\n$/, 2],
    ['negative --damping', ['influence', MODEL, '--input', SETOSA, '--damping=-1', '--no-cache', '--backend', 'cpu'], /--damping: must be a number from 0 to 1000000/, 2],
    ['--damping with tracin', ['influence', MODEL, '--input', SETOSA, '--method', 'tracin', '--damping', '0.1'], /error: --damping applies to influence, self, not tracin \(see/, 2],
    ['a dash-led value (Node explains over three lines)', ['influence', MODEL, '--input', SETOSA, '--damping', '-1'], /'--damping' argument is ambiguous\. Did you forget .* '--damping=-XYZ'\. \(see model-lens --help\)\n$/, 2],
  ];
  for (const [name, args, pattern, exit] of failures) {
    it(`${name}: one line on stderr, nothing on stdout, exit ${exit}`, () => assertCliFails(args, pattern, exit));
  }

  it('--help lists the influence command and every one of its options', () => {
    const { code, stdout } = cli('--help');
    assert.strictEqual(code, 0);
    assert.match(stdout, /influence <model\.json> --input <file> \[--method influence\|tracin\|self\]/);
    for (const flag of ['--label', '--train', '--checkpoints', '--lr', '--layers', '--solver', '--damping', '--lissa-depth', '--lissa-scale', '--lissa-repeats', '--lissa-batch', '--cache-dir', '--no-cache', '--previews']) {
      assert.ok(stdout.includes(flag), flag);
    }
  });
});

describe('cli influence (dist/cli.js): runs on the example iris MLP', function () {
  this.timeout(180_000);
  const trainRows = fs.readFileSync(path.join(ROOT, TRAIN), 'utf8').trim().split('\n');
  const header = trainRows[0].split(',');
  /** The CSV's 1-based line `line` as {column: cell}. */
  const row = (line: number) => Object.fromEntries(trainRows[line - 1].split(',').map((cell, i) => [header[i], cell]));
  before(function () {
    requireBuiltCli();
  });

  /** Runs the CLI with --json, checks it printed exactly one JSON object, and returns it. */
  function json(...args: string[]): InfluenceResult {
    const { code, stdout, stderr } = cli('influence', MODEL, ...args, '--json', '--backend', 'cpu');
    assert.strictEqual(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.strictEqual(lines.length, 1, 'exactly one line on stdout');
    return JSON.parse(lines[0]);
  }

  function assertSortedDescending(scores: InfluenceScore[]): void {
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1].score >= scores[i].score, `scores[${i - 1}] < scores[${i}]`);
  }

  it('--json: one object; scores sorted, pointing at real CSV lines; cached false, then true with the same --cache-dir', () => {
    const cacheDir = tempDir();
    const first = json('--input', VERSICOLOR, '--train', TRAIN, '--top', '4', '--cache-dir', cacheDir);
    for (const key of ['method', 'solver', 'paramScope', 'scores', 'ms', 'cached', 'test', 'trainSize', 'warnings']) assert.ok(key in first, key);
    assert.strictEqual(first.method, 'influence');
    assert.strictEqual(first.solver, 'exact', 'the iris MLP has 131 parameters: at most EXACT_DEFAULT_MAX_PARAMS');
    assert.strictEqual(first.paramScope.params, 4 * 16 + 16 + 16 * 3 + 3, 'all weights of 4 → dense 16 → dense 3');
    assert.strictEqual(first.trainSize, trainRows.length - 1);
    assert.strictEqual(first.test?.labelName, 'versicolor');
    assert.strictEqual(first.test?.labelFromPrediction, true);
    assert.strictEqual(first.cached, false);
    assert.ok(fs.readdirSync(cacheDir).length > 0, 'the gradients went into --cache-dir');
    assert.strictEqual(first.scores.length, 8, '--top 4: four proponents and four opponents');
    // The options it was computed with: what was given, the defaults, and what was chosen at run time.
    assert.deepStrictEqual(first.options, {
      modelPath: path.join(ROOT, MODEL), method: 'influence', inputPath: path.join(ROOT, VERSICOLOR), label: first.test?.label,
      train: path.join(ROOT, TRAIN), layers: first.paramScope.layers, solver: 'exact', damping: 0.01, top: 4, cacheDir, seed: 0,
    });
    assertSortedDescending(first.scores);
    assert.ok(first.scores[0].score > 0 && first.scores[7].score < 0);
    for (const s of first.scores) {
      assert.ok(!Object.keys(s).includes('preview'), 'no preview without --previews');
      assert.deepStrictEqual(s.location, { path: path.join(ROOT, TRAIN), line: s.index + 2 }, 'row i of the set is line i + 2 (after the header)');
      assert.strictEqual(s.id, `train.csv:${s.location.line}`);
      assert.strictEqual(row(s.location.line as number).species, s.labelName, `${s.id} holds a ${s.labelName}`);
      assert.strictEqual(['setosa', 'versicolor', 'virginica'][s.label], s.labelName);
    }

    const second = json('--input', VERSICOLOR, '--train', TRAIN, '--top', '4', '--cache-dir', cacheDir, '--previews');
    assert.strictEqual(second.cached, true);
    assert.deepStrictEqual(second.scores.map(({ preview: _p, ...s }) => s), first.scores, 'the cached gradients give the same ranking and scores');
    for (const s of second.scores) {
      assert.strictEqual(s.preview.kind, 'row');
      const cells = (s.preview as { cells: Record<string, string> }).cells;
      for (const [column, value] of Object.entries(cells)) assert.strictEqual(Number(value), Number(row(s.location.line as number)[column]), `${s.id} ${column}`);
    }
  });

  it('without --json: the tables on stdout; stderr, not a terminal, has at most one line per stage', () => {
    const { code, stdout, stderr } = cli('influence', MODEL, '--input', VERSICOLOR, '--top', '2', '--no-cache', '--backend', 'cpu');
    assert.strictEqual(code, 0, stderr);
    const lines = stderr.split('\n').filter(Boolean);
    assert.ok(lines.every((l) => /^model-lens: (Reading training set|Training gradients|Hessian|Conjugate|LiSSA)/.test(l)), stderr);
    assert.strictEqual(new Set(lines.map((l) => l.replace(/\d+/g, '#'))).size, lines.length, stderr);
    assert.match(stdout, /^influence\s+\S+versicolor\.csv\s+\(cpu, [\d.]+ ms\)/);
    assert.match(stdout, /scope:\s+\S+, \S+ \(131 params\)/);
    assert.match(stdout, /proponents[^\n]*\n\s+id\s+label\s+score\n\s+train\.csv:\d+\s+\w+\s+\S+\n\s+train\.csv:\d+/);
    assert.match(stdout, /opponents/);
  });

  it('on a terminal: one progress line on stderr, redrawn and cleared; stdout and --quiet get none', function () {
    if (spawnSync('script', ['--version']).status !== 0) this.skip(); // util-linux's script gives the CLI a terminal
    const dir = tempDir();
    const run = (extra: string) => {
      const out = path.join(dir, 'stdout');
      const command = `node ${JSON.stringify(CLI)} influence ${MODEL} --input ${VERSICOLOR} --top 2 --no-cache --backend cpu ${extra} > ${JSON.stringify(out)}`;
      const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      assert.strictEqual(r.status, 0, r.stdout);
      return { terminal: r.stdout, stdout: fs.readFileSync(out, 'utf8') };
    };
    const text = run('');
    // eslint-disable-next-line no-control-regex -- the terminal's erase-line escape is what is checked
    assert.match(text.terminal, /\r\x1b\[KTraining gradients 120\/120 100%/);
    assert.ok(text.terminal.endsWith('\r\x1b[K'), 'the progress line is cleared before the result');
    assert.ok(!/\r|Training gradients/.test(text.stdout), 'no progress on stdout');
    assert.match(text.stdout, /proponents/);
    const quiet = run('--json --quiet');
    assert.strictEqual(quiet.terminal, '', 'no progress with --quiet');
    assert.strictEqual(JSON.parse(quiet.stdout).method, 'influence');
  });

  it('self: the top-K suspects, sorted, non-negative, without a test point', () => {
    const r = json('--method', 'self', '--top', '5', '--no-cache');
    assert.strictEqual(r.method, 'self');
    assert.strictEqual(r.test, undefined);
    assert.strictEqual(r.scores.length, 5);
    assertSortedDescending(r.scores);
    assert.ok(r.scores.every((s) => s.score >= 0), 'gᵀ(H + λI)⁻¹g ≥ 0 for a positive-definite H + λI');
  });

  it('self: rows planted with wrong labels are the top suspects', () => {
    // Three setosa rows relabelled virginica and a versicolor relabelled setosa: the model is sure
    // they are wrong (p(label) from 1e-16 to 1e-5), so their losses and gradients are the largest.
    const planted = new Map([[2, 'virginica'], [3, 'virginica'], [4, 'virginica'], [60, 'setosa']]);
    const lines = trainRows.map((l, i) => (planted.has(i + 1) ? l.replace(/[a-z]+$/, planted.get(i + 1) as string) : l));
    const train = path.join(tempDir(), 'train.csv');
    fs.writeFileSync(train, lines.join('\n') + '\n');
    const r = json('--method', 'self', '--train', train, '--top', '4', '--no-cache');
    assert.deepStrictEqual(r.scores.map((s) => s.location.line).sort((a, b) => (a as number) - (b as number)), [...planted.keys()], JSON.stringify(r.scores.map((s) => [s.id, s.score])));
  });

  it('tracin: --lr weights each checkpoint, and a score is η ∇L(test)·∇L(z) computed independently', async () => {
    const cacheDir = tempDir();
    const model = path.join(ROOT, MODEL);
    const one = json('--method', 'tracin', '--input', VIRGINICA, '--checkpoints', model, '--lr', '0.5', '--top', '3', '--cache-dir', cacheDir);
    assert.strictEqual(one.solver, null);
    assert.strictEqual(one.damping, null);
    assert.deepStrictEqual(one.checkpoints, [{ path: model, learningRate: 0.5 }]);
    assertSortedDescending(one.scores);
    const two = json('--method', 'tracin', '--input', VIRGINICA, '--checkpoints', `${model},${model}`, '--lr', '0.5,0.25', '--top', '3', '--cache-dir', cacheDir);
    assert.strictEqual(two.cached, true, 'the second checkpoint is the first: its gradients are cached');
    assert.deepStrictEqual(two.scores.map((s) => s.id), one.scores.map((s) => s.id));
    two.scores.forEach((s, i) => assert.ok(Math.abs(s.score - 1.5 * one.scores[i].score) <= 1e-9 * Math.abs(s.score), `(0.5 + 0.25) / 0.5 = 1.5 for ${s.id}`));

    // Independently: the gradient of −log p(label) over every weight, the features standardised
    // by the sidecar's mean and std, straight from the CSV lines.
    const sidecar = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/iris-mlp/model.lens.json'), 'utf8'));
    const tensorsBefore = tf.memory().numTensors;
    const checkpoint = await loadCheckpoint(model);
    const net = checkpoint.model as tf.LayersModel;
    const gradient = (cells: string[], label: number): Float32Array => {
      const flat = tf.tidy(() => {
        const x = tf.tensor2d([cells.slice(0, 4).map((c, j) => (Number(c) - sidecar.input.mean[j]) / sidecar.input.std[j])]);
        const loss = () => tf.neg(tf.log((net.predict(x) as tf.Tensor2D).gather([label], 1))).sum() as tf.Scalar;
        const { grads } = tf.variableGrads(loss, net.trainableWeights.map((w) => w.read() as tf.Variable));
        return tf.concat(Object.values(grads).map((g) => g.flatten()));
      });
      const values = flat.dataSync() as Float32Array;
      flat.dispose();
      return values;
    };
    const test = gradient(fs.readFileSync(path.join(ROOT, VIRGINICA), 'utf8').trim().split('\n')[1].split(','), 2);
    try {
      for (const s of one.scores) {
        const g = gradient(trainRows[(s.location.line as number) - 1].split(','), s.label);
        const expected = 0.5 * g.reduce((sum, v, j) => sum + v * test[j], 0);
        assert.ok(Math.abs(s.score - expected) <= 1e-3 * Math.abs(expected) + 1e-7, `${s.id}: ${s.score} vs ${expected}`);
      }
    } finally {
      disposeCheckpoint(checkpoint);
    }
    assert.strictEqual(tf.memory().numTensors, tensorsBefore);
  });

  it('tracin without --checkpoints uses the sidecar\'s, resolved beside it, in order', function () {
    const sidecar = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/iris-mlp/model.lens.json'), 'utf8'));
    const listed: { path: string; learningRate: number }[] | undefined = sidecar.data.checkpoints;
    if (!listed?.length) this.skip();
    const r = json('--method', 'tracin', '--input', VIRGINICA, '--top', '2', '--no-cache');
    assert.deepStrictEqual(r.checkpoints, listed?.map((c) => ({ path: path.join(ROOT, 'examples/iris-mlp', c.path), learningRate: c.learningRate })));
    assert.strictEqual(r.scores.length, 4);
    assertSortedDescending(r.scores);
  });

  it('tracin without checkpoints (none in the sidecar, none given): one line saying how to list them, exit 1', () => {
    const dir = tempDir();
    for (const file of ['model.json', 'weights.bin']) fs.copyFileSync(path.join(ROOT, 'examples/iris-mlp', file), path.join(dir, file));
    const sidecar = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/iris-mlp/model.lens.json'), 'utf8'));
    delete sidecar.data.checkpoints;
    sidecar.data.train = path.join(ROOT, TRAIN);
    fs.writeFileSync(path.join(dir, 'model.lens.json'), JSON.stringify(sidecar));
    assertCliFails(['influence', path.join(dir, 'model.json'), '--method', 'tracin', '--input', VIRGINICA, '--no-cache', '--backend', 'cpu'], /^model-lens: error: TracIn needs checkpoints .*data\.checkpoints.*--checkpoints/, 1);
  });
});
