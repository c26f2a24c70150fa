import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { loadTensorJson, parseTensorJson } from '../../../../src/engine/data/tensorJson';
import { rejectsLens, useTempDir, write } from './fixtures';

const SPEC = { shape: [null, 2, 2, 1], dtype: 'float32' };
const SAMPLE = [[[1], [2]], [[3], [4]]];

describe('inputs/tensorJson', function () {
  this.timeout(5000);
  const tmp = useTempDir();

  it('adds the batch dimension when the rank is one less', async () => {
    const file = write(tmp.dir, 'x.json', JSON.stringify(SAMPLE));
    const before = tf.memory().numTensors;
    const { tensor, description } = await loadTensorJson(file, SPEC);
    assert.deepStrictEqual(tensor.shape, [1, 2, 2, 1]);
    assert.deepStrictEqual(Array.from(await tensor.data()), [1, 2, 3, 4]);
    assert.strictEqual(tensor.dtype, 'float32');
    assert.match(description, /x\.json: tensor \[1,2,2,1\] \(batch dimension added\), used as-is/);
    tensor.dispose();
    assert.strictEqual(tf.memory().numTensors, before);
  });

  it('keeps an existing batch dimension and values as-is', async () => {
    const { tensor, description } = parseTensorJson('x.json', JSON.stringify([SAMPLE, SAMPLE]).replace('1', '1.5e2'), SPEC);
    assert.deepStrictEqual(tensor.shape, [2, 2, 2, 1]);
    assert.deepStrictEqual(Array.from(await tensor.data()), [150, 2, 3, 4, 1, 2, 3, 4]);
    assert.doesNotMatch(description, /batch/);
    tensor.dispose();
  });

  it('uses int32 for int32 inputs and rejects fractions there', async () => {
    const { tensor } = parseTensorJson('ids.json', '[3, 1, 4]', { shape: [null, 3], dtype: 'int32' });
    assert.strictEqual(tensor.dtype, 'int32');
    assert.deepStrictEqual(tensor.shape, [1, 3]);
    tensor.dispose();
    await rejectsLens(() => parseTensorJson('ids.json', '[3, 1.5, 4]', { shape: [null, 3], dtype: 'int32' }), 'INVALID_INPUT', '[1]', 'int32');
  });

  it('rejects ragged arrays, naming where', async () => {
    await rejectsLens(() => parseTensorJson('r.json', '[[1,2],[3]]', { shape: [null, 2], dtype: 'float32' }), 'INVALID_INPUT', 'r.json', 'ragged', '[1]', '1 elements, expected 2');
    await rejectsLens(() => parseTensorJson('r.json', '[[1,2],3]', { shape: [null, 2], dtype: 'float32' }), 'INVALID_INPUT', 'ragged', '[1]');
    await rejectsLens(() => parseTensorJson('r.json', '[1,[2]]', { shape: [null, 2], dtype: 'float32' }), 'INVALID_INPUT', '[1]', 'an array, not a number');
  });

  it('rejects NaN, null and non-numbers clearly', async () => {
    await rejectsLens(() => parseTensorJson('n.json', '[1, NaN, 3]', { shape: [null, 3], dtype: 'float32' }), 'INVALID_INPUT', 'NaN');
    await rejectsLens(() => parseTensorJson('n.json', '[1, null, 3]', { shape: [null, 3], dtype: 'float32' }), 'INVALID_INPUT', 'element [1] is null');
    await rejectsLens(() => parseTensorJson('n.json', '[1, "2", 3]', { shape: [null, 3], dtype: 'float32' }), 'INVALID_INPUT', 'element [1] is a string');
    await rejectsLens(() => parseTensorJson('n.json', '[1, 1e999, 3]', { shape: [null, 3], dtype: 'float32' }), 'INVALID_INPUT', 'not a finite number');
    await rejectsLens(() => parseTensorJson('n.json', '{"x": [1]}', { shape: [null, 1], dtype: 'float32' }), 'INVALID_INPUT', 'an object');
    await rejectsLens(() => parseTensorJson('n.json', '[1, 2', { shape: [null, 2], dtype: 'float32' }), 'INVALID_INPUT', 'not valid JSON');
    await rejectsLens(() => parseTensorJson('n.json', '[]', { shape: [null, 2], dtype: 'float32' }), 'INVALID_INPUT', 'empty array');
  });

  it('shape mismatch message shows both shapes, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    await rejectsLens(() => parseTensorJson('m.json', '[[[1],[2]],[[3],[4]],[[5],[6]]]', SPEC), 'INVALID_INPUT', '[1,3,2,1]', '[null,2,2,1]');
    await rejectsLens(() => parseTensorJson('m.json', '[1,2,3]', SPEC), 'INVALID_INPUT', '[3]', '[null,2,2,1]');
    assert.strictEqual(tf.memory().numTensors, before);
  });

  it('refuses absurd nesting without overflowing the stack', async () => {
    const deep = '['.repeat(5000) + '1' + ']'.repeat(5000);
    await rejectsLens(() => parseTensorJson('d.json', deep, SPEC), 'INVALID_INPUT', 'nested more than');
  });
});
