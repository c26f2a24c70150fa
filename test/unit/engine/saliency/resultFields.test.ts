/**
 * What the saliency result says about itself for the panel (issue 11), against truth computed
 * another way: Integrated Gradients' F(x) and F(baseline) against the model's own predictions of
 * the input and of the baseline written as a file; the baseline's values against the sidecar's
 * mean; tabular values against the CSV; Grad-CAM's map size against the layer's output shape;
 * the random ordering's curves against the same ordering evaluated by hand; no metrics for a map
 * that is zero by construction.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { RunContext } from '../../../../src/protocol/engine';
import { Engine } from '../../../../src/engine/engine';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { makeRng, shuffleInPlace } from '../../../../src/engine/common/random';
import { decodePngDataUri } from '../../../../src/engine/data/encode';
import { gradCamToy } from '../../../helpers/cnnToys';
import { tempDir } from '../../../helpers/tempDir';
import { tensorsWithoutCachedInputs } from '../../../helpers/assertLens';

const ROOT = path.join(__dirname, '../../../../..');
const MNIST = path.join(ROOT, 'examples/mnist-cnn/model.json');
const SEVEN = path.join(ROOT, 'examples/mnist-cnn/samples/digit-7-0.png');
const IRIS = path.join(ROOT, 'examples/iris-mlp/model.json');
const VERSICOLOR = path.join(ROOT, 'examples/iris-mlp/samples/versicolor.csv');
const TEXT = path.join(ROOT, 'examples/text-sentiment/model.json');
const SENTENCE = path.join(ROOT, 'examples/text-sentiment/samples/positive.txt');

const quiet = (): RunContext => ({ signal: new AbortController().signal, onProgress: () => {} });
const near = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('saliency result fields for the panel', function () {
  this.timeout(300_000);
  const engine = new Engine();
  before(() => engine.useBackend('cpu'));
  after(() => engine.dispose());

  it("Integrated Gradients on iris reports F(x), F(baseline) and the baseline: the mean flower, as the model itself scores them", async () => {
    const sidecar = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/iris-mlp/model.lens.json'), 'utf8'));
    const r = await engine.run('saliency', { modelPath: IRIS, inputPath: VERSICOLOR, method: 'integrated-gradients' }, quiet());
    const target = r.target;
    // F(x): the model's probability of the target on the input, as predict says.
    const p = await engine.run('predict', { modelPath: IRIS, inputPath: VERSICOLOR, top: 3 }, quiet());
    const atInput = p.rows[0].top.find((c) => c.index === target)!.probability;
    near(r.fx!, atInput, 1e-5, 'F(x)');
    // The zeros baseline is the training mean in the file's units: write it as a row and predict it.
    assert.deepStrictEqual(r.baseline?.kind, 'zeros');
    r.baseline!.values!.forEach((v, i) => near(v, sidecar.input.mean[i], 1e-5, `baseline ${sidecar.input.features[i]}`));
    const meanRow = path.join(tempDir(), 'mean.csv');
    fs.writeFileSync(meanRow, `${sidecar.input.features.join(',')}\n${sidecar.input.mean.join(',')}\n`);
    const pb = await engine.run('predict', { modelPath: IRIS, inputPath: meanRow, top: 3 }, quiet());
    near(r.fBaseline!, pb.rows[0].top.find((c) => c.index === target)!.probability, 1e-5, 'F(baseline)');
    // Completeness ties them to the attribution.
    const total = r.attribution.data.reduce((a, b) => a + b, 0);
    near(total - (r.fx! - r.fBaseline!), r.completenessDelta!, 1e-6, 'completeness delta');
    // The row's raw values, in the sidecar's feature order, as the CSV has them.
    const [header, row] = fs.readFileSync(VERSICOLOR, 'utf8').trim().split(/\r?\n/).map((l) => l.split(','));
    assert.deepStrictEqual(r.input.features, sidecar.input.features);
    r.input.features!.forEach((f: string, i: number) => near(r.input.values![i], Number(row[header.indexOf(f)]), 1e-4, f));
    console.log(`      versicolor: F(x) ${r.fx!.toFixed(4)}, F(mean flower) ${r.fBaseline!.toFixed(4)}, target ${r.targetLabel}`);
  });

  it('the zeros baseline of an MNIST digit is a black image; other methods report no path fields', async () => {
    const r = await engine.run('saliency', { modelPath: MNIST, inputPath: SEVEN, method: 'integrated-gradients', steps: 8 }, quiet());
    const img = decodePngDataUri(r.baseline!.preview!);
    assert.deepStrictEqual([img.width, img.height], [28, 28]);
    for (let i = 0; i < img.rgba.length; i += 4) assert.deepStrictEqual([img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]], [0, 0, 0]);
    assert.ok(r.fx! > 0.9 && r.fx! <= 1, String(r.fx));
    const g = await engine.run('saliency', { modelPath: MNIST, inputPath: SEVEN, method: 'gradient' }, quiet());
    assert.strictEqual(g.fx, undefined);
    assert.strictEqual(g.baseline, undefined);
    assert.strictEqual(g.mapSize, undefined);
  });

  it("Grad-CAM reports its layer's map size, the layer's output shape", async () => {
    const summary = await engine.run('info', { modelPath: MNIST }, quiet());
    const r = await engine.run('saliency', { modelPath: MNIST, inputPath: SEVEN, method: 'grad-cam' }, quiet());
    const shape = summary.layers.find((l) => l.name === r.layer)!.outputShape[0];
    assert.deepStrictEqual(r.mapSize, [shape[1], shape[2]]);
    assert.deepStrictEqual(r.attribution.shape, [28, 28, 1], 'upsampled to the input');
  });

  it('text: the padding after the sentence is counted', async () => {
    const r = await engine.run('saliency', { modelPath: TEXT, inputPath: SENTENCE, method: 'integrated-gradients', steps: 8 }, quiet());
    const words = fs.readFileSync(SENTENCE, 'utf8').toLowerCase().match(/[\p{L}\p{N}']+/gu)!;
    assert.strictEqual(r.input.tokens!.length - r.input.padding!, Math.min(words.length, r.input.tokens!.length));
    assert.ok(r.input.tokens!.slice(r.input.tokens!.length - r.input.padding!).every((t) => t === '<pad>'));
    assert.strictEqual(r.baseline?.kind, 'zeros');
    assert.ok(Number.isFinite(r.fx) && Number.isFinite(r.fBaseline));
  });

  it('the random ordering curves are the seeded ordering evaluated step by step', async () => {
    const r = await engine.run('saliency', { modelPath: IRIS, inputPath: VERSICOLOR, method: 'gradient', metrics: true, seed: 3 }, quiet());
    const m = r.metrics!;
    // 4 features, 4 steps: delete the seeded random order one feature at a time (deleted = 0 in model space, the mean).
    const order = shuffleInPlace([0, 1, 2, 3], makeRng(3));
    const sidecar = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/iris-mlp/model.lens.json'), 'utf8'));
    const dir = tempDir();
    const expected: number[] = [];
    for (let k = 0; k <= 4; k++) {
      const row = r.input.values!.map((v, f) => (order.slice(0, k).includes(f) ? sidecar.input.mean[f] : v));
      const file = path.join(dir, `del-${k}.csv`);
      fs.writeFileSync(file, `${sidecar.input.features.join(',')}\n${row.join(',')}\n`);
      const p = await engine.run('predict', { modelPath: IRIS, inputPath: file, top: 3 }, quiet());
      expected.push(p.rows[0].top.find((c) => c.index === r.target)!.probability);
    }
    assert.strictEqual(m.randomDeletionCurve.length, 5);
    m.randomDeletionCurve.forEach((v, i) => near(v, expected[i], 1e-4, `random deletion step ${i}`));
    assert.strictEqual(m.randomInsertionCurve.length, 5);
    near(m.randomInsertionCurve[4], r.targetProbability!, 1e-4, 'insertion ends at the input');
    // The radius of max-sensitivity: 0.02 × the input's value range in model space.
    const x = r.input.values!.map((v, i) => (v - sidecar.input.mean[i]) / sidecar.input.std[i]);
    near(m.sensitivityRadius!, 0.02 * (Math.max(...x) - Math.min(...x)), 1e-5, 'radius');
  });

  it('an all-zero Grad-CAM map (a class whose weights are zero) gets no metrics, and says why', async () => {
    const modelPath = await saveLayersModel(gradCamToy(), tempDir());
    const input = path.join(path.dirname(modelPath), 'x.json');
    fs.writeFileSync(input, JSON.stringify([Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => [4 * i + j]))]));
    await engine.run('info', { modelPath }, quiet());
    const before = tensorsWithoutCachedInputs(engine);
    // Unit 3's dense weights are all zero: ∂y3/∂A = 0, so α = 0 and the map is 0 (cnnToys.ts).
    const zero = await engine.run('saliency', { modelPath, inputPath: input, method: 'grad-cam', target: 3, metrics: true }, quiet());
    assert.strictEqual(tensorsWithoutCachedInputs(engine), before);
    assert.ok(zero.attribution.data.every((v) => v === 0));
    assert.strictEqual(zero.metrics, undefined);
    assert.match(zero.metricsSkipped ?? '', /Grad-CAM's map at conv_relu is zero everywhere/);
    assert.deepStrictEqual(zero.mapSize, [2, 2]);
    // Unit 0 has positive evidence (the hand-worked map [[11.25, 13.5], [20.25, 22.5]]): metrics as usual.
    const live = await engine.run('saliency', { modelPath, inputPath: input, method: 'grad-cam', target: 0, metrics: true }, quiet());
    assert.ok(live.metrics);
    assert.strictEqual(live.metricsSkipped, undefined);
  });
});
