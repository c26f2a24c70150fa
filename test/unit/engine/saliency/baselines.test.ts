import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { type Checkpoint, disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { blurInput, gaussianKernel, makeBaseline } from '../../../../src/engine/saliency/baselines';
import { rejectsLens } from '../../../helpers/assertLens';
import { writeGraphModel } from '../../../helpers/models';
import { tempDir } from '../../../helpers/tempDir';

describe('saliency baselines', () => {
  let checkpoint: Checkpoint;
  let dir: string;
  before(async () => {
    await tf.setBackend('cpu');
    dir = tempDir();
    checkpoint = await loadCheckpoint(writeGraphModel(dir));
  });
  after(() => disposeCheckpoint(checkpoint));

  const image = (h: number, w: number) => ({ kind: 'image' as const, height: h, width: w });

  it('zeros (the default) has the input shape', async () => {
    const x = tf.tensor2d([[3, -1]]);
    const b = await makeBaseline(x, undefined, { checkpoint, input: { kind: 'tensor' } });
    assert.deepStrictEqual(b.shape, [1, 2]);
    assert.deepStrictEqual(Array.from(b.dataSync()), [0, 0]);
    tf.dispose([x, b]);
  });

  it('uniform noise is seeded and lies in [min(x), max(x)]', async () => {
    const x = tf.tensor2d([[-2, 5, 0, 1, 3, 4, 1, 1]]);
    const ctx = { checkpoint, input: { kind: 'tensor' as const } };
    const [a, b, c] = [
      await makeBaseline(x, { kind: 'uniform', seed: 3 }, ctx),
      await makeBaseline(x, { kind: 'uniform', seed: 3 }, ctx),
      await makeBaseline(x, { kind: 'uniform', seed: 4 }, ctx),
    ];
    assert.deepStrictEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    assert.notDeepStrictEqual(Array.from(a.dataSync()), Array.from(c.dataSync()));
    assert.ok(Array.from(a.dataSync()).every((v) => v >= -2 && v <= 5));
    tf.dispose([x, a, b, c]);
  });

  it('blur: an impulse spreads as the separable Gaussian, constants stay constant up to the borders, channels stay apart', () => {
    const sigma = 1;
    const impulse = tf.buffer([1, 9, 9, 3]);
    impulse.set(1, 0, 4, 4, 1);
    const x = impulse.toTensor();
    const before = tf.memory().numTensors;
    const blurred = blurInput(x, image(9, 9), sigma);
    assert.strictEqual(tf.memory().numTensors, before + 1);
    const k = gaussianKernel(sigma, 3);
    const out = blurred.arraySync() as number[][][][];
    assert.ok(Math.abs(out[0][4][4][1] - k[3] * k[3]) < 1e-6);
    assert.ok(Math.abs(out[0][3][5][1] - k[2] * k[4]) < 1e-6);
    assert.ok(out[0].flat(2).every((v, i) => i % 3 !== 1 ? v === 0 : true), 'other channels untouched');
    const flat = tf.fill([1, 6 * 5], 0.7); // a flattened 6×5 grayscale image
    const flatBlur = blurInput(flat, image(6, 5), 5);
    assert.deepStrictEqual(flatBlur.shape, [1, 30]);
    assert.ok(Array.from(flatBlur.dataSync()).every((v) => Math.abs(v - 0.7) < 1e-6), 'normalised at the borders');
    tf.dispose([x, blurred, flat, flatBlur]);
  });

  it('blur of a non-image input is a clear error', async () => {
    const x = tf.tensor2d([[1, 2]]);
    await rejectsLens(() => makeBaseline(x, { kind: 'blur' }, { checkpoint, input: { kind: 'tabular', path: '/d/iris.csv' } }), 'BAD_REQUEST', 'blur baseline needs an image input', 'iris.csv is a tabular input');
    const img = tf.zeros([1, 4, 4, 1]);
    await rejectsLens(() => makeBaseline(img, { kind: 'blur', sigma: -1 }, { checkpoint, input: image(4, 4) }), 'BAD_REQUEST', 'sigma');
    tf.dispose([x, img]);
  });

  it('a file is loaded like the input and must match its shape', async () => {
    const x = tf.tensor2d([[1, 2]]);
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify([0.5, -1]));
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify([[0.5, -1], [1, 1]]));
    const b = await makeBaseline(x, { kind: 'file', path: path.join(dir, 'b.json') }, { checkpoint, input: { kind: 'tensor' } });
    assert.deepStrictEqual(Array.from(b.dataSync()), [0.5, -1]);
    const before = tf.memory().numTensors;
    await rejectsLens(() => makeBaseline(x, { kind: 'file', path: path.join(dir, 'bad.json') }, { checkpoint, input: { kind: 'tensor' } }), 'INVALID_INPUT', 'bad.json has shape [2,2]', '[1,2]');
    await rejectsLens(() => makeBaseline(x, { kind: 'file', path: path.join(dir, 'none.json') }, { checkpoint, input: { kind: 'tensor' } }), 'FILE_NOT_FOUND');
    assert.strictEqual(tf.memory().numTensors, before);
    tf.dispose([x, b]);
  });
});
