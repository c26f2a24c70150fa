/** `model-lens tcav` and `model-lens probe`: flags → requests, the JSON contracts, the tables, and errors. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { assertCliFails, cli, requireBuiltCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/tempDir';
import { probeParams, tcavParams } from '../../../src/cli/conceptArgs';
import { checkParams } from '../../../src/engine/params';
import { defaultLabel, flagFields, flagOf } from '../../../src/cli/options';

const MODEL = 'examples/concepts-cnn/model.json';
const usage = (message: string) => new Error(message);

describe('tcav and probe flags → requests', () => {
  it('tcav: --class as an index or a name, --layer lists, --concept repeats as NAME=PATH with the path resolved', () => {
    const params = tcavParams('m.json', { class: 'zebra', layer: 'conv2, dense1', concept: ['striped=c/s', 'dots=/abs/d'], random: 'r', runs: '8', inputs: 'i', alpha: '0.01', bonferroni: true, seed: '3', l2: '0.1' }, usage);
    assert.deepStrictEqual(params, {
      modelPath: 'm.json',
      class: 'zebra',
      layers: ['conv2', 'dense1'],
      concepts: [{ name: 'striped', path: path.resolve('c/s') }, { name: 'dots', path: '/abs/d' }],
      random: 'r',
      runs: 8,
      inputs: 'i',
      alpha: 0.01,
      bonferroni: true,
      seed: 3,
      l2: 0.1,
    });
    assert.strictEqual(tcavParams('m', { class: '2', layer: 'x' }, usage).class, 2);
    // What it builds passes the engine's validation, which adds the defaults.
    const checked = checkParams('tcav', tcavParams('m', { class: '2', layer: 'x' }, usage));
    assert.deepStrictEqual(checked, { modelPath: path.resolve('m'), class: 2, layers: ['x'], alpha: 0.05, bonferroni: false, seed: 0, l2: 0.01 });
  });

  it('probe: --layer all is every layer (no list), a list is itself', () => {
    assert.deepStrictEqual(probeParams('m', { data: 'd', layer: 'all' }, usage), { modelPath: 'm', data: 'd' });
    assert.deepStrictEqual(probeParams('m', { data: 'd', layer: 'a,b', 'max-examples': '50' }, usage), { modelPath: 'm', data: 'd', layers: ['a', 'b'], maxExamples: 50 });
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['no --class', () => tcavParams('m', { layer: 'x' }, usage), /--class is required/],
    ['no --layer', () => tcavParams('m', { class: '0' }, usage), /--layer is required/],
    ['a concept without =', () => tcavParams('m', { class: '0', layer: 'x', concept: ['striped'] }, usage), /--concept: must be NAME=PATH/],
    ['a concept named twice', () => tcavParams('m', { class: '0', layer: 'x', concept: ['a=x', 'a=y'] }, usage), /--concept: is malformed.*names a concept twice/],
    ['alpha out of (0, 1)', () => tcavParams('m', { class: '0', layer: 'x', alpha: '1' }, usage), /--alpha: must be a number/],
    ['one run', () => tcavParams('m', { class: '0', layer: 'x', runs: '1' }, usage), /--runs: must be an integer from 2 to 1000/],
    ['an empty layer in the list', () => tcavParams('m', { class: '0', layer: 'a,,b' }, usage), /--layer: must be a comma-separated list/],
    ['probe without --data', () => probeParams('m', {}, usage), /--data is required/],
  ];
  for (const [what, run, pattern] of bad) {
    it(`refuses ${what}, naming the flag`, () => assert.throws(run, pattern));
  }
});

describe('cli tcav and probe', () => {
  before(requireBuiltCli);

  it('--help lists every tcav and probe option with its description and default', () => {
    const help = cli('--help').stdout.replace(/\s+/g, ' ');
    for (const request of ['tcav', 'probe'] as const) {
      const section = help.slice(help.indexOf(request === 'tcav' ? 'TCAV options:' : 'Probe options:'));
      for (const spec of flagFields(request)) {
        assert.ok(section.includes(`--${flagOf(spec)} `), `${request} --${spec.flag}`);
        assert.ok(section.includes(spec.description.replace(/\s+/g, ' ')), `${request} --${spec.flag}: its description`);
        const shown = defaultLabel(spec);
        if (shown !== undefined) assert.ok(section.includes(`(default: ${shown}`), `${request} --${spec.flag}: its default`);
      }
    }
  });

  it('tcav --json prints one object with the contract fields', () => {
    const { code, stdout, stderr } = cli('tcav', MODEL, '--class', 'zebra', '--layer', 'conv2,dense1', '--runs', '6', '--json', '--backend', 'wasm');
    assert.strictEqual(code, 0, stderr);
    const r = JSON.parse(stdout);
    for (const key of ['class', 'classIndex', 'results', 'random', 'gradientOf', 'backend', 'ms', 'options']) assert.ok(key in r, key);
    assert.deepStrictEqual([r.class, r.classIndex, r.gradientOf, r.backend], ['zebra', 0, 'logit', 'wasm']);
    assert.strictEqual(r.results.length, 4);
    for (const x of r.results) {
      for (const key of ['concept', 'layer', 'score', 'scores', 'std', 'magnitude', 'pValue', 'significant', 'cavAccuracy', 'runs']) assert.ok(key in x, key);
      assert.strictEqual(x.scores.length, 6);
    }
    assert.deepStrictEqual(r.random.map((x: { layer: string; scores: number[] }) => [x.layer, x.scores.length]), [['conv2', 6], ['dense1', 6]]);
  });

  it('tcav prints a table of concepts × layers with the random baseline', () => {
    const { code, stdout, stderr } = cli('tcav', MODEL, '--class', '0', '--layer', 'conv2', '--concept', `striped=${path.join('examples/concepts-cnn/concepts/striped')}`, '--runs', '4');
    assert.strictEqual(code, 0, stderr);
    assert.match(stdout, /^tcav {3}class zebra \(0\)/);
    assert.match(stdout, /concept +layer +score +std +magnitude +p-value +significant +CAV accuracy/);
    assert.match(stdout, /\nstriped +conv2 +1\.000 /);
    assert.match(stdout, /\n\(random\) +conv2 /);
  });

  it('probe --json: per layer accuracy, control accuracy and selectivity', () => {
    const { code, stdout, stderr } = cli('probe', MODEL, '--data', 'examples/concepts-cnn/data/probe', '--layer', 'conv1_input,conv2', '--json');
    assert.strictEqual(code, 0, stderr);
    const r = JSON.parse(stdout);
    assert.deepStrictEqual(r.layers.map((l: { layer: string }) => l.layer), ['conv1_input', 'conv2']);
    for (const l of r.layers) for (const key of ['accuracy', 'controlAccuracy', 'selectivity']) assert.strictEqual(typeof l[key], 'number', key);
  });

  it('an unknown layer is one line listing the model\'s layers; an empty concept folder names it; bad flags are usage errors', () => {
    assertCliFails(['tcav', MODEL, '--class', 'zebra', '--layer', 'conv9'], /no layer named 'conv9'; its layers: conv1_input, conv1, pool1, conv2, pool2, flatten, dense1, probs/, 1);
    const empty = path.join(tempDir(), 'striped');
    fs.mkdirSync(empty);
    assertCliFails(['tcav', MODEL, '--class', 'zebra', '--layer', 'conv2', '--concept', `striped=${empty}`], /striped: no usable examples in the concept 'striped': it holds no examples/, 1);
    assertCliFails(['tcav', MODEL, '--layer', 'conv2'], /--class is required/, 2);
    assertCliFails(['probe', MODEL, '--data', 'x', '--concept', 'a=b'], /probe takes no --concept/, 2);
  });
});
