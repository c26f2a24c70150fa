/**
 * Real pretrained graph models shipped in @vladmandic/human (synthetic inputs only): several
 * heads with their true shapes, an int32 image input (MoveNet), a model with dynamic ops that runs
 * only through executeAsync (hand tracking); and hand-written graphs with an integer input, with
 * and without a float cast to attribute at.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { Engine } from '../../../src/engine/engine';
import { quietContext } from '../../../src/engine/common/context';
import { makeRng } from '../../../src/engine/common/random';
import { tempDir } from '../../helpers/tempDir';
import { disposeCheckpoint, loadCheckpoint } from '../../../src/engine/checkpoint/load';
import { exampleElements } from '../../../src/engine/model/batching';

// The package's exports hide its files from require.resolve: the dev dependency's folder, from out/test/unit/engine.
const HUMAN = path.join(__dirname, '../../../../node_modules/@vladmandic/human/models');

/** A graph model y = cast(x) · W for int32 x [-1, 3], W 3 × 2; `direct`: the Cast reads the input itself, else through an Identity. */
function intGraph(dir: string, direct: boolean): string {
  fs.mkdirSync(dir, { recursive: true });
  const dims = (...d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
  const float = { type: 'DT_FLOAT' };
  const node = [
    { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_INT32' }, shape: { shape: dims(-1, 3) } } },
    ...(direct ? [] : [{ name: 'same', op: 'Identity', input: ['x'], attr: { T: { type: 'DT_INT32' } } }]),
    { name: 'xf', op: 'Cast', input: [direct ? 'x' : 'same'], attr: { SrcT: { type: 'DT_INT32' }, DstT: float } },
    { name: 'W', op: 'Const', attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(3, 2) } } } },
    { name: 'y', op: 'MatMul', input: ['xf', 'W'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
  ];
  const json = { format: 'graph-model', modelTopology: { node, versions: { producer: 1 } }, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'W', shape: [3, 2], dtype: 'float32' }] }] };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  fs.writeFileSync(path.join(dir, 'w.bin'), Buffer.from(new Float32Array([1, -2, 0.5, 3, -1, 4]).buffer));
  fs.writeFileSync(path.join(dir, 'model.lens.json'), JSON.stringify({ input: { kind: 'tensor' }, labels: ['a', 'b'] }));
  return path.join(dir, 'model.json');
}

describe('real models: heads, int32 inputs, executeAsync', function () {
  this.timeout(300_000);
  const engine = new Engine(() => {}, { helper: false });
  let image = '';
  before(async () => {
    await engine.useBackend('wasm');
    const png = new PNG({ width: 64, height: 64 });
    const random = makeRng(3);
    png.data.forEach((_, i) => (png.data[i] = i % 4 === 3 ? 255 : Math.floor(random() * 256)));
    image = path.join(tempDir(), 'noise.png');
    fs.writeFileSync(image, PNG.sync.write(png));
  });
  after(() => engine.dispose());

  it('faceres: every head with its true shape and kind, and each one predicts', async () => {
    const modelPath = path.join(HUMAN, 'faceres.json');
    const summary = await engine.run('info', { modelPath }, quietContext());
    assert.deepStrictEqual(
      summary.outputs.map((o) => [o.name, o.shape, o.kind]),
      [
        ['gender_pred/Sigmoid', [null, 1], 'sigmoid'],
        ['global_pooling/Mean', [null, 1024], 'regression'],
        ['age_pred/Softmax', [null, 100], 'softmax'],
      ],
    );
    const before = tf.memory().numTensors;
    const gender = await engine.run('predict', { modelPath, inputPath: image }, quietContext());
    assert.strictEqual(gender.output.name, 'gender_pred/Sigmoid');
    const [p0, p1] = [0, 1].map((k) => gender.rows[0].top.find((c) => c.index === k)?.probability ?? NaN);
    assert.ok(Math.abs(p0 + p1 - 1) < 1e-6 && p0 > 0 && p1 > 0, 'a sigmoid unit is two classes, p(0) = 1 − p(1)');
    const embedding = await engine.run('predict', { modelPath, inputPath: image, output: 'global_pooling/Mean' }, quietContext());
    assert.strictEqual(embedding.rows[0].values?.length, 1024);
    const age = await engine.run('predict', { modelPath, inputPath: image, output: '2', top: 100 }, quietContext());
    assert.ok(Math.abs(age.rows[0].top.reduce((s, c) => s + c.probability, 0) - 1) < 1e-4);
    engine.inputs.clear();
    assert.strictEqual(tf.memory().numTensors, before, 'the three heads leave no tensors behind');
  });

  it('MoveNet: its int32 input is fed integers (0–255 pixels) and it predicts 17 keypoints', async () => {
    const modelPath = path.join(HUMAN, 'movenet-lightning.json');
    const p = await engine.run('predict', { modelPath, inputPath: image }, quietContext());
    assert.match(p.input.description, /as int32/);
    assert.deepStrictEqual(p.input.shape, [1, 192, 192, 3]);
    assert.strictEqual(p.output.kind, 'regression');
    assert.strictEqual(p.rows[0].values?.length, 17 * 3);
    assert.ok(p.rows[0].values?.every(Number.isFinite));
  });

  it('hand tracking (NonMaxSuppression, Where) predicts and occludes through executeAsync; gradient methods are refused with the reason', async () => {
    const modelPath = path.join(HUMAN, 'handtrack.json');
    const p = await engine.run('predict', { modelPath, inputPath: image }, quietContext());
    assert.strictEqual(p.outputKind, 'values');
    assert.ok(p.rows[0].values?.every(Number.isFinite));
    engine.inputs.clear();
    const before = tf.memory().numTensors;
    const r = await engine.run('saliency', { modelPath, inputPath: image, method: 'occlusion', window: 32, output: '6' }, quietContext());
    assert.deepStrictEqual(r.attribution.shape, [64, 64, 3]);
    assert.ok(r.attribution.data.every(Number.isFinite));
    engine.inputs.clear();
    assert.strictEqual(tf.memory().numTensors, before);
    await assert.rejects(engine.run('saliency', { modelPath, inputPath: image, method: 'gradient' }, quietContext()), /runs only asynchronously \(its graph has dynamic ops such as \w+\).*use occlusion/);
  });

  it('an int32 input is attributed at its float Cast: the gradient is the weight column, IG is W ⊙ x', async () => {
    const dir = tempDir();
    const modelPath = intGraph(dir, true);
    const input = path.join(dir, 'x.json');
    fs.writeFileSync(input, JSON.stringify([[2, -1, 3]]));
    // y = x·W: y₀ = 2·1 − 1·0.5 + 3·(−1) = −1.5, y₁ = 2·(−2) − 1·3 + 3·4 = 5
    const W = [
      [1, -2],
      [0.5, 3],
      [-1, 4],
    ];
    for (const target of [0, 1]) {
      const g = await engine.run('saliency', { modelPath, inputPath: input, method: 'gradient', target }, quietContext());
      assert.deepStrictEqual(g.attribution.data, W.map((row) => row[target]));
      const ig = await engine.run('saliency', { modelPath, inputPath: input, method: 'integrated-gradients', target, steps: 4 }, quietContext());
      ig.attribution.data.forEach((v, i) => assert.ok(Math.abs(v - W[i][target] * [2, -1, 3][i]) < 1e-5));
    }
  });

  it('an int32 input without a float cast of its own is refused for gradients, with the reason; occlusion runs', async () => {
    const dir = tempDir();
    const modelPath = intGraph(dir, false);
    const input = path.join(dir, 'x.json');
    fs.writeFileSync(input, JSON.stringify([[2, -1, 3]]));
    await assert.rejects(engine.run('saliency', { modelPath, inputPath: input, method: 'integrated-gradients' }, quietContext()), /'x' is int32: integers have no gradient.*Use occlusion/);
    const o = await engine.run('saliency', { modelPath, inputPath: input, method: 'occlusion', target: 1 }, quietContext());
    // Occluding feature i (fill 0) drops y₁ by x_i · W_i1.
    assert.deepStrictEqual(o.attribution.data, [2 * -2, -1 * 3, 3 * 4]);
  });
});

describe('graph models: batches sized from activations probed at load', () => {
  it("the iris graph model's per-example elements are its kernels' outputs, like the layers twin's, not 600× its input", async () => {
    const examples = path.join(__dirname, '../../../../examples');
    const graph = await loadCheckpoint(path.join(examples, 'iris-graph/model.json'));
    const layers = await loadCheckpoint(path.join(examples, 'iris-mlp/model.json'));
    try {
      // Graph kernels at batch 1: MatMul, BiasAdd, Relu (16 each), MatMul, BiasAdd, Softmax (3 each) = 57 floats; ×4 for a backward pass.
      assert.strictEqual(exampleElements(graph.model, 4), 57 * 4);
      // The layers twin: its two Dense outputs, 16 + 3.
      assert.strictEqual(exampleElements(layers.model, 4), 19 * 4);
    } finally {
      disposeCheckpoint(graph);
      disposeCheckpoint(layers);
    }
  });

  it('a graph that runs only through executeAsync (hand tracking) is probed too: the outputs of its kernels at batch 1', async function () {
    this.timeout(120_000);
    const checkpoint = await loadCheckpoint(path.join(HUMAN, 'handtrack.json'));
    const model = checkpoint.model as tf.GraphModel;
    const spec = checkpoint.inputs[0];
    const zeros = tf.zeros(spec.shape.map((d, i) => d ?? (i === 0 ? 1 : 32)), spec.dtype as tf.DataType);
    try {
      assert.ok(checkpoint.async, 'hand tracking has dynamic ops');
      // The definition, computed here: every kernel's output elements in one asynchronous forward pass.
      const profile = await tf.profile(async () => model.executeAsync(zeros));
      const kernels = profile.kernels.reduce((n, k) => n + k.outputShapes.reduce((m, shape) => m + (shape ?? []).reduce((a, b) => a * b, 1), 0), 0);
      tf.dispose(profile.result as tf.Tensor | tf.Tensor[]);
      const inputElements = zeros.size;
      assert.ok(kernels > inputElements, `${kernels} kernel output elements`);
      assert.strictEqual(exampleElements(model, inputElements), kernels * 4);
    } finally {
      zeros.dispose();
      disposeCheckpoint(checkpoint);
    }
  });
});
