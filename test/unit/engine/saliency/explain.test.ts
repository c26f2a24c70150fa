import * as assert from 'assert';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../../../src/protocol/engine';
import { SALIENCY_METHODS, type SaliencyMethod, type SaliencyOptions } from '../../../../src/protocol/saliency';
import { Engine } from '../../../../src/engine/engine';
import { checkParams } from '../../../../src/engine/params';
import { ATTRIBUTION_METHODS } from '../../../../src/engine/saliency/registry';
import { rejectsLens, tensorsWithoutCachedInputs } from '../../../helpers/assertLens';

const ROOT = path.join(__dirname, '../../../../..');
const MNIST = path.join(ROOT, 'examples/mnist-cnn/model.json');
const SEVEN = path.join(ROOT, 'examples/mnist-cnn/samples/digit-7-0.png');
const IRIS = path.join(ROOT, 'examples/iris-mlp/model.json');
const SETOSA = path.join(ROOT, 'examples/iris-mlp/samples/setosa.csv');

const quiet = (): RunContext => ({ signal: new AbortController().signal, onProgress: () => {} });
/** Small settings so that every method with metrics runs in seconds on the cpu backend. */
/** Each method's own options that keep these runs short (a method refuses another's options). */
const FAST: Partial<Record<SaliencyMethod, Partial<SaliencyOptions>>> = { 'integrated-gradients': { steps: 8 }, smoothgrad: { samples: 4 }, occlusion: { window: 7 } };

describe('saliency registry', () => {
  it('lists every method once, under its own id', () => {
    assert.deepStrictEqual(Object.keys(ATTRIBUTION_METHODS).sort(), [...SALIENCY_METHODS].sort());
    for (const [id, method] of Object.entries(ATTRIBUTION_METHODS)) assert.strictEqual(method.id, id);
  });
});

describe('saliency request', function () {
  this.timeout(300_000);
  const engine = new Engine();
  before(async () => {
    await engine.useBackend('cpu');
    await engine.run('info', { modelPath: MNIST }, quiet());
    await engine.run('info', { modelPath: IRIS }, quiet());
  });
  after(() => engine.dispose());

  for (const method of SALIENCY_METHODS) {
    it(`${method} with metrics: the result's fields, and no tensors left behind`, async () => {
      const before = tensorsWithoutCachedInputs(engine);
      const r = await engine.run('saliency', { modelPath: MNIST, inputPath: SEVEN, method, metrics: true, ...FAST[method] }, quiet());
      assert.strictEqual(tensorsWithoutCachedInputs(engine), before, 'numTensors is back to where it was');
      assert.strictEqual(r.method, method);
      assert.strictEqual(r.target, 7, 'default target: the predicted class');
      assert.strictEqual(r.targetLabel, '7');
      assert.ok((r.targetProbability ?? 0) > 0.9);
      assert.deepStrictEqual(r.output, { index: 0, name: 'probs', kind: 'softmax' }, 'the result names its head');
      assert.strictEqual(r.prediction[0].label, '7');
      assert.deepStrictEqual(r.attribution.shape, [28, 28, 1]);
      assert.strictEqual(r.attribution.data.length, 784);
      assert.ok(r.attribution.data.every(Number.isFinite));
      assert.strictEqual(r.completenessDelta !== undefined, method === 'integrated-gradients');
      assert.strictEqual(r.layer !== undefined, method === 'grad-cam');
      assert.match(r.summary, /^\d+% of \|.+\| in the (centre|(upper|lower)-(left|right) quadrant)$/);
      assert.match(r.input.preview ?? '', /^data:image\/png;base64,/);
      assert.strictEqual(r.input.kind, 'image');
      assert.strictEqual(r.backend, 'cpu');
      assert.ok(r.ms > 0);
      const m = r.metrics;
      assert.ok(m);
      assert.strictEqual(m.deletionCurve.length, 21);
      assert.strictEqual(m.insertionCurve.length, 21);
      assert.ok(Math.abs(m.deletionCurve[0] - (r.targetProbability ?? NaN)) < 1e-4, 'deletion starts at the input');
      for (const key of ['deletionAuc', 'insertionAuc', 'randomDeletionAuc', 'randomInsertionAuc'] as const) {
        assert.ok(m[key] >= 0 && m[key] <= 1, `${key} = ${m[key]}`);
      }
      assert.ok(m.maxSensitivity !== undefined && m.maxSensitivity >= 0);
    });
  }

  it('explains a chosen target, and IG with a blurred baseline keeps completeness', async () => {
    const r = await engine.run('saliency', { modelPath: MNIST, inputPath: SEVEN, method: 'integrated-gradients', target: 3, steps: 32, baseline: { kind: 'blur', sigma: 2 } }, quiet());
    assert.strictEqual(r.target, 3);
    assert.ok(r.completenessDelta !== undefined && Math.abs(r.completenessDelta) < 0.05, String(r.completenessDelta));
    assert.strictEqual(r.metrics, undefined);
  });

  it('Grad-CAM at its layer resolution still gets metrics (the map is resized to the input)', async () => {
    const before = tensorsWithoutCachedInputs(engine);
    const r = await engine.run('saliency', { modelPath: MNIST, inputPath: SEVEN, method: 'grad-cam', upsample: false, metrics: true }, quiet());
    assert.strictEqual(tensorsWithoutCachedInputs(engine), before);
    assert.strictEqual(r.attribution.shape.length, 2);
    assert.ok(r.attribution.shape[0] < 28);
    assert.ok(r.metrics && r.metrics.deletionCurve.length === 21);
  });

  it('max-sensitivity: 10 samples by default on a small model for every method, as many as asked, or none with 0', async () => {
    const samplesOf = async (method: SaliencyMethod, extra: Partial<SaliencyOptions> = {}) => {
      const totals = new Set<number>();
      const ctx: RunContext = { signal: new AbortController().signal, onProgress: (_, total, message) => message === 'max-sensitivity' && totals.add(total) };
      const r = await engine.run('saliency', { modelPath: MNIST, inputPath: SEVEN, method, metrics: true, ...FAST[method], ...extra }, ctx);
      return { reported: r.options.sensitivitySamples, ran: [...totals], value: r.metrics?.maxSensitivity };
    };
    for (const method of SALIENCY_METHODS) {
      const { reported, ran } = await samplesOf(method);
      assert.deepStrictEqual([reported, ran], [10, [10]], method);
    }
    const asked = await samplesOf('occlusion', { sensitivitySamples: 5 });
    assert.deepStrictEqual([asked.reported, asked.ran], [5, [5]]);
    const none = await samplesOf('gradient', { sensitivitySamples: 0 });
    assert.deepStrictEqual([none.reported, none.ran, none.value], [0, [], undefined]);
  });

  it('tabular inputs: per-feature attributions, named in the summary', async () => {
    const before = tensorsWithoutCachedInputs(engine);
    const r = await engine.run('saliency', { modelPath: IRIS, inputPath: SETOSA, method: 'integrated-gradients', metrics: true }, quiet());
    assert.strictEqual(tensorsWithoutCachedInputs(engine), before);
    assert.deepStrictEqual(r.attribution.shape, [4]);
    assert.strictEqual(r.targetLabel, 'setosa');
    assert.match(r.summary, /^(sepal|petal)_(length|width) carries \d+% of \|IG\|$/);
    assert.strictEqual(r.input.preview, undefined);
    // 4 features: one step per feature.
    assert.strictEqual(r.metrics?.deletionCurve.length, 5);
  });

  it('rejects a target out of range, blur on a table and files with many rows', async () => {
    const before = tensorsWithoutCachedInputs(engine);
    await rejectsLens(() => engine.run('saliency', { modelPath: MNIST, inputPath: SEVEN, method: 'gradient', target: 10 }, quiet()), 'BAD_REQUEST', 'target 10 is out of range: the model has 10 outputs (0–9)');
    await rejectsLens(
      () => engine.run('saliency', { modelPath: IRIS, inputPath: SETOSA, method: 'integrated-gradients', baseline: { kind: 'blur' } }, quiet()),
      'BAD_REQUEST',
      'blur baseline needs an image input, but setosa.csv is a tabular input',
    );
    await rejectsLens(
      () => engine.run('saliency', { modelPath: IRIS, inputPath: path.join(ROOT, 'examples/iris-mlp/data/test.csv'), method: 'gradient' }, quiet()),
      'INVALID_INPUT',
      'test.csv holds 30 examples',
    );
    assert.strictEqual(tensorsWithoutCachedInputs(engine), before);
  });

  it('a cancelled request rejects and frees its tensors', async () => {
    const before = tensorsWithoutCachedInputs(engine);
    const abort = new AbortController();
    const ctx: RunContext = { signal: abort.signal, onProgress: () => abort.abort() };
    await assert.rejects(engine.run('saliency', { modelPath: MNIST, inputPath: SEVEN, method: 'integrated-gradients', steps: 64, internalBatch: 4 }, ctx), { name: 'AbortError' });
    assert.strictEqual(tensorsWithoutCachedInputs(engine), before);
  });
});

describe('saliency request on wasm', function () {
  this.timeout(300_000);
  const engine = new Engine();
  before(async () => {
    await engine.useBackend('wasm');
    await engine.run('info', { modelPath: MNIST }, quiet());
  });
  after(async () => {
    engine.dispose();
    await tf.setBackend('cpu');
  });

  it('every method with metrics leaves numTensors where it was', async () => {
    for (const method of SALIENCY_METHODS) {
      const before = tensorsWithoutCachedInputs(engine);
      const r = await engine.run('saliency', { modelPath: MNIST, inputPath: SEVEN, method, metrics: true, ...FAST[method] }, quiet());
      assert.strictEqual(tensorsWithoutCachedInputs(engine), before, method);
      assert.strictEqual(r.backend, 'wasm');
      assert.strictEqual(r.target, 7);
    }
  });
});

describe('saliency parameters', () => {
  const ok = { modelPath: 'm/model.json', inputPath: 'x.png', method: 'gradient' };
  const ig = { ...ok, method: 'integrated-gradients' };
  const sg = { ...ok, method: 'smoothgrad' };
  const cam = { ...ok, method: 'grad-cam' };
  const occ = { ...ok, method: 'occlusion' };

  it('accepts every option of a method, resolves paths and applies the defaults of the rest', () => {
    const p = checkParams('saliency', {
      ...ig,
      target: 3,
      steps: 16,
      quadrature: 'riemann-trapezoid',
      baseline: { kind: 'file', path: 'b.png' },
      internalBatch: 8,
      memoryBudgetMB: 512,
      seed: 42,
      metrics: true,
    });
    assert.strictEqual(p.modelPath, path.resolve('m/model.json'));
    assert.deepStrictEqual(p.baseline, { kind: 'file', path: path.resolve('b.png') });
    assert.strictEqual(p.steps, 16);
    assert.strictEqual(p.memoryBudgetMB, 512);
    const s = checkParams('saliency', { ...sg, samples: 5, noise: 0.2, smoothVariant: 'vargrad' });
    assert.deepStrictEqual([s.samples, s.noise, s.smoothVariant], [5, 0.2, 'vargrad']);
    const c = checkParams('saliency', { ...cam, layer: 'conv2', relu: false, upsample: false });
    assert.deepStrictEqual([c.layer, c.relu, c.upsample], ['conv2', false, false]);
    const o = checkParams('saliency', { ...occ, window: 3, stride: 2, fill: -1 });
    assert.deepStrictEqual([o.window, o.stride, o.fill], [3, 2, -1]);
    // Only the defaults of what applies to the method: gradient has none but the shared ones.
    assert.deepStrictEqual(Object.keys(checkParams('saliency', ok)).sort(), ['inputPath', 'memoryBudgetMB', 'method', 'metrics', 'modelPath']);
    assert.deepStrictEqual(checkParams('saliency', { ...ig, baseline: { kind: 'blur', sigma: 2.5 } }).baseline, { kind: 'blur', sigma: 2.5 });
    const defaults = checkParams('saliency', ig);
    assert.deepStrictEqual([defaults.steps, defaults.quadrature, defaults.baseline], [64, 'gauss-legendre', { kind: 'zeros' }]);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['no method', { modelPath: 'm', inputPath: 'x' }, 'method is required: must be one of gradient, gradient-x-input, integrated-gradients, smoothgrad, grad-cam, occlusion'],
    ['unknown method', { ...ok, method: 'lime' }, 'method must be one of'],
    ['no input', { modelPath: 'm', method: 'gradient' }, 'inputPath is required'],
    ['an empty input path', { ...ok, inputPath: '' }, 'inputPath must be a non-empty path'],
    ['negative target', { ...ok, target: -1 }, 'target must be an integer from 0'],
    ['fractional steps', { ...ig, steps: 2.5 }, 'steps must be an integer from 1 to 10000'],
    ['zero steps', { ...ig, steps: 0 }, 'steps must be an integer from 1'],
    ['steps as a string', { ...ig, steps: '8' }, 'steps must be an integer'],
    ['steps for another method', { ...ok, steps: 8 }, 'steps applies to integrated-gradients, not gradient'],
    ['a window for grad-cam', { ...cam, window: 3 }, 'window applies to occlusion, not grad-cam'],
    ['bad quadrature', { ...ig, quadrature: 'simpson' }, 'quadrature must be one of gauss-legendre, riemann-trapezoid'],
    ['negative noise', { ...sg, noise: -0.1 }, 'noise must be a number from 0 to 10'],
    ['NaN noise', { ...sg, noise: NaN }, 'noise must be a number'],
    ['bad variant', { ...sg, smoothVariant: 'smooth' }, 'smoothVariant must be one of'],
    ['empty layer', { ...cam, layer: '' }, 'layer must be a non-empty name'],
    ['relu as a string', { ...cam, relu: 'no' }, 'relu must be true or false'],
    ['upsample as a number', { ...cam, upsample: 0 }, 'upsample must be true or false'],
    ['metrics as a string', { ...ok, metrics: 'yes' }, 'metrics must be true or false'],
    ['zero window', { ...occ, window: 0 }, 'window must be an integer from 1'],
    ['zero stride', { ...occ, stride: 0 }, 'stride must be an integer from 1'],
    ['infinite fill', { ...occ, fill: Infinity }, 'fill must be a number'],
    ['zero internal batch', { ...ok, internalBatch: 0 }, 'internalBatch must be an integer from 1 to 4096'],
    ['a memory budget past the wasm heap', { ...ok, memoryBudgetMB: 8000 }, 'memoryBudgetMB must be an integer from 64 to 3000'],
    ['negative seed', { ...ok, seed: -1 }, 'seed must be an integer from 0'],
    ['baseline as a string', { ...ig, baseline: 'zeros' }, 'baseline is malformed'],
    ['unknown baseline kind', { ...ig, baseline: { kind: 'noise' } }, 'baseline is malformed at kind'],
    ['zero blur sigma', { ...ig, baseline: { kind: 'blur', sigma: 0 } }, 'baseline is malformed at sigma'],
    ['negative blur sigma', { ...ig, baseline: { kind: 'blur', sigma: -2 } }, 'baseline is malformed at sigma'],
    ['fractional uniform seed', { ...ig, baseline: { kind: 'uniform', seed: 0.5 } }, 'baseline is malformed at seed'],
    ['file without a path', { ...ig, baseline: { kind: 'file' } }, 'baseline is malformed at path'],
    ['extra baseline field', { ...ig, baseline: { kind: 'zeros', sigma: 1 } }, 'baseline is malformed'],
    ['misspelt option', { ...ok, stpes: 3 }, 'stpes is not an option of saliency'],
  ];
  for (const [name, params, message] of bad) {
    it(`rejects ${name}`, async () => {
      await rejectsLens(() => checkParams('saliency', params), 'BAD_REQUEST', message);
    });
  }
});
